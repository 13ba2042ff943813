from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
FEW, MANY = 10, 100


@tagged("post_install", "-at_install")
class TestRunQueryCount(DunningCommon):
    """The daily run's SQL queries do not grow with the number of customers in a batch.

    The same kind of work for 10 and for 100 customers (each one invoice, due the
    same day, the same segment, the same step): the whole run (facts, segments,
    cases opened, decisions, steps recorded and sent, chatter lines) issues the
    same number of queries, so a batch of 200 costs what a batch of 20 does,
    emails included: they are posted and queued per batch
    (``dunning.channel._post_emails``), not one ``message_post`` each.
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
