"""The salesperson's answer to a step held for a deal, and the customer's own settings (manual only, next action)."""

from dataclasses import replace

import pytest
from dunning_policy.dump import dump_policy
from dunning_policy.engine import DealAnswer, decide
from dunning_policy.loader import load_policy
from test_policy_sales import DEAL, OWNERS, POLICY, case, on

GROUPS = {"known_groups": frozenset({"customer_aware_dunning.group_collections_manager"})}


@pytest.fixture(scope="module")
def deal_spec(spec_of):
    return spec_of(POLICY + DEAL)


def held_key(spec):
    decision = decide(spec, case(pipeline=2500.0), on(30))
    assert (decision.kind, decision.held_by) == ("hold", "open_deal")
    assert decision.step_key, "the hold names the step it holds, for the salesperson's answer"
    return decision.step_key


def test_approved_the_step_goes_on_while_the_deal_is_still_open(deal_spec):
    key = held_key(deal_spec)
    decision = decide(deal_spec, replace(case(pipeline=2500.0), deal_answer=DealAnswer(key)), on(31))
    assert (decision.kind, decision.step_key) == ("send_step", key)


def test_held_again_the_step_waits_until_their_date_and_nobody_is_asked_again(deal_spec):
    key = held_key(deal_spec)
    answered = replace(case(pipeline=2500.0), deal_answer=DealAnswer(key, held_until=on(45)))
    decision = decide(deal_spec, answered, on(41))
    assert (decision.kind, decision.held_by, decision.owner, decision.next_date) == ("hold", "open_deal", None, on(45))
    assert "the salesperson holds step 2" in decision.reason
    assert decide(deal_spec, answered, on(45)).kind == "send_step", "their date is over: the journey goes on"


def test_their_hold_ends_when_the_deal_closes(deal_spec):
    key = held_key(deal_spec)
    answered = replace(case(pipeline=0.0), deal_answer=DealAnswer(key, held_until=on(45)))
    assert decide(deal_spec, answered, on(32)).kind == "send_step"


def test_an_answer_about_another_step_changes_nothing(deal_spec):
    decision = decide(deal_spec, replace(case(pipeline=2500.0), deal_answer=DealAnswer("standard/#x/1")), on(31))
    assert (decision.kind, decision.owner) == ("hold", "salesperson")


def test_a_manual_only_customer_gets_no_automatic_message(spec_of):
    spec = spec_of(POLICY)
    manual = replace(case(), manual_only=True)
    decision = decide(spec, manual, on(5))
    assert (decision.kind, decision.step.approve, decision.step.template) == (
        "need_approval", "finance", "gentle_reminder")
    assert decision.reason.endswith("manual only: finance sends it")
    assert decide(spec, manual, on(60)).kind == "send_step", "an activity is a person's already"


def test_an_owners_rule_still_names_its_owner_for_a_manual_only_customer(spec_of):
    spec = spec_of(POLICY + OWNERS, **GROUPS)
    decision = decide(spec, replace(case(lifetime_revenue=200000), manual_only=True), on(5))
    assert decision.step.approve == "salesperson"


def test_nothing_automatic_before_the_next_action_date_set_by_hand(spec_of):
    spec = spec_of(POLICY)
    later = replace(case(), next_action_on=on(20))
    decision = decide(spec, later, on(10))
    assert (decision.kind, decision.held_by, decision.next_date) == ("hold", "next_action", on(20))
    decision = decide(spec, later, on(20))
    assert (decision.kind, decision.step.template) == ("send_step", "gentle_reminder")


def test_how_the_salesperson_hears_of_answers_is_the_policys():
    assert load_policy(POLICY).spec.tell_salesperson.customer_answer == "activity", "by default: a To-Do"
    spec = load_policy(POLICY + "tell_salesperson: {customer_answer: note, broken_promise: none}\n").spec
    assert (spec.tell_salesperson.customer_answer, spec.tell_salesperson.broken_promise) == ("note", "none")
    assert load_policy(dump_policy(spec)).spec.tell_salesperson == spec.tell_salesperson
    errors = [str(error) for error in load_policy(POLICY + "tell_salesperson: {customer_answer: email}\n").errors]
    expected = "tell_salesperson.customer_answer: unknown way to tell the salesperson"
    assert any(error.startswith(expected) for error in errors), errors
