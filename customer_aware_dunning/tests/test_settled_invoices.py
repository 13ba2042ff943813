from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestSettledInvoices(DunningCommon):
    """Nothing leaves for a settled invoice: queued emails are taken back, approvals re-check what is owed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.customer = cls.env["res.partner"].create({
            "name": "Lehto Oy", "is_company": True, "email": "ap@lehto.example", "user_id": cls.collections_user.id,
        })
        cls.customer.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})

    def case_of(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], order="id desc", limit=1)

    def queued(self, case):
        return self.env["mail.mail"].search([("model", "=", "dunning.case"), ("res_id", "=", case.id),
                                             ("recipient_ids", "in", self.customer.ids)])

    def test_a_queued_reminder_is_cancelled_when_the_invoice_is_paid_before_the_queue_runs(self):
        invoice = self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        case = self.case_of()
        mail = self.queued(case)
        self.assertEqual(mail.mapped("state"), ["outgoing"])
        self.pay(invoice, day(6))
        mail.send()
        self.assertEqual(mail.state, "cancel")
        cancelled = case.event_ids.filtered(lambda event: event.kind == "mail_cancelled")
        self.assertEqual(len(cancelled), 1)
        self.assertIn("paid or credited", cancelled.description)

    def test_a_reminder_still_owed_leaves(self):
        self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        mail = self.queued(self.case_of())
        mail.send()
        self.assertNotEqual(mail.state, "cancel")

    def test_pausing_the_case_takes_its_queued_reminder_back(self):
        self.make_invoice(self.customer, day(-30), DUE, 500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        case = self.case_of()
        case.with_user(self.collections_manager).action_dunning_hold(reason="The CEO calls them")
        self.assertEqual(self.queued(case).state, "cancel")
        self.assertIn("the case is paused", case.event_ids.filtered(lambda e: e.kind == "mail_cancelled").description)

    def test_approving_after_payment_sends_nothing(self):
        invoice = self.make_invoice(self.customer, day(-70), DUE, 900)
        self.env["dunning.run"]._run_company(self.company, day(50))
        case = self.case_of()
        self.assertEqual(case.state, "waiting_approval")
        self.pay(invoice, day(51))
        letters_before = case.message_ids.attachment_ids
        case.with_user(self.collections_manager).action_dunning_approve()
        self.assertEqual(case.message_ids.attachment_ids, letters_before, "no letter for a paid invoice")
        self.assertFalse(case.event_ids.filtered(lambda event: event.kind == "step" and event.channel == "letter"))
        skipped = case.event_ids.filtered(lambda event: event.kind == "step_skipped")
        self.assertEqual(len(skipped), 1)
        self.assertIn("paid or credited", skipped.description)
