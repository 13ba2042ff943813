"""The salesperson hears about their customer's case when it needs them: a To-Do on the case.

Two moments: the daily run does a harsh step for their customer (a final notice, a letter
with charges...), and a Collections manager hands the case over to a collection agency. A step
that is itself an activity for the salesperson, or that waited for their approval, already
reached them and makes no second To-Do; nor does anything the salesperson did themselves.
"""

from odoo import api, models


class DunningCase(models.Model):
    _inherit = "dunning.case"

    @api.model
    def _do_steps(self, spec, version, items, today=None):
        result = super()._do_steps(spec, version, items, today=today)
        harsh = [(case, decision) for case, decision in items or ()
                 if decision.step.harsh and not (decision.step.send == "activity" and decision.step.to == "salesperson")
                 and decision.step.approve != "salesperson"]
        self._tell_salespeople({
            case: self.env._("%(customer)s reached a harsh step: %(step)s. Talk to them if the relationship needs it.",
                             customer=case.partner_id.display_name, step=case.current_step or "")
            for case, _decision in harsh
        })
        return result

    def action_dunning_hand_over(self):
        handed = self.filtered(lambda case: case.state != "closed")
        result = super().action_dunning_hand_over()
        handed._tell_salespeople({
            case: self.env._("%(customer)s was handed over to a collection agency by %(user)s: the agency "
                             "collects from now on.", customer=case.partner_id.display_name, user=self.env.user.name)
            for case in handed
        })
        return result

    def _tell_salespeople(self, notes):
        """One To-Do for the salesperson of each case of ``notes`` (``{case: note}``), in one batch."""
        values = {
            case: {
                "summary": self.env._("Your customer in collections: %(customer)s",
                                      customer=case.partner_id.display_name),
                "note": note,
                "user_id": case.user_id.id,
            }
            for case, note in notes.items()
            if case.user_id and case.user_id != self.env.user and not case.user_id.share
        }
        return self.sudo()._schedule_activities(values)
