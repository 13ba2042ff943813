import re
from datetime import date, timedelta

from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestRunMailIdempotency(DunningCommon):
    """A collection email carries a Message-Id made from its case and step, and only the failures known to have
    happened before the mail server accepted anything are queued again.

    The delivery itself, to a real SMTP server on this machine, is checked in
    ``tests/test_run_faults.py`` (the sink keeps every Message-Id it accepts).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.make_overdue_customers("Idempotent customer", 2, DUE)

    def cases(self):
        return self.cases_of(self.customers)

    def test_a_step_email_has_a_message_id_made_from_its_case_and_step(self):
        self.env["dunning.run"]._run_company(self.company, DAY_5)
        channel = self.env["dunning.channel"]
        ids = []
        for case in self.cases():
            mail = self.customer_mails(case)
            step_key = case.event_ids.filtered("step_key").step_key
            self.assertEqual(mail.message_id, channel._message_id(case, step_key))
            self.assertRegex(mail.message_id, rf"^<dunning\.{case.id}\.[0-9a-f]{{24}}@[^>]+>$")
            self.assertEqual(channel._message_id(case, step_key), mail.message_id, "the same every time")
            self.assertNotEqual(channel._message_id(case, step_key + "x"), mail.message_id,
                                "another step, another id")
            ids.append(mail.message_id)
        self.assertEqual(len(set(ids)), 2, "one per case")
        # A retry keeps it: what makes a resend recognisable.
        mail = self.customer_mails(self.cases()[0])
        mail.write({"state": "exception", "failure_reason": "Connection refused"})
        mail.action_retry()
        self.assertEqual(mail.message_id, ids[0])
        self.assertEqual(mail.state, "outgoing")

    def test_a_failure_that_may_have_been_accepted_is_never_queued_again(self):
        self.env["dunning.run"]._run_company(self.company, DAY_5)
        refused, unknown = self.cases()
        # Odoo could not connect to the server: nothing left this machine (mail.mail.send).
        connection = self.customer_mails(refused)
        connection.write({"state": "exception", "failure_reason": "Connection refused"})
        connection._postprocess_sent_message(success_pids=[], success_emails=[], failure_type="mail_smtp")
        # Any other error (mail.mail._send): it may have come after the server accepted the message.
        after = self.customer_mails(unknown)
        after.write({"state": "exception", "failure_type": "unknown", "failure_reason": "Connection reset after DATA"})
        after._postprocess_sent_message(success_pids=[], success_emails=[], failure_type="unknown")
        told = unknown.event_ids.filtered(lambda event: event.kind == "mail_failed")
        self.assertIn("It may have reached the mail server all the same", told.description)
        self.assertNotIn("may have reached", refused.event_ids.filtered(
            lambda event: event.kind == "mail_failed").description)

        for day in (DAY_5, DAY_5 + timedelta(days=1)):
            self.env["dunning.run"]._run_company(self.company, day)
        self.assertEqual(connection.state, "outgoing", "queued again: it had not left")
        self.assertEqual(after.state, "exception", "left for a person: it may have been sent")
        self.assertFalse(unknown.event_ids.filtered(lambda event: event.kind == "mail_retried"))
        self.assertTrue(re.match(r"^<dunning\.", after.message_id))
