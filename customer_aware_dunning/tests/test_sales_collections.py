"""Collections where salespeople work: the banner, "My customers in collections" and the salesperson's To-Dos."""

from datetime import date, timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DunningCommon
from .test_web_client import WAIT_FOR

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


class SalesCommon(DunningCommon):
    """A customer of Sally's with an open case, a quotation for it, and a customer without a case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example", "user_id": cls.salesperson.id,
        })
        cls.contact = cls.env["res.partner"].create({"name": "Pirjo Bertta", "parent_id": cls.customer.id})
        cls.other_customer = cls.env["res.partner"].create({"name": "Cecilia Ky", "is_company": True})
        cls.invoice = cls.make_invoice(cls.customer, day(-30), DUE, 900)
        cls.env["dunning.run"]._run_company(cls.company, day(6))
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.case.collector_id = cls.collections_manager
        cls.quotation = cls.env["sale.order"].sudo().create({
            "partner_id": cls.contact.id, "company_id": cls.company.id, "user_id": cls.salesperson.id,
            "order_line": [Command.create({"product_id": cls.product_a.id, "product_uom_qty": 1, "price_unit": 400})],
        })
        cls.other_quotation = cls.env["sale.order"].sudo().create({
            "partner_id": cls.other_customer.id, "company_id": cls.company.id,
        })


@tagged("post_install", "-at_install")
class TestSalesBanner(SalesCommon):

    def test_quotation_of_a_customer_in_collections_shows_the_case(self):
        self.assertEqual(self.case.state, "open")
        quotation = self.quotation.with_user(self.salesperson)
        self.assertEqual(quotation.dunning_banner_case_id, self.case)
        text = quotation.dunning_banner
        self.assertIn(self.case.name, text)
        self.assertIn("open", text)
        self.assertIn(self.case._format_amount(900), text)
        self.assertIn(self.case.next_summary, text)
        self.assertIn("Followed up by Fiona Finance.", text)
        self.assertFalse(self.other_quotation.with_user(self.salesperson).dunning_banner)

    def test_customer_form_and_contacts_show_it_too(self):
        for partner in (self.customer, self.contact):
            self.assertEqual(partner.with_user(self.salesperson).dunning_banner_case_id, self.case)
        self.assertFalse(self.other_customer.with_user(self.salesperson).dunning_banner)

    def test_banner_names_the_delay_reason_and_the_promise(self):
        reason = self.env["dunning.delay.reason"].search([("key", "=", "cash_flow")], limit=1)
        self.invoice.dunning_delay_reason_id = reason
        self.env["dunning.promise"].sudo().create({
            "partner_id": self.customer.id, "company_id": self.company.id, "case_id": self.case.id,
            "invoice_ids": [Command.set(self.invoice.ids)], "date": day(20),
        })
        text = self.quotation.with_user(self.salesperson).dunning_banner
        self.assertIn(f"Delay reason: {reason.name}.", text)
        self.assertIn("Promised to pay by 06/21/2026.", text)

    def test_no_banner_once_the_case_is_closed_nor_for_users_outside_collections(self):
        self.assertFalse(self.customer.with_user(self.plain_user).dunning_banner, "not a Collections user")
        self.case._close("paid", day(8), "Paid.")
        self.assertFalse(self.quotation.with_user(self.salesperson).dunning_banner)

    def test_case_of_another_company_is_not_shown(self):
        other_company = self.env["res.company"].create({"name": "Other Oy"})
        self.case.sudo().company_id = other_company
        self.assertFalse(self.quotation.with_user(self.salesperson).dunning_banner)


@tagged("post_install", "-at_install")
class TestSalespersonNotified(SalesCommon):

    def to_dos(self):
        return self.case.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson
                                               and "Your customer in collections" in activity.summary)

    def test_harsh_step_approved_by_a_manager_tells_the_salesperson(self):
        self.env["dunning.run"]._run_company(self.company, day(49))
        self.env["dunning.run"]._run_company(self.company, day(50))
        self.assertEqual(self.case.state, "waiting_approval")
        self.assertFalse(self.to_dos(), "asking a manager to approve is not the salesperson's business yet")
        self.case.with_user(self.collections_manager).action_dunning_approve()
        self.assertEqual(len(self.to_dos()), 1)
        self.assertIn("harsh step", self.to_dos().note)

    def test_gentle_reminders_do_not(self):
        self.env["dunning.run"]._run_company(self.company, day(16))
        self.assertTrue(self.case.event_ids.filtered(lambda event: event.kind == "step"))
        self.assertFalse(self.to_dos())

    def test_hand_over_tells_the_salesperson(self):
        self.case.with_user(self.collections_manager).action_dunning_hand_over()
        self.assertEqual(len(self.to_dos()), 1)
        self.assertIn("collection agency", self.to_dos().note)


@tagged("post_install", "-at_install")
class TestSalesScreens(SalesCommon, HttpCase):
    """As a salesperson in the web client: the banner on the quotation, its link, and the Sales menu."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = new_test_user(cls.env, login="otto.other", groups="sales_team.group_sale_salesman",
                                      company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])
        cls.colleague_customer = cls.env["res.partner"].create({
            "name": "Otto's customer", "is_company": True, "user_id": cls.colleague.id})
        cls.make_invoice(cls.colleague_customer, day(-30), DUE, 500)
        cls.env["dunning.run"]._run_company(cls.company, day(6))

    def test_salesperson_sees_the_banner_on_the_quotation(self):
        self.browser_js(f"/odoo/action-sale.action_quotations_with_onboarding/{self.quotation.id}",
                        WAIT_FOR % "div[name=dunning_banner] button[name=action_dunning_open_banner_case]",
                        ready="odoo.isReady", login="sally.sales", timeout=90)

    def test_banner_link_opens_the_case_with_the_salesperson_rights(self):
        self.authenticate("sally.sales", "sally.sales")
        action = self.make_jsonrpc_request("/web/dataset/call_button/sale.order/action_dunning_open_banner_case", {
            "model": "sale.order", "method": "action_dunning_open_banner_case", "args": [self.quotation.ids],
            "kwargs": {"context": {}},
        })
        self.assertEqual((action["res_model"], action["res_id"]), ("dunning.case", self.case.id))

    def test_my_customers_in_collections(self):
        menu = self.env.ref("customer_aware_dunning.menu_collections_sales_my_customers")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.salesperson)._visible_menu_ids())
        action = self.env.ref("customer_aware_dunning.action_dunning_case_my_customers")
        domain = safe_eval(action.domain, {"uid": self.salesperson.id})
        mine = self.env["dunning.case"].with_user(self.salesperson).search([*domain, ("state", "!=", "closed")])
        self.assertEqual(mine, self.case, "only the cases of Sally's customers")
        self.browser_js("/odoo/my-customers-in-collections", WAIT_FOR % ".o_list_view .o_data_row",
                        ready="odoo.isReady", login="sally.sales", timeout=90)
