"""The page a reminder links to, through the real routes: what it shows, each answer, and who may open it."""

from datetime import date, timedelta

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import DunningCommon

TODAY = date.today()  # the routes work on the server's day


@tagged("post_install", "-at_install")
class TestPortal(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example", "user_id": cls.salesperson.id,
        })
        cls.other = cls.env["res.partner"].create({"name": "Other Oy", "is_company": True, "email": "ap@other.example"})
        cls.invoice = cls.make_invoice(cls.customer, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 1000)
        cls.other_invoice = cls.make_invoice(cls.other, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 777)
        cls.env["dunning.case"]._sync_open_cases(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.other_case = cls.env["dunning.case"].search([("partner_id", "=", cls.other.id)])
        cls.reasons = cls.env["dunning.delay.reason"]._for_company(cls.company)

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    def page_url(self, case=None):
        return (case or self.case).get_portal_url()

    def answer(self, kind, case=None, token=None, **values):
        case = case or self.case
        return self.url_open(f"/my/collections/{case.id}/answer", data={
            "csrf_token": http.Request.csrf_token(self),
            "access_token": token if token is not None else case._portal_ensure_token(),
            "kind": kind,
            **values,
        }, allow_redirects=False)

    def answers(self, case=None):
        return (case or self.case).event_ids.filtered(lambda event: event.kind == "customer_answer")

    def assert_refused(self, response, text=None):
        self.assertEqual(response.status_code, 400, response.text[:500])
        if text:
            self.assertIn(text, response.text)
        self.assertFalse(self.answers())

    # ------------------------------------------------------------------ the page

    def test_reminders_link_to_the_page(self):
        body = self.env.ref("customer_aware_dunning.mail_template_gentle_reminder")._render_field(
            "body_html", self.case.ids)[self.case.id]
        self.assertIn(f"/my/collections/{self.case.id}?access_token={self.case.access_token}", body)
        self.assertIn("Tell us about these invoices", body)

    def test_valid_token_shows_the_case_invoices_and_the_answers(self):
        response = self.url_open(self.page_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice.name, response.text)
        self.assertIn(f"/my/invoices/{self.invoice.id}?access_token=", response.text, "links to Odoo's invoice page")
        self.assertNotIn(self.other_invoice.name, response.text)
        self.assertIn("We are short of cash for now", response.text, "the policy's reasons, in customer words")
        self.assertIn(self.company.name, response.text)
        self.assertIn('name="csrf_token"', response.text)

    def test_tampered_token_and_other_case_are_refused_with_nothing_shown(self):
        token = self.case._portal_ensure_token()
        for url in (f"/my/collections/{self.case.id}?access_token={token}x",
                    f"/my/collections/{self.case.id}",
                    f"/my/collections/{self.other_case.id}?access_token={token}",
                    f"/my/collections/999999?access_token={token}"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertIn("This link is not valid", response.text)
                self.assertNotIn(self.invoice.name, response.text)
                self.assertNotIn(self.other_invoice.name, response.text)
                self.assertNotIn("Other Oy", response.text)
        response = self.url_open(f"/my/invoices/{self.other_invoice.id}?access_token={token}")
        self.assertNotIn(self.other_invoice.name, response.text, "a case's token opens no other invoice")
        response = self.answer("question", case=self.other_case, token=token, message="Hello")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.answers(self.other_case))
        response = self.answer("question", token=token + "x", message="Hello")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.answers())

    def test_link_of_a_case_closed_long_ago_has_expired(self):
        url = self.page_url()
        self.case._close("paid", TODAY - timedelta(days=5), "Paid.")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Nothing is left to pay", response.text)
        self.assert_refused(self.answer("question", message="Still there?"), "This case is closed")
        self.case.closed_on = TODAY - timedelta(days=31)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.invoice.name, response.text)

    # ------------------------------------------------------------------ the answers

    def test_reason_updates_the_invoices_notifies_the_owner_and_pauses_the_next_run(self):
        response = self.answer("reason", reason="dispute", message="The second line was never delivered.")
        self.assertEqual(response.status_code, 303)
        self.assertIn("answered=1", response.headers["Location"])
        self.assertEqual(self.invoice.dunning_delay_reason_id, self.reasons["dispute"])
        self.assertEqual(self.invoice.dunning_delay_note, "The second line was never delivered.")
        self.assertEqual(len(self.answers()), 1)
        self.assertIn("I disagree with this invoice", self.answers().description)
        activity = self.case.activity_ids.filtered(lambda a: a.summary.startswith("Customer answered"))
        self.assertEqual(activity.user_id, self.salesperson, "a dispute belongs to the salesperson")
        self.env["dunning.run"]._run_company(self.company, TODAY)
        self.assertEqual(self.case.state, "paused")

    def test_reason_naming_finance_goes_to_the_collections_owner(self):
        self.case.collector_id = self.collections_manager
        self.answer("reason", reason="our_error")
        activity = self.case.activity_ids.filtered(lambda a: a.summary.startswith("Customer answered"))
        self.assertEqual(activity.user_id, self.collections_manager)

    def test_unknown_reason_is_refused(self):
        self.assert_refused(self.answer("reason", reason="not_a_reason"), "choose one of the reasons")
        self.assertFalse(self.invoice.dunning_delay_reason_id)

    def test_promise_records_date_and_amount_and_holds_the_next_run(self):
        promised = TODAY + timedelta(days=10)
        response = self.answer("promise", promise_date=promised.isoformat(), promise_amount="400")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.invoice.dunning_promise_date, promised)
        self.assertEqual(self.invoice.dunning_promise_amount, 400)
        self.assertEqual(len(self.answers()), 1)
        self.assertTrue(self.case.event_ids.filtered(lambda e: e.kind == "delay_reason"),
                        "the invoices' own write path logged the promise too")
        activity = self.case.activity_ids.filtered(lambda a: a.summary.startswith("Customer answered"))
        self.assertEqual(activity.user_id, self.salesperson)
        self.env["dunning.run"]._run_company(self.company, TODAY)
        self.assertEqual(self.case.state, "paused")
        self.assertEqual(self.case.pause_until, promised + timedelta(days=1))

    def test_promise_on_the_portal_is_one_promise_record(self):
        second = self.make_invoice(self.customer, TODAY - timedelta(days=30), TODAY - timedelta(days=5), 500)
        self.env["dunning.case"]._sync_open_cases(self.company, TODAY)
        promised = TODAY + timedelta(days=10)
        self.answer("promise", promise_date=promised.isoformat(), promise_amount="1200")
        promise = self.case.promise_ids
        self.assertEqual(len(promise), 1, "one promise for the customer, not one per invoice")
        self.assertEqual((promise.date, promise.amount, promise.source, promise.state),
                         (promised, 1200, "portal", "pending"))
        self.assertEqual(promise.invoice_ids, self.invoice | second)
        self.assertEqual(promise.owed_at_promise, 1500)

    def test_promise_outside_the_policy_limits_is_refused(self):
        for values in ({"promise_date": (TODAY + timedelta(days=31)).isoformat()},
                       {"promise_date": (TODAY - timedelta(days=1)).isoformat()},
                       {"promise_date": "tomorrow"},
                       {"promise_date": (TODAY + timedelta(days=5)).isoformat(), "promise_amount": "-5"},
                       {"promise_date": (TODAY + timedelta(days=5)).isoformat(), "promise_amount": "5000"}):
            with self.subTest(values=values):
                self.assert_refused(self.answer("promise", **values))
        self.assertFalse(self.invoice.dunning_promise_date)
        self.assertFalse(self.case.promise_ids)

    def test_payment_plan_within_the_limit(self):
        self.assert_refused(self.answer("payment_plan", instalments="7"), "2 to 6 instalments")
        response = self.answer("payment_plan", instalments="3", message="Monthly, please.")
        self.assertEqual(response.status_code, 303)
        self.assertIn("3 instalments", self.invoice.dunning_delay_note)
        self.assertIn("3 instalments", self.answers().description)
        self.assertTrue(self.case.activity_ids.filtered(lambda a: a.user_id == self.salesperson))

    def test_question_is_posted_escaped_and_bounded(self):
        self.assert_refused(self.answer("question", message="x" * 2001), "2000 characters")
        self.assert_refused(self.answer("question", message="   "))
        self.answer("question", message="<script>alert(1)</script> Which invoice is this?")
        self.assertIn("<script>alert(1)</script>", self.answers().description)
        message = self.case.message_ids.filtered(lambda m: "Which invoice" in (m.body or ""))[:1]
        self.assertIn("&lt;script&gt;", message.body)
        self.assertNotIn("<script>", message.body)
        activity = self.case.activity_ids.filtered(lambda a: a.summary.startswith("Customer answered"))
        self.assertNotIn("<script>", activity.note or "")

    def test_answers_are_rate_limited(self):
        for index in range(5):
            self.assertEqual(self.answer("question", message=f"Question {index}").status_code, 303)
        response = self.answer("question", message="One more")
        self.assertEqual(response.status_code, 400)
        self.assertIn("wait a little", response.text)
        self.assertEqual(len(self.answers()), 5)

    def test_answer_without_csrf_token_is_refused(self):
        response = self.url_open(f"/my/collections/{self.case.id}/answer", data={
            "access_token": self.case._portal_ensure_token(), "kind": "question", "message": "Hi",
        }, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.answers())

    # ------------------------------------------------------------------ logged-in customers

    def test_portal_user_sees_its_company_cases_only(self):
        contact = self.env["res.partner"].create({"name": "Anna Bertta", "parent_id": self.customer.id,
                                                  "email": "anna@bertta.example"})
        self.env["res.users"].create({
            "name": "Anna Bertta", "login": "anna.portal", "password": "anna.portal", "partner_id": contact.id,
            "group_ids": [(6, 0, [self.env.ref("base.group_portal").id])],
        })
        self.authenticate("anna.portal", "anna.portal")
        response = self.url_open("/my/collections")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.case.name, response.text)
        self.assertNotIn(self.other_case.name, response.text)
        self.assertEqual(self.url_open(f"/my/collections/{self.other_case.id}").status_code, 404)
        home = self.url_open("/my/counters", json={"params": {"counters": ["dunning_case_count"]}}).json()
        self.assertEqual(home["result"]["dunning_case_count"], 1)

    # ------------------------------------------------------------------ rating

    def test_rating_link_stores_the_score_on_the_case_the_customer_and_the_invoices(self):
        self.case._close("paid", TODAY, "Paid.")
        token = self.case._rating_get_access_token()
        self.assertEqual(self.url_open(f"/rate/{token}/5").status_code, 200)
        response = self.url_open(f"/rate/{token}/submit_feedback", data={
            "rate": 5, "feedback": "Friendly and clear.", "csrf_token": http.Request.csrf_token(self),
        })
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.case.rating_last_value, 5)
        self.assertEqual(self.case.rating_last_feedback, "Friendly and clear.")
        self.assertEqual(self.invoice.dunning_satisfaction, 5)
        self.refresh_facts(today=TODAY)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.with_company(self.company).dunning_last_satisfaction, 5)
