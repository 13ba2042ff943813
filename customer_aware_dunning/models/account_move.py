from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..access import USER_GROUP, check_collections_manager
from ..policy.text import Joined, Text
from ..texts import INVOICE_ANSWER_CLEARED, INVOICE_LATE, INVOICE_LATE_PROMISED, INVOICE_PROMISED

MANAGER_ONLY_FIELDS = {"dunning_excluded", "dunning_exclusion_reason"}
COLLECTIONS_FIELDS = {
    "dunning_delay_reason_id", "dunning_delay_reason_date", "dunning_delay_note", "dunning_promise_date",
    "dunning_promise_amount",
} | MANAGER_ONLY_FIELDS


class AccountMove(models.Model):
    """Customer invoices carry why they are late, what was promised, and where follow-up stands."""

    _inherit = "account.move"

    # The daily run reads the open invoices of a batch of customers at a time: without it, a scan of every move.
    _dunning_open_invoices_idx = models.Index(
        "(commercial_partner_id, company_id)"
        " WHERE move_type = 'out_invoice' AND state = 'posted' AND amount_residual > 0"
    )

    dunning_delay_reason_id = fields.Many2one(
        "dunning.delay.reason", string="Delay reason", tracking=True, copy=False, index="btree_not_null"
    )
    dunning_delay_reason_date = fields.Date(
        "Reason given on", readonly=True, copy=False,
        help="When the delay reason was set: a reason that pauses for some days counts from here.",
    )
    dunning_delay_note = fields.Text("Delay note", tracking=True, copy=False)
    dunning_promise_date = fields.Date("Promised payment date", tracking=True, copy=False)
    dunning_promise_amount = fields.Monetary("Promised amount", tracking=True, copy=False)
    dunning_excluded = fields.Boolean("Excluded from follow-up", tracking=True, copy=False)
    dunning_exclusion_reason = fields.Char("Exclusion reason", tracking=True, copy=False)
    dunning_case_id = fields.Many2one(
        "dunning.case", string="Collection case", readonly=True, copy=False, index="btree_not_null"
    )
    dunning_step = fields.Char(related="dunning_case_id.current_step", string="Follow-up step")
    dunning_next_action_date = fields.Date(related="dunning_case_id.next_action_date", string="Next follow-up")
    dunning_satisfaction = fields.Float(
        related="dunning_case_id.rating_last_value", string="Satisfaction", groups="base.group_user"
    )
    dunning_satisfaction_count = fields.Integer(related="dunning_case_id.rating_count")
    dunning_avg_satisfaction = fields.Float(
        related="commercial_partner_id.dunning_avg_satisfaction", string="Customer's average satisfaction"
    )
    # The payment term the policy suggests, on draft customer invoices (see account.payment.term._dunning_notices).
    dunning_suggested_term_id = fields.Many2one(
        "account.payment.term", compute="_compute_dunning_term_notice", string="Suggested payment term"
    )
    dunning_term_notice = fields.Char(compute="_compute_dunning_term_notice", string="Payment term notice")

    @api.constrains("dunning_excluded", "dunning_exclusion_reason")
    def _check_dunning_exclusion_reason(self):
        for move in self:
            if move.dunning_excluded and not (move.dunning_exclusion_reason or "").strip():
                raise ValidationError(
                    _("Say why invoice %s is excluded from follow-up.", move.display_name)
                )

    @api.depends("partner_id", "invoice_payment_term_id", "invoice_date", "invoice_date_due", "amount_total_signed",
                 "state", "move_type", "company_id")
    def _compute_dunning_term_notice(self):
        drafts = self.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "draft" and move.partner_id
        )
        notices = self.env["account.payment.term"]._dunning_notices([
            (move, move.partner_id, move.company_id, abs(move.amount_total_signed), move.invoice_payment_term_id,
             move._dunning_term_generosity())
            for move in drafts
        ])
        for move in self:
            notice = notices.get(move)
            move.dunning_suggested_term_id = notice.suggestion.term if notice and notice.suggestion else False
            move.dunning_term_notice = notice.text if notice else False

    def _dunning_term_generosity(self):
        """The chosen term's generosity; without a term, that of the due date typed on the invoice."""
        self.ensure_one()
        if self.invoice_payment_term_id or not self.invoice_date_due:
            return self.invoice_payment_term_id._dunning_generosity()
        days = (self.invoice_date_due - (self.invoice_date or fields.Date.context_today(self))).days
        return (0.0, float(days)) if days > 0 else (-100.0, 0.0)

    def action_dunning_use_suggested_term(self):
        """Switch a draft customer invoice to the suggested payment term; a posted invoice is never changed."""
        for move in self:
            if move.state != "draft" or move.move_type != "out_invoice":
                raise UserError(_("Only a draft customer invoice takes a suggested payment term; %s is not one.",
                                  move.display_name))
            if move.dunning_suggested_term_id:
                move.invoice_payment_term_id = move.dunning_suggested_term_id

    def write(self, vals):
        if "dunning_delay_reason_id" in vals:
            given_on = fields.Date.context_today(self) if vals["dunning_delay_reason_id"] else False
            vals = dict(vals, dunning_delay_reason_date=given_on)
        if MANAGER_ONLY_FIELDS & set(vals):
            check_collections_manager(self.env, _("Only Collections managers can exclude invoices from follow-up."))
        if not self.env.su and vals and set(vals) <= COLLECTIONS_FIELDS and self.env.user.has_group(USER_GROUP):
            # Salespeople record what the customer told them without being allowed to edit invoices.
            self.check_access("read")
            result = super(AccountMove, self.sudo()).write(vals)
        else:
            result = super().write(vals)
        if "dunning_delay_reason_id" in vals or "dunning_promise_date" in vals:
            self._dunning_log_answer_on_cases()
        return result

    def _dunning_log_answer_on_cases(self):
        """What the customer told us becomes part of its case's trail."""
        for case in self.dunning_case_id:
            lines = [
                move._dunning_answer_line()
                for move in self.filtered(lambda m, case=case: m.dunning_case_id == case)
            ]
            case.sudo()._log_events("delay_reason", {case.id: lines[0] if len(lines) == 1 else Joined(*lines)})

    def _dunning_answer_line(self):
        """What the customer told us about this invoice, as a text read in the reader's language (the
        delay reason by its label)."""
        # The event keeps the date as the database has it (ISO), whoever reads it later.
        reason, promised = self.dunning_delay_reason_id.key, self.dunning_promise_date
        date = promised and fields.Date.to_string(promised)
        if reason and promised:
            return Text(INVOICE_LATE_PROMISED, invoice=self.name, reason=reason, date=date)
        if reason:
            return Text(INVOICE_LATE, invoice=self.name, reason=reason)
        if promised:
            return Text(INVOICE_PROMISED, invoice=self.name, date=date)
        return Text(INVOICE_ANSWER_CLEARED, invoice=self.name)

    def action_view_dunning_case(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "dunning.case",
            "res_id": self.dunning_case_id.id,
            "view_mode": "form",
        }
