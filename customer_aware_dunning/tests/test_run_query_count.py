from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
FEW, MANY = 10, 100
# What a steady batch (every customer waits) costs in queries beyond the run's own: 29 when each batch read the
# flagged customers and the active policy's rating validity again (the run reads them once now).
STEADY_BATCH_QUERIES = 27


@tagged("post_install", "-at_install")
class TestRunQueryCount(DunningCommon):
    """The daily run's SQL queries do not grow with the number of customers in a batch.

    The same kind of work for 10 and for 100 customers (each one invoice, due the
    same day, the same segment, the same step): the whole run (facts, segments,
    cases opened, decisions, steps recorded and sent, chatter lines) issues the
    same number of queries, so a batch of 200 costs what a batch of 20 does,
    emails included: they are posted and queued per batch
    (``dunning.channel._post_emails``), not one ``message_post`` each.
    Kinds covered: emails, To-Dos, approvals, holds (a dispute pauses the case), a
    steady day after a run (nothing due: every customer waits), cases closed when
    the invoices leave the follow-up.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customers = cls.env["res.partner"].create([
            {"name": f"Query count customer {index:03d}", "is_company": True,
             "email": f"ap{index}@count.example", "user_id": cls.collections_user.id}
            for index in range(MANY)
        ])
        # Drafts: each test posts the ones it needs (posting is not what is measured).
        cls.invoices = cls.env["account.move"].create([
            {
                "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": DUE - timedelta(days=30),
                "invoice_date_due": DUE, "invoice_payment_term_id": False,
                "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": 1500.0,
                                                     "tax_ids": []})],
            }
            for partner in cls.customers
        ])

    def queries_of_the_run(self, today):
        """The queries of one run of the company (flushed), rolled back afterwards."""
        self.env.invalidate_all()
        with self.env.cr.savepoint() as savepoint:
            before = self.env.cr.sql_log_count
            self.env["dunning.run"]._run_company(self.company, today)
            self.env.flush_all()
            count = self.env.cr.sql_log_count - before
            steps = self.env["dunning.case.event"].search_count([("kind", "in", ("step", "approval_requested"))])
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return count, steps

    def queries_for_few_and_many(self, today, channel):
        self.invoices[:FEW].action_post()
        self.queries_of_the_run(today)  # warm the registry's caches (templates, xml ids, access rules)
        few, few_steps = self.queries_of_the_run(today)
        self.invoices[FEW:].action_post()
        many, many_steps = self.queries_of_the_run(today)
        self.assertEqual((few_steps, many_steps), (FEW, MANY), f"every customer gets its {channel} step")
        return few, many

    def assert_constant(self, today, channel):
        few, many = self.queries_for_few_and_many(today, channel)
        self.assertEqual(many, few, f"queries of a run with {channel} steps: {few} for {FEW} customers, "
                                    f"{many} for {MANY}")

    def test_queries_of_a_run_sending_emails_do_not_grow_with_customers(self):
        self.assert_constant(DUE + timedelta(days=5), "email")

    def test_queries_of_a_run_giving_to_dos_do_not_grow_with_customers(self):
        self.assert_constant(DUE + timedelta(days=25), "activity")

    def test_queries_of_a_run_asking_approvals_do_not_grow_with_customers(self):
        self.assert_constant(DUE + timedelta(days=50), "approval")

    def queries_of_the_day_after(self, first_day, second_day, between=None):
        """The queries of the run on ``second_day``, after the run on ``first_day`` (and ``between``,
        called with the posted invoices); both rolled back. Returns ``(queries, events of the second run)``."""
        self.env.invalidate_all()
        with self.env.cr.savepoint() as savepoint:
            self.env["dunning.run"]._run_company(self.company, first_day)
            if between:
                between(self.invoices.filtered(lambda move: move.state == "posted"))
            self.env.flush_all()
            self.env.invalidate_all()
            last_event = self.env["dunning.case.event"].search([], order="id desc", limit=1).id
            before = self.env.cr.sql_log_count
            self.env["dunning.run"]._run_company(self.company, second_day)
            self.env.flush_all()
            count = self.env.cr.sql_log_count - before
            events = self.env["dunning.case.event"].search([("id", ">", last_event)])
            kinds = dict.fromkeys(events.mapped("kind"), 0)
            for event in events:
                kinds[event.kind] += 1
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return count, kinds

    def assert_day_after_constant(self, first_day, second_day, between, expected_kinds):
        """Run the two days for ``FEW`` then for ``MANY`` customers; the second day's queries must be equal."""
        self.invoices[:FEW].action_post()
        self.queries_of_the_day_after(first_day, second_day, between)  # warm the registry's caches
        few, few_kinds = self.queries_of_the_day_after(first_day, second_day, between)
        self.invoices[FEW:].action_post()
        many, many_kinds = self.queries_of_the_day_after(first_day, second_day, between)
        self.assertEqual(few_kinds, dict.fromkeys(expected_kinds, FEW))
        self.assertEqual(many_kinds, dict.fromkeys(expected_kinds, MANY))
        self.assertEqual(many, few, f"queries of the second day: {few} for {FEW} customers, {many} for {MANY}")

    def test_queries_of_a_run_holding_disputed_cases_do_not_grow_with_customers(self):
        dispute = self.env.ref("customer_aware_dunning.delay_reason_dispute")

        def disputed(invoices):
            invoices.write({"dunning_delay_reason_id": dispute.id})

        # the day before the first step: cases open; then every customer disputes, and the run pauses them
        self.assert_day_after_constant(DUE + timedelta(days=2), DUE + timedelta(days=3), disputed, ["paused"])

    def test_queries_of_a_steady_day_do_not_grow_with_customers(self):
        # the day after the To-Dos (25 days late): nothing is due, every customer waits
        self.assert_day_after_constant(DUE + timedelta(days=25), DUE + timedelta(days=26), None, [])

    def test_queries_of_a_run_closing_cases_do_not_grow_with_customers(self):
        def excluded(invoices):
            invoices.write({"dunning_excluded": True, "dunning_exclusion_reason": "Settled outside the ledger"})

        self.assert_day_after_constant(DUE + timedelta(days=2), DUE + timedelta(days=3), excluded, ["closed"])

    def queries_of_a_steady_day_in_batches(self, batch_size):
        """The queries of the steady day after the To-Dos (nothing due: every customer waits), in batches of
        ``batch_size``; both runs rolled back."""
        first, second = DUE + timedelta(days=25), DUE + timedelta(days=26)
        self.env.invalidate_all()
        with self.env.cr.savepoint() as savepoint:
            self.env["dunning.run"]._run_company(self.company, first)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["dunning.run"]._run_company(self.company, second, batch_size=batch_size)
            self.env.flush_all()
            count = self.env.cr.sql_log_count - before
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return count

    def test_a_steady_batch_costs_a_few_queries(self):
        # the same customers in one batch and in five: what each batch more costs is the batch's fixed cost
        self.invoices[:FEW].action_post()
        self.queries_of_a_steady_day_in_batches(FEW)  # warm the registry's caches
        one = self.queries_of_a_steady_day_in_batches(FEW)
        five = self.queries_of_a_steady_day_in_batches(FEW // 5)
        per_batch = (five - one) / 4
        self.assertLessEqual(per_batch, STEADY_BATCH_QUERIES,
                             f"a steady batch costs {per_batch} queries ({one} in one batch, {five} in five)")
