"""A broken promise to pay gets the policy's ``on_broken_promise`` step, once (a firmer message or a call).

The promise is decided broken once (its state changes then), so the step is done once per promise,
besides the event and the owner's To-Do that :meth:`dunning.promise._decide_promises` makes.
"""

from odoo import api, fields, models

from ..policy.text import Text
from ..texts import BROKEN_PROMISE_STEP, step_title


class DunningPromise(models.Model):
    _inherit = "dunning.promise"

    @api.model
    def _decide_promises(self, company, today):
        kept, broken = super()._decide_promises(company, today)
        spec = self.env["dunning.policy"].sudo()._active_spec(company)
        step = spec.on_broken_promise if spec else None
        reacting = broken.filtered(lambda promise: promise.case_id and promise.case_id.state != "closed")
        if step and reacting:
            self.env["dunning.case"].sudo()._send_steps(spec, [
                (promise.case_id, step, promise.invoice_ids.filtered(lambda move: move.amount_residual > 0))
                for promise in reacting
            ], {  # an email of its own: its own Message-Id, and no charges of an earlier step listed again
                promise.case_id.id: {"step_key": f"broken_promise/{promise.id}", "charges": ""} for promise in reacting
            })
            for promise in reacting:  # one event per promise, also when a case has two
                promise.case_id._log_events("promise_reaction", {
                    promise.case_id.id: Text(BROKEN_PROMISE_STEP, step=step_title(step))})
        return kept, broken


class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(selection_add=[("promise_reaction", "Broken promise step")],
                            ondelete={"promise_reaction": "cascade"})
