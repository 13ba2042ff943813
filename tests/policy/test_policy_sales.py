"""Sales in the policy: a harsh step held while a deal is open, owner rules and the manual-only mode."""

from datetime import date, timedelta

import pytest
from dunning_policy.dump import dump_policy
from dunning_policy.engine import CaseInput, InvoiceInput, decide
from dunning_policy.facts import SEGMENT_RULE_FACTS
from dunning_policy.loader import load_policy
from dunning_policy.sales import owner_rule

POLICY = """
version: 1
segments:
  - key: strategic
    when: [[lifetime_revenue, ">=", 100000]]
  - key: standard
journeys:
  standard:
    segments: [strategic, standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder}
      - {day: 30, send: letter, template: final_notice}
      - {day: 60, send: activity, to: finance, note: Call}
"""
DEAL = "hold_while_open_deal: {min_amount: 1000, max_days: 10}\n"
OWNERS = """owners:
  - {when: [[segment, "=", strategic]], owner: salesperson, manual_only: true}
  - {owner: "group:customer_aware_dunning.group_collections_manager", assign: round_robin}
"""
GROUPS = {"known_groups": frozenset({"customer_aware_dunning.group_collections_manager"})}
DUE = date(2025, 3, 1)


def on(offset):
    return DUE + timedelta(days=offset)


def case(pipeline=0.0, **facts):
    return CaseInput(invoices=(InvoiceInput(id=1, due_date=DUE, amount_residual=500.0),),
                     facts={"open_pipeline_amount": pipeline, "lifetime_revenue": 0, **facts})


@pytest.fixture(scope="module")
def deal_spec(spec_of):
    return spec_of(POLICY + DEAL)


def test_a_harsh_step_waits_while_a_deal_is_open_and_asks_the_salesperson(deal_spec):
    decision = decide(deal_spec, case(pipeline=2500.0), on(30))
    assert (decision.kind, decision.held_by, decision.owner, decision.next_date) == (
        "hold", "open_deal", "salesperson", on(40))
    assert decision.reason == ("held: an open deal of 2500.00; step 2 (day 30, letter final_notice) waits "
                               "until 2025-04-10 unless the deal closes first")


def test_then_the_journey_goes_on(deal_spec):
    assert decide(deal_spec, case(pipeline=2500.0), on(39)).kind == "hold"
    decision = decide(deal_spec, case(pipeline=2500.0), on(40))
    assert (decision.kind, decision.step_index) == ("send_step", 1)


def test_small_or_no_deal_and_gentle_steps_are_not_held(deal_spec):
    assert decide(deal_spec, case(pipeline=999.0), on(30)).kind == "send_step"
    assert decide(deal_spec, case(), on(30)).kind == "send_step"
    assert decide(deal_spec, case(pipeline=5000.0), on(5)).kind == "send_step", "a gentle reminder goes"


def test_every_step_can_wait_and_the_owner_can_be_finance(spec_of):
    spec = spec_of(POLICY + "hold_while_open_deal: {steps: all, owner: finance}\n")
    decision = decide(spec, case(pipeline=10.0), on(5))
    assert (decision.kind, decision.owner) == ("hold", "finance")


def test_without_the_section_nothing_waits_for_a_deal(spec_of):
    assert decide(spec_of(POLICY), case(pipeline=10**6), on(30)).kind == "send_step"


def test_manual_only_makes_message_steps_wait_for_the_owner(spec_of):
    spec = spec_of(POLICY + OWNERS, **GROUPS)
    strategic = case(lifetime_revenue=200000)
    decision = decide(spec, strategic, on(5))
    assert (decision.kind, decision.step.approve, decision.step.template) == (
        "need_approval", "salesperson", "gentle_reminder")
    assert decision.reason.endswith("manual only: salesperson sends it")
    assert decide(spec, strategic, on(60)).kind == "send_step", "an activity is already a person's"
    assert decide(spec, case(), on(5)).kind == "send_step", "other segments are sent by the run"


def test_owner_rules_first_match_wins(spec_of):
    spec = spec_of(POLICY + OWNERS, **GROUPS)
    assert owner_rule(spec, {"segment": "strategic"}).owner == "salesperson"
    rule = owner_rule(spec, {"segment": "standard"})
    assert (rule.owner, rule.assign, rule.manual_only) == (
        "group:customer_aware_dunning.group_collections_manager", "round_robin", False)
    assert owner_rule(spec_of(POLICY), {"segment": "standard"}) is None


@pytest.mark.parametrize(("section", "message"), [
    ("hold_while_open_deal: {min_amount: -1}",
     "hold_while_open_deal.min_amount: expected a number of at least 0, got -1"),
    ("hold_while_open_deal: {max_days: 0}", "hold_while_open_deal.max_days: expected an integer of at least 1, got 0"),
    ("hold_while_open_deal: {max_days: 366}",
     "hold_while_open_deal.max_days: expected an integer of at most 365, got 366"),
    ("hold_while_open_deal: {steps: gentle}", "hold_while_open_deal.steps: unknown kind of steps"),
    ("hold_while_open_deal: {colour: red}", "hold_while_open_deal.colour: unknown key"),
    ("owners: [{owner: boss}]", "owners[0].owner: unknown actor 'boss'"),
    ("owners: [{when: [[segment, '=', strategic]]}]", "owners[0]: missing required key 'owner'"),
    ("owners: [{owner: finance, assign: round_robin}]", "owners[0].assign: round_robin takes turns among a group"),
    ("owners: [{owner: finance, manual_only: yes please}]", "owners[0].manual_only: expected true or false"),
    ("owners: [{owner: finance, when: [[segmnt, '=', x]]}]", "owners[0].when[0]"),
])
def test_sales_sections_are_validated_with_their_path(section, message):
    errors = [str(error) for error in load_policy(POLICY + section + "\n").errors]
    assert any(error.startswith(message) for error in errors), errors


def test_pipeline_facts_are_customer_facts():
    assert {"open_pipeline_amount", "open_quotations", "last_order_days"} <= SEGMENT_RULE_FACTS


def test_the_sales_sections_survive_a_dump_and_a_reload():
    spec = load_policy(POLICY + DEAL + OWNERS, **GROUPS).spec
    again = load_policy(dump_policy(spec), **GROUPS)
    assert again.errors == []
    assert again.spec.hold_while_open_deal == spec.hold_while_open_deal
    assert again.spec.owners == spec.owners
