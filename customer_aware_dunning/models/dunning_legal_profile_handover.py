"""A consumer gets a payment demand before hand-over where the legal profile says so (Finland: 14 days before).

The Finnish Debt Collection Act (513/1999) has a consumer get a written payment
demand before the claim goes to collection; the legal profile's
``consumer_demand_days_before_handover`` says how many days before at least.
A demand is a message step the case sent the customer (email or letter). A
hand-over of a consumer's case without one, or too soon after it, is refused
with the date it becomes possible.
"""

from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

DEMAND_CHANNELS = ("email", "letter")


class DunningLegalProfile(models.Model):
    _inherit = "dunning.legal.profile"

    consumer_demand_days_before_handover = fields.Integer(
        "Consumer demand before hand-over (days)",
        help="A consumer's case goes to a collection agency only this many days after a payment demand was sent "
             "(Finland: 14); 0: no such rule.",
    )


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _handover_blockers(self, today):
        """``{case: why it cannot be handed over yet}`` for the consumers' cases the legal profile protects."""
        blockers = {}
        for case in self.filtered(lambda case: case.partner_id.dunning_customer_type == "consumer"):
            days = self.env["dunning.legal.profile"]._for_company(case.company_id).consumer_demand_days_before_handover
            if not days:
                continue
            demands = case.event_ids.filtered(lambda event: event.kind == "step" and event.channel in DEMAND_CHANNELS)
            last = max(demands.mapped("date"), default=False)
            if not last:
                blockers[case] = self.env._(
                    "%(customer)s is a consumer: send a payment demand first; the case can be handed over "
                    "%(days)s days after it.", customer=case.partner_id.display_name, days=days)
            elif last.date() + timedelta(days=days) > today:
                blockers[case] = self.env._(
                    "%(customer)s is a consumer: the last payment demand was sent on %(date)s; the case can be "
                    "handed over on %(earliest)s at the earliest.", customer=case.partner_id.display_name,
                    date=last.date(), earliest=last.date() + timedelta(days=days))
        return blockers

    def action_dunning_hand_over(self):
        blockers = self._handover_blockers(fields.Date.context_today(self))
        if blockers:
            raise UserError(self.env._(
                "Not handed over: the law asks for a payment demand to consumers before a hand-over.\n%(why)s",
                why="\n".join(blockers.values())))
        return super().action_dunning_hand_over()
