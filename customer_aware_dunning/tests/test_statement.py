from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import DunningCommon

TODAY = date(2026, 6, 30)


def ago(days):
    return TODAY - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestStatement(DunningCommon):
    """The statement of account against a ledger built by hand: partial payments, credit notes, two currencies,
    two companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.euro = cls.setup_other_currency("EUR")
        cls.customer = cls.env["res.partner"].create({"name": "Vaahtera Oy", "is_company": True})
        cls.partly_paid = cls.make_invoice(cls.customer, ago(75), ago(45), 1000)        # 31-60, 400 paid
        cls.pay(cls.partly_paid, ago(20), amount=400)
        cls.not_due = cls.make_invoice(cls.customer, ago(5), TODAY + timedelta(days=25), 300)
        cls.old = cls.make_invoice(cls.customer, ago(150), ago(120), 50)                  # 90+
        cls.paid = cls.make_invoice(cls.customer, ago(40), ago(10), 70)                   # settled: not listed
        cls.pay(cls.paid, ago(9))
        cls.refund = cls.make_invoice(cls.customer, ago(3), ago(3), 100, move_type="out_refund")
        cls.in_euro = cls.make_invoice(cls.customer, ago(20), ago(10), 200, currency_id=cls.euro.id)  # 1-30
        other = cls.setup_other_company()["company"]
        cls.other_company_invoice = cls.env["account.move"].with_company(other).create({
            "move_type": "out_invoice", "partner_id": cls.customer.id, "invoice_date": ago(30),
            "invoice_date_due": ago(10), "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({"name": "x", "price_unit": 999, "tax_ids": []})],
        })
        cls.other_company_invoice.action_post()

    def test_the_figures(self):
        statement = self.env["dunning.statement"]._statement(self.customer, self.company, TODAY)
        groups = {group["currency"].name: group for group in statement["currencies"]}
        self.assertEqual(set(groups), {self.company.currency_id.name, "EUR"}, "one table per currency")
        home = groups[self.company.currency_id.name]
        items = {item["name"]: item for item in home["items"]}
        self.assertEqual(set(items), {self.partly_paid.name, self.not_due.name, self.old.name},
                         "settled and other company's invoices are left out")
        partly = items[self.partly_paid.name]
        self.assertEqual((partly["amount"], partly["paid"], partly["residual"], partly["days_late"],
                          partly["bucket"]), (1000, 400, 600, 45, "31_60"))
        self.assertEqual((items[self.not_due.name]["days_late"], items[self.not_due.name]["bucket"]), (0, "not_due"))
        self.assertEqual(items[self.old.name]["bucket"], "90_plus")
        self.assertEqual(home["buckets"], {"not_due": 300, "1_30": 0, "31_60": 600, "61_90": 0, "90_plus": 50})
        self.assertEqual([credit["name"] for credit in home["credits"]], [self.refund.name])
        self.assertEqual((home["owed"], home["credit_total"], home["balance"]), (950, 100, 850))
        euro = groups["EUR"]
        self.assertEqual([(item["residual"], item["bucket"]) for item in euro["items"]], [(200, "1_30")])
        self.assertEqual(euro["balance"], 200)

    def test_a_step_can_attach_the_statement(self):
        self.env["dunning.policy"]._ensure_default(self.company)
        self.customer.email = "ap@vaahtera.example"
        policy = self.env["dunning.policy"].create({"name": "Statement", "company_id": self.company.id, "yaml_text": (
            "version: 1\nsegments:\n  - key: standard\njourneys:\n  standard:\n    segments: [standard]\n"
            "    steps:\n      - {day: 5, send: email, template: gentle_reminder, attach: statement}\n")})
        policy.action_activate()
        self.env["dunning.run"]._run_company(self.company, TODAY)
        case = self.env["dunning.case"].search([("partner_id", "=", self.customer.id)])
        message = case.message_ids.filtered(lambda message: self.customer in message.partner_ids)
        self.assertEqual(len(message), 1)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertTrue(message.attachment_ids.name.startswith("Statement of account Vaahtera Oy"))

    def test_printed_from_the_customer(self):
        html = self.env["ir.actions.report"]._render_qweb_html(
            "customer_aware_dunning.action_report_dunning_statement_partner", self.customer.ids)[0].decode()
        self.assertIn("Statement of account", html)
        self.assertIn(self.partly_paid.name, html)
        self.assertIn(self.refund.name, html)
        self.assertNotIn("999.00", html, "the other company's invoice is not on this company's statement")
