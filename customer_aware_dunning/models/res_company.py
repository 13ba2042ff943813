from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_legal_profile_id = fields.Many2one(
        "dunning.legal.profile", string="Collections legal profile",
        help="The legal limits on reminder fees and interest. Empty: the profile of the company's country.",
    )
