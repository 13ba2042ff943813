"""The case page's link in a collection email opens for the recipient who got it: signed per recipient
(``pid`` and ``hash``, as Odoo signs portal links), followed from the queued mail's body through the real routes."""

import html
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import DunningCommon

TODAY = date.today()  # the routes work on the server's day
POLICY = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder, cc: [salesperson]}
"""
CASE_LINK = re.compile(r'href="([^"]*/my/collections/\d+\?[^"]*)"')


@tagged("post_install", "-at_install")
class TestRecipientLinks(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.env["dunning.policy"].create({"name": "Links", "company_id": cls.company.id,
                                          "yaml_text": POLICY}).action_activate()
        cls.salesperson.email = "sally@example.com"
        cls.customer = cls.env["res.partner"].create({
            "name": "Koivu Oy", "is_company": True, "email": "info@koivu.example", "user_id": cls.salesperson.id,
        })
        cls.billing = cls.env["res.partner"].create({
            "name": "Koivu Accounts", "type": "invoice", "parent_id": cls.customer.id, "email": "ap@koivu.example",
        })
        cls.make_invoice(cls.customer, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 500)
        cls.env["dunning.run"]._run_company(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])

    def link_in_mail_to(self, partner):
        mail = self.env["mail.mail"].search([("model", "=", "dunning.case"), ("res_id", "=", self.case.id),
                                             ("recipient_ids", "in", partner.ids)])
        self.assertEqual(len(mail), 1, "one queued mail for the recipient")
        self.assertEqual(mail.state, "outgoing")
        links = {html.unescape(url) for url in CASE_LINK.findall(mail.body_html)}
        self.assertEqual(len(links), 1, links)
        parts = urlsplit(links.pop())
        return f"{parts.path}?{parts.query}", parse_qs(parts.query)

    def answer(self, page, message):
        form = page.text.split('o_dunning_answer_question')[1].split("</form>")[0]
        values = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
        values.update({"csrf_token": http.Request.csrf_token(self), "message": message})
        return self.url_open(f"/my/collections/{self.case.id}/answer", data=values, allow_redirects=False)

    def last_answer(self):
        return self.case.event_ids.filtered(lambda event: event.kind == "customer_answer").sorted("id")[-1:]

    def test_the_invoice_contact_follows_its_own_signed_link(self):
        url, query = self.link_in_mail_to(self.billing)
        self.assertEqual(query["pid"], [str(self.billing.id)])
        self.assertEqual(query["access_token"], [self.case.access_token])
        self.authenticate(None, None)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Hello Koivu Accounts", page.text, "the page knows who opened it")
        response = self.answer(page, "Paying on Friday")
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.last_answer().description.startswith("Koivu Accounts answered online."),
                        self.last_answer().description)

    def test_the_salesperson_copy_is_not_signed_for_the_customer(self):
        _url, query = self.link_in_mail_to(self.salesperson.partner_id)
        self.assertNotIn("pid", query, "an internal user's copy carries no customer's signature")

    def test_a_forged_signature_opens_the_page_for_no_one_in_particular(self):
        url, query = self.link_in_mail_to(self.billing)
        forged = url.replace(query["hash"][0], "0" * len(query["hash"][0]))
        other = url.replace(f"pid={self.billing.id}", f"pid={self.salesperson.partner_id.id}")
        self.authenticate(None, None)
        for link in (forged, other):
            with self.subTest(link=link):
                page = self.url_open(link)
                self.assertEqual(page.status_code, 200, "the case's token still opens the page")
                self.assertNotIn("Hello ", page.text)
                self.assertNotIn('name="pid"', page.text)
        response = self.url_open(f"/my/collections/{self.case.id}/answer", data={
            "csrf_token": http.Request.csrf_token(self), "access_token": self.case.access_token, "kind": "question",
            "message": "Who am I?", "pid": str(self.billing.id), "hash": "0" * 64,
        }, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.last_answer().description.startswith("The customer answered online."))
