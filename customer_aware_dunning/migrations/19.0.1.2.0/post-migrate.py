"""19.0.1.2.0: step keys name their step by identity, not by its index in the journey."""

from odoo import SUPERUSER_ID, api
from odoo.addons.customer_aware_dunning.step_key_migration import convert_index_keys


def migrate(cr, version):
    if version:
        convert_index_keys(api.Environment(cr, SUPERUSER_ID, {}))
