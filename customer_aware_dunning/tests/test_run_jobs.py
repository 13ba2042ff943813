from datetime import date, timedelta
from unittest import SkipTest

from odoo.tests import tagged

from ..models.dunning_run import JOBS_CHANNEL, JOBS_PARAMETER
from .common import DunningCommon

try:
    from odoo.addons.queue_job.job import Job
    from odoo.addons.queue_job.tests.common import trap_jobs
except ImportError:  # queue_job is an optional peer: without it the class below is skipped
    Job = trap_jobs = None

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestRunJobs(DunningCommon):
    """The daily run with OCA queue_job: one job per batch, each customer's step done once.

    ``make db-test`` installs queue_job beside the addon, so these run in our CI;
    Odoo's runner on a database without queue_job skips the class.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if trap_jobs is None or "queue.job" not in cls.env:
            raise SkipTest("OCA queue_job is not installed in this database")
        cls.policy = cls.env["dunning.policy"]._active_for(cls.company)
        segment = cls.env["dunning.segment"]._for_company(cls.company)["standard"]
        cls.customers = cls.env["res.partner"].create([
            {"name": f"Job customer {n}", "is_company": True, "email": f"ap{n}@jobs.example"} for n in range(5)
        ])
        cls.customers.with_company(cls.company).write({"dunning_segment_id": segment.id})
        for partner in cls.customers:
            cls.make_invoice(partner, DUE - timedelta(days=30), DUE, 100)
        cls.dunning_run = cls.env["dunning.run"]

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(JOBS_PARAMETER, "True")

    def run_on(self, today):
        return self.dunning_run._run_company(self.company, today, batch_size=2)

    def messages_to(self, partner):
        cases = self.env["dunning.case"].search([("partner_id", "=", partner.id)])
        return self.env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "in", cases.ids),
            ("message_type", "=", "comment"), ("partner_ids", "in", partner.ids),
        ])

    def steps_of(self, partners):
        return self.env["dunning.case.event"].search([
            ("case_id.partner_id", "in", partners.ids), ("step_key", "!=", False),
        ])

    def assert_each_customer_reminded_once(self):
        for partner in self.customers:
            self.assertEqual(len(self.messages_to(partner)), 1, partner.name)
            self.assertEqual(len(self.steps_of(partner)), 1, partner.name)

    def test_one_job_per_batch_and_every_step_done_once(self):
        batches = [self.customers[:2].ids, self.customers[2:4].ids, self.customers[4:].ids]
        with trap_jobs() as trap:
            self.run_on(DAY_5)
            trap.assert_jobs_count(len(batches), only=self.dunning_run._follow_up_job)
            for batch in batches:
                trap.assert_enqueued_job(
                    self.dunning_run._follow_up_job,
                    args=(self.company.id, self.policy.id, DAY_5, batch),
                    properties={"channel": JOBS_CHANNEL},
                )
            self.assertFalse(self.steps_of(self.customers), "the run itself decides nothing: the jobs do")
            jobs = list(trap.enqueued_jobs)
            trap.perform_enqueued_jobs()
        self.assert_each_customer_reminded_once()

        for job in jobs:  # a worker that does a batch again after a crash
            job.perform()
        self.assert_each_customer_reminded_once()

    def test_queued_jobs_survive_storage_and_a_second_run_queues_nothing_more(self):
        self.run_on(DAY_5)
        self.run_on(DAY_5)
        stored = self.env["queue.job"].sudo().search([("method_name", "=", "_follow_up_job")])
        self.assertEqual(len(stored), 3, "the identity key keeps a waiting batch from being queued twice")
        self.assertEqual(set(stored.mapped("channel")), {JOBS_CHANNEL})
        for record in stored:
            Job.load(self.env, record.uuid).perform()
        self.assert_each_customer_reminded_once()

    def test_with_the_parameter_off_the_run_does_the_batches_itself(self):
        self.env["ir.config_parameter"].set_param(JOBS_PARAMETER, "False")
        with trap_jobs() as trap:
            self.run_on(DAY_5)
            trap.assert_jobs_count(0)
        self.assert_each_customer_reminded_once()
