from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestSegments(DunningCommon):
    """Rules assign segments; a segment set by hand wins until cleared."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loyal = cls.env.ref("customer_aware_dunning.segment_loyal")
        cls.at_risk = cls.env.ref("customer_aware_dunning.segment_at_risk")
        cls.standard = cls.env.ref("customer_aware_dunning.segment_standard")

    def test_rules_write_one_batch_per_segment(self):
        partners = self.env["res.partner"].create([{"name": f"Customer {i}"} for i in range(6)])
        assignment = {p: (self.loyal if i % 2 else self.standard) for i, p in enumerate(partners)}
        groups = self.env["res.partner"]._dunning_set_rule_segments(assignment)
        self.assertEqual(set(groups), {self.loyal, self.standard})
        for partner, segment in assignment.items():
            self.assertEqual(partner.dunning_segment_id, segment)
            self.assertFalse(partner.dunning_segment_manual)

    def test_hand_set_segment_wins_until_cleared(self):
        partner = self.partner_a.with_user(self.collections_manager)
        partner.dunning_segment_id = self.loyal
        self.assertTrue(partner.dunning_segment_manual)
        self.env["res.partner"]._dunning_set_rule_segments({self.partner_a: self.at_risk})
        self.assertEqual(self.partner_a.dunning_segment_id, self.loyal)

        partner.action_dunning_segment_by_rule()
        self.assertFalse(self.partner_a.dunning_segment_manual)
        self.env["res.partner"]._dunning_set_rule_segments({self.partner_a: self.at_risk})
        self.assertEqual(self.partner_a.dunning_segment_id, self.at_risk)

    def test_only_managers_set_segments_by_hand(self):
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.collections_user).dunning_segment_id = self.loyal
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.collections_user).action_dunning_segment_by_rule()

    def test_segment_is_per_company_and_groupable(self):
        other = self.setup_other_company(name="Nordic Branch")["company"]
        self.partner_a.dunning_segment_id = self.loyal
        self.assertEqual(self.partner_a.with_company(other).dunning_segment_id, self.env["dunning.segment"])
        groups = dict(
            self.env["res.partner"]._read_group(
                [("id", "in", (self.partner_a | self.partner_b).ids)], ["dunning_segment_id"], ["__count"]
            )
        )
        self.assertEqual(groups[self.loyal], 1)
        self.assertEqual(self.loyal.partner_count, 1)

    def test_manager_sets_the_segment_on_the_customer_form(self):
        partner = self.partner_a.with_user(self.collections_manager).with_company(self.company)
        with Form(partner, view="base.view_partner_form") as form:
            form.dunning_segment_id = self.loyal
        self.assertEqual(self.partner_a.with_company(self.company).dunning_segment_id, self.loyal)
        self.assertTrue(self.partner_a.with_company(self.company).dunning_segment_manual)

    def test_clearing_a_hand_set_segment_gives_it_back_to_the_rules(self):
        partner = self.partner_a.with_user(self.collections_manager)
        partner.dunning_segment_id = self.loyal
        partner.dunning_segment_id = False
        self.assertFalse(self.partner_a.dunning_segment_manual)
        self.env["res.partner"]._dunning_set_rule_segments({self.partner_a: self.at_risk})
        self.assertEqual(self.partner_a.dunning_segment_id, self.at_risk)
