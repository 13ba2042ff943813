"""What the policy says happens when an arrangement breaks, and a plan a person approves.

A broken promise gets the policy's ``on_broken_promise`` step once; a broken plan
its ``on_broken_plan`` step once. A plan chosen within bounds that do not let the
customer serve themselves is proposed: an activity asks a person, who agrees
with the plan form's button, called as the web client calls it.
"""

from datetime import date, timedelta

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestBrokenArrangements(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({"name": "Bertta Oy", "is_company": True,
                                                      "email": "ap@bertta.example"})
        cls.invoice = cls.make_invoice(cls.customer, day(-30), DUE, 900)
        cls.env["dunning.run"]._run_company(cls.company, day(5))
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.firm = cls.env.ref("customer_aware_dunning.mail_template_firm_reminder")

    def run_on(self, today):
        self.env["dunning.run"]._run_company(self.company, today)
        self.env.invalidate_all()

    def events(self, kind):
        return self.case.event_ids.filtered(lambda event: event.kind == kind)

    def firm_messages(self):
        subject = self.firm._render_field("subject", self.case.ids)[self.case.id]
        return self.case.message_ids.filtered(lambda message: message.subject == subject)

    def test_broken_promise_gets_the_policy_step_once(self):
        self.invoice.write({"dunning_promise_date": day(20)})
        self.run_on(day(20))
        self.assertFalse(self.firm_messages())
        self.run_on(day(21))
        self.assertEqual(self.case.promise_ids.state, "broken")
        self.assertEqual(len(self.events("promise_reaction")), 1)
        calls = self.case.activity_ids.filtered(lambda act: "promise to pay was broken" in str(act.note))
        self.assertEqual(len(calls), 1, "the call of on_broken_promise")
        self.run_on(day(22))
        self.assertEqual(len(self.events("promise_reaction")), 1, "once")
        self.assertEqual(len(self.case.activity_ids.filtered(
            lambda act: "promise to pay was broken" in str(act.note))), 1)

    def test_broken_plan_gets_the_policy_step_once(self):
        schedule = [(day(10), 450.0), (day(40), 450.0)]
        plan = self.env["dunning.payment.plan"]._create_plans(self.case, schedule, "staff", agreed_on=day(6))
        self.run_on(day(17))
        self.assertEqual(plan.state, "broken")
        self.assertEqual(len(self.events("plan_broken")), 1)
        self.assertEqual(len(self.firm_messages()), 1, "the step of on_broken_plan")
        self.run_on(day(18))
        self.assertEqual(len(self.events("plan_broken")), 1)

    def test_the_broken_plans_email_has_a_message_id_of_its_own_and_no_earlier_charges(self):
        """Two different emails with one Message-Id may be dropped by the customer's server as one."""
        before = self.case.message_ids.filtered(lambda message: message.message_type == "comment"
                                                and message.message_id.startswith("<dunning."))
        self.assertTrue(before, "the step of day 5 went out with its step's Message-Id")
        schedule = [(day(10), 450.0), (day(40), 450.0)]
        self.env["dunning.payment.plan"]._create_plans(self.case, schedule, "staff", agreed_on=day(6))
        self.run_on(day(17))
        firm = self.firm_messages()
        self.assertEqual(len(firm), 1)
        self.assertTrue(firm.message_id.startswith(f"<dunning.{self.case.id}."))
        self.assertNotIn(firm.message_id, before.mapped("message_id"))

    def test_a_person_approves_a_proposed_plan_with_the_form_button(self):
        self.case.segment_id = self.env.ref("customer_aware_dunning.segment_at_risk")
        today = date.today()
        problem = self.case._portal_answer(
            "plan", {"instalments": 3, "first_date": today + timedelta(days=5), "message": ""}, today,
            self.env.cr.now())
        self.assertEqual(problem, "")
        plan = self.case.payment_plan_ids
        self.assertEqual(plan.state, "proposed", "at-risk customers' plans are approved by a person")
        self.assertTrue(self.case.activity_ids.filtered(lambda act: "Payment plan to decide" in act.summary))
        self.assertTrue(self.invoice.dunning_held_by_outcome, "no reminder while a person decides")
        self.authenticate(self.collections_user.login, self.collections_user.login)
        self.make_jsonrpc_request("/web/dataset/call_button/dunning.payment.plan/action_agree", {
            "model": "dunning.payment.plan", "method": "action_agree", "args": [plan.ids], "kwargs": {"context": {}},
        })
        plan.invalidate_recordset()
        self.assertEqual((plan.state, plan.agreed_on), ("agreed", today))
        self.assertTrue(self.events("plan_agreed"))
        with self.assertRaisesRegex(JsonRpcException, "UserError"):  # only a proposed plan can be agreed
            self.make_jsonrpc_request("/web/dataset/call_button/dunning.payment.plan/action_agree", {
                "model": "dunning.payment.plan", "method": "action_agree", "args": [plan.ids],
                "kwargs": {"context": {}},
            })
