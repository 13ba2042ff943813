from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestCollectionCase(DunningCommon):
    """A case opens when the first invoice goes overdue and closes when the last one is paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.partner_a
        cls.first = cls.make_invoice(cls.customer, date(2026, 5, 11), date(2026, 6, 10), 400)
        cls.second = cls.make_invoice(cls.customer, date(2026, 5, 20), date(2026, 6, 19), 250)

    def sync(self, today):
        return self.env["dunning.case"]._sync_open_cases(self.company, today)

    def open_case(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id), ("state", "!=", "closed")])

    def test_no_case_before_anything_is_overdue(self):
        self.sync(date(2026, 6, 10))  # due today is not overdue yet
        self.assertFalse(self.open_case())

    def test_case_opens_with_the_first_overdue_invoice_and_takes_the_next(self):
        opened, _closed = self.sync(date(2026, 6, 11))
        case = self.open_case()
        self.assertEqual(opened, case)
        self.assertEqual(case.invoice_ids, self.first)
        self.assertEqual(case.amount_at_open, 400)
        self.assertEqual(case.opened_on, date(2026, 6, 11))
        self.assertEqual(case.state, "open")
        self.assertEqual(self.first.dunning_case_id, case)
        self.assertEqual(case.event_ids.mapped("kind"), ["opened"])
        self.assertIn("Case opened", case.message_ids[0].body)
        self.assertEqual(len(case.message_ids), 1, "the opened event is the first line, no 'created' note besides")
        self.assertNotIn(self.env.user.partner_id, case.message_partner_ids, "the run follows no case it opens")

        opened, _closed = self.sync(date(2026, 6, 20))
        self.assertFalse(opened)
        self.assertEqual(case.invoice_ids, self.first | self.second)
        self.assertEqual(case.amount_overdue, 650)

    def test_second_sync_the_same_day_changes_nothing(self):
        self.sync(date(2026, 6, 20))
        case = self.open_case()
        opened, closed = self.sync(date(2026, 6, 20))
        self.assertFalse(opened or closed)
        self.assertEqual(len(case.event_ids), 1)
        self.assertEqual(self.env["dunning.case"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_case_closes_paid_when_the_last_overdue_invoice_is_paid(self):
        self.sync(date(2026, 6, 20))
        case = self.open_case()
        self.pay(self.first, date(2026, 6, 22))
        self.sync(date(2026, 6, 23))
        self.assertEqual(case.state, "open", "one invoice is still overdue")
        self.assertEqual(case.amount_recovered, 400)
        self.pay(self.second, date(2026, 6, 25))
        _opened, closed = self.sync(date(2026, 6, 26))
        self.assertEqual(closed, case)
        self.assertEqual((case.state, case.outcome, case.closed_on), ("closed", "paid", date(2026, 6, 26)))
        self.assertEqual(case.amount_recovered, 650)
        self.assertEqual(case.amount_overdue, 0)
        self.assertEqual(case.event_ids.sorted("id")[-1].kind, "closed")

    def test_a_new_overdue_invoice_after_closing_opens_a_new_case(self):
        self.sync(date(2026, 6, 20))
        first_case = self.open_case()
        self.pay(self.first | self.second, date(2026, 6, 22))
        self.sync(date(2026, 6, 23))
        self.make_invoice(self.customer, date(2026, 6, 1), date(2026, 7, 1), 90)
        self.sync(date(2026, 7, 2))
        second_case = self.open_case()
        self.assertTrue(second_case)
        self.assertNotEqual(first_case, second_case)
        self.assertEqual(second_case.amount_at_open, 90)

    def test_an_excluded_invoice_opens_no_case(self):
        self.first.with_user(self.collections_manager).write(
            {"dunning_excluded": True, "dunning_exclusion_reason": "Settled by offset agreement"}
        )
        self.sync(date(2026, 6, 11))
        self.assertFalse(self.open_case())

    def test_exclusion_needs_a_reason_and_a_manager(self):
        with self.assertRaises(ValidationError):
            self.first.with_user(self.collections_manager).write({"dunning_excluded": True})
        with self.assertRaises(AccessError):
            self.first.with_user(self.collections_user).write(
                {"dunning_excluded": True, "dunning_exclusion_reason": "Because"}
            )

    def test_manager_closes_by_hand_with_an_outcome_user_cannot(self):
        self.sync(date(2026, 6, 20))
        case = self.open_case()
        with self.assertRaises(AccessError):
            case.with_user(self.collections_user).action_close("written_off")
        wizard = (
            self.env["dunning.case.close"]
            .with_user(self.collections_manager)
            .create({"case_ids": case.ids, "outcome": "payment_plan", "note": "Six monthly instalments agreed."})
        )
        wizard.action_confirm()
        self.assertEqual((case.state, case.outcome), ("closed", "payment_plan"))
        self.assertIn("Six monthly instalments", case.event_ids.sorted("id")[-1].description)

    def test_delay_reason_and_promise_are_tracked_and_logged_on_the_case(self):
        self.sync(date(2026, 6, 20))
        case = self.open_case()
        dispute = self.env.ref("customer_aware_dunning.delay_reason_dispute")
        self.env.cr.precommit.clear()  # forget what the setup left pending: only this change is tracked
        self.first.with_user(self.collections_user).with_context(tracking_disable=False, mail_notrack=False).write(
            {"dunning_delay_reason_id": dispute.id, "dunning_promise_date": date(2026, 7, 15)}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        tracked = (
            self.env["mail.tracking.value"]
            .search([("mail_message_id.model", "=", "account.move"), ("mail_message_id.res_id", "=", self.first.id)])
            .mapped("field_id.name")
        )
        self.assertIn("dunning_delay_reason_id", tracked)
        self.assertIn("dunning_promise_date", tracked)
        event = case.event_ids.filtered(lambda e: e.kind == "delay_reason")
        self.assertEqual(len(event), 1)
        self.assertIn("Dispute", event.description)
        self.assertIn("2026-07-15", event.description)

    def test_salesperson_answers_for_several_invoices_at_once_and_it_is_tracked(self):
        self.sync(date(2026, 6, 20))
        case = self.open_case()
        salesperson = self.salesperson
        invoices = self.first | self.second
        invoices.invoice_user_id = salesperson
        cash_flow = self.env.ref("customer_aware_dunning.delay_reason_cash_flow")
        self.env.cr.precommit.clear()
        wizard = (
            self.env["dunning.invoice.answer"]
            .with_user(salesperson)
            .with_context(
                active_model="account.move", active_ids=invoices.ids, tracking_disable=False, mail_notrack=False
            )
            .create({"delay_reason_id": cash_flow.id, "promise_date": date(2026, 7, 31)})
        )
        wizard.action_confirm()
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertEqual(invoices.dunning_delay_reason_id, cash_flow)
        for invoice in invoices:
            with self.subTest(invoice=invoice.name):
                tracking = self.env["mail.tracking.value"].search([
                    ("mail_message_id.model", "=", "account.move"),
                    ("mail_message_id.res_id", "=", invoice.id),
                    ("field_id.name", "=", "dunning_delay_reason_id"),
                ])
                self.assertEqual(tracking.mail_message_id.author_id, salesperson.partner_id)
        event = case.event_ids.filtered(lambda e: e.kind == "delay_reason")
        self.assertEqual(len(event), 1, "one line on the case for the whole answer")
        self.assertIn(self.first.name, event.description)
        self.assertIn(self.second.name, event.description)

    def test_smart_buttons(self):
        self.sync(date(2026, 6, 20))
        case = self.open_case()
        self.assertEqual(self.first.action_view_dunning_case()["res_id"], case.id)
        action = self.customer.action_view_dunning_cases()
        self.assertEqual(self.env["dunning.case"].search(action["domain"]), case)
        self.assertEqual(self.customer.dunning_case_count, 1)
        self.assertEqual(self.env["account.move"].search(case.action_view_invoices()["domain"]), case.invoice_ids)

    def test_cases_opened_together_take_consecutive_references_of_the_case_sequence(self):
        other = self.env["res.partner"].create({"name": "Second customer", "email": "second@example.com"})
        self.make_invoice(other, date(2026, 5, 11), date(2026, 6, 10), 80)
        sequence = self.env.ref("customer_aware_dunning.seq_dunning_case")
        first_number = sequence.number_next_actual
        opened, _closed = self.sync(date(2026, 6, 11))
        self.assertEqual(len(opened), 2)
        expected = [sequence.get_next_char(first_number + offset) for offset in (0, 1)]
        self.assertEqual(sorted(opened.mapped("name")), expected)
        sequence.invalidate_recordset(["number_next_actual"])
        self.assertEqual(sequence.number_next_actual, first_number + 2)

    def test_todos_of_a_batch_go_to_their_assignees_without_an_email_each(self):
        self.sync(date(2026, 6, 11))
        case = self.open_case()
        mails = self.env["mail.mail"].search_count([])
        activities = case._schedule_activities({
            case: {"summary": "Call the customer", "note": "About the open invoices",
                   "user_id": self.collections_user.id},
        })
        self.assertEqual((activities.res_id, activities.res_model), (case.id, "dunning.case"))
        self.assertEqual(activities.user_id, self.collections_user)
        self.assertEqual(activities.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn(self.collections_user.partner_id, case.message_partner_ids, "the assignee follows the case")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
