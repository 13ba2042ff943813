"""The statement of account as a spreadsheet (XLSX), with the same content as the PDF."""

import io

import xlsxwriter

from odoo import api, fields, models

from .dunning_statement import BUCKETS


class DunningStatementXlsx(models.AbstractModel):
    """Writes :meth:`dunning.statement._statement` into one worksheet, in the customer's language.

    Per currency: the open invoices (number, payment reference, invoice date,
    due date, days late, amount, paid, residual), the open credits and
    payments, the ageing buckets and the balance.  Amounts are numbers (the
    currency named in each section's heading), dates are dates.
    """

    _inherit = "dunning.statement"

    @api.model
    def _xlsx_labels(self):
        _ = self.env._
        return {
            "title": _("Statement of account"), "as_of": _("As of"), "customer": _("Customer"),
            "company": _("Company"), "currency": _("Currency"), "nothing": _("Nothing is open on your account."),
            "items": [_("Invoice"), _("Reference"), _("Invoice date"), _("Due date"), _("Days late"), _("Amount"),
                      _("Paid"), _("Residual")],
            "credits": _("Open credits and payments"),
            "credit_columns": [_("Credit"), _("Reference"), _("Date"), _("Amount")],
            "buckets": [_("Not due"), _("1-30 days"), _("31-60 days"), _("61-90 days"), _("Over 90 days"),
                        _("Balance")],
        }

    @api.model
    def _statement_xlsx(self, partner, company, today=None):
        """``(file name, XLSX bytes)``: the statement of ``partner`` in ``company`` as a workbook."""
        customer = partner.commercial_partner_id
        lang = customer.lang or self.env.lang
        statements = self.with_context(lang=lang)  # labels in the customer's language
        statement = statements._statement(customer, company, today)
        labels = statements._xlsx_labels()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(labels["title"][:31])
        styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "bold": workbook.add_format({"bold": True}),
            "head": workbook.add_format({"bold": True, "bottom": 1}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        }
        sheet.set_column(0, 1, 22)
        sheet.set_column(2, 7, 14)
        sheet.write(0, 0, labels["title"], styles["title"])
        sheet.write(1, 0, labels["customer"], styles["bold"])
        sheet.write(1, 1, customer.display_name)
        sheet.write(2, 0, labels["company"], styles["bold"])
        sheet.write(2, 1, company.name)
        sheet.write(3, 0, labels["as_of"], styles["bold"])
        sheet.write_datetime(3, 1, fields.Datetime.to_datetime(statement["today"]), styles["date"])
        row = 5
        if not statement["currencies"]:
            sheet.write(row, 0, labels["nothing"])
        for group in statement["currencies"]:
            row = statements._xlsx_currency(sheet, row, group, labels, styles, workbook) + 1
        workbook.close()
        name = f"{labels['title']} - {customer.display_name}.xlsx"
        return name, output.getvalue()

    @api.model
    def _xlsx_currency(self, sheet, row, group, labels, styles, workbook):
        """One currency's section from ``row``; returns the next free row."""
        currency = group["currency"]
        money = workbook.add_format({"num_format": "#,##0." + "0" * currency.decimal_places
                                     if currency.decimal_places else "#,##0"})
        sheet.write(row, 0, labels["currency"], styles["bold"])
        sheet.write(row, 1, currency.name, styles["bold"])
        row += 1
        for column, label in enumerate(labels["items"]):
            sheet.write(row, column, label, styles["head"])
        for item in group["items"]:
            row += 1
            sheet.write(row, 0, item["name"])
            sheet.write(row, 1, item["reference"])
            sheet.write_datetime(row, 2, fields.Datetime.to_datetime(item["date"]), styles["date"])
            sheet.write_datetime(row, 3, fields.Datetime.to_datetime(item["due"]), styles["date"])
            sheet.write_number(row, 4, item["days_late"])
            for column, key in ((5, "amount"), (6, "paid"), (7, "residual")):
                sheet.write_number(row, column, item[key], money)
        row += 2
        if group["credits"]:
            sheet.write(row, 0, labels["credits"], styles["bold"])
            row += 1
            for column, label in enumerate(labels["credit_columns"]):
                sheet.write(row, column, label, styles["head"])
            for item in group["credits"]:
                row += 1
                sheet.write(row, 0, item["name"])
                sheet.write(row, 1, item["reference"])
                sheet.write_datetime(row, 2, fields.Datetime.to_datetime(item["date"]), styles["date"])
                sheet.write_number(row, 3, -item["residual"], money)
            row += 2
        for column, label in enumerate(labels["buckets"]):
            sheet.write(row, column, label, styles["head"])
        row += 1
        for column, bucket in enumerate(BUCKETS):
            sheet.write_number(row, column, group["buckets"][bucket], money)
        sheet.write_number(row, len(BUCKETS), group["balance"], workbook.add_format(
            {"bold": True, "num_format": money.num_format}))
        return row + 1
