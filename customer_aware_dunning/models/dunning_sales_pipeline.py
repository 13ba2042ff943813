"""The sales pipeline as facts: what a customer is about to buy, beside what they owe.

Per commercial partner and company, read set-based with ``_read_group`` (a fixed number of
queries whatever the number of customers):

* ``open_quotations`` / ``open_quotations_amount``: quotations not confirmed (draft or sent);
* ``open_orders`` / ``open_orders_amount``: confirmed sale orders not fully invoiced;
* ``open_opportunities`` / ``open_opportunities_amount``: when the ``crm`` module is installed, open
  opportunities (not won, not lost), their expected revenue times their probability;
* ``open_pipeline_amount``: the three amounts together;
* ``last_order_days``: days since the customer's last confirmed order (unknown without one).

Amounts are untaxed, in the company's currency. The daily run, the dry run and the payment-term
suggestions read them through ``dunning.partner.facts._policy_facts``; the case shows them.
"""

from odoo import api, fields, models

PIPELINE_FACTS = (
    "open_quotations", "open_quotations_amount", "open_orders", "open_orders_amount",
    "open_opportunities", "open_opportunities_amount", "open_pipeline_amount", "last_order_days",
)


# The pipeline facts of a customer with nothing open and nothing ordered.
EMPTY_PIPELINE = {"open_quotations": 0, "open_quotations_amount": 0.0, "open_orders": 0, "open_orders_amount": 0.0,
                  "open_opportunities": 0, "open_opportunities_amount": 0.0, "open_pipeline_amount": 0.0,
                  "last_order_days": None}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _dunning_pipeline_facts(self, company, partners, today):
        """``{commercial partner: pipeline facts}`` of ``partners`` in ``company`` as of ``today`` (see module doc)."""
        partners = partners.commercial_partner_id
        if not partners:
            return {}
        Order = self.sudo().with_context(active_test=False)
        scope = [("company_id", "=", company.id), ("partner_id.commercial_partner_id", "in", partners.ids)]
        facts = {partner: dict(EMPTY_PIPELINE) for partner in partners}
        groups = Order._read_group(
            [*scope, "|", ("state", "in", ("draft", "sent")),
             "&", ("state", "=", "sale"), ("invoice_status", "!=", "invoiced")],
            ["partner_id", "state", "currency_id"], ["__count", "amount_untaxed:sum"],
        )
        last_orders = Order._read_group([*scope, ("state", "=", "sale")], ["partner_id"], ["date_order:max"])
        opportunities = self._dunning_open_opportunities(company, partners)
        commercial = {partner: partner.commercial_partner_id for partner, *_rest in groups + last_orders}
        for partner, state, currency, count, amount in groups:
            values = facts[commercial[partner]]
            kind = "open_orders" if state == "sale" else "open_quotations"
            values[kind] += count
            values[f"{kind}_amount"] += currency._convert(amount, company.currency_id, company, today)
        for partner, last_order in last_orders:
            days = (today - last_order.date()).days
            values = facts[commercial[partner]]
            known = values["last_order_days"]
            values["last_order_days"] = days if known is None else min(known, days)
        for partner, (count, amount) in opportunities.items():
            facts[partner]["open_opportunities"] += count
            facts[partner]["open_opportunities_amount"] += amount
        for values in facts.values():
            values["open_pipeline_amount"] = (values["open_quotations_amount"] + values["open_orders_amount"]
                                              + values["open_opportunities_amount"])
        return facts

    @api.model
    def _dunning_open_opportunities(self, company, partners):
        """``{commercial partner: (count, prorated revenue)}`` of open opportunities; empty without ``crm``."""
        if "crm.lead" not in self.env:
            return {}
        groups = self.env["crm.lead"].sudo()._read_group(
            [("type", "=", "opportunity"), ("active", "=", True), ("stage_id.is_won", "=", False),
             ("company_id", "in", (company.id, False)), ("partner_id.commercial_partner_id", "in", partners.ids)],
            ["partner_id"], ["__count", "prorated_revenue:sum"],
        )
        result = {}
        for partner, count, amount in groups:
            count_so_far, amount_so_far = result.get(partner.commercial_partner_id, (0, 0.0))
            result[partner.commercial_partner_id] = (count_so_far + count, amount_so_far + amount)
        return result


class DunningPartnerFacts(models.Model):
    _inherit = "dunning.partner.facts"

    @api.model
    def _policy_facts(self, company, partners=None):
        """The customers' facts with their sales pipeline (see :mod:`.dunning_sales_pipeline`)."""
        facts = super()._policy_facts(company, partners)
        if not facts:
            return facts
        pipeline = self.env["sale.order"]._dunning_pipeline_facts(
            company, self.env["res.partner"].union(*facts), fields.Date.context_today(self))
        for partner, values in facts.items():
            values.update(pipeline.get(partner, dict(EMPTY_PIPELINE)))
        return facts


class DunningCase(models.Model):
    _inherit = "dunning.case"

    dunning_open_quotations = fields.Integer("Open quotations", compute="_compute_dunning_pipeline")
    dunning_open_orders = fields.Integer("Orders to invoice", compute="_compute_dunning_pipeline")
    dunning_open_opportunities = fields.Integer("Open opportunities", compute="_compute_dunning_pipeline")
    dunning_pipeline_amount = fields.Monetary(
        "Open pipeline", compute="_compute_dunning_pipeline",
        help="Open quotations, orders not yet invoiced and (with CRM) opportunities weighted by their "
             "probability: untaxed, in the company's currency.")
    dunning_last_order_days = fields.Integer(
        "Days since the last order", compute="_compute_dunning_pipeline",
        help="Days since the customer's last confirmed sale order (0 when none is known).")

    @api.depends("partner_id", "company_id")
    def _compute_dunning_pipeline(self):
        today = fields.Date.context_today(self)
        by_company = {}
        for company in self.company_id:
            cases = self.filtered(lambda case, company=company: case.company_id == company)
            by_company[company] = self.env["sale.order"]._dunning_pipeline_facts(company, cases.partner_id, today)
        for case in self:
            partner = case.partner_id.commercial_partner_id
            values = by_company.get(case.company_id, {}).get(partner) or dict(EMPTY_PIPELINE)
            case.dunning_open_quotations = values["open_quotations"]
            case.dunning_open_orders = values["open_orders"]
            case.dunning_open_opportunities = values["open_opportunities"]
            case.dunning_pipeline_amount = values["open_pipeline_amount"]
            case.dunning_last_order_days = values["last_order_days"] or 0
