from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")


class DunningInvoiceAnswer(models.TransientModel):
    """Record what the customer told us about one or several invoices.

    Salespeople may only read invoices; this wizard lets every Collections user
    set the delay reason, note and promise (``account.move.write`` lets these
    fields through for them).  Every selected invoice gets the values shown.
    """

    _name = "dunning.invoice.answer"
    _description = "Customer's Answer on Late Invoices"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    delay_reason_id = fields.Many2one("dunning.delay.reason", string="Delay reason")
    note = fields.Text("Delay note")
    promise_date = fields.Date("Promised payment date")
    promise_amount = fields.Monetary("Promised amount")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        move_ids = context.get("active_ids", []) if context.get("active_model") == "account.move" else []
        if move_ids and "move_ids" in fields_list:
            values["move_ids"] = [Command.set(move_ids)]
        if len(move_ids) == 1:
            move = self.env["account.move"].browse(move_ids)
            values.update(
                delay_reason_id=move.dunning_delay_reason_id.id,
                note=move.dunning_delay_note,
                promise_date=move.dunning_promise_date,
                promise_amount=move.dunning_promise_amount,
            )
        return values

    @api.depends("move_ids")
    def _compute_currency_id(self):
        for wizard in self:
            currencies = wizard.move_ids.currency_id
            wizard.currency_id = currencies if len(currencies) == 1 else wizard.env.company.currency_id

    def action_confirm(self):
        self.ensure_one()
        if any(move.move_type not in CUSTOMER_MOVE_TYPES for move in self.move_ids):
            raise UserError(_("A customer's answer can only be recorded on customer invoices and credit notes."))
        self.move_ids.with_context(dunning_promise_source="staff").write({
            "dunning_delay_reason_id": self.delay_reason_id.id,
            "dunning_delay_note": self.note,
            "dunning_promise_date": self.promise_date,
            "dunning_promise_amount": self.promise_amount,
        })
        # What the customer told us shows on the case now (paused until the promised date, and why).
        self.move_ids.dunning_case_id.sudo()._hold_now()
        return {"type": "ir.actions.act_window_close"}
