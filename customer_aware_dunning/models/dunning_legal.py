from odoo import _, api, fields, models

from ..policy.charges import LegalLimits, ReferenceRate


class DunningLegalProfile(models.Model):
    """What the law of a country lets collecting cost a customer: the limits a policy and the run respect.

    Profiles are data (Finland ships with the module); a company uses the
    profile chosen on it, else the one of its country.  The policy engine sees a
    profile as plain :class:`~..policy.charges.LegalLimits` (:meth:`_limits`).
    """

    _name = "dunning.legal.profile"
    _description = "Collections legal profile"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    country_ids = fields.Many2many(
        "res.country", string="Countries", help="Companies of these countries use this profile unless they choose one."
    )
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.ref("base.EUR"))
    consumer_fee_max = fields.Monetary(
        "Consumer reminder fee, at most", help="Per written payment reminder; 0: no fee.")
    business_fee_max = fields.Monetary("Business reminder fee, at most", help="Per reminder; 0: no fee.")
    consumer_first_fee_days = fields.Integer(
        "First charged consumer reminder, days after due", help="A fee is charged no earlier than this.")
    consumer_fee_interval_days = fields.Integer(
        "Days between charged consumer reminders", help="At least this many days after the previous charged one.")
    business_fee_interval_days = fields.Integer(
        "Days between charged business demands", help="At least this many days after the previous charged one.")
    consumer_compensation_max = fields.Monetary(
        "Consumer recovery compensation, at most", help="0: consumers owe no fixed recovery compensation.")
    business_compensation_max = fields.Monetary(
        "Business recovery compensation, at most", help="Per overdue invoice, charged at most once.")
    consumer_interest_margin = fields.Float(
        "Consumer interest margin (points)", help="Late-payment interest: the reference rate plus this.")
    business_interest_margin = fields.Float(
        "Business interest margin (points)", help="Late-payment interest between businesses: reference rate plus this.")
    consumer_no_promotion = fields.Boolean(
        "No sales promotion to consumers", help="Collection messages to consumers must not carry sales promotion.")
    sources = fields.Text(help="The laws and guidance the limits come from.")

    def _limits(self):
        """This profile as plain data for the policy engine (:class:`LegalLimits`)."""
        self.ensure_one()
        return LegalLimits(
            name=self.name,
            consumer_fee_max=self.consumer_fee_max,
            business_fee_max=self.business_fee_max,
            consumer_first_fee_days=self.consumer_first_fee_days,
            consumer_fee_interval_days=self.consumer_fee_interval_days,
            business_fee_interval_days=self.business_fee_interval_days,
            consumer_compensation_max=self.consumer_compensation_max,
            business_compensation_max=self.business_compensation_max,
            consumer_interest_margin=self.consumer_interest_margin,
            business_interest_margin=self.business_interest_margin,
            consumer_no_promotion=self.consumer_no_promotion,
        )

    @api.model
    def _for_company(self, company):
        """The profile ``company`` chose, else the one of its country (an empty recordset when none)."""
        if company.dunning_legal_profile_id:
            return company.dunning_legal_profile_id
        if not company.country_id:
            return self.browse()
        return self.sudo().search([("country_ids", "in", company.country_id.ids)], limit=1)


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


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_legal_profile_id = fields.Many2one(
        "dunning.legal.profile", string="Collections legal profile",
        help="The legal limits on reminder fees and interest. Empty: the profile of the company's country.",
    )
