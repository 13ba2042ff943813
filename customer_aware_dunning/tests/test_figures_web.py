from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import _find_executable

from .test_web_client import WAIT_FOR

# Click a button by its name, then wait for an element.
CLICK_THEN = """
(async () => {
    const [button, selector] = [%r, %r];
    const waitFor = async (css) => {
        const started = Date.now();
        while (!document.querySelector(css)) {
            if (Date.now() - started > 30000) {
                const shown = (document.querySelector(".modal") || document.body).innerText;
                throw new Error("timed out waiting for " + css + " in " + shown.slice(0, 2500));
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return document.querySelector(css);
    };
    await waitFor(`button[name=${button}]`);
    const visible = [...document.querySelectorAll(`button[name=${button}]`)].find((el) => el.offsetParent);
    visible.click();
    await waitFor(selector);
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestFiguresWebClient(HttpCase):
    """Finance refreshes the receivables figures from the list, as the web client calls the button,
    then reads them in the pivot and the ageing graph."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customer = cls.env["res.partner"].create({"name": "Harbour Bakery Oy", "is_company": True})
        today = fields.Date.context_today(cls.env["res.partner"])
        invoice = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id, "invoice_date": today - timedelta(days=40),
            "invoice_date_due": today - timedelta(days=10),
            "invoice_line_ids": [(0, 0, {"name": "Flour delivery", "quantity": 1, "price_unit": 120.0,
                                         "tax_ids": [(6, 0, [])]})],
        })
        invoice.action_post()
        cls.env["dunning.figures"].search([]).unlink()

    def setUp(self):
        super().setUp()
        self.assertTrue(_find_executable(), "Chromium is required: run the bootstrap")

    def test_refresh_then_pivot_and_graph(self):
        url = "/odoo/action-customer_aware_dunning.action_dunning_figures"
        self.browser_js(url, CLICK_THEN % ("action_refresh", ".o_list_view .o_data_row"),
                        ready="odoo.isReady", login="admin", timeout=90)
        company = self.env["dunning.figures"].search(
            [("scope", "=", "company"), ("company_id", "=", self.env.company.id)], order="month desc", limit=1)
        self.assertEqual((company.overdue, company.age_1_30), (120.0, 120.0))
        self.browser_js(f"{url}?view_type=pivot", WAIT_FOR % ".o_pivot_view .o_pivot table",
                        ready="odoo.isReady", login="admin", timeout=90)
        self.browser_js(f"{url}?view_type=graph", WAIT_FOR % ".o_graph_view canvas",
                        ready="odoo.isReady", login="admin", timeout=90)
