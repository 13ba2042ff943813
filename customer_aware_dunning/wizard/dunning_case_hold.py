from odoo import fields, models


class DunningCaseHold(models.TransientModel):
    """Hold collection cases with a reason: the step waiting for approval is not done."""

    _name = "dunning.case.hold"
    _description = "Hold Collection Case"

    case_ids = fields.Many2many("dunning.case", string="Cases", required=True)
    reason = fields.Text(required=True, help="Why the case waits; written on the case's chatter.")

    def action_confirm(self):
        self.case_ids.action_dunning_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
