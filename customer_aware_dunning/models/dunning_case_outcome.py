from odoo import api, fields, models

from ..policy.schema import HOLDING_OUTCOMES
from ..policy.text import Text
from ..texts import PLAN_PAID

AGENCY_STATUSES = [("paid", "Paid to the agency"), ("partly", "Partly paid"), ("returned", "Returned to us")]


class DunningCaseOutcome(models.Model):
    """What a closing outcome means afterwards: which invoices it keeps out of new cases, and until when.

    A case closed as ``payment_plan``, ``written_off`` or ``handed_over`` keeps its
    invoices (see :data:`HOLDING_OUTCOMES`): the daily run opens no new case for
    them and the engine leaves them out of every message. A payment plan is done
    when its invoices are all paid (``plan_paid_on``, set by the daily run); the
    satisfaction survey counts its delay from ``settled_on``.
    """

    _inherit = "dunning.case"

    plan_paid_on = fields.Date(
        "Plan paid on", readonly=True, copy=False,
        help="A case closed with a payment plan: the day the daily run found its invoices all paid.",
    )
    agency_status = fields.Selection(AGENCY_STATUSES, readonly=True, copy=False, tracking=True,
                                     help="What the collection agency reported back about the handed-over invoices: "
                                          "returned invoices are followed up again in a new case.")
    settled_on = fields.Date(
        compute="_compute_settled_on", store=True, index=True,
        help="When the arrangement was done: the closing day, or for a payment plan the day its invoices were "
             "all paid. The satisfaction survey waits from here.",
    )

    @api.depends("state", "outcome", "closed_on", "plan_paid_on")
    def _compute_settled_on(self):
        for case in self:
            if case.state != "closed":
                case.settled_on = False
            elif case.outcome == "payment_plan":
                case.settled_on = case.plan_paid_on
            else:
                case.settled_on = case.closed_on

    @api.model
    def _holding_domain(self):
        """The closed cases whose outcome keeps their invoices out of new cases."""
        return [("state", "=", "closed"), ("outcome", "in", HOLDING_OUTCOMES), ("agency_status", "!=", "returned")]

    @api.model
    def _settle_plans(self, company, today):
        """Mark paid the payment plans of ``company`` whose invoices have nothing left to pay; returns those cases."""
        plans = self.search([
            ("company_id", "=", company.id), ("state", "=", "closed"), ("outcome", "=", "payment_plan"),
            ("plan_paid_on", "=", False),
        ])
        open_moves = self.env["account.move"].sudo()._read_group(
            [("dunning_case_id", "in", plans.ids), ("amount_residual", ">", 0), ("state", "=", "posted")],
            ["dunning_case_id"],
        )
        paid = plans - self.union(*(case for case, in open_moves))
        if paid:
            paid.write({"plan_paid_on": today})
            paid._log_events("plan_paid", dict.fromkeys(paid.ids, Text(PLAN_PAID)))
        return paid


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_held_by_outcome = fields.Boolean(
        "Kept by the case's outcome", compute="_compute_dunning_held_by_outcome",
        search="_search_dunning_held_by_outcome",
        help="Its case closed as a payment plan, written off or handed over: no new case follows it up.",
    )

    @api.depends("dunning_case_id.state", "dunning_case_id.outcome")
    def _compute_dunning_held_by_outcome(self):
        holding = self.dunning_case_id.filtered_domain(self.env["dunning.case"]._holding_domain())
        for move in self:
            move.dunning_held_by_outcome = bool(move.dunning_case_id) and move.dunning_case_id in holding

    def _search_dunning_held_by_outcome(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        held = value if operator == "=" else not value
        return [("dunning_case_id", "any" if held else "not any", self.env["dunning.case"]._holding_domain())]


class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(selection_add=[("plan_paid", "Payment plan paid")], ondelete={"plan_paid": "cascade"})
