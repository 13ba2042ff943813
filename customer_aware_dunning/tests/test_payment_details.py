import io
from datetime import date, timedelta

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import DunningCommon

DUE = date(2026, 6, 1)
IBAN = "FI79 4405 2020 0360 82"
REFERENCE = "86851 62596 19897"
LETTER_REPORT = "customer_aware_dunning.action_report_dunning_letter"


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestPaymentDetails(DunningCommon):
    """Every demand says how to pay; a letter is one a customer can pay from on paper."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.euro = cls.setup_other_currency("EUR")
        bank = cls.env["res.bank"].create({"name": "Aktia", "bic": "HELSFIHH"})
        cls.account = cls.env["res.partner.bank"].create({
            "acc_number": IBAN, "partner_id": cls.company.partner_id.id, "bank_id": bank.id,
            "allow_out_payment": True,
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Paju Oy", "is_company": True, "email": "ap@paju.example", "user_id": cls.collections_user.id,
        })
        cls.customer.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})

    def invoice(self, amount=4883.15):
        invoice = self.make_invoice(self.customer, day(-30), DUE, amount, currency_id=self.euro.id,
                                    partner_bank_id=self.account.id)
        invoice.payment_reference = REFERENCE
        return invoice

    def case_of(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], order="id desc", limit=1)

    def test_the_reminder_email_says_where_to_pay_with_which_reference(self):
        invoice = self.invoice()
        self.env["dunning.run"]._run_company(self.company, day(5))
        message = self.case_of().message_ids.filtered(lambda message: self.customer in message.partner_ids)
        self.assertEqual(len(message), 1)
        body = message.body.replace("&nbsp;", "\xa0")
        self.assertIn(IBAN, body)
        self.assertIn("HELSFIHH", body)
        self.assertIn(REFERENCE, body)
        self.assertIn(f"Total to pay: {self.euro.format(invoice.amount_residual)}", body)

    def test_a_letter_pdf_has_the_account_the_reference_and_the_barcode_and_no_web_button(self):
        invoice = self.invoice()
        self.env["dunning.run"]._run_company(self.company, day(5))
        case = self.case_of()
        html = self.env["ir.actions.report"]._render_qweb_html(LETTER_REPORT, case.ids)[0].decode()
        self.assertNotIn("Tell us about these invoices", html, "no web button on paper")
        paper = html.split("How to pay", 1)[1]
        self.assertIn(f"/my/collections/{case.id}</strong>", paper, "the case page's address, printed")
        self.assertIn('alt="QR" src="data:image/png;base64,', paper, "and as a QR code")
        pdf, kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            LETTER_REPORT, case.ids)
        self.assertEqual(kind, "pdf")
        text = "".join(page.extract_text() for page in PdfFileReader(io.BytesIO(pdf)).pages)
        text = " ".join(text.split())
        self.assertIn(IBAN, text)
        self.assertIn(REFERENCE, text)
        self.assertIn("479440520200360820048831500000000868516259619897260601", text.replace(" ", ""))
        self.assertNotIn("Tell us about these invoices", text)
        self.assertTrue(invoice.name in text)
