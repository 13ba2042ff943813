"""The benchmark's data generator (``tools/bench_data.py``) at a tiny size: the ledger it writes is Odoo's.

It runs inside the test's transaction (rolled back): the ORM part makes the
second company and the prototypes, the SQL part copies them for 5 customers,
and the check must find nothing wrong, then must find a residual we break.
"""

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name
from odoo.tools import SQL

TOOL = Path(__file__).resolve().parent.parent / "tools" / "bench_data.py"
_spec = importlib.util.spec_from_file_location("bench_data", TOOL)
bench_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_data)

TODAY = date(2026, 6, 30)


@pytest.fixture
def env():
    """A superuser environment on the test database, rolled back afterwards."""
    with Registry(get_db_name()).cursor() as cr:
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
        finally:
            cr.rollback()


def test_tiny_ledger_is_sound_and_the_check_sees_a_broken_one(env):
    counts = bench_data.build(env, 5, TODAY)

    assert counts["res_partner"] == 5
    customers = env["res.partner"].search([("name", "=like", "Bench customer %")])
    assert len(customers) == 5
    main, second = env.ref("base.main_company"), env["res.company"].search(
        [("name", "=", bench_data.SECOND_COMPANY)])
    Move = env["account.move"]
    for customer in customers:
        invoices = Move.search([("partner_id", "=", customer.id), ("company_id", "=", main.id),
                                ("move_type", "=", "out_invoice")])
        assert len(invoices) == 15
        still_due = invoices.filtered(lambda move: move.amount_residual > 0)
        assert len(still_due) == 5
        assert all((TODAY - move.invoice_date_due).days <= 120 for move in still_due)
        assert all((move.invoice_date_due - TODAY).days <= 14 for move in still_due)
        assert set((invoices - still_due).mapped("payment_state")) == {"paid"}
    # every fifth customer also buys from the second company
    in_second = Move.search_count([("partner_id", "in", customers.ids), ("company_id", "=", second.id),
                                   ("move_type", "=", "out_invoice")])
    assert in_second == 15
    paid = Move.search([("partner_id", "in", customers.ids), ("payment_state", "=", "paid")])
    assert paid.line_ids.full_reconcile_id
    assert bench_data.check(env, sample=40) == []

    line = paid.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")[:1]
    env.cr.execute(SQL("UPDATE account_move_line SET amount_residual = 1 WHERE id = %s", line.id))
    env.invalidate_all()
    problems = bench_data.check(env, sample=40)
    assert "1: line residual differs from its balance less its partials" in problems, problems
