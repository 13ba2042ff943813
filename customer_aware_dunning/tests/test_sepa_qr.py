from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
IBAN = "FI79 4405 2020 0360 82"
RF_REFERENCE = "RF18539007547034"  # the ISO 11649 creditor reference of the standard's example


@tagged("post_install", "-at_install")
class TestSepaQr(DunningCommon):
    """The EPC (SEPA credit transfer) QR code on a collection letter, built by Odoo's ``account_qr_code_sepa``
    (installed in the test database): the payload field by field as EPC069-12 (version 002) lays it out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.euro = cls.setup_other_currency("EUR")
        bank = cls.env["res.bank"].create({"name": "Aktia", "bic": "HELSFIHH"})
        cls.account = cls.env["res.partner.bank"].create({
            "acc_number": IBAN, "partner_id": cls.company.partner_id.id, "bank_id": bank.id,
            "acc_holder_name": "Collections Demo Oy", "allow_out_payment": True,
        })
        cls.customer = cls.env["res.partner"].create({"name": "Vaahtera Oy", "is_company": True,
                                                      "email": "ap@vaahtera.example"})
        cls.invoice = cls.make_invoice(cls.customer, DUE - timedelta(days=30), DUE, 4883.15,
                                       currency_id=cls.euro.id, partner_bank_id=cls.account.id)
        cls.invoice.payment_reference = RF_REFERENCE
        cls.env["dunning.case"]._sync_open_cases(cls.company, DUE + timedelta(days=5))
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        cls.details = cls.env["dunning.payment.details"]

    def test_the_payload_follows_epc069_12(self):
        self.assertEqual(self.account.acc_type, "iban")
        lines = self.details._sepa_payload(self.case, self.invoice, self.account).split("\n")
        self.assertEqual(lines, [
            "BCD",                  # service tag
            "002",                  # version (BIC optional)
            "1",                    # character set: UTF-8
            "SCT",                  # SEPA credit transfer
            "HELSFIHH",             # BIC of the beneficiary's bank
            "Collections Demo Oy",  # beneficiary (at most 70 characters)
            "FI7944052020036082",   # IBAN, without spaces
            "EUR4883.15",           # amount in euros, at most two decimals
            "",                     # purpose: none
            RF_REFERENCE,           # structured remittance: the creditor reference
            "",                     # unstructured remittance: empty when a structured one is given
            "",                     # beneficiary to originator information
        ])

    def test_the_letter_carries_the_qr_code_for_one_invoice_in_euros_only(self):
        block = self.details._blocks([(self.case, self.invoice)], paper=True)[self.case.id]
        self.assertIn('alt="SEPA QR"', block)
        self.assertIn("Scan with your banking app to pay.", block)
        second = self.make_invoice(self.customer, DUE - timedelta(days=20), DUE, 100, currency_id=self.euro.id,
                                   partner_bank_id=self.account.id)
        self.assertFalse(self.details._sepa_payload(self.case, self.invoice | second, self.account),
                         "one code pays one invoice")
        in_dollars = self.make_invoice(self.customer, DUE - timedelta(days=20), DUE, 100,
                                       partner_bank_id=self.account.id)
        self.assertFalse(self.details._sepa_payload(self.case, in_dollars, self.account), "SEPA is euros only")
        block = self.details._blocks([(self.case, in_dollars)], paper=True)[self.case.id]
        self.assertNotIn('alt="SEPA QR"', block)
