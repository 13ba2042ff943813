from odoo import api, fields, models

from ..policy_values import label_values
from . import dunning_policy_sync  # noqa: F401 (first: it defines dunning.policy.synced, inherited here)


class DunningSegment(models.Model):
    """A class of customer (strategic, loyal, new, at risk...).

    The active policy's segment list keeps these records in step (created,
    renamed, archived); a segment without a company is shared by all companies.
    """

    _name = "dunning.segment"
    _inherit = ["dunning.policy.synced"]
    _description = "Customer Segment"
    _policy_references = (("dunning_case", "segment_id"),)
    _policy_company_dependent_references = (("res_partner", "dunning_segment_id"),)
    _order = "sequence, id"

    key = fields.Char(required=True, help="Identifier used by the policy's YAML (e.g. loyal).")
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    color = fields.Integer()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: used by every company.")
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    _key_company_uniq = models.UniqueIndex(
        "(key, COALESCE(company_id, 0))", "A segment key must be unique per company."
    )

    @api.depends_context("company")
    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("dunning_segment_id", "in", self.ids)], ["dunning_segment_id"], ["__count"]
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    @api.model
    def _policy_values(self, spec):
        """The policy's segments, in its order (the order the rules are tried)."""
        return {rule.key: label_values(rule, 10 * (index + 1)) for index, rule in enumerate(spec.segments)}

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.res_partner_action_customer")
        action.update(domain=[("dunning_segment_id", "=", self.id)], context={"create": False})
        return action
