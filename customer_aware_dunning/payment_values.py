"""How to pay, as values for the templates: shared by the email (the channel) and the letter (the report).

Functions of records, no model: the account the invoices name (else the
company's first one), each open invoice's reference and what is left on it,
and the total to pay, formatted in the language of the records' context.
"""

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
