import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class DunningRun(models.AbstractModel):
    """The daily collections run, one company at a time.

    Call order: refresh the facts of every customer (one SQL statement), assign
    segments by the policy's rules, then open, extend and close cases.  The cron
    and the "Run now" button both come through :meth:`_run_company`.
    """

    _name = "dunning.run"
    _description = "Collections Daily Run"

    @api.model
    def _cron_daily_run(self):
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            self.with_company(company)._run_company(company, today)
            if not self.env.registry.in_test_mode():
                self.env.cr.commit()

    @api.model
    def _run_company(self, company, today):
        self.env["dunning.partner.facts"]._refresh(company, today)
        opened, closed = self.env["dunning.case"]._sync_open_cases(company, today)
        _logger.info(
            "Collections run for %s on %s: %d case(s) opened, %d closed", company.name, today, len(opened), len(closed)
        )
        return opened, closed
