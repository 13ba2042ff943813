from odoo import fields, models


class MailTemplate(models.Model):
    """A collections template says whether it contains sales promotion (consumers must not get it)."""

    _inherit = "mail.template"

    dunning_promotion = fields.Boolean(
        "Contains sales promotion",
        help="Collection messages to consumers must not carry sales promotion: a policy step sending this "
             "template must be for businesses only, and the run never sends it to a consumer.",
    )
