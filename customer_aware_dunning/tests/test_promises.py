"""Promises to pay are records, kept or broken by real payments; a broken one is told to the case's owner."""

from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestPromises(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example",
        })

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], order="id desc", limit=1)

    def facts(self, today=None):
        """The customer's facts as segment rules and payment terms read them."""
        self.refresh_facts(today=today or day(22))
        return self.env["dunning.partner.facts"]._policy_facts(self.company, self.customer)[self.customer]

    def promise_on_the_invoice(self, amount=None):
        invoice = self.make_invoice(self.customer, day(-30), DUE, 900)
        self.run_on(day(5))
        invoice.write({"dunning_promise_date": day(20), "dunning_promise_amount": amount or False})
        promise = self.case().promise_ids
        self.assertEqual(len(promise), 1)
        self.assertEqual((promise.date, promise.amount, promise.source, promise.state),
                         (day(20), amount or 0, "invoice", "pending"))
        self.assertEqual(promise.invoice_ids, invoice)
        return invoice, promise

    def test_promise_kept_by_a_real_payment(self):
        invoice, promise = self.promise_on_the_invoice(amount=400)
        self.pay(invoice, day(18), amount=400)
        self.run_on(day(18))
        self.assertEqual((promise.state, promise.decided_on), ("kept", day(18)))
        self.assertFalse(self.case().event_ids.filtered(lambda event: event.kind == "promise_broken"))
        facts = self.facts()
        self.assertEqual((facts["promises_kept_ratio"], facts["broken_promises_12m"]), (1.0, 0))

    def test_promise_broken_is_an_event_and_an_activity_for_the_owner(self):
        invoice, promise = self.promise_on_the_invoice()
        self.pay(invoice, day(19), amount=100)
        self.run_on(day(20))
        self.assertEqual(promise.state, "pending", "the promised day itself is still the customer's")
        self.run_on(day(21))
        self.assertEqual((promise.state, promise.decided_on), ("broken", day(21)))
        case = self.case()
        broken = case.event_ids.filtered(lambda event: event.kind == "promise_broken")
        self.assertEqual(len(broken), 1)
        self.assertIn("broken", broken.description)
        activity = case.activity_ids.filtered(lambda activity: "Broken promise" in (activity.summary or ""))
        self.assertEqual(activity.user_id, self.env["dunning.channel"]._actor(case, "finance"))
        self.run_on(day(22))
        self.assertEqual(len(case.event_ids.filtered(lambda event: event.kind == "promise_broken")), 1,
                         "told once")
        facts = self.facts()
        self.assertEqual((facts["promises_kept_ratio"], facts["broken_promises_12m"]), (0.0, 1))
        self.run_on(day(21 + 366))
        self.assertEqual(self.facts(day(21 + 366))["broken_promises_12m"], 0, "twelve months only")

    def test_a_new_date_replaces_the_pending_promise_and_the_same_date_adds_none(self):
        invoice, promise = self.promise_on_the_invoice()
        invoice.write({"dunning_promise_date": day(20)})
        self.assertEqual(self.case().promise_ids, promise, "writing the same date again is no new promise")
        invoice.write({"dunning_promise_date": day(25)})
        self.assertEqual(promise.state, "replaced")
        self.assertEqual(self.case().promise_ids.filtered(lambda p: p.state == "pending").date, day(25))

    def test_staff_promise_from_the_answer_wizard(self):
        invoice = self.make_invoice(self.customer, day(-30), DUE, 900)
        self.run_on(day(5))
        wizard = self.env["dunning.invoice.answer"].with_user(self.collections_user).with_context(
            active_model="account.move", active_ids=invoice.ids).create({"promise_date": day(12)})
        wizard.action_confirm()
        self.assertEqual(self.case().promise_ids.source, "staff")
