"""Hostile answers on the customer's page, through the real routes (``url_open`` with tokens and CSRF).

Each class of input below is a table; every case is refused (400 with a message for
the customer, or the plain "link not valid" 404) or escaped, and nothing is stored:
no answer event, no change on the invoices, no activity.  ``HOSTILE_PORTAL_CLASSES``
counts the cases per class for README.md ("Hostile input").
"""

from datetime import timedelta

from odoo import fields, http
from odoo.tests import HttpCase, tagged

from .common import DunningCommon
from .test_portal import TODAY

LATER = TODAY + timedelta(days=5)

DATES = {
    "yesterday": str(TODAY - timedelta(days=1)),
    "beyond-the-policy-limit": str(TODAY + timedelta(days=400)),
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "february-30": f"{TODAY.year}-02-30",
    "five-digit-year": "99999-01-01",
    "words": "next friday",
    "script": "<script>alert(1)</script>",
    "nul": "2026\x00-01-01",
    "missing": "",
}
AMOUNTS = {
    "negative": "-1", "zero": "0", "negative-zero": "-0", "more-than-owed": "1000.01", "enormous": "1e400",
    "infinity": "inf", "not-a-number": "nan", "twenty-digits": "99999999999999999999", "comma-thousands": "1,000",
    "letters": "12abc", "hexadecimal": "0x10", "script": "<b>5</b>",
}
INSTALMENTS = {
    "one": "1", "zero": "0", "negative": "-3", "over-the-limit": "13", "fraction": "2.5", "letters": "three",
    "thirty-digits": "9" * 30, "missing": "",
}
KINDS = {"unknown": "refund", "script": "<script>alert(1)</script>", "missing": None, "list-syntax": "reason[]"}
MARKUP = {
    "script": "<script>alert('x')</script>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "javascript-link": '<a href="javascript:alert(1)">pay here</a>',
    "closing-tags": "</textarea></div><h1>Owned</h1>",
    "template-syntax": "{{ 7*7 }} ${7*7} <t t-out=\"1\"/>",
}


@tagged("post_install", "-at_install")
class TestPortalHostile(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Hostile Oy", "is_company": True, "email": "ap@hostile.example", "user_id": cls.salesperson.id,
        })
        cls.other = cls.env["res.partner"].create({"name": "Bystander Oy", "is_company": True,
                                                   "email": "ap@bystander.example"})
        cls.invoice = cls.make_invoice(cls.customer, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 1000)
        cls.other_invoice = cls.make_invoice(cls.other, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 500)
        cls.env["dunning.case"]._sync_open_cases(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.other_case = cls.env["dunning.case"].search([("partner_id", "=", cls.other.id)])
        cls.reason_key = next(iter(cls.case._portal_reasons()))

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    def post(self, values, case=None, token=None, csrf=True):
        case = case or self.case
        data = {"access_token": token if token is not None else case._portal_ensure_token(), **values}
        if csrf:
            data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(f"/my/collections/{case.id}/answer", data=data, allow_redirects=False)

    def stored(self):
        """What an answer would change: events, invoice fields, activities and chatter of both cases."""
        cases = self.case | self.other_case
        cases.invalidate_recordset()
        (self.invoice | self.other_invoice).invalidate_recordset()
        return (
            cases.event_ids.filtered(lambda event: event.kind == "customer_answer").ids,
            [(move.dunning_promise_date, move.dunning_promise_amount, move.dunning_delay_reason_id.id,
              move.dunning_delay_note) for move in self.invoice | self.other_invoice],
            cases.activity_ids.ids,
            cases.message_ids.ids,
        )

    def assert_refused(self, response, status=400):
        self.assertEqual(response.status_code, status, response.text[:300])
        self.assertNotIn("Traceback", response.text)
        return response

    def assert_no_markup(self, text, payload):
        """``payload`` (when it holds markup) does not appear as markup in ``text``: it is escaped or absent."""
        if "<" in payload:
            self.assertNotIn(payload, text)
            self.assertNotIn(payload.replace("\x00", ""), text)

    # ------------------------------------------------------------------ out-of-range and non-numeric values

    def test_promise_dates_out_of_range_or_unreadable_are_refused(self):
        before = self.stored()
        for name, value in DATES.items():
            with self.subTest(date=name):
                response = self.assert_refused(self.post({"kind": "promise", "promise_date": value,
                                                          "promise_amount": "100"}))
                self.assertTrue("Please choose a date between" in response.text or "year-month-day" in response.text)
                self.assert_no_markup(response.text, value)
        self.assertEqual(self.stored(), before)

    def test_promise_amounts_negative_enormous_or_not_numbers_are_refused(self):
        before = self.stored()
        for name, value in AMOUNTS.items():
            with self.subTest(amount=name):
                response = self.assert_refused(self.post({"kind": "promise", "promise_date": str(LATER),
                                                          "promise_amount": value}))
                self.assertTrue("The amount must be positive" in response.text or "digits" in response.text)
        self.assertEqual(self.stored(), before)
        # The edge of what is allowed is stored as given.
        self.assertEqual(self.post({"kind": "promise", "promise_date": str(LATER), "promise_amount": "1000"})
                         .status_code, 303)
        self.assertEqual((self.invoice.dunning_promise_date, self.invoice.dunning_promise_amount), (LATER, 1000))
        self.assertFalse(self.other_invoice.dunning_promise_date)

    def test_instalments_out_of_range_or_not_numbers_are_refused(self):
        before = self.stored()
        for name, value in INSTALMENTS.items():
            with self.subTest(instalments=name):
                response = self.assert_refused(self.post({"kind": "payment_plan", "instalments": value}))
                self.assertTrue("2 to" in response.text or "digits" in response.text)
        self.assertEqual(self.stored(), before)

    def test_unknown_kinds_and_reasons_are_refused(self):
        before = self.stored()
        for name, kind in KINDS.items():
            with self.subTest(kind=name):
                values = {"kind": kind} if kind is not None else {}
                response = self.assert_refused(self.post({**values, "message": "Hello"}))
                self.assertIn("Unknown kind of answer", response.text)
                self.assert_no_markup(response.text, kind or "")
        reasons = ("", "nonexistent", "<script>alert(1)</script>", self.reason_key.upper(), f"{self.reason_key}\x00")
        for reason in reasons:
            with self.subTest(reason=reason):
                response = self.assert_refused(self.post({"kind": "reason", "reason": reason}))
                self.assertIn("Please choose one of the reasons", response.text)
                self.assert_no_markup(response.text, reason)
        self.assertEqual(self.stored(), before)

    # ------------------------------------------------------------------ text: escaped, bounded, storable

    def test_markup_in_messages_is_stored_as_text_and_shown_escaped(self):
        for name, payload in MARKUP.items():
            with self.subTest(markup=name):
                self.case.event_ids.filtered(lambda event: event.kind == "customer_answer").sudo().unlink()
                self.assertEqual(self.post({"kind": "question", "message": payload}).status_code, 303)
                event = self.case.event_ids.filtered(lambda event: event.kind == "customer_answer")
                self.assertIn(payload, event.description, "stored as the customer wrote it, as text")
                message = self.case.message_ids.filtered(lambda m: "Asks a question" in (m.body or ""))[:1]
                self.assert_no_markup(str(message.body), payload)
                activity = self.case.activity_ids.sorted("id")[-1:]
                self.assert_no_markup(str(activity.note), payload)
                page = self.url_open(self.case.get_portal_url())
                self.assertEqual(page.status_code, 200)
                self.assert_no_markup(page.text, payload)
        # Refused answers (a bad date) do not echo the markup either.
        response = self.assert_refused(self.post({"kind": "promise", "promise_date": "x",
                                                  "message": MARKUP["script"]}))
        self.assert_no_markup(response.text, MARKUP["script"])

    def test_control_characters_are_dropped_and_oversized_text_refused(self):
        before = self.stored()
        self.assert_refused(self.post({"kind": "question", "message": "x" * 200_000}))
        self.assert_refused(self.post({"kind": "question", "message": "\x00\x01\x1f"}))
        self.assertEqual(self.stored(), before)
        self.assertEqual(self.post({"kind": "question", "message": "Which\x00 invoice\x07?\tThanks\r\n"})
                         .status_code, 303)
        event = self.case.event_ids.filtered(lambda event: event.kind == "customer_answer")
        self.assertIn("Which invoice?\tThanks", event.description)
        response = self.post({"kind": "payment_plan", "instalments": "3", "message": "Monthly\x00"})
        self.assertEqual(response.status_code, 303)
        self.assertIn("Monthly", self.invoice.dunning_delay_note)
        self.assertNotIn("\x00", self.invoice.dunning_delay_note)

    # ------------------------------------------------------------------ tokens, ids and CSRF

    def test_forged_missing_and_other_case_tokens_open_nothing_and_store_nothing(self):
        token = self.case._portal_ensure_token()
        other_token = self.other_case._portal_ensure_token()
        tokens = {
            "missing": "", "wrong": "0" * len(token), "truncated": token[:-1], "longer": token + "0",
            "upper-case": token.upper() if token.upper() != token else token + "X", "other-case": other_token,
            "ten-kilobytes": "a" * 10_000, "unicode": "ä" * len(token), "nul": token[:4] + "\x00" + token[5:],
            "sql": "' OR '1'='1",
        }
        before = self.stored()
        for name, value in tokens.items():
            with self.subTest(token=name):
                page = self.url_open(f"/my/collections/{self.case.id}?access_token={value}")
                self.assert_refused(page, 404)
                self.assertNotIn(self.case.name, page.text)
                self.assertNotIn("1,000", page.text)
                self.assert_refused(self.post({"kind": "question", "message": "Hi"}, token=value), 404)
        # The right token of the other case on this case's id, and this case's token on the other id.
        self.assert_refused(self.post({"kind": "question", "message": "Hi"}, case=self.other_case, token=token), 404)
        self.assertEqual(self.stored(), before)

    def test_ids_out_of_range_are_not_found(self):
        token = self.case._portal_ensure_token()
        for case_id in ("0", "2147483648", "99999999999999999999", "-1", "1e3", f"{self.case.id}abc"):
            with self.subTest(case_id=case_id):
                self.assert_refused(self.url_open(f"/my/collections/{case_id}?access_token={token}"), 404)

    def test_forged_or_missing_csrf_token_is_refused(self):
        before = self.stored()
        self.assert_refused(self.post({"kind": "question", "message": "Hi"}, csrf=False))
        self.assert_refused(self.post({"kind": "question", "message": "Hi", "csrf_token": "0" * 40 + "o9999999999"},
                                      csrf=False))
        response = self.url_open(f"/my/collections/{self.case.id}/answer?access_token="
                                 f"{self.case._portal_ensure_token()}&kind=question&message=Hi")
        self.assertIn(response.status_code, (404, 405))
        self.assertEqual(self.stored(), before)


HOSTILE_PORTAL_CLASSES = {
    "promise dates out of range or unreadable": len(DATES),
    "amounts negative, enormous or not numbers": len(AMOUNTS) + 1,
    "instalments out of range or not numbers": len(INSTALMENTS),
    "unknown answer kinds and delay reasons": len(KINDS) + 5,
    "HTML/script in the message": len(MARKUP) + 1,
    "control characters and oversized text": 4,
    "forged, missing and other-case access tokens": 10 + 1,
    "case ids out of range": 6,
    "forged or missing CSRF token, GET instead of POST": 3,
    "typed values given to the case's answer method directly": 12,
}


@tagged("post_install", "-at_install")
class TestPortalAnswerMethod(DunningCommon):
    """The case's answer method itself, given typed values no form parser would produce."""

    def test_hostile_typed_values_are_refused_and_nothing_is_stored(self):
        self.env["dunning.policy"]._ensure_default(self.company)
        customer = self.env["res.partner"].create({"name": "Typed Oy", "is_company": True})
        invoice = self.make_invoice(customer, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 1000)
        self.env["dunning.case"]._sync_open_cases(self.company, TODAY)
        case = self.env["dunning.case"].search([("partner_id", "=", customer.id)])
        now = fields.Datetime.now()
        cases = {
            "nan-amount": ("promise", {"promise_date": LATER, "promise_amount": float("nan")}),
            "infinite-amount": ("promise", {"promise_date": LATER, "promise_amount": float("inf")}),
            "negative-amount": ("promise", {"promise_date": LATER, "promise_amount": -5.0}),
            "date-far-away": ("promise", {"promise_date": TODAY + timedelta(days=10_000)}),
            "date-in-the-past": ("promise", {"promise_date": TODAY - timedelta(days=1)}),
            "no-date": ("promise", {}),
            "huge-instalments": ("payment_plan", {"instalments": 10**30}),
            "negative-instalments": ("payment_plan", {"instalments": -2}),
            "unknown-reason": ("reason", {"reason": "<b>x</b>"}),
            "blank-question": ("question", {"message": " \n\t "}),
            "oversized-question": ("question", {"message": "x" * 2001}),
            "unknown-kind": ("__class__", {}),
        }
        for name, (kind, answer) in cases.items():
            with self.subTest(answer=name):
                self.assertTrue(case._portal_answer(kind, answer, TODAY, now))
        self.assertFalse(case.event_ids.filtered(lambda event: event.kind == "customer_answer"))
        self.assertFalse(invoice.dunning_promise_date or invoice.dunning_promise_amount or invoice.dunning_delay_note)
        self.assertFalse(case.activity_ids)
