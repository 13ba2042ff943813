"""What the policy editor marks: the lines with a problem, for the gutter of the YAML editor."""

import json

from odoo import api, fields, models


class DunningPolicy(models.Model):
    _inherit = "dunning.policy"

    error_lines = fields.Text(
        compute="_compute_error_lines",
        help="The problems with a line, as JSON [[line, message], ...]: the editor marks them in its gutter.",
    )

    @api.depends("yaml_text")
    def _compute_error_lines(self):
        for policy in self:
            _spec, errors = policy._get_loaded()
            policy.error_lines = json.dumps([[error.line, str(error)] for error in errors if error.line])
