from datetime import date

from odoo.tests import tagged
from odoo.tools import SQL

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestPartnerFacts(DunningCommon):
    """Facts computed in SQL against a history checked by hand (today = 2026-06-30)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.partner_a
        # Paid 11 days early: on time.
        cls.early = cls.make_invoice(cls.customer, date(2026, 1, 1), date(2026, 1, 31), 1000)
        cls.pay(cls.early, date(2026, 1, 20))
        # Paid 10 days late.
        cls.late = cls.make_invoice(cls.customer, date(2026, 2, 1), date(2026, 3, 3), 2000)
        cls.pay(cls.late, date(2026, 3, 13))
        # Partly paid, 300 still open, due 60 days ago: late until today.
        cls.partial = cls.make_invoice(cls.customer, date(2026, 4, 1), date(2026, 5, 1), 500)
        cls.pay(cls.partial, date(2026, 5, 10), amount=200)
        # A credit note nobody allocated: lowers revenue and the open balance.
        cls.refund = cls.make_invoice(cls.customer, date(2026, 4, 15), date(2026, 4, 15), 100, move_type="out_refund")
        # Not yet due: counts in revenue and balance, not in punctuality.
        cls.not_due = cls.make_invoice(cls.customer, date(2026, 6, 20), date(2026, 7, 20), 800)
        # Three years ago: lifetime and "customer since", outside both windows.
        cls.old = cls.make_invoice(cls.customer, date(2023, 6, 1), date(2023, 7, 1), 300)
        cls.pay(cls.old, date(2023, 7, 1))
        # A draft invoice counts for nothing.
        cls._create_invoice(partner_id=cls.customer, invoice_date=date(2026, 6, 1), post=False)

    def test_revenue_and_customer_since(self):
        self.refresh_facts()
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.lifetime_revenue, 1000 + 2000 + 500 + 800 + 300 - 100)
        self.assertEqual(facts.revenue_12m, 1000 + 2000 + 500 + 800 - 100)
        self.assertEqual(facts.customer_since, date(2023, 6, 1))
        self.assertEqual(facts.computed_on, TODAY)

    def test_punctuality_over_24_months(self):
        self.refresh_facts()
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.invoices_due_24m, 3)
        self.assertAlmostEqual(facts.on_time_ratio, 1 / 3, places=4)
        self.assertAlmostEqual(facts.avg_days_late, (0 + 10 + 60) / 3, places=1)

    def test_balances(self):
        self.refresh_facts()
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.open_balance, 300 + 800 - 100)
        self.assertEqual(facts.overdue_balance, 300)
        self.assertEqual(facts.oldest_overdue_days, 60)

    def test_credit_limit_use(self):
        self.customer.with_company(self.company).credit_limit = 2000
        self.make_invoice(self.partner_b, date(2026, 6, 1), date(2026, 7, 1), 100)
        self.refresh_facts()
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.credit_limit, 2000)
        self.assertAlmostEqual(facts.credit_limit_use, 0.5)
        self.assertIsNone(self.facts_of(self.partner_b)._as_policy_facts()["credit_limit_use"])

    def test_facts_in_company_currency_for_foreign_currency_invoices(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        invoice = self.make_invoice(self.partner_b, date(2026, 5, 1), date(2026, 5, 31), 1000, currency_id=eur.id)
        self.assertEqual(invoice.currency_id, eur)
        self.refresh_facts()
        facts = self.facts_of(self.partner_b)
        self.assertEqual(facts.lifetime_revenue, 500)
        self.assertEqual(facts.overdue_balance, 500)
        self.assertEqual(facts.oldest_overdue_days, 30)

    def test_each_company_has_its_own_facts(self):
        other = self.setup_other_company(name="Nordic Branch")["company"]
        self.make_invoice(
            self.customer,
            date(2026, 5, 1),
            date(2026, 5, 31),
            700,
            company_id=other.id,
            journal_id=self.env["account.journal"]
            .search([("company_id", "=", other.id), ("type", "=", "sale")], limit=1)
            .id,
        )
        self.refresh_facts()
        self.refresh_facts(company=other)
        self.assertEqual(self.facts_of(self.customer).overdue_balance, 300)
        self.assertEqual(self.facts_of(self.customer, other).overdue_balance, 700)
        self.assertEqual(self.facts_of(self.customer, other).lifetime_revenue, 700)

    def test_refresh_is_one_statement_for_all_customers(self):
        for index in range(20):
            partner = self.env["res.partner"].create({"name": f"Customer {index}"})
            self.make_invoice(partner, date(2026, 5, 1), date(2026, 5, 31), 100 + index)
        self.env.flush_all()
        with self.assertQueryCount(2):  # flush-free: the upsert, and nothing per customer
            self.refresh_facts()
        self.assertEqual(self.env["dunning.partner.facts"].search_count([("company_id", "=", self.company.id)]), 21)

    def test_facts_of_a_customer_who_is_no_longer_one_are_removed(self):
        invoice = self.make_invoice(self.partner_b, date(2026, 5, 1), date(2026, 5, 31), 400)
        self.refresh_facts()
        self.assertEqual(self.facts_of(self.partner_b).overdue_balance, 400)
        invoice.button_draft()
        invoice.button_cancel()
        self.refresh_facts()
        self.assertFalse(self.facts_of(self.partner_b))
        self.assertTrue(self.facts_of(self.customer))

    def test_satisfaction_is_empty_until_rated_then_latest_and_average(self):
        self.refresh_facts()
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.satisfaction_count, 0)
        self.assertIsNone(facts._as_policy_facts()["last_satisfaction"])
        cases = self.env["dunning.case"].create(
            [
                {"partner_id": self.customer.id, "company_id": self.company.id, "state": "closed"},
                {"partner_id": self.customer.id, "company_id": self.company.id, "state": "closed"},
            ]
        )
        for case, score in zip(cases, (5, 2), strict=True):
            case.rating_apply(score, token=case._rating_get_access_token(), feedback="Thanks")
        self.refresh_facts()
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.satisfaction_count, 2)
        self.assertEqual(facts.last_satisfaction, 2)
        self.assertEqual(facts.avg_satisfaction, 3.5)
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.dunning_last_satisfaction, 2)
        self.assertEqual(partner.dunning_avg_satisfaction, 3.5)

    def test_partner_shows_the_facts_of_the_current_company(self):
        self.refresh_facts()
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.dunning_overdue_balance, 300)
        self.assertEqual(partner.dunning_facts_date, TODAY)
        self.assertIn(self.customer, self.env["res.partner"].search([("dunning_facts_id.overdue_balance", ">", 0)]))

    # ------------------------------------------------------------------ credit notes and currencies

    def receivable_lines(self, moves):
        return moves.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def test_invoice_cancelled_by_its_credit_note_counts_neither_as_revenue_nor_as_late(self):
        invoice = self.make_invoice(self.partner_b, date(2026, 3, 1), date(2026, 3, 31), 1000)
        refund = self._reverse_invoice(invoice, post=True, date=date(2026, 4, 20))
        if invoice.payment_state != "reversed":
            self.receivable_lines(invoice | refund).reconcile()
        self.assertEqual(invoice.payment_state, "reversed")
        self.refresh_facts()
        facts = self.facts_of(self.partner_b)
        self.assertEqual(facts.lifetime_revenue, 0)
        self.assertEqual(facts.invoices_due_24m, 0)
        self.assertEqual((facts.open_balance, facts.overdue_balance), (0, 0))
        self.assertIsNone(facts._as_policy_facts()["on_time_ratio"], "no invoice to judge punctuality by")

    def test_partial_credit_note_then_late_payment_settles_on_the_payment_day(self):
        invoice = self.make_invoice(self.partner_b, date(2026, 3, 1), date(2026, 3, 31), 1000)
        refund = self.make_invoice(self.partner_b, date(2026, 3, 10), date(2026, 3, 10), 200, move_type="out_refund")
        self.receivable_lines(invoice | refund).reconcile()
        self.assertEqual(invoice.amount_residual, 800)
        self.pay(invoice, date(2026, 4, 10))
        self.refresh_facts()
        facts = self.facts_of(self.partner_b)
        self.assertEqual(facts.lifetime_revenue, 800)
        self.assertEqual(facts.invoices_due_24m, 1)
        self.assertEqual(facts.on_time_ratio, 0)
        self.assertAlmostEqual(facts.avg_days_late, 10, places=1)
        self.assertEqual((facts.open_balance, facts.overdue_balance), (0, 0))

    def test_foreign_currency_invoice_paid_late_at_another_rate(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0), ("2026-05-15", 2.5)])
        invoice = self.make_invoice(self.partner_b, date(2026, 4, 1), date(2026, 5, 1), 1000, currency_id=eur.id)
        self.pay(invoice, date(2026, 6, 1), amount=1000)
        self.assertEqual(invoice.payment_state, "paid")
        self.refresh_facts()
        facts = self.facts_of(self.partner_b)
        self.assertEqual(facts.lifetime_revenue, 500, "revenue at the invoice's rate, in company currency")
        self.assertEqual((facts.open_balance, facts.overdue_balance), (0, 0), "the exchange difference is settled too")
        self.assertEqual(facts.on_time_ratio, 0)
        self.assertAlmostEqual(facts.avg_days_late, 31, places=1)

    def test_early_payment_of_an_invoice_not_yet_due_is_not_judged_yet(self):
        invoice = self.make_invoice(self.partner_b, date(2026, 6, 15), date(2026, 7, 15), 400)
        self.pay(invoice, date(2026, 6, 25))
        self.refresh_facts()
        facts = self.facts_of(self.partner_b)
        self.assertEqual(facts.invoices_due_24m, 0)
        self.assertEqual(facts.revenue_12m, 400)
        self.assertEqual(facts.customer_since, date(2026, 6, 15))

    def test_the_facts_statement_runs_without_jit_and_leaves_the_setting_as_it_was(self):
        """With JIT on (PostgreSQL's default), compiling the facts statement took seconds (its estimate is far
        above the JIT thresholds) for a statement that runs in a fraction of that: it runs without it."""
        self.env.cr.execute(SQL("""
            CREATE TEMP TABLE facts_jit_seen (jit text);
            CREATE FUNCTION pg_temp.facts_jit_seen() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO facts_jit_seen VALUES (current_setting('jit')); RETURN NULL; END $$;
            CREATE TRIGGER facts_jit_seen AFTER INSERT OR UPDATE ON dunning_partner_facts
                FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.facts_jit_seen();
            SET LOCAL jit = on"""))
        self.refresh_facts()
        seen = self.env.execute_query(SQL("SELECT jit FROM facts_jit_seen"))
        self.assertEqual({jit for jit, in seen}, {"off"}, "the facts statement ran without JIT")
        self.assertEqual(self.env.execute_query(SQL("SHOW jit")), [("on",)], "the setting is put back after it")
        self.assertEqual(self.facts_of(self.customer).open_balance, 300 - 100 + 800)
