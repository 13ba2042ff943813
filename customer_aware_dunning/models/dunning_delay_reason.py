from odoo import fields, models

OWNERS = [("finance", "Finance"), ("salesperson", "Salesperson")]
OFFERS = [("payment_plan", "Payment plan"), ("new_date", "New payment date")]


class DunningDelayReason(models.Model):
    """Why an invoice is paid late, and what the journey does about it.

    The behaviour columns mirror the active policy's ``delay_reasons`` section;
    the policy is the source of truth, these records make it visible and usable
    in the screens (invoice form, portal answer page).
    """

    _name = "dunning.delay.reason"
    _description = "Payment Delay Reason"
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
    owner = fields.Selection(OWNERS, help="Who takes the relationship over.")
    switch_journey = fields.Char(help="Journey key the case switches to.")
    offer = fields.Selection(OFFERS, help="What the customer is offered.")

    _key_company_uniq = models.UniqueIndex(
        "(key, COALESCE(company_id, 0))", "A delay reason key must be unique per company."
    )
