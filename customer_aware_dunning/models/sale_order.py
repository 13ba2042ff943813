from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """Quotations show the payment term the policy suggests when the chosen one departs from it.

    The notice never blocks: the salesperson may keep the chosen term, or
    switch with one click.  Which departures are flagged is the rule's
    ``intent`` (see ``account.payment.term._dunning_notices``); a quotation
    without a term is offered the suggestion whatever the intent.
    """

    _inherit = "sale.order"

    dunning_suggested_term_id = fields.Many2one(
        "account.payment.term", compute="_compute_dunning_term_notice", string="Suggested payment term"
    )
    dunning_term_notice = fields.Char(compute="_compute_dunning_term_notice", string="Payment term notice")

    @api.depends("partner_id", "payment_term_id", "amount_total", "currency_id", "company_id", "state", "date_order")
    @api.depends_context("company")
    def _compute_dunning_term_notice(self):
        quotations = self.filtered(lambda order: order.state in ("draft", "sent") and order.partner_id)
        notices = self.env["account.payment.term"]._dunning_notices([
            (order, order.partner_id, order.company_id, order._dunning_amount(), order.payment_term_id,
             order.payment_term_id._dunning_generosity() if order.payment_term_id else None)
            for order in quotations
        ])
        for order in self:
            notice = notices.get(order)
            order.dunning_suggested_term_id = notice.suggestion.term if notice and notice.suggestion else False
            order.dunning_term_notice = notice.text if notice else False

    def _dunning_amount(self):
        """The quotation's total in its company's currency: what it adds to the customer's credit exposure."""
        self.ensure_one()
        company = self.company_id
        if not self.currency_id or self.currency_id == company.currency_id:
            return self.amount_total
        return self.currency_id._convert(
            self.amount_total, company.currency_id, company, self.date_order or fields.Date.context_today(self)
        )

    def action_dunning_use_suggested_term(self):
        """Switch the quotation to the suggested payment term."""
        for order in self:
            if order.state not in ("draft", "sent"):
                raise UserError(_("%s is confirmed: its payment term is no longer a suggestion's business.",
                                  order.name))
            if order.dunning_suggested_term_id:
                order.payment_term_id = order.dunning_suggested_term_id
