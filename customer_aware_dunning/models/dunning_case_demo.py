from odoo import api, models


class DunningCase(models.Model):
    """The demo data file's entry points; the generator itself is not a model (``demo/generator.py``)."""

    _inherit = "dunning.case"

    @api.model
    def _create_demo_data(self):
        from ..demo.generator import DemoGenerator

        DemoGenerator(self.env)._dunning_create_demo_data()

    @api.model
    def _create_finnish_demo(self, company_ids):
        from ..demo.generator import DemoGenerator

        DemoGenerator(self.env)._dunning_create_finnish_demo(company_ids)
