"""A step held for an open deal, as a record: who was asked, what they answered, how it ended.

The policy's ``hold_while_open_deal`` holds a harsh step while the customer's pipeline is open and
asks the salesperson (:mod:`.dunning_sales_deal` makes the record and the To-Do). The record is the
answer the engine reads back (``dunning.case.deal_hold_*``) and what the shared analysis counts:
approved, held again, deal won, deal lost, paid, or the days were over.
"""

from odoo import fields, models

DEAL_HOLD_OUTCOMES = [
    ("pending", "Waiting for the salesperson"),
    ("approved", "Approved: the step went on"),
    ("held_again", "Held again by the salesperson"),
    ("deal_won", "Deal won"),
    ("deal_lost", "Deal lost"),
    ("paid", "Paid"),
    ("expired", "Hold days over"),
]
# The outcomes that are the salesperson's answer: the engine reads them back for the step they concern.
ANSWERED = ("approved", "held_again")
# "Hold 14 days": how long the salesperson's hold keeps the step waiting, from the day of the answer.
HOLD_AGAIN_DAYS = 14


class DunningDealHold(models.Model):
    _name = "dunning.deal.hold"
    _description = "Step Held for an Open Deal"
    _order = "held_on desc, id desc"
    _rec_name = "step"

    case_id = fields.Many2one("dunning.case", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, index=True, string="Customer")
    currency_id = fields.Many2one(related="case_id.currency_id")
    user_id = fields.Many2one("res.users", string="Asked", readonly=True,
                              help="Who the policy asked: the customer's salesperson unless it names another owner.")
    step_key = fields.Char(readonly=True, help="The step held (its key: journey, step and invoices).")
    step = fields.Char("Step held", readonly=True)
    held_on = fields.Date(readonly=True, required=True)
    until = fields.Date("Waits until", readonly=True, help="The policy's last day of the hold.")
    amount = fields.Monetary("Open deal", readonly=True, help="The customer's open pipeline when the step was held.")
    outcome = fields.Selection(DEAL_HOLD_OUTCOMES, required=True, default="pending", readonly=True)
    answered_by = fields.Many2one("res.users", readonly=True)
    answered_on = fields.Date(readonly=True)
    held_until = fields.Date("Held by the salesperson until", readonly=True)
    ended_on = fields.Date(readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
