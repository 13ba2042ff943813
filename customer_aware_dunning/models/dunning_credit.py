from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.tools.misc import format_date


class DunningCredit(models.AbstractModel):
    """The customer's open credits as a collection message shows them.

    Open credits are what the ``open_credits`` fact measures: posted receivable
    lines of the customer (its commercial partner) in the case's company with a
    negative residual, i.e. open credit notes and payments not yet reconciled
    with an invoice (Odoo's outstanding credits).  While they cover the overdue
    amount the engine holds the case; when they cover part of it, each email
    states the net amount to pay and lists them (:meth:`_lines_for_message`).
    """

    _name = "dunning.credit"
    _description = "Collections: open credits"

    @api.model
    def _open_credit_lines(self, cases):
        """``{case id: account.move.line}``: the open credit lines of each case's customer and company."""
        lines = self.env["account.move.line"].sudo().search([
            ("partner_id.commercial_partner_id", "in", cases.partner_id.commercial_partner_id.ids),
            ("company_id", "in", cases.company_id.ids),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", "<", 0),
        ], order="date, id")
        by_customer = defaultdict(lambda: self.env["account.move.line"])
        for line in lines:
            by_customer[line.partner_id.commercial_partner_id, line.company_id] |= line
        return {case.id: by_customer[case.partner_id.commercial_partner_id, case.company_id] for case in cases}

    @api.model
    def _lines_for_message(self, items):
        """``{case id: Markup}`` for ``items`` ``[(case, invoices)]`` whose open credits cover part of the
        invoices' residual: the credits listed and the net amount, in the customer's language."""
        cases = self.env["dunning.case"].union(*(case for case, _invoices in items))
        if not cases:
            return {}
        credits = self._open_credit_lines(cases)
        result = {}
        for case, invoices in items:
            lines = credits[case.id]
            credit_total = -sum(lines.mapped("amount_residual"))
            owed = sum(invoices.mapped("amount_residual_signed"))
            if not lines or owed <= 0 or case.company_id.currency_id.compare_amounts(credit_total, owed) >= 0:
                continue
            lang = case.partner_id.lang or self.env.lang
            case = case.with_context(lang=lang)
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(
                "customer_aware_dunning.dunning_credits_table", {
                    "lines": [
                        (line.move_id.name, format_date(case.env, line.date),
                         case._format_amount(-line.amount_residual))
                        for line in lines
                    ],
                    "credit_total": case._format_amount(credit_total),
                    "net": case._format_amount(owed - credit_total),
                },
            ))
        return result
