"""Hand-over to a collection agency: the journey stops, the agency's file is attached, its status comes back."""

import base64
import csv
import io
from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestHandover(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example", "company_registry": "1234567-8",
            "street": "Mannerheimintie 1", "zip": "00100", "city": "Helsinki",
        })

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def cases(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], order="id")

    def messages_to_customer(self):
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "in", self.cases().ids),
            ("message_type", "=", "comment"), ("partner_ids", "in", self.customer.ids),
        ])

    def handed_over(self):
        first = self.make_invoice(self.customer, day(-30), DUE, 900, payment_reference="RF18 1234")
        second = self.make_invoice(self.customer, day(-20), day(3), 300)
        self.run_on(day(5))
        case = self.cases()
        case.with_user(self.collections_manager).action_dunning_hand_over()
        return case, first, second

    def test_hand_over_stops_the_journey_and_attaches_the_agency_file(self):
        case, first, second = self.handed_over()
        self.assertEqual((case.state, case.outcome), ("closed", "handed_over"))
        reminders = len(self.messages_to_customer())
        self.run_on(day(15))
        self.run_on(day(40))
        self.assertEqual(self.cases(), case, "no new case for the handed-over invoices")
        self.assertEqual(len(self.messages_to_customer()), reminders, "no reminder after the hand-over")
        self.assertFalse(case.charge_ids.filtered(lambda charge: charge.date > day(5)), "no charges from us")
        attachment = self.env["ir.attachment"].search([("res_model", "=", "dunning.case"), ("res_id", "=", case.id),
                                                       ("mimetype", "=", "text/csv")])
        self.assertEqual(len(attachment), 1)
        rows = list(csv.DictReader(io.StringIO(base64.b64decode(attachment.datas).decode("utf-8-sig")),
                                   delimiter=";"))
        self.assertEqual([row["invoice"] for row in rows], [first.name, second.name])
        row = rows[0]
        self.assertEqual((row["creditor"], row["debtor"], row["debtor_id"], row["city"]),
                         (self.company.name, "Bertta Oy", "1234567-8", "Helsinki"))
        self.assertEqual((row["reference"], row["due_date"], float(row["amount_due"])),
                         ("RF18 1234", str(DUE), 900.0))
        self.assertEqual(row["reminders_sent"], "1")

    def test_agency_status_paid_and_returned(self):
        case, first, _second = self.handed_over()
        case.with_user(self.collections_manager).action_dunning_agency_partly()
        self.assertEqual(case.agency_status, "partly")
        self.run_on(day(15))
        self.assertEqual(self.cases(), case, "partly paid: the rest stays with the agency")
        case.with_user(self.collections_manager).action_dunning_agency_returned()
        events = case.event_ids.filtered(lambda event: event.kind == "agency_status")
        self.assertEqual(len(events), 2)
        self.assertIn("new case", events.sorted("id")[-1].description)
        self.run_on(day(16))
        new_case = self.cases() - case
        self.assertEqual(len(new_case), 1, "the returned invoices are followed up again")
        self.assertIn(first, new_case.invoice_ids)

    def test_only_managers_hand_over(self):
        self.make_invoice(self.customer, day(-30), DUE, 900)
        self.run_on(day(5))
        with self.assertRaises(AccessError):
            self.cases().with_user(self.collections_user).action_dunning_hand_over()
        self.assertEqual(self.cases().state, "open")


@tagged("post_install", "-at_install")
class TestHandoverButtons(DunningCommon, HttpCase):
    """The case form's buttons, called as the web client calls them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({"name": "Bertta Oy", "is_company": True,
                                                      "email": "ap@bertta.example"})
        cls.make_invoice(cls.customer, day(-30), DUE, 900)
        cls.env["dunning.run"]._run_company(cls.company, day(5))
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])

    def click(self, method):
        return self.make_jsonrpc_request(f"/web/dataset/call_button/dunning.case/{method}", {
            "model": "dunning.case", "method": method, "args": [self.case.ids], "kwargs": {"context": {}},
        })

    def test_manager_hands_over_and_records_the_return(self):
        self.authenticate(self.collections_manager.login, self.collections_manager.login)
        self.click("action_dunning_hand_over")
        self.assertEqual((self.case.state, self.case.outcome), ("closed", "handed_over"))
        self.click("action_dunning_agency_returned")
        self.assertEqual(self.case.agency_status, "returned")

    def test_buttons_are_shown_to_managers_only(self):
        for user, shown in ((self.collections_manager, True), (self.collections_user, False)):
            arch = self.env["dunning.case"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            with self.subTest(user=user.login):
                self.assertEqual("action_dunning_hand_over" in arch, shown)
