from odoo.tests import HttpCase, tagged
from odoo.tests.common import _find_executable

WAIT_FOR = """
(async () => {
    const selector = %r;
    const started = Date.now();
    while (!document.querySelector(selector)) {
        if (Date.now() - started > 30000) {
            throw new Error("timed out waiting for " + selector);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log("test successful");
})();
"""

# Open a notebook page by its name, then wait for an element inside it.
OPEN_PAGE = """
(async () => {
    const [page, selector] = [%r, %r];
    const waitFor = async (css) => {
        const started = Date.now();
        while (!document.querySelector(css)) {
            if (Date.now() - started > 30000) {
                throw new Error("timed out waiting for " + css);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return document.querySelector(css);
    };
    (await waitFor(`.o_notebook_headers a[name=${page}]`)).click();
    await waitFor(selector);
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestWebClient(HttpCase):
    """A logged-in user opens the customer and invoice screens without a view or asset error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Harbour Bakery Oy", "is_company": True})
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_line_ids": [(0, 0, {"name": "Flour delivery", "quantity": 1, "price_unit": 120.0})],
            }
        )
        cls.case = cls.env["dunning.case"].create({"partner_id": cls.customer.id})
        cls.case._log_events("opened", {cls.case.id: "1 overdue invoice(s), $ 120.00."})

    def setUp(self):
        super().setUp()
        # A missing browser would make browser_js skip; a skipped test is no test.
        self.assertTrue(_find_executable(), "Chromium is required: run the bootstrap")

    def open_screen(self, url, selector):
        self.browser_js(url, WAIT_FOR % selector, ready="odoo.isReady", login="admin", timeout=90)

    def open_page(self, url, page, selector):
        self.browser_js(url, OPEN_PAGE % (page, selector), ready="odoo.isReady", login="admin", timeout=90)

    def test_login_page(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="login"', response.text)

    def test_customer_list_and_form(self):
        self.open_screen("/odoo/action-customer_aware_dunning.action_partner_open_receivables", ".o_list_view")
        self.open_screen(
            f"/odoo/action-account.res_partner_action_customer/{self.customer.id}",
            ".o_form_view .o_field_widget[name=name]",
        )

    def test_invoice_list_and_form(self):
        self.open_screen("/odoo/action-account.action_move_out_invoice", ".o_list_view")
        self.open_screen(
            f"/odoo/action-account.action_move_out_invoice/{self.invoice.id}",
            ".o_form_view .o_field_widget[name=partner_id]",
        )

    def test_collection_cases_list_and_form(self):
        self.open_screen("/odoo/action-customer_aware_dunning.action_dunning_case", ".o_list_view .o_data_row")
        self.open_page(
            f"/odoo/action-customer_aware_dunning.action_dunning_case/{self.case.id}",
            "events",
            ".o_field_widget[name=event_ids] .o_data_row",
        )

    def test_collections_page_on_the_customer_form(self):
        self.open_page(
            f"/odoo/action-account.res_partner_action_customer/{self.customer.id}",
            "dunning",
            ".o_field_widget[name=dunning_segment_id]",
        )

    def test_collections_page_on_the_invoice_form(self):
        self.open_page(
            f"/odoo/action-account.action_move_out_invoice/{self.invoice.id}",
            "dunning",
            ".o_field_widget[name=dunning_delay_reason_id]",
        )
