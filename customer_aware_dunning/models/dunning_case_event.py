from odoo import api, fields, models

from ..texts import Reader, to_data

EVENT_KINDS = [
    ("opened", "Case opened"),
    ("step", "Step done"),
    ("decision", "Decision"),
    ("approval_requested", "Approval requested"),
    ("approved", "Approved"),
    ("held", "Held"),
    ("paused", "Paused"),
    ("resumed", "Resumed"),
    ("delay_reason", "Delay reason"),
    ("promise", "Payment promise"),
    ("fallback", "Channel fallback"),
    ("closed", "Case closed"),
    ("reopened", "Case reopened"),
    ("note", "Note"),
    ("customer_answer", "Customer's answer"),
    ("satisfaction_requested", "Satisfaction asked"),
    ("mail_failed", "Email not sent"),
    ("mail_retried", "Email queued again"),
    ("mail_cancelled", "Email cancelled"),
    ("step_skipped", "Step skipped"),
]


class DunningCaseEvent(models.Model):
    """One line per thing that happened in a collection case.

    A step done carries a ``step_key`` (journey, step and the invoices it
    covered); the database refuses the same key twice in one case, which is
    what makes the daily run idempotent.
    """

    _name = "dunning.case.event"
    _description = "Collection Case Event"
    _order = "date desc, id desc"

    case_id = fields.Many2one("dunning.case", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    kind = fields.Selection(EVENT_KINDS, required=True, readonly=True)
    description_data = fields.Json(readonly=True, help="What happened, as data (a Text): see texts.py.")
    description = fields.Text(compute="_compute_texts", inverse="_inverse_description")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    invoice_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    journey = fields.Char(readonly=True)
    step_index = fields.Integer(readonly=True)
    channel = fields.Char(readonly=True)
    harsh = fields.Boolean(
        readonly=True, help="The policy counts this step as harsh (letters and final notices by default)."
    )
    step_key = fields.Char(readonly=True, help="Idempotency key of a step: never executed twice in one case.")
    policy_version = fields.Char(readonly=True)
    rule_data = fields.Json(readonly=True, help="Why the engine decided, as data (a Text).")
    rule = fields.Char(compute="_compute_texts", inverse="_inverse_rule",
                       help="The policy's reason for the event (segment, rule, journey, step), "
                            "for the policy's author.")
    currency_id = fields.Many2one(related="case_id.currency_id")
    amount_charged = fields.Monetary(
        "Charged", readonly=True, help="Reminder fee, recovery compensation and interest this step charged.")
    amount_waived = fields.Monetary(
        "Waived", readonly=True, help="What this step would have charged, waived by the policy.")
    charge_ids = fields.One2many("dunning.charge", "event_id", string="Charges", readonly=True)

    _step_key_uniq = models.UniqueIndex(
        "(case_id, step_key) WHERE step_key IS NOT NULL", "This step was already executed for this case."
    )

    @api.depends_context("lang")
    @api.depends("description_data", "rule_data")
    def _compute_texts(self):
        """The event's sentences in the reader's language (the same stored event reads in Finnish and English)."""
        readers = {}
        for event in self:
            reader = readers.setdefault(event.company_id, Reader(self.env, event.company_id))
            event.description = reader.render(event.description_data) or False
            event.rule = reader.render(event.rule_data) or False

    def _inverse_description(self):
        for event in self:
            event.description_data = to_data(event.description or None)

    def _inverse_rule(self):
        for event in self:
            event.rule_data = to_data(event.rule or None)
