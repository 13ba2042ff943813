"""Measure the daily run: SQL queries and seconds for N customers, all due a step the same day.

Usage (the Makefile's ``make bench-run`` does this)::

    .dev/venv/bin/python tools/bench_daily_run.py -c .dev/odoo.conf -d cad_bench 100 1000

For each size it builds N customers with two overdue invoices each (through the
ORM, in one transaction), runs ``dunning.run._run_company`` for the day their
first reminder is due, prints the figures, and rolls everything back, so the
database is left as it was. The figures go in the closing notes; no test
asserts on time.
"""

import argparse
import time
from datetime import date, timedelta

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import config

DUE = date(2026, 6, 1)
LINE = {"name": "Consulting", "quantity": 1, "price_unit": 400.0, "tax_ids": []}


def build_customers(env, company, count):
    partners = env["res.partner"].create([
        {"name": f"Bench customer {n:05d}", "is_company": True, "email": f"ap{n}@bench.example"}
        for n in range(count)
    ])
    moves = env["account.move"].with_company(company).create([
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": DUE - timedelta(days=30 + offset),
            "invoice_date_due": DUE - timedelta(days=offset),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create(LINE)],
        }
        for partner in partners
        for offset in (0, 3)
    ])
    moves.action_post()
    env.flush_all()
    return partners


def measure(env, company, count):
    savepoint = env.cr.savepoint()
    try:
        started = time.perf_counter()
        build_customers(env, company, count)
        built = time.perf_counter() - started
        run = env["dunning.run"].with_company(company)
        today = DUE + timedelta(days=5)  # the standard journey's gentle reminder
        queries_before = env.cr.sql_log_count
        started = time.perf_counter()
        run._run_company(company, today)
        env.flush_all()
        seconds = time.perf_counter() - started
        queries = env.cr.sql_log_count - queries_before
        steps = env["dunning.case.event"].search_count([("step_key", "!=", False), ("company_id", "=", company.id)])
        mails = env["mail.mail"].search_count([])
    finally:
        savepoint.close(rollback=True)
    return {"customers": count, "build_s": built, "run_s": seconds, "queries": queries, "steps": steps,
            "queued_mails": mails}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env.company
        print(f"{'customers':>9} {'build s':>8} {'run s':>7} {'queries':>8} {'queries/customer':>17} "
              f"{'steps':>6} {'mails':>6}")
        for size in args.sizes:
            row = measure(env, company, size)
            print(f"{row['customers']:>9} {row['build_s']:>8.1f} {row['run_s']:>7.1f} {row['queries']:>8} "
                  f"{row['queries'] / size:>17.1f} {row['steps']:>6} {row['queued_mails']:>6}")
        cr.rollback()


if __name__ == "__main__":
    main()
