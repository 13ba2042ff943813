from datetime import date, timedelta
from unittest.mock import patch

from lxml import etree

from odoo.addons.base.models.ir_qweb import IrQweb
from odoo.tests import tagged

from ..models.dunning_channel import TEMPLATE_XMLID
from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)
CUSTOMERS = 4


@tagged("post_install", "-at_install")
class TestMailRenderOnce(DunningCommon):
    """A batch's emails of one template are compiled once per language, not once per email.

    Odoo's ``mail.template`` renders a QWeb body by parsing and compiling its
    source again for every record (``_render_template_qweb``); the run renders a
    batch's emails with the compiled template kept for the batch
    (``dunning.channel._send_emails``), and each email is what Odoo's own
    rendering gives it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.make_overdue_customers("Compiled customer", CUSTOMERS, DUE)

    def compiled_sources(self, run):
        """The QWeb sources (not views: ``etree`` elements) Odoo compiled while ``run`` runs."""
        original = IrQweb._generate_code_uncached
        sources = []

        def counted(qweb, template):
            if isinstance(template, etree._Element):
                sources.append(etree.tostring(template))
            return original(qweb, template)

        with patch.object(IrQweb, "_generate_code_uncached", counted):
            run()
        return sources

    def test_a_batch_compiles_its_template_once(self):
        sources = self.compiled_sources(lambda: self.env["dunning.run"]._run_company(self.company, DAY_5))
        cases = self.cases_of(self.customers)
        self.assertEqual(len(cases), CUSTOMERS)
        for case in cases:
            self.assertTrue(self.customer_mails(case), "every customer gets its email")
        self.assertTrue(sources, "the step's body is a QWeb template")
        self.assertEqual(len(sources), len(set(sources)), f"each source compiled once, not once per email: "
                                                          f"{len(sources)} compiles of {len(set(sources))}")

    def test_the_bodies_are_those_odoo_renders(self):
        self.env["dunning.run"]._run_company(self.company, DAY_5)
        cases = self.cases_of(self.customers)
        template = self.env.ref(TEMPLATE_XMLID % "gentle_reminder")
        channel = self.env["dunning.channel"]
        for field in ("subject", "body_html"):
            odoos = template._render_field(field, cases.ids, compute_lang=True)
            ours = channel._render_template_field(template, field, cases)
            self.assertEqual(ours, odoos, field)
        self.assertEqual(len(set(ours.values())), CUSTOMERS, "each case its own body")
