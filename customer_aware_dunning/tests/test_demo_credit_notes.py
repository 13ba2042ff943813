from datetime import date

from odoo.tests import tagged

from ..demo.credit_notes import DEMO_CREDIT_CUSTOMERS, create_credit_note_demo
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDemoCreditNotes(DunningCommon):
    """The demo's customers with credit notes, as a finance user finds them after the run: one held with the
    reason and an activity to apply the credit, one reminded of the net amount with the credit listed.

    The test database has no demo data, so the demo's builder runs here on the test company.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.today = date.today()
        cls.covered, cls.partly = create_credit_note_demo(cls.env, cls.company, cls.today, "demo")
        cls.demo_moves = cls.env["account.move"].search([("partner_id", "in", (cls.covered | cls.partly).ids)])
        cls.env["dunning.run"]._run_company(cls.company, cls.today)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)])

    def reminders(self, partner):
        return self.case_of(partner).message_ids.filtered(lambda message: partner in message.partner_ids)

    def test_each_demo_customer_has_an_overdue_invoice_and_an_open_credit_note(self):
        self.assertEqual([partner.name for partner in self.covered | self.partly],
                         [row[0] for row in DEMO_CREDIT_CUSTOMERS])
        for partner in self.covered | self.partly:
            moves = self.demo_moves.filtered(lambda move, partner=partner: move.partner_id == partner)
            self.assertEqual(sorted(moves.mapped("move_type")), ["out_invoice", "out_refund"])
            self.assertEqual(set(moves.mapped("payment_state")), {"not_paid"}, "the credit is not applied yet")

    def test_the_covered_customer_got_no_reminder_and_the_case_says_why(self):
        case = self.case_of(self.covered)
        self.assertFalse(self.reminders(self.covered))
        self.assertEqual(case.state, "paused")
        money = case.company_id.currency_id.format(1850)  # the reason reads the amounts as money
        self.assertIn(f"open credits of {money} cover the overdue {money}", case.pause_reason)
        self.assertEqual(len(case.activity_ids.filtered(lambda a: a.summary.startswith("Apply the credit"))), 1)

    def test_the_partly_covered_customer_is_asked_for_the_net_amount(self):
        reminder = self.reminders(self.partly)
        self.assertEqual(len(reminder), 1)
        body = reminder.body.replace("&nbsp;", "\xa0")
        self.assertIn(f"Net amount to pay: {self.company.currency_id.format(1500)}", body)
