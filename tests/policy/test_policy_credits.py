"""Open credits (credit notes, unallocated payments) against overdue invoices: the engine's hold."""

from datetime import date, timedelta

import pytest
from dunning_policy.dump import dump_policy
from dunning_policy.engine import CaseInput, InvoiceInput, decide
from dunning_policy.facts import FACTS, STEP_FACTS

POLICY = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder}
      - {day: 20, send: email, template: second_reminder, when: [[net_overdue, ">=", 50]]}
"""

DUE = date(2025, 3, 1)


@pytest.fixture(scope="module")
def spec(spec_of):
    return spec_of(POLICY)


def case(credits, amount=100.0, **facts):
    return CaseInput(invoices=(InvoiceInput(id=1, due_date=DUE, amount_residual=amount),),
                     facts={"open_credits": credits, **facts})


def test_credits_covering_the_overdue_amount_hold_and_name_finance(spec):
    decision = decide(spec, case(100.0), DUE + timedelta(days=5))
    assert (decision.kind, decision.held_by, decision.owner) == ("hold", "credits", "finance")
    assert decision.reason == ("held: open credits of 100.00 cover the overdue 100.00; "
                               "apply the credit or reconcile the payment")


def test_credits_covering_part_of_it_let_the_step_go(spec):
    decision = decide(spec, case(60.0), DUE + timedelta(days=5))
    assert (decision.kind, decision.step_index) == ("send_step", 0)


def test_no_hold_before_anything_is_overdue(spec):
    decision = decide(spec, case(500.0), DUE)
    assert decision.kind != "hold"


def test_the_hold_can_be_switched_off_and_its_owner_named(spec_of):
    off = spec_of(POLICY + "credits: {hold_when_covered: false}\n")
    assert decide(off, case(100.0), DUE + timedelta(days=5)).kind == "send_step"
    sales = spec_of(POLICY + "credits: {owner: salesperson}\n")
    assert decide(sales, case(150.0), DUE + timedelta(days=5)).owner == "salesperson"


def test_net_overdue_is_a_step_fact(spec):
    assert {"open_credits", "net_overdue"} <= STEP_FACTS
    assert FACTS["net_overdue"].type == "number"
    later = DUE + timedelta(days=20)
    done = frozenset({"standard/0/1"})
    small = CaseInput(invoices=case(60.0).invoices, facts={"open_credits": 60.0, "net_overdue": 40.0},
                      done_step_keys=done)
    assert "step 2 (day 20, email second_reminder) skipped" in decide(spec, small, later).reason
    large = CaseInput(invoices=case(0.0).invoices, facts={"open_credits": 0.0, "net_overdue": 100.0},
                      done_step_keys=done)
    assert decide(spec, large, later).step_index == 1


def test_the_default_policy_holds_on_credits(default_spec):
    assert (default_spec.credits.hold_when_covered, default_spec.credits.owner) == (True, "finance")


def test_an_unknown_owner_is_an_error():
    from dunning_policy.loader import load_policy

    result = load_policy(POLICY + "credits: {owner: nobody}\n")
    assert result.errors and "credits" in str(result.errors[0])


def test_credit_settings_survive_a_dump_and_load(spec_of):
    spec = spec_of(POLICY + "credits: {hold_when_covered: false, owner: salesperson}\n")
    assert (spec.credits.hold_when_covered, spec.credits.owner) == (False, "salesperson")
    assert spec_of(dump_policy(spec)).credits == spec.credits
