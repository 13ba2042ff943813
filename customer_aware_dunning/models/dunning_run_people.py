"""Runs that people start: "Run now" on the cases, and the hold an answer of the customer makes at once.

The case's buttons and answers delegate here in one line: the run orchestrates (sync, decide,
act) and the case records, so no case method calls the run and is called back by it.
"""

import logging

from odoo import _, api, models

from ..access import check_collections_manager
from ..client_actions import notification
from ..policy.engine import HOLD, decide

_logger = logging.getLogger(__name__)


class DunningRun(models.AbstractModel):
    _inherit = "dunning.run"

    @api.model
    def _run_now(self):
        """Run today's collections for the current company now: the daily job's own entry point.

        A list header button of the cases: the web client sends the selected ids (none, most often),
        which do not narrow the run: it is the company's."""
        check_collections_manager(self.env, _("Only Collections managers can do this."))
        company = self.env.company
        run = self.sudo().with_company(company)
        customers = run._customers_to_follow_up(company)
        if customers > run._run_now_limit():
            self.env.ref("customer_aware_dunning.ir_cron_dunning_daily_run").sudo()._trigger()
            _logger.info("Run now for %s: %d customers to follow up, the scheduled job was started instead",
                         company.name, customers)
            return notification(_("%(company)s has %(count)s customers to follow up, too many to wait for here: "
                                   "the daily run has started in the background, and the cases update batch by "
                                   "batch as it works.", company=company.name, count=customers), "info")
        done = run._run_company(company, company._dunning_today())
        if done is None:
            return notification(_("A collections run is already working on %(company)s: its cases will be up to "
                                   "date when it ends.", company=company.name), "warning")
        return notification(_("Collections are up to date for %(company)s.", company=company.name), "success",
                             then={"type": "ir.actions.client", "tag": "soft_reload"})

    @api.model
    def _decide_now(self, cases, today=None):
        """Decide ``cases`` again now and act as the daily run would (send, ask, hold): a person's answer
        (the salesperson's word on a step held for a deal) moves the case at once, not at the next run."""
        for company in cases.company_id:
            policy = self.env["dunning.policy"].sudo()._active_for(company)
            spec = policy._get_spec() if policy else None
            if spec is None:
                continue
            partners = cases.filtered(lambda case, company=company: case.company_id == company).partner_id
            self.sudo().with_company(company)._follow_up_batch(
                company, policy, spec, today or company._dunning_today(), partners.ids)

    @api.model
    def _hold_now(self, cases, today=None):
        """Ask the policy again, now, whether what the customer told us holds ``cases``; pause those it holds.

        A delay reason or a promise a person records (a salesperson with the "Customer's answer"
        button, the customer on the portal) shows on the case at once (paused until the promised
        date, and why) instead of at the next daily run. Only a hold is applied here: a step that
        is due is the daily run's to send.
        """
        for company in cases.company_id:
            day = today or company._dunning_today()  # the company's date, as the daily run and Run now use
            open_cases = cases.filtered(lambda case, company=company: case.company_id == company
                                        and case.state == "open")
            policy = self.env["dunning.policy"].sudo()._active_for(company)
            spec = policy._get_spec() if open_cases else None
            if spec is None:
                continue
            run = self.sudo().with_company(company)
            locked = run._lock_customers(company, open_cases.partner_id.ids)
            inputs = run._case_inputs(company, day, self.env["res.partner"].browse(locked))
            decisions = {partner: decide(spec, case, day) for partner, case in inputs.items()}
            holds = {partner: decision for partner, decision in decisions.items() if decision.kind == HOLD}
            if holds:
                self.env["dunning.case"].sudo().with_context(mail_notrack=True)._apply(
                    company, policy, spec, day, holds)
