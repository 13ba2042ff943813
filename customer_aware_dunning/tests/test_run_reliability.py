from datetime import date, timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from ..models.dunning_run import COMPANY_RUN_LOCK
from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestRunReliability(DunningCommon):
    """One run per company at a time, and the emails the mail server could not send.

    The runs that really commit, get killed and race in separate processes are in
    ``tests/test_run_faults.py``; these check the same rules inside one transaction.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.make_overdue_customers("Reliable customer", 2, DUE)

    def cases(self):
        return self.cases_of(self.customers)

    def test_a_run_skips_the_company_another_run_works_on(self):
        with self.registry.cursor() as other_run:
            other_run.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", COMPANY_RUN_LOCK, self.company.id))
            # The log line saying why is checked in tests/test_run_faults.py, where the run is a real process.
            self.assertIsNone(self.env["dunning.run"]._run_company(self.company, DAY_5))
            self.assertIsNone(self.env["dunning.run"]._run_company(self.company, DAY_5, commit=True))
            action = self.env["dunning.case"].with_user(self.collections_manager).action_dunning_run_now()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertFalse(self.cases(), "the skipped runs wrote nothing")
        opened, _closed = self.env["dunning.run"]._run_company(self.company, DAY_5)
        self.assertEqual(opened, self.cases(), "once the other run is over, the company's run goes through")

    def test_run_now_never_takes_more_customer_locks_than_the_servers_lock_table_holds(self):
        # "Run now" holds one advisory lock per customer until the request ends; PostgreSQL's lock table is
        # shared by every session, and a transaction that fills it fails with "out of shared memory".
        settings = dict(self.env.execute_query(SQL(
            "SELECT name, setting::int FROM pg_settings WHERE name IN "
            "('max_locks_per_transaction', 'max_connections', 'max_prepared_transactions')")))
        lock_table = settings["max_locks_per_transaction"] * (
            settings["max_connections"] + settings["max_prepared_transactions"])
        run = self.env["dunning.run"]
        self.env["ir.config_parameter"].set_param("customer_aware_dunning.run_now_max_customers", "3")
        self.assertEqual(run._run_now_limit(), 3, "a limit the lock table holds is kept as set")
        self.env["ir.config_parameter"].set_param("customer_aware_dunning.run_now_max_customers",
                                                  str(10 * lock_table))
        with self.assertLogs("odoo.addons.customer_aware_dunning.models.dunning_run", "WARNING") as logged:
            limit = run._run_now_limit()
        self.assertEqual(limit, lock_table // 2, "half the lock table at most: the rest is the other sessions'")
        self.assertIn(f"max_locks_per_transaction {settings['max_locks_per_transaction']}", logged.output[0])
        self.assertIn(f"at most {lock_table // 2} customers", logged.output[0])

    def test_failed_emails_are_recorded_and_queued_again_for_open_cases_only(self):
        self.env["dunning.run"]._run_company(self.company, DAY_5)
        first, second = self.cases()
        mails = self.customer_mails(first) | self.customer_mails(second)
        self.assertEqual(len(mails), 2)
        # What Odoo's mail queue does when it cannot reach the server (mail.mail.send).
        mails.write({"state": "exception", "failure_reason": "Connection refused"})
        mails._postprocess_sent_message(success_pids=[], success_emails=[], failure_type="mail_smtp")
        for case in (first, second):
            failed = case.event_ids.filtered(lambda event: event.kind == "mail_failed")
            self.assertEqual(len(failed), 1)
            self.assertIn("Connection refused", failed.description)
        second.action_dunning_hold(reason="The customer called: they pay next week")

        self.env["dunning.run"]._run_company(self.company, DAY_5)
        self.assertEqual(self.customer_mails(first).mapped("state"), ["outgoing"], "Odoo's queue sends it again")
        self.assertEqual(self.customer_mails(second).mapped("state"), ["exception"], "a held case is a person's call")
        self.assertEqual(first.event_ids.filtered(lambda event: event.kind == "mail_retried").mapped("kind"),
                         ["mail_retried"])
        self.assertFalse(second.event_ids.filtered(lambda event: event.kind == "mail_retried"))
        self.assertEqual(len(first.event_ids.filtered("step_key")), 1, "the step itself is not done again")
