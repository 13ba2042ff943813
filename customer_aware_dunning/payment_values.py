"""How to pay, as values for the templates: shared by the email (the channel) and the letter (the report).

Functions of records, no model: the account the invoices name (else the
company's first one), each open invoice's reference and what is left on it,
and the total to pay, formatted in the language of the records' context; the
credit notes and payments on account that cover the invoices, per currency;
a QR code for paper.
"""

import base64
import io

import qrcode

from odoo.tools.misc import format_date


def open_invoices(invoices):
    """The invoices with something left to pay, by due date: the lines of the "how to pay" block."""
    return invoices.filtered(lambda invoice: invoice.amount_residual > 0).sorted("invoice_date_due")


def bank_account(case, invoices):
    """The bank account to pay to: the one the invoices name (``partner_bank_id``), else the company's first."""
    return invoices.partner_bank_id[:1] or case.company_id.partner_id.bank_ids[:1]


def payment_values(case, invoices):
    """The values of the ``dunning_payment_details`` templates for ``invoices`` of ``case`` (already filtered by
    :func:`open_invoices`), in the case's context language; each line's ``barcode`` is ``False`` (paper adds it)."""
    bank = bank_account(case, invoices)
    currencies = invoices.currency_id
    lines = [{
        "name": invoice.name,
        "reference": invoice.payment_reference or invoice.name,
        "due": format_date(case.env, invoice.invoice_date_due),
        "amount": invoice.currency_id.format(invoice.amount_residual),
        "barcode": False,
    } for invoice in invoices]
    total = (currencies.format(sum(invoices.mapped("amount_residual"))) if len(currencies) == 1
             else case.currency_id.format(sum(invoices.mapped("amount_residual_signed"))))
    return {
        "account": bank.acc_number if bank else False,
        "holder": (bank.partner_id.display_name if bank else False) or case.company_id.name,
        "bic": bank.bank_id.bic if bank else False,
        "lines": lines,
        "total": total,
    }


def credits_per_currency(lines, invoices):
    """The credit ``lines`` against the residual of ``invoices``, per currency having both, by currency name."""
    groups = []
    for currency in (lines.currency_id & invoices.currency_id).sorted("name"):
        own = lines.filtered(lambda line, currency=currency: line.currency_id == currency)
        owed = sum(invoices.filtered(lambda move, currency=currency: move.currency_id == currency)
                   .mapped("amount_residual"))
        if owed > 0:
            groups.append({"currency": currency, "lines": own, "owed": currency.round(owed),
                           "credit_total": currency.round(-sum(own.mapped("amount_residual_currency")))})
    return groups


def qr_image(value):
    """A QR code of ``value`` as a PNG data URL, for a printed letter."""
    image = qrcode.make(value, box_size=4, border=2)
    stream = io.BytesIO()
    image.save(stream, format="PNG")
    return "data:image/png;base64," + base64.b64encode(stream.getvalue()).decode()
