from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestOpenCredits(DunningCommon):
    """Never demand what is not owed: credit notes and unallocated payments count against overdue invoices.

    The default policy holds a case while its customer's open credits cover the
    overdue amount and asks finance, once, to apply the credit; when they cover
    part of it the reminder says the net amount and lists them.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Kuusi Oy", "is_company": True, "email": "ap@kuusi.example", "user_id": cls.collections_user.id,
        })
        cls.customer.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)], order="id desc", limit=1)

    def demands(self):
        cases = self.env["dunning.case"].search([("partner_id", "=", self.customer.id)])
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "in", cases.ids), ("message_type", "=", "comment"),
            ("partner_ids", "in", self.customer.ids),
        ])

    def credit_activities(self, case):
        return case.activity_ids.filtered(lambda activity: activity.summary.startswith("Apply the credit"))

    def unallocated_payment(self, amount, when):
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": amount, "date": when, "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        return payment

    def test_a_credit_note_covering_the_overdue_invoice_holds_the_case_and_asks_finance_once(self):
        self.make_invoice(self.customer, day(-30), DUE, 100)
        self.make_invoice(self.customer, day(-10), day(-10), 100, move_type="out_refund")
        self.run_on(day(5))
        self.refresh_facts(today=day(5))
        facts = self.facts_of(self.customer)
        self.assertEqual((facts.overdue_balance, facts.open_credits, facts.net_overdue), (100, 100, 0))
        case = self.case_of(self.customer)
        self.assertFalse(self.demands(), "no demand while the credit note covers the invoice")
        self.assertEqual(case.state, "paused")
        amount = self.company.currency_id.format(100)
        self.assertIn(f"open credits of {amount} cover the overdue {amount}", case.pause_reason, "money, not numbers")
        self.assertEqual(len(self.credit_activities(case)), 1)
        self.run_on(day(6))
        self.run_on(day(15))
        self.assertFalse(self.demands())
        self.assertEqual(len(self.credit_activities(case)), 1, "asked once, not every day")

    def test_a_credit_note_covering_part_of_it_is_listed_with_the_net_amount(self):
        self.make_invoice(self.customer, day(-30), DUE, 100)
        refund = self.make_invoice(self.customer, day(-10), day(-10), 60, move_type="out_refund")
        self.run_on(day(5))
        message = self.demands()
        self.assertEqual(len(message), 1)
        self.assertIn(refund.name, message.body)
        body = message.body.replace("&nbsp;", "\xa0")
        case = self.case_of(self.customer)
        self.assertIn(f"Net amount to pay: {case._format_amount(40)}", body)
        self.assertIn(f"We also hold a credit of <strong>{case._format_amount(60)}</strong>", body)

    def test_an_unreconciled_payment_behaves_like_a_credit(self):
        self.make_invoice(self.customer, day(-30), DUE, 100)
        payment = self.unallocated_payment(120, day(2))
        self.assertTrue(payment.move_id, "the payment is booked against the customer's receivable")
        self.run_on(day(5))
        case = self.case_of(self.customer)
        self.assertFalse(self.demands())
        self.assertEqual(case.state, "paused")
        self.assertEqual(len(self.credit_activities(case)), 1)
        self.assertIn(f"open credits of {self.company.currency_id.format(120)}", case.pause_reason)

    def test_open_credits_are_a_fact_of_the_dry_run(self):
        self.make_invoice(self.customer, day(-30), DUE, 100)
        self.make_invoice(self.customer, day(-10), day(-10), 30, move_type="out_refund")
        self.refresh_facts(today=day(5))
        facts = self.facts_of(self.customer)._as_policy_facts()
        self.assertEqual((facts["open_credits"], facts["net_overdue"]), (30, 70))
