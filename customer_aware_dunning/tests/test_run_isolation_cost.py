import re
from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)
# The run's read of a batch's open invoices (dunning.run._case_inputs), as PostgreSQL receives it.
INPUTS_READ = re.compile(r'query: SELECT "account_move"\."id", "account_move"\."commercial_partner_id", '
                         r'"account_move"\."invoice_date_due"')


@tagged("post_install", "-at_install")
class TestRunIsolationCost(DunningCommon):
    """What a failing customer costs its batch, counted in the statements PostgreSQL receives.

    Two customers of six are poisoned by a trigger that refuses their step (a
    real database error). The batch is read once, and a failure rolls back only
    the acting; on the next day the two flagged customers are read together,
    after the batch, each acted on alone, and the batch goes through at its
    first try.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.make_overdue_customers("Costly customer", 6, DUE)
        cls.poisoned = cls.customers[1] | cls.customers[4]
        cls.poison_steps(cls.poisoned)

    def run_day(self, day, batch_size=10):
        """The day's run (one batch for the six); ``(reads of the batches' inputs, savepoints rolled back)``."""
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            self.env["dunning.run"]._run_company(self.company, day, batch_size=batch_size)
        return (sum(1 for line in logged.output if INPUTS_READ.search(line)),
                sum(1 for line in logged.output if "query: ROLLBACK TO SAVEPOINT" in line))

    def steps_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)]).event_ids.filtered("step_key")

    def test_a_failing_customer_is_read_once_and_flagged_ones_never_hold_their_batch_back(self):
        reads, rolled_back = self.run_day(DAY_5)
        self.assertEqual(reads, 1, "the batch's inputs are read and decided once, whatever fails when acting")
        # Customers 0 to 5, 1 and 4 poisoned: acting on all 6 fails, on 0-3, 0-2, 0-1 (each fails, the rest waits
        # untried), 0 goes through, 1 alone fails; what waited (4, 5, 3, 2) fails, then 4-5-3 and 4-5, and 4 alone;
        # 2, 3 and 5 go through together. 9 rolled back, 2 parts through (halving: 7 rolled back, 4 through).
        self.assertEqual(rolled_back, 9, "only the parts holding a poisoned customer are rolled back")
        for partner in self.customers:
            self.assertEqual(len(self.steps_of(partner)), 0 if partner in self.poisoned else 1, partner.name)
        flagged = self.env["dunning.case"].search([("partner_id", "in", self.customers.ids),
                                                   ("needs_attention", "=", True)])
        self.assertEqual(flagged.partner_id, self.poisoned)

        # Next day: the batch goes through at its first try; the two flagged customers are read together
        # after it, and each is acted on alone (its own rolled-back savepoint).
        reads, rolled_back = self.run_day(DAY_5 + timedelta(days=1))
        self.assertEqual(reads, 2, "the batch once, the flagged customers once together")
        self.assertEqual(rolled_back, 2, "the batch was not redone: only each flagged customer's own attempt")
        self.assertEqual(len(flagged.event_ids.filtered(lambda event: event.kind == "run_failed")), 2,
                         "told once each, on the first day")

        # One customer's cause is fixed: it is followed up again and its flag cleared; the other stays flagged.
        self.poison_steps(self.customers[4])
        self.run_day(DAY_5 + timedelta(days=2))
        fixed, still = self.customers[1], self.customers[4]
        self.assertEqual(len(self.steps_of(fixed)), 1, "followed up again once its data is fixed")
        self.assertEqual(flagged.filtered("needs_attention").partner_id, still)
        self.assertEqual(len(self.steps_of(still)), 0)

    def test_the_flagged_customers_of_every_batch_go_last_together(self):
        self.run_day(DAY_5)
        # Batches of 2: the four others in two batches, the two flagged ones (of two batches before) together.
        reads, rolled_back = self.run_day(DAY_5 + timedelta(days=1), batch_size=2)
        self.assertEqual(reads, 3, "two batches of the others, one of the flagged customers")
        self.assertEqual(rolled_back, 2, "each flagged customer's own attempt only")
