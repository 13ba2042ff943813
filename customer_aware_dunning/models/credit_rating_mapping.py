from odoo import fields, models


class DunningCreditRatingMapping(models.Model):
    """Which column of a bureau's rating file holds what, saved per source and company for the next import."""

    _name = "dunning.credit.rating.mapping"
    _description = "Credit Rating File Columns"
    _order = "source"
    _rec_name = "source"

    source = fields.Char(required=True, help="The bureau, as its ratings are recorded (e.g. Asiakastieto).")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 ondelete="cascade")
    column_business_id = fields.Char("Business ID or VAT column", required=True)
    column_rating = fields.Char("Rating class or score column", required=True)
    column_rated_on = fields.Char("Rating date column", required=True)
    column_defaults = fields.Char("Payment defaults column")
    column_source = fields.Char("Source name column", help="When the file names a source per row.")

    _source_company_uniq = models.UniqueIndex("(company_id, source)")
