"""The run date: each company's own date in its time zone, for the scheduled job, "Run now" and the command line."""

from odoo import fields, models
from odoo.addons.base.models.res_partner import _tz_get

from ..run_values import local_date


class ResCompanyRunDate(models.Model):
    _inherit = "res.company"

    dunning_tz = fields.Selection(
        _tz_get, string="Collections time zone",
        help="The day of the daily collections run is this zone's date. Empty: the company's own address's time "
        "zone, else UTC.",
    )

    def _dunning_tz_name(self):
        self.ensure_one()
        return self.dunning_tz or self.partner_id.tz or "UTC"

    def _dunning_today(self, now=None):
        """The company's run date at ``now`` (naive UTC, default the transaction's time) in its collections zone."""
        self.ensure_one()
        return local_date(now or fields.Datetime.now(), self._dunning_tz_name())
