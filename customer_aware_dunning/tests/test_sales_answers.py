"""The salesperson hears of their customer's portal answers and broken promises, as the policy's tell_salesperson says.

The customer answers through the real route (as test_portal.py does); a broken promise is decided by the run's
own promise check.
"""

from datetime import date, timedelta

from odoo import Command, http
from odoo.tests import HttpCase, tagged

from .common import DunningCommon

TODAY = date.today()  # the routes work on the server's day


@tagged("post_install", "-at_install")
class TestSalespersonHearsAnswers(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example", "user_id": cls.salesperson.id})
        cls.invoice = cls.make_invoice(cls.customer, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 1000)
        cls.env["dunning.case"]._sync_open_cases(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.case.collector_id = cls.collections_manager

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    def policy(self, tell):
        policy = self.env["dunning.policy"]._active_for(self.company)
        draft = policy.browse(policy.action_new_version()["res_id"])
        draft.yaml_text = policy.yaml_text.split("\ntell_salesperson:")[0] + f"\ntell_salesperson: {tell}\n"
        draft.action_activate()

    def answer(self, kind, **values):
        response = self.url_open(f"/my/collections/{self.case.id}/answer", data={
            "csrf_token": http.Request.csrf_token(self), "access_token": self.case._portal_ensure_token(),
            "kind": kind, **values,
        }, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), response.text[:300])

    def notes_to_salesperson(self):
        return self.case.message_ids.filtered(lambda message: self.salesperson.partner_id in message.partner_ids)

    def todos(self, user):
        return self.case.activity_ids.filtered(lambda activity: activity.user_id == user)

    def test_a_reason_for_finance_still_reaches_the_salesperson(self):
        self.answer("reason", reason="our_error", message="The price is wrong")
        self.assertTrue(self.todos(self.collections_manager), "finance owns our own errors")
        [note] = self.notes_to_salesperson()
        self.assertIn("Your customer Bertta Oy answered online.", note.body)
        self.assertIn("The price is wrong", note.body)
        todo = self.todos(self.salesperson)
        self.assertEqual(todo.summary, "Your customer Bertta Oy answered online.")

    def test_a_promise_reaches_the_salesperson_once(self):
        self.answer("promise", promise_date=str(TODAY + timedelta(days=5)))
        self.assertEqual(len(self.notes_to_salesperson()), 1)
        self.assertEqual(len(self.todos(self.salesperson)), 1, "the answer's To-Do is theirs already: no second one")

    def test_a_plan_request_reaches_the_salesperson(self):
        self.answer("payment_plan", instalments="2")
        [note] = self.notes_to_salesperson()
        self.assertIn("payment plan", note.body)
        self.assertTrue(self.todos(self.salesperson))

    def test_the_policy_may_say_a_note_only_or_nothing(self):
        self.policy("{customer_answer: note}")
        self.answer("reason", reason="our_error")
        self.assertEqual(len(self.notes_to_salesperson()), 1)
        self.assertFalse(self.todos(self.salesperson), "a note, no To-Do")
        self.policy("{customer_answer: none}")
        self.answer("question", message="Which invoice?")
        self.assertEqual(len(self.notes_to_salesperson()), 1, "nothing more")

    def test_a_broken_promise_reaches_the_salesperson(self):
        promise = self.env["dunning.promise"].sudo().create({
            "partner_id": self.customer.id, "company_id": self.company.id, "case_id": self.case.id,
            "invoice_ids": [Command.set(self.invoice.ids)], "date": TODAY - timedelta(days=3),
            "owed_at_promise": 1000})
        self.env["dunning.promise"].sudo()._decide_promises(self.company, TODAY)  # as the daily run does
        self.assertEqual(promise.state, "broken")
        [note] = self.notes_to_salesperson()
        self.assertIn("Your customer Bertta Oy broke a promise to pay.", note.body)
        self.assertEqual(len(self.todos(self.salesperson)), 1,
                         "the default policy's call by the salesperson is the one To-Do")
