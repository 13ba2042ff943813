"""Which steps a new version makes new: the compare screen says it before the version is activated."""

from odoo import api, fields, models

from ..policy.step_keys import new_steps
from ..texts import Reader, to_data


class DunningPolicyCompare(models.TransientModel):
    _inherit = "dunning.policy.compare"

    new_steps_text = fields.Text(
        "Steps that count as new", compute="_compute_new_steps_text",
        help="Steps of the new version that the other one does not have (new or changed): cases get them even "
             "when they had the other version's steps. Steps only moved or reordered are not new.",
    )

    @api.depends("old_policy_id", "new_policy_id")
    def _compute_new_steps_text(self):
        for wizard in self:
            old, new = wizard.old_policy_id._get_spec(), wizard.new_policy_id._get_spec()
            if new is None:
                wizard.new_steps_text = False
                continue
            reader = Reader(self.env)
            lines = [self.env._("%(journey)s: %(step)s", journey=journey,
                                step=reader.render(to_data(step.label(index))))
                     for journey, index, step in new_steps(old, new)]
            wizard.new_steps_text = "\n".join(lines) or self.env._("None: every step was already in the other version.")
