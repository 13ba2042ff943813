from odoo import fields, models

from ..policy.schema import OUTCOMES


class DunningCaseClose(models.TransientModel):
    """Close collection cases by hand with an outcome (Collections managers)."""

    _name = "dunning.case.close"
    _description = "Close Collection Case"

    case_ids = fields.Many2many("dunning.case", string="Cases", required=True)
    outcome = fields.Selection(OUTCOMES, required=True, default="paid")
    note = fields.Text(help="Why the case closes this way; written on the case's chatter.")

    def action_confirm(self):
        self.case_ids.action_close(self.outcome, self.note or "")
        return {"type": "ir.actions.act_window_close"}
