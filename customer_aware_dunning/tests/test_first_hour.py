"""What a collector and a salesperson do in their first hour, as the web client does it (issue 18).

Tours (``web_tour``) run in Chromium: the collector's work list, "Run now" and the approval of a
harsh step with its preview; the salesperson's answer on an overdue invoice. Run now and the
approval use the real day, so the invoices are dated from it.
"""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import _find_executable

from .common import DunningCommon


class FirstHourCommon(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.company.email = "accounts@company.example"
        cls.segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.bakery = cls.env["res.partner"].create({
            "name": "Tour Bakery Oy", "is_company": True, "email": "ap@bakery.example",
            "user_id": cls.salesperson.id,
        })
        cls.bakery.with_company(cls.company).write({"dunning_segment_id": cls.segments["standard"].id})

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)], order="id desc", limit=1)


@tagged("post_install", "-at_install")
class TestFirstHourBrowser(FirstHourCommon, HttpCase):

    def setUp(self):
        super().setUp()
        self.assertTrue(_find_executable(), "Chromium is required: run the bootstrap")
        self.today = fields.Date.context_today(self.env["dunning.case"])

    def test_run_now_as_the_web_client_calls_it(self):
        """The list header button sends the selected ids (none here) and the context."""
        self.authenticate("fiona.finance", "fiona.finance")
        action = self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": "dunning.case", "method": "action_dunning_run_now", "args": [[]],
            "kwargs": {"context": {"lang": "en_US"}},
        })
        self.assertEqual((action["type"], action["params"]["type"]), ("ir.actions.client", "success"))

    def test_collector_runs_now_previews_and_approves_the_final_notice(self):
        invoice = self.make_invoice(self.bakery, self.today - timedelta(days=80), self.today - timedelta(days=50), 900)
        self.run_on(self.today - timedelta(days=1))
        case = self.case_of(self.bakery)
        self.assertEqual(case.state, "open")
        self.start_tour("/odoo", "customer_aware_dunning_collector", login="fiona.finance", timeout=180)
        self.assertEqual(case.state, "open", "approved: the step is done")
        last = case.event_ids.filtered("step_key").sorted("id")[-1]
        self.assertEqual((last.channel, last.harsh, last.invoice_ids), ("letter", True, invoice))

    def test_salesperson_records_a_promise_and_sees_the_case_paused(self):
        invoice = self.make_invoice(self.bakery, self.today - timedelta(days=40), self.today - timedelta(days=10),
                                    400, invoice_user_id=self.salesperson.id)
        self.run_on(self.today - timedelta(days=1))
        case = self.case_of(self.bakery)
        self.assertEqual(case.state, "open")
        self.start_tour(f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                        "customer_aware_dunning_salesperson", login="sally.sales", timeout=180)
        self.assertEqual((case.state, case.paused_by), ("paused", "policy"))
        self.assertEqual(case.pause_until, fields.Date.to_date("2026-12-16"))


@tagged("post_install", "-at_install")
class TestFirstHour(FirstHourCommon):

    DUE = fields.Date.to_date("2026-06-01")

    def day(self, offset):
        return self.DUE + timedelta(days=offset)

    def test_printed_letter_is_the_pending_steps_letter(self):
        self.make_invoice(self.bakery, self.day(-60), self.DUE, 900)
        self.run_on(self.day(49))
        self.run_on(self.day(50))
        case = self.case_of(self.bakery)
        self.assertEqual(case.state, "waiting_approval")
        subjects = {
            key: self.env.ref(f"customer_aware_dunning.mail_template_{key}")._render_field("subject", case.ids)[case.id]
            for key in ("final_notice", "gentle_reminder")
        }
        html = self.env["ir.actions.report"]._render_qweb_html(
            "customer_aware_dunning.action_report_dunning_letter", case.ids)[0].decode()
        self.assertIn(subjects["final_notice"], html)
        self.assertNotIn(subjects["gentle_reminder"], html)

    def customer_mails(self):
        return self.env["mail.mail"].search([("model", "=", "dunning.case"),
                                             ("recipient_ids", "in", self.bakery.ids)], order="id")

    def test_customer_email_comes_from_the_company_or_the_collector(self):
        self.make_invoice(self.bakery, self.day(-30), self.DUE, 500)
        odoobot = self.env.ref("base.user_root")
        self.env["dunning.run"].with_user(odoobot)._run_company(self.company, self.day(5))
        mail = self.customer_mails()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_from, self.company.email_formatted)
        self.assertEqual(mail.author_id, self.company.partner_id)
        self.assertIn("Your invoices with", mail.body_html)
        self.assertNotIn("Collection Case", mail.body_html)

        self.case_of(self.bakery).collector_id = self.collections_manager
        self.env["dunning.run"].with_user(odoobot)._run_company(self.company, self.day(15))
        second = self.customer_mails()[-1]
        self.assertNotEqual(second, mail)
        self.assertEqual(second.email_from, self.collections_manager.email_formatted)
        self.assertEqual(second.author_id, self.collections_manager.partner_id)

    def test_approve_button_only_for_those_who_may_approve(self):
        self.make_invoice(self.bakery, self.day(-60), self.DUE, 900)
        self.run_on(self.day(49))
        self.run_on(self.day(50))
        case = self.case_of(self.bakery)
        self.assertTrue(case.with_user(self.collections_manager).can_approve)
        self.assertFalse(case.with_user(self.salesperson).can_approve)
        self.assertIn(case.with_user(self.collections_manager).pending_step,
                      case.with_user(self.collections_manager).next_summary)

    def test_approval_preview_shows_the_message_and_its_invoices(self):
        invoice = self.make_invoice(self.bakery, self.day(-60), self.DUE, 900)
        self.run_on(self.day(49))
        self.run_on(self.day(50))
        case = self.case_of(self.bakery)
        wizard = self.env["dunning.case.approve"].with_user(self.collections_manager).create({"case_id": case.id})
        self.assertEqual(wizard.invoice_ids, invoice)
        self.assertIn("Tour Bakery Oy", str(wizard.body))
        self.assertEqual(wizard.channel, "Letter")

    def test_salesperson_reads_the_invoice_form_of_own_invoices_only(self):
        """Every field of the invoice form as the salesperson gets it (the Payments button's count read
        account.payment, the duplicate check other salespeople's invoices); Odoo's record rules still hide
        others' invoices."""
        own = self.make_invoice(self.bakery, self.day(-30), self.DUE, 300, invoice_user_id=self.salesperson.id)
        other = self.make_invoice(self.bakery, self.day(-30), self.DUE, 300,
                                  invoice_user_id=self.collections_manager.id)
        moves = self.env["account.move"].with_user(self.salesperson)
        arch = etree.fromstring(moves.get_views([(False, "form")])["views"]["form"]["arch"])
        # The form's own fields (not those of its embedded lists), read as the web client reads them.
        names = {node.get("name") for node in arch.iter("field")
                 if not any(parent.tag == "field" for parent in node.iterancestors())}
        self.assertFalse(names & {"payment_count", "duplicated_ref_ids"})
        self.assertTrue(own.with_user(self.salesperson).web_read({name: {} for name in names}))
        self.assertEqual(moves.search([("id", "in", (own | other).ids)]), own)


@tagged("post_install", "-at_install")
class TestPolicyAdminBrowser(FirstHourCommon, HttpCase):

    def test_administrator_fixes_validates_tries_and_activates_a_policy(self):
        self.assertTrue(_find_executable(), "Chromium is required: run the bootstrap")
        today = fields.Date.context_today(self.env["dunning.case"])
        self.make_invoice(self.bakery, today - timedelta(days=40), today - timedelta(days=10), 400)
        active = self.env["dunning.policy"]._active_for(self.company)
        text = active.yaml_text
        self.assertIn("  max_promise_days: 30\n", text)
        draft = self.env["dunning.policy"].create({
            "name": "Tour policy", "company_id": self.company.id,
            "yaml_text": text.replace("  max_promise_days: 30\n", "  max_promise_days: thirty\n"),
        })
        self.assertTrue(draft.error_count)
        self.start_tour(f"/odoo/action-customer_aware_dunning.action_dunning_policy/{draft.id}",
                        "customer_aware_dunning_policy_admin", login="fiona.finance", timeout=180)
        self.assertEqual((draft.state, active.state), ("active", "archived"))
        self.assertIn("max_promise_days: 30", draft.yaml_text)
