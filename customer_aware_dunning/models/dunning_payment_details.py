import contextlib

from lxml import html as lxml_html
from markupsafe import Markup

from odoo import api, models

from ..payment_values import bank_account, open_invoices, payment_values, qr_image
from ..policy.bank_barcode import virtual_barcode


class DunningPaymentDetails(models.AbstractModel):
    """How to pay, on every demand: the account, each invoice's reference, the total.

    * the account: the bank account the invoices name (``partner_bank_id``,
      Odoo's recipient bank of an invoice), else the company's first one;
      its IBAN (or account number) and BIC;
    * each invoice's ``payment_reference`` (the Finnish national or RF creditor
      reference when the journal uses them, as ``l10n_fi`` sets them) and what
      is left to pay on it;
    * the total to pay.

    Letters also carry, per invoice in euros on a Finnish account with a
    Finnish or RF reference, the virtual bank barcode
    (:mod:`..policy.bank_barcode`), a QR code of the customer's case page with
    its printed address, and the SEPA credit-transfer QR code when Odoo can
    build one for the account (Odoo's ``account_qr_code_sepa``).
    """

    _name = "dunning.payment.details"
    _description = "Collections: payment details"

    @api.model
    def _values(self, case, invoices, paper=False):
        """The payment details of ``invoices`` of ``case`` for the templates (in the case's context language)."""
        invoices = open_invoices(invoices)
        bank = bank_account(case, invoices)
        values = payment_values(case, invoices)
        if paper and bank:
            for invoice, line in zip(invoices, values["lines"], strict=True):
                if invoice.currency_id.name == "EUR":
                    with contextlib.suppress(ValueError):  # not a Finnish account or reference: no barcode
                        line["barcode"] = virtual_barcode(bank.acc_number, invoice.amount_residual,
                                                          invoice.payment_reference or "", invoice.invoice_date_due)
        if paper:
            values.update(self._paper_values(case, invoices, bank))
        return values

    @api.model
    def _paper_values(self, case, invoices, bank):
        link = case.get_base_url() + case.get_portal_url()
        return {
            "short_url": case.get_base_url() + case.access_url,
            "link_qr": qr_image(link),
            "sepa_qr": self._sepa_qr(case, invoices, bank),
        }

    @api.model
    def _sepa_qr(self, case, invoices, bank):
        """The EPC (SEPA credit transfer) QR code of one invoice, as a PNG data URL, or ``False``."""
        payload = self._sepa_payload(case, invoices, bank)
        return qr_image(payload) if payload else False

    @api.model
    def _sepa_payload(self, case, invoices, bank):
        """The EPC069-12 text of the SEPA credit-transfer QR code of one invoice, as Odoo's
        ``account_qr_code_sepa`` builds it, or ``False`` (several invoices, no such module, not euros on
        a SEPA IBAN)."""
        if not bank or len(invoices) != 1 or "sct_qr" not in dict(bank.get_available_qr_methods_in_sequence()):
            return False
        if bank._get_error_messages_for_qr("sct_qr", case.partner_id, invoices.currency_id):
            return False
        amount = invoices.currency_id.round(invoices.amount_residual)
        args = ("sct_qr", amount, invoices.currency_id, case.partner_id,
                invoices.payment_reference or invoices.name, invoices.payment_reference)
        return "\n".join(bank._get_qr_vals(*args))

    @api.model
    def _blocks(self, items, paper=False):
        """``{case id: Markup}``: the "how to pay" block of each ``(case, invoices)``, in the customer's language."""
        result = {}
        template = ("customer_aware_dunning.dunning_payment_details_paper" if paper
                    else "customer_aware_dunning.dunning_payment_details")
        for case, invoices in items:
            lang = case.partner_id.lang or self.env.lang
            case = case.with_context(lang=lang)
            values = self._values(case, invoices.with_context(lang=lang), paper=paper)
            if not values["lines"]:
                continue
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(template, values))
        return result

    @api.model
    def _without_web_buttons(self, body):
        """``body`` without the paragraphs holding links to the customer's case page (no use on paper)."""
        if not body:
            return body
        tree = lxml_html.fragment_fromstring(str(body), create_parent="div")
        links = tree.xpath("//a[contains(@href, '/my/collections')]")
        if not links:
            return body
        for link in links:
            holder = link.getparent() if link.getparent().tag == "p" else link
            if holder.getparent() is not None:
                holder.getparent().remove(holder)
        return Markup("".join(lxml_html.tostring(child, encoding="unicode") for child in tree))
