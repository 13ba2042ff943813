"""After a case: the satisfaction request (once, for the policy's outcomes) and repeat purchases, on explicit dates."""

from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import DunningCommon

OPENED = date(2026, 3, 1)
CLOSED = date(2026, 4, 1)


def after_close(days):
    return CLOSED + timedelta(days=days)


@tagged("post_install", "-at_install")
class TestSatisfaction(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.spec = cls.env["dunning.policy"]._active_spec(cls.company)
        cls.customer = cls.env["res.partner"].create({"name": "Bertta Oy", "is_company": True,
                                                      "email": "ap@bertta.example"})
        cls.quiet = cls.env["res.partner"].create({"name": "Quiet Oy", "is_company": True,
                                                   "email": "ap@quiet.example"})

    def closed_case(self, partner, outcome="paid", opened=OPENED, closed=CLOSED):
        case = self.env["dunning.case"].create({"partner_id": partner.id, "company_id": self.company.id,
                                                "opened_on": opened})
        case._close(outcome, closed, "Test.")
        return case

    def requests_of(self, case):
        return case.message_ids.filtered(lambda message: "/rate/" in (message.body or ""))

    def ask(self, today):
        return self.env["dunning.case"]._send_satisfaction_requests(self.company, self.spec, today)

    # ------------------------------------------------------------------ satisfaction

    def test_request_is_sent_after_the_delay_and_only_once(self):
        case = self.closed_case(self.customer)
        self.assertFalse(self.ask(after_close(1)), "the default policy waits two days")
        self.assertEqual(self.ask(after_close(2)), case)
        self.assertEqual(case.satisfaction_requested_on, after_close(2))
        request = self.requests_of(case)
        self.assertEqual(len(request), 1)
        self.assertIn(self.customer, request.partner_ids)
        token = case.rating_ids.access_token
        self.assertIn(f"/rate/{token}/5", request.body)
        self.assertTrue(case.event_ids.filtered(lambda event: event.kind == "satisfaction_requested"))
        self.assertFalse(self.ask(after_close(3)))
        self.assertEqual(len(self.requests_of(case)), 1)

    def test_no_request_for_written_off_or_handed_over(self):
        written_off = self.closed_case(self.customer, "written_off")
        handed_over = self.closed_case(self.quiet, "handed_over")
        self.assertFalse(self.ask(after_close(2)))
        self.assertFalse(self.requests_of(written_off) | self.requests_of(handed_over))
        self.assertFalse(written_off.satisfaction_requested_on)

    def test_no_request_for_cases_closed_long_ago(self):
        case = self.closed_case(self.customer)
        self.assertFalse(self.ask(after_close(30)), "a late question would puzzle the customer")
        self.assertFalse(self.requests_of(case))

    def test_daily_run_asks_and_measures(self):
        case = self.closed_case(self.customer)
        self.env["dunning.run"]._run_company(self.company, after_close(2))
        self.assertEqual(case.satisfaction_requested_on, after_close(2))
        self.assertEqual(case.repurchase_measured_on, after_close(2))

    # ------------------------------------------------------------------ repeat purchases

    def order(self, partner, when, amount):
        order = self.env["sale.order"].sudo().create({
            "partner_id": partner.id,
            "company_id": self.company.id,
            "order_line": [(0, 0, {"product_id": self.product_a.id, "price_unit": amount, "tax_ids": []})],
        })
        order.action_confirm()
        order.date_order = datetime.combine(when, datetime.min.time()) + timedelta(hours=12)
        return order

    def test_repurchases_before_and_after_on_a_constructed_history(self):
        self.make_invoice(self.customer, OPENED - timedelta(days=30), OPENED, 500)   # before
        self.make_invoice(self.customer, OPENED - timedelta(days=200), OPENED, 999)  # too early
        self.make_invoice(self.customer, OPENED + timedelta(days=5), CLOSED, 111)    # during the case
        self.make_invoice(self.customer, after_close(10), after_close(40), 800)      # after
        self.make_invoice(self.customer, after_close(20), after_close(20), 100, move_type="out_refund")
        self.make_invoice(self.customer, after_close(100), after_close(130), 5000)   # after the window
        self.order(self.customer, after_close(5), 300)
        self.order(self.customer, OPENED - timedelta(days=10), 250)
        cancelled = self.order(self.customer, after_close(6), 9000)
        cancelled._action_cancel()
        case = self.closed_case(self.customer)
        quiet = self.closed_case(self.quiet)

        self.env["dunning.case"]._measure_repurchases(self.company, self.spec, after_close(30))
        self.assertRecordValues(case, [{
            "repurchase_invoiced": 700, "before_invoiced": 500, "repurchase_ordered": 300, "before_ordered": 250,
            "repurchase_measured_on": after_close(30), "customer_lost": False,
        }])
        self.assertFalse(quiet.customer_lost, "the window is not over yet")

        self.env["dunning.case"]._measure_repurchases(self.company, self.spec, after_close(91))
        self.assertTrue(quiet.customer_lost)
        self.assertFalse(case.customer_lost)
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.dunning_last_closed_case_id, case)
        self.assertEqual((customer.dunning_repurchase_invoiced, customer.dunning_repurchase_ordered), (700, 300))
        self.assertTrue(self.quiet.with_company(self.company).dunning_customer_lost)

        # A window over and measured after its end is final: later runs leave it alone.
        self.make_invoice(self.customer, after_close(50), after_close(80), 1)
        self.env["dunning.case"]._measure_repurchases(self.company, self.spec, after_close(120))
        self.assertEqual(case.repurchase_invoiced, 700)
        self.assertEqual(case.repurchase_measured_on, after_close(91))
