"""Installing, upgrading and uninstalling the addon leave the accounting data as it was.

A scratch database ``<--odoo-database>_upgrade`` gets account and sale, customers,
posted invoices, a credit note, full and partial payments (reconciled); then the
addon is installed (and its daily run opens collection cases), upgraded with
``-u``, and uninstalled with ``odoo module uninstall``.  After each step the
journal entries, their lines, the reconciliations, payments and customers must
be what they were: counts, sums and a digest of every row's accounting columns.
The real Odoo of ``.dev`` runs in subprocesses; the database is dropped at the end.
"""

import configparser
import hashlib
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
ODOO_BIN = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"
CONF = ROOT / ".dev" / "odoo.conf"
ADDON = "customer_aware_dunning"

pytestmark = pytest.mark.skipif(not CONF.exists(), reason="the .dev Odoo tree is not bootstrapped")

# Run inside ``odoo shell``: customers with invoices in every payment state, one partner with a credit note.
MAKE_ACCOUNTING = """
from datetime import date, timedelta
today = date.today()
product = env["product.product"].create({"name": "Consulting", "type": "service", "list_price": 100})
partners = env["res.partner"].create([{"name": f"Customer {i}", "is_company": True, "email": f"c{i}@example.com"}
                                      for i in range(6)])
moves = env["account.move"]
for i, partner in enumerate(partners):
    for j in range(3):
        moves |= env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id,
            "invoice_date": today - timedelta(days=90 - 10 * j),
            "invoice_date_due": today - timedelta(days=60 - 10 * j),
            "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": 1 + i, "price_unit": 100 + 10 * j,
                                         "tax_ids": [(6, 0, [])]})],
        })
refund = env["account.move"].create({
    "move_type": "out_refund", "partner_id": partners[3].id, "invoice_date": today - timedelta(days=20),
    "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": 1, "price_unit": 50, "tax_ids": [(6, 0, [])]})],
})
(moves | refund).action_post()
invoices = list(moves)
for invoice in invoices[0:5]:     # paid in full
    env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
        {"payment_date": today - timedelta(days=5)})._create_payments()
for invoice in invoices[5:9]:     # paid in part
    env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
        {"payment_date": today - timedelta(days=3), "amount": invoice.amount_residual / 2})._create_payments()
receivable = lambda move: move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
(receivable(refund) | receivable(invoices[9])).reconcile()   # the credit note against the customer's open invoice
draft = env["account.move"].create({"move_type": "out_invoice", "partner_id": partners[5].id,
    "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": 2, "price_unit": 75, "tax_ids": [(6, 0, [])]})]})
env.cr.commit()
print("ACCOUNTING-READY", len(invoices), env["account.partial.reconcile"].search_count([]))
"""

RUN_COLLECTIONS = """
from datetime import date
for company in env["res.company"].search([]):
    env["dunning.run"]._run_company(company, date.today())
env.cr.commit()
print("CASES", env["dunning.case"].search_count([]))
"""

# (what, SQL giving one row of figures) - the accounting that must not move.
FIGURES = {
    "moves": "SELECT count(*), sum(amount_total_signed), sum(amount_residual_signed), "
             "string_agg(DISTINCT state || '/' || coalesce(payment_state, ''), ',' ORDER BY state || '/' "
             "|| coalesce(payment_state, '')) FROM account_move",
    "lines": "SELECT count(*), sum(debit), sum(credit), sum(balance), sum(amount_residual), "
             "count(*) FILTER (WHERE reconciled) FROM account_move_line",
    "partials": "SELECT count(*), sum(amount), sum(debit_amount_currency), sum(credit_amount_currency) "
                "FROM account_partial_reconcile",
    "full reconciles": "SELECT count(*) FROM account_full_reconcile",
    "payments": "SELECT count(*), sum(amount), string_agg(DISTINCT state, ',') FROM account_payment",
    "customers": "SELECT count(*) FROM res_partner",
}
# Every row's accounting columns, digested: a change to any one of them shows.
DIGESTS = {
    "moves": "SELECT id, name, state, move_type, partner_id, date, invoice_date, invoice_date_due, amount_total, "
             "amount_residual, payment_state, journal_id FROM account_move ORDER BY id",
    "lines": "SELECT id, move_id, account_id, partner_id, debit, credit, balance, amount_currency, amount_residual, "
             "reconciled, full_reconcile_id, date_maturity FROM account_move_line ORDER BY id",
    "partials": "SELECT id, debit_move_id, credit_move_id, amount, full_reconcile_id FROM account_partial_reconcile "
                "ORDER BY id",
}


def odoo(*args, stdin=None, timeout=900):
    command = [sys.executable, str(ODOO_BIN), *map(str, args)]
    started = time.monotonic()
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    # A figure for the closing notes (pytest -s shows it), never an assertion.
    step = " ".join(str(arg) for arg in args if not str(arg).startswith(("/", "-c", "-d", "--")))
    print(f"upgrade safety: odoo {step}: {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def connect(database):
    options = configparser.ConfigParser()
    options.read(CONF)
    section = options["options"]
    return psycopg2.connect(dbname=database, host=section.get("db_host"), port=section.get("db_port"),
                            user=section.get("db_user"))


def drop(database):
    subprocess.run([sys.executable, str(ROOT / "tools" / "devdb.py"), "drop", database], check=True)


def snapshot(database):
    with connect(database) as connection, connection.cursor() as cursor:
        figures = {}
        for name, query in FIGURES.items():
            cursor.execute(query)
            figures[name] = cursor.fetchone()
        for name, query in DIGESTS.items():
            cursor.execute(query)
            figures[f"{name} digest"] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
        cursor.execute("SELECT state FROM ir_module_module WHERE name = %s", [ADDON])
        state = cursor.fetchone()[0]
    connection.close()
    return figures, state


def addon_tables(database):
    with connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'dunning%%'")
        tables = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'account_move' "
                       "AND column_name LIKE 'dunning%%'")
        columns = cursor.fetchone()[0]
    connection.close()
    return tables, columns


@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield  # pytest-odoo's registry is not needed: everything runs in subprocesses


@pytest.fixture(scope="module")
def database(request):
    base = request.config.getoption("--odoo-database", default=None) or "cad_test"
    name = f"{base}_upgrade"
    drop(name)
    yield name
    drop(name)


def test_install_upgrade_and_uninstall_leave_the_accounting_intact(database):
    conf = ["-c", CONF, "-d", database, "--no-http", "--log-level=warn", "--max-cron-threads=0"]
    odoo(*conf, "-i", "account,sale", "--stop-after-init")
    assert "ACCOUNTING-READY" in odoo("shell", *conf, stdin=MAKE_ACCOUNTING).stdout
    before, state = snapshot(database)
    assert state == "uninstalled"
    assert before["partials"][0] >= 5 and before["full reconciles"][0] >= 5, before

    odoo(*conf, "-i", ADDON, "--stop-after-init")
    assert "CASES" in odoo("shell", *conf, stdin=RUN_COLLECTIONS).stdout
    installed, state = snapshot(database)
    assert state == "installed"
    assert installed == before
    tables, columns = addon_tables(database)
    assert tables > 0 and columns > 0
    with connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dunning_case")
        assert cursor.fetchone()[0] > 0, "the daily run opened cases for the overdue invoices"
    connection.close()

    odoo(*conf, "-u", ADDON, "--stop-after-init")
    upgraded, state = snapshot(database)
    assert (upgraded, state) == (before, "installed")

    odoo("module", "uninstall", "-c", CONF, "-d", database, ADDON)
    uninstalled, state = snapshot(database)
    assert (uninstalled, state) == (before, "uninstalled")
    assert addon_tables(database) == (0, 0), "the addon's tables and invoice columns are gone"
