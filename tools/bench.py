"""Benchmark the daily run side by side with OCA credit control and a raw SQL floor, on one database.

Usage (``make bench BENCH_SIZE=10k`` does this, after ``make bench-data``)::

    .dev/venv/bin/python tools/bench.py -c .dev/odoo.conf --template cad_bench_tpl_10k -d cad_bench_10k --size 10k

In one process, on a fresh copy of the template built by ``tools/bench_data.py``
(``CREATE DATABASE ... TEMPLATE ...``) and for the day the data was made for:

1. the floor: one SQL aggregate over the open receivable lines of the company;
2. ours: ``dunning.run._run_company`` as the cron calls it, split into phases
   (facts, segments and cases, decisions, actions recorded, messages rendered
   and queued) by timing the methods that make them, with SQL queries per phase
   and the process's peak memory;
3. OCA ``account_credit_control``: a credit control run computing its lines
   with a 3-level policy (made by the data step), then its communications by
   email for a sample of customers (each renders its template and a PDF
   summary, so the whole set would take hours).

Each measurement is rolled back before the next.  One table is printed and
``bench/results.json`` gets the figures under the size's key (other sizes kept),
with the ratios ours / OCA and ours / floor.  No test asserts on time.
"""

import argparse
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import bench_days  # noqa: E402  (tools/ is not a package)

DATE_PARAMETER = "customer_aware_dunning.bench_date"
# Phases of our run: the method that does each (its time and queries less those of the phases it calls).
PHASES = (
    ("facts", "dunning.partner.facts", "_refresh"),
    ("segments", "dunning.run", "_assign_segments"),
    ("cases", "dunning.case", "_sync_open_cases"),
    ("decisions", "dunning.run", "_decide_batch"),
    ("actions", "dunning.case", "_apply"),
    ("messages", "dunning.channel", "_send_routes"),
    ("messages: emails", "dunning.channel", "_send_emails"),
    ("messages: letters", "dunning.channel", "_send_letters"),
    ("messages: to-dos", "dunning.channel", "_schedule_activities"),
    ("after_close", "dunning.case", "_after_close"),
)
STEPS_QUERY = "SELECT count(*) FROM dunning_case_event WHERE company_id = %s AND step_key IS NOT NULL"
ACTIVITIES_QUERY = "SELECT count(*) FROM mail_activity WHERE res_model = 'dunning.case'"
# Issue 24's targets (benchmark figures, never timed tests).
TARGETS = {"first_run_10k_s": 15.0, "steady_day_s": 3.0, "peak_rss_mib": 500.0, "emails_per_s": 300.0,
           "speedup_vs_oca": 10.0, "decide_and_record_over_floor": 30.0}


def backend_cpu_s(cr):
    """CPU seconds the PostgreSQL backend of ``cr`` has used (same machine): the database's share of the work,
    which the load of other sessions does not inflate as it does wall time."""
    cr.execute(SQL("SELECT pg_backend_pid()"))
    try:
        with open(f"/proc/{cr.fetchone()[0]}/stat") as stat:
            fields_ = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")


def rss_peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Meter:
    """Times model methods as phases: each phase's own seconds and queries, nested phases subtracted."""

    def __init__(self, cr):
        self.cr = cr
        self.stack = []
        self.totals = {}

    def wrap(self, env, model, method, phase):
        cls = type(env[model])
        original = getattr(cls, method, None)
        if original is None:  # renamed since: the phase reads 0 and its time goes to the phase that calls it
            print(f"bench: {model}.{method} not found, phase {phase!r} not measured", file=sys.stderr)
            return lambda: None
        meter = self

        def timed(self, *args, **kwargs):
            frame = [time.perf_counter(), meter.cr.sql_log_count, 0.0, 0, time.process_time(), 0.0]
            meter.stack.append(frame)
            try:
                return original(self, *args, **kwargs)
            finally:
                meter.stack.pop()
                seconds = time.perf_counter() - frame[0]
                queries = meter.cr.sql_log_count - frame[1]
                cpu = time.process_time() - frame[4]
                total = meter.totals.setdefault(phase, {"s": 0.0, "queries": 0, "calls": 0, "cpu_s": 0.0})
                total["s"] += seconds - frame[2]
                total["queries"] += queries - frame[3]
                total["cpu_s"] += cpu - frame[5]
                total["calls"] += 1
                if meter.stack:
                    meter.stack[-1][2] += seconds
                    meter.stack[-1][3] += queries
                    meter.stack[-1][5] += cpu

        setattr(cls, method, timed)
        return lambda: setattr(cls, method, original)


def count(env, query, *args):
    env.cr.execute(SQL(query, *args))
    return env.cr.fetchone()[0]


def measure_floor(env, company, today):
    """The least any tool must do: read the open receivable lines of the company once, per customer."""
    query = SQL(
        """
        SELECT l.partner_id, count(*), sum(l.amount_residual), min(l.date_maturity),
               sum(l.amount_residual) FILTER (WHERE l.date_maturity < %s)
          FROM account_move_line l JOIN account_account a ON a.id = l.account_id
         WHERE l.company_id = %s AND a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
           AND NOT l.reconciled AND l.partner_id IS NOT NULL
         GROUP BY l.partner_id
        """, today, company.id,
    )
    env.cr.execute(query)  # once to warm PostgreSQL's buffers, as the others find them
    started = time.perf_counter()
    env.cr.execute(query)
    rows = env.cr.fetchall()
    return {"s": time.perf_counter() - started, "customers": len(rows), "queries": 1}


def measure_ours(env, company, today, batch_size, commit=False):
    meter = Meter(env.cr)
    restores = [meter.wrap(env, model, method, phase) for phase, model, method in PHASES]
    run = env["dunning.run"].with_company(company)
    mails_before = count(env, "SELECT count(*) FROM mail_mail")
    messages_before = count(env, "SELECT count(*) FROM mail_message")
    steps_before = count(env, STEPS_QUERY, company.id)
    activities_before = count(env, ACTIVITIES_QUERY)
    db_cpu_before = backend_cpu_s(env.cr)
    queries_before = env.cr.sql_log_count
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        opened, closed = run._run_company(company, today, batch_size=batch_size, commit=commit)
        env.flush_all()
    finally:
        for restore in restores:
            restore()
    total, cpu_total = time.perf_counter() - started, time.process_time() - cpu_started
    queries_total = env.cr.sql_log_count - queries_before
    db_cpu_after = backend_cpu_s(env.cr)
    phases = {phase: meter.totals.get(phase, {"s": 0.0, "queries": 0, "calls": 0, "cpu_s": 0.0})
              for phase, _m, _f in PHASES}
    accounted = sum(phase["s"] for phase in phases.values())
    phases["other"] = {"s": total - accounted, "calls": 1,
                       "cpu_s": cpu_total - sum(phase["cpu_s"] for phase in phases.values()), "queries": (
        queries_total - sum(phase["queries"] for phase in phases.values()))}
    events = dict(env.execute_query(SQL(
        "SELECT kind, count(*) FROM dunning_case_event WHERE company_id = %s GROUP BY kind", company.id)))
    result = {
        "commit": commit,
        "s": total,
        "cpu_s": cpu_total,
        # the backend's CPU; with --commit its connection is the same, so this holds for the committed run too
        "db_cpu_s": db_cpu_after - db_cpu_before if None not in (db_cpu_before, db_cpu_after) else None,
        "queries": queries_total,
        "phases": phases,
        "cases_opened": len(opened),
        "cases_closed": len(closed),
        "events": events,
        "steps": count(env, "SELECT count(*) FROM dunning_case_event WHERE company_id = %s AND step_key IS NOT NULL",
                       company.id),
        "steps_by_channel": dict(env.execute_query(SQL(
            "SELECT channel, count(*) FROM dunning_case_event WHERE company_id = %s AND step_key IS NOT NULL"
            " GROUP BY channel", company.id))),
        "steps_today": count(env, STEPS_QUERY, company.id) - steps_before,
        "activities": count(env, ACTIVITIES_QUERY),
        "activities_created": count(env, ACTIVITIES_QUERY) - activities_before,
        "emails_queued": count(env, "SELECT count(*) FROM mail_mail") - mails_before,
        "messages_posted": count(env, "SELECT count(*) FROM mail_message") - messages_before,
        "peak_rss_mib": rss_peak_mib(),
    }
    result["decide_and_record_s"] = phases["decisions"]["s"] + phases["actions"]["s"]
    # A message is one step carried out on its channel (an email rendered and queued, a letter, a To-Do).
    sending = sum(values["s"] for phase, values in phases.items() if phase.startswith("messages"))
    result["messages_s"] = sending
    result["messages_per_s"] = result["steps"] / sending if sending else None
    emails = result["steps_by_channel"].get("email", 0)
    result["emails_per_s"] = emails / phases["messages: emails"]["s"] if emails else None
    return result


def measure_oca(env, company, today, sample):
    """OCA's credit control run for the same day, then its emails for the first ``sample`` customers."""
    policy = company.credit_policy_id
    run = env["credit.control.run"].with_company(company).create(
        {"date": today, "company_id": company.id, "policy_ids": [(6, 0, policy.ids)]}
    )
    queries_before = env.cr.sql_log_count
    db_cpu_before = backend_cpu_s(env.cr)
    started, cpu_started = time.perf_counter(), time.process_time()
    run.generate_credit_lines()
    env.flush_all()
    lines_s = time.perf_counter() - started
    db_cpu_after = backend_cpu_s(env.cr)
    result = {
        "lines_s": lines_s,
        # CPU as ours is measured: on a machine shared with other sessions wall time mostly measures their load
        "lines_cpu_s": time.process_time() - cpu_started,
        "lines_db_cpu_s": db_cpu_after - db_cpu_before if None not in (db_cpu_before, db_cpu_after) else None,
        "lines_queries": env.cr.sql_log_count - queries_before,
        "lines": len(run.line_ids),
        "customers": len(run.line_ids.partner_id),
        "peak_rss_mib": rss_peak_mib(),
    }
    email_lines = run.line_ids.filtered(lambda line: line.channel == "email")
    partners = email_lines.partner_id.sorted("id")[:sample]
    chosen = email_lines.filtered(lambda line: line.partner_id in partners)
    if not chosen:
        return result
    queries_before = env.cr.sql_log_count
    mails_before = count(env, "SELECT count(*) FROM mail_mail")
    started = time.perf_counter()
    chosen.write({"state": "to_be_sent"})
    emailer = env["credit.control.emailer"].create({"line_ids": [(6, 0, chosen.ids)]})
    communications = emailer._send_emails()
    env.flush_all()
    seconds = time.perf_counter() - started
    result.update({
        "communications_sample": len(communications),
        "communications_s": seconds,
        "communications_queries": env.cr.sql_log_count - queries_before,
        "communications_emails": count(env, "SELECT count(*) FROM mail_mail") - mails_before,
        "messages_per_s": len(communications) / seconds if seconds else None,
        "peak_rss_mib": rss_peak_mib(),
    })
    return result


def vacuum(database):
    """``VACUUM ANALYZE`` of ``database``: a rolled-back run leaves its rows behind as dead tuples, which would slow
    the run measured after it."""
    with sql_db.db_connect(database).cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("VACUUM ANALYZE"))


def install_poison(env, partner_ids):
    """A trigger (in this transaction, gone with its rollback) refusing the step events of ``partner_ids``."""
    env.cr.execute(SQL(
        """CREATE FUNCTION pg_temp.bench_poison() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
               IF NEW.kind = 'step'
                  AND (SELECT partner_id FROM dunning_case WHERE id = NEW.case_id) = ANY(%s::int[]) THEN
                   RAISE EXCEPTION 'bench poison';
               END IF;
               RETURN NEW;
           END $$;
           CREATE TRIGGER bench_poison BEFORE INSERT ON dunning_case_event
               FOR EACH ROW EXECUTE FUNCTION pg_temp.bench_poison()""", partner_ids))


def measure_poison(env, company, today, batch_size, percent, profile=None):
    """Our run clean, then with ``percent`` % of the customers poisoned, on the same data: every other customer
    must get the same steps, and the time and the queries are compared.

    ``profile``: a path; the poisoned runs are profiled (cProfile) to ``<profile>.day1`` and ``<profile>.day2``.

    The poison is a real database error, as in ``test_run_isolation.py``: a
    trigger refuses the step of every chosen customer, so its batch fails and
    is done again customer by customer. The clean runs have the same trigger,
    refusing nobody, so that only the poison differs. Both runs are rolled back,
    and the database vacuumed before each.
    """
    customers = [partner_id for partner_id, in env.execute_query(SQL(
        """SELECT DISTINCT commercial_partner_id FROM account_move WHERE company_id = %s AND move_type = 'out_invoice'
              AND state = 'posted' AND amount_residual > 0 ORDER BY 1""", company.id))]
    every = max(round(100 / percent), 1)
    poisoned = customers[every // 2::every]
    steps_query = SQL("""SELECT partner_id, count(*) FROM dunning_case_event
                          WHERE company_id = %s AND step_key IS NOT NULL GROUP BY partner_id""", company.id)
    next_day = today + timedelta(days=1)
    env.cr.rollback()
    vacuum(env.cr.dbname)
    install_poison(env, [])  # the clean runs pay the trigger too, refusing nobody: only the poison differs
    clean = measure_ours(env, company, today, batch_size)
    clean_steps = dict(env.execute_query(steps_query))
    clean_next = measure_ours(env, company, next_day, batch_size)
    env.cr.rollback()
    vacuum(env.cr.dbname)  # the same start as the clean runs: not their dead rows on top
    install_poison(env, poisoned)
    poison = profiled(profile and f"{profile}.day1", measure_ours, env, company, today, batch_size)
    poison_steps = dict(env.execute_query(steps_query))
    isolated = count(env, "SELECT count(*) FROM dunning_case WHERE company_id = %s AND needs_attention", company.id)
    told = count(env, "SELECT count(*) FROM dunning_case_event WHERE company_id = %s AND kind = 'run_failed'",
                 company.id)
    poison_next = profiled(profile and f"{profile}.day2", measure_ours, env, company, next_day, batch_size)
    isolated_next = count(env, "SELECT count(*) FROM dunning_case WHERE company_id = %s AND needs_attention",
                          company.id)
    told_next = count(env, "SELECT count(*) FROM dunning_case_event WHERE company_id = %s AND kind = 'run_failed'",
                      company.id)
    env.cr.rollback()
    expected = {partner: steps for partner, steps in clean_steps.items() if partner not in set(poisoned)}
    return {
        "percent": percent,
        "customers": len(customers),
        "poisoned": len(poisoned),
        "isolated": isolated,
        "clean_s": clean["s"],
        "poison_s": poison["s"],
        "time_ratio": poison["s"] / clean["s"],
        "next_day_clean_s": clean_next["s"],
        "next_day_poison_s": poison_next["s"],
        "next_day_time_ratio": poison_next["s"] / clean_next["s"],
        # CPU seconds of this process and of its PostgreSQL backend: the other sessions' load inflates wall time
        "clean_cpu_s": clean["cpu_s"] + (clean["db_cpu_s"] or 0),
        "poison_cpu_s": poison["cpu_s"] + (poison["db_cpu_s"] or 0),
        "cpu_ratio": (poison["cpu_s"] + (poison["db_cpu_s"] or 0)) / (clean["cpu_s"] + (clean["db_cpu_s"] or 0)),
        "next_day_clean_cpu_s": clean_next["cpu_s"] + (clean_next["db_cpu_s"] or 0),
        "next_day_poison_cpu_s": poison_next["cpu_s"] + (poison_next["db_cpu_s"] or 0),
        "next_day_cpu_ratio": (poison_next["cpu_s"] + (poison_next["db_cpu_s"] or 0))
        / (clean_next["cpu_s"] + (clean_next["db_cpu_s"] or 0)),
        # SQL statements: unlike time, the same on a loaded machine and an idle one
        "clean_queries": clean["queries"],
        "poison_queries": poison["queries"],
        "queries_ratio": poison["queries"] / clean["queries"],
        "next_day_clean_queries": clean_next["queries"],
        "next_day_poison_queries": poison_next["queries"],
        "next_day_queries_ratio": poison_next["queries"] / clean_next["queries"],
        "isolated_next_day": isolated_next,
        "told_first_day": told,
        "told_again_next_day": told_next - told,
        "clean_steps": clean["steps"],
        "poison_steps": poison["steps"],
        "others_followed_up": poison_steps == expected,
        "others_missing_steps": sum(max(steps - poison_steps.get(partner, 0), 0)
                                    for partner, steps in expected.items()),
        "machine": machine(),
    }


def profiled(path, function, *args):
    """``function(*args)``, profiled (cProfile) to ``path`` when there is one."""
    if not path:
        return function(*args)
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        return function(*args)
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def copy_template(template, database, jit=True):
    """A fresh database from the template, in seconds, with a copy of its filestore (as Odoo's duplicate does);
    ``jit=False``: PostgreSQL's JIT off for every session of the copy (``ALTER DATABASE ... SET jit = off``)."""
    started = time.perf_counter()
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(database)))
        cr.execute(SQL("CREATE DATABASE %s TEMPLATE %s", SQL.identifier(database), SQL.identifier(template)))
        if not jit:
            cr.execute(SQL("ALTER DATABASE %s SET jit = off", SQL.identifier(database)))
    shutil.rmtree(config.filestore(database), ignore_errors=True)
    if os.path.isdir(config.filestore(template)):
        shutil.copytree(config.filestore(template), config.filestore(database))
    return time.perf_counter() - started


def data_summary(env, company, today):
    return {
        "customers": count(env, "SELECT count(*) FROM res_partner WHERE name LIKE 'Bench customer %%'"),
        "companies": count(env, "SELECT count(*) FROM res_company"),
        "open_invoices": count(env, """
            SELECT count(*) FROM account_move WHERE company_id = %s AND move_type = 'out_invoice'
               AND state = 'posted' AND amount_residual > 0""", company.id),
        "overdue_invoices": count(env, """
            SELECT count(*) FROM account_move WHERE company_id = %s AND move_type = 'out_invoice'
               AND state = 'posted' AND amount_residual > 0 AND invoice_date_due < %s""", company.id, today),
        "customers_with_open_invoices": count(env, """
            SELECT count(DISTINCT commercial_partner_id) FROM account_move WHERE company_id = %s
               AND move_type = 'out_invoice' AND state = 'posted' AND amount_residual > 0""", company.id),
        "moves": count(env, "SELECT count(*) FROM account_move"),
        "move_lines": count(env, "SELECT count(*) FROM account_move_line"),
        "partials": count(env, "SELECT count(*) FROM account_partial_reconcile"),
    }


def machine():
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "load_1_5_15": [round(value, 2) for value in load],
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}


def ratios(result):
    ours, oca, floor = result["ours"], result["oca"], result["floor"]
    decide = ours["decide_and_record_s"]
    return {
        "ours_total_over_oca_lines": ours["s"] / oca["lines_s"],
        "oca_lines_over_ours_decide_and_record": oca["lines_s"] / decide if decide else None,
        "ours_total_over_floor": ours["s"] / floor["s"],
        "ours_decide_and_record_over_floor": decide / floor["s"],
        "oca_lines_over_floor": oca["lines_s"] / floor["s"],
        # the same in Odoo CPU seconds (ours: the decisions and actions phases; OCA: its lines), load-proof
        "oca_lines_over_ours_decide_and_record_cpu": (
            oca["lines_cpu_s"] / (ours["phases"]["decisions"]["cpu_s"] + ours["phases"]["actions"]["cpu_s"])
            if oca.get("lines_cpu_s") else None),
        "ours_messages_per_s_over_oca": (ours["messages_per_s"] / oca["messages_per_s"]
                                         if ours.get("messages_per_s") and oca.get("messages_per_s") else None),
    }


def verdicts(result):
    ours, days = result["ours"], result.get("days")
    verdict = {
        "peak_memory_at_most_500_mib": ours["peak_rss_mib"] <= TARGETS["peak_rss_mib"],
        "emails_at_least_300_per_s": (ours["emails_per_s"] or 0) >= TARGETS["emails_per_s"],
        "at_least_10x_faster_than_oca_lines": (result["ratios"]["oca_lines_over_ours_decide_and_record"] or 0)
        >= TARGETS["speedup_vs_oca"],
        "decide_and_record_at_most_30x_floor": result["ratios"]["ours_decide_and_record_over_floor"]
        <= TARGETS["decide_and_record_over_floor"],
    }
    if result["data"]["customers"] >= 10_000:
        verdict["first_run_within_15s_at_10k"] = ours["s"] <= TARGETS["first_run_10k_s"]
    if days and days.get("steady_day_median_s") is not None:
        verdict["steady_day_within_3s"] = days["steady_day_median_s"] <= TARGETS["steady_day_s"]
        verdict["peak_memory_of_the_days_at_most_500_mib"] = (
            max(day["peak_rss_mib"] for day in days["days"]) <= TARGETS["peak_rss_mib"])
    return verdict


def scaling(sizes):
    """Time growth over data growth between each pair of measured sizes (target: 5x data, at most 6x time)."""
    measured = sorted(((value["data"]["customers"], key, value) for key, value in sizes.items()), key=lambda x: x[0])
    pairs = {}
    for (small_n, small_key, small), (big_n, big_key, big) in itertools.pairwise(measured):
        data = big_n / small_n
        time_ratio = big["ours"]["s"] / small["ours"]["s"]
        cpu_ratio = ((big["ours"]["cpu_s"] + (big["ours"].get("db_cpu_s") or 0))
                     / (small["ours"]["cpu_s"] + (small["ours"].get("db_cpu_s") or 0)))
        pairs[f"{small_key}->{big_key}"] = {
            "data_x": round(data, 2), "time_x": round(time_ratio, 2), "cpu_x": round(cpu_ratio, 2),
            "time_per_data": round(time_ratio / data, 3), "within_target": time_ratio / data <= 6 / 5,
        }
    return pairs


def print_ours(result):
    for phase, values in result["ours"]["phases"].items():
        print(f"{'ours: ' + phase:<44} {values['s']:>9.2f} {values['queries']:>9} {values['calls']:>6}"
              f" {values['cpu_s']:>7.2f}")
    print(f"{'ours: whole daily run':<44} {result['ours']['s']:>9.2f} {result['ours']['queries']:>9}; "
          f"cpu {result['ours']['cpu_s']:.2f} s + db {result['ours']['db_cpu_s'] or 0:.2f} s; "
          f"peak RSS {result['ours']['peak_rss_mib']:.0f} MiB; load {result['machine']['load_1_5_15']}")
    print(f"ours: {result['ours']['steps']} steps {result['ours']['steps_by_channel']}, "
          f"{result['ours']['emails_per_s'] or 0:.1f} emails/s rendered and queued "
          f"({result['ours']['phases']['messages: emails']['cpu_s']:.2f} s CPU)")


def print_table(size, result):
    ours, oca, floor = result["ours"], result["oca"], result["floor"]
    data = result["data"]
    print()
    print(f"Benchmark {size}: {data['customers']} customers, {data['open_invoices']} open invoices "
          f"({data['overdue_invoices']} overdue) of {data['customers_with_open_invoices']} customers in "
          f"company 1, {data['move_lines']} move lines; day {result['date']}; load {result['machine']['load_1_5_15']}")
    print(f"{'measure':<44} {'seconds':>9} {'queries':>9} {'calls':>6} {'cpu s':>7}")
    print(f"{'floor: SQL aggregate of open receivables':<44} {floor['s']:>9.3f} {floor['queries']:>9} {1:>6}")
    for phase, values in ours["phases"].items():
        print(f"{'ours: ' + phase:<44} {values['s']:>9.2f} {values['queries']:>9} {values['calls']:>6}"
              f" {values['cpu_s']:>7.2f}")
    print(f"{'ours: whole daily run':<44} {ours['s']:>9.2f} {ours['queries']:>9} {'':>6} {ours['cpu_s']:>7.2f}"
          f"  (+ PostgreSQL backend {ours['db_cpu_s'] or 0:.2f} s CPU)")
    print(f"{'ours: decisions + actions recorded':<44} {ours['decide_and_record_s']:>9.2f}")
    print(f"{'OCA: credit control lines':<44} {oca['lines_s']:>9.2f} {oca['lines_queries']:>9}")
    if "communications_s" in oca:
        label = f"OCA: emails for {oca['communications_sample']} customers"
        print(f"{label:<44} {oca['communications_s']:>9.2f} {oca['communications_queries']:>9}")
    print()
    print(f"ours: {ours['cases_opened']} cases opened, {ours['steps']} steps {ours['steps_by_channel']}, "
          f"{ours['activities']} activities, {ours['emails_queued']} emails queued (with activity notices), "
          f"{ours['messages_posted']} chatter messages, {ours['messages_per_s'] or 0:.1f} steps/s sent "
          f"({ours['emails_per_s'] or 0:.1f} emails/s rendered and queued), "
          f"peak RSS {ours['peak_rss_mib']:.0f} MiB")
    print(f"OCA:  {oca['lines']} lines for {oca['customers']} customers"
          + (f", {oca['messages_per_s']:.1f} emails/s" if oca.get("messages_per_s") else "")
          + f", peak RSS after it {oca['peak_rss_mib']:.0f} MiB")
    for name, value in result["ratios"].items():
        print(f"{name:<44} {value:>9.2f}" if value is not None else f"{name:<44} {'-':>9}")
    for name, value in result["targets"].items():
        print(f"target {name:<37} {'met' if value else 'MISSED':>9}")


def run_days(args, today):
    """The first run and ``args.days`` simulated days on a new copy of the template (tools/bench_days.py)."""
    copy_template(args.template, args.database, jit=not args.no_jit)
    registry = Registry(args.database)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": [company.id]})
            profile = (args.profile_day, args.profile) if args.profile and args.profile_day is not None else None
            days = bench_days.measure_days(env, company, today, args.days, args.seed, args.batch_size, measure_ours,
                                           profile)
            days["machine_after"] = machine()
    finally:
        Registry.delete(args.database)
        sql_db.close_db(args.database)
    print(f"days: first run {days['first_run_s']:.2f} s; median steady day {days['steady_day_median_s']:.2f} s, "
          f"{days['steady_day_median_cpu_s']:.2f} s CPU (Odoo + PostgreSQL) "
          f"(max {days['steady_day_max_s']:.2f} s over {days['steady_days']} days)")
    return days


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--template", required=True, help="the database tools/bench_data.py built")
    parser.add_argument("-d", "--database", required=True, help="the copy to measure on (dropped first)")
    parser.add_argument("--size", default="10k", help="the key of the figures in the results file")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--oca-sample", type=int, default=20, help="customers OCA sends emails to (0: none)")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--profile", help="write a cProfile of our run to this file")
    parser.add_argument("--profile-day", type=int, help=(
        "with --days and --profile: profile that day of the simulation (2: the first steady day) instead of the "
        "first run"))
    parser.add_argument("--no-oca", action="store_true", help="skip OCA's run (quick rounds while profiling)")
    parser.add_argument("--days", type=int, default=0, help=(
        "then, on a new copy: the first run and this many simulated days after it (customers paying, answering, "
        "promising, disputing), each run committed as the cron does (make bench: 30)"))
    parser.add_argument("--only-days", action="store_true", help=(
        "with --days: only the day simulation (no separate first run, OCA or floor; results file untouched)"))
    parser.add_argument("--record-ours", action="store_true", help=(
        "with --no-oca: still write our figures to the results file, under 'ours_only' (sizes where OCA's run "
        "takes too long to measure beside ours)"))
    parser.add_argument("--no-jit", action="store_true", help=(
        "PostgreSQL's JIT off on the copy (ALTER DATABASE ... SET jit = off), to compare with its default (on)"))
    parser.add_argument("--seed", type=int, default=24, help="the seed of the simulated days")
    parser.add_argument("--commit", action="store_true", help=(
        "commit each batch of our run as the cron does (the copy keeps our cases); without it the batches end at "
        "savepoints in one transaction, which holds one advisory lock per customer until the end"))
    parser.add_argument("--poison", type=float, metavar="PERCENT", help=(
        "only our run, clean and then with this share of the customers failing (a database trigger refuses their "
        "steps): the others' steps and the two times go to the results file under 'poison'"))
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    copy_s = copy_template(args.template, args.database, jit=not args.no_jit)
    registry = Registry(args.database)
    if args.poison:
        return poison_main(args, registry)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        today = date.fromisoformat(env["ir.config_parameter"].get_param(DATE_PARAMETER))
        company = env.ref("base.main_company")
        env = env(context={"allowed_company_ids": [company.id]})
        result = {"date": today.isoformat(), "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "machine": machine(), "copy_template_s": copy_s, "data": data_summary(env, company, today),
                  "rss_before_mib": rss_peak_mib()}
        if args.only_days:
            cr.rollback()
    if args.only_days:
        Registry.delete(args.database)
        sql_db.close_db(args.database)
        run_days(args, today)
        print("--only-days: results file left as it was")
        sys.exit(0)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        env = env(context={"allowed_company_ids": [company.id]})
        result["floor"] = measure_floor(env, company, today)
        if args.profile and args.profile_day is None:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        result["ours"] = measure_ours(env, company, today, args.batch_size, args.commit)
        if args.profile and args.profile_day is None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        cr.rollback()
        if not args.no_oca:
            result["oca"] = measure_oca(env, company, today, args.oca_sample)
            cr.rollback()
    Registry.delete(args.database)
    sql_db.close_db(args.database)
    if args.no_oca:
        print_ours(result)
        sys.stdout.flush()
    if args.days:
        result["days"] = run_days(args, today)
    if args.no_oca:
        if args.record_ours:
            result["machine_after"] = machine()
            path = Path(args.results)
            stored = json.loads(path.read_text()) if path.exists() else {}
            stored.setdefault("ours_only", {})[args.size] = result
            path.write_text(json.dumps(stored, indent=2, sort_keys=True, default=str) + "\n")
            print(f"--no-oca --record-ours: our figures written to {path} under ours_only.{args.size}")
        else:
            print("--no-oca: no comparison, results file left as it was")
        sys.exit(0)
    result["ratios"] = ratios(result)
    result["targets"] = verdicts(result)
    print_table(args.size, result)
    path = Path(args.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored.setdefault("sizes", {})[args.size] = result
    stored["targets"] = TARGETS
    stored["scaling"] = scaling(stored["sizes"])
    path.write_text(json.dumps(stored, indent=2, sort_keys=True, default=str) + "\n")
    for pair, values in stored["scaling"].items():
        print(f"scaling {pair}: {values['data_x']}x data, {values['time_x']}x time "
              f"({'within' if values['within_target'] else 'OVER'} the 6x-for-5x target)")
    print(f"figures written to {path}")
    sys.exit(0)


def poison_main(args, registry):
    """``--poison``: the clean and the poisoned run side by side, printed and stored under ``poison``."""
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        today = date.fromisoformat(env["ir.config_parameter"].get_param(DATE_PARAMETER))
        company = env.ref("base.main_company")
        env = env(context={"allowed_company_ids": [company.id]})
        result = measure_poison(env, company, today, args.batch_size, args.poison, args.profile)
    Registry.delete(args.database)
    sql_db.close_db(args.database)
    result["date"] = today.isoformat()
    print(f"Poison bench {args.size}: {result['poisoned']} of {result['customers']} customers poisoned "
          f"({result['percent']}%), {result['isolated']} isolated; load {result['machine']['load_1_5_15']}")
    print(f"clean run    {result['clean_s']:>9.2f} s  {result['clean_cpu_s']:>8.2f} CPU s  "
          f"{result['clean_steps']} steps, {result['clean_queries']} queries")
    print(f"poisoned run {result['poison_s']:>9.2f} s  {result['poison_cpu_s']:>8.2f} CPU s  "
          f"{result['poison_steps']} steps, {result['poison_queries']} queries ({result['time_ratio']:.2f}x the clean "
          f"run, CPU {result['cpu_ratio']:.2f}x, queries {result['queries_ratio']:.2f}x)")
    print(f"next day: clean {result['next_day_clean_s']:.2f} s ({result['next_day_clean_cpu_s']:.2f} CPU s), "
          f"poisoned {result['next_day_poison_s']:.2f} s ({result['next_day_poison_cpu_s']:.2f} CPU s): "
          f"{result['next_day_time_ratio']:.2f}x, CPU {result['next_day_cpu_ratio']:.2f}x, queries "
          f"{result['next_day_poison_queries']} / {result['next_day_clean_queries']} "
          f"({result['next_day_queries_ratio']:.2f}x); "
          f"{result['isolated_next_day']} isolated; {result['told_first_day']} case(s) told on the first day, "
          f"{result['told_again_next_day']} told again the next day")
    print(f"every other customer followed up as in the clean run: {result['others_followed_up']} "
          f"({result['others_missing_steps']} step(s) missing)")
    path = Path(args.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored.setdefault("poison", {})[args.size] = result
    path.write_text(json.dumps(stored, indent=2, sort_keys=True, default=str) + "\n")
    print(f"figures written to {path}")
    sys.exit(0)


if __name__ == "__main__":
    main()
