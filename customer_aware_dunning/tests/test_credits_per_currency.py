from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCreditsPerCurrency(DunningCommon):
    """A credit only offsets what is overdue in its own currency: in the facts, the hold and the message.

    The company keeps its books in dollars; euros are at 2 per dollar.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.euro = cls.setup_other_currency("EUR")
        cls.dollar = cls.company.currency_id
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Kaksivaluutta Oy", "is_company": True, "email": "ap@kaksi.example",
        })
        cls.customer.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})

    def invoice(self, amount, currency=None, move_type="out_invoice", when=None):
        values = {"currency_id": currency.id} if currency else {}
        when = when or (day(-30) if move_type == "out_invoice" else day(-10))
        return self.make_invoice(self.customer, when, DUE if move_type == "out_invoice" else when, amount,
                                 move_type=move_type, **values)

    def demands(self):
        cases = self.env["dunning.case"].search([("partner_id", "=", self.customer.id)])
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "in", cases.ids), ("message_type", "=", "comment"),
            ("partner_ids", "in", self.customer.ids),
        ])

    def case(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], limit=1)

    def test_a_credit_in_euros_does_not_offset_an_overdue_in_dollars(self):
        self.invoice(100)
        self.invoice(400, self.euro, move_type="out_refund")  # worth 200 dollars: more than the invoice
        self.refresh_facts(today=day(5))
        facts = self.facts_of(self.customer)
        self.assertEqual((facts.overdue_balance, facts.open_credits), (100, 200))
        self.assertEqual(facts.net_overdue, 100, "the euro credit does not lower the dollars overdue")
        self.env["dunning.run"]._run_company(self.company, day(5))
        self.assertNotEqual(self.case().state, "paused", "no credit hold")
        self.assertEqual(len(self.demands()), 1, "the dollar invoice is demanded")
        self.assertNotIn("We also hold a credit", self.demands().body, "no euro credit set against dollars")

    def test_credits_cover_in_their_own_currency_and_the_message_lists_each_currency(self):
        self.invoice(100)
        dollar_credit = self.invoice(60, move_type="out_refund")
        self.invoice(300, self.euro)
        euro_credit = self.invoice(100, self.euro, move_type="out_refund")
        self.refresh_facts(today=day(5))
        facts = self.facts_of(self.customer)
        self.assertEqual(facts.net_overdue, 40 + 100, "40 dollars and 200 euros (100 dollars) left to pay")
        self.env["dunning.run"]._run_company(self.company, day(5))
        message = self.demands()
        self.assertEqual(len(message), 1)
        body = message.body.replace("&nbsp;", "\xa0")
        self.assertIn(dollar_credit.name, body)
        self.assertIn(euro_credit.name, body)
        self.assertIn(f"We also hold a credit of <strong>{self.dollar.format(60)}</strong>", body)
        self.assertIn(f"Net amount to pay: {self.dollar.format(40)}", body)
        self.assertIn(f"We also hold a credit of <strong>{self.euro.format(100)}</strong>", body)
        self.assertIn(f"Net amount to pay: {self.euro.format(200)}", body)

    def test_the_case_holds_only_when_every_currency_is_covered(self):
        self.invoice(100)
        self.invoice(300, self.euro)
        self.invoice(100, move_type="out_refund")
        self.invoice(300, self.euro, move_type="out_refund")
        self.env["dunning.run"]._run_company(self.company, day(5))
        case = self.case()
        self.assertFalse(self.demands())
        self.assertEqual(case.state, "paused")
        self.assertIn("open credits cover the overdue amount in each currency (EUR 300.00 of 300.00; "
                      "USD 100.00 of 100.00)", case.pause_reason)
