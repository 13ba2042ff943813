"""The days after the first run: a seeded month of customers paying, answering, promising and disputing.

``tools/bench.py --days N`` calls :func:`measure_days` on a fresh copy of the
benchmark template: day 0 is the first daily run (every customer is new), then
for each of the ``N`` following days, before that day's run:

* a share of the customers with an open case pay: the oldest open invoice in
  full (``pay_full``) or half of it (``pay_partial``), as bank entries created,
  posted and reconciled with the invoice by the ORM in one batch per day;
* a share answer on the portal (``_portal_answer``, the path the
  customer's form takes): a delay reason (cash flow, waiting for an order,
  forgot), a promise to pay within two weeks, or a dispute.

Which customers do what comes from ``random.Random(seed + day)`` over the open
cases in id order, so the same template and seed give the same days.  Each
day's run is the cron's (``commit=True``: every batch committed) and is measured
like the first one (phases, queries, peak and current memory).  The headline
is the median of the steady days (day 2 on: day 1 still closes what the
template left).
"""

import random
import statistics
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.tools import SQL

# Share of the customers with an open case that do each thing on a day (disjoint draws).
SHARES = {"pay_full": 0.02, "pay_partial": 0.01, "answer": 0.005, "promise": 0.005, "dispute": 0.002}
ANSWER_REASONS = ("cash_flow", "waiting_po", "forgot")


def current_rss_mib():
    """The process's resident memory now (``ru_maxrss`` only ever grows)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / (1024 * 1024)


def _oldest_open_invoices(env, company, partner_ids):
    """``{partner id: (invoice id, receivable line id, residual)}``: each customer's oldest open invoice."""
    rows = env.execute_query(SQL(
        """
        SELECT DISTINCT ON (m.commercial_partner_id) m.commercial_partner_id, m.id, l.id, l.amount_residual
          FROM account_move m
          JOIN account_move_line l ON l.move_id = m.id
          JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
         WHERE m.company_id = %s AND m.move_type = 'out_invoice' AND m.state = 'posted'
           AND m.amount_residual > 0 AND NOT l.reconciled AND m.commercial_partner_id = ANY(%s)
         ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
        """, company.id, list(partner_ids),
    ))
    return {partner: (move, line, residual) for partner, move, line, residual in rows}


def pay(env, company, day, payments):
    """Bank entries for ``payments`` (``{partner id: share of the oldest invoice}``), reconciled in one plan."""
    if not payments:
        return 0
    oldest = _oldest_open_invoices(env, company, payments)
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    Line = env["account.move.line"]
    planned = [(partner, *oldest[partner]) for partner in sorted(payments) if partner in oldest]
    moves = env["account.move"].with_company(company).create([
        {
            "move_type": "entry", "journal_id": bank.id, "date": day, "ref": f"Bench payment {partner} {day}",
            "line_ids": [
                Command.create({"account_id": bank.default_account_id.id, "debit": amount, "name": "Payment"}),
                Command.create({"account_id": Line.browse(line).account_id.id, "partner_id": partner,
                                "credit": amount, "name": "Payment"}),
            ],
        }
        for partner, _move, line, residual in planned
        for amount in [company.currency_id.round(residual * payments[partner])]
    ])
    moves.action_post()
    counterparts = {
        move.id: move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        for move in moves
    }
    plan = [Line.browse(line) | counterparts[move.id] for move, (_p, _m, line, _r) in zip(moves, planned, strict=True)]
    Line._reconcile_plan(plan)
    return len(planned)


def answer(env, cases, kind, day, rng):
    """The customers of ``cases`` answer on the portal; returns how many answers were recorded."""
    now = fields.Datetime.to_datetime(day) + timedelta(hours=9)
    done = 0
    for case in cases:
        if kind == "promise":
            values = {"promise_date": day + timedelta(days=rng.randint(3, 14))}
        else:
            values = {"reason": "dispute" if kind == "dispute" else rng.choice(ANSWER_REASONS)}
        problem = case._portal_answer("promise" if kind == "promise" else "reason", values, day, now)
        done += not problem
    return done


def customers_act(env, company, day, seed):
    """What the customers do on ``day`` before the run: ``{action: count}`` (seeded, reproducible)."""
    rng = random.Random(seed + day.toordinal())
    cases = env["dunning.case"].sudo().search(
        [("company_id", "=", company.id), ("state", "!=", "closed")], order="id")
    ids = cases.ids
    rng.shuffle(ids)
    picked, start = {}, 0
    for action, share in SHARES.items():
        size = round(len(ids) * share)
        picked[action] = cases.browse(ids[start:start + size])
        start += size
    payments = {case.partner_id.id: 1.0 for case in picked["pay_full"]}
    payments.update({case.partner_id.id: 0.5 for case in picked["pay_partial"]})
    done = {"payments": pay(env, company, day, payments)}
    for kind in ("answer", "promise", "dispute"):
        done[kind] = answer(env, picked[kind].with_context(lang="en_US"), kind, day, rng)
    env.flush_all()
    env.cr.commit()
    env.invalidate_all()
    return done


def measure_days(env, company, first_day, days, seed, batch_size, measure_ours, profile=None):
    """Day 0 (the first run) and ``days`` simulated days after it, each run committed as the cron does.

    ``profile`` is ``(day, path)``: a cProfile of that day's run (not of the customers' actions) goes to ``path``.
    """
    results = []
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        started = time.perf_counter()
        acted = customers_act(env, company, day, seed) if offset else {}
        acted_s = time.perf_counter() - started
        profiler = None
        if profile and profile[0] == offset:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        ours = measure_ours(env, company, day, batch_size, commit=True)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile[1])
        env.cr.commit()
        env.invalidate_all()
        entry = {
            "day": offset, "date": day.isoformat(), "customers_acted": acted, "customers_act_s": acted_s,
            "s": ours["s"], "cpu_s": ours["cpu_s"], "db_cpu_s": ours["db_cpu_s"], "queries": ours["queries"],
            "steps": ours["steps_today"],
            "emails_queued": ours["emails_queued"], "activities_created": ours["activities_created"],
            "cases_opened": ours["cases_opened"], "cases_closed": ours["cases_closed"],
            "phases": {name: round(values["s"], 3) for name, values in ours["phases"].items()},
            "phases_cpu_s": {name: round(values["cpu_s"], 3) for name, values in ours["phases"].items()},
            "emails_per_s": ours["emails_per_s"],
            "peak_rss_mib": ours["peak_rss_mib"], "rss_after_mib": current_rss_mib(),
        }
        results.append(entry)
        print(f"day {offset:>2} {day}: {entry['s']:7.2f} s "
              f"(cpu {entry['cpu_s']:.1f} s + db {entry['db_cpu_s'] or 0:.1f} s), "
              f"{entry['queries']:>6} queries, "
              f"{entry['steps']:>5} steps, {entry['emails_queued']:>4} emails, "
              f"{entry['cases_opened']:>5} opened, {entry['cases_closed']:>4} closed, customers {acted}, "
              f"RSS {entry['rss_after_mib']:.0f} MiB (peak {entry['peak_rss_mib']:.0f}); "
              f"emails {entry['emails_per_s'] or 0:.1f}/s ({entry['phases_cpu_s']['messages: emails']:.2f} s CPU)",
              flush=True)
    steady = [entry["s"] for entry in results[2:]] or [entry["s"] for entry in results[1:]]
    steady_cpu = [entry["cpu_s"] + (entry["db_cpu_s"] or 0) for entry in results[2:] or results[1:]]
    return {
        "steady_day_median_cpu_s": statistics.median(steady_cpu) if steady_cpu else None,
        "days": results,
        "seed": seed,
        "shares": SHARES,
        "first_run_s": results[0]["s"],
        "steady_day_median_s": statistics.median(steady) if steady else None,
        "steady_day_max_s": max(steady) if steady else None,
        "steady_days": len(steady),
    }
