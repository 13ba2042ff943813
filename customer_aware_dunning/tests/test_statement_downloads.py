"""The statement of account as a spreadsheet (staff, from the customer and the case) and on the customer's page
(the same figures, PDF and spreadsheet downloads), through the real routes; files are read back."""

import io
from datetime import date, timedelta

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon

TODAY = date.today()  # the routes work on the server's day


def ago(days):
    return TODAY - timedelta(days=days)


def sheet_rows(content):
    """The worksheet's rows as tuples of values, empty rows left out."""
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(cell for cell in row if cell is not None) for row in sheet.iter_rows(values_only=True)
            if any(cell is not None for cell in row)]


@tagged("post_install", "-at_install")
class TestStatementDownloads(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.euro = cls.setup_other_currency("EUR")
        cls.customer = cls.env["res.partner"].create({"name": "Taulukko Oy", "is_company": True,
                                                      "email": "ap@taulukko.example"})
        cls.partly_paid = cls.make_invoice(cls.customer, ago(75), ago(45), 1000, payment_reference="RF18539007547034")
        cls.pay(cls.partly_paid, ago(20), amount=400)
        cls.refund = cls.make_invoice(cls.customer, ago(3), ago(3), 100, move_type="out_refund")
        cls.in_euro = cls.make_invoice(cls.customer, ago(20), ago(10), 200, currency_id=cls.euro.id)
        cls.env["dunning.case"]._sync_open_cases(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.contact = cls.env["res.partner"].create({"name": "Tiina Taulukko", "parent_id": cls.customer.id,
                                                     "email": "tiina@taulukko.example"})
        cls.portal_user = new_test_user(cls.env, login="tiina.portal", password="tiina.portal.pass",
                                        groups="base.group_portal", partner_id=cls.contact.id)
        stranger = cls.env["res.partner"].create({"name": "Stranger", "email": "stranger@example.com"})
        cls.stranger_user = new_test_user(cls.env, login="stranger.portal", password="stranger.portal.pass",
                                          groups="base.group_portal", partner_id=stranger.id)

    def click(self, model, record, method):
        return self.make_jsonrpc_request(f"/web/dataset/call_button/{model}/{method}", {
            "model": model, "method": method, "args": [record.ids], "kwargs": {"context": {}},
        })

    def assert_statement_sheet(self, content):
        rows = sheet_rows(content)
        home = self.company.currency_id.name
        self.assertEqual(rows[0], ("Statement of account",))
        self.assertIn(("Customer", "Taulukko Oy"), rows)
        self.assertIn(("Currency", home), rows)
        self.assertIn(("Currency", "EUR"), rows)
        item = next(row for row in rows if row[0] == self.partly_paid.name)
        self.assertEqual(item[1], "RF18539007547034", "the payment reference")
        self.assertEqual(item[2].date(), ago(75))
        self.assertEqual(item[3].date(), ago(45))
        self.assertEqual(item[4:], (45, 1000, 400, 600), "days late, amount, paid, residual")
        credit = next(row for row in rows if row[0] == self.refund.name)
        self.assertEqual(credit[-1], 100)
        self.assertIn(("Open credits and payments",), rows)
        sections = {row[1]: index for index, row in enumerate(rows) if row[0] == "Currency"}
        ageing = {currency: next(index for index, row in enumerate(rows) if index > start and row[0] == "Not due")
                  for currency, start in sections.items()}
        self.assertEqual(rows[ageing[home] + 1], (0, 0, 600, 0, 0, 500), "buckets and the balance net of the credit")
        self.assertEqual(rows[ageing["EUR"] + 1], (0, 200, 0, 0, 0, 200), "the euro invoice in its own section")

    # ------------------------------------------------------------------ staff

    def test_the_case_button_downloads_the_spreadsheet(self):
        self.authenticate(self.collections_manager.login, self.collections_manager.login)
        action = self.click("dunning.case", self.case, "action_dunning_statement_xlsx")
        self.assertEqual(action["type"], "ir.actions.act_url")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn("Taulukko%20Oy.xlsx", response.headers["Content-Disposition"])
        self.assert_statement_sheet(response.content)

    def test_the_customer_button_downloads_the_same_spreadsheet(self):
        self.authenticate(self.collections_manager.login, self.collections_manager.login)
        action = self.click("res.partner", self.customer, "action_dunning_statement_xlsx")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assert_statement_sheet(response.content)

    def test_staff_without_collections_rights_get_no_spreadsheet(self):
        self.authenticate(self.plain_user.login, self.plain_user.login)
        response = self.url_open(f"/dunning/statement/partner/{self.customer.id}/xlsx")
        self.assertEqual(response.status_code, 403)
        response = self.url_open(f"/dunning/statement/case/{self.case.id}/xlsx")
        self.assertEqual(response.status_code, 403)
        self.authenticate(None, None)
        response = self.url_open(f"/dunning/statement/case/{self.case.id}/xlsx", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), "the public is sent to the login page")

    # ------------------------------------------------------------------ the customer's page

    def test_the_customer_sees_the_statement_and_downloads_it_as_a_portal_user(self):
        self.authenticate("tiina.portal", "tiina.portal.pass")
        page = self.url_open(self.case.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("Your statement of account", page.text)
        self.assertIn(self.refund.name, page.text, "the open credit is listed")
        net = page.text.split("o_dunning_statement_net")[-1].split("</tr>")[0]
        self.assertIn('<span class="oe_currency_value">500.00</span>', net, "600 owed less 100 of credit")
        xlsx = self.url_open(self.case.get_portal_url(suffix="/statement", report_type="xlsx"))
        self.assertEqual(xlsx.status_code, 200)
        self.assert_statement_sheet(xlsx.content)
        pdf = self.url_open(self.case.get_portal_url(suffix="/statement", report_type="pdf"))
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        self.assertIn(".pdf", pdf.headers["Content-Disposition"])
        # under tests Odoo hands back the report's HTML instead of running wkhtmltopdf: the statement's content
        self.assertIn(self.partly_paid.name.encode(), pdf.content)
        self.assertIn(self.refund.name.encode(), pdf.content)
        self.assertIn(f"/my/collections/{self.case.id}/statement?access_token=", page.text)

    def test_a_forged_token_gets_no_statement(self):
        token = self.case._portal_ensure_token()
        forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
        for login in (None, "stranger.portal"):
            with self.subTest(login=login):
                self.authenticate(login, f"{login}.pass" if login else None)
                for report_type in ("pdf", "xlsx"):
                    response = self.url_open(f"/my/collections/{self.case.id}/statement?access_token={forged}"
                                             f"&report_type={report_type}")
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn(self.partly_paid.name, response.text)
                    response = self.url_open(f"/my/collections/{self.case.id}/statement?report_type={report_type}")
                    self.assertEqual(response.status_code, 404, "no token at all")
        response = self.url_open(f"/my/collections/{self.case.id}/statement?access_token={token}&report_type=html")
        self.assertEqual(response.status_code, 404, "only PDF and XLSX")
