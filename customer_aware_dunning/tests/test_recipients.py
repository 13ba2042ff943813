from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
LETTER_REPORT = "customer_aware_dunning.action_report_dunning_letter"

POLICY = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder, cc: [salesperson]}
      - {day: 15, send: email, template: second_reminder, recipients: [main_contact]}
      - {day: 25, send: email, template: second_reminder, recipients: ["tag:Accounts payable", main_contact]}
"""


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestRecipients(DunningCommon):
    """Collection emails reach the customer's invoice contact, as Odoo's invoices do; the policy can say otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.salesperson.email = "sally@example.com"
        cls.company.email = "collections@company.example"
        cls.customer = cls.env["res.partner"].create({
            "name": "Haapa Oy", "is_company": True, "email": "info@haapa.example", "user_id": cls.salesperson.id,
            "street": "Main street 1", "city": "Turku",
        })
        cls.billing = cls.env["res.partner"].create({
            "name": "Haapa Accounts", "type": "invoice", "parent_id": cls.customer.id, "email": "ap@haapa.example",
            "street": "Laskutie 9", "city": "Oulu",
        })
        tag = cls.env["res.partner.category"].create({"name": "Accounts payable"})
        cls.controller = cls.env["res.partner"].create({
            "name": "Haapa Controller", "type": "contact", "parent_id": cls.customer.id,
            "email": "controller@haapa.example", "category_id": [(6, 0, tag.ids)],
        })
        cls.case_model = cls.env["dunning.case"]

    def activate(self, text):
        policy = self.env["dunning.policy"].create({
            "name": "Recipients", "company_id": self.company.id, "yaml_text": text,
        })
        policy.action_activate()
        return policy

    def sent(self):
        case = self.case_model.search([("partner_id", "=", self.customer.id)], limit=1)
        return case, case.message_ids.filtered(
            lambda message: message.message_type == "comment" and message.partner_ids).sorted("id")

    def test_the_invoice_contact_receives_and_the_salesperson_is_copied_when_the_policy_says(self):
        self.activate(POLICY)
        self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        case, messages = self.sent()
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages.partner_ids, self.billing | self.salesperson.partner_id)
        self.assertNotIn(self.customer, messages.partner_ids)
        self.assertTrue(messages.reply_to)
        self.assertEqual(messages.reply_to, case.collector_id.email_formatted or self.company.email_formatted)

    def test_the_default_policy_writes_to_the_invoice_contact_without_copies(self):
        self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        _case, messages = self.sent()
        self.assertEqual(messages.partner_ids, self.billing)

    def test_a_step_can_name_the_main_contact_or_a_tag(self):
        self.activate(POLICY)
        self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(15))
        _case, messages = self.sent()
        self.assertEqual(messages[-1].partner_ids, self.customer)
        self.env["dunning.run"]._run_company(self.company, day(25))
        _case, messages = self.sent()
        self.assertEqual(messages[-1].partner_ids, self.controller)

    def test_a_letter_is_addressed_to_the_invoice_address(self):
        self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        case, _messages = self.sent()
        html = self.env["ir.actions.report"]._render_qweb_html(LETTER_REPORT, case.ids)[0].decode()
        self.assertIn("Laskutie 9", html)
        self.assertNotIn("Main street 1", html)
