"""The payment plan a delay reason offers is in the next message, in the customer's language, and in the dry run."""

from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestPlanOffer(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.env["res.lang"]._activate_lang("fi_FI")
        cls.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])._update_translations(["fi_FI"])
        cash_flow = cls.env["dunning.delay.reason"]._for_company(cls.company)["cash_flow"]
        cls.short = cls.env["res.partner"].create({"name": "Short Oy", "is_company": True, "email": "ap@short.example"})
        cls.finnish = cls.env["res.partner"].create({"name": "Lyhyt Oy", "is_company": True, "lang": "fi_FI",
                                                     "email": "ap@lyhyt.example"})
        cls.plain = cls.env["res.partner"].create({"name": "Plain Oy", "is_company": True, "email": "ap@plain.example"})
        for partner in cls.short | cls.finnish | cls.plain:
            invoice = cls.make_invoice(partner, day(-30), DUE, 900)
            if partner != cls.plain:
                invoice.write({"dunning_delay_reason_id": cash_flow.id})

    def last_email(self, partner):
        case = self.env["dunning.case"].search([("partner_id", "=", partner.id)])
        return case, case.message_ids.filtered(lambda message: message.message_type == "comment")[:1]

    def test_next_message_offers_the_plan_with_its_link_in_the_customer_language(self):
        self.env["dunning.run"]._run_company(self.company, day(5))
        case, email = self.last_email(self.short)
        self.assertTrue(email, "the journey's reminder went out")
        self.assertIn("Choose a payment plan", email.body)
        self.assertIn(f"/my/collections/{case.id}?access_token=", email.body)
        _case, finnish = self.last_email(self.finnish)
        self.assertIn("Valitse maksusuunnitelma", finnish.body)
        _case, plain = self.last_email(self.plain)
        self.assertTrue(plain)
        self.assertNotIn("Choose a payment plan", plain.body, "no reason that offers a plan, no offer")

    def test_no_offer_while_a_plan_runs(self):
        self.env["dunning.case"]._sync_open_cases(self.company, day(1))
        case = self.env["dunning.case"].search([("partner_id", "=", self.short.id)])
        self.env["dunning.payment.plan"]._create_plans(case, [(day(10), 450.0), (day(40), 450.0)], "staff",
                                                         agreed_on=day(1))
        self.assertFalse(self.env["dunning.channel"]._plan_offer_blocks(case))

    def test_dry_run_shows_the_offer(self):
        policy = self.env["dunning.policy"]._active_for(self.company)
        wizard = self.env["dunning.policy.dry.run"].with_user(self.collections_user).create({
            "policy_id": policy.id, "date": day(5), "partner_ids": [(6, 0, (self.short | self.plain).ids)],
        })
        wizard.action_run()
        offers = {line.partner_id: line.offer for line in wizard.line_ids}
        self.assertEqual(offers, {self.short: "payment_plan", self.plain: False})
