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
            ("amount_residual_currency", "<", 0),
        ], order="date, id")
        by_customer = defaultdict(lambda: self.env["account.move.line"])
        for line in lines:
            by_customer[line.partner_id.commercial_partner_id, line.company_id] |= line
        return {case.id: by_customer[case.partner_id.commercial_partner_id, case.company_id] for case in cases}

    @api.model
    def _open_credits_by_currency(self, company, partners):
        """``{commercial partner id: {currency code: open credits}}`` in ``company``, each in its own currency
        (a positive amount): what the engine weighs against the overdue invoices of the same currency."""
        groups = self.env["account.move.line"].sudo()._read_group([
            ("partner_id", "child_of", partners.commercial_partner_id.ids),
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual_currency", "<", 0),
        ], ["partner_id", "currency_id"], ["amount_residual_currency:sum"])
        result = defaultdict(lambda: defaultdict(float))
        for partner, currency, residual in groups:
            result[partner.commercial_partner_id.id][currency.name] -= residual
        return {partner: dict(amounts) for partner, amounts in result.items()}

    @api.model
    def _lines_for_message(self, items):
        """``{case id: Markup}`` for ``items`` ``[(case, invoices)]`` whose open credits cover part of the
        invoices' residual: per currency, the credits listed and the net amount, in the customer's language.

        A credit only counts against invoices in its own currency; a currency whose credits cover its
        invoices shows a net amount of nothing to pay."""
        cases = self.env["dunning.case"].union(*(case for case, _invoices in items))
        if not cases:
            return {}
        credits = self._open_credit_lines(cases)
        result = {}
        for case, invoices in items:
            lang = case.partner_id.lang or self.env.lang
            env = case.with_context(lang=lang).env
            groups = self._per_currency(credits[case.id].with_context(lang=lang), invoices)  # formats in ``lang``
            if not groups or all(group["credit_total"] >= group["owed"] for group in groups):
                continue  # no credit against these invoices, or the engine holds: nothing is demanded
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(
                "customer_aware_dunning.dunning_credits_table", {"groups": [{
                    "lines": [
                        (line.move_id.name, format_date(env, line.date),
                         group["currency"].format(-line.amount_residual_currency))
                        for line in group["lines"]
                    ],
                    "credit_total": group["currency"].format(group["credit_total"]),
                    "net": group["currency"].format(max(group["owed"] - group["credit_total"], 0.0)),
                } for group in groups]},
            ))
        return result

    @api.model
    def _per_currency(self, lines, invoices):
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
