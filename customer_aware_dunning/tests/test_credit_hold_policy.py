"""Credit hold by the active policy's credit_hold rules, on quotations and invoices as the salesperson makes them."""

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..credit.observation import RATING, Observation
from .common import TODAY, DunningCommon

BUSINESS_ID = "2345678-0"
DEFAULTS_HOLD = """credit_hold:
  - when: [[payment_defaults, ">=", 1]]
    reason: payment_defaults
  - when: [[credit_rating, "<=", 3]]
    reason: Rated 3 or less; the sales director signs.
    documents: [quotation]
"""


@tagged("post_install", "-at_install")
class TestCreditHoldPolicy(DunningCommon):
    """The same customer, rated 3 with one payment default, under three policies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["dunning.policy"]
        cls.default_text = cls.Policy._ensure_default(cls.company).yaml_text
        cls.customer = cls.env["res.partner"].create({
            "name": "Haapa Rakennus Oy", "is_company": True, "vat": "FI23456780", "user_id": cls.salesperson.id,
        })

    def activate(self, text):
        policy = self.Policy.create({"company_id": self.company.id, "yaml_text": text})
        policy.action_activate()
        return policy

    def rate(self, rating, defaults):
        self.env["dunning.credit.observation"]._record(self.company, {self.customer: Observation(
            source="Test Bureau", observed_on=fields.Date.context_today(self.customer), business_id=BUSINESS_ID,
            kind=RATING, rating=rating, rating_label=str(rating), payment_defaults=defaults)})

    def quotation(self):
        return self.env["sale.order"].with_user(self.salesperson).create({
            "partner_id": self.customer.id, "company_id": self.company.id,
            "order_line": [(0, 0, {"product_id": self.product_a.id, "product_uom_qty": 1, "price_unit": 100.0,
                                   "tax_ids": []})],
        })

    def invoice(self):
        return self._create_invoice(
            partner_id=self.customer, invoice_date=TODAY,
            invoice_line_ids=[self._prepare_invoice_line(price_unit=100.0, name="Freight", tax_ids=[])])

    def test_the_default_policy_does_not_hold_a_rating_of_3(self):
        self.rate(3, 1)
        order = self.quotation()
        self.assertFalse(order.dunning_hold_reason, "the built-in rules: insolvent, rating 2 or less, over the limit")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_the_policy_s_own_rules_hold_with_their_reasons_per_document(self):
        self.activate(self.policy_with(DEFAULTS_HOLD))
        self.rate(3, 1)
        order = self.quotation()
        self.assertEqual(order.dunning_hold_reason,
                         "1 payment default(s) in the credit record; Rated 3 or less; the sales director signs.")
        with self.assertRaisesRegex(UserError, "needs a Collections manager's approval"):
            order.with_user(self.salesperson).action_confirm()
        invoice = self.invoice()
        self.assertEqual(invoice.dunning_hold_reason, "1 payment default(s) in the credit record",
                         "the quotation-only rule leaves the invoice alone")
        with self.assertRaisesRegex(UserError, "needs a Collections manager's approval"):
            invoice.action_post()

    def test_an_empty_section_holds_nothing(self):
        self.activate(self.policy_with("credit_hold: []\n"))
        self.rate(1, 3)
        order = self.quotation()
        self.assertFalse(order.dunning_hold_reason)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def policy_with(self, section):
        """The shipped default policy with its credit_hold section replaced by ``section``."""
        start = self.default_text.index("credit_hold:\n")
        end = self.default_text.index("\n\n", start)
        return self.default_text[:start] + section.rstrip("\n") + self.default_text[end:]
