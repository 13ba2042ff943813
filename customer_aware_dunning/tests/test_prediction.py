"""Predicted payment dates on a real ledger: history read set-based, invoices, cases and customers ranked by risk."""

from datetime import date

from odoo.tests import HttpCase, tagged

from .common import TODAY, DunningCommon
from .test_web_client import WAIT_FOR


@tagged("post_install", "-at_install")
class TestPrediction(DunningCommon):
    """partner_a pays 10 days late, partner_b on time; each has one invoice open on TODAY (June 30).

    =========  ========  ==========  ========  ===========================
    customer   invoice   due         paid      open on June 30
    =========  ========  ==========  ========  ===========================
    a          1000      Mar 31      Apr 10
    a          1000      Apr 30      May 10
    a          600       Jul 10      -         predicted Jul 20
    b          1000      Apr 30      Apr 30
    b          400       Jul 10      -         predicted Jul 10 (due date)
    =========  ========  ==========  ========  ===========================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for due, paid in ((date(2026, 3, 31), date(2026, 4, 10)), (date(2026, 4, 30), date(2026, 5, 10))):
            cls.pay(cls.make_invoice(cls.partner_a, date(2026, 3, 1), due, 1000), paid)
        cls.pay(cls.make_invoice(cls.partner_b, date(2026, 4, 1), date(2026, 4, 30), 1000), date(2026, 4, 30))
        cls.open_a = cls.make_invoice(cls.partner_a, date(2026, 6, 10), date(2026, 7, 10), 600)
        cls.open_b = cls.make_invoice(cls.partner_b, date(2026, 6, 10), date(2026, 7, 10), 400)
        cls.overdue_a = cls.make_invoice(cls.partner_a, date(2026, 5, 1), date(2026, 6, 5), 300)
        cls.count = cls.env["account.move"]._dunning_refresh_predictions(cls.company, TODAY)

    def test_history_is_read_for_every_invoice_in_one_query(self):
        rows = self.env["account.move"]._dunning_settlement_history(self.company, self.partner_a.ids)
        settled = sorted((due, settled) for _id, _partner, _date, due, settled, _residual in rows if settled)
        self.assertEqual(settled, [(date(2026, 3, 31), date(2026, 4, 10)), (date(2026, 4, 30), date(2026, 5, 10))])
        with self.assertQueryCount(1):
            self.env["account.move"]._dunning_settlement_history(self.company)

    def test_a_late_payer_is_predicted_its_lateness(self):
        self.assertEqual(self.count, 3)
        self.assertEqual(self.open_a.dunning_predicted_date, date(2026, 7, 20))
        self.assertEqual(self.open_a.dunning_prediction_basis, "history")
        self.assertEqual(self.open_a.dunning_prediction_count, 2)
        self.assertAlmostEqual(self.open_a.dunning_prediction_days_late, 10)
        self.assertGreater(self.open_a.dunning_late_chance, 0.5)
        self.assertAlmostEqual(self.open_a.dunning_expected_loss, 600 * self.open_a.dunning_late_chance, places=2)
        self.assertEqual(self.open_a.dunning_prediction_note,
                         "Paid its last 2 invoices 10 days late on average (recent ones count more).")

    def test_a_punctual_payer_is_predicted_the_due_date(self):
        self.assertEqual(self.open_b.dunning_predicted_date, date(2026, 7, 10))
        self.assertLess(self.open_b.dunning_late_chance, 0.5)
        self.assertEqual(self.open_b.dunning_prediction_note, "Paid its last 1 invoices on their due date on average.")

    def test_an_overdue_invoice_is_never_predicted_in_the_past(self):
        # 25 days overdue, later than anything partner_a paid: the chance it stays unpaid is unknown.
        self.assertEqual(self.overdue_a.dunning_late_chance, 0.5)
        self.assertEqual(self.overdue_a.dunning_prediction_basis, "later_than_history")
        self.assertGreaterEqual(self.overdue_a.dunning_predicted_date, TODAY)
        self.assertIn("Already 25 days overdue", self.overdue_a.dunning_prediction_note)

    def test_open_credits_are_not_at_stake_in_the_expected_loss(self):
        # A credit note of 500 left open: it covers the oldest invoice (300, due June 5) and 200 of the next (600).
        self.make_invoice(self.partner_a, date(2026, 6, 20), date(2026, 6, 20), 500, move_type="out_refund")
        self.env["account.move"]._dunning_refresh_predictions(self.company, TODAY)
        self.assertAlmostEqual(self.overdue_a.dunning_credit_covered, 300, places=2)
        self.assertAlmostEqual(self.overdue_a.dunning_expected_loss, 0, places=2)
        self.assertAlmostEqual(self.open_a.dunning_credit_covered, 200, places=2)
        self.assertAlmostEqual(self.open_a.dunning_expected_loss, 400 * self.open_a.dunning_late_chance, places=2)
        self.assertAlmostEqual(self.partner_a.with_company(self.company).dunning_expected_loss,
                               400 * self.open_a.dunning_late_chance, places=2)
        self.assertIn("Open credits cover", self.open_a.dunning_prediction_note)
        self.assertIn("200.00", self.open_a.dunning_prediction_note)
        self.assertFalse(self.open_b.dunning_credit_covered, "another customer's credit is not this one's")
        case_loss = self.env["dunning.case"].new({"invoice_ids": [(6, 0, (self.open_a | self.overdue_a).ids)]})
        self.assertAlmostEqual(case_loss.expected_loss, 400 * self.open_a.dunning_late_chance, places=2)

    def observe(self, partner, **values):
        self.env["dunning.credit.observation"].sudo().create({
            "partner_id": partner.id, "company_id": self.company.id, "source": "Test bureau",
            "observed_on": date(2026, 6, 1), **values,
        })

    def test_a_new_customer_is_predicted_from_its_rating_and_says_so(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer Oy", "is_company": True})
        weak = self.env["res.partner"].create({"name": "Shaky Oy", "is_company": True})
        good_invoice = self.make_invoice(newcomer, date(2026, 6, 20), date(2026, 7, 20), 800)
        weak_invoice = self.make_invoice(weak, date(2026, 6, 20), date(2026, 7, 20), 800)  # rated after posting
        self.observe(newcomer, kind="rating", rating="5")
        self.observe(weak, kind="rating", rating="1", payment_defaults=2)
        self.env["account.move"]._dunning_refresh_predictions(self.company, TODAY)
        self.assertEqual((good_invoice.dunning_prediction_basis, good_invoice.dunning_prediction_fact),
                         ("facts", "rating"))
        self.assertEqual(good_invoice.dunning_predicted_date, date(2026, 7, 20), "the strongest class pays on time")
        self.assertLess(good_invoice.dunning_late_chance, 0.5)
        self.assertEqual(good_invoice.dunning_prediction_note,
                         "No invoice paid before: decided by its credit rating Excellent (AAA), which expects "
                         "payment 0 days after the due date.")
        self.assertEqual((weak_invoice.dunning_prediction_fact, weak_invoice.dunning_prediction_defaults),
                         ("payment_defaults", 2))
        self.assertGreater(weak_invoice.dunning_predicted_date, good_invoice.dunning_predicted_date)
        self.assertGreater(weak_invoice.dunning_expected_loss, good_invoice.dunning_expected_loss)
        self.assertIn("its 2 payment default(s) on record", weak_invoice.dunning_prediction_note)
        # partner_a's two settled invoices are a thin history: a rating now counts beside them.
        self.observe(self.partner_a, kind="rating", rating="1")
        self.env["account.move"]._dunning_refresh_predictions(self.company, TODAY)
        self.assertEqual(self.open_a.dunning_prediction_basis, "history_and_facts")
        self.assertGreater(self.open_a.dunning_predicted_date, date(2026, 7, 20), "later than its 10 days alone")
        self.assertIn("Only 2 invoice(s) paid before: with its credit rating Poor (C) counted in",
                      self.open_a.dunning_prediction_note)

    def test_a_paid_invoice_loses_its_prediction(self):
        self.pay(self.open_b, date(2026, 7, 1))
        self.env["account.move"]._dunning_refresh_predictions(self.company, date(2026, 7, 2))
        self.assertFalse(self.open_b.dunning_predicted_date)
        self.assertFalse(self.open_b.dunning_expected_loss)
        self.assertFalse(self.partner_b.with_company(self.company).dunning_expected_loss)

    def test_the_case_follows_its_invoices_and_customers_rank_by_risk(self):
        self.refresh_facts()
        self.env["dunning.case"]._sync_open_cases(self.company, TODAY)
        case = self.overdue_a.dunning_case_id
        self.assertTrue(case)
        self.assertEqual(case.expected_loss, sum(case.invoice_ids.mapped("dunning_expected_loss")))
        self.assertEqual(case.predicted_payment_date, max(case.invoice_ids.mapped("dunning_predicted_date")))
        self.assertTrue(case.prediction_note)
        partner_a = self.partner_a.with_company(self.company)
        self.assertAlmostEqual(partner_a.dunning_expected_loss,
                               (self.open_a | self.overdue_a).mapped("dunning_expected_loss")[0]
                               + (self.open_a | self.overdue_a).mapped("dunning_expected_loss")[1], places=2)
        ranked = self.env["res.partner"].with_company(self.company).search(
            [("id", "in", (self.partner_a | self.partner_b).ids)], order="dunning_expected_loss desc")
        self.assertEqual(ranked.ids, [self.partner_a.id, self.partner_b.id])

    def test_the_work_list_sorts_by_expected_loss_as_the_web_client_asks(self):
        self.refresh_facts()
        self.env["dunning.case"]._sync_open_cases(self.company, TODAY)
        result = self.env["dunning.case"].web_search_read(
            [("company_id", "=", self.company.id)], {"expected_loss": {}, "predicted_payment_date": {},
                                                     "prediction_note": {}}, order="expected_loss desc")
        self.assertTrue(result["records"])
        losses = [record["expected_loss"] for record in result["records"]]
        self.assertEqual(losses, sorted(losses, reverse=True))


# The customers' list opens with the "Overdue invoices" facet and the expected loss column.
OVERDUE_FACET = """
(async () => {
    const started = Date.now();
    while (!document.querySelector(".o_list_view th[data-name=dunning_expected_loss]")) {
        if (Date.now() - started > 30000) {
            throw new Error("timed out waiting for the expected loss column");
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const facets = [...document.querySelectorAll(".o_searchview_facet")].map((facet) => facet.textContent);
    if (!facets.some((text) => text.includes("Overdue invoices"))) {
        throw new Error("no Overdue invoices facet: " + facets.join(" | "));
    }
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestPredictionScreens(HttpCase):
    """The work list shows the prediction columns and "Customers with open invoices" opens on the overdue ones."""

    def test_work_list_and_customers_show_the_risk(self):
        self.browser_js("/odoo/action-customer_aware_dunning.action_dunning_worklist?view_type=list",
                        WAIT_FOR % ".o_list_view th[data-name=expected_loss]", ready="odoo.isReady",
                        login="admin", timeout=90)
        self.browser_js("/odoo/action-customer_aware_dunning.action_partner_open_receivables", OVERDUE_FACET,
                        ready="odoo.isReady", login="admin", timeout=90)
