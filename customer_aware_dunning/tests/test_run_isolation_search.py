from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)  # the first email
DAY_25 = DUE + timedelta(days=25)  # a To-Do for the collector: a step again, so a poisoned customer fails again
FEW, MANY = 4, 20


@tagged("post_install", "-at_install")
class TestRunIsolationSearch(DunningCommon):
    """What a failing customer costs the others of its batch, counted in the statements PostgreSQL receives.

    The poison is a real database error: a trigger refuses the step of the
    chosen customers. On the first day, the others of the batch are acted on
    together once the failing customer is found, not in a part of their own
    at each halving; on the next day, a flagged customer costs its batch the
    same few statements whatever the batch's size.
    """

    def test_the_others_of_a_failing_batch_are_acted_on_together(self):
        customers = self.make_overdue_customers("Searched customer", 16, DUE)
        self.poison_steps(customers[0])
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            self.env["dunning.run"]._run_company(self.company, DAY_5, batch_size=20)
        queued = [line for line in logged.output if 'query: INSERT INTO "mail_mail"' in line]
        # Halving acted on 8 + 4 + 2 + 1 customers, each part posting its emails apart: 4 times.
        self.assertEqual(len(queued), 1, "the emails of the 15 others are queued in one go")
        for case in self.cases_of(customers):
            poisoned = case.partner_id == customers[0]
            self.assertEqual(len(case.event_ids.filtered("step_key")), 0 if poisoned else 1, case.partner_id.name)
            self.assertEqual(len(self.customer_mails(case)), 0 if poisoned else 1, case.partner_id.name)
            self.assertEqual(case.needs_attention, poisoned, case.partner_id.name)

    def queries_of_the_next_day(self, count, poisoned):
        """The statements of the run on ``DAY_25`` for ``count`` customers (the second one ``poisoned`` or not),
        after the run on ``DAY_5``; both rolled back. Returns ``(statements, steps on DAY_25, flagged cases)``."""
        self.env.invalidate_all()
        with self.env.cr.savepoint() as savepoint:
            customers = self.make_overdue_customers(f"Next day {count} {poisoned} customer", count, DUE)
            if poisoned:
                self.poison_steps(customers[1])
            self.env["dunning.run"]._run_company(self.company, DAY_5)
            self.env.flush_all()
            self.env.invalidate_all()
            last_event = self.env["dunning.case.event"].search([], order="id desc", limit=1).id
            before = self.env.cr.sql_log_count
            self.env["dunning.run"]._run_company(self.company, DAY_25)
            self.env.flush_all()
            statements = self.env.cr.sql_log_count - before
            steps = self.env["dunning.case.event"].search_count([("id", ">", last_event), ("step_key", "!=", False)])
            flagged = self.env["dunning.case"].search_count([("partner_id", "in", customers.ids),
                                                             ("needs_attention", "=", True)])
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return statements, steps, flagged

    def test_a_flagged_customer_costs_its_batch_the_same_few_statements_whatever_its_size(self):
        self.queries_of_the_next_day(FEW, True)  # warm the registry's caches (templates, xml ids, access rules)
        clean_few, steps, _flagged = self.queries_of_the_next_day(FEW, False)
        self.assertEqual(steps, FEW)
        flagged_few, steps, flagged = self.queries_of_the_next_day(FEW, True)
        self.assertEqual((steps, flagged), (FEW - 1, 1), "the others followed up, the poisoned one still flagged")
        clean_many, steps, _flagged = self.queries_of_the_next_day(MANY, False)
        self.assertEqual(steps, MANY)
        flagged_many, steps, flagged = self.queries_of_the_next_day(MANY, True)
        self.assertEqual((steps, flagged), (MANY - 1, 1), "the others followed up, the poisoned one still flagged")
        overhead_few, overhead_many = flagged_few - clean_few, flagged_many - clean_many
        # Put back into its batch, the flagged customer would make the batch fail and be searched again: more
        # statements for a larger batch.
        self.assertEqual(overhead_many, overhead_few, f"a flagged customer's cost: {overhead_few} statements "
                                                      f"beside {FEW - 1} others, {overhead_many} beside {MANY - 1}")
        self.assertLess(overhead_few, clean_few, "less than the run of the batch itself")
