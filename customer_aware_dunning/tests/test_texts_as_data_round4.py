"""Texts are data until someone reads them, the rest of the trail (issue 17 item 2).

The credit register's news, a channel's fallback, a letter ready to post, the run
failing for one customer and recovering, a payment plan and its end, the
customer's plan chosen on the portal, a broken promise, an email the server
refused, a step refused for sales promotion, a fee clamped to the law, a case
resumed by hand, the salesperson's note of a portal answer, a credit approval
asked and given, the agency's file on the chatter (a deal's answer:
test_deal_answers.py): each is stored as a template and its values (not an
English sentence) and read in the reader's language, on the case form's events
and in the chatter.
"""

from odoo import fields
from odoo.addons.mail.tools.discuss import Store
from odoo.tests import tagged
from odoo.tools import format_date

from ..credit.observation import BANKRUPTCY, REGISTER, Observation
from ..policy import charges as rules
from ..texts import (
    ANSWER_PLAN_AGREED,
    ANSWER_PLAN_CHOSEN,
    ANSWERED_ONLINE,
    CHANNEL_FALLBACK,
    CREDIT_APPROVAL_REQUESTED,
    CREDIT_APPROVED_BY,
    CREDIT_REFUSED_BY,
    CREDIT_REGISTER,
    FEE_CAPPED,
    HANDOVER_FILE,
    LETTER_READY,
    MAIL_FAILED,
    PLAN_BROKEN,
    PLAN_DESCRIBED,
    PROMISE_BROKEN,
    PROMOTION_REFUSED,
    RESUMED_BY,
    RUN_FAILED,
    RUN_RECOVERED,
    SALESPERSON_ANSWERED,
)
from .test_trail_texts import TrailCommon, body_text
from .test_translations import day


@tagged("post_install", "-at_install")
class TestTextsAsDataRound4(TrailCommon):

    def fi(self):
        return self.env(context={"lang": "fi_FI"})

    def money(self, amount, lang="fi_FI"):
        return self.company.currency_id.with_env(self.env(context={"lang": lang})).format(amount)

    def date_in(self, value, lang="fi_FI"):
        return format_date(self.env(context={"lang": lang}), value)

    def events(self, kind, case=None):
        return (case or self.case).event_ids.filtered(lambda event: event.kind == kind)

    def described(self, event, lang):
        return event.with_context(lang=lang).read(["description"])[0]["description"]

    def chatter_body(self, message, lang):
        return body_text(Store().add(message.with_context(lang=lang)).get_result()["mail.message"][0]["body"])

    def test_credit_register_news_reads_in_each_language_on_the_case_the_customer_and_the_todo(self):
        self.salesperson.lang = "fi_FI"
        self.env["dunning.credit.observation"].with_context(lang="en_US")._record(self.company, {
            self.english: Observation(source="PRH/YTJ", observed_on=day(3), business_id="2345678-0",
                                      kind=REGISTER, registry_status=BANKRUPTCY)})
        event = self.events("credit_change")
        self.assertEqual(event.description_data["t"], CREDIT_REGISTER)
        self.assertEqual(event.description_data["v"]["registry_status"], BANKRUPTCY, "the key stays in the data")
        self.assertEqual(self.described(event, "en_US"), "The trade register now says: In bankruptcy "
                         f"(source PRH/YTJ, {self.date_in(day(3), 'en_US')}).")
        finnish = f"Kaupparekisterin mukaan nyt: Konkurssissa (lähde PRH/YTJ, {self.date_in(day(3))})."
        self.assertEqual(self.described(event, "fi_FI"), finnish)
        line = self.english.message_ids.filtered(lambda message: (message.dunning_text or {}).get("kind")
                                                 == "credit_information")
        self.assertEqual(len(line), 1)
        self.assertEqual(line.dunning_text["text"]["t"], CREDIT_REGISTER)
        self.assertIn(f"<b>Luottotiedot</b>: {finnish}", self.chatter_body(line, "fi_FI"))
        self.assertIn("<b>Credit information</b>: The trade register now says: In bankruptcy",
                      self.chatter_body(line, "en_US"))
        todo = self.case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)
        self.assertEqual(todo.summary, "Luottotiedot muuttuivat", "the To-Do speaks its assignee's language")
        self.assertIn(finnish, str(todo.note))

    def test_a_fallback_and_the_letter_it_sends_read_in_each_language(self):
        nomail = self.customer("Ei Postia Oy", "en_US")
        self.make_invoice(nomail, day(-30), day(0), 300)
        self.env["dunning.run"].with_context(lang="en_US")._run_company(self.company, day(6))
        case = self.case_of(nomail)
        fallback = self.events("fallback", case)
        self.assertEqual(len(fallback), 1)
        self.assertEqual(fallback.description_data["t"], CHANNEL_FALLBACK)
        self.assertEqual(fallback.description_data["v"]["channel"], "email", "the channel stays a key")
        self.assertEqual(self.described(fallback, "en_US"),
                         "email not possible (no email address): letter, activity instead.")
        self.assertEqual(self.described(fallback, "fi_FI"),
                         "sähköposti ei ole mahdollinen (ei sähköpostiosoitetta): tilalle kirje, tehtävä.")
        letter = case.message_ids.filtered(lambda message: (message.dunning_text or {}).get("text", {}).get("t")
                                           == LETTER_READY)
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.dunning_text["text"]["v"]["template"], "gentle_reminder")
        self.assertEqual(self.chatter_body(letter, "en_US"),
                         "Collection letter Gentle reminder ready to post to Ei Postia Oy.")
        self.assertEqual(self.chatter_body(letter, "fi_FI"), "Maksumuistutuskirje Ystävällinen maksumuistutus on "
                                                             "valmis postitettavaksi asiakkaalle Ei Postia Oy.")

    def test_the_run_failing_and_recovering_reads_in_each_language(self):
        self.case.with_context(lang="en_US")._flag_failure(day(6), {self.case.id: "ZeroDivisionError: boom"})
        failed = self.events("run_failed")
        self.assertEqual(failed.description_data, {"t": RUN_FAILED, "v": {"error": "ZeroDivisionError: boom"}})
        self.assertTrue(self.described(failed, "en_US").startswith(
            "The daily run failed for this customer and went on with the others: ZeroDivisionError: boom."))
        self.assertTrue(self.described(failed, "fi_FI").startswith("Päivittäinen ajo epäonnistui"),
                        self.described(failed, "fi_FI"))
        self.assertIn("ZeroDivisionError: boom", self.described(failed, "fi_FI"))
        self.case.with_context(lang="en_US")._clear_failure()
        recovered = self.events("run_recovered")
        self.assertEqual(recovered.description_data, {"t": RUN_RECOVERED, "v": {}})
        self.assertEqual(self.described(recovered, "fi_FI"), "Päivittäinen ajo toimii taas tämän asiakkaan kohdalla.")

    def test_a_payment_plan_and_its_end_read_in_each_language(self):
        schedule = [(day(10), 625.0), (day(40), 625.0)]
        plan = self.env["dunning.payment.plan"].with_context(lang="en_US")._create_plans(self.case, schedule, "staff")
        proposed = self.events("plan_proposed")
        self.assertEqual(proposed.description_data["t"], PLAN_DESCRIBED)
        self.assertEqual(proposed.description_data["v"]["lines"]["l"][0]["v"]["date"], {"d": day(10).isoformat()})
        finnish = (f"2 erää, yhteensä {self.money(1250)} ({self.date_in(day(10))}: {self.money(625)}, "
                   f"{self.date_in(day(40))}: {self.money(625)}).")
        self.assertEqual(self.described(proposed, "fi_FI"), finnish)
        self.assertEqual(self.described(proposed, "en_US"), (
            f"2 instalments, {self.money(1250, 'en_US')} ({self.date_in(day(10), 'en_US')}: "
            f"{self.money(625, 'en_US')}, {self.date_in(day(40), 'en_US')}: {self.money(625, 'en_US')})."))
        self.case.with_context(lang="en_US")._log_on_plan_end("plan_broken", plan)
        broken = self.events("plan_broken")
        self.assertEqual(broken.description_data["t"], PLAN_BROKEN)
        self.assertTrue(self.described(broken, "fi_FI").endswith(finnish), self.described(broken, "fi_FI"))
        self.assertNotIn("instalment", self.described(broken, "fi_FI"))

    def test_the_customers_plan_chosen_online_reads_in_each_language(self):
        problem = self.case.with_context(lang="en_US")._portal_answer(
            "plan", {"instalments": 2, "first_date": day(10)}, day(6), fields.Datetime.now())
        self.assertEqual(problem, "")
        answer = self.events("customer_answer")
        self.assertEqual(answer.description_data["t"], ANSWERED_ONLINE)
        said = answer.description_data["v"]["text"]
        self.assertIn(said["t"], (ANSWER_PLAN_AGREED, ANSWER_PLAN_CHOSEN))
        self.assertEqual(said["v"]["lines"]["l"][0]["v"]["amount"], 625.0, "the amounts stay numbers")
        finnish = self.described(answer, "fi_FI")
        self.assertTrue(finnish.startswith("Asiakas vastasi verkossa. "), finnish)
        self.assertIn(f"{self.date_in(day(10))}: {self.money(625)}", finnish)
        self.assertIn(f"{self.date_in(day(10), 'en_US')}: {self.money(625, 'en_US')}",
                      self.described(answer, "en_US"))

    def test_a_broken_promise_reads_in_each_language(self):
        self.invoice.write({"dunning_promise_date": day(20)})
        self.env["dunning.promise"].sudo().with_context(lang="en_US")._decide_promises(self.company, day(21))
        broken = self.events("promise_broken")
        self.assertEqual(broken.description_data["t"], PROMISE_BROKEN)
        self.assertEqual(broken.description_data["v"]["date"], {"d": day(20).isoformat()})
        self.assertEqual(self.described(broken, "en_US"), (
            f"The promise to pay {self.money(1250, 'en_US')} by {self.date_in(day(20), 'en_US')} is broken: "
            f"{self.money(0, 'en_US')} paid."))
        self.assertEqual(self.described(broken, "fi_FI"), (
            f"Lupaus maksaa {self.money(1250)} viimeistään {self.date_in(day(20))} on rikottu: "
            f"maksettu {self.money(0)}."))

    def test_an_email_the_server_refused_reads_in_each_language(self):
        mail = self.env["mail.mail"].sudo().search([("model", "=", "dunning.case"), ("res_id", "=", self.case.id)],
                                                   limit=1)
        self.assertTrue(mail)
        mail.with_context(lang="en_US")._dunning_log_failures("550 mailbox unavailable", "mail_bounce")
        failed = self.events("mail_failed")
        self.assertEqual(failed.description_data["l"][0]["t"], MAIL_FAILED)
        self.assertEqual(failed.description_data["l"][0]["v"]["error"], "550 mailbox unavailable",
                         "the server's words stay as written")
        self.assertTrue(self.described(failed, "en_US").startswith(f"The email “{mail.subject}” could not be sent: "
                                                                   "550 mailbox unavailable It may have reached"))
        finnish = self.described(failed, "fi_FI")
        self.assertTrue(finnish.startswith(f"Sähköpostia ”{mail.subject}” ei voitu lähettää: 550 mailbox "
                                           "unavailable "), finnish)
        self.assertNotIn("It may have reached", finnish)

    def test_a_fee_clamped_to_the_law_reads_in_each_language(self):
        profile = self.env.ref("customer_aware_dunning.legal_profile_fi")
        notes = self.env["dunning.charge"].with_context(lang="en_US")._notes(
            self.case, [rules.Note(rules.FEE_CAPPED, value=20.0, limit=5.0)], profile)
        self.env["dunning.case"]._log_notes(notes, "note")
        note = self.events("note")
        self.assertEqual(note.description_data["t"], FEE_CAPPED)
        self.assertEqual(note.description_data["v"]["asked"]["v"], {"amount": 20.0}, "the amounts stay numbers")
        self.assertEqual(self.described(note, "en_US"), (
            f"The step asks a reminder fee of {self.money(20, 'en_US')}; {profile.name} allows at most "
            f"{self.money(5, 'en_US')}, so {self.money(5, 'en_US')} is charged."))
        self.assertTrue(self.described(note, "fi_FI").startswith("Vaihe pyytää"), self.described(note, "fi_FI"))
        self.assertIn(self.money(20), self.described(note, "fi_FI"))

    def test_a_case_resumed_by_hand_reads_in_each_language(self):
        self.case.state = "paused"
        self.case.with_user(self.collections_manager).with_context(lang="en_US").action_dunning_resume()
        resumed = self.events("resumed")
        self.assertEqual(resumed.description_data, {"t": RESUMED_BY, "v": {"user": self.collections_manager.name}})
        self.assertTrue(self.described(resumed, "fi_FI").endswith(f"{self.collections_manager.name}."),
                        self.described(resumed, "fi_FI"))
        self.assertNotIn("Resumed", self.described(resumed, "fi_FI"))

    def test_a_step_refused_for_sales_promotion_reads_in_each_language(self):
        self.company.dunning_legal_profile_id = self.env.ref("customer_aware_dunning.legal_profile_fi")
        self.env.ref("customer_aware_dunning.mail_template_gentle_reminder").dunning_promotion = True
        consumer = self.env["res.partner"].create({"name": "Maija Meikäläinen", "email": "maija@example.com",
                                                   "lang": "en_US"})
        self.assertEqual(consumer.dunning_customer_type, "consumer")
        self.make_invoice(consumer, day(-30), day(0), 300)
        self.env["dunning.run"].with_context(lang="en_US")._run_company(self.company, day(6))
        refused = self.events("note", self.case_of(consumer)).filtered(
            lambda event: (event.description_data or {}).get("t") == PROMOTION_REFUSED)
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused.description_data["v"]["template"], "gentle_reminder", "the key stays in the data")
        self.assertIn("its template Gentle reminder contains sales promotion", self.described(refused, "en_US"))
        self.assertIn("Ystävällinen maksumuistutus", self.described(refused, "fi_FI"))
        self.assertNotIn("sales promotion", self.described(refused, "fi_FI"))

    def test_the_agency_file_line_reads_in_each_language_without_a_label(self):
        self.case.with_user(self.collections_manager).with_context(lang="en_US").action_dunning_hand_over()
        line = self.case.message_ids.filtered(lambda message: message.attachment_ids and message.dunning_text)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.dunning_text, {"kind": None, "text": {"t": HANDOVER_FILE, "v": {}}})
        self.assertEqual(self.chatter_body(line, "en_US"), "Hand-over file for the collection agency.")
        self.assertEqual(self.chatter_body(line, "fi_FI"), "Perintätoimiston siirtotiedosto.")

    def test_the_salespersons_note_of_a_portal_answer_reads_in_each_language(self):
        self.salesperson.lang = "fi_FI"
        self.case.user_id = self.salesperson
        problem = self.case.with_context(lang="en_US")._portal_answer(
            "question", {"message": "Which invoice?"}, day(6), fields.Datetime.now())
        self.assertEqual(problem, "")
        note = self.case.message_ids.filtered(lambda message: self.salesperson.partner_id in message.partner_ids)
        self.assertEqual(len(note), 1)
        self.assertIsNone(note.dunning_text["kind"], "the sentence alone, no label")
        headline, answer = note.dunning_text["text"]["l"]
        self.assertEqual(headline, {"t": SALESPERSON_ANSWERED, "v": {"customer": "Aalto Ltd"}})
        self.assertEqual(answer["t"], ANSWERED_ONLINE)
        self.assertEqual(self.chatter_body(note, "en_US"), "Your customer Aalto Ltd answered online. "
                         "The customer answered online. Asks a question. Message: Which invoice?")
        finnish = self.chatter_body(note, "fi_FI")
        self.assertTrue(finnish.startswith("Asiakkaasi Aalto Ltd vastasi verkossa. Asiakas vastasi verkossa. "),
                        finnish)
        self.assertIn("Which invoice?", finnish, "the customer's words stay as written")
        todo = self.case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)
        self.assertEqual(len(todo), 1, "the answer's own To-Do is the salesperson's: no second one")
        self.assertEqual(todo.summary, "Asiakas vastasi: Aalto Ltd", "the To-Do in its assignee's language")
        self.assertIn("Asiakas vastasi verkossa.", str(todo.note))

    def test_a_credit_approval_asked_refused_and_given_reads_in_each_language(self):
        self.invoice.with_context(lang="en_US").action_dunning_request_credit_approval()
        manager = self.invoice.with_user(self.collections_manager).with_context(lang="en_US")
        manager.action_dunning_refuse_credit()
        manager.action_dunning_approve_credit()
        notes = self.invoice.message_ids.filtered("dunning_text").sorted("id")
        self.assertEqual([note.dunning_text["text"]["t"] for note in notes],
                         [CREDIT_APPROVAL_REQUESTED, CREDIT_REFUSED_BY, CREDIT_APPROVED_BY])
        name = self.collections_manager.name
        self.assertEqual(notes[-1].dunning_text, {"kind": None, "text": {"t": CREDIT_APPROVED_BY, "v": {"user": name}}})
        self.assertEqual(self.chatter_body(notes[-1], "en_US"), f"Credit approved by {name}.")
        self.assertEqual(self.chatter_body(notes[-1], "fi_FI"), f"Luoton hyväksyi {name}.")
        self.assertEqual(self.chatter_body(notes[1], "fi_FI"), f"Luoton hylkäsi {name}.")
        self.assertTrue(self.chatter_body(notes[0], "fi_FI").startswith("Luottohyväksyntää pyydetty: "))
