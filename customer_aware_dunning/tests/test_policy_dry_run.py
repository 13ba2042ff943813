from datetime import timedelta

from odoo.tests import tagged

from .common import TODAY
from .test_policy_document import SMALL_POLICY, PolicyCommon


def days(number):
    return TODAY + timedelta(days=number)


@tagged("post_install", "-at_install")
class TestPolicyDryRun(PolicyCommon):
    """The dry run decides for every customer as the daily run would, and writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Dora Dryrun", "email": "dora@example.com"})
        cls.invoice = cls.make_invoice(cls.customer, days(-40), days(-8), 1500)

    def run_wizard(self, policy, **values):
        wizard = self.env["dunning.policy.dry.run"].with_user(self.collections_user).create({
            "policy_id": policy.id, "date": TODAY, "partner_ids": [(6, 0, self.customer.ids)], **values,
        })
        wizard.action_run()
        return wizard

    def traces(self):
        facts = self.env["dunning.partner.facts"].search([("partner_id", "=", self.customer.id)])
        cases = self.env["dunning.case"].search([("partner_id", "=", self.customer.id)])
        return len(facts), len(cases), len(cases.event_ids), self.customer.with_company(self.company).dunning_segment_id

    def test_a_new_customer_with_an_overdue_invoice(self):
        before = self.traces()
        wizard = self.run_wizard(self.default)
        line = wizard.line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.partner_id, self.customer)
        self.assertEqual((line.segment, line.journey, line.kind), ("new (by rule)", "standard", "send_step"))
        self.assertEqual((line.step, line.channel, line.template), ("step 2 (day 5, email Gentle reminder)",
                                                                    "email", "gentle_reminder"))
        self.assertEqual(line.reason, "segment New (rule 4) → journey Standard, step 2 (day 5, email Gentle reminder)")
        self.assertEqual((line.invoice_ids, line.amount), (self.invoice, 1500))
        self.assertEqual(
            [(entry.date, entry.step) for entry in wizard.upcoming_line_ids],
            [
                (days(0), "step 2 (day 5, email Gentle reminder)"),
                (days(7), "step 3 (day 15, email Second reminder)"),
                (days(17), "step 4 (day 25, activity for the salesperson)"),
                (days(27), "step 5 (day 35, email Payment plan offer)"),
            ],
        )
        self.assertIn("1 customer(s)", wizard.summary)
        self.assertEqual(self.traces(), before, "no facts, case, event or segment written")

    def test_a_draft_version_is_dry_run_with_its_own_rules(self):
        draft = self.new_version(SMALL_POLICY)
        line = self.run_wizard(draft, days=0).line_ids
        self.assertEqual((line.segment, line.journey, line.step), ("loyal (by rule)", "only",
                                                                   "step 1 (day 7, email Gentle reminder)"))
        self.assertFalse(self.run_wizard(draft, days=0).upcoming_line_ids)
        self.assertEqual(draft.state, "draft")

    def test_a_dispute_holds_the_customer(self):
        self.invoice.dunning_delay_reason_id = self.env.ref("customer_aware_dunning.delay_reason_dispute")
        line = self.run_wizard(self.default).line_ids
        self.assertEqual(line.kind, "hold")
        self.assertIn("held: delay reason Dispute", line.reason)

    def test_engine_inputs_take_the_same_queries_for_one_or_many_customers(self):
        Run = self.env["dunning.run"]
        self.customer.category_id = [(0, 0, {"name": "Key account"})]
        self.env["dunning.partner.facts"]._refresh(self.company, TODAY)

        def queries():
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            inputs = Run._case_inputs(self.company, TODAY)
            return self.env.cr.sql_log_count - start, inputs

        queries()  # warm the registry's caches (rules, translations)
        one, inputs = queries()
        self.assertEqual(list(inputs), [self.customer])
        for index in range(4):
            partner = self.env["res.partner"].create({"name": f"Customer {index}", "category_id": [(0, 0, {
                "name": f"Tag {index}"})]})
            self.make_invoice(partner, days(-30), days(-3), 100 + index)
        self.env["dunning.partner.facts"]._refresh(self.company, TODAY)
        many, inputs = queries()
        self.assertEqual(len(inputs), 5)
        self.assertEqual(many, one)
        case = inputs[self.customer]
        self.assertEqual(case.facts["is_company"], False)
        self.assertEqual(case.facts["tags"], ["Key account"])
        self.assertEqual([invoice.id for invoice in case.invoices], self.invoice.ids)
        self.assertIsNone(case.state)
