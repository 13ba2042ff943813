"""Open credits cover overdue invoices per currency: a credit in one currency never offsets another."""

from datetime import date, timedelta

import pytest
from dunning_policy.engine import CaseInput, InvoiceInput, decide
from dunning_policy.schema import HOLD

POLICY = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder}
"""

DUE = date(2026, 3, 1)
TODAY = DUE + timedelta(days=10)


def invoice(number, amount, currency, amount_currency=None):
    return InvoiceInput(number, DUE, amount, name=f"INV/{number}", currency=currency, amount_currency=amount_currency)


@pytest.fixture(scope="module")
def spec(spec_of):
    return spec_of(POLICY)


def test_a_credit_in_euros_does_not_cover_an_overdue_in_dollars(spec):
    case = CaseInput(invoices=(invoice(1, 100, "USD"),), facts={"open_credits": 500.0}, credits={"EUR": 500.0})
    decision = decide(spec, case, TODAY)
    assert decision.kind != HOLD, decision.reason
    assert decision.step is not None, "the dollar invoice is demanded"


def test_credits_in_the_invoice_currency_cover_it_even_when_company_amounts_differ(spec):
    # 100 EUR booked at 110 in the company currency; the EUR credit of 100 covers it in euros.
    case = CaseInput(invoices=(invoice(1, 110, "EUR", amount_currency=100),), credits={"EUR": 100.0})
    decision = decide(spec, case, TODAY)
    assert decision.kind == HOLD
    assert decision.held_by == "credits"
    assert decision.reason == ("held: open credits of 100.00 cover the overdue 100.00; "
                               "apply the credit or reconcile the payment")


def test_every_currency_must_be_covered_and_the_reason_lists_each(spec):
    both = (invoice(1, 100, "EUR"), invoice(2, 40, "USD"))
    partly = decide(spec, CaseInput(invoices=both, credits={"EUR": 100.0, "USD": 39.99}), TODAY)
    assert partly.kind != HOLD, "the dollars are not covered"
    covered = decide(spec, CaseInput(invoices=both, credits={"EUR": 150.0, "USD": 40.0}), TODAY)
    assert covered.kind == HOLD
    assert covered.reason == ("held: open credits cover the overdue amount in each currency "
                              "(EUR 150.00 of 100.00; USD 40.00 of 40.00); apply the credit or reconcile the payment")


def test_without_currencies_the_company_currency_fact_decides_as_before(spec):
    case = CaseInput(invoices=(InvoiceInput(1, DUE, 100),), facts={"open_credits": 100.0})
    assert decide(spec, case, TODAY).held_by == "credits"
    case = CaseInput(invoices=(InvoiceInput(1, DUE, 100),), facts={"open_credits": 99.0})
    assert decide(spec, case, TODAY).kind != HOLD
