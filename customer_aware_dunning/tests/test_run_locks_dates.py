from datetime import date, datetime, timedelta

import psycopg2

from odoo import api
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.dunning_run import COMPANY_RUN_LOCK
from ..policy.engine import decide
from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestRunLocksAndDates(DunningCommon):
    """The run's locks (per company and customer; the company lock never idle in a transaction), the step key's
    unique index, and the run date in each company's time zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.setup_other_company(name="Locks Branch")["company"]
        for company in cls.company | cls.branch:
            cls.env["dunning.policy"]._ensure_default(company)
        cls.shared = cls.env["res.partner"].create({"name": "Shared customer", "is_company": True,
                                                    "email": "ap@shared.example"})
        for company in cls.company | cls.branch:
            standard = cls.env["dunning.segment"]._for_company(company)["standard"]
            cls.shared.with_company(company).write({"dunning_segment_id": standard.id})
        cls.make_invoice(cls.shared, DUE - timedelta(days=30), DUE, 100)
        cls.make_invoice(cls.shared, DUE - timedelta(days=30), DUE, 200, company_id=cls.branch.id,
                         journal_id=cls.env["account.journal"].search(
                             [("company_id", "=", cls.branch.id), ("type", "=", "sale")], limit=1).id)

    def steps_of(self, company):
        return self.env["dunning.case.event"].search([("company_id", "=", company.id), ("step_key", "!=", False),
                                                      ("partner_id", "=", self.shared.id)])

    # ------------------------------------------------------------------ customer locks

    def test_a_customer_another_run_of_the_same_company_works_on_is_skipped_not_the_other_companys(self):
        run = self.env["dunning.run"].sudo()
        for company in self.company | self.branch:
            self.env["dunning.partner.facts"]._refresh(company, DAY_5)
            self.env["dunning.case"]._sync_open_cases(company, DAY_5)
        with self.registry.cursor() as other_cr:
            # Another run of the first company (a queued batch in another worker) works on the shared customer.
            other = api.Environment(other_cr, self.env.uid, {})["dunning.run"]
            self.assertEqual(other._lock_customers(self.company, self.shared.ids), self.shared.ids)
            self.assertEqual(run._lock_customers(self.company, self.shared.ids), [], "the same company: skipped")
            for company in self.company | self.branch:
                policy = self.env["dunning.policy"]._active_for(company)
                run.with_company(company)._follow_up_isolated(company, policy, policy._get_spec(), DAY_5,
                                                              self.shared.ids)
        self.assertFalse(self.steps_of(self.company), "nothing done beside the run working on it")
        self.assertEqual(len(self.steps_of(self.branch)), 1,
                         "the other company's run follows the shared customer up the same day")

    # ------------------------------------------------------------------ the step key's unique index

    def test_a_step_decided_twice_is_done_once(self):
        """A run acting on decisions read before another run did the same steps (as two runs racing would) is
        refused by the ``(case, step_key)`` unique index: one step event, one email."""
        company, run = self.company, self.env["dunning.run"]
        self.env["dunning.partner.facts"]._refresh(company, DAY_5)
        self.env["dunning.case"]._sync_open_cases(company, DAY_5)
        policy = self.env["dunning.policy"]._active_for(company)
        spec = policy._get_spec()
        stale = {partner: decide(spec, case, DAY_5)
                 for partner, case in run._case_inputs(company, DAY_5, self.shared).items()}
        run._run_company(company, DAY_5)
        self.assertEqual(len(self.steps_of(company)), 1)
        mails = self.env["mail.mail"].search([("model", "=", "dunning.case"),
                                              ("res_id", "=", self.steps_of(company).case_id.id)])
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), \
                self.env.cr.savepoint():
            self.env["dunning.case"].sudo()._apply(company, policy, spec, DAY_5, stale)
        self.assertEqual(len(self.steps_of(company)), 1)
        self.assertEqual(self.env["mail.mail"].search([("model", "=", "dunning.case"),
                                                       ("res_id", "=", self.steps_of(company).case_id.id)]), mails)
        # Without the index the same stale decisions are done again: what this test guards against.
        with suppress_rollback(self.env):
            self.env.cr.execute(SQL("DROP INDEX dunning_case_event_step_key_uniq"))
            self.env["dunning.case"].sudo()._apply(company, policy, spec, DAY_5, stale)
            self.assertEqual(len(self.steps_of(company)), 2)

    # ------------------------------------------------------------------ the company lock

    def test_the_company_lock_of_a_committing_run_is_not_held_in_an_idle_transaction(self):
        query = SQL(
            """SELECT activity.state FROM pg_locks lock JOIN pg_stat_activity activity ON activity.pid = lock.pid
               WHERE lock.locktype = 'advisory' AND lock.classid = %s AND lock.objid = %s AND lock.objsubid = 2
                 AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
            COMPANY_RUN_LOCK, self.company.id,
        )
        with self.env["dunning.run"]._company_run_lock(self.company, commit=True) as alone:
            self.assertTrue(alone)
            self.assertEqual(self.env.execute_query(query), [("idle",)],
                             "between the run's commits the lock's connection is idle, not idle in a transaction")
            with self.registry.cursor() as other_cr:
                other = api.Environment(other_cr, self.env.uid, {})["dunning.run"]
                with other._company_run_lock(self.company, commit=True) as second:
                    self.assertFalse(second, "a second run skips the company")
        self.assertEqual(self.env.execute_query(query), [], "released when the run ends")

    # ------------------------------------------------------------------ the run date

    def test_the_run_date_is_each_companys_date_in_its_time_zone(self):
        self.company.dunning_tz = "Pacific/Kiritimati"
        self.branch.partner_id.tz = "America/Los_Angeles"
        self.assertFalse(self.branch.dunning_tz, "by default: the zone of the company's address")
        instant = datetime(2026, 6, 1, 12, 0)  # noon UTC: 2 June 02:00 in Kiritimati, 1 June 05:00 in Los Angeles
        self.assertEqual(self.company._dunning_today(instant), date(2026, 6, 2))
        self.assertEqual(self.branch._dunning_today(instant), date(2026, 6, 1))
        self.branch.partner_id.tz = False
        self.assertEqual(self.branch._dunning_today(datetime(2026, 6, 1, 23, 30)), date(2026, 6, 1), "else UTC")

    def test_the_scheduled_job_runs_each_company_on_its_own_date(self):
        self.company.dunning_tz = "Pacific/Kiritimati"
        self.branch.dunning_tz = "America/Los_Angeles"
        self.env["dunning.run"]._cron_daily_run(now=datetime(2026, 6, 6, 12, 0))
        facts = self.env["dunning.partner.facts"].search([("partner_id", "=", self.shared.id)])
        self.assertEqual({row.company_id: row.computed_on for row in facts},
                         {self.company: date(2026, 6, 7), self.branch: date(2026, 6, 6)})

    def test_run_now_and_the_command_line_use_the_company_date(self):
        from ..cli.dunning import _today

        self.company.dunning_tz = "Pacific/Kiritimati"
        expected = self.company._dunning_today()
        self.assertEqual(_today(self.env, self.company), expected)
        self.env["dunning.case"].with_user(self.collections_manager).with_context(
            allowed_company_ids=self.company.ids).action_dunning_run_now()
        facts = self.env["dunning.partner.facts"].search([("partner_id", "=", self.shared.id),
                                                          ("company_id", "=", self.company.id)])
        self.assertEqual(facts.computed_on, expected)


class suppress_rollback:
    """A savepoint that is always rolled back: what runs inside leaves nothing behind."""

    def __init__(self, env):
        self.env = env

    def __enter__(self):
        self.savepoint = self.env.cr.savepoint()
        self.savepoint.__enter__()
        return self

    def __exit__(self, *exc):
        self.savepoint.close(rollback=True)
        self.env.invalidate_all()
        return False
