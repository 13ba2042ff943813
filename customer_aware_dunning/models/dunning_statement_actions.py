from odoo import models


class ResPartnerStatement(models.Model):
    """The "Statement (Excel)" button of the customer form: downloads the XLSX of this company's statement."""

    _inherit = "res.partner"

    def action_dunning_statement_xlsx(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "download",
                "url": f"/dunning/statement/partner/{self.commercial_partner_id.id}/xlsx"}


class DunningCaseStatement(models.Model):
    """The "Statement (Excel)" button of the case form: downloads the XLSX of the case's customer and company."""

    _inherit = "dunning.case"

    def action_dunning_statement_xlsx(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "download", "url": f"/dunning/statement/case/{self.id}/xlsx"}

    def _portal_statement(self):
        """The statement of account the customer's page shows: ``dunning.statement._statement`` of the case."""
        self.ensure_one()
        return self.env["dunning.statement"].sudo()._statement(self.partner_id, self.company_id)
