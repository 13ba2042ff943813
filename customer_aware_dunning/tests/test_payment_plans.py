"""Payment plans chosen on the portal page, then lived through the daily run with real payments.

Through the real routes (tokens, CSRF): a preview stores nothing; one click agrees;
outside the bounds the choice is a request for a person. Then the daily run, on
chosen days: no reminder while the plan runs, the friendly note before the first
instalment, a real payment marks an instalment paid, a late one breaks the plan
once, the last payment completes it and closes the case.
"""

from datetime import timedelta

from odoo import http
from odoo.tests import HttpCase, tagged

from ..policy.payment_plans import add_months
from .common import DunningCommon
from .test_portal import TODAY

FIRST = TODAY + timedelta(days=10)


@tagged("post_install", "-at_install")
class TestPaymentPlans(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Planned Oy", "is_company": True, "email": "ap@planned.example", "user_id": cls.salesperson.id,
        })
        cls.other = cls.env["res.partner"].create({"name": "Bystander Oy", "is_company": True,
                                                   "email": "ap@bystander.example"})
        cls.invoice = cls.make_invoice(cls.customer, TODAY - timedelta(days=60), TODAY - timedelta(days=20), 900)
        cls.other_invoice = cls.make_invoice(cls.other, TODAY - timedelta(days=60), TODAY - timedelta(days=20), 500)
        cls.env["dunning.case"]._sync_open_cases(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.other_case = cls.env["dunning.case"].search([("partner_id", "=", cls.other.id)])

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    def post(self, values, case=None, token=None, csrf=True):
        case = case or self.case
        data = {"access_token": token if token is not None else case._portal_ensure_token(), "kind": "plan",
                **values}
        if csrf:
            data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(f"/my/collections/{case.id}/answer", data=data, allow_redirects=False)

    def agree(self, instalments="3", first_date=None):
        return self.post({"plan_step": "agree", "instalments": instalments,
                          "first_date": str(first_date or FIRST)})

    def run_on(self, day):
        self.env["dunning.run"]._run_company(self.company, day)
        self.env.invalidate_all()

    def events(self, kind, case=None):
        return (case or self.case).event_ids.filtered(lambda event: event.kind == kind)

    def stored(self):
        cases = self.case | self.other_case
        cases.invalidate_recordset()
        return (cases.payment_plan_ids.ids, cases.event_ids.ids, cases.activity_ids.ids, cases.message_ids.ids)

    # ------------------------------------------------------------------ the portal

    def test_preview_shows_dates_and_amounts_and_stores_nothing(self):
        before = self.stored()
        response = self.post({"plan_step": "preview", "instalments": "3", "first_date": str(FIRST)})
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn("o_dunning_plan_preview", response.text)
        self.assertIn("Agree to this plan", response.text)
        self.assertIn("300.00", response.text)
        self.assertEqual(self.stored(), before)

    def test_plan_within_bounds_is_agreed_in_one_click_and_lived_through_the_run(self):
        page = self.url_open(self.case.get_portal_url())
        self.assertIn("Pay in instalments", page.text)
        response = self.agree()
        self.assertEqual(response.status_code, 303, response.text[:300])
        plan = self.case.payment_plan_ids
        self.assertEqual((plan.state, plan.source, plan.agreed_on, plan.amount_total), ("agreed", "portal", TODAY, 900))
        self.assertEqual(plan.instalment_ids.mapped("amount"), [300, 300, 300])
        self.assertEqual(plan.instalment_ids.mapped("date"), [add_months(FIRST, index) for index in range(3)])
        self.assertEqual(plan.invoice_ids, self.invoice)
        self.assertTrue(self.invoice.dunning_held_by_outcome)
        self.assertTrue(self.events("plan_agreed"))
        self.assertFalse(self.case.activity_ids, "agreed alone: nobody has to approve")
        page = self.url_open(self.case.get_portal_url())
        self.assertIn("o_dunning_plan_running", page.text)
        self.assertNotIn("Pay in instalments", page.text)

        # No reminder while the plan runs, whatever the journey says for 20+ days overdue.
        self.run_on(TODAY)
        self.assertFalse(self.events("step"), "no reminder while the plan is agreed")
        self.assertEqual(self.case.state, "open")
        self.assertTrue(self.events("step", self.other_case), "the other customer's journey goes on")

        # The friendly note before the first instalment, once.
        self.run_on(FIRST - timedelta(days=3))
        notes = self.events("plan_note")
        self.assertEqual(len(notes), 1)
        note_mail = self.case.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertIn(self.customer, note_mail.partner_ids)
        self.assertIn("instalment", note_mail[:1].body)
        self.run_on(FIRST - timedelta(days=2))
        self.assertEqual(len(self.events("plan_note")), 1, "one note per instalment")
        self.assertFalse(self.events("step"))

        # A real payment marks the first instalment paid (and thanks the customer).
        self.pay(self.invoice, FIRST, amount=300)
        self.run_on(FIRST)
        first, second, _third = plan.instalment_ids
        self.assertEqual((first.state, first.paid_on, second.state), ("paid", FIRST, "due"))
        self.assertEqual((plan.state, plan.amount_paid), ("kept", 300))
        self.assertEqual(len(self.events("plan_instalment_paid")), 1)

        # The second is late: broken after the policy's days, once; the journey resumes.
        self.run_on(second.date + timedelta(days=1))
        self.assertEqual((second.state, plan.state), ("late", "kept"))
        self.run_on(second.date + timedelta(days=7))
        self.assertEqual(plan.state, "broken")
        self.assertEqual(len(self.events("plan_broken")), 1)
        self.assertTrue(self.case.activity_ids.filtered(lambda act: "Broken payment plan" in (act.summary or "")))
        self.assertFalse(self.invoice.dunning_held_by_outcome, "a broken plan holds nothing back")
        self.run_on(second.date + timedelta(days=8))
        self.assertEqual(len(self.events("plan_broken")), 1, "broken once")

    def test_completed_plan_closes_the_case_and_no_new_case_opens(self):
        self.assertEqual(self.agree("2").status_code, 303)
        plan = self.case.payment_plan_ids
        self.pay(self.invoice, FIRST, amount=450)
        self.run_on(FIRST)
        self.assertEqual(plan.state, "kept")
        self.pay(self.invoice, FIRST + timedelta(days=20), amount=450)
        self.run_on(FIRST + timedelta(days=20))
        self.assertEqual((plan.state, plan.ended_on), ("completed", FIRST + timedelta(days=20)))
        self.assertEqual((self.case.state, self.case.outcome), ("closed", "payment_plan"))
        self.assertTrue(self.events("plan_completed"))
        self.run_on(FIRST + timedelta(days=21))
        self.assertEqual(self.env["dunning.case"].search_count([("partner_id", "=", self.customer.id)]), 1)
        self.env.flush_all()
        row = self.env["dunning.case.report"].search([("case_id", "=", self.case.id)])
        self.assertEqual((row.plans_agreed_count, row.plans_completed_count, row.plans_broken_count,
                          row.recovered_by_plan, row.handed_over_count), (1, 1, 0, 900, 0))

    def test_plan_outside_the_bounds_is_a_request_for_a_person_and_no_plan(self):
        preview = self.post({"plan_step": "preview", "instalments": "12", "first_date": str(FIRST)})
        self.assertEqual(preview.status_code, 200)
        self.assertIn("Ask a person for this plan", preview.text)
        self.assertIn("At most 6 instalments", preview.text)
        response = self.agree("12")
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.case.payment_plan_ids)
        answer = self.events("customer_answer")
        self.assertIn("outside the limits", answer.description)
        activity = self.case.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Payment plan to decide", activity.summary)
        self.assertFalse(self.invoice.dunning_held_by_outcome, "the journey goes on until a person decides")

    # ------------------------------------------------------------------ hostile input

    def test_hostile_plan_input_is_refused_and_nothing_is_stored(self):
        before = self.stored()
        hostile = {
            "one instalment": {"instalments": "1"},
            "zero": {"instalments": "0"},
            "negative": {"instalments": "-3"},
            "fraction": {"instalments": "2.5"},
            "thirty digits": {"instalments": "9" * 30},
            "letters": {"instalments": "three"},
            "missing count": {"instalments": ""},
            "past date": {"first_date": str(TODAY - timedelta(days=1))},
            "far date": {"first_date": str(TODAY + timedelta(days=4000))},
            "year 9999": {"first_date": "9999-12-31"},
            "february 30": {"first_date": f"{TODAY.year}-02-30"},
            "words": {"first_date": "next friday"},
            "script": {"first_date": "<script>alert(1)</script>"},
            "missing date": {"first_date": ""},
        }
        for name, values in hostile.items():
            for step in ("preview", "agree"):
                with self.subTest(value=name, step=step):
                    data = {"plan_step": step, "instalments": "3", "first_date": str(FIRST), **values}
                    response = self.post(data)
                    self.assertEqual(response.status_code, 400, response.text[:300])
                    self.assertNotIn("Traceback", response.text)
                    self.assertNotIn("<script>alert(1)</script>", response.text)
        self.assertEqual(self.stored(), before)

    def test_forged_tokens_and_missing_csrf_are_refused(self):
        before = self.stored()
        token = self.case._portal_ensure_token()
        for name, token_value in {"tampered": token + "x", "other case's": self.other_case._portal_ensure_token(),
                                  "none": "", "non-ascii": "ä" * 10}.items():
            with self.subTest(token=name):
                response = self.post({"plan_step": "agree", "instalments": "3", "first_date": str(FIRST)},
                                     token=token_value)
                self.assertEqual(response.status_code, 404)
        response = self.post({"plan_step": "agree", "instalments": "3", "first_date": str(FIRST)}, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.stored(), before)

    def test_a_second_plan_while_one_runs_is_refused(self):
        self.assertEqual(self.agree().status_code, 303)
        response = self.agree("2")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(self.case.payment_plan_ids), 1)
