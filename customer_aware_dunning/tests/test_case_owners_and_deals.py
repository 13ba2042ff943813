"""The policy's sales sections on the database: owners and round-robin, manual-only cases, a step held for a deal."""

from datetime import date, timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
MANAGERS = "customer_aware_dunning.group_collections_manager"
OWNERS = f"""
owners:
  - {{when: [[segment, "=", strategic]], owner: salesperson, manual_only: true}}
  - {{owner: "group:{MANAGERS}", assign: round_robin}}
"""


def day(offset):
    return DUE + timedelta(days=offset)


class SalesPolicyCommon(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.segments = cls.env["dunning.segment"]._for_company(cls.company)

    @classmethod
    def customer(cls, name, segment=None):
        partner = cls.env["res.partner"].create({
            "name": name, "is_company": True, "email": f"ap@{name.split()[0].lower()}.example",
            "user_id": cls.salesperson.id,
        })
        if segment:
            partner.with_company(cls.company).write({"dunning_segment_id": cls.segments[segment].id})
        return partner

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)], order="id desc", limit=1)

    def customer_mails(self, partner):
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "=", self.case_of(partner).id),
            ("message_type", "=", "comment"), ("partner_ids", "in", partner.ids)])


@tagged("post_install", "-at_install")
class TestOwners(SalesPolicyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login in ("mia.manager", "max.manager"):
            new_test_user(cls.env, login=login, groups="account.group_account_manager", company_id=cls.company.id,
                          company_ids=[Command.set(cls.company.ids)])
        policy = cls.env["dunning.policy"]._active_for(cls.company)
        draft = policy.browse(policy.action_new_version()["res_id"])
        draft.yaml_text = policy.yaml_text + OWNERS
        draft.action_activate()
        cls.members = cls.env.ref(MANAGERS).all_user_ids.filtered(
            lambda user: cls.company in user.company_ids and not user.share and user.active)

    def test_round_robin_goes_round_the_team(self):
        customers = [self.customer(f"Team{index} Oy", "standard") for index in range(len(self.members))]
        for partner in customers:
            self.make_invoice(partner, day(-30), DUE, 500)
        self.run_on(day(6))
        collectors = self.env["res.users"].union(*(self.case_of(partner).collector_id for partner in customers))
        self.assertEqual(collectors, self.members, "one case each: the least busy member first")
        self.assertGreaterEqual(len(self.members), 3)

    def test_salesperson_owns_a_strategic_case_and_the_run_only_proposes(self):
        partner = self.customer("Aalto Group", "strategic")
        self.make_invoice(partner, day(-30), DUE, 900)
        self.run_on(day(7))
        case = self.case_of(partner)
        self.assertEqual(case.collector_id, self.salesperson)
        self.assertEqual(case.state, "waiting_approval", "the gentle reminder waits for a person")
        self.assertFalse(self.customer_mails(partner), "manual only: nothing automatic")
        self.assertEqual(case.activity_ids.user_id, self.salesperson)
        case.with_user(self.salesperson).action_dunning_approve()
        self.assertEqual(case.state, "open")
        self.assertEqual(len(self.customer_mails(partner)), 1, "sent when the salesperson says so")

    def test_a_collector_set_by_hand_stays(self):
        partner = self.customer("Bertta Oy", "standard")
        self.make_invoice(partner, day(-30), DUE, 500)
        self.run_on(day(6))
        case = self.case_of(partner)
        case.with_user(self.collections_manager).collector_id = self.collections_user
        self.make_invoice(partner, day(-20), day(3), 300)
        self.run_on(day(10))
        self.assertEqual(case.collector_id, self.collections_user)


@tagged("post_install", "-at_install")
class TestHoldWhileOpenDeal(SalesPolicyCommon):
    """The default policy: a harsh step waits up to 14 days while the customer has 1,000 or more in the pipeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.customer("Bertta Oy", "standard")
        cls.make_invoice(cls.partner, day(-60), DUE, 900)
        cls.quotation = cls.env["sale.order"].sudo().create({
            "partner_id": cls.partner.id, "company_id": cls.company.id,
            "order_line": [Command.create({"product_id": cls.product_a.id, "product_uom_qty": 1,
                                           "price_unit": 5000, "tax_ids": []})],
        })

    def held_case(self):
        self.run_on(day(49))
        self.run_on(day(50))
        case = self.case_of(self.partner)
        self.assertEqual((case.state, case.paused_by, case.pause_until), ("paused", "policy", day(64)))
        # the engine's amount reads as money (texts are rendered for their reader)
        self.assertIn("open deal of", case.pause_reason)
        self.assertIn("5,000.00", case.pause_reason)
        asked = case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)
        self.assertEqual(len(asked), 1, "the salesperson is asked")
        return case

    def test_the_final_letter_waits_for_the_deal_then_goes_on(self):
        case = self.held_case()
        self.run_on(day(57))
        self.assertEqual(case.state, "paused", "still waiting, no second To-Do")
        self.assertEqual(len(case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)), 1)
        self.run_on(day(64))
        self.assertEqual(case.state, "waiting_approval", "the letter goes on to its approval")

    def test_the_deal_closing_releases_the_step(self):
        case = self.held_case()
        self.quotation._action_cancel()
        self.run_on(day(55))
        self.assertEqual(case.state, "waiting_approval")
