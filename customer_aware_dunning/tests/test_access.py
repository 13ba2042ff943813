from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestAccess(DunningCommon):
    """Users read, managers act, other companies see nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.partner_a, date(2026, 5, 1), date(2026, 5, 31), 300)
        cls.env["dunning.partner.facts"]._refresh(cls.company, date(2026, 6, 30))
        cls.env["dunning.case"]._sync_open_cases(cls.company, date(2026, 6, 30))
        cls.case = cls.invoice.dunning_case_id
        cls.other_company = cls.setup_other_company(name="Nordic Branch")["company"]
        cls.other_manager = new_test_user(
            cls.env,
            login="olga.other",
            name="Olga Other",
            groups="account.group_account_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    def test_collections_user_reads_cases_events_facts_and_configuration(self):
        case = self.case.with_user(self.collections_user)
        self.assertTrue(case.name)
        self.assertTrue(case.event_ids.description)
        self.assertTrue(self.env["dunning.partner.facts"].with_user(self.collections_user).search([]))
        self.assertTrue(self.env["dunning.segment"].with_user(self.collections_user).search([]))
        self.assertTrue(self.env["dunning.delay.reason"].with_user(self.collections_user).search([]))

    def test_collections_user_cannot_configure_or_create_cases(self):
        with self.assertRaises(AccessError):
            self.env["dunning.segment"].with_user(self.collections_user).create({"key": "vip", "name": "VIP"})
        with self.assertRaises(AccessError):
            self.env["dunning.delay.reason"].with_user(self.collections_user).create({"key": "x", "name": "X"})
        with self.assertRaises(AccessError):
            self.env["dunning.case"].with_user(self.collections_user).create({"partner_id": self.partner_b.id})
        with self.assertRaises(AccessError):
            self.case.with_user(self.collections_manager).unlink()

    def test_manager_configures(self):
        segment = self.env["dunning.segment"].with_user(self.collections_manager).create({"key": "vip", "name": "VIP"})
        self.assertEqual(segment.key, "vip")

    def test_user_without_the_group_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.case.with_user(self.plain_user).read(["name"])
        with self.assertRaises(AccessError):
            self.env["dunning.partner.facts"].with_user(self.plain_user).search([])

    def test_another_company_sees_nothing(self):
        cases = self.env["dunning.case"].with_user(self.other_manager).search([])
        self.assertFalse(cases)
        with self.assertRaises(AccessError):
            self.case.with_user(self.other_manager).read(["name"])
        self.assertFalse(self.env["dunning.partner.facts"].with_user(self.other_manager).search([]))
        self.assertFalse(self.env["dunning.case.event"].with_user(self.other_manager).search([]))
