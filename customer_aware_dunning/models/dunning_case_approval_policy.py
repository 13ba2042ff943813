"""The policy version that asked for an approval: approving sends that version's step, whatever is active since."""

from odoo import fields, models


class DunningCase(models.Model):
    _inherit = "dunning.case"

    pending_policy_id = fields.Many2one(
        "dunning.policy", "Asked by policy version", readonly=True, copy=False, ondelete="set null",
        help="The policy version whose step waits for the approval: approving sends the step of that version.",
    )

    def _asking_policy(self):
        """The policy version whose step waits on this case: the one that asked, else (older cases) the active one."""
        self.ensure_one()
        return self.sudo().pending_policy_id or self.env["dunning.policy"].sudo()._active_for(self.company_id)
