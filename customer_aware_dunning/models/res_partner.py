from odoo import _, api, fields, models

from ..access import check_collections_manager
from ..policy.schema import CUSTOMER_TYPES

SEGMENT_FIELDS = {"dunning_segment_id", "dunning_segment_manual"}
LEGAL_FIELDS = {"dunning_customer_kind", "dunning_agreed_interest_rate"}
CUSTOMER_KINDS = [("auto", "From the contact (company or VAT number)"), *CUSTOMER_TYPES]


class ResPartner(models.Model):
    """Customers carry a segment and their payment behaviour, per company."""

    _inherit = "res.partner"

    dunning_segment_id = fields.Many2one(
        "dunning.segment", string="Segment", company_dependent=True, index=True,
        help="Assigned every day by the policy's rules, unless set by hand.",
    )
    dunning_segment_manual = fields.Boolean(
        "Segment set by hand", company_dependent=True,
        help="A segment set by hand wins over the policy's rules until it is cleared.",
    )
    dunning_customer_kind = fields.Selection(
        CUSTOMER_KINDS, string="Customer in law", default="auto", required=True,
        help="Consumer or business for collection charges: by default a company or a contact with a VAT number "
             "is a business, anyone else a consumer.",
    )
    dunning_customer_type = fields.Selection(
        CUSTOMER_TYPES, string="Collections customer type", compute="_compute_dunning_customer_type", store=True,
        help="What the legal limits on reminder fees and interest treat this customer as.",
    )
    dunning_agreed_interest_rate = fields.Float(
        "Agreed late-payment interest (%)", company_dependent=True, digits=(16, 2),
        help="The annual late-payment interest the contract with this customer sets; it replaces the reference "
             "rate plus the statutory margin. 0: none agreed.",
    )
    dunning_facts_id = fields.Many2one(
        "dunning.partner.facts", compute="_compute_dunning_facts_id", search="_search_dunning_facts_id"
    )
    dunning_currency_id = fields.Many2one(related="dunning_facts_id.currency_id", string="Facts currency")
    dunning_lifetime_revenue = fields.Monetary(
        related="dunning_facts_id.lifetime_revenue", currency_field="dunning_currency_id", string="Lifetime revenue"
    )
    dunning_revenue_12m = fields.Monetary(
        related="dunning_facts_id.revenue_12m", currency_field="dunning_currency_id", string="Revenue (12 months)"
    )
    dunning_customer_since = fields.Date(related="dunning_facts_id.customer_since", string="Customer since")
    dunning_invoices_due_24m = fields.Integer(related="dunning_facts_id.invoices_due_24m")
    dunning_on_time_ratio = fields.Float(related="dunning_facts_id.on_time_ratio", string="Paid on time")
    dunning_avg_days_late = fields.Float(related="dunning_facts_id.avg_days_late", string="Average days late")
    dunning_open_balance = fields.Monetary(
        related="dunning_facts_id.open_balance", currency_field="dunning_currency_id", string="Open balance"
    )
    dunning_overdue_balance = fields.Monetary(
        related="dunning_facts_id.overdue_balance", currency_field="dunning_currency_id", string="Overdue"
    )
    dunning_open_credits = fields.Monetary(
        related="dunning_facts_id.open_credits", currency_field="dunning_currency_id", string="Open credits"
    )
    dunning_net_overdue = fields.Monetary(
        related="dunning_facts_id.net_overdue", currency_field="dunning_currency_id", string="Net overdue"
    )
    dunning_oldest_overdue_days = fields.Integer(
        related="dunning_facts_id.oldest_overdue_days", string="Oldest overdue (days)"
    )
    dunning_satisfaction_count = fields.Integer(related="dunning_facts_id.satisfaction_count")
    dunning_last_satisfaction = fields.Float(related="dunning_facts_id.last_satisfaction", string="Last satisfaction")
    dunning_avg_satisfaction = fields.Float(
        related="dunning_facts_id.avg_satisfaction", string="Average satisfaction"
    )
    dunning_credit_limit_use = fields.Float(related="dunning_facts_id.credit_limit_use", string="Credit limit use")
    dunning_facts_date = fields.Date(related="dunning_facts_id.computed_on", string="Facts as of")
    dunning_case_count = fields.Integer(compute="_compute_dunning_case_count", string="Collection cases")
    # What the customer bought around its last closed case (computed together, from the case's stored figures).
    dunning_last_closed_case_id = fields.Many2one(
        "dunning.case", compute="_compute_dunning_last_closed_case", string="Last closed collection case"
    )
    dunning_closed_case_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dunning_last_closed_case", string="Last case currency"
    )
    dunning_repurchase_invoiced = fields.Monetary(
        compute="_compute_dunning_last_closed_case", currency_field="dunning_closed_case_currency_id",
        string="Invoiced after the last case",
    )
    dunning_repurchase_ordered = fields.Monetary(
        compute="_compute_dunning_last_closed_case", currency_field="dunning_closed_case_currency_id",
        string="Ordered after the last case",
    )
    dunning_before_invoiced = fields.Monetary(
        compute="_compute_dunning_last_closed_case", currency_field="dunning_closed_case_currency_id",
        string="Invoiced before the last case",
    )
    dunning_before_ordered = fields.Monetary(
        compute="_compute_dunning_last_closed_case", currency_field="dunning_closed_case_currency_id",
        string="Ordered before the last case",
    )
    dunning_repurchase_measured_on = fields.Date(
        compute="_compute_dunning_last_closed_case", string="Purchases measured on"
    )
    dunning_customer_lost = fields.Boolean(compute="_compute_dunning_last_closed_case", string="Customer lost")

    @api.depends_context("company")
    def _compute_dunning_facts_id(self):
        facts = self.env["dunning.partner.facts"].sudo().search([
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("company_id", "=", self.env.company.id),
        ])
        by_partner = {fact.partner_id: fact for fact in facts}
        for partner in self:
            partner.dunning_facts_id = by_partner.get(partner.commercial_partner_id, False)

    def _search_dunning_facts_id(self, operator, value):
        facts = self.env["dunning.partner.facts"].sudo()._search([
            ("id", operator, value), ("company_id", "=", self.env.company.id)
        ])
        return [("commercial_partner_id", "in", facts.subselect("partner_id"))]

    @api.depends_context("company")
    def _compute_dunning_case_count(self):
        counts = dict(
            self.env["dunning.case"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.dunning_case_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends_context("company")
    def _compute_dunning_last_closed_case(self):
        cases = self.env["dunning.case"].sudo().search([
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("company_id", "=", self.env.company.id),
            ("state", "=", "closed"),
        ], order="closed_on desc, id desc")
        last = {}
        for case in cases:
            last.setdefault(case.partner_id, case)
        for partner in self:
            case = last.get(partner.commercial_partner_id, cases.browse())
            partner.dunning_last_closed_case_id = case
            partner.dunning_closed_case_currency_id = case.currency_id
            partner.dunning_repurchase_invoiced = case.repurchase_invoiced
            partner.dunning_repurchase_ordered = case.repurchase_ordered
            partner.dunning_before_invoiced = case.before_invoiced
            partner.dunning_before_ordered = case.before_ordered
            partner.dunning_repurchase_measured_on = case.repurchase_measured_on
            partner.dunning_customer_lost = case.customer_lost

    @api.depends("dunning_customer_kind", "is_company", "vat")
    def _compute_dunning_customer_type(self):
        for partner in self:
            if partner.dunning_customer_kind in ("consumer", "business"):
                partner.dunning_customer_type = partner.dunning_customer_kind
            else:
                partner.dunning_customer_type = "business" if partner.is_company or partner.vat else "consumer"

    def write(self, vals):
        if LEGAL_FIELDS & set(vals):
            check_collections_manager(self.env, _(
                "Only Collections managers can change whether a customer is a consumer or a business, or the "
                "agreed late-payment interest."
            ))
        by_rule = self.env.context.get("dunning_segment_by_rule")
        if "dunning_segment_id" in vals and not by_rule:
            vals = dict(vals, dunning_segment_manual=bool(vals["dunning_segment_id"]))
        if SEGMENT_FIELDS & set(vals) and not by_rule:
            check_collections_manager(self.env, _("Only Collections managers can set a customer's segment by hand."))
            if set(vals) <= SEGMENT_FIELDS:
                # Collections managers need not be allowed to edit contacts to classify them.
                self.check_access("read")
                return super(ResPartner, self.sudo()).write(vals)
        return super().write(vals)

    def _dunning_set_rule_segments(self, segment_by_partner):
        """Write rule-assigned segments in one write per segment; hand-set segments are left alone."""
        partners = self.browse([p.id for p in segment_by_partner]).filtered(lambda p: not p.dunning_segment_manual)
        groups = {}
        for partner in partners:
            segment = segment_by_partner[partner]
            if partner.dunning_segment_id != segment:
                groups.setdefault(segment, self.browse())
                groups[segment] |= partner
        rule_writer = self.with_context(dunning_segment_by_rule=True)
        for segment, members in groups.items():
            rule_writer.browse(members.ids).write({"dunning_segment_id": segment.id})
        return groups

    def action_dunning_segment_by_rule(self):
        """Clear a hand-set segment: the next run assigns one by the policy's rules."""
        self.write({"dunning_segment_manual": False})

    def action_dunning_refresh_facts(self):
        today = fields.Date.context_today(self)
        self.env["dunning.partner.facts"].sudo()._refresh(self.env.company, today, partners=self)

    def action_view_dunning_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_aware_dunning.action_dunning_case")
        action.update(
            domain=[("partner_id", "=", self.commercial_partner_id.id)],
            context={"search_default_filter_not_closed": 0, "create": False},
        )
        return action

    # -- payment terms: the policy's suggestion for this customer (see account.payment.term's _dunning_* methods)
    dunning_suggested_term_id = fields.Many2one(
        "account.payment.term", compute="_compute_dunning_suggested_term", string="Suggested payment term",
    )
    dunning_suggested_term_reason = fields.Char(compute="_compute_dunning_suggested_term", string="Why this term")
    dunning_term_differs = fields.Boolean(
        compute="_compute_dunning_suggested_term", search="_search_dunning_term_differs",
        string="Payment term to review", help="The customer's payment term is not the one the policy suggests.",
    )

    # Not on the segment: a change of segment on the form would then ask the server for an onchange,
    # which needs write access to contacts that Collections managers need not have (they set segments
    # through write()'s own check). The suggestion follows the segment once the form is saved.
    @api.depends("commercial_partner_id.property_payment_term_id")
    @api.depends_context("company")
    def _compute_dunning_suggested_term(self):
        suggestions = self.env["account.payment.term"]._dunning_suggestions(self, self.env.company)
        for partner in self:
            suggestion = suggestions.get(partner.commercial_partner_id)
            partner.dunning_suggested_term_id = suggestion.term if suggestion else False
            partner.dunning_suggested_term_reason = suggestion.reason if suggestion else False
            partner.dunning_term_differs = bool(suggestion) and (
                partner.commercial_partner_id.property_payment_term_id != suggestion.term
            )

    def _search_dunning_term_differs(self, operator, value):
        """Customers with open receivables or sales in the last year whose term is not the suggested one."""
        if operator != "in":
            return NotImplemented
        since = fields.Date.subtract(fields.Date.context_today(self), days=365)
        company = self.env.company
        owing = self.env["dunning.partner.facts"].sudo().search(
            [("company_id", "=", company.id), ("open_balance", ">", 0)]
        ).partner_id
        buying = self.env["sale.order"].sudo().search(
            [("company_id", "=", company.id), ("state", "=", "sale"), ("date_order", ">=", since)]
        ).partner_id.commercial_partner_id
        differing = (owing | buying).with_env(self.env).filtered("dunning_term_differs")
        return [("id", "in" if True in value else "not in", differing.ids)]

    def action_dunning_apply_suggested_term(self):
        """Give the customers the suggested payment term in the current company (Collections managers only)."""
        check_collections_manager(self.env, _("Only Collections managers can apply a suggested payment term."))
        self.check_access("read")
        for partner in self.commercial_partner_id.filtered("dunning_suggested_term_id"):
            term, reason = partner.dunning_suggested_term_id, partner.dunning_suggested_term_reason
            previous = partner.property_payment_term_id
            partner.sudo().write({"property_payment_term_id": term.id})
            partner.sudo()._message_log(author_id=self.env.user.partner_id.id, body=_(
                "Payment term in %(company)s: %(previous)s → %(term)s, as the collections policy suggests. %(reason)s",
                company=self.env.company.name, previous=previous.name or _("none"), term=term.name,
                reason=reason or "",
            ))
