"""Backtest of the predicted payment dates: predict on past days, compare with what the customers did.

Usage::

    .dev/venv/bin/python tools/backtest.py -c .dev/odoo.conf -d cad_demo
    .dev/venv/bin/python tools/backtest.py -c .dev/odoo.conf -d cad_bench_tpl_1k --today 2026-06-30

Reads the company's customer invoices once (``account.move._dunning_settlement_history``: due date
and the day each was settled), then for each cut-off day D (the first of each of the ``--months``
months before the last month, so that most invoices open on D have been settled since) predicts
every invoice open on D from the invoices its customer had settled before D
(``policy/prediction.py``, the same code the daily job runs) and prints the mean absolute error in
days beside the naive predictions "the due date" and "the due date, or D when that has passed".
Only invoices settled by now can be scored; those still open are counted. Reads only.

The credit facts count as the daily job counts them, as known on D: the latest register lookup and
rating observed on or before D (a rating older than the active policy's
``credit_information.rating_valid_days`` on D counts as unknown). The column "with credit facts"
says how many scored predictions they entered (only customers with a thin history on D).
"""

import argparse
from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import config


def cutoffs(today, months):
    first = today.replace(day=1)
    return [first - relativedelta(months=back) for back in range(months + 1, 1, -1)]


def fmt(value):
    return "-" if value is None else f"{value:.1f}"


def credit_facts_as_of(env, company, credit_facts):
    """``facts(partner id, day)``: the customer's credit facts as known on ``day`` (``None``: nothing known)."""
    Observation = env["dunning.credit.observation"]
    valid_days = Observation._rating_valid_days(company)
    rows = Observation.search_read([("company_id", "=", company.id), ("valid", "=", True)],
                                   ["partner_id", "kind", "observed_on", "registry_status", "rating",
                                    "payment_defaults"], order="observed_on, id", load=None)
    by_partner = defaultdict(list)
    for row in rows:
        by_partner[row["partner_id"]].append(row)

    def facts(partner, day):
        latest = {}
        for row in by_partner.get(partner, ()):
            if row["observed_on"] > day:
                break
            latest[row["kind"]] = row
        register, rating = latest.get("register"), latest.get("rating")
        if not register and not rating:
            return None
        fresh = rating and rating["rating"] and (day - rating["observed_on"]).days <= valid_days
        return credit_facts(credit_rating=int(rating["rating"]) if fresh else None,
                            payment_defaults=rating["payment_defaults"] if rating else None,
                            registry_status=(register["registry_status"] or None) if register else None)

    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--today", help="the day the data was made for (default: a bench database's own day, "
                                        "else the latest invoice date)")
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    # after the config: the addons path
    from odoo.addons.customer_aware_dunning.policy.prediction import CreditFacts, backtest

    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        rows = env["account.move"]._dunning_settlement_history(company)
        ledger = [(partner, invoice_date, due, settled) for _id, partner, invoice_date, due, settled, _res in rows]
        # A bench database keeps the day it was made for; else the latest invoice's date.
        made_for = env["ir.config_parameter"].get_param("customer_aware_dunning.bench_date")
        today = date.fromisoformat(args.today or made_for) if (args.today or made_for) else max(
            (invoice_date for _p, invoice_date, _d, _s in ledger if invoice_date), default=date.today())
        days = cutoffs(today, args.months)
        result = backtest(ledger, days, facts=credit_facts_as_of(env, company, CreditFacts))
        cr.rollback()
    sql_db.close_db(args.database)
    customers = len({partner for partner, *_rest in ledger})
    print(f"{args.database}: {len(ledger)} invoices of {customers} customers, "
          f"{sum(1 for *_r, settled in ledger if settled)} settled; as of {today}")
    print(f"| {'predicted on':<12} | {'invoices':>8} | {'still open':>10} | {'with credit facts':>17} "
          f"| {'model':>6} | {'due date':>8} | {'due date or D':>13} |")
    print(f"|{'-' * 14}|{'-' * 10}:|{'-' * 12}:|{'-' * 19}:|{'-' * 7}:|{'-' * 9}:|{'-' * 14}:|")
    for row in result:
        print(f"| {row.cutoff.isoformat():<12} | {row.invoices:>8} | {row.unsettled:>10} | {row.with_facts:>17} "
              f"| {fmt(row.mae_model):>6} | {fmt(row.mae_due_date):>8} | {fmt(row.mae_due_or_cutoff):>13} |")
    scored = [row for row in result if row.invoices]
    total = sum(row.invoices for row in scored)
    if total:
        def pooled(attr):
            return sum(getattr(row, attr) * row.invoices for row in scored) / total
        print(f"| {'all':<12} | {total:>8} | {sum(r.unsettled for r in result):>10} | "
              f"{sum(r.with_facts for r in result):>17} | {fmt(pooled('mae_model')):>6} | "
              f"{fmt(pooled('mae_due_date')):>8} | {fmt(pooled('mae_due_or_cutoff')):>13} |")


if __name__ == "__main__":
    main()
