from odoo import _, api, fields, models

from ..policy.charges import ReferenceRate


class DunningReferenceRate(models.Model):
    """The reference rate of late-payment interest, from a date on (a half-year in Finland: Interest Act §12).

    The company maintains the table; the Finnish rates the Bank of Finland
    published ship with the module.  A row of a company wins over the row of
    its country from the same date.
    """

    _name = "dunning.reference.rate"
    _description = "Reference rate of late-payment interest"
    _order = "date_from desc, id desc"
    _rec_name = "date_from"

    date_from = fields.Date("Valid from", required=True)
    rate = fields.Float("Reference rate (%)", required=True, digits=(16, 2))
    country_id = fields.Many2one("res.country", required=True, index=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company of the country.")
    note = fields.Char(help="Where the rate was published.")

    _date_uniq = models.UniqueIndex(
        "(country_id, COALESCE(company_id, 0), date_from)", "There is already a reference rate from that date."
    )

    @api.model
    def _rates_for(self, company):
        """The reference rates that apply to ``company``, as plain :class:`ReferenceRate` data.

        The rows of its country (of the legal profile chosen on it, if any), and
        its own rows, which win on the same date.
        """
        country = company.dunning_legal_profile_id.country_ids[:1] or company.country_id
        rows = self.sudo().search([
            "|", ("company_id", "=", company.id),
            "&", ("company_id", "=", False), ("country_id", "=", country.id),
        ], order="company_id desc, date_from")
        by_date = {}
        for row in rows.sorted(lambda row: bool(row.company_id)):
            by_date[row.date_from] = row.rate
        return tuple(ReferenceRate(day, rate) for day, rate in sorted(by_date.items()))

    @api.depends("date_from", "rate")
    def _compute_display_name(self):
        for row in self:
            row.display_name = _("%(rate)s %% from %(date)s", rate=row.rate, date=row.date_from)
