from lxml import etree

from odoo import models

# The context key holding a batch's compiled sources (``dunning.channel._render_template_field``).
COMPILED_KEY = "dunning_qweb_compiled"
# What ir.qweb._render puts in the context of each rendering: not part of what a source compiles to.
PER_RENDERING = {COMPILED_KEY, "__qweb_loaded_functions", "__qweb_loaded_codes", "__qweb_loaded_options",
                 "_qweb_error_path_xml"}


class IrQweb(models.AbstractModel):
    """A template source given as an element (a mail template's body) compiled once for a batch of renderings.

    Odoo compiles a view once (``_generate_code_cached``), but a source given as
    an ``etree`` element again at every rendering: ``mail.template`` renders a
    QWeb body that way, record by record. While the context holds
    ``dunning_qweb_compiled`` (a dict, for one batch), a source already compiled
    in the same context is reused: the same code Odoo would generate again,
    since the generated code reads the context of each rendering when it runs.
    """

    _inherit = "ir.qweb"

    def _generate_code_uncached(self, template):
        compiled = self.env.context.get(COMPILED_KEY)
        if compiled is None or not isinstance(template, etree._Element):
            return super()._generate_code_uncached(template)
        key = (etree.tostring(template), repr(sorted(
            (name, value) for name, value in self.env.context.items() if name not in PER_RENDERING)))
        if key not in compiled:
            compiled[key] = super()._generate_code_uncached(template)
        return compiled[key]
