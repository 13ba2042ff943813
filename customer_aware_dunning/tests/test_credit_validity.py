"""How long a credit rating counts is the policy's ``credit_information.rating_valid_days``.

A rating older than it counts as unknown in the customer's facts, its segment, its suggested payment term
and its credit hold; a dry run of a version reads that version's validity; the system parameter of 19.0.1.3
is read only where the policy does not write the key.
"""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from ..credit.observation import RATING, Observation
from .common import TODAY, DunningCommon

POLICY = """version: 1
segments:
  - key: well_rated
    label: Well rated
    when: [[credit_rating, ">=", 4]]
  - key: standard
journeys:
  standard:
    segments: [well_rated, standard]
    steps:
      - {day: 7, send: email, template: gentle_reminder}
payment_terms:
  - when: [[credit_rating, ">=", 4]]
    suggest: account.account_payment_term_30days
    reason: A good credit rating.
credit_hold:
  - when: [[credit_rating, "<=", 2]]
    reason: weak_rating
"""
PARAM = "customer_aware_dunning.credit_rating_valid_days"


@tagged("post_install", "-at_install")
class TestCreditRatingValidity(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["dunning.policy"]
        cls.Observation = cls.env["dunning.credit.observation"]
        cls.customer = cls.env["res.partner"].create({
            "name": "Koivu Logistiikka Oy", "is_company": True, "vat": "FI23456780", "user_id": cls.salesperson.id,
        })
        cls.env["ir.config_parameter"].sudo().search([("key", "=", PARAM)]).unlink()

    def activate(self, validity=None):
        text = POLICY + (f"credit_information: {{rating_valid_days: {validity}}}\n" if validity else "")
        policy = self.Policy.create({"company_id": self.company.id, "yaml_text": text})
        policy.action_activate()
        return policy

    def rate(self, rating, days_ago, today=TODAY):
        self.Observation._record(self.company, {self.customer: Observation(
            source="Test Bureau", observed_on=today - timedelta(days=days_ago), business_id="2345678-0",
            kind=RATING, rating=rating, rating_label=str(rating))})

    def rating_fact(self, today=TODAY):
        return self.Observation._policy_facts(self.company, self.customer, today)[self.customer]["credit_rating"]

    def segment_after_run(self):
        self.env["dunning.run"]._run_company(self.company, TODAY)
        return self.customer.with_company(self.company).dunning_segment_id.key

    def test_a_short_validity_makes_an_older_rating_unknown_in_facts_and_segments(self):
        self.make_invoice(self.customer, date(2026, 5, 1), date(2026, 6, 1), 800.0)
        self.rate(5, days_ago=60)
        self.activate(validity=90)
        self.assertEqual(self.rating_fact(), 5)
        self.assertEqual(self.segment_after_run(), "well_rated")
        self.activate(validity=30)
        self.assertIsNone(self.rating_fact(), "60 days old, valid for 30: unknown")
        facts = self.Observation._policy_facts(self.company, self.customer, TODAY)[self.customer]
        self.assertEqual(facts["credit_rating_age_days"], 60, "its age is still known")
        self.assertEqual(self.segment_after_run(), "standard")

    def test_a_stale_rating_decides_no_term_and_holds_nothing(self):
        today = fields.Date.context_today(self.customer)
        self.activate(validity=30)
        self.rate(5, days_ago=45, today=today)
        Term = self.env["account.payment.term"]
        self.assertFalse(Term._dunning_suggestions(self.customer, self.company)[self.customer])
        self.rate(1, days_ago=40, today=today)
        order = self.env["sale.order"].with_user(self.salesperson).create({
            "partner_id": self.customer.id, "company_id": self.company.id,
            "order_line": [(0, 0, {"product_id": self.product_a.id, "product_uom_qty": 1, "price_unit": 10.0,
                                   "tax_ids": []})],
        })
        self.assertFalse(order.dunning_hold_reason, "a weak rating past its validity holds nothing")
        self.rate(5, days_ago=0, today=today)
        self.assertIn("credit rating", Term._dunning_suggestions(self.customer, self.company)[self.customer].reason)

    def test_without_the_key_a_year_or_the_parameter_an_earlier_version_kept(self):
        self.rate(4, days_ago=200)
        self.activate()
        self.assertEqual(self.rating_fact(), 4, "unwritten: 365 days")
        self.env["ir.config_parameter"].sudo().set_param(PARAM, "100")
        self.assertIsNone(self.rating_fact(), "19.0.1.3's parameter, where the policy does not write the key")
        self.activate(validity=300)
        self.assertEqual(self.rating_fact(), 4, "the policy's key wins over the parameter")

    def test_a_dry_run_reads_the_validity_of_the_version_it_tries(self):
        self.make_invoice(self.customer, date(2026, 5, 1), date(2026, 6, 1), 800.0)
        self.rate(5, days_ago=60)
        self.activate(validity=365)
        draft = self.Policy.create({"company_id": self.company.id,
                                    "yaml_text": POLICY + "credit_information: {rating_valid_days: 30}\n"})
        wizard = self.env["dunning.policy.dry.run"].create({
            "policy_id": draft.id, "company_id": self.company.id, "date": TODAY, "days": 0,
            "partner_ids": [(6, 0, self.customer.ids)]})
        wizard.action_run()
        self.assertEqual(wizard.line_ids.segment, "standard (by rule)", "the draft's 30 days, not the active 365")
        active = self.env["dunning.policy.dry.run"].create({
            "policy_id": self.Policy._active_policy(self.company).id, "company_id": self.company.id, "date": TODAY,
            "days": 0, "partner_ids": [(6, 0, self.customer.ids)]})
        active.action_run()
        self.assertEqual(active.line_ids.segment, "well_rated (by rule)")
