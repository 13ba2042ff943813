"""Finnish: the module's translation loads, and each customer reads us in their own language.

Only this module's ``i18n/fi.po`` is loaded (as Settings > Languages does for every
module), so the tests stay fast; the completeness of the file is checked without
Odoo in ``tests/test_translations.py``.
"""

import dataclasses
from datetime import date, timedelta

from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
NBSP = "\N{NO-BREAK SPACE}"


def day(offset):
    return DUE + timedelta(days=offset)


class FinnishCommon(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fi_FI")
        cls.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])._update_translations(["fi_FI"])
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.finnish = cls.customer("Bertta Oy", "fi_FI", email="ap@bertta.example")
        cls.english = cls.customer("Aalto Ltd", "en_US", email="ap@aalto.example")

    @classmethod
    def customer(cls, name, lang, **values):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True, "lang": lang,
                                                 "user_id": cls.salesperson.id, **values})
        partner.with_company(cls.company).write({"dunning_segment_id": cls.segments["standard"].id})
        return partner

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)], order="id desc", limit=1)

    def customer_emails(self, partner):
        return self.case_of(partner).message_ids.filtered(lambda message: partner in message.partner_ids)


@tagged("post_install", "-at_install")
class TestFinnish(FinnishCommon):

    def test_the_translation_loads_records_and_templates(self):
        fi = self.env(context={"lang": "fi_FI"})
        self.assertEqual(self.segments["loyal"].with_env(fi).name, "Uskollinen")
        self.assertEqual(self.segments["loyal"].name, "Loyal", "English stays the source")
        reason = self.env.ref("customer_aware_dunning.delay_reason_cash_flow").with_env(fi)
        self.assertEqual(reason.customer_label, "Meillä on juuri nyt tiukkaa rahasta")
        self.assertEqual(self.env.ref("customer_aware_dunning.menu_collections_config").with_env(fi).name,
                         "Asetukset")
        field = self.env["ir.model.fields"]._get("dunning.case", "delay_reason_id").with_env(fi)
        self.assertEqual(field.field_description, "Viivästyksen pääsyy")
        message = "Please write your question."  # a code term of the module (a variable: not a term of the tests)
        self.assertEqual(fi._(message), "Kirjoittakaa kysymyksenne.")

    def test_a_renamed_segment_does_not_keep_its_old_finnish_name(self):
        spec = self.env["dunning.policy"]._active_spec(self.company)
        renamed = dataclasses.replace(spec, segments=tuple(
            dataclasses.replace(segment, label="Key accounts", description="") if segment.key == "strategic"
            else segment for segment in spec.segments
        ))
        fi = self.env(context={"lang": "fi_FI"})
        changes = self.env["dunning.segment"].with_env(fi)._sync_from_policy(renamed, self.company)
        self.assertIn("strategic: nimetty uudelleen: ”Key accounts”", changes)
        strategic = self.env["dunning.segment"]._for_company(self.company)["strategic"]  # shared, or the company's own
        self.assertEqual(strategic.name, "Key accounts")
        self.assertEqual(strategic.with_env(fi).name, "Key accounts", "no stale 'Strateginen'")
        self.env["dunning.segment"]._sync_from_policy(spec, self.company)
        self.assertEqual(strategic.with_env(fi).name, "Strateginen", "the default policy's label, translated again")

    def test_reminder_in_finnish_for_a_finnish_customer_and_in_english_for_an_english_one(self):
        for partner in (self.finnish, self.english):
            self.make_invoice(partner, day(-30), DUE, 1250)
        self.env["dunning.run"]._run_company(self.company, day(5))

        finnish = self.customer_emails(self.finnish)
        self.assertEqual(len(finnish), 1, "the day-5 gentle reminder")
        self.assertEqual(finnish.subject, f"{self.company.name}: ystävällinen maksumuistutus")
        self.assertIn("Hei Bertta Oy,", finnish.body)
        self.assertIn("emme ole vielä saaneet maksua alla olevista laskuista", finnish.body)
        self.assertIn("Ystävällisin terveisin", finnish.body)
        self.assertIn("01.06.2026", finnish.body, "due date in the Finnish format")
        self.assertIn("1&nbsp;250,00", finnish.body, "amount in the Finnish format (no-break space)")
        self.assertNotIn("Perhaps this slipped through", finnish.body)

        english = self.customer_emails(self.english)
        self.assertEqual(len(english), 1)
        self.assertEqual(english.subject, f"{self.company.name}: a gentle reminder about your invoices")
        self.assertIn("Perhaps this slipped through", english.body)
        self.assertIn("06/01/2026", english.body)
        self.assertIn("1,250.00", english.body)
        self.assertNotIn("Ystävällisin terveisin", english.body)

    def test_charges_are_itemised_in_the_customer_language(self):
        self.company.country_id = self.env.ref("base.fi")  # the Finnish legal profile and reference rates
        for partner in (self.finnish, self.english):
            self.make_invoice(partner, day(-30), DUE, 1250)
        self.env["dunning.run"]._run_company(self.company, day(15))  # second reminder: fee and interest

        finnish = self.customer_emails(self.finnish)
        self.assertEqual(finnish.subject, f"{self.company.name}: laskunne ovat yhä avoinna")
        self.assertIn("Maksun viivästymisestä aiheutuvat kulut", finnish.body)
        self.assertIn("Lain sallimalla tavalla avoimeen summaanne lisätään seuraavat kulut:", finnish.body)
        self.assertIn(">Muistutusmaksu<", finnish.body)
        self.assertIn("5,00", finnish.body, "the fee in the Finnish format")
        self.assertRegex(finnish.body, r"Viivästyskorko laskusta \S+ ajalta 02\.06\.2026\N{EN DASH}16\.06\.2026 "
                                       r"\(15 päivää, 10,50 %\)")
        self.assertIn("Kulut yhteensä", finnish.body)
        self.assertNotIn("Reminder fee", finnish.body)
        charges_invoice = self.env["dunning.charge"].search([("case_id", "=", self.case_of(self.finnish).id)]).move_id
        self.assertEqual(charges_invoice.invoice_line_ids[0].name, "Muistutusmaksu", "the customer's own invoice")

        english = self.customer_emails(self.english)
        self.assertIn("Charges for late payment", english.body)
        self.assertIn(">Reminder fee<", english.body)
        self.assertIn("(15 days at 10.50 %)", english.body)
        self.assertIn("5.00", english.body)
        self.assertNotIn("Muistutusmaksu", english.body)

    def test_letter_speaks_the_customer_language(self):
        for partner in (self.finnish, self.english):
            self.make_invoice(partner, day(-30), DUE, 1250)
        self.env["dunning.case"]._sync_open_cases(self.company, day(5))
        cases = self.case_of(self.finnish) | self.case_of(self.english)
        letters = self.env["dunning.channel"]._render_letters(cases, "final_notice")
        finnish, english = (str(letters[self.case_of(partner).id][0], "utf-8")
                            for partner in (self.finnish, self.english))
        self.assertIn("viimeinen maksumuistutus erääntyneistä laskuistanne", finnish)
        self.assertIn("joudumme siirtämään asian jatkoperintään", finnish)
        self.assertIn("01.06.2026", finnish)
        self.assertIn("final notice about your overdue invoices", english)
        self.assertIn("06/01/2026", english)
        self.assertNotIn("joudumme", english)

    def test_thank_you_mail_in_the_customer_language(self):
        spec = self.env["dunning.policy"]._active_spec(self.company)
        closed = date(2026, 4, 1)
        for partner in (self.finnish, self.english):
            case = self.env["dunning.case"].create({"partner_id": partner.id, "company_id": self.company.id,
                                                    "opened_on": date(2026, 3, 1)})
            case._close("paid", closed, "Paid.")
        self.env["dunning.case"]._send_satisfaction_requests(self.company, spec, closed + timedelta(days=2))
        finnish = self.customer_emails(self.finnish)
        english = self.customer_emails(self.english)
        self.assertIn("Miten onnistuimme?", finnish.body)
        self.assertIn(": kiitos, miten onnistuimme?", finnish.subject)
        self.assertIn("How did we do?", english.body)
        self.assertIn(": thank you, how did it go?", english.subject)

    def test_activity_note_of_the_default_policy_in_the_words_of_who_acts(self):
        self.salesperson.lang = "fi_FI"
        strategic = self.customer("Kivi Oy", "en_US", email="ap@kivi.example")
        strategic.with_company(self.company).write({"dunning_segment_id": self.segments["strategic"].id})
        self.make_invoice(strategic, day(-30), DUE, 5000)
        self.env["dunning.run"]._run_company(self.company, day(14))
        activity = self.case_of(strategic).activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Soita asiakkaalle avoimista laskuista", str(activity.note))
        self.assertEqual(activity.summary, "Maksuseuranta: Kivi Oy")

    def test_payment_term_reason_of_the_default_policy_in_the_user_language(self):
        spec = self.env["dunning.policy"]._active_spec(self.company)
        rule = next(rule for rule in spec.payment_terms if rule.suggest.endswith("_30days"))
        terms = self.env["account.payment.term"]
        self.assertEqual(terms.with_context(lang="fi_FI")._dunning_reason(rule, {}, "", False),
                         "Uusi asiakas; tavalliset maksuehdot sillä aikaa, kun tutustumme toisiimme.")
        self.assertEqual(terms.with_context(lang="en_US")._dunning_reason(rule, {}, "", False), rule.reason)


@tagged("post_install", "-at_install")
class TestFinnishPortal(FinnishCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()  # the routes work on the server's day
        for partner in (cls.finnish, cls.english):
            cls.make_invoice(partner, today - timedelta(days=40), today - timedelta(days=10), 1250)
        cls.env["dunning.case"]._sync_open_cases(cls.company, today)

    def test_link_opens_the_page_in_the_customer_language(self):
        self.authenticate(None, None)
        response = self.url_open(self.case_of(self.finnish).get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("Miksi maksu on myöhässä?", response.text)
        self.assertIn("Meillä on juuri nyt tiukkaa rahasta", response.text, "the policy's reasons, in Finnish")
        self.assertIn("Lupaan maksaa valittuna päivänä", response.text)
        self.assertIn(f"1{NBSP}250,00", response.text)
        self.assertNotIn("Why is the payment late?", response.text)

        response = self.url_open(self.case_of(self.english).get_portal_url())
        self.assertIn("Why is the payment late?", response.text)
        self.assertIn("We are short of cash for now", response.text)
        self.assertNotIn("Miksi maksu on myöhässä?", response.text)

    def test_a_refused_answer_is_explained_in_finnish(self):
        self.authenticate(None, None)
        case = self.case_of(self.finnish)
        response = self.url_open(f"/my/collections/{case.id}/answer", data={
            "csrf_token": http.Request.csrf_token(self), "access_token": case._portal_ensure_token(),
            "kind": "question", "message": " ",
        }, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertIn("Kirjoittakaa kysymyksenne.", response.text)

    def test_finnish_portal_user_sees_the_list_in_finnish(self):
        new_test_user(self.env, login="bertta.portal", groups="base.group_portal", lang="fi_FI",
                      partner_id=self.env["res.partner"].create({
                          "name": "Bertta Ostaja", "parent_id": self.finnish.id, "lang": "fi_FI",
                      }).id, company_ids=[Command.set(self.company.ids)], company_id=self.company.id)
        self.authenticate("bertta.portal", "bertta.portal")
        response = self.url_open("/my/collections")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Avoimet laskut, joista voimme keskustella", response.text)
        self.assertIn(self.case_of(self.finnish).name, response.text)
