"""A real Odoo process for tests/test_run_jobs_runner.py (not a test itself): data, the run that queues, a snapshot.

    python tests/jobs_driver.py -c .dev/odoo.conf setup DB --customers 36
    python tests/jobs_driver.py -c .dev/odoo.conf run DB[@jobs] [DB[@jobs] ...] [--twice] [--batch-size 4]
    python tests/jobs_driver.py -c .dev/odoo.conf snapshot DB [DB ...]

``setup`` adds ``--customers`` customers with overdue invoices (5, 12, 25 and 40 days late in turn, every
sixth without an email address, so the run has emails, To-Dos and approvals to do). ``run`` is the scheduled
job's run of the main company (``commit=True``, small batches): in process (then it prints the database's
snapshot), or for ``DB@jobs`` with the batches queued as OCA queue_job jobs, and with ``--twice`` each batch
queued a second time right after the first: queue_job's runner then hands the two jobs of a batch to two
workers at once. ``snapshot`` prints ``SNAPSHOT <db> final <json>`` (``tests/dunning_driver.py``'s snapshot
of every case, plus the jobs and the cases that need attention).
"""

import argparse
import json
import sys
from datetime import timedelta

import dunning_driver  # tests/ is this script's folder

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import config

DAYS_LATE = (5, 12, 25, 40)
JOB_METHOD = "_follow_up_job"


def names(count):
    return [f"Job customer {number:02d}" for number in range(1, count + 1)]


def setup(env, count):
    company = env.ref("base.main_company")
    env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:1")  # letters fail fast, no network
    env["dunning.policy"]._ensure_default(company)
    standard = env["dunning.segment"]._for_company(company)["standard"]
    today = dunning_driver.run_day(env)
    manager = env.ref("base.user_admin")
    partners = env["res.partner"].create([
        {"name": name, "is_company": True, "user_id": manager.id,
         "email": False if number % 6 == 0 else f"ap{number}@jobs.example"}
        for number, name in enumerate(names(count), start=1)
    ])
    partners.with_company(company).write({"dunning_segment_id": standard.id})
    moves = env["account.move"].with_company(company).create([
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=days_late + 30),
            "invoice_date_due": today - timedelta(days=days_late),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": 100 + index,
                                                 "tax_ids": []})],
        }
        for index, partner in enumerate(partners)
        for days_late in [DAYS_LATE[index % len(DAYS_LATE)]]
    ])
    moves.action_post()
    dunning_driver.say(json.dumps({"company": company.id, "today": str(today), "customers": count}))


def queue_twice():
    """Queue every batch twice, back to back: the second job of a batch (without an identity key, as a job set
    to run again by hand or found dead and requeued would be) comes right after the first."""
    from odoo.addons.customer_aware_dunning.models.dunning_run import JOBS_CHANNEL, DunningRun

    enqueue = DunningRun._enqueue_batches

    def _enqueue_batches(self, company, policy, today, batches):
        for batch in batches:
            enqueue(self, company, policy, today, [batch])
            self.with_delay(channel=JOBS_CHANNEL, description=f"again: {len(batch)} customer(s)")._follow_up_job(
                company.id, policy.id, today, batch)

    DunningRun._enqueue_batches = _enqueue_batches


def run(env, jobs, batch_size):
    env["ir.config_parameter"].set_param("customer_aware_dunning.run_batches_as_jobs", str(bool(jobs)))
    env.cr.commit()
    company = env.ref("base.main_company")
    company_run = env["dunning.run"].sudo().with_company(company)
    result = company_run._run_company(company, dunning_driver.run_day(company_run.env), batch_size=batch_size,
                                      commit=True)
    queued = env["queue.job"].sudo().search_count([("method_name", "=", JOB_METHOD)])
    dunning_driver.say("RUN-RESULT", "skipped" if result is None else "done", "QUEUED", queued)


def snapshot(env, count):
    state = dunning_driver.snapshot(env, names(count))
    company = env.ref("base.main_company")
    attention = env["dunning.case"].search([("company_id", "=", company.id), ("needs_attention", "=", True)])
    state["problems"] += [f"{case.partner_id.name}: needs attention ({case.run_error})" for case in attention]
    jobs = env["queue.job"].sudo().search([("method_name", "=", JOB_METHOD)], order="id")
    state["jobs"] = [{"uuid": job.uuid, "state": job.state, "result": job.result, "args": job.args,
                      "worker_pid": job.worker_pid, "retry": job.retry, "exc_info": (job.exc_info or "")[-2000:]}
                     for job in jobs]
    dunning_driver.say("SNAPSHOT", env.cr.dbname, "final", json.dumps(state, default=str))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("action", choices=["setup", "run", "snapshot"])
    parser.add_argument("databases", nargs="+", metavar="DB[@jobs]")
    parser.add_argument("--customers", type=int, default=24)
    parser.add_argument("--twice", action="store_true", help="queue every batch of DB@jobs twice")
    parser.add_argument("--batch-size", type=int, default=4)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"], setup_logging=True)
    if args.twice:
        queue_twice()
    for item in args.databases:
        database, _sep, mode = item.partition("@")
        with Registry(database).cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            if args.action == "setup":
                setup(env, args.customers)
            elif args.action == "run":
                run(env, mode == "jobs", args.batch_size)
        if args.action == "snapshot" or (args.action == "run" and mode != "jobs"):
            with Registry(database).cursor() as cr:
                snapshot(api.Environment(cr, api.SUPERUSER_ID, {}), args.customers)


if __name__ == "__main__":
    sys.exit(main())
