from odoo import api, fields, models

from ..policy import charges as rules
from ..policy.charges import LegalLimits


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

    def _violation_message(self, violation, spec):
        """One whole sentence saying which limit of this profile ``spec`` breaks (a :class:`Violation`)."""
        profile = self
        money = self.currency_id.format
        step = violation.step_index + 1 if violation.step_index is not None else None
        journey = spec.journey(violation.journey) if violation.journey else None
        template = journey.steps[violation.step_index].template if journey else ""
        common = {"step": step, "journey": violation.journey, "profile": profile.name}
        messages = {
            rules.CONSUMER_FEE_MAX: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a reminder fee of %(fee)s, but %(profile)s "
                "allows at most %(limit)s per written payment reminder.",
                fee=money(violation.value), limit=money(violation.limit), **common),
            rules.BUSINESS_FEE_MAX: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges businesses a reminder fee of %(fee)s, but %(profile)s "
                "allows at most %(limit)s per reminder.",
                fee=money(violation.value), limit=money(violation.limit), **common),
            rules.CONSUMER_FIRST_FEE: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a reminder fee %(day)s days after the due "
                "date, but %(profile)s allows the first charged reminder no earlier than %(limit)s days after the "
                "due date.", day=int(violation.value), limit=int(violation.limit), **common),
            rules.CONSUMER_FEE_INTERVAL: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a reminder fee %(days)s days after the "
                "previous charged reminder, but %(profile)s requires at least %(limit)s days between charged "
                "reminders.", days=int(violation.value), limit=int(violation.limit), **common),
            rules.BUSINESS_FEE_INTERVAL: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges businesses %(days)s days after the previous charged "
                "demand, but %(profile)s requires at least %(limit)s days between charged demands.",
                days=int(violation.value), limit=int(violation.limit), **common),
            rules.CONSUMER_COMPENSATION: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a recovery compensation, but %(profile)s "
                "allows none from consumers; make the step for businesses only (customers: business).", **common),
            rules.BUSINESS_COMPENSATION_MAX: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges a recovery compensation of %(amount)s, but %(profile)s "
                "allows at most %(limit)s per overdue invoice.",
                amount=money(violation.value), limit=money(violation.limit), **common),
            rules.COMPENSATION_TWICE: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges the recovery compensation again after the step on day "
                "%(day)s, but %(profile)s allows it only once per overdue invoice.",
                day=int(violation.limit), **common),
            rules.CHARGE_BEFORE_DUE: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges the customer on day %(day)s, before the invoices are "
                "overdue, but %(profile)s allows charges only on overdue invoices.",
                day=int(violation.value), **common),
            rules.CONSUMER_PROMOTION: lambda: self.env._(
                "Step %(step)s of journey %(journey)s sends the template %(template)s, which contains sales "
                "promotion, to consumers, but %(profile)s forbids sales promotion in collection messages to "
                "consumers; make the step for businesses only (customers: business).",
                template=template, **common),
            rules.CONSUMER_MARGIN: lambda: self.env._(
                "The policy's interest margin for consumers is %(margin)s points, but %(profile)s allows at most "
                "%(limit)s points over the reference rate.",
                margin=violation.value, limit=violation.limit, profile=profile.name),
            rules.BUSINESS_MARGIN: lambda: self.env._(
                "The policy's interest margin for businesses is %(margin)s points, but %(profile)s allows at most "
                "%(limit)s points over the reference rate.",
                margin=violation.value, limit=violation.limit, profile=profile.name),
        }
        return messages[violation.rule]()
