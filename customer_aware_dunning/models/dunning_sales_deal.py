"""A step held for an open deal asks the salesperson, who answers on the case: go on, or hold 14 days.

Call order: the run's engine holds a harsh step while the customer's pipeline is open
(``hold_while_open_deal``); :meth:`_hold_by_policy` then makes one
``dunning.deal.hold`` per step held and one To-Do for the person the policy asks (not one per
day the hold lasts). The case form's **Approve the step** and **Hold 14 days** buttons record the
answer (an event on the case) and the run decides the case again at once
(``dunning.run._decide_now``): the engine reads the answer back as ``CaseInput.deal_answer``.
A hold nobody answered ends as the run finds it: the deal won (an order confirmed since), lost
(the pipeline closed without one), paid (the case closed), or its days over.
"""

from dataclasses import replace

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..access import is_collections_manager
from ..policy.engine import resolve_step
from ..policy.sales import OPEN_DEAL
from ..policy.text import Text
from ..texts import DEAL_APPROVED, DEAL_HELD, Reader, step_title, to_data
from .dunning_deal_hold import HOLD_AGAIN_DAYS


class DunningCase(models.Model):
    _inherit = "dunning.case"

    deal_hold_id = fields.Many2one("dunning.deal.hold", string="Step held for a deal", readonly=True, copy=False)
    deal_hold_ids = fields.One2many("dunning.deal.hold", "case_id", string="Steps held for deals", readonly=True)
    # The answer the engine reads back, stored on the case so the run reads it with the case (no extra query).
    deal_hold_key = fields.Char(related="deal_hold_id.step_key", store=True, string="Step key held for a deal")
    deal_hold_outcome = fields.Selection(related="deal_hold_id.outcome", store=True, string="Deal hold")
    deal_held_until = fields.Date(related="deal_hold_id.held_until", store=True)
    can_answer_deal = fields.Boolean(
        compute="_compute_can_answer_deal",
        help="Whether the current user may answer the step held for an open deal (go on, or hold 14 days).")

    @api.depends_context("uid")
    @api.depends("state", "deal_hold_id.outcome", "deal_hold_id.user_id", "user_id")
    def _compute_can_answer_deal(self):
        manager = is_collections_manager(self.env)
        for case in self:
            hold = case.deal_hold_id
            case.can_answer_deal = hold.outcome == "pending" and case.state == "paused" and (
                manager or self.env.user in (hold.user_id | case.user_id))

    # ------------------------------------------------------------------ the run holds, the salesperson is asked

    def _hold_by_policy(self, decisions, version):
        """The policy's holds; a step held for a deal asks its owner once (a record and a To-Do), not each day."""
        deals = {case: decision for case, decision in decisions.items()
                 if case in self and decision.held_by == OPEN_DEAL and decision.owner}
        asked = {case: decision for case, decision in deals.items()
                 if not (case.deal_hold_outcome == "pending" and case.deal_hold_key == decision.step_key)}
        quiet = {case: replace(decision, owner=None) if case in deals else decision
                 for case, decision in decisions.items()}
        result = super()._hold_by_policy(quiet, version)
        asked = {case: decision for case, decision in asked.items()
                 if case.state == "paused" and case.paused_by == "policy"}
        if asked:
            self._ask_for_deals(asked)
        return result

    def _ask_for_deals(self, decisions):
        """One ``dunning.deal.hold`` and one To-Do per case of ``decisions`` (``{case: held Decision}``)."""
        cases = self.union(*decisions)
        cases.filtered(lambda case: case.deal_hold_outcome == "pending")._end_deal_holds("expired")
        users = self.env["dunning.channel"]._actors([(case, decision.owner) for case, decision in decisions.items()])
        specs = {company: self.env["dunning.policy"].sudo()._active_spec(company) for company in cases.company_id}
        values, activities = [], {}
        for (case, decision), user in zip(decisions.items(), users, strict=True):
            resolved = resolve_step(specs[case.company_id], decision.step_key)
            reader = Reader(self.with_context(lang=user.lang or self.env.lang).env, case.company_id)
            step = reader.render(to_data(step_title(resolved[1]))) if resolved else ""
            values.append({"case_id": case.id, "user_id": user.id, "step_key": decision.step_key, "step": step,
                           "held_on": case.company_id._dunning_today(), "until": decision.next_date or False,
                           "amount": case.dunning_pipeline_amount})
            activities[case] = {
                "summary": reader.env._("Open deal: approve or hold %(step)s for %(customer)s",
                                        step=step, customer=case.partner_id.display_name),
                "note": reader.env._(
                    "%(why)s. On the case: Approve the step lets it go on now, Hold 14 days keeps it waiting.",
                    why=reader.render(to_data(decision.text))),
                "user_id": user.id,
            }
        holds = self.env["dunning.deal.hold"].sudo().create(values)
        todos = self._schedule_activities(activities)
        for case, hold in zip(cases, holds, strict=True):
            case.deal_hold_id = hold
        for hold, todo in zip(holds, todos, strict=False):
            hold.activity_id = todo

    @api.model
    def _apply(self, company, policy, spec, today, decisions):
        """The policy's decisions; a hold for a deal the policy no longer makes ends (won, lost, or its days over)."""
        result = super()._apply(company, policy, spec, today, decisions)
        released = [partner.id for partner, decision in decisions.items() if decision.held_by != OPEN_DEAL]
        cases = self.search([("company_id", "=", company.id), ("partner_id", "in", released),
                             ("deal_hold_outcome", "=", "pending")]) if released else self.browse()
        cases._end_deal_holds(None, today)
        return result

    def _close(self, outcome, today, reason):
        pending = self.filtered(lambda case: case.deal_hold_outcome == "pending")
        result = super()._close(outcome, today, reason)
        pending._end_deal_holds("paid" if outcome == "paid" else "expired", today)
        return result

    def _end_deal_holds(self, outcome=None, today=None):
        """End the pending deal holds of these cases with ``outcome``; ``None``: as the deal went (won or lost),
        else the days were over. Their To-Dos are marked done."""
        if not self:
            return
        won = set()
        if outcome is None:
            won = {partner.commercial_partner_id for partner, in self.env["sale.order"].sudo()._read_group([
                ("partner_id.commercial_partner_id", "in", self.partner_id.ids), ("state", "=", "sale"),
                ("date_order", ">=", min(self.deal_hold_id.mapped("held_on"))),
            ], ["partner_id"])}
        for case in self:
            hold = case.deal_hold_id
            ended = outcome
            if ended is None:
                if case.partner_id in won:
                    ended = "deal_won"
                elif not case.dunning_pipeline_amount:
                    ended = "deal_lost"
                else:
                    ended = "expired"
            hold.sudo().write({"outcome": ended, "ended_on": today or case.company_id._dunning_today()})
        self.deal_hold_id.activity_id.sudo().action_feedback(feedback=_("The step held for the deal goes on."))

    # ------------------------------------------------------------------ the salesperson's answer (the case's buttons)

    def _check_deal_answer(self):
        for case in self:
            if case.deal_hold_outcome != "pending" or case.state != "paused":
                raise UserError(_("%(case)s has no step waiting for a deal.", case=case.display_name))
            if not case.can_answer_deal:
                raise AccessError(_("Only the person asked, the customer's salesperson or a Collections manager "
                                    "can answer for the deal."))

    def action_dunning_deal_approve(self):
        """The salesperson lets the held step go on: the run decides the case again now."""
        self._check_deal_answer()
        self._answer_deal("approved")
        return True

    def action_dunning_deal_hold(self):
        """The salesperson holds the step 14 more days (from today) while the deal is negotiated."""
        self._check_deal_answer()
        self._answer_deal("held_again", HOLD_AGAIN_DAYS)
        return True

    def _answer_deal(self, outcome, days=0):
        user = self.env.user
        cases = self.sudo()
        for case in cases:
            hold = case.deal_hold_id
            today = case.company_id._dunning_today()
            until = fields.Date.add(today, days=days) if days else False
            hold.write({"outcome": outcome, "answered_by": user.id, "answered_on": today, "held_until": until,
                        "ended_on": False if until else today})
            # the step by its title from the policy (read in each reader's language), else as it was written
            resolved = hold.step_key and resolve_step(
                self.env["dunning.policy"].sudo()._active_spec(case.company_id), hold.step_key)
            step = step_title(resolved[1]) if resolved else hold.step
            if until:
                text = Text(DEAL_HELD, user=user.name, step=step, date=until)
            else:
                text = Text(DEAL_APPROVED, user=user.name, step=step)
            case._log_events("deal_answer", {case.id: text})
            hold.activity_id.action_feedback(feedback=Reader(self.env, case.company_id).render(to_data(text)))
        self.env["dunning.run"]._decide_now(cases)


class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(selection_add=[("deal_answer", "Answer for a deal")],
                            ondelete={"deal_answer": "cascade"})
