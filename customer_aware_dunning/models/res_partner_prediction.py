from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    """The customer's risk, to rank "Customers with open invoices": the expected loss of its open invoices.

    Per company (a company-dependent column, so the list sorts by it in SQL); written for every
    customer at once by :meth:`_dunning_write_expected_loss` when the predictions are refreshed.
    """

    _inherit = "res.partner"

    dunning_expected_loss = fields.Float(
        "Expected loss", company_dependent=True, readonly=True, copy=False,
        help="The customer's open invoices times the chance it pays each late, from its own payment history: "
             "the amount at stake, in the company's currency.")

    @api.model
    def _dunning_write_expected_loss(self, company, totals):
        """Set the expected loss of ``company``'s customers to ``totals`` (partner id: amount); others 0."""
        key = str(company.id)
        cr = self.env.cr
        self.flush_model(["dunning_expected_loss"])
        cr.execute(SQL(
            "UPDATE res_partner SET dunning_expected_loss = dunning_expected_loss - %(key)s "
            "WHERE dunning_expected_loss ? %(key)s",
            key=key,
        ))
        if totals:
            cr.execute(SQL(
                """
                UPDATE res_partner partner
                   SET dunning_expected_loss = COALESCE(partner.dunning_expected_loss, '{}'::jsonb)
                                               || jsonb_build_object(%(key)s, v.loss)
                  FROM (VALUES %(values)s) AS v(id, loss)
                 WHERE partner.id = v.id
                """,
                key=key,
                values=SQL(", ").join(SQL("(%s, %s::float)", partner_id, loss) for partner_id, loss in totals.items()),
            ))
        self.invalidate_model(["dunning_expected_loss"])
