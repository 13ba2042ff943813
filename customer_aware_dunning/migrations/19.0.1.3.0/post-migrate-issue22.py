"""19.0.1.3.0 (issue 22): an open invoice's expected loss leaves out what the customer's open credits cover
(new column ``dunning_credit_covered``): the predictions are refreshed at once rather than at the next daily job."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if version:
        api.Environment(cr, SUPERUSER_ID, {})["account.move"]._cron_dunning_predictions()
