"""Privacy by design for credit information: a legal basis for consumers, retention, one-click export.

* Consumers' credit data is recorded only when the company has set a legal basis
  (:meth:`DunningCreditObservation._record` drops it otherwise).
* The scheduled job deletes observations older than the company's retention period.
* *Export credit information* on the customer downloads everything held on it (CSV).
"""

import csv
import io
from datetime import timedelta

from odoo import _, api, fields, models

from ..access import check_collections_manager

LEGAL_BASES = [
    ("none", "None: consumers' credit data is not recorded"),
    ("legitimate_interest", "Legitimate interest (credit granted, assessed and documented)"),
    ("consent", "The customer's consent"),
    ("contract", "Necessary for the contract (credit sale)"),
]
EXPORT_FIELDS = ("observed_on", "source", "kind", "business_id", "valid", "error", "registry_status",
                 "registration_date", "company_form", "business_line", "company_name", "rating",
                 "rating_label", "payment_defaults")


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_credit_consumer_basis = fields.Selection(
        LEGAL_BASES, string="Legal basis for consumers' credit data", default="none", required=True,
        help="Credit information about private persons is recorded only with a legal basis (GDPR art. 6).",
    )
    dunning_credit_retention_days = fields.Integer(
        "Keep credit information (days)", default=730,
        help="Observations older than this are deleted by the scheduled job. 0: kept.",
    )


class DunningCreditObservation(models.Model):
    _inherit = "dunning.credit.observation"

    @api.model
    def _record(self, company, observations):
        if company.dunning_credit_consumer_basis == "none":
            observations = {
                partner: result for partner, result in observations.items()
                if partner.commercial_partner_id.dunning_customer_type != "consumer"
            }
        return super()._record(company, observations)

    @api.model
    def _cron_retention(self):
        """Delete, per company, the observations older than its retention period."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([("dunning_credit_retention_days", ">", 0)]):
            cutoff = today - timedelta(days=company.dunning_credit_retention_days)
            self.sudo().search([("company_id", "=", company.id), ("observed_on", "<", cutoff)]).unlink()


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_dunning_export_credit(self):
        """Download everything the addon holds on this customer's credit, in every company of the user."""
        self.ensure_one()
        check_collections_manager(self.env, _("Only Collections managers may export credit information."))
        partner = self.commercial_partner_id
        rows = self.env["dunning.credit.observation"].search(
            [("partner_id", "=", partner.id)], order="company_id, observed_on, id")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["company", *EXPORT_FIELDS])
        for row in rows:
            writer.writerow([row.company_id.name, *(row[name] if row[name] is not False else "" for name in
                                                    EXPORT_FIELDS)])
        # as the system: a Collections manager may not be allowed to edit contacts; the file stays on the customer
        attachment = self.env["ir.attachment"].sudo().create({
            "name": f"credit-information-{partner.id}.csv",
            "raw": buffer.getvalue().encode("utf-8"),
            "mimetype": "text/csv",
            "res_model": "res.partner",
            "res_id": partner.id,
        })
        partner.sudo().message_post(
            author_id=self.env.user.partner_id.id, message_type="comment", subtype_xmlid="mail.mt_note",
            body=_("Credit information exported (%(count)s records).", count=len(rows)),
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true",
                "target": "self"}
