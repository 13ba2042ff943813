"""19.0.1.2.0: step keys name their step by identity, not by its index in the journey; the Finnish
legal profile (noupdate data) gains the consumer's 14-day payment demand before a hand-over."""

from odoo import SUPERUSER_ID, api
from odoo.addons.customer_aware_dunning.step_key_migration import convert_index_keys


def migrate(cr, version):
    if version:
        env = api.Environment(cr, SUPERUSER_ID, {})
        convert_index_keys(env)
        finland = env.ref("customer_aware_dunning.legal_profile_fi", raise_if_not_found=False)
        if finland and not finland.consumer_demand_days_before_handover:
            finland.consumer_demand_days_before_handover = 14
