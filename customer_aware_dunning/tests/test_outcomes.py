"""Outcomes that mean something: a case closed with an arrangement keeps its invoices out of new cases."""

from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestOutcomes(DunningCommon):
    """The default policy sends a gentle reminder on day 5 and a second one on day 15."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example",
        })

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def cases(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], order="id")

    def customer_messages(self):
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "in", self.cases().ids),
            ("message_type", "=", "comment"), ("partner_ids", "in", self.customer.ids),
        ])

    def close_after_first_reminder(self, outcome):
        invoice = self.make_invoice(self.customer, day(-30), DUE, 900)
        self.run_on(day(5))
        case = self.cases()
        self.assertEqual(len(self.customer_messages()), 1, "the gentle reminder went out")
        case.with_user(self.collections_manager).action_close(outcome, note="Agreed by phone")
        self.assertEqual(case.state, "closed")
        return case, invoice

    def assert_quiet_after(self, case):
        """The next runs (the next day and when the second reminder would be due) open nothing and send nothing."""
        mails = self.env["mail.mail"].search_count([])
        self.run_on(day(6))
        self.run_on(day(15))
        self.assertEqual(self.cases(), case, "no new case for the invoices of the closed case")
        self.assertEqual(len(self.customer_messages()), 1, "no reminder after the case closed")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)

    def test_case_closed_as_payment_plan_is_not_reopened_the_next_day(self):
        case, invoice = self.close_after_first_reminder("payment_plan")
        self.assertEqual(invoice.amount_residual, 900, "the plan's invoices are still to be paid")
        self.assertEqual(invoice.dunning_case_id, case)
        self.assertTrue(invoice.dunning_held_by_outcome)
        self.assert_quiet_after(case)

    def test_case_handed_over_is_not_reopened(self):
        case, _invoice = self.close_after_first_reminder("handed_over")
        self.assert_quiet_after(case)

    def test_case_written_off_is_never_reopened(self):
        case, _invoice = self.close_after_first_reminder("written_off")
        self.assert_quiet_after(case)
        self.run_on(day(120))
        self.assertEqual(self.cases(), case)

    def test_case_closed_as_paid_by_hand_opens_again_while_the_invoice_is_unpaid(self):
        _case, invoice = self.close_after_first_reminder("paid")
        self.assertFalse(invoice.dunning_held_by_outcome)
        self.run_on(day(6))
        self.assertEqual(len(self.cases()), 2, "'paid' keeps nothing out: the invoice is still owed")
        self.assertEqual(invoice.dunning_case_id, self.cases()[-1])

    def test_a_new_invoice_of_the_customer_gets_its_own_case(self):
        case, held = self.close_after_first_reminder("payment_plan")
        later = self.make_invoice(self.customer, day(-10), day(20), 400)
        self.run_on(day(25))
        new_case = self.cases() - case
        self.assertEqual(len(new_case), 1)
        self.assertEqual(new_case.invoice_ids, later, "the plan's invoice stays with the plan's case")
        self.assertEqual(held.dunning_case_id, case)
        self.assertEqual(new_case.amount_at_open, 400)
        self.run_on(day(26))
        reminder = self.customer_messages().filtered(lambda message: message.res_id == new_case.id)
        self.assertEqual(len(reminder), 1)
        self.assertIn(later.name, reminder.body)
        self.assertNotIn(held.name, reminder.body, "the reminder is about the new invoice only")

    def test_dry_run_leaves_the_held_invoices_out(self):
        self.close_after_first_reminder("handed_over")
        spec = self.env["dunning.policy"]._active_spec(self.company)
        simulations = self.env["dunning.run"]._simulate(self.company, spec, day(15), partners=self.customer)
        self.assertEqual([simulation.decision.kind for simulation in simulations], ["nothing"])

    def test_satisfaction_survey_waits_for_the_plan_to_be_paid(self):
        case, invoice = self.close_after_first_reminder("payment_plan")
        self.run_on(day(7))
        self.assertFalse(case.satisfaction_requested_on, "the plan is not done: 'how did we do?' waits")
        self.pay(invoice, day(40))
        self.run_on(day(40))
        self.assertEqual(case.plan_paid_on, day(40))
        self.assertIn("plan_paid", case.event_ids.mapped("kind"))
        self.run_on(day(41))
        self.assertFalse(case.satisfaction_requested_on, "two days after the last payment")
        self.run_on(day(42))
        self.assertEqual(case.satisfaction_requested_on, day(42))
