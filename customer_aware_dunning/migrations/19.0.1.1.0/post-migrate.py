"""Texts are data: the rendered texts of cases and events move into their JSON columns (see texts_migration.py)."""

from odoo.addons.customer_aware_dunning.texts_migration import texts_to_data


def migrate(cr, version):
    if version:
        texts_to_data(cr)
