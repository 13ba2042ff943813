"""The customer's financial situation on the customer form, and its refresh from the trade register.

Credit data is shown to Collections managers only (``groups`` on every field).
The scheduled refresh looks up, in batches, the business customers with open
receivables or open quotations whose register observation is older than a week;
the button on the customer looks up that one customer now.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..access import check_collections_manager
from ..credit.observation import REGISTRY_STATUSES, NotFound, ProviderError, normalize_business_id
from ..credit.prh import DEFAULT_BASE_URL, PrhClient
from .credit_observation import RATING_SELECTION

PRH_URL_PARAM = "customer_aware_dunning.prh_base_url"
PRH_TIMEOUT_PARAM = "customer_aware_dunning.prh_timeout"
REFRESH_AFTER_DAYS = 7
MANAGER = "customer_aware_dunning.group_collections_manager"


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_registry_status = fields.Selection(
        list(REGISTRY_STATUSES), compute="_compute_dunning_credit", string="Register status", groups=MANAGER)
    dunning_register_observation_id = fields.Many2one(
        "dunning.credit.observation", compute="_compute_dunning_credit", string="Trade register", groups=MANAGER)
    dunning_register_source = fields.Char(
        compute="_compute_dunning_credit", string="Register source", groups=MANAGER)
    dunning_register_date = fields.Date(
        compute="_compute_dunning_credit", string="Register checked on", groups=MANAGER)
    dunning_company_registered_on = fields.Date(
        compute="_compute_dunning_credit", string="Registered on", groups=MANAGER)
    dunning_company_form = fields.Char(
        compute="_compute_dunning_credit", string="Company form", groups=MANAGER)
    dunning_business_line = fields.Char(
        compute="_compute_dunning_credit", string="Main line of business", groups=MANAGER)
    dunning_rating_observation_id = fields.Many2one(
        "dunning.credit.observation", compute="_compute_dunning_credit", string="Credit rating record",
        groups=MANAGER)
    dunning_credit_rating = fields.Selection(
        RATING_SELECTION, compute="_compute_dunning_credit", string="Credit rating", groups=MANAGER)
    dunning_rating_label = fields.Char(
        compute="_compute_dunning_credit", string="Rating as delivered", groups=MANAGER,
        help="The rating as the bureau wrote it (AA+, 7/10...), before it was mapped to the policy's scale.")
    dunning_rating_source = fields.Char(
        compute="_compute_dunning_credit", string="Rating source", groups=MANAGER)
    dunning_rating_date = fields.Date(
        compute="_compute_dunning_credit", string="Rated on", groups=MANAGER)
    dunning_payment_defaults = fields.Integer(
        compute="_compute_dunning_credit", string="Payment defaults", groups=MANAGER)
    dunning_credit_error = fields.Char(
        compute="_compute_dunning_credit", string="Last lookup error", groups=MANAGER)

    @api.depends_context("company")
    def _compute_dunning_credit(self):
        observations = self.env["dunning.credit.observation"]
        latest = observations._latest(self.env.company, self)
        attempts = observations._latest(self.env.company, self, valid_only=False)
        for partner in self:
            key = partner.commercial_partner_id
            register = latest.get((key, "register"), observations)
            rating = latest.get((key, "rating"), observations)
            partner.dunning_register_observation_id = register
            partner.dunning_registry_status = register.registry_status
            partner.dunning_register_source = register.source
            partner.dunning_register_date = register.observed_on
            partner.dunning_company_registered_on = register.registration_date
            partner.dunning_company_form = register.company_form
            partner.dunning_business_line = register.business_line
            partner.dunning_rating_observation_id = rating
            partner.dunning_credit_rating = rating.rating
            partner.dunning_rating_label = rating.rating_label
            partner.dunning_rating_source = rating.source
            partner.dunning_rating_date = rating.observed_on
            partner.dunning_payment_defaults = rating.payment_defaults
            last = attempts.get((key, "register"))
            partner.dunning_credit_error = last.error if last and not last.valid else False

    def _dunning_business_id(self):
        """The commercial partner's Finnish business ID (company ID field, else its Finnish VAT), or ``None``."""
        partner = self.commercial_partner_id
        return normalize_business_id(partner.company_registry) or normalize_business_id(partner.vat)

    @api.model
    def _dunning_register_client(self):
        params = self.env["ir.config_parameter"].sudo()
        return PrhClient(
            base_url=params.get_param(PRH_URL_PARAM) or DEFAULT_BASE_URL,
            timeout=float(params.get_param(PRH_TIMEOUT_PARAM) or 10),
        )

    def _dunning_refresh_register(self, company, today, client=None):
        """Look up every partner of ``self`` in the trade register; record results and errors.

        Returns ``{partner: error text}`` for the partners that could not be looked up.
        """
        client = client or self._dunning_register_client()
        results, errors = {}, {}
        for partner in self.commercial_partner_id:
            business_id = partner._dunning_business_id()
            if not business_id:
                errors[partner] = _("No Finnish business ID or VAT number.")
                continue
            try:
                results[partner] = client.fetch(business_id, today)
            except NotFound:
                results[partner] = errors[partner] = _(
                    "The trade register knows no company with business ID %s.", business_id)
            except ProviderError as error:
                results[partner] = errors[partner] = _("Trade register lookup failed: %s", error)
        if results:
            self.env["dunning.credit.observation"]._record(company, results)
        return errors

    def action_dunning_refresh_credit(self):
        """Button on the customer: look it up in the trade register now."""
        check_collections_manager(self.env, _("Only Collections managers may look up credit information."))
        company = self.env.company
        errors = self._dunning_refresh_register(company, fields.Date.context_today(self))
        if errors and len(self) == 1:
            raise UserError(next(iter(errors.values())))
        return True

    @api.model
    def _cron_dunning_refresh_credit(self, batch_size=100):
        """Scheduled: refresh, per company, the customers with open receivables or quotations (one batch each)."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            partners = self.with_company(company)._dunning_credit_refresh_due(company, today, batch_size)
            if partners:
                partners.with_company(company)._dunning_refresh_register(company, today)
                # one batch per company: a later failure keeps what was looked up (as the daily run commits)
                self.env["dunning.run"]._commit(len(partners))

    @api.model
    def _dunning_credit_refresh_due(self, company, today, limit):
        """Business customers of ``company`` with open receivables or quotations, not looked up for a week."""
        receivable = self.env["account.move.line"].sudo()._read_group(
            [("company_id", "=", company.id), ("parent_state", "=", "posted"),
             ("account_id.account_type", "=", "asset_receivable"), ("reconciled", "=", False)],
            ["partner_id"])
        quoted = self.env["sale.order"].sudo()._read_group(
            [("company_id", "=", company.id), ("state", "in", ("draft", "sent"))], ["partner_id"])
        customers = self.browse().union(*(row[0] for row in receivable + quoted)).commercial_partner_id
        customers = customers.filtered(lambda p: p.is_company or p.vat or p.company_registry)
        recent = self.env["dunning.credit.observation"].sudo()._read_group(
            [("company_id", "=", company.id), ("kind", "=", "register"),
             ("partner_id", "in", customers.ids),
             ("observed_on", ">", today - timedelta(days=REFRESH_AFTER_DAYS))],
            ["partner_id"])
        done = {row[0] for row in recent}
        return customers.filtered(lambda p: p not in done and p._dunning_business_id())[:limit]


# Here rather than beside the observation model: dunning.case.event must be loaded first.
class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(selection_add=[("credit_change", "Credit information changed")],
                            ondelete={"credit_change": "cascade"})
