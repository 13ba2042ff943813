"""A real Odoo process for the fault and concurrency tests (tests/test_run_faults.py), not a test itself.

It builds collections data in a scratch database, runs the daily run exactly as
the scheduled job or the "Run now" button does, and injects a fault at a chosen
point of the run *in this process only*: the run's own methods are wrapped, the
database and Odoo are the real ones. The test starts it with ``subprocess``,
kills it, races two of them, and reads what they left in the database.

    python tests/dunning_driver.py -c .dev/odoo.conf setup DB --smtp-port PORT
    python tests/dunning_driver.py -c .dev/odoo.conf run DB[@POINT] [DB[@POINT] ...] [--fault kill|raise|hold]
        [--again] [--snapshot-first] [--entry cron|cron-all|run-now] [--start FILE] [--release FILE]
        [--lock-idle-timeout MS]
    python tests/dunning_driver.py -c .dev/odoo.conf mail-queue DB --smtp-port PORT

A POINT is ``before-commit:N`` / ``after-commit:N`` (the run's Nth commit: the
first ends the case sync, the others end one batch each) or ``in-batch:N`` (the
Nth batch has done its work and not yet committed). ``raise`` at ``in-batch``
raises inside the batch (the run rolls the batch back and goes on); elsewhere
the error escapes the run, as a lost connection would. ``hold`` waits at the
point until the file named by ``--release`` exists. Every process prints
``FAULT-POINT <point>`` lines as it passes them and ``SNAPSHOT <database> <label> <json>``
lines: ``before`` (``--snapshot-first``), ``partial`` (after the faulty run, with
``--again``, which then runs once more without the fault) and ``final``.
"""

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import Command, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config

BATCH_SIZE = 3
# name, segment set by hand, email, [(days due before the run day, amount)]
CUSTOMERS = [
    ("Fault Alpha", "standard", "ap@alpha.example", [(5, 500)]),
    ("Fault Bravo", "standard", "ap@bravo.example", [(5, 300), (15, 200)]),
    ("Fault Charlie", "strategic", "ap@charlie.example", [(-3, 800)]),
    ("Fault Delta", "standard", False, [(5, 400)]),
    ("Fault Echo", "standard", "ap@echo.example", [(25, 1500)]),
    ("Fault Foxtrot", "standard", "ap@foxtrot.example", [(50, 2000)]),
]


class InjectedFault(Exception):
    """The error this driver raises at the chosen point."""


def say(*parts):
    print(*parts, flush=True)


def run_day(env):
    return fields.Date.context_today(env["dunning.run"])


# ------------------------------------------------------------------ fault injection


FAULT = {"point": None}  # the point of the database being run, None once the fault is disarmed
SEEN = Counter()


def install_fault(way, release):
    """Wrap the run's commit and batch methods so that ``way`` happens at ``FAULT["point"]`` in this process."""
    from odoo.addons.customer_aware_dunning.models.dunning_run import DunningRun

    def armed(kind):
        where, _sep, number = (FAULT["point"] or "none:0").partition(":")
        return where == kind and SEEN[kind.split("-")[-1]] == int(number)

    def fault(label):
        say(f"FAULT-POINT {label} {way}")
        if way == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif way == "raise":
            raise InjectedFault(label)
        elif way == "hold":
            while not os.path.exists(release):
                time.sleep(0.05)

    commit, batch = DunningRun._commit, DunningRun._follow_up_batch

    def _commit(self, processed=0):
        SEEN["commit"] += 1
        if armed("before-commit"):
            self.env.flush_all()
            fault(FAULT["point"])
        commit(self, processed)
        say(f"FAULT-POINT committed:{SEEN['commit']}")
        if armed("after-commit"):
            fault(FAULT["point"])

    def _follow_up_batch(self, *args, **kwargs):
        SEEN["batch"] += 1
        decisions = batch(self, *args, **kwargs)
        if armed("in-batch"):
            self.env.flush_all()
            fault(FAULT["point"])
        return decisions

    DunningRun._commit = _commit
    DunningRun._follow_up_batch = _follow_up_batch


def install_lock_idle_timeout(milliseconds, setting="idle_in_transaction_session_timeout"):
    """Open the company lock's connection with ``setting`` (an idle timeout) at ``milliseconds``: libpq reads
    ``PGOPTIONS`` when it connects, and only that connection is opened while it is set."""
    from odoo.addons.customer_aware_dunning.models.dunning_run_locks import DunningRunLocks

    company_run_lock = DunningRunLocks._company_run_lock

    @contextmanager
    def _company_run_lock(self, company, commit):
        lock = company_run_lock(self, company, commit)
        before = os.environ.get("PGOPTIONS")
        os.environ["PGOPTIONS"] = f"-c {setting}={milliseconds}"
        try:
            alone = lock.__enter__()
        finally:
            if before is None:
                del os.environ["PGOPTIONS"]
            else:
                os.environ["PGOPTIONS"] = before
        say(f"LOCK-IDLE-TIMEOUT {setting} {milliseconds}")
        try:
            yield alone
        except BaseException as error:
            if not lock.__exit__(type(error), error, error.__traceback__):
                raise
        else:
            lock.__exit__(None, None, None)

    DunningRunLocks._company_run_lock = _company_run_lock


def install_lock_probe():
    """Print when this process tried the company lock and whether it got it: ``LOCK taken <t0> <t1>`` (got at
    ``t0``, released at ``t1``) or ``LOCK refused <t0>``, in seconds since the epoch (one clock for every process)."""
    from odoo.addons.customer_aware_dunning.models.dunning_run_locks import DunningRunLocks

    company_run_lock = DunningRunLocks._company_run_lock

    @contextmanager
    def _company_run_lock(self, company, commit):
        with company_run_lock(self, company, commit) as alone:
            tried = time.time()
            try:
                yield alone
            finally:
                say(f"LOCK taken {tried:.6f} {time.time():.6f}" if alone else f"LOCK refused {tried:.6f}")

    DunningRunLocks._company_run_lock = _company_run_lock


# ------------------------------------------------------------------ actions


def setup(env, smtp_port):
    company = env.ref("base.main_company")
    set_mail_server(env, smtp_port)
    # wkhtmltopdf fetches the letters' styles from here: nothing listens on port 1, so it fails fast,
    # rather than waiting on whatever server this machine runs on web.base.url's port.
    env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:1")
    env["dunning.policy"]._ensure_default(company)
    segments = env["dunning.segment"]._for_company(company)
    today = run_day(env)
    manager = env.ref("base.user_admin")
    for name, segment, email, invoices in CUSTOMERS:
        partner = env["res.partner"].create({"name": name, "is_company": True, "email": email,
                                             "user_id": manager.id})
        partner.with_company(company).write({"dunning_segment_id": segments[segment].id})
        moves = env["account.move"].with_company(company).create([
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today - timedelta(days=days_late + 30),
                "invoice_date_due": today - timedelta(days=days_late),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": amount,
                                                     "tax_ids": []})],
            }
            for days_late, amount in invoices
        ])
        moves.action_post()
    say(json.dumps({"company": company.id, "today": str(today)}))


def company_run(env, entry):
    """The day's run for the main company, as the scheduled job (``cron``) or the "Run now" button does it;
    ``cron-all`` is the scheduled job's loop over every company."""
    company = env.ref("base.main_company")
    if entry == "run-now":
        admin = env.ref("base.user_admin")
        result = env["dunning.case"].with_user(admin).with_company(company).action_dunning_run_now()
        say("RUN-NOW", json.dumps(result["params"], default=str))
        return
    if entry == "cron-all":
        # The scheduled job itself, with small batches: a company's error stays in that company.
        env["dunning.run"]._cron_daily_run(batch_size=BATCH_SIZE)
        say("RUN-RESULT", "done")
        return
    run = env["dunning.run"].sudo().with_company(company)
    # _cron_daily_run's own call, with small batches so that the run has several of them.
    result = run._run_company(company, run_day(run.env), batch_size=BATCH_SIZE, commit=True)
    say("RUN-RESULT", "skipped" if result is None else "done")


def snapshot(env, names=None):
    """What the run left, keyed by customer name (ids and sequence numbers differ between databases), and problems;
    ``names``: the customers to look at (default: this driver's)."""
    company = env.ref("base.main_company")
    names = names or [name for name, *_rest in CUSTOMERS]
    partners = env["res.partner"].search([("name", "in", names)])
    cases = env["dunning.case"].search([("company_id", "=", company.id), ("partner_id", "in", partners.ids)],
                                       order="id")
    problems = []
    result = {}
    open_per_partner = Counter(case.partner_id.name for case in cases if case.state != "closed")
    problems += [f"{name}: {count} open cases" for name, count in open_per_partner.items() if count > 1]
    for case in cases:
        name = case.partner_id.name
        events = case.event_ids.sorted("id")
        steps = events.filtered("step_key")
        keys = Counter(steps.mapped("step_key"))
        problems += [f"{name}: step {key} recorded {count} times" for key, count in keys.items() if count > 1]
        per_step = Counter((event.journey, event.step_index) for event in steps)
        problems += [f"{name}: step {step} done {count} times" for step, count in per_step.items() if count > 1]
        kinds = Counter(events.mapped("kind"))
        if kinds["opened"] != 1:
            problems.append(f"{name}: {kinds['opened']} 'opened' events")
        customer_mails = env["mail.message"].search([
            ("model", "=", "dunning.case"), ("res_id", "=", case.id), ("message_type", "=", "comment"),
            ("partner_ids", "in", case.partner_id.ids),
        ])
        mails = env["mail.mail"].search([("mail_message_id", "in", customer_mails.ids),
                                         ("recipient_ids", "in", case.partner_id.ids)])
        email_steps = len(steps.filtered(lambda event: event.channel == "email")) if case.partner_id.email else 0
        if len(customer_mails) != email_steps:
            problems.append(f"{name}: {len(customer_mails)} emails for {email_steps} email step(s)")
        if len(mails) != len(customer_mails):
            problems.append(f"{name}: {len(mails)} mails to the customer for {len(customer_mails)} emails")
        if steps and (case.journey, case.current_step is not False) != (steps[-1].journey, True):
            problems.append(f"{name}: the case says {case.journey}/{case.current_step}, its last step event differs")
        notes = env["mail.message"].search_count([("model", "=", "dunning.case"), ("res_id", "=", case.id)])
        result.setdefault(name, []).append({
            "state": case.state,
            "journey": case.journey or None,
            "current_step": case.current_step or None,
            "next_action_date": str(case.next_action_date or ""),
            "pending_step_key": case.pending_step_key or None,
            "amount_overdue": case.amount_overdue,
            "invoices": sorted(case.invoice_ids.mapped("name")),
            "events": sorted(f"{event.kind}:{event.step_key or ''}" for event in events),
            "customer_emails": len(customer_mails),
            "mails": sorted(mails.mapped("state")),
            "chatter_lines": notes,
            "activities": sorted(case.activity_ids.mapped("summary")),
            "attachments": env["ir.attachment"].search_count([("res_model", "=", "dunning.case"),
                                                              ("res_id", "=", case.id)]),
        })
    return {"cases": result, "problems": problems}


def set_mail_server(env, port):
    """The outgoing mail server: on ``port`` of this machine (the test's SMTP sink, or a closed port)."""
    server = env["ir.mail_server"].search([("name", "=", "Fault test server")])
    values = {"name": "Fault test server", "smtp_host": "127.0.0.1", "smtp_port": port, "sequence": 1,
              "smtp_encryption": "none"}
    if server:
        server.write(values)
    else:
        env["ir.mail_server"].create(values)


def mail_queue(env, port):
    """Odoo's mail queue, as its scheduled job runs it, through the server on ``port``."""
    set_mail_server(env, port)
    env.cr.commit()
    env["mail.mail"].process_email_queue()


def print_snapshot(registry, database, label):
    with registry.cursor() as cr:
        state = snapshot(api.Environment(cr, api.SUPERUSER_ID, {}))
    say("SNAPSHOT", database, label, json.dumps(state, default=str))


def run_once(registry, entry):
    try:
        with registry.cursor() as cr:
            company_run(api.Environment(cr, api.SUPERUSER_ID, {}), entry)
    except InjectedFault as fault:
        say(f"FAULT-RAISED {fault}")  # the cursor rolled back what was not committed, as the cron's does


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("action", choices=["setup", "run", "snapshot", "mail-queue"])
    parser.add_argument("databases", nargs="+", metavar="DB[@POINT]")
    parser.add_argument("--fault", choices=["kill", "raise", "hold"])
    parser.add_argument("--release", metavar="FILE", help="with --fault hold: go on when this file exists")
    parser.add_argument("--start", metavar="FILE", help="wait for this file before running (a start barrier)")
    parser.add_argument("--again", action="store_true", help="after the run, run again without the fault")
    parser.add_argument("--snapshot-first", action="store_true")
    parser.add_argument("--entry", choices=["cron", "cron-all", "run-now"], default="cron")
    parser.add_argument("--smtp-port", type=int)
    parser.add_argument("--lock-idle-timeout", type=int, metavar="MS",
                        help="the company lock's connection gets this idle_in_transaction_session_timeout")
    parser.add_argument("--lock-idle-session-timeout", type=int, metavar="MS",
                        help="the company lock's connection gets this idle_session_timeout")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=info"], setup_logging=True)
    if args.fault:
        install_fault(args.fault, args.release)
    if args.start:
        install_lock_probe()
    if args.lock_idle_timeout:
        install_lock_idle_timeout(args.lock_idle_timeout)
    if args.lock_idle_session_timeout:
        install_lock_idle_timeout(args.lock_idle_session_timeout, "idle_session_timeout")
    for item in args.databases:
        database, _sep, point = item.partition("@")
        FAULT["point"] = point or None
        SEEN.clear()
        registry = Registry(database)
        if args.action == "setup":
            with registry.cursor() as cr:
                setup(api.Environment(cr, api.SUPERUSER_ID, {}), args.smtp_port)
            continue
        if args.snapshot_first:
            print_snapshot(registry, database, "before")
        if args.action == "mail-queue":
            with registry.cursor() as cr:
                mail_queue(api.Environment(cr, api.SUPERUSER_ID, {}), args.smtp_port)
        elif args.action == "run":
            if args.start:
                say("READY")
                while not os.path.exists(args.start):
                    time.sleep(0.02)
            run_once(registry, args.entry)
            if args.again:
                print_snapshot(registry, database, "partial")
                FAULT["point"] = None
                run_once(registry, args.entry)
        print_snapshot(registry, database, "final")


if __name__ == "__main__":
    sys.exit(main())
