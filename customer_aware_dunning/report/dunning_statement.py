from collections import defaultdict

from odoo import api, fields, models

BUCKETS = ("not_due", "1_30", "31_60", "61_90", "90_plus")


def bucket_of(days_late):
    """The ageing bucket of an item ``days_late`` days past its due date (0 or less: not due)."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "1_30"
    if days_late <= 60:
        return "31_60"
    if days_late <= 90:
        return "61_90"
    return "90_plus"


class DunningStatement(models.AbstractModel):
    """The statement of account of a customer in one company: every open item, per currency.

    Open items are the customer's posted receivable lines not fully reconciled,
    in their own currency: invoices (amount, paid so far, residual, days late and
    ageing bucket) and, apart, open credit notes and payments not yet applied.
    """

    _name = "dunning.statement"
    _description = "Collections: statement of account"

    @api.model
    def _statement(self, partner, company, today=None):
        today = today or fields.Date.context_today(self)
        customer = partner.commercial_partner_id
        lines = self.env["account.move.line"].sudo().search([
            ("partner_id", "child_of", customer.id),
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual_currency", "!=", 0),
        ], order="date_maturity, date, id")
        by_currency = defaultdict(lambda: {"items": [], "credits": [], "buckets": dict.fromkeys(BUCKETS, 0.0)})
        for line in lines:
            currency = line.currency_id
            due = line.date_maturity or line.date
            days_late = (today - due).days
            item = {
                "name": line.move_id.name, "reference": line.move_id.payment_reference or line.move_id.ref or "",
                "date": line.move_id.invoice_date or line.date, "due": due, "days_late": max(days_late, 0),
                "amount": line.amount_currency, "paid": line.amount_currency - line.amount_residual_currency,
                "residual": line.amount_residual_currency, "bucket": bucket_of(days_late),
            }
            group = by_currency[currency]
            if line.amount_residual_currency > 0:
                group["items"].append(item)
                group["buckets"][item["bucket"]] += item["residual"]
            else:
                group["credits"].append(item)
        result = []
        for currency, group in sorted(by_currency.items(), key=lambda pair: pair[0].name):
            owed = sum(item["residual"] for item in group["items"])
            credits = sum(item["residual"] for item in group["credits"])
            result.append({"currency": currency, **group, "owed": owed, "credits": group["credits"],
                           "credit_total": -credits, "balance": owed + credits})
        return {"partner": customer, "company": company, "today": today, "currencies": result}


class ReportDunningStatementPartner(models.AbstractModel):
    _name = "report.customer_aware_dunning.report_dunning_statement_partner"
    _description = "Statement of account (customer)"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        statements = {partner.id: self.env["dunning.statement"]._statement(partner, self.env.company)
                      for partner in partners}
        return {"doc_ids": docids, "doc_model": "res.partner", "docs": partners, "statements": statements,
                "partner_of": lambda doc: doc}


class ReportDunningStatementCase(models.AbstractModel):
    _name = "report.customer_aware_dunning.report_dunning_statement_case"
    _description = "Statement of account (collection case)"

    @api.model
    def _get_report_values(self, docids, data=None):
        cases = self.env["dunning.case"].browse(docids)
        statements = {case.id: self.env["dunning.statement"]._statement(case.partner_id, case.company_id)
                      for case in cases}
        return {"doc_ids": docids, "doc_model": "dunning.case", "docs": cases, "statements": statements,
                "partner_of": lambda doc: doc.partner_id}
