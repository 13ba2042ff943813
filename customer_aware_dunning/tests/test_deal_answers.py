"""A final notice held for an open deal: the salesperson answers on the case, as the web client calls it.

Dates are the company's today (the answer is given today) with the invoice due 50 days before, so the
default policy's final notice (day 50) is the step held while the customer's quotation is open.
"""

from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import format_date

from ..texts import DEAL_HELD
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDealAnswers(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.today = cls.company._dunning_today()
        cls.partner = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example", "user_id": cls.salesperson.id})
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.partner.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})
        cls.invoice = cls.make_invoice(cls.partner, cls.today - timedelta(days=80), cls.today - timedelta(days=50), 900)
        cls.quotation = cls.env["sale.order"].sudo().create({
            "partner_id": cls.partner.id, "company_id": cls.company.id, "user_id": cls.salesperson.id,
            "order_line": [Command.create({"product_id": cls.product_a.id, "product_uom_qty": 1,
                                           "price_unit": 5000, "tax_ids": []})],
        })
        cls.other_salesperson = new_test_user(
            cls.env, login="olli.other", name="Olli Other", groups="sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def run_on(self, day):
        return self.env["dunning.run"]._run_company(self.company, day)

    def held(self):
        self.run_on(self.today)
        case = self.env["dunning.case"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual((case.state, case.paused_by), ("paused", "policy"))
        hold = case.deal_hold_id
        self.assertEqual((hold.outcome, hold.user_id, hold.held_on), ("pending", self.salesperson, self.today))
        self.assertEqual(hold.step, "Letter 'Final notice'")
        self.assertEqual(hold.amount, 5000)
        todo = case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo, hold.activity_id)
        self.assertIn("approve or hold", todo.summary)
        return case

    def click(self, case, method, user):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request(f"/web/dataset/call_button/dunning.case/{method}", {
            "model": "dunning.case", "method": method, "args": [case.ids], "kwargs": {"context": {}},
        })

    def salesperson_todos(self, case):
        return case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)

    def test_the_salesperson_approves_and_the_final_notice_goes_on_at_once(self):
        case = self.held()
        self.assertTrue(case.with_user(self.salesperson).can_answer_deal)
        self.click(case, "action_dunning_deal_approve", self.salesperson)
        self.assertEqual(case.state, "waiting_approval", "the letter goes on, to its own approval by finance")
        self.assertEqual(case.pending_step_key, case.deal_hold_id.step_key, "the step held is the one asked for")
        self.assertEqual((case.deal_hold_id.outcome, case.deal_hold_id.answered_by),
                         ("approved", self.salesperson))
        self.assertFalse(self.salesperson_todos(case), "their To-Do is done")
        answer = case.event_ids.filtered(lambda event: event.kind == "deal_answer")
        self.assertIn("Sally Sales approved", answer.description)
        self.assertTrue(case.message_ids.filtered(lambda message: "Sally Sales approved" in (message.body or "")))

    def test_the_answer_is_kept_as_data_and_reads_in_finnish(self):
        """The answer names the step by its title and the date as data: a Finnish reader reads it in Finnish."""
        case = self.held()
        self.click(case, "action_dunning_deal_hold", self.salesperson)
        answer = case.event_ids.filtered(lambda event: event.kind == "deal_answer")
        until = self.today + timedelta(days=14)
        self.assertEqual(answer.description_data["t"], DEAL_HELD)
        self.assertEqual(answer.description_data["v"]["date"], {"d": until.isoformat()})
        self.assertEqual(answer.description_data["v"]["step"]["v"], {"template": "final_notice"})
        self.env["res.lang"]._activate_lang("fi_FI")
        self.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])._update_translations(["fi_FI"])
        finnish = answer.with_context(lang="fi_FI").read(["description"])[0]["description"]
        self.assertTrue(finnish.startswith("Sally Sales "), finnish)
        self.assertIn("Kirje ”", finnish)
        self.assertIn(format_date(self.env(context={"lang": "fi_FI"}), until), finnish)

    def test_the_salesperson_holds_14_days_and_is_not_asked_again(self):
        case = self.held()
        self.click(case, "action_dunning_deal_hold", self.salesperson)
        until = self.today + timedelta(days=14)
        self.assertEqual((case.state, case.pause_until), ("paused", until))
        self.assertEqual((case.deal_hold_id.outcome, case.deal_hold_id.held_until), ("held_again", until))
        self.assertIn("holds", case.pause_reason)
        self.run_on(self.today + timedelta(days=7))
        self.assertEqual(case.state, "paused")
        self.assertFalse(self.salesperson_todos(case), "asked once: no new To-Do while their hold lasts")
        self.assertEqual(len(case.deal_hold_ids), 1)
        self.run_on(until)
        self.assertEqual(case.state, "waiting_approval", "their days are over: the letter goes on")
        self.assertEqual(case.deal_hold_id.outcome, "held_again")

    def test_another_salesperson_cannot_answer(self):
        case = self.held()
        self.assertFalse(case.with_user(self.other_salesperson).can_answer_deal)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.click(case, "action_dunning_deal_approve", self.other_salesperson)
        self.assertEqual(case.deal_hold_id.outcome, "pending")

    def test_the_buttons_are_on_the_case_form(self):
        views = self.env["dunning.case"].with_user(self.salesperson).get_views([(False, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertIn("action_dunning_deal_approve", arch)
        self.assertIn("action_dunning_deal_hold", arch)

    def test_a_deal_won_ends_the_hold(self):
        case = self.held()
        self.quotation.action_confirm()
        self.quotation._create_invoices()  # invoiced: nothing left in the pipeline
        self.run_on(self.today + timedelta(days=1))
        self.assertEqual(case.deal_hold_id.outcome, "deal_won")
        self.assertFalse(self.salesperson_todos(case))

    def test_a_deal_lost_ends_the_hold(self):
        case = self.held()
        self.quotation._action_cancel()
        self.run_on(self.today + timedelta(days=1))
        self.assertEqual(case.deal_hold_id.outcome, "deal_lost")
        self.assertEqual(case.state, "waiting_approval")

    def test_paid_ends_the_hold(self):
        case = self.held()
        self.pay(self.invoice, self.today)
        self.run_on(self.today + timedelta(days=1))
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.deal_hold_id.outcome, "paid")

    def test_the_analysis_counts_the_holds_and_how_they_ended(self):
        case = self.held()
        self.click(case, "action_dunning_deal_hold", self.salesperson)
        self.quotation._action_cancel()
        self.run_on(self.today + timedelta(days=1))  # the deal is lost: the letter goes on, the answer stays
        second = self.env["dunning.deal.hold"].sudo().create({
            "case_id": case.id, "held_on": self.today, "step": "Earlier", "outcome": "deal_won"})
        self.assertEqual(second.company_id, self.company)
        Report = self.env["dunning.case.report"].with_user(self.salesperson)
        [(holds, approved, again, won, lost)] = Report._read_group(
            [("user_id", "=", self.salesperson.id)], [],
            ["deal_hold_count:sum", "deal_approved_count:sum", "deal_held_again_count:sum", "deal_won_count:sum",
             "deal_lost_count:sum"])
        self.assertEqual((holds, approved, again, won, lost), (2, 0, 1, 1, 0))

    def test_the_monthly_review_counts_the_holds_per_salesperson(self):
        case = self.held()
        self.click(case, "action_dunning_deal_approve", self.salesperson)
        summary = self.env["dunning.case.summary"].with_user(self.collections_manager).create(
            {"date_from": self.today.replace(day=1), "date_to": self.today})
        sally, total = summary._deal_hold_lines()
        self.assertEqual((sally["label"], sally["held"], sally["approved"]), ("Sally Sales", 1, 1))
        self.assertEqual((total["held"], total.get("deal_won", 0)), (1, 0))
        html = self.env["ir.actions.report"].with_user(self.collections_manager)._render_qweb_html(
            "customer_aware_dunning.report_case_summary", summary.ids)[0].decode()
        self.assertIn("Steps held for open deals", html)
        own = self.env["dunning.case.summary"].with_user(self.other_salesperson).create(
            {"date_from": self.today.replace(day=1), "date_to": self.today})
        self.assertEqual(own._deal_hold_lines(), [], "another salesperson's summary covers their customers")
