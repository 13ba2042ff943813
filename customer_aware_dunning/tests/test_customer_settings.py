"""The customer's own collections settings: responsible, manual-only mode, next action date set by hand."""

from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCustomerSettings(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.partner = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example", "user_id": cls.salesperson.id})
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.partner.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})
        cls.invoice = cls.make_invoice(cls.partner, day(-30), DUE, 500)

    def settings(self, **values):
        self.partner.with_user(self.collections_manager).with_company(self.company).write(values)

    def run_on(self, today):
        self.env["dunning.run"]._run_company(self.company, today)
        return self.env["dunning.case"].search([("partner_id", "=", self.partner.id)])

    def test_the_responsible_collects_the_case_and_follows_it_when_changed(self):
        self.settings(dunning_responsible_id=self.collections_user.id)
        case = self.run_on(day(6))
        self.assertEqual(case.collector_id, self.collections_user)
        self.settings(dunning_responsible_id=self.collections_manager.id)
        self.assertEqual(case.collector_id, self.collections_manager, "the open case follows the customer's setting")

    def test_manual_only_sends_nothing_automatic_and_the_owner_sends_it(self):
        self.settings(dunning_manual_only=True, dunning_responsible_id=self.collections_user.id)
        case = self.run_on(day(6))
        self.assertEqual(case.state, "waiting_approval")
        self.assertFalse(self.customer_mails(case), "no automatic message")
        todo = case.activity_ids.filtered(lambda activity: activity.user_id == self.collections_user)
        self.assertEqual(len(todo), 1, "an activity for the collections owner instead")
        self.assertIn("manual only", case.event_ids.filtered(lambda event: event.kind == "approval_requested").rule)
        case.with_user(self.collections_user).action_dunning_approve()
        self.assertEqual(len(self.customer_mails(case)), 1, "sent when the owner says so")

    def test_manual_only_also_stops_the_steps_sent_without_the_journey(self):
        case = self.run_on(day(6))
        mails = self.customer_mails(case)
        self.settings(dunning_manual_only=True)
        spec = self.env["dunning.policy"]._active_spec(self.company)
        self.env["dunning.case"]._send_steps(spec, [(case, spec.on_broken_plan, self.invoice)])
        self.assertEqual(self.customer_mails(case), mails, "a broken plan's firm reminder is not sent by itself")
        self.assertIn("Send by hand: Bertta Oy", case.activity_ids.mapped("summary"))

    def test_nothing_automatic_before_the_next_action_date(self):
        self.settings(dunning_next_action_on=day(20))
        case = self.run_on(day(6))
        self.assertEqual((case.state, case.pause_until, case.next_action_date), ("paused", day(20), day(20)))
        self.assertFalse(self.customer_mails(case))
        self.assertIn("set by hand", case.pause_reason)
        self.run_on(day(20))
        self.assertEqual(case.state, "open")
        self.assertEqual(len(self.customer_mails(case)), 1, "the journey goes on from that date")

    def test_only_collections_managers_change_them_on_the_customer_form(self):
        with self.assertRaises(AccessError):
            self.partner.with_user(self.salesperson).write({"dunning_manual_only": True})
        self.authenticate(self.collections_manager.login, self.collections_manager.login)
        self.make_jsonrpc_request("/web/dataset/call_kw/res.partner/web_save", {
            "model": "res.partner", "method": "web_save",
            "args": [self.partner.ids, {"dunning_manual_only": True, "dunning_next_action_on": "2026-06-20"}],
            "kwargs": {"specification": {"dunning_manual_only": {}},
                       "context": {"allowed_company_ids": self.company.ids}},
        })
        self.assertTrue(self.partner.with_company(self.company).dunning_manual_only)
        for user, editable in ((self.collections_manager, True), (self.salesperson, False)):
            arch = self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            with self.subTest(user=user.login):
                self.assertIn('name="dunning_manual_only"', arch)
                self.assertEqual('name="dunning_manual_only" readonly="1"' in arch, not editable)
