"""The credit buttons as the web client calls them: a Collections manager looks a customer up in the
trade register from its form, and a salesperson asks for credit approval on a held quotation."""

from odoo import fields
from odoo.tests import HttpCase, tagged

from .credit_register import LocalRegister, company

BUSINESS_ID = "2345678-0"

CLICK_AND_WAIT = """
(async () => {
    const [page, button, selector, text] = [%r, %r, %r, %r];
    const waitFor = async (css, wanted) => {
        const started = Date.now();
        while (true) {
            const found = document.querySelector(css);
            if (found && (!wanted || found.textContent.includes(wanted))) {
                return found;
            }
            if (Date.now() - started > 30000) {
                throw new Error("timed out waiting for " + css + " " + (wanted || ""));
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    };
    if (page) {
        (await waitFor(`.o_notebook_headers a[name=${page}]`)).click();
    }
    (await waitFor(`button[name=${button}]`)).click();
    await waitFor(selector, text);
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestCreditWebClient(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.register = LocalRegister()
        cls.addClassCleanup(cls.register.close)
        cls.env["ir.config_parameter"].sudo().set_param("customer_aware_dunning.prh_base_url", cls.register.url)
        cls.register.companies[BUSINESS_ID] = company(BUSINESS_ID, situation="KONK")
        cls.customer = cls.env["res.partner"].create({
            "name": "Koivu Logistiikka Oy", "is_company": True, "vat": "FI23456780",
        })

    def test_the_manager_looks_the_customer_up_from_its_form(self):
        self.browser_js(
            f"/odoo/action-account.res_partner_action_customer/{self.customer.id}",
            CLICK_AND_WAIT % ("dunning", "action_dunning_refresh_credit",
                              ".o_field_widget[name=dunning_registry_status]", "In bankruptcy"),
            ready="odoo.isReady", login="admin", timeout=120,
        )
        rows = self.env["dunning.credit.observation"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(rows.registry_status, "bankruptcy")

    def test_a_held_quotation_asks_for_approval_in_one_click(self):
        self.customer.with_company(self.env.company)._dunning_refresh_register(
            self.env.company, fields.Date.context_today(self.customer))
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [(0, 0, {"product_id": self.env["product.product"].create({"name": "Freight"}).id,
                                   "product_uom_qty": 1, "price_unit": 100.0})],
        })
        self.browser_js(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            CLICK_AND_WAIT % ("", "action_dunning_request_credit_approval",
                              ".o_field_widget[name=dunning_hold_state]", "Approval requested"),
            ready="odoo.isReady", login="admin", timeout=120,
        )
        self.assertEqual(order.dunning_hold_state, "requested")
        self.assertTrue(order.activity_ids.filtered(lambda a: a.summary == "Credit approval"))
