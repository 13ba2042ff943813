from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestRunIsolationKinds(DunningCommon):
    """A failing customer's step costs the other kinds of decision of its batch nothing.

    One batch: six customers get their first email, two (50 days late) the final
    letter, which waits for a manager's approval; two emailed customers are
    poisoned by a trigger refusing their step (a real database error). When the
    batch fails, its approvals are asked once, apart from its steps, and only the
    steps are split in parts. Counted in the statements PostgreSQL receives.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emailed, cls.held = cls.env["res.partner"], cls.env["res.partner"]
        cls.emailed = cls.make_overdue_customers("Emailed customer", 6, DUE)
        # 50 days late: the final letter, which waits for a manager's approval
        cls.held = cls.make_overdue_customers("Held customer", 2, DUE - timedelta(days=45), 1500)
        cls.poisoned = cls.emailed[1] | cls.emailed[4]
        cls.poison_steps(cls.poisoned)

    def test_the_approvals_of_a_failing_batch_are_not_asked_again_in_every_half(self):
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            self.env["dunning.run"]._run_company(self.company, DAY_5, batch_size=10)
        approvals_asked = [line for line in logged.output
                           if 'query: INSERT INTO "dunning_case_event"' in line and "'approval_requested'" in line]
        # the batch's first try (rolled back), then its approvals apart, once; halving the batch as a whole asked
        # them again in the half that held the second poisoned customer, and again in that half's half
        self.assertEqual(len(approvals_asked), 2, "asked in the first try, then once apart from the steps")
        for case in self.cases_of(self.emailed | self.held):
            if case.partner_id in self.held:
                self.assertEqual(case.state, "waiting_approval", case.partner_id.name)
                self.assertFalse(case.needs_attention, case.partner_id.name)
            else:
                poisoned = case.partner_id in self.poisoned
                self.assertEqual(len(case.event_ids.filtered("step_key")), 0 if poisoned else 1, case.partner_id.name)
                self.assertEqual(case.needs_attention, poisoned, case.partner_id.name)
