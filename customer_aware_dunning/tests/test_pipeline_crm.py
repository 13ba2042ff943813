"""CRM opportunities in the pipeline facts: expected revenue times probability, open ones only (needs ``crm``).

``make db-test`` installs ``crm`` in the test database for this module (CI cost measured in the README);
without ``crm`` the facts have no opportunities and the test is skipped.
"""

from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestPipelineOpportunities(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "crm.lead" not in cls.env:
            cls.skipTest(cls, "crm is not installed")
        cls.customer = cls.env["res.partner"].create({"name": "Bertta Oy", "is_company": True,
                                                      "email": "ap@bertta.example", "user_id": cls.salesperson.id})
        contact = cls.env["res.partner"].create({"name": "Pirjo Bertta", "parent_id": cls.customer.id})
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        other_company = cls.env["res.company"].create({"name": "Other Oy"})
        Lead = cls.env["crm.lead"].sudo()

        def lead(name, revenue, probability, **values):
            return Lead.create({"name": name, "type": "opportunity", "partner_id": values.pop("partner", contact).id,
                                "expected_revenue": revenue, "probability": probability,
                                "company_id": cls.company.id, **values})

        cls.open = lead("Renewal", 10000, 30)
        cls.shared = lead("Add-on", 2000, 50, company_id=False)
        lead("Won already", 8000, 100, stage_id=won_stage.id)
        lead("Lost", 9000, 40).action_set_lost()
        lead("A lead only", 7000, 20, type="lead")
        lead("Elsewhere", 6000, 60, company_id=other_company.id)

    def test_open_opportunities_are_weighted_by_their_probability(self):
        self.assertEqual((self.open.prorated_revenue, self.shared.prorated_revenue), (3000, 1000))
        facts = self.env["sale.order"]._dunning_pipeline_facts(self.company, self.customer, TODAY)[self.customer]
        self.assertEqual((facts["open_opportunities"], facts["open_opportunities_amount"]), (2, 4000.0))
        self.assertEqual(facts["open_pipeline_amount"], 4000.0, "no quotation: the opportunities alone")

    def test_an_opportunity_alone_holds_the_final_notice_and_asks_the_salesperson(self):
        self.env["dunning.policy"]._ensure_default(self.company)
        segments = self.env["dunning.segment"]._for_company(self.company)
        self.customer.with_company(self.company).write({"dunning_segment_id": segments["standard"].id})
        due = TODAY - timedelta(days=50)
        self.make_invoice(self.customer, due - timedelta(days=30), due, 900)
        self.env["dunning.run"]._run_company(self.company, TODAY)
        case = self.env["dunning.case"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((case.state, case.dunning_open_opportunities, case.dunning_pipeline_amount),
                         ("paused", 2, 4000.0))
        self.assertEqual((case.deal_hold_id.outcome, case.deal_hold_id.user_id), ("pending", self.salesperson))
