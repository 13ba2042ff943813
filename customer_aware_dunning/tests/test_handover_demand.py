"""Finland: a consumer's case is handed over only 14 days after a payment demand (Debt Collection Act)."""

from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestHandoverDemand(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.profile = cls.env.ref("customer_aware_dunning.legal_profile_fi")
        cls.company.dunning_legal_profile_id = cls.profile
        cls.consumer = cls.env["res.partner"].create({"name": "Aino Virtanen", "email": "aino@example.com"})
        cls.business = cls.env["res.partner"].create({"name": "Kaarna Oy", "is_company": True, "vat": "FI12345671",
                                                      "email": "ap@kaarna.example"})
        for partner in cls.consumer | cls.business:
            cls.make_invoice(partner, day(-30), DUE, 400)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)])

    def test_finnish_profile_asks_for_fourteen_days(self):
        self.assertEqual(self.profile.consumer_demand_days_before_handover, 14)

    def test_consumer_without_a_demand_is_not_handed_over_and_told_why(self):
        self.env["dunning.case"]._sync_open_cases(self.company, day(2))
        case = self.case_of(self.consumer)
        self.assertEqual(self.consumer.dunning_customer_type, "consumer")
        with self.assertRaisesRegex(UserError, "Aino Virtanen is a consumer: send a payment demand first"):
            case.with_user(self.collections_manager).action_dunning_hand_over()
        self.assertEqual(case.state, "open")

    def test_consumer_is_handed_over_fourteen_days_after_the_demand(self):
        self.env["dunning.run"]._run_company(self.company, day(5))
        case = self.case_of(self.consumer)
        demand = case.event_ids.filtered(lambda event: event.kind == "step" and event.channel == "email")
        self.assertTrue(demand, "the journey's reminder is the demand")
        sent = demand[:1].date.date()
        blockers = case._handover_blockers(sent + timedelta(days=13))
        self.assertIn(f"handed over on {sent + timedelta(days=14)} at the earliest", blockers[case])
        self.assertFalse(case._handover_blockers(sent + timedelta(days=14)))
        business = self.case_of(self.business)
        self.assertFalse(business._handover_blockers(sent), "businesses are not concerned")
        business.with_user(self.collections_manager).action_dunning_hand_over()
        self.assertEqual(business.outcome, "handed_over")
