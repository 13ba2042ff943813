from odoo import api, fields, models

from ..policy.schema import OFFERS, OWNERS
from ..policy_values import label_values
from . import dunning_policy_sync  # noqa: F401 (first: it defines dunning.policy.synced, inherited here)


class DunningDelayReason(models.Model):
    """Why an invoice is paid late, and what the journey does about it.

    The behaviour columns mirror the active policy's ``delay_reasons`` section;
    the policy is the source of truth, these records make it visible and usable
    in the screens (invoice form, portal answer page).
    """

    _name = "dunning.delay.reason"
    _inherit = ["dunning.policy.synced"]
    _description = "Payment Delay Reason"
    _policy_references = (("account_move", "dunning_delay_reason_id"), ("dunning_case", "delay_reason_id"))
    _order = "sequence, id"

    key = fields.Char(required=True, help="Identifier used by the policy's YAML (e.g. dispute).")
    name = fields.Char(required=True, translate=True)
    customer_label = fields.Char(
        translate=True, help="How the reason is worded for the customer on the answer page."
    )
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: used by every company.")
    pause = fields.Boolean(help="The journey waits while an invoice carries this reason.")
    pause_days = fields.Integer(
        help="With a pause: how many days it lasts from when the reason was set (0: until cleared)."
    )
    owner = fields.Selection(OWNERS, help="Who takes the relationship over.")
    switch_journey = fields.Char(help="Journey key the case switches to.")
    offer = fields.Selection(OFFERS, help="What the customer is offered.")

    _key_company_uniq = models.UniqueIndex(
        "(key, COALESCE(company_id, 0))", "A delay reason key must be unique per company."
    )

    @api.model
    def _policy_values(self, spec):
        """The policy's delay reasons, in its order, with what each one does."""
        return {
            reason.key: {
                **label_values(reason, 10 * (index + 1)),
                "customer_label": reason.customer_label or False,
                "pause": reason.pause,
                "pause_days": reason.pause_days or 0,
                "owner": reason.owner or False,
                "switch_journey": reason.journey or False,
                "offer": reason.offer or False,
            }
            for index, reason in enumerate(spec.delay_reasons)
        }
