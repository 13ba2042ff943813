from datetime import date, timedelta
from unittest import SkipTest

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.dunning_run import JOBS_PARAMETER
from .common import DunningCommon

try:
    from odoo.addons.queue_job.job import Job
except ImportError:  # queue_job is an optional peer: without it the class below is skipped
    Job = None

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestRunJobsReread(DunningCommon):
    """A queued batch re-reads, when it runs, what may have changed while it waited: the policy and the date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if Job is None or "queue.job" not in cls.env:
            raise SkipTest("OCA queue_job is not installed in this database")
        cls.Policy = cls.env["dunning.policy"]
        cls.Policy._ensure_default(cls.company)
        segment = cls.env["dunning.segment"]._for_company(cls.company)["standard"]
        cls.customer = cls.env["res.partner"].create({"name": "Queued Oy", "is_company": True,
                                                      "email": "ap@queued.example"})
        cls.customer.with_company(cls.company).write({"dunning_segment_id": segment.id})
        cls.make_invoice(cls.customer, DUE - timedelta(days=30), DUE, 100)

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(JOBS_PARAMETER, "True")

    def stored_jobs(self):
        return self.env["queue.job"].sudo().search([("method_name", "=", "_follow_up_job")])

    def steps(self):
        return self.env["dunning.case.event"].search([("partner_id", "=", self.customer.id), ("step_key", "!=", False)])

    def test_a_job_uses_the_policy_active_when_it_runs(self):
        queued_under = self.Policy._active_for(self.company)
        self.env["dunning.run"]._run_company(self.company, DAY_5)
        draft = self.Policy.browse(queued_under.action_new_version()["res_id"])
        draft.yaml_text = queued_under.yaml_text.replace("template: gentle_reminder}", "template: firm_reminder}", 1)
        draft.action_activate()
        for record in self.stored_jobs():
            Job.load(self.env, record.uuid).perform()
        self.assertEqual(self.steps().policy_version, draft.display_name)

    def test_a_job_that_waited_a_day_runs_for_the_next_day(self):
        self.env["dunning.run"]._run_company(self.company, DAY_5)
        record = self.stored_jobs()
        run = self.env["dunning.run"].with_context(job_uuid=record.uuid)
        self.assertEqual(run._job_run_date(DAY_5), DAY_5, "a job run at once keeps its date")
        # queue_job keeps date_created read-only: the job is made a day older in the table itself
        self.env.cr.execute(SQL("UPDATE queue_job SET date_created = %s WHERE id = %s",
                                fields.Datetime.now() - timedelta(days=1), record.id))
        record.invalidate_recordset(["date_created"])
        self.assertEqual(run._job_run_date(DAY_5), DAY_5 + timedelta(days=1))
        self.assertEqual(self.env["dunning.run"]._job_run_date(DAY_5), DAY_5, "outside a job: the date given")
