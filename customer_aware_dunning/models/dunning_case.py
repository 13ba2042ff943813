from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..policy.schema import CASE_STATES, OUTCOMES

MANAGER_GROUP = "customer_aware_dunning.group_collections_manager"


class DunningCase(models.Model):
    """A customer's collection case in one company, open while it has overdue invoices.

    Call order of the daily work: facts are refreshed (``dunning.partner.facts``),
    then :meth:`_sync_open_cases` opens a case for every customer with an overdue
    invoice that is not excluded, attaches new overdue invoices to the open case,
    and closes the cases whose invoices are all settled (outcome ``paid``).
    Every change is a :class:`dunning.case.event` and a line on the chatter.
    """

    _name = "dunning.case"
    _description = "Collection Case"
    _inherit = ["rating.mixin", "mail.activity.mixin"]  # rating.mixin brings mail.thread
    _order = "state_rank, next_action_date, amount_overdue desc, id desc"

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", tracking=True)
    collector_id = fields.Many2one("res.users", string="Collections owner", tracking=True)
    state = fields.Selection(CASE_STATES, required=True, default="open", readonly=True, tracking=True)
    state_rank = fields.Integer(compute="_compute_state_rank", store=True)
    segment_id = fields.Many2one("dunning.segment", readonly=True, tracking=True)
    journey = fields.Char(readonly=True, tracking=True)
    current_step = fields.Char(readonly=True, help="The last step done in the journey.")
    next_action_date = fields.Date(readonly=True, tracking=True)
    pause_until = fields.Date(readonly=True)
    pause_reason = fields.Char(readonly=True)
    delay_reason_id = fields.Many2one("dunning.delay.reason", string="Main delay reason", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True, tracking=True)
    opened_on = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    closed_on = fields.Date(readonly=True)
    amount_at_open = fields.Monetary(readonly=True, help="Overdue amount when the case opened.")
    amount_added = fields.Monetary(readonly=True, help="Residual of the invoices that went overdue later.")
    amount_overdue = fields.Monetary(readonly=True, help="What the case's invoices still owe.")
    amount_recovered = fields.Monetary(readonly=True)
    policy_version = fields.Char(readonly=True)
    invoice_ids = fields.One2many("account.move", "dunning_case_id", string="Invoices", readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    event_ids = fields.One2many("dunning.case.event", "case_id", string="Events", readonly=True)

    _one_open_case_per_customer = models.UniqueIndex(
        "(partner_id, company_id) WHERE state != 'closed'",
        "A customer has at most one open collection case per company.",
    )

    @api.depends("state")
    def _compute_state_rank(self):
        ranks = {"waiting_approval": 0, "open": 1, "paused": 2, "closed": 3}
        for case in self:
            case.state_rank = ranks.get(case.state, 9)

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("dunning_case_id", "in", self.ids)], ["dunning_case_id"], ["__count"]
            )
        )
        for case in self:
            case.invoice_count = counts.get(case, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("dunning.case") or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------ trail

    def _log_events(self, kind, descriptions, **values):
        """Record one event per case and the same line on each case's chatter.

        ``descriptions`` maps case id to its text; ``values`` are shared event
        fields.  Messages are logged in one batch, not one post per case.
        """
        events = self.env["dunning.case.event"].sudo().create([
            {"case_id": case.id, "kind": kind, "description": descriptions[case.id], **values} for case in self
        ])
        label = dict(self.env["dunning.case.event"]._fields["kind"]._description_selection(self.env))[kind]
        self._message_log_batch(
            bodies={
                case.id: Markup("<b>%s</b>: %s") % (label, descriptions[case.id]) for case in self
            },
        )
        return events

    # ------------------------------------------------------------------ lifecycle

    @api.model
    def _overdue_invoices_domain(self, company, today):
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("dunning_excluded", "=", False),
        ]

    @api.model
    def _sync_open_cases(self, company, today):
        """Open, extend and close cases so they match the overdue invoices of ``company`` today."""
        Move = self.env["account.move"]
        overdue = dict(
            Move._read_group(self._overdue_invoices_domain(company, today), ["commercial_partner_id"], ["id:recordset"])
        )
        open_cases = self.search([("company_id", "=", company.id), ("state", "!=", "closed")])
        by_partner = {case.partner_id: case for case in open_cases}

        new_partners = [partner for partner in overdue if partner not in by_partner]
        opened = self._open_cases(company, today, {p: overdue[p] for p in new_partners})

        still_open = open_cases.filtered(lambda case: case.partner_id in overdue)
        for case in still_open:
            joining = overdue[case.partner_id] - case.invoice_ids
            if joining:
                joining.dunning_case_id = case
                case.amount_added += sum(joining.mapped("amount_residual_signed"))
        (still_open | opened)._refresh_amounts()

        settled = open_cases - still_open
        settled._close("paid", today, _("Every overdue invoice is settled."))
        return opened, settled

    def _open_cases(self, company, today, invoices_by_partner):
        if not invoices_by_partner:
            return self.browse()
        cases = self.create([
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "user_id": partner.user_id.id,
                "segment_id": partner.with_company(company).dunning_segment_id.id,
                "opened_on": today,
                "amount_at_open": sum(invoices.mapped("amount_residual_signed")),
            }
            for partner, invoices in invoices_by_partner.items()
        ])
        for case, invoices in zip(cases, invoices_by_partner.values(), strict=True):
            invoices.dunning_case_id = case
        cases._log_events("opened", {
            case.id: self.env._(
                "%(count)s overdue invoice(s), %(amount)s.",
                count=len(case.invoice_ids), amount=case._format_amount(case.amount_at_open),
            )
            for case in cases
        })
        return cases

    def _refresh_amounts(self):
        for case in self:
            case.amount_overdue = sum(case.invoice_ids.mapped("amount_residual_signed"))
            case.amount_recovered = case.amount_at_open + case.amount_added - case.amount_overdue

    def _close(self, outcome, today, reason):
        if not self:
            return
        self._refresh_amounts()
        self.write({"state": "closed", "outcome": outcome, "closed_on": today, "next_action_date": False})
        outcome_label = dict(self._fields["outcome"]._description_selection(self.env))[outcome]
        self._log_events("closed", {
            case.id: self.env._(
                "Outcome: %(outcome)s. %(reason)s Recovered %(amount)s.",
                outcome=outcome_label, reason=reason, amount=case._format_amount(case.amount_recovered),
            )
            for case in self
        })

    def _format_amount(self, amount):
        return self.currency_id.format(amount) if self.currency_id else str(amount)

    # ------------------------------------------------------------------ buttons

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Collections managers can close collection cases by hand."))

    def action_close(self, outcome, note=""):
        """Close by hand (Collections managers), with one of the outcomes."""
        self._check_manager()
        if outcome not in dict(OUTCOMES):
            raise UserError(_("Unknown outcome %s.", outcome))
        open_cases = self.filtered(lambda case: case.state != "closed")
        if not open_cases:
            raise UserError(_("These cases are already closed."))
        reason = _("Closed by %(user)s. %(note)s", user=self.env.user.name, note=note or "")
        open_cases._close(outcome, fields.Date.context_today(self), reason)

    def action_open_close_wizard(self):
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Close collection case"),
            "res_model": "dunning.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice")
        action.update(domain=[("dunning_case_id", "=", self.id)], context={"create": False})
        return action

    # ------------------------------------------------------------------ rating

    def _rating_get_partner(self):
        return self.partner_id
