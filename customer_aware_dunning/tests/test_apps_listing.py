"""The Apps screen shows our icon, our description and screenshots, as the web client loads them."""

import base64
import re

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path


@tagged("post_install", "-at_install")
class TestAppsListing(HttpCase):
    def setUp(self):
        super().setUp()
        self.module = self.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])

    def test_the_module_record_has_our_author_icon_and_description(self):
        module = self.module
        self.assertEqual(module.author, "Customer-Aware Dunning")
        self.assertNotIn("example.invalid", module.website or "")
        self.assertTrue(module.website.startswith("https://"))
        self.assertEqual(module.icon, "/customer_aware_dunning/static/description/icon.png")
        with open(file_path("customer_aware_dunning/static/description/icon.png"), "rb") as icon:
            self.assertEqual(module.icon_image, base64.b64encode(icon.read()))
        self.assertIn("Collections that keep customers", module.description_html)

    def test_the_description_images_load(self):
        self.authenticate("admin", "admin")
        sources = re.findall(r'<img[^>]* src="([^"]+)"', str(self.module.description_html))
        self.assertGreaterEqual(len(sources), 5, "the description shows the screenshots")
        for source in [*sources, self.module.icon]:
            self.assertTrue(source.startswith("/customer_aware_dunning/static/description/"), source)
            response = self.url_open(source)
            self.assertEqual(response.status_code, 200, source)
            self.assertEqual(response.headers["Content-Type"], "image/png", source)
            self.assertGreater(len(response.content), 1000, source)
