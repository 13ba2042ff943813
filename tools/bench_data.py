"""Build a benchmark database: N customers with a receivables history in two companies.

Usage (``make bench-data BENCH_SIZE=10k`` does this)::

    .dev/venv/bin/python tools/bench_data.py -c .dev/odoo.conf --size 10k --template cad_bench_tpl_10k

What it builds, for a date ``D`` (today unless ``--date``, kept in the database
as the ``customer_aware_dunning.bench_date`` parameter so ``make bench`` runs on
the same day):

* a database with ``customer_aware_dunning`` and OCA ``account_credit_control``
  installed (through the ORM), a second company with Odoo's generic chart of
  accounts (``account.chart.template.try_loading``), and an OCA credit policy of
  three levels per company (5, 15 and 35 days after the due date);
* N customers; each has, in the first company, 5 open invoices due between
  ``D - 120`` and ``D + 14`` (about one in seven partly paid) and 10 invoices of
  the last two years paid on time, late or in two payments; every fifth
  customer has the same history in the second company;
* the ledger of all that: balanced moves, receivable lines reconciled with
  payment entries through ``account.partial.reconcile`` (and
  ``account.full.reconcile`` where fully paid), ``amount_residual``,
  ``payment_state`` and matching numbers as Odoo sets them.

How: a few invoices and payments of each kind (open, partly paid, paid, paid
in two payments) are made and reconciled with the ORM, one set per company;
they are the prototypes.  Then set-based ``INSERT ... SELECT`` statements copy
their rows into the N customers' records, with new ids (from the tables' own
sequences), partners, dates, names and amounts (the prototypes' amounts times
``k / 100``, so the cents stay exact and every move stays balanced).  The
prototypes stay, as the history of one more customer.  ``check`` then proves
the ledger with Odoo's own queries and a sample of ORM recomputations.

The finished database is closed and kept as a template: ``make bench`` copies
it with ``CREATE DATABASE ... TEMPLATE ...`` in seconds.
"""

import argparse
import logging
import random
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import Command, api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

ROOT = Path(__file__).resolve().parent.parent
ODOO_BIN = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"
MODULES = "customer_aware_dunning,account_credit_control"
SIZES = {"1k": 1_000, "10k": 10_000, "50k": 50_000}
DATE_PARAMETER = "customer_aware_dunning.bench_date"
SECOND_COMPANY = "Bench Company B"
PROTO_PARTNER = "Bench prototype customer"
# The prototypes' amounts: every generated amount is one of these times k / 100 with an integer k.
INVOICE_AMOUNT, FIRST_PAYMENT = 1000.0, 400.0
# Monetary columns scaled with the amount; any other column is copied as the prototype has it.
MONEY = {
    "account_move": ("amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_untaxed_signed",
                     "amount_untaxed_in_currency_signed", "amount_tax_signed", "amount_total_signed",
                     "amount_total_in_currency_signed", "amount_residual_signed"),
    "account_move_line": ("debit", "credit", "balance", "amount_currency", "amount_residual",
                          "amount_residual_currency", "price_unit", "price_subtotal", "price_total"),
    "account_partial_reconcile": ("amount", "debit_amount_currency", "credit_amount_currency"),
}
KINDS = {  # kind: the payments of its prototype invoice (None: no payment)
    "open": (),
    "partial": (FIRST_PAYMENT,),
    "paid": (INVOICE_AMOUNT,),
    "split": (FIRST_PAYMENT, INVOICE_AMOUNT - FIRST_PAYMENT),
}

_logger = logging.getLogger("bench_data")


def log(message, *args):
    print(f"[bench-data] {message % args}", flush=True)


# ---------------------------------------------------------------------------------------------- ORM part


def setup_base(env, today, companies=2):
    """The companies, the OCA policies and the prototypes, through the ORM. Returns the companies."""
    main = env.ref("base.main_company")
    found = [main]
    if companies > 1:
        second = env["res.company"].search([("name", "=", SECOND_COMPANY)], limit=1)
        if not second:
            second = env["res.company"].create({"name": SECOND_COMPANY, "currency_id": main.currency_id.id})
            env["account.chart.template"].try_loading("generic_coa", second, install_demo=False)
        found.append(second)
    companies = env["res.company"].browse(company.id for company in found)
    env.user.write({"company_ids": [Command.link(company.id) for company in companies]})
    env["ir.config_parameter"].set_param(DATE_PARAMETER, today.isoformat())
    if "credit.control.policy" in env:
        for company in companies:
            setup_oca_policy(env, company)
    partner = env["res.partner"].create({
        "name": PROTO_PARTNER, "is_company": True, "email": "ap@prototype.bench.example", "customer_rank": 1,
    })
    for company in companies:
        make_prototypes(env(context=dict(env.context, allowed_company_ids=[company.id])), company, partner, today)
    env.flush_all()
    return companies


def setup_oca_policy(env, company):
    """OCA's policy with three levels beside our standard journey's steps: days 5 and 15 by email, 35 by letter."""
    template = env.ref("account_credit_control.email_template_credit_control_base")
    receivable = env["account.account"].with_company(company).search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    policy = env["credit.control.policy"].create({
        "name": f"Bench 3 levels ({company.name})",
        "company_id": company.id,
        "account_ids": [Command.set(receivable.ids)],
        "level_ids": [
            Command.create({
                "name": name, "level": level, "computation_mode": "net_days", "delay_days": days,
                "email_template_id": template.id, "channel": channel,
                "custom_text": name, "custom_mail_text": f"<p>{name}</p>",
            })
            for level, days, channel, name in (
                (1, 5, "email", "Gentle reminder"), (2, 15, "email", "Second reminder"),
                (3, 35, "letter", "Final notice"),
            )
        ],
    })
    company.credit_policy_id = policy


def make_prototypes(env, company, partner, today):
    """One invoice of each kind with its payments, reconciled by Odoo; recorded in ``bench_proto``."""
    Move = env["account.move"].with_company(company)
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    invoice_date = today - timedelta(days=40)
    for kind, payments in KINDS.items():
        invoice = Move.create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_date_due": invoice_date + timedelta(days=30),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({"name": "Services", "quantity": 1, "price_unit": INVOICE_AMOUNT,
                                                 "tax_ids": []})],
        })
        invoice.action_post()
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        roles = [("inv", invoice)]
        for index, amount in enumerate(payments, start=1):
            payment = Move.create({
                "move_type": "entry",
                "journal_id": bank.id,
                "date": invoice_date + timedelta(days=10 * index),
                "ref": f"Payment {kind} {index}",
                "line_ids": [
                    Command.create({"account_id": bank.default_account_id.id, "debit": amount, "name": "Payment"}),
                    Command.create({"account_id": receivable.account_id.id, "partner_id": partner.id,
                                    "credit": amount, "name": "Payment"}),
                ],
            })
            payment.action_post()
            counterpart = payment.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
            (receivable | counterpart).reconcile()
            roles.append((f"pay{index}", payment))
        env.flush_all()
        for role, move in roles:
            env.cr.execute(SQL(
                "INSERT INTO bench_proto (company_id, kind, role, move_id) VALUES (%s, %s, %s, %s)",
                company.id, kind, role, move.id,
            ))


# ---------------------------------------------------------------------------------------------- SQL part


def columns(cr, table):
    cr.execute(SQL(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY ordinal_position", table,
    ))
    return [name for name, in cr.fetchall()]


def clone(cr, table, plan, proto_key, overrides):
    """``INSERT INTO table SELECT`` one row per row of the temporary table ``plan``.

    Each new row is the prototype row ``table.id = plan.<proto_key>`` (aliased
    ``p``), with ``overrides`` (column: SQL over ``p`` and the plan row ``m``),
    the monetary columns times ``m.k / 100`` and ``id`` taken from ``m.id``.
    """
    names = columns(cr, table)
    money = set(MONEY.get(table, ()))
    values = []
    for name in names:
        if name == "id":
            values.append(SQL("m.id"))
        elif name in overrides:
            values.append(overrides[name])
        elif name in money:
            values.append(SQL("ROUND(p.%s * m.k / 100.0, 2)", SQL.identifier(name)))
        elif name in ("create_date", "write_date"):
            values.append(SQL("now() AT TIME ZONE 'UTC'"))
        else:
            values.append(SQL("p.%s", SQL.identifier(name)))
    cr.execute(SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s m JOIN %s p ON p.id = m.%s",
        SQL.identifier(table), SQL(", ").join(SQL.identifier(name) for name in names), SQL(", ").join(values),
        SQL.identifier(plan), SQL.identifier(table), SQL.identifier(proto_key),
    ))
    return cr.rowcount


def populate(env, companies, size, today, seed=42):
    """Bulk-insert ``size`` customers and their history; returns ``{table: rows}``."""
    cr = env.cr
    cr.execute(SQL("SELECT setseed(%s)", (seed % 1000) / 1000.0))
    cr.execute(SQL("SELECT id FROM res_partner WHERE name = %s ORDER BY id LIMIT 1", PROTO_PARTNER))
    proto_partner = cr.fetchone()[0]
    second = companies[1].id if len(companies) > 1 else None
    # ---- plans (ids from the tables' sequences, so nothing needs resetting afterwards)
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
        SELECT nextval('res_partner_id_seq') AS id, n, %s::int AS proto_id, 100 AS k
          FROM generate_series(1, %s) AS n
        """, proto_partner, size,
    ))
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_group ON COMMIT DROP AS
        WITH scope AS (
            SELECT c.id AS partner_id, c.n, %(main)s AS company_id FROM bench_customer c
             UNION ALL
            SELECT c.id, c.n, %(second)s FROM bench_customer c WHERE %(second)s IS NOT NULL AND c.n %% 5 = 0
        ), open_invoices AS (
            SELECT s.*, o.o, %(today)s::date + 14 - floor(random() * 135)::int AS due, random() AS r
              FROM scope s CROSS JOIN generate_series(1, 5) AS o(o)
        ), paid_invoices AS (
            SELECT s.*, o.o, %(today)s::date - floor(random() * 700)::int AS due, random() AS r,
                   floor(random() * 10)::int AS early, 1 + floor(random() * 60)::int AS late
              FROM scope s CROSS JOIN generate_series(1, 10) AS o(o)
        ), planned AS (
            SELECT partner_id, company_id, n, due,
                   CASE WHEN r < 0.15 THEN 'partial' ELSE 'open' END AS kind,
                   LEAST(%(today)s::date, due - 30 + floor(r * 100)::int) AS pay1, NULL::date AS pay2
              FROM open_invoices
             UNION ALL
            SELECT partner_id, company_id, n, due,
                   CASE WHEN r < 0.8 THEN 'paid' ELSE 'split' END,
                   CASE WHEN r < 0.5 THEN due - early WHEN r < 0.8 THEN LEAST(%(today)s::date, due + late)
                        ELSE due - 5 END,
                   CASE WHEN r >= 0.8 THEN LEAST(%(today)s::date, due + late) END
              FROM paid_invoices
        )
        SELECT row_number() OVER (ORDER BY company_id, n, due) AS gid, partner_id, company_id, kind,
               due - 30 AS invoice_date, due, pay1, pay2, 5 + floor(random() * 300)::int AS k
          FROM planned
        """, main=companies[0].id, second=second, today=today,
    ))
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_move ON COMMIT DROP AS
        SELECT nextval('account_move_id_seq') AS id, g.gid, g.k, g.partner_id, g.due, g.invoice_date,
               pr.role, pr.move_id AS proto_id, p.journal_id, p.name AS proto_name,
               CASE pr.role WHEN 'inv' THEN g.invoice_date WHEN 'pay1' THEN g.pay1 ELSE g.pay2 END AS date,
               NULL::varchar AS name, NULL::varchar AS sequence_prefix, NULL::int AS sequence_number
          FROM bench_group g
          JOIN bench_proto pr ON pr.company_id = g.company_id AND pr.kind = g.kind
          JOIN account_move p ON p.id = pr.move_id
        """
    ))
    # Names as Odoo's sequence mixin makes them: the prototype's prefix with the move's year, numbered on.
    cr.execute(SQL(
        """
        WITH prefixed AS (
            SELECT m.id, replace(p.sequence_prefix, extract(year FROM p.date)::text,
                                 extract(year FROM m.date)::text) AS prefix, m.journal_id, m.date
              FROM bench_move m JOIN account_move p ON p.id = m.proto_id
        ), numbered AS (
            SELECT x.id, x.prefix,
                   COALESCE((SELECT max(e.sequence_number) FROM account_move e
                              WHERE e.journal_id = x.journal_id AND e.sequence_prefix = x.prefix), 0)
                   + row_number() OVER (PARTITION BY x.journal_id, x.prefix ORDER BY x.date, x.id) AS number
              FROM prefixed x
        )
        UPDATE bench_move m SET sequence_prefix = n.prefix, sequence_number = n.number,
                                name = n.prefix || lpad(n.number::text, GREATEST(5, length(n.number::text)), '0')
          FROM numbered n WHERE n.id = m.id
        """
    ))
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_line ON COMMIT DROP AS
        SELECT nextval('account_move_line_id_seq') AS id, pl.id AS proto_id, m.id AS move_id, m.gid, m.k,
               m.partner_id, m.date, m.due, m.invoice_date, m.role, m.name AS move_name, m.proto_name
          FROM bench_move m JOIN account_move_line pl ON pl.move_id = m.proto_id
        """
    ))
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_full ON COMMIT DROP AS
        SELECT nextval('account_full_reconcile_id_seq') AS id, proto_id, gid, 100 AS k
          FROM (SELECT DISTINCT pl.full_reconcile_id AS proto_id, l.gid
                  FROM bench_line l JOIN account_move_line pl ON pl.id = l.proto_id
                 WHERE pl.full_reconcile_id IS NOT NULL) AS fulls
        """
    ))
    cr.execute(SQL(
        """
        CREATE TEMP TABLE bench_partial ON COMMIT DROP AS
        SELECT nextval('account_partial_reconcile_id_seq') AS id, pp.id AS proto_id, d.id AS debit_id,
               c.id AS credit_id, d.gid, d.k, GREATEST(d.date, c.date) AS max_date, f.id AS full_id
          FROM account_partial_reconcile pp
          JOIN bench_line d ON d.proto_id = pp.debit_move_id
          JOIN bench_line c ON c.proto_id = pp.credit_move_id AND c.gid = d.gid
          LEFT JOIN bench_full f ON f.proto_id = pp.full_reconcile_id AND f.gid = d.gid
        """
    ))
    for plan in ("bench_customer", "bench_group", "bench_move", "bench_line", "bench_full", "bench_partial"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(plan)))
    cr.execute(SQL("CREATE INDEX ON bench_line (gid)"))
    cr.execute(SQL("CREATE INDEX ON bench_partial (gid)"))
    cr.execute(SQL("CREATE INDEX ON bench_full (gid, proto_id)"))

    # ---- rows
    counts = {}
    name = SQL("'Bench customer ' || lpad(m.n::text, 6, '0')")
    counts["res_partner"] = clone(cr, "res_partner", "bench_customer", "proto_id", {
        "name": name, "complete_name": name,
        "email": SQL("'ap' || m.n || '@customer' || m.n || '.bench.example'"),
        "ref": SQL("'B' || m.n"),
        "commercial_partner_id": SQL("m.id"),
    })
    counts["account_full_reconcile"] = clone(cr, "account_full_reconcile", "bench_full", "proto_id", {})
    partner_name = SQL("(SELECT c.name FROM res_partner c WHERE c.id = m.partner_id)")
    rename = {  # the prototype's name inside a text column, replaced by the new move's
        column: SQL("replace(p.%s, m.proto_name, m.name)", SQL.identifier(column))
        for column in ("payment_reference", "ref")
    }
    counts["account_move"] = clone(cr, "account_move", "bench_move", "proto_id", {
        **rename,
        "name": SQL("m.name"), "sequence_prefix": SQL("m.sequence_prefix"),
        "sequence_number": SQL("m.sequence_number"), "date": SQL("m.date"),
        "invoice_date": SQL("CASE WHEN p.invoice_date IS NOT NULL THEN m.invoice_date END"),
        "invoice_date_due": SQL("CASE WHEN m.role = 'inv' THEN m.due ELSE p.invoice_date_due END"),
        "partner_id": SQL("CASE WHEN p.partner_id IS NOT NULL THEN m.partner_id END"),
        "commercial_partner_id": SQL("CASE WHEN p.commercial_partner_id IS NOT NULL THEN m.partner_id END"),
        "invoice_partner_display_name": SQL(
            "CASE WHEN p.invoice_partner_display_name IS NOT NULL THEN %s END", partner_name),
        "access_token": SQL("NULL"),
    })
    counts["account_move_line"] = clone(cr, "account_move_line", "bench_line", "proto_id", {
        "move_id": SQL("m.move_id"), "move_name": SQL("m.move_name"), "date": SQL("m.date"),
        "name": SQL("replace(p.name, m.proto_name, m.move_name)"),
        "invoice_date": SQL("CASE WHEN p.invoice_date IS NOT NULL THEN m.invoice_date END"),
        "date_maturity": SQL(
            "CASE WHEN p.date_maturity IS NULL THEN NULL WHEN m.role = 'inv' THEN m.due ELSE m.date END"),
        "partner_id": SQL("CASE WHEN p.partner_id IS NOT NULL THEN m.partner_id END"),
        "full_reconcile_id": SQL(
            "(SELECT f.id FROM bench_full f WHERE f.gid = m.gid AND f.proto_id = p.full_reconcile_id)"),
        "matching_number": SQL("""
            CASE WHEN p.full_reconcile_id IS NOT NULL
                     THEN (SELECT f.id::text FROM bench_full f WHERE f.gid = m.gid AND f.proto_id = p.full_reconcile_id)
                 WHEN p.matching_number LIKE 'P%%'
                     THEN 'P' || (SELECT min(x.id) FROM bench_partial x WHERE x.gid = m.gid)
                 ELSE p.matching_number END
        """),
    })
    counts["account_partial_reconcile"] = clone(cr, "account_partial_reconcile", "bench_partial", "proto_id", {
        "debit_move_id": SQL("m.debit_id"), "credit_move_id": SQL("m.credit_id"),
        "max_date": SQL("m.max_date"), "full_reconcile_id": SQL("m.full_id"),
    })
    # Planner statistics for the new rows (the check's queries and the benchmark need them).
    for table in counts:
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    return counts


# ---------------------------------------------------------------------------------------------- checks


def check(env, sample=300):
    """Prove the ledger: Odoo's balance query, residuals against the partials, a sample recomputed by the ORM.

    Returns a list of problems (empty: the ledger is sound).
    """
    cr = env.cr
    problems = []
    Move = env["account.move"]
    cr.execute(SQL("SELECT id FROM account_move WHERE state = 'posted' ORDER BY id"))
    move_ids = [move_id for move_id, in cr.fetchall()]
    unbalanced = []
    for start in range(0, len(move_ids), 50_000):
        unbalanced += Move._get_unbalanced_moves({"records": Move.browse(move_ids[start:start + 50_000])}) or []
    if unbalanced:
        problems.append(f"{len(unbalanced)} unbalanced move(s), e.g. {unbalanced[:3]}")
    queries = {
        "line residual differs from its balance less its partials": """
            SELECT count(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id
             WHERE a.reconcile AND l.parent_state = 'posted' AND l.amount_residual <> l.balance
                   - COALESCE((SELECT sum(p.amount) FROM account_partial_reconcile p WHERE p.debit_move_id = l.id), 0)
                   + COALESCE((SELECT sum(p.amount) FROM account_partial_reconcile p WHERE p.credit_move_id = l.id), 0)
        """,
        "reconciled flag differs from a zero residual": """
            SELECT count(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id
             WHERE a.reconcile AND l.reconciled <> (l.amount_residual = 0)
        """,
        "invoice residual differs from its receivable lines": """
            SELECT count(*) FROM account_move m
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND m.amount_residual <> (
                   SELECT abs(sum(l.amount_residual)) FROM account_move_line l JOIN account_account a
                       ON a.id = l.account_id WHERE l.move_id = m.id AND a.account_type = 'asset_receivable')
        """,
        "payment state differs from the residual": """
            SELECT count(*) FROM account_move m
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND m.payment_state <> CASE
                   WHEN m.amount_residual = 0 THEN 'paid' WHEN m.amount_residual < m.amount_total THEN 'partial'
                   ELSE 'not_paid' END
        """,
        "fully reconciled lines that do not sum to zero or keep a residual": """
            SELECT count(*) FROM (SELECT full_reconcile_id FROM account_move_line WHERE full_reconcile_id IS NOT NULL
                                   GROUP BY full_reconcile_id
                                  HAVING sum(balance) <> 0 OR bool_or(amount_residual <> 0)) AS bad
        """,
        "matching number not as Odoo sets it": """
            SELECT count(*) FROM account_move_line l
             WHERE (l.full_reconcile_id IS NOT NULL AND l.matching_number IS DISTINCT FROM l.full_reconcile_id::text)
                OR (l.full_reconcile_id IS NULL AND l.matching_number IS DISTINCT FROM 'P' || (
                        SELECT min(p.id) FROM account_partial_reconcile p WHERE p.debit_move_id = l.id
                            OR p.credit_move_id = l.id))
        """,
        "move name used twice in a journal": """
            SELECT count(*) FROM (SELECT 1 FROM account_move WHERE state = 'posted'
                                   GROUP BY journal_id, name HAVING count(*) > 1) AS twice
        """,
    }
    for problem, query in queries.items():
        cr.execute(SQL(query))
        count = cr.fetchone()[0]
        if count:
            problems.append(f"{count}: {problem}")
    # The ORM's own sums against SQL's, per company.
    for company in env["res.company"].search([]):
        Line = env["account.move.line"].with_company(company)
        domain = [("company_id", "=", company.id), ("account_type", "=", "asset_receivable"),
                  ("parent_state", "=", "posted"), ("reconciled", "=", False)]
        [(orm_sum,)] = Line._read_group(domain, [], ["amount_residual:sum"])
        cr.execute(SQL("""
            SELECT COALESCE(sum(l.amount_residual), 0) FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id
             WHERE l.company_id = %s AND a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
               AND NOT l.reconciled
        """, company.id))
        if round(orm_sum or 0, 2) != round(float(cr.fetchone()[0]), 2):
            problems.append(f"{company.name}: open receivable ORM sum {orm_sum} differs from SQL")
    problems += _orm_sample(env, sample)
    return problems


def _orm_sample(env, sample):
    """A random sample of invoices and their payments recomputed by the ORM must match what is stored."""
    cr = env.cr
    problems = []
    cr.execute(SQL(
        "SELECT id FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted' ORDER BY random() LIMIT %s",
        sample,
    ))
    invoices = env["account.move"].browse(move_id for move_id, in cr.fetchall())
    moves = invoices | invoices.line_ids.matched_credit_ids.credit_move_id.move_id
    lines = moves.line_ids
    move_fields = ["amount_total", "amount_residual", "amount_residual_signed", "payment_state", "amount_untaxed"]
    line_fields = ["amount_residual", "reconciled", "balance"]
    stored_moves = {move.id: [move[name] for name in move_fields] for move in moves}
    stored_lines = {line.id: [line[name] for name in line_fields] for line in lines}
    lines._constrains_matching_number()
    # A customer's credit as Odoo computes it (one company at a time) against the ledger's.
    for invoice in invoices[:50]:
        partner, company = invoice.partner_id, invoice.company_id
        cr.execute(SQL("""
            SELECT COALESCE(sum(l.amount_residual), 0) FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id
             WHERE l.partner_id = %s AND a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
               AND l.company_id = %s
        """, partner.id, company.id))
        expected = float(cr.fetchone()[0])
        credit = partner.with_company(company).credit
        if round(credit, 2) != round(expected, 2):
            problems.append(f"partner {partner.id}: credit {credit} in {company.name} but the ledger says {expected}")
    savepoint = cr.savepoint(flush=False)
    try:
        env.invalidate_all()
        env.add_to_compute(env["account.move.line"]._fields["amount_residual"], lines)
        env.add_to_compute(env["account.move"]._fields["amount_residual"], moves)
        env.add_to_compute(env["account.move"]._fields["payment_state"], moves)
        recomputed_lines = {line.id: [line[name] for name in line_fields] for line in lines}
        recomputed_moves = {move.id: [move[name] for name in move_fields] for move in moves}
        env.flush_all()
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all(flush=False)
    differ = [move_id for move_id, values in stored_moves.items() if recomputed_moves[move_id] != values]
    differ_lines = [line_id for line_id, values in stored_lines.items() if recomputed_lines[line_id] != values]
    if differ:
        problems.append(f"{len(differ)} sampled move(s) recompute differently, e.g. {differ[:3]}")
    if differ_lines:
        problems.append(f"{len(differ_lines)} sampled line(s) recompute differently, e.g. {differ_lines[:3]}")
    return problems


# ---------------------------------------------------------------------------------------------- command


def prepare(cr):
    cr.execute(SQL(
        "CREATE TABLE IF NOT EXISTS bench_proto (company_id int, kind varchar, role varchar, move_id int)"
    ))


def build(env, size, today, companies=2):
    """Everything in the caller's transaction: base, prototypes, bulk rows, statistics. Returns the counts."""
    prepare(env.cr)
    env.cr.execute(SQL("SELECT count(*) FROM bench_proto"))
    if env.cr.fetchone()[0]:
        raise SystemExit("this database already has benchmark data")
    company_records = setup_base(env, today, companies)
    counts = populate(env, company_records, size, today)
    return counts


def odoo_install(database, config_file):
    subprocess.run([sys.executable, str(ODOO_BIN), "-c", config_file, "-d", database, "-i", MODULES,
                    "--stop-after-init", "--no-http", "--log-level=warn"], check=True)


def drop_database(database):
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(database)))
    shutil.rmtree(config.filestore(database), ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--size", default="10k", help="1k, 10k, 50k or a number of customers")
    parser.add_argument("--template", required=True, help="the database to build (dropped first if it exists)")
    parser.add_argument("--date", type=date.fromisoformat, default=date.today(), help="the benchmark's day")
    parser.add_argument("--check-only", action="store_true", help="only check the ledger of --template")
    args = parser.parse_args()
    size = SIZES.get(args.size) or int(args.size)
    config.parse_config(["-c", args.config])
    random.seed(42)
    started = time.perf_counter()
    if not args.check_only:
        log("building %s with %d customers for %s", args.template, size, args.date)
        drop_database(args.template)
        odoo_install(args.template, args.config)
        log("base installed (%.0f s)", time.perf_counter() - started)
    registry = Registry(args.template)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        if not args.check_only:
            counts = build(env, size, args.date)
            log("rows inserted (%.0f s): %s", time.perf_counter() - started,
                ", ".join(f"{table} {rows}" for table, rows in counts.items()))
            cr.commit()
        problems = check(env)
        cr.rollback()
        for problem in problems:
            log("PROBLEM %s", problem)
        log("ledger check: %s (%.0f s)", "FAILED" if problems else "sound", time.perf_counter() - started)
    if not args.check_only:
        with registry.cursor() as cr:
            cr._cnx.autocommit = True
            for table in ("res_partner", "account_move", "account_move_line", "account_partial_reconcile",
                          "account_full_reconcile"):
                cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))
    Registry.delete(args.template)
    sql_db.close_db(args.template)
    if problems:
        sys.exit(1)
    log("template %s ready (%.0f s)", args.template, time.perf_counter() - started)


if __name__ == "__main__":
    main()
