"""The rating import wizard: a good file is recorded, a bad one writes nothing and says which rows."""

import base64
import io

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DunningCommon

GOOD = """y-tunnus;luokka;pvm;maksuhairiot
2345678-0;AA;30.11.2026;0
FI01120389;C;2026-11-29;3
"""
BAD = """y-tunnus;luokka;pvm;maksuhairiot
2345678-0;AA;30.11.2026;0
0112038-8;A;30.11.2026;0
2345678-0;Q;30.11.2026;0
2345678-0;A;yesterday;0
"""


@tagged("post_install", "-at_install")
class TestCreditRatingImport(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.koivu = Partner.create({"name": "Koivu Oy", "is_company": True, "vat": "FI23456780"})
        cls.nokia = Partner.create({"name": "Kuusi Oy", "is_company": True, "company_registry": "0112038-9"})
        cls.Observation = cls.env["dunning.credit.observation"]

    def wizard(self, content, filename="ratings.csv", source="Asiakastieto"):
        return self.env["dunning.credit.rating.import"].with_user(self.collections_manager).create({
            "file": base64.b64encode(content), "filename": filename, "source": source,
            "column_business_id": "y-tunnus", "column_rating": "luokka", "column_rated_on": "pvm",
            "column_defaults": "maksuhairiot",
        })

    def test_a_good_file_is_previewed_then_recorded_on_one_scale_and_its_columns_saved(self):
        wizard = self.wizard(GOOD.encode())
        wizard.action_preview()
        self.assertIn("2 row(s) ready, 0 with a problem", wizard.preview)
        self.assertFalse(self.Observation.search([("partner_id", "in", (self.koivu | self.nokia).ids)]))
        wizard.action_import()
        koivu = self.Observation.search([("partner_id", "=", self.koivu.id)])
        nokia = self.Observation.search([("partner_id", "=", self.nokia.id)])
        self.assertEqual((koivu.rating, koivu.rating_label, koivu.source, str(koivu.observed_on)),
                         ("4", "AA", "Asiakastieto", "2026-11-30"))
        self.assertEqual((nokia.rating, nokia.payment_defaults), ("1", 3))
        # the next file from the same source finds its columns already set
        again = Form(self.env["dunning.credit.rating.import"].with_user(self.collections_manager))
        self.assertEqual(again.column_rating, "rating")
        again.source = "Asiakastieto"
        self.assertEqual((again.column_business_id, again.column_rating, again.column_rated_on),
                         ("y-tunnus", "luokka", "pvm"))

    def test_a_bad_file_writes_nothing_and_says_which_rows(self):
        wizard = self.wizard(BAD.encode())
        wizard.action_preview()
        self.assertIn("Line 3: '0112038-8' is not a Finnish business ID", wizard.problems)
        self.assertIn("Line 4: rating 'Q'", wizard.problems)
        self.assertIn("Line 5: rating date 'yesterday'", wizard.problems)
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_import()
        self.assertFalse(self.Observation.search([("partner_id", "=", self.koivu.id)]))
        self.assertFalse(self.env["dunning.credit.rating.mapping"].search([("source", "=", "Asiakastieto")]))

    def test_missing_columns_and_unknown_customers_are_problems(self):
        wizard = self.wizard(b"id;class\n2345678-0;A\n")
        wizard.action_preview()
        self.assertIn("column(s) not in the file: y-tunnus, luokka, pvm, maksuhairiot", wizard.problems)
        wizard = self.wizard(b"y-tunnus;luokka;pvm;maksuhairiot\n7654321-2;A;2026-11-30;0\n")
        wizard.action_preview()
        self.assertIn("Line 2: no customer has business ID 7654321-2", wizard.problems)

    def test_a_spreadsheet_is_read_too(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["y-tunnus", "luokka", "pvm", "maksuhairiot"])
        sheet.append(["2345678-0", 85, "2026-11-30", 1])
        buffer = io.BytesIO()
        book.save(buffer)
        self.wizard(buffer.getvalue(), filename="ratings.xlsx").action_import()
        koivu = self.Observation.search([("partner_id", "=", self.koivu.id)])
        self.assertEqual((koivu.rating, koivu.payment_defaults), ("5", 1))

    def test_only_collections_managers_import(self):
        with self.assertRaises(AccessError):
            self.env["dunning.credit.rating.import"].with_user(self.salesperson).create({"source": "X"})
