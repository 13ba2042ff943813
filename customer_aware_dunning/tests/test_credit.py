"""Credit information: the trade register lookup, its facts, the default policy's use of them, access."""

from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..credit.observation import RATING, Observation
from .common import TODAY, DunningCommon
from .credit_register import LocalRegister, company

BUSINESS_ID = "2345678-0"
VAT = "FI23456780"


@tagged("post_install", "-at_install")
class TestCreditInformation(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.register = LocalRegister()
        cls.addClassCleanup(cls.register.close)
        cls.env["ir.config_parameter"].sudo().set_param("customer_aware_dunning.prh_base_url", cls.register.url)
        cls.env["ir.config_parameter"].sudo().set_param("customer_aware_dunning.prh_timeout", "5")
        cls.customer = cls.env["res.partner"].create({
            "name": "Koivu Logistiikka Oy", "is_company": True, "vat": VAT, "country_id": cls.env.ref("base.fi").id,
            "email": "ap@koivu.example", "user_id": cls.salesperson.id,
        })
        cls.Observation = cls.env["dunning.credit.observation"]

    def look_up(self, today=TODAY, partners=None):
        return (partners or self.customer).with_company(self.company)._dunning_refresh_register(self.company, today)

    def rate(self, partner, rating, observed_on, defaults=0):
        self.Observation._record(self.company, {partner: Observation(
            source="Test Bureau", observed_on=observed_on, business_id=BUSINESS_ID, kind=RATING,
            rating=rating, rating_label=str(rating), payment_defaults=defaults)})

    def credit_facts(self, partner, today=TODAY):
        return self.Observation._policy_facts(self.company, partner, today)[partner]

    # ------------------------------------------------------------------ register

    def test_the_register_lookup_is_stored_with_source_and_date_and_read_as_facts(self):
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID, registered="2026-01-30")
        self.assertEqual(self.look_up(), {})
        row = self.Observation.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((row.source, row.observed_on, row.business_id, row.registry_status),
                         ("PRH/YTJ", TODAY, BUSINESS_ID, "active"))
        self.assertEqual(row.company_form, "16 Limited company")
        facts = self.credit_facts(self.customer)
        self.assertEqual(facts["registry_status"], "active")
        self.assertEqual(facts["company_age_days"], (TODAY - date(2026, 1, 30)).days)
        self.assertIsNone(facts["credit_rating"])

    def test_an_error_is_told_per_customer_and_is_no_fact(self):
        nobody = self.env["res.partner"].create({"name": "No ID Oy", "is_company": True})
        unknown = self.env["res.partner"].create({"name": "Unknown Oy", "is_company": True, "vat": "FI01120389"})
        errors = self.look_up(partners=nobody | unknown)
        self.assertEqual(errors[nobody], "No Finnish business ID or VAT number.")
        self.assertIn("knows no company with business ID 0112038-9", errors[unknown])
        self.assertIsNone(self.credit_facts(unknown)["registry_status"])
        manager_view = unknown.with_user(self.collections_manager).with_company(self.company)
        self.assertIn("0112038-9", manager_view.dunning_credit_error)

    def test_the_button_looks_the_customer_up_and_says_why_it_could_not(self):
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID)
        partner = self.customer.with_user(self.collections_manager).with_company(self.company)
        partner.action_dunning_refresh_credit()
        self.assertEqual(partner.dunning_registry_status, "active")
        self.assertEqual(partner.dunning_register_source, "PRH/YTJ")
        nobody = self.env["res.partner"].create({"name": "No ID Oy", "is_company": True})
        with self.assertRaisesRegex(UserError, "No Finnish business ID"):
            nobody.with_user(self.collections_manager).action_dunning_refresh_credit()

    def test_bankruptcy_tells_the_people_concerned_and_moves_the_case_to_limit_damage(self):
        self.make_invoice(self.customer, date(2026, 5, 1), date(2026, 6, 1), 2000.0)
        run = self.env["dunning.run"]
        run._run_company(self.company, TODAY)
        case = self.env["dunning.case"].search([("partner_id", "=", self.customer.id)])
        self.assertNotEqual(case.journey, "limit_damage")
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID, situation="KONK")
        self.look_up()
        event = case.event_ids.filtered(lambda e: e.kind == "credit_change")
        self.assertIn("In bankruptcy", event.description)
        self.assertTrue(case.activity_ids.filtered(lambda a: a.user_id == self.salesperson))
        self.assertIn("In bankruptcy", self.customer.message_ids[0].body)
        # a second lookup with the same status tells nobody again
        self.look_up(TODAY + timedelta(days=1))
        self.assertEqual(len(case.event_ids.filtered(lambda e: e.kind == "credit_change")), 1)
        run._run_company(self.company, TODAY + timedelta(days=1))
        self.assertEqual(self.customer.with_company(self.company).dunning_segment_id.key, "at_risk")
        # the policy's insolvency reason switched the case to limit-damage; its final letter awaits a manager
        self.assertEqual(case.invoice_ids.dunning_delay_reason_id.key, "insolvency")
        decision = case.event_ids.filtered(lambda e: e.kind == "approval_requested")
        self.assertEqual(decision.journey, "limit_damage")
        self.assertIn("switched by delay reason Insolvency", decision.rule, "the policy's reason, with names")

    def test_the_scheduled_refresh_takes_customers_with_open_receivables_not_looked_up_lately(self):
        self.make_invoice(self.customer, date(2026, 5, 1), date(2026, 6, 1), 500.0)
        person = self.env["res.partner"].create({"name": "Maija Meikäläinen"})
        self.make_invoice(person, date(2026, 5, 1), date(2026, 6, 1), 50.0)
        due = self.env["res.partner"]._dunning_credit_refresh_due(self.company, TODAY, limit=100)
        self.assertIn(self.customer, due)
        self.assertNotIn(person, due, "no business ID: nothing to look up")
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID)
        self.look_up(TODAY)
        self.assertNotIn(self.customer, self.env["res.partner"]._dunning_credit_refresh_due(self.company, TODAY, 100))
        later = TODAY + timedelta(days=8)
        self.assertIn(self.customer, self.env["res.partner"]._dunning_credit_refresh_due(self.company, later, 100))

    def test_a_rating_drop_of_two_classes_is_told(self):
        self.rate(self.customer, 5, TODAY - timedelta(days=30))
        self.rate(self.customer, 4, TODAY - timedelta(days=20))
        self.assertFalse(self.customer.activity_ids)
        self.rate(self.customer, 2, TODAY)
        self.assertIn("dropped from 4 to 2", self.customer.activity_ids.note)

    # ------------------------------------------------------------------ facts and terms

    def test_a_stale_rating_counts_as_unknown(self):
        self.rate(self.customer, 4, TODAY - timedelta(days=400), defaults=2)
        facts = self.credit_facts(self.customer)
        self.assertIsNone(facts["credit_rating"])
        self.assertEqual((facts["credit_rating_age_days"], facts["payment_defaults"]), (400, 2))
        self.rate(self.customer, 4, TODAY - timedelta(days=10))
        self.assertEqual(self.credit_facts(self.customer)["credit_rating"], 4)

    def suggestion(self, partner):
        return self.env["account.payment.term"]._dunning_suggestions(partner, self.company)[partner]

    def test_a_new_customer_gets_its_term_from_its_rating(self):
        today = fields.Date.context_today(self.customer)
        good = self.customer
        weak = self.env["res.partner"].create({"name": "Heikko Oy", "is_company": True})
        stale = self.env["res.partner"].create({"name": "Vanha Oy", "is_company": True})
        self.rate(good, 5, today)
        self.rate(weak, 2, today)
        self.rate(stale, 5, today - timedelta(days=400))
        found = self.suggestion(good)
        self.assertEqual(found.term, self.env.ref("account.account_payment_term_30days"))
        self.assertIn("credit rating 5 of 5", found.reason)
        self.assertEqual(self.suggestion(weak).term, self.env.ref("account.account_payment_term_advance_60days"))
        self.assertFalse(self.suggestion(stale))

    def test_a_customer_in_liquidation_is_offered_immediate_payment(self):
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID, situation="SELTILA")
        self.look_up(fields.Date.context_today(self.customer))
        found = self.suggestion(self.customer)
        self.assertEqual(found.term, self.env.ref("account.account_payment_term_immediate"))
        self.assertIn("trade register: In liquidation", found.reason)

    def test_a_customer_at_risk_for_its_bankruptcy_is_offered_immediate_payment(self):
        # Before: the at-risk rules came first, and a bankrupt customer with history was offered 30 % in advance
        # and the balance in 60 days.
        self.make_invoice(self.customer, date(2026, 5, 1), date(2026, 6, 1), 500.0)
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID, situation="KONK")
        self.look_up(TODAY)
        self.env["dunning.run"]._run_company(self.company, TODAY)
        self.assertEqual(self.customer.with_company(self.company).dunning_segment_id.key, "at_risk")
        found = self.suggestion(self.customer)
        self.assertEqual(found.term, self.env.ref("account.account_payment_term_immediate"))
        self.assertIn("trade register: In bankruptcy", found.reason)

    # ------------------------------------------------------------------ privacy

    def test_only_collections_managers_see_credit_information(self):
        self.rate(self.customer, 4, TODAY)
        for user in (self.collections_user, self.salesperson):
            with self.assertRaises(AccessError):
                self.Observation.with_user(user).search([]).read(["rating"])
            with self.assertRaises(AccessError):
                self.customer.with_user(user).with_company(self.company).read(["dunning_credit_rating"])
            with self.assertRaises(AccessError):
                self.customer.with_user(user).action_dunning_refresh_credit()
        manager = self.customer.with_user(self.collections_manager).with_company(self.company)
        self.assertEqual(manager.dunning_credit_rating, "4")
        self.assertEqual(manager.dunning_rating_source, "Test Bureau")
        self.assertEqual(manager.dunning_rating_label, "4", "the rating as the bureau wrote it, beside the scale's")

    def test_consumers_credit_data_needs_a_legal_basis(self):
        person = self.env["res.partner"].create({"name": "Maija Meikäläinen"})
        self.assertEqual(self.company.dunning_credit_consumer_basis, "none")
        self.rate(person, 4, TODAY)
        self.assertFalse(self.Observation.search([("partner_id", "=", person.id)]))
        self.company.dunning_credit_consumer_basis = "legitimate_interest"
        self.rate(person, 4, TODAY)
        self.assertEqual(len(self.Observation.search([("partner_id", "=", person.id)])), 1)

    def test_retention_deletes_old_observations_only(self):
        today = fields.Date.context_today(self.customer)
        self.company.dunning_credit_retention_days = 730
        self.rate(self.customer, 3, today - timedelta(days=731))
        self.rate(self.customer, 4, today - timedelta(days=729))
        self.Observation._cron_retention()
        rows = self.Observation.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(rows.mapped("rating"), ["4"])

    def test_everything_held_on_a_customer_is_one_click_away(self):
        self.rate(self.customer, 4, TODAY, defaults=1)
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID)
        self.look_up()
        action = self.customer.with_user(self.collections_manager).action_dunning_export_credit()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[-1].split("?")[0]))
        lines = attachment.raw.decode().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertTrue(lines[0].startswith("company,observed_on,source"))
        self.assertIn("Test Bureau", "\n".join(lines))
        self.assertIn("PRH/YTJ", "\n".join(lines))
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesperson).action_dunning_export_credit()

    # ------------------------------------------------------------------ credit hold

    def quotation(self):
        return self.env["sale.order"].with_user(self.salesperson).create({
            "partner_id": self.customer.id, "company_id": self.company.id,
            "order_line": [(0, 0, {"product_id": self.product_a.id, "product_uom_qty": 1, "price_unit": 100.0,
                                   "tax_ids": []})],
        })

    def test_credit_hold_blocks_confirmation_until_a_manager_approves(self):
        self.rate(self.customer, 2, fields.Date.context_today(self.customer))
        order = self.quotation()
        self.assertIn("weak credit rating (2 of 5)", order.dunning_hold_reason)
        with self.assertRaisesRegex(UserError, "needs a Collections manager's approval"):
            order.action_confirm()
        order.action_dunning_request_credit_approval()
        self.assertEqual(order.dunning_hold_state, "requested")
        activity = order.activity_ids.filtered(lambda a: a.summary == "Credit approval")
        self.assertTrue(activity.user_id.has_group("customer_aware_dunning.group_collections_manager"))
        with self.assertRaises(AccessError):
            order.action_dunning_approve_credit()
        order.with_user(self.collections_manager).action_dunning_approve_credit()
        self.assertIn("Credit approved by Fiona Finance", order.message_ids[0].body)
        self.assertFalse(order.activity_ids.filtered(lambda a: a.summary == "Credit approval"))
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_a_customer_in_good_standing_is_not_held(self):
        self.rate(self.customer, 4, fields.Date.context_today(self.customer))
        order = self.quotation()
        self.assertFalse(order.dunning_hold_reason)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_credit_hold_blocks_posting_an_invoice_of_an_insolvent_customer_until_approved(self):
        self.register.companies[BUSINESS_ID] = company(BUSINESS_ID, situation="KONK")
        self.look_up(fields.Date.context_today(self.customer))
        invoice = self._create_invoice(
            partner_id=self.customer, invoice_date=TODAY,
            invoice_line_ids=[self._prepare_invoice_line(price_unit=100.0, name="Freight", tax_ids=[])])
        self.assertIn("the trade register says: In bankruptcy", invoice.dunning_hold_reason)
        with self.assertRaisesRegex(UserError, "needs a Collections manager's approval"):
            invoice.action_post()
        invoice.action_dunning_request_credit_approval()
        invoice.with_user(self.collections_manager).action_dunning_refuse_credit()
        self.assertEqual(invoice.dunning_hold_state, "refused")
        with self.assertRaises(UserError):
            invoice.action_post()
        invoice.with_user(self.collections_manager).action_dunning_approve_credit()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
