"""Texts are data until someone reads them: one stored event, read in English and in Finnish, as sentences.

The scheduled job writes the trail once (in English, as cron does); each reader then
reads it in their own language, with names instead of the policy's keys: in the form's
fields (read through JSON-RPC as the web client does), in the chatter, in the dry run.
Also the 19.0.1.1.0 migration of texts stored rendered.
"""

from odoo import fields, http
from odoo.addons.mail.tools.discuss import Store
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from ..texts_migration import texts_to_data
from .test_translations import FinnishCommon, day


def body_text(body):
    """A message body as the store sends it (Markup travels as ``["markup", html]``)."""
    return body[1] if isinstance(body, list) else str(body)


class TrailCommon(FinnishCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.english, day(-30), day(0), 1250)
        cls.env["dunning.run"].with_context(lang="en_US")._run_company(cls.company, day(5))
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.english.id)])
        cls.step = cls.case.event_ids.filtered(lambda event: event.kind == "step")

    def read_as(self, lang, record, names):
        return record.with_context(lang=lang).read(names)[0]


@tagged("post_install", "-at_install")
class TestTrailTexts(TrailCommon):

    def test_the_same_step_event_reads_in_each_readers_language(self):
        english = self.read_as("en_US", self.step, ["description", "rule"])
        finnish = self.read_as("fi_FI", self.step, ["description", "rule"])
        self.assertEqual(english["description"], "Sent the email 'Gentle reminder' about 1 invoice(s).")
        self.assertEqual(finnish["description"], "Lähetettiin sähköposti ”Ystävällinen maksumuistutus” 1 laskusta.")
        self.assertEqual(english["rule"], "segment Standard (set by hand) → journey Standard, "
                                          "step 2 (day 5, email Gentle reminder)")
        self.assertEqual(finnish["rule"], "asiakasryhmä Tavallinen (asetettu käsin) → muistutuspolku Tavallinen, "
                                          "vaihe 2 (päivä 5, sähköposti Ystävällinen maksumuistutus)")
        self.assertEqual(self.read_as("en_US", self.case, ["current_step"])["current_step"], "Email 'Gentle reminder'")
        self.assertEqual(self.read_as("fi_FI", self.case, ["current_step"])["current_step"],
                         "Sähköposti ”Ystävällinen maksumuistutus”")
        self.assertEqual(self.step.description_data["v"]["template"], "gentle_reminder", "the key stays in the data")

    def test_the_case_names_its_journey_by_the_policy_label_in_each_language(self):
        self.assertEqual(self.case.journey, "standard")
        self.case.sudo().journey = "limit_damage"
        self.assertEqual(self.read_as("en_US", self.case, ["journey_label"])["journey_label"], "Limit the damage")
        self.assertEqual(self.read_as("fi_FI", self.case, ["journey_label"])["journey_label"], "Rajataan riskiä")
        self.case.sudo().journey = "retired_journey"  # a key the active version no longer has: shown as it is
        self.assertEqual(self.read_as("en_US", self.case, ["journey_label"])["journey_label"], "retired_journey")

    def test_the_pause_reads_in_each_language_with_names_dates_and_no_new_pause_in_another_language(self):
        self.invoice.dunning_delay_reason_id = self.env.ref("customer_aware_dunning.delay_reason_dispute")
        self.env["dunning.run"]._run_company(self.company, day(6))
        self.assertEqual(self.case.state, "paused")
        english = self.read_as("en_US", self.case, ["pause_reason"])["pause_reason"]
        finnish = self.read_as("fi_FI", self.case, ["pause_reason"])["pause_reason"]
        self.assertEqual(english, f"held: delay reason Dispute on invoice {self.invoice.name} pauses the case; "
                                  "the salesperson takes it over")
        self.assertEqual(finnish, f"pysäytetty: laskun {self.invoice.name} viivästyksen syy Kiista keskeyttää "
                                  "tapauksen; asian ottaa hoitaakseen myyjä")
        # The same hold, decided by a Finnish user's run, is no new pause: its template and values are the same.
        self.env["dunning.run"].with_context(lang="fi_FI")._run_company(self.company, day(7))
        self.assertEqual(len(self.case.event_ids.filtered(lambda event: event.kind == "paused")), 1)

    def test_what_people_record_reads_in_each_readers_language(self):
        """A delay reason recorded on an invoice, an email taken back and an agency's report are kept as data."""
        self.invoice.with_context(lang="en_US").dunning_delay_reason_id = self.env.ref(
            "customer_aware_dunning.delay_reason_dispute")
        answer = self.case.event_ids.filtered(lambda event: event.kind == "delay_reason")
        self.assertEqual(self.read_as("en_US", answer, ["description"])["description"],
                         f"{self.invoice.name}: late because of Dispute.")
        self.assertEqual(self.read_as("fi_FI", answer, ["description"])["description"],
                         f"{self.invoice.name}: myöhässä syystä Kiista.")
        self.assertEqual(answer.description_data["v"]["reason"], "dispute", "the key stays in the data")
        mails = self.env["mail.mail"].sudo().search([("model", "=", "dunning.case"), ("res_id", "=", self.case.id)])
        mails.state = "outgoing"
        self.case.with_context(lang="en_US").write({"state": "paused"})
        cancelled = self.case.event_ids.filtered(lambda event: event.kind == "mail_cancelled")
        self.assertTrue(cancelled)
        self.assertTrue(self.read_as("en_US", cancelled[0], ["description"])["description"].endswith(
            "was not sent: the case is paused."))
        self.assertTrue(self.read_as("fi_FI", cancelled[0], ["description"])["description"].endswith(
            "ei lähetetty: tapaus on keskeytetty."))
        self.case.with_context(lang="en_US").write({"state": "closed", "outcome": "handed_over"})
        self.case.with_context(lang="en_US").action_dunning_agency_status("returned")
        report = self.case.event_ids.filtered(lambda event: event.kind == "agency_status")
        self.assertTrue(self.read_as("en_US", report, ["description"])["description"].startswith(
            "The agency reports: Returned to us."))
        self.assertTrue(self.read_as("fi_FI", report, ["description"])["description"].startswith(
            "Perintätoimisto ilmoittaa: Palautettu meille."))

    def test_the_customer_note_reads_in_each_language(self):
        note = self.english.message_ids.filtered("dunning_text")[:1]
        self.assertEqual(note.dunning_text["text"]["v"]["template"], "gentle_reminder")
        finnish = Store().add(note.with_context(lang="fi_FI")).get_result()["mail.message"][0]["body"]
        english = Store().add(note.with_context(lang="en_US")).get_result()["mail.message"][0]["body"]
        self.assertIn("Lähetettiin sähköposti ”Ystävällinen maksumuistutus” 1 laskusta.", body_text(finnish))
        self.assertIn("Sent the email &#39;Gentle reminder&#39; about 1 invoice(s).", body_text(english))

    def test_the_dry_run_speaks_the_users_language(self):
        wizard = self.env["dunning.policy.dry.run"].with_context(lang="fi_FI").create({
            "policy_id": self.env["dunning.policy"]._active_for(self.company).id, "date": day(15),
            "partner_ids": self.english.ids,
        })
        wizard.action_run()
        line = wizard.line_ids
        self.assertEqual(line.step, "vaihe 3 (päivä 15, sähköposti Toinen maksumuistutus)")
        self.assertIn("muistutuspolku Tavallinen", line.reason)


@tagged("post_install", "-at_install")
class TestTrailThroughTheWebClient(TrailCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finnish_manager = new_test_user(
            cls.env, login="fanni.fi", name="Fanni Finance", lang="fi_FI", groups="account.group_account_manager",
            company_id=cls.company.id)

    def form_fields(self, login):
        """The event's fields as the case form reads them: the web client sends the user's language."""
        session = self.authenticate(login, login)
        result = self.make_jsonrpc_request("/web/dataset/call_kw/dunning.case.event/web_read", {
            "model": "dunning.case.event", "method": "web_read", "args": [self.step.ids],
            "kwargs": {"specification": {"description": {}, "rule": {}}, "context": session.context},
        })
        return result[0]

    def chatter(self, login):
        self.authenticate(login, login)
        result = self.make_jsonrpc_request("/mail/thread/messages", {
            "thread_model": "dunning.case", "thread_id": self.case.id,
        })
        return [body_text(message["body"]) for message in result["data"]["mail.message"]]

    def test_an_english_and_a_finnish_user_read_the_same_event(self):
        self.assertEqual(self.form_fields("fiona.finance")["description"],
                         "Sent the email 'Gentle reminder' about 1 invoice(s).")
        self.assertEqual(self.form_fields("fanni.fi")["description"],
                         "Lähetettiin sähköposti ”Ystävällinen maksumuistutus” 1 laskusta.")

    def test_the_chatter_reads_in_the_users_language(self):
        english = " ".join(self.chatter("fiona.finance"))
        finnish = " ".join(self.chatter("fanni.fi"))
        self.assertIn("Sent the email &#39;Gentle reminder&#39; about 1 invoice(s).", english)
        self.assertIn("Lähetettiin sähköposti ”Ystävällinen maksumuistutus” 1 laskusta.", finnish)
        self.assertNotIn("Sent the email", finnish)


    def test_the_portal_shows_what_the_customer_told_us_in_the_customers_language(self):
        self.make_invoice(self.finnish, day(-30), day(0), 800)
        self.env["dunning.case"]._sync_open_cases(self.company, fields.Date.today())
        case = self.case_of(self.finnish)
        self.authenticate(None, None)
        response = self.url_open(f"/my/collections/{case.id}/answer", data={
            "csrf_token": http.Request.csrf_token(self), "access_token": case._portal_ensure_token(),
            "kind": "reason", "reason": "cash_flow",
        }, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:300])
        page = self.url_open(case.get_portal_url()).text
        self.assertIn("Mitä kerroitte meille", page)
        self.assertIn("Syy: Meillä on juuri nyt tiukkaa rahasta.", page)
        self.assertEqual(case.event_ids.filtered(lambda event: event.kind == "customer_answer").with_context(
            lang="en_US").description, "The customer answered online. Reason: We are short of cash for now.")


@tagged("post_install", "-at_install")
class TestTextsMigration(TrailCommon):

    def test_rendered_texts_of_before_become_data_and_the_old_columns_go(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(SQL("ALTER TABLE dunning_case ADD COLUMN pause_reason varchar, ADD COLUMN current_step varchar"))
        cr.execute(SQL("ALTER TABLE dunning_case_event ADD COLUMN description text, ADD COLUMN rule varchar"))
        cr.execute(SQL("UPDATE dunning_case SET pause_reason = %s, pause_reason_data = NULL, current_step = %s, "
                       "current_step_data = NULL WHERE id = %s",
                       "held: delay reason dispute on invoice INV/1", "step 2 (day 5, email gentle_reminder)",
                       self.case.id))
        cr.execute(SQL("UPDATE dunning_case_event SET description = %s, description_data = NULL, rule = %s, "
                       "rule_data = NULL WHERE id = %s", "old words", "", self.step.id))
        self.assertEqual(texts_to_data(cr), 3, "three non-empty old texts moved; an empty one stays empty")
        self.env.invalidate_all()
        self.assertEqual(self.case.pause_reason_data, {"s": "held: delay reason dispute on invoice INV/1"})
        self.assertEqual(self.case.with_context(lang="fi_FI").current_step, "step 2 (day 5, email gentle_reminder)")
        self.assertEqual(self.step.description, "old words")
        self.assertFalse(self.step.rule_data)
        cr.execute(SQL("SELECT column_name FROM information_schema.columns WHERE table_name IN "
                       "('dunning_case', 'dunning_case_event') AND column_name IN "
                       "('pause_reason', 'current_step', 'description', 'rule')"))
        self.assertEqual(cr.fetchall(), [], "the rendered columns are gone")
        self.assertEqual(texts_to_data(cr), 0, "a second run has nothing to do")
