"""People in the loop: the case's buttons (approve, hold, resume, run now, close) and their checks."""

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from ..access import check_collections_manager, is_collections_manager
from ..policy.engine import approved, parse_step_key, resolve_step
from ..policy.schema import OUTCOMES
from ..policy.text import Text
from ..texts import APPROVED, APPROVED_BY, APPROVED_NOT_DONE, HELD_BY, RESUMED_BY, Reader, step_title, to_data


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _check_can_approve(self):
        """Managers approve every step; others only the ones they were asked to approve."""
        if is_collections_manager(self.env):
            return
        asked = self.activity_ids.filtered(lambda activity: activity.user_id == self.env.user)
        if not asked:
            raise AccessError(_("Only the person asked to approve this step, or a Collections manager, can answer."))

    def action_dunning_approve(self):
        """Approve the step waiting on each case: it is done now, through its channel."""
        for case in self:
            if case.state != "waiting_approval":
                raise UserError(_("%(case)s is not waiting for an approval.", case=case.display_name))
            case._check_can_approve()
        approved_by = _("Approved by %(user)s.", user=self.env.user.name)
        for case in self.sudo():
            policy = case._asking_policy()
            spec = policy._get_spec()
            key = parse_step_key(case.pending_step_key)
            if key is None or resolve_step(spec, case.pending_step_key) is None:
                raise UserError(_("The policy version that asked for this approval no longer has the step: "
                                  "hold the case instead."))
            # What was owed when the step was asked for may be paid or credited since: only what is still owed goes.
            owed = self.env["account.move"].browse(key.invoice_ids).exists().filtered(
                lambda invoice: invoice.amount_residual > 0 and not invoice.dunning_excluded)
            decision = approved(spec, case.pending_step_key, owed.ids, Text(APPROVED_BY, user=self.env.user.name))
            case._close_approval_activities(approved_by)
            case.write({"state": "open", "pending_step_key": False, "pending_step_data": None,
                        "pending_policy_id": False})
            if not owed:
                case._log_events("step_skipped", {case.id: Text(APPROVED_NOT_DONE, step=step_title(decision.step))},
                                 policy_version=policy.display_name)
                continue
            case._log_events("approved", {case.id: Text(APPROVED, step=step_title(decision.step),
                                                        user=self.env.user.name)},
                             per_case={case.id: {"rule_data": to_data(decision.text)}},
                             policy_version=policy.display_name)
            # a person approved: sent even to a manual-only customer
            self.with_context(dunning_sent_by_person=True)._do_steps(
                spec, policy.display_name, [(case, decision)])
        return True

    def action_dunning_hold(self, reason):
        """Hold each case (its pending step is not done): it waits until someone resumes it."""
        for case in self:
            if case.state == "closed":
                raise UserError(_("%(case)s is closed.", case=case.display_name))
            if case.state == "waiting_approval":
                case._check_can_approve()
            else:
                check_collections_manager(self.env, _("Only Collections managers can pause a collection case by hand."))
        why = Text(HELD_BY, user=self.env.user.name, why=reason)
        cases = self.sudo()
        for case in cases.filtered("pending_step_key"):
            case._close_approval_activities(Reader(self.env).render(to_data(why)))
        cases.write({"state": "paused", "paused_by": "hand", "pause_reason_data": to_data(why), "pause_until": False,
                     "pending_step_key": False, "pending_step_data": None, "pending_policy_id": False})
        cases._log_events("held", dict.fromkeys(cases.ids, why))
        return True

    def action_dunning_resume(self):
        """Resume cases paused by hand: the next run decides again."""
        check_collections_manager(self.env, _("Only Collections managers can resume a collection case by hand."))
        paused = self.sudo().filtered(lambda case: case.state == "paused")
        paused._resume(Text(RESUMED_BY, user=self.env.user.name))
        return True

    def action_dunning_run_now(self):
        """Run today's collections for the current company now (a list header button): the run model's to do."""
        return self.env["dunning.run"]._run_now()

    def action_open_hold_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Hold collection case"),
            "res_model": "dunning.case.hold",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }

    def _close_approval_activities(self, feedback):
        """Mark the approval requests of the pending step done, with the answer as feedback."""
        summary = _("Approve: %(step)s", step=self.pending_step)
        self.activity_ids.filtered(lambda activity: activity.summary == summary).action_feedback(feedback=feedback)

    def _check_manager(self):
        check_collections_manager(self.env, _("Only Collections managers can do this."))

    def action_close(self, outcome, note=""):
        """Close by hand (Collections managers), with one of the outcomes."""
        self._check_manager()
        if outcome not in dict(OUTCOMES):
            raise UserError(_("Unknown outcome %s.", outcome))
        open_cases = self.filtered(lambda case: case.state != "closed")
        if not open_cases:
            raise UserError(_("These cases are already closed."))
        reason = _("Closed by %(user)s. %(note)s", user=self.env.user.name, note=note or "")
        open_cases._close(outcome, fields.Date.context_today(self), reason)

    def action_open_close_wizard(self):
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Close collection case"),
            "res_model": "dunning.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }
