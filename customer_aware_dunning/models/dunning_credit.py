from collections import defaultdict

from odoo import api, models


class DunningCredit(models.AbstractModel):
    """The customer's open credits, as the engine weighs them.

    Open credits are what the ``open_credits`` fact measures: posted receivable
    lines of the customer (its commercial partner) in the case's company with a
    negative residual, i.e. open credit notes and payments not yet reconciled
    with an invoice (Odoo's outstanding credits).  While they cover the overdue
    amount the engine holds the case (the run reads them here, per currency);
    when they cover part of it, each email states the net amount to pay and
    lists them (``dunning.channel._credit_blocks``).
    """

    _name = "dunning.credit"
    _description = "Collections: open credits"

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
