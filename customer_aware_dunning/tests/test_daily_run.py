import ast
from datetime import date, timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestDailyRun(DunningCommon):
    """Scenarios of the daily run over a constructed company, with explicit dates.

    The default policy is active: the standard journey sends a gentle reminder on
    day 5, a second one on day 15, calls the salesperson in on day 25 (1,000 and
    more overdue), offers a payment plan on day 35 and asks a manager to approve
    the final letter on day 50; strategic and loyal customers get a heads-up
    three days before the due date.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.standard = cls.customer("Bertta Oy", "standard", email="ap@bertta.example")
        cls.strategic = cls.customer("Aalto Group", "strategic", email="ap@aalto.example")
        cls.unreachable = cls.customer("Cecilia Ky", "standard", email=False)

    @classmethod
    def customer(cls, name, segment, email):
        partner = cls.env["res.partner"].create({
            "name": name, "is_company": True, "email": email, "user_id": cls.collections_user.id,
        })
        partner.with_company(cls.company).write({"dunning_segment_id": cls.segments[segment].id})
        return partner

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)], order="id desc", limit=1)

    def step_events(self, partner):
        return self.case_of(partner).event_ids.filtered("step_key").sorted("id")

    def customer_messages(self, partner):
        """Messages sent to the customer from its cases (emails, not notes)."""
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"),
            ("res_id", "in", self.env["dunning.case"].search([("partner_id", "=", partner.id)]).ids),
            ("message_type", "=", "comment"),
            ("partner_ids", "in", partner.ids),
        ])

    # ------------------------------------------------------------------ journeys

    def test_standard_journey_fires_each_step_on_its_day(self):
        invoice = self.make_invoice(self.standard, day(-30), DUE, 1500)
        self.run_on(day(4))
        self.assertFalse(self.case_of(self.standard).event_ids.filtered("step_key"), "nothing before day 5")

        self.run_on(day(5))
        case = self.case_of(self.standard)
        self.assertEqual(self.step_events(self.standard).mapped("channel"), ["email"])
        self.assertEqual(len(self.customer_messages(self.standard)), 1)
        self.assertIn(invoice.name, self.customer_messages(self.standard).body)
        self.assertEqual(case.next_action_date, day(15))

        self.run_on(day(15))
        self.run_on(day(25))
        self.assertEqual(len(self.customer_messages(self.standard)), 2)
        call = case.activity_ids.filtered(lambda activity: activity.user_id == self.collections_user)
        self.assertTrue(call, "the salesperson is asked to call on day 25")
        self.assertEqual(self.step_events(self.standard).mapped("channel"), ["email", "email", "activity"])

    def test_strategic_customer_gets_a_heads_up_before_the_due_date(self):
        self.make_invoice(self.strategic, day(-20), DUE, 800)
        self.run_on(day(-4))
        self.assertFalse(self.customer_messages(self.strategic))
        self.run_on(day(-3))
        self.assertEqual(len(self.customer_messages(self.strategic)), 1)
        case = self.case_of(self.strategic)
        self.assertEqual(case.state, "open")
        self.assertIn("keep_the_relationship", self.step_events(self.strategic).step_key)
        self.assertEqual((case.amount_at_open, case.amount_added, case.amount_recovered), (0, 800, 0))
        self.run_on(day(-2))
        self.assertEqual(case.state, "open", "the case waits for the invoice it wrote about")

    def test_one_message_per_customer_covers_all_its_overdue_invoices(self):
        first = self.make_invoice(self.standard, day(-40), day(-2), 300)
        second = self.make_invoice(self.standard, day(-30), DUE, 200)
        self.run_on(day(5))
        messages = self.customer_messages(self.standard)
        self.assertEqual(len(messages), 1)
        self.assertIn(first.name, messages.body)
        self.assertIn(second.name, messages.body)
        self.assertEqual(self.step_events(self.standard).invoice_ids, first | second)

    def test_second_run_the_same_day_sends_nothing(self):
        self.make_invoice(self.standard, day(-30), DUE, 500)
        self.run_on(day(5))
        queued = self.env["mail.mail"].search_count([])
        events = len(self.case_of(self.standard).event_ids)
        self.run_on(day(5))
        self.run_on(day(6))
        self.assertEqual(self.env["mail.mail"].search_count([]), queued)
        self.assertEqual(len(self.case_of(self.standard).event_ids), events)
        self.assertEqual(len(self.customer_messages(self.standard)), 1)

    def test_excluded_invoice_never_appears_in_a_message(self):
        kept = self.make_invoice(self.standard, day(-30), DUE, 500)
        excluded = self.make_invoice(self.standard, day(-30), DUE, 700)
        excluded.write({"dunning_excluded": True, "dunning_exclusion_reason": "Credit note on its way"})
        self.run_on(day(5))
        message = self.customer_messages(self.standard)
        self.assertIn(kept.name, message.body)
        self.assertNotIn(excluded.name, message.body)
        self.assertEqual(self.step_events(self.standard).invoice_ids, kept)

    # ------------------------------------------------------------------ people in the loop

    def test_final_letter_waits_for_approval_then_is_sent(self):
        self.make_invoice(self.standard, day(-60), DUE, 900)
        self.run_on(day(49))
        self.run_on(day(50))
        case = self.case_of(self.standard)
        self.assertEqual(case.state, "waiting_approval")
        approval = case.activity_ids.filtered(lambda activity: "Approve" in (activity.summary or ""))
        self.assertTrue(approval)
        letters = len(case.message_ids.attachment_ids)
        self.run_on(day(51))
        self.assertEqual(case.state, "waiting_approval", "nothing moves while the approval is pending")

        case.with_user(self.collections_manager).action_dunning_approve()
        self.assertEqual(case.state, "open")
        self.assertEqual(self.step_events(self.standard)[-1].channel, "letter")
        harsh = self.step_events(self.standard).mapped("harsh")
        self.assertEqual((harsh[-1], any(harsh[:-1])), (True, False), "only the final letter is harsh")
        self.assertEqual(len(case.message_ids.attachment_ids), letters + 1, "the letter is attached to the case")
        self.assertFalse(case.activity_ids.filtered(lambda activity: "Approve" in (activity.summary or "")))
        self.run_on(day(52))
        self.assertEqual(self.step_events(self.standard)[-1].channel, "letter", "approved letter is not sent twice")

    def test_a_letter_the_policy_posts_goes_to_snailmail(self):
        policy = self.env["dunning.policy"]._active_for(self.company)
        text = policy.yaml_text
        letter = "        send: letter\n        template: final_notice\n        attach: pdf\n"
        self.assertIn(letter, text)
        draft = policy.browse(policy.action_new_version()["res_id"])
        draft.yaml_text = text.replace(letter, letter + "        post: true\n", 1)
        draft.action_activate()
        self.make_invoice(self.standard, day(-60), DUE, 900)
        self.run_on(day(50))
        case = self.case_of(self.standard)
        case.action_dunning_approve()
        if "snailmail.letter" in self.env:  # make test installs it beside the addon
            posted = self.env["snailmail.letter"].search([("model", "=", "dunning.case"), ("res_id", "=", case.id)])
            self.assertEqual(posted.partner_id, self.standard)
            self.assertEqual(posted.attachment_id, case.message_ids.attachment_ids.filtered(
                lambda attachment: attachment.name.startswith("Letter")))
        else:  # Odoo's runner on a database without it: the case says the letter was not posted
            self.assertIn("not posted", " ".join(case.event_ids.mapped("description")))

    def test_hold_pauses_the_case_with_a_reason(self):
        self.make_invoice(self.standard, day(-60), DUE, 900)
        self.run_on(day(50))
        case = self.case_of(self.standard)
        case.with_user(self.collections_manager).action_dunning_hold(reason="Key account, CEO will call")
        self.assertEqual(case.state, "paused")
        self.assertIn("Key account", case.pause_reason)
        self.run_on(day(55))
        self.assertEqual(case.state, "paused")

    # ------------------------------------------------------------------ delay reasons and promises

    def test_dispute_pauses_and_clearing_it_resumes(self):
        invoice = self.make_invoice(self.standard, day(-30), DUE, 500)
        self.run_on(day(5))
        dispute = self.env.ref("customer_aware_dunning.delay_reason_dispute")
        invoice.dunning_delay_reason_id = dispute
        self.run_on(day(15))
        case = self.case_of(self.standard)
        self.assertEqual(case.state, "paused")
        self.assertEqual(case.delay_reason_id, dispute)
        self.assertIn(invoice.name, case.pause_reason, "people read invoice numbers, not ids")
        self.assertEqual(len(self.customer_messages(self.standard)), 1, "no reminder during a dispute")
        invoice.dunning_delay_reason_id = False
        self.run_on(day(16))
        self.assertEqual(case.state, "open")
        self.assertEqual(len(self.customer_messages(self.standard)), 2, "the due second reminder goes out")
        self.assertIn("resumed", case.event_ids.mapped("kind"))

    def test_the_day_a_reason_is_given_reaches_the_engine(self):
        invoice = self.make_invoice(self.standard, day(-30), DUE, 500)
        invoice.dunning_delay_reason_id = self.env.ref("customer_aware_dunning.delay_reason_cash_flow")
        self.assertEqual(invoice.dunning_delay_reason_date, fields.Date.context_today(invoice))
        inputs = self.env["dunning.run"]._case_inputs(self.company, day(5), self.standard)
        (given,) = inputs[self.standard].invoices
        self.assertEqual(given.delay_reason, "cash_flow")
        self.assertEqual(given.delay_reason_since, invoice.dunning_delay_reason_date)
        invoice.dunning_delay_reason_id = False
        self.assertFalse(invoice.dunning_delay_reason_date)

    def test_promise_pauses_until_the_day_after_then_resumes_if_unpaid(self):
        invoice = self.make_invoice(self.standard, day(-30), DUE, 500)
        self.run_on(day(5))
        invoice.dunning_promise_date = day(20)
        self.run_on(day(15))
        case = self.case_of(self.standard)
        self.assertEqual((case.state, case.pause_until), ("paused", day(21)))
        self.run_on(day(20))
        self.assertEqual(len(self.customer_messages(self.standard)), 1)
        self.run_on(day(21))
        self.assertEqual(case.state, "open")
        self.assertEqual(len(self.customer_messages(self.standard)), 2)

    # ------------------------------------------------------------------ channels

    def test_customer_without_email_gets_the_fallback_and_it_is_logged(self):
        self.make_invoice(self.unreachable, day(-30), DUE, 500)
        self.run_on(day(5))
        case = self.case_of(self.unreachable)
        fallback = case.event_ids.filtered(lambda event: event.kind == "fallback")
        self.assertTrue(fallback)
        self.assertIn("no email address", fallback.description)
        self.assertTrue(case.message_ids.attachment_ids, "a letter instead of the email")
        self.assertTrue(case.activity_ids, "and an activity for a person to follow it up")
        self.assertFalse(self.customer_messages(self.unreachable))

    # ------------------------------------------------------------------ exactly once

    def test_a_failed_batch_is_retried_and_every_step_is_done_once(self):
        customers = [self.customer(f"Batch customer {n}", "standard", f"ap{n}@batch.example") for n in range(4)]
        for partner in customers:
            self.make_invoice(partner, day(-30), DUE, 100)
        self.env["dunning.case"]._sync_open_cases(self.company, day(5))
        broken = self.case_of(customers[2])
        # A real failure inside the database while the third customer's step is recorded.
        self.env.cr.execute("""
            CREATE FUNCTION pg_temp.dunning_fail() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
            CREATE TRIGGER dunning_fail BEFORE INSERT ON dunning_case_event FOR EACH ROW
            WHEN (NEW.case_id = %s AND NEW.step_key IS NOT NULL) EXECUTE FUNCTION pg_temp.dunning_fail();
        """, [broken.id])
        self.env["dunning.run"]._run_company(self.company, day(5), batch_size=2)
        sent = {partner: len(self.customer_messages(partner)) for partner in customers}
        self.assertEqual(sent[customers[2]], 0, "the failing customer sent nothing")
        self.assertEqual(sum(sent.values()), 3, "the other batch and the other customer of the failed one went "
                                                "through (the failed batch was done again in halves)")
        self.assertTrue(broken.needs_attention)

        self.env.cr.execute("DROP TRIGGER dunning_fail ON dunning_case_event")
        self.env["dunning.run"]._run_company(self.company, day(5), batch_size=2)
        for partner in customers:
            self.assertEqual(len(self.customer_messages(partner)), 1, partner.name)
            self.assertEqual(len(self.step_events(partner)), 1, partner.name)

    # ------------------------------------------------------------------ screens

    def test_work_list_shows_what_needs_a_person_today(self):
        self.make_invoice(self.standard, day(-60), DUE, 900)
        self.make_invoice(self.strategic, day(-60), DUE, 400)
        self.run_on(day(50))
        held = self.case_of(self.strategic)
        held.action_dunning_hold(reason="Waiting for the customer's board meeting")
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_aware_dunning.action_dunning_worklist")
        self.assertIn("search_default_filter_to_do_today", action["context"])
        search = etree.fromstring(self.env.ref("customer_aware_dunning.dunning_case_view_search").arch)
        domain = ast.literal_eval(search.xpath("//filter[@name='filter_to_do_today']")[0].get("domain"))
        listed = self.env["dunning.case"].search(domain)
        self.assertIn(self.case_of(self.standard), listed, "the final letter waits for a manager's approval")
        self.assertNotIn(held, listed, "a case held by hand waits for a person to resume it, not for today")

    def test_run_now_is_for_managers(self):
        self.make_invoice(self.standard, day(-30), DUE, 500)
        with self.assertRaises(AccessError):
            self.env["dunning.case"].with_user(self.collections_user).action_dunning_run_now()
        action = self.env["dunning.case"].with_user(self.collections_manager).action_dunning_run_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(self.case_of(self.standard), "the run opened the overdue customer's case")

    def test_run_now_starts_the_scheduled_job_for_more_customers_than_a_request_should_hold(self):
        self.make_invoice(self.standard, day(-30), DUE, 500)
        self.make_invoice(self.strategic, day(-30), DUE, 800)
        self.env["ir.config_parameter"].set_param("customer_aware_dunning.run_now_max_customers", "1")
        cron = self.env.ref("customer_aware_dunning.ir_cron_dunning_daily_run")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        action = self.env["dunning.case"].with_user(self.collections_manager).action_dunning_run_now()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn(f"{self.company.name} has 2 customers to follow up, too many to wait for here",
                      action["params"]["message"])
        self.assertEqual(len(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers), 1,
                         "the scheduled job is asked to run now")
        self.assertFalse(self.case_of(self.standard), "nothing is done in the request")
        # At the limit, the button does the run itself.
        self.env["ir.config_parameter"].set_param("customer_aware_dunning.run_now_max_customers", "2")
        action = self.env["dunning.case"].with_user(self.collections_manager).action_dunning_run_now()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.case_of(self.standard) and self.case_of(self.strategic))

    def test_the_scheduled_job_runs_every_company_through_the_same_entry_point(self):
        self.make_invoice(self.standard, day(-30), DUE, 500)
        cron = self.env.ref("customer_aware_dunning.ir_cron_dunning_daily_run")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.code),
                         (1, "days", "model._cron_daily_run()"))
        self.env["dunning.run"]._cron_daily_run(today=day(5))
        self.assertEqual(len(self.customer_messages(self.standard)), 1)

    def test_a_company_whose_run_fails_leaves_the_other_companies_theirs(self):
        """A real database error in one company's run (a trigger refusing its cases): logged, rolled back,
        and the next company in the scheduled job still gets its run."""
        branch = self.setup_other_company(name="Daily Run Branch")["company"]
        self.env["dunning.policy"]._ensure_default(branch)
        self.make_invoice(self.standard, day(-30), DUE, 500)
        self.make_invoice(self.strategic, day(-30), DUE, 800, company_id=branch.id, journal_id=self.env[
            "account.journal"].search([("company_id", "=", branch.id), ("type", "=", "sale")], limit=1).id)
        self.company.sequence, branch.sequence = 0, 1  # the failing company runs first
        self.env.cr.execute(SQL(
            """CREATE FUNCTION pg_temp.refuse_case() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
               CREATE TRIGGER refuse_case BEFORE INSERT ON dunning_case FOR EACH ROW
               WHEN (NEW.company_id = %s) EXECUTE FUNCTION pg_temp.refuse_case()""",
            self.company.id,
        ))
        with self.assertLogs("odoo.addons.customer_aware_dunning.models.dunning_run", "ERROR") as logged:
            self.env["dunning.run"]._cron_daily_run(today=day(5))
        self.assertIn(f"Collections run for {self.company.name} on {day(5)} failed", logged.output[0])
        self.assertIn("disk full", logged.output[0])
        told = self.env.ref("mail.channel_admin").message_ids[:1]
        self.assertIn(f"the daily run for {self.company.name} on {day(5)} failed (disk full", told.body,
                      "the administrators are told in Discuss")
        self.assertFalse(self.env["dunning.case"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.env["dunning.partner.facts"].search([("company_id", "=", self.company.id)]),
                         "the failed company's uncommitted work is rolled back")
        branch_case = self.env["dunning.case"].search([("company_id", "=", branch.id)])
        self.assertEqual(branch_case.partner_id, self.strategic)
        self.assertEqual(len(self.customer_messages(self.strategic)), 1)
