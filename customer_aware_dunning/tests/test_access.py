from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
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
        cls.invoice.invoice_user_id = cls.salesperson
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

    def test_salesperson_records_delay_reason_and_promise_without_editing_invoices(self):
        invoice = self.invoice.with_user(self.salesperson)
        invoice.write({
            "dunning_delay_reason_id": self.env.ref("customer_aware_dunning.delay_reason_waiting_po").id,
            "dunning_delay_note": "Needs a purchase order number.",
            "dunning_promise_date": date(2026, 7, 20),
            "dunning_promise_amount": 300,
        })
        self.assertEqual(self.invoice.dunning_promise_amount, 300)
        with self.assertRaises(AccessError):
            invoice.write({"ref": "PO-1", "dunning_delay_note": "Both at once"})
        with self.assertRaises(AccessError):
            invoice.write({"dunning_excluded": True, "dunning_exclusion_reason": "Friend of the boss"})

    def test_salesperson_reads_cases_but_cannot_close_them(self):
        case = self.case.with_user(self.salesperson)
        self.assertEqual(case.state, "open")
        with self.assertRaises(AccessError):
            case.action_close("paid")
        with self.assertRaises(AccessError):
            case.action_open_close_wizard()
        with self.assertRaises(AccessError):
            self.env["dunning.case.close"].with_user(self.salesperson).create(
                {"case_ids": case.ids, "outcome": "paid"}
            )

    def test_user_without_the_group_cannot_record_a_delay_reason(self):
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.plain_user).write(
                {"dunning_delay_reason_id": self.env.ref("customer_aware_dunning.delay_reason_forgot").id}
            )

    def test_manager_excludes_an_invoice_and_closes_a_case(self):
        self.invoice.with_user(self.collections_manager).write(
            {"dunning_excluded": True, "dunning_exclusion_reason": "Offset against our purchase."}
        )
        self.assertTrue(self.invoice.dunning_excluded)
        self.case.with_user(self.collections_manager).action_close("handed_over", "To the agency.")
        self.assertEqual(self.case.outcome, "handed_over")
        with self.assertRaises(UserError):
            self.case.with_user(self.collections_manager).action_close("paid")

    def test_company_specific_configuration_stays_in_its_company(self):
        own = self.env["dunning.segment"].create(
            {"key": "nordic_vip", "name": "Nordic VIP", "company_id": self.other_company.id}
        )
        reason = self.env["dunning.delay.reason"].create(
            {"key": "strike", "name": "Port strike", "company_id": self.other_company.id}
        )
        self.assertIn(own, self.env["dunning.segment"].with_user(self.other_manager).search([]))
        self.assertNotIn(own, self.env["dunning.segment"].with_user(self.collections_manager).search([]))
        self.assertNotIn(reason, self.env["dunning.delay.reason"].with_user(self.collections_user).search([]))
        with self.assertRaises(AccessError):
            own.with_user(self.collections_manager).read(["name"])
        shared = self.env.ref("customer_aware_dunning.segment_loyal")
        self.assertIn(shared, self.env["dunning.segment"].with_user(self.other_manager).search([]))
