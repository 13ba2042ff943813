"""Payment plans, pure: the schedule within the policy's bounds, instalments matched with payments, plan states."""

from datetime import date

import jsonschema
import yaml
from conftest import load_ok
from dunning_policy.dump import dump_policy
from dunning_policy.loader import load_policy
from dunning_policy.payment_plans import (
    add_months,
    bounds_for,
    instalment_states,
    plan_state,
    propose_schedule,
    split_amount,
)
from dunning_policy.schema import PLAN_BOUND_KEYS, PLANS_KEYS, PlanBounds, PlanSettings

TODAY = date(2026, 1, 31)
BOUNDS = PlanBounds(max_instalments=6, max_months=6, min_instalment=50.0, first_within_days=14)


def test_three_monthly_instalments_within_the_bounds():
    schedule, problems = propose_schedule(1000.0, 3, date(2026, 2, 10), TODAY, BOUNDS)
    assert problems == []
    assert [(item.date, item.amount) for item in schedule] == [
        (date(2026, 2, 10), 333.33), (date(2026, 3, 10), 333.33), (date(2026, 4, 10), 333.34)]
    assert round(sum(item.amount for item in schedule), 2) == 1000.0


def test_month_ends_stay_in_their_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_split_keeps_every_cent():
    assert split_amount(100.0, 3) == [33.33, 33.33, 33.34]
    assert split_amount(0.05, 2) == [0.02, 0.03]
    assert split_amount(1000, 4, rounding=1) == [250, 250, 250, 250]


def test_each_bound_is_named_when_broken():
    cases = {
        "too many instalments": ((1000.0, 7, date(2026, 2, 1)), "At most 6 instalments."),
        "first date too late": ((1000.0, 2, date(2026, 3, 1)), "The first instalment at the latest on 2026-02-14."),
        "first date in the past": ((1000.0, 2, date(2026, 1, 30)), "The first instalment cannot be in the past."),
        "too small instalments": ((120.0, 3, date(2026, 2, 1)), "Each instalment at least 50.0."),
    }
    for name, (args, expected) in cases.items():
        schedule, problems = propose_schedule(*args, TODAY, BOUNDS)
        assert expected in [str(problem) for problem in problems], name
        assert schedule, "a preview still shows the dates and amounts"


def test_months_bound_counts_from_today():
    bounds = PlanBounds(max_instalments=12, max_months=3, min_instalment=1.0, first_within_days=14)
    _schedule, problems = propose_schedule(1000.0, 4, date(2026, 2, 10), TODAY, bounds)
    assert [str(problem) for problem in problems] == [
        "The last instalment at the latest on 2026-04-30 (3 months)."]
    assert propose_schedule(1000.0, 3, date(2026, 2, 10), TODAY, bounds)[1] == []


def test_nothing_computed_for_impossible_input():
    for args in ((1000.0, 1, date(2026, 2, 1)), (1000.0, None, date(2026, 2, 1)), (1000.0, 2.5, date(2026, 2, 1)),
                 (0.0, 3, date(2026, 2, 1)), (-5.0, 3, date(2026, 2, 1)), (1000.0, 3, None),
                 (1000.0, 10**30, date(2026, 2, 1))):
        schedule, problems = propose_schedule(*args, TODAY, BOUNDS)
        assert schedule == () and problems, args


def test_payments_go_to_instalments_in_date_order():
    plan = [(date(2026, 2, 10), 400.0), (date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0)]
    assert instalment_states(plan, 0.0, date(2026, 2, 1)) == ["due", "due", "due"]
    assert instalment_states(plan, 400.0, date(2026, 2, 11)) == ["paid", "due", "due"]
    assert instalment_states(plan, 399.0, date(2026, 2, 11)) == ["late", "due", "due"]
    assert instalment_states(plan, 699.996, date(2026, 3, 11)) == ["paid", "paid", "due"]
    assert instalment_states(plan, 1000.0, date(2026, 1, 1)) == ["paid", "paid", "paid"]


def test_plan_state_from_its_instalments():
    plan = [(date(2026, 2, 10), 400.0), (date(2026, 3, 10), 600.0)]
    assert plan_state(["due", "due"], plan, date(2026, 2, 1), 7) == "agreed"
    assert plan_state(["paid", "due"], plan, date(2026, 2, 20), 7) == "kept"
    assert plan_state(["late", "due"], plan, date(2026, 2, 16), 7) == "agreed", "six days late: not broken yet"
    assert plan_state(["late", "due"], plan, date(2026, 2, 17), 7) == "broken"
    assert plan_state(["paid", "paid"], plan, date(2026, 3, 1), 7) == "completed"


def test_a_delay_reason_override_wins_over_a_segment_one():
    loyal, cash = PlanBounds(max_instalments=12), PlanBounds(max_instalments=3, self_serve=False)
    settings = PlanSettings(by_segment=(("loyal", loyal),), by_delay_reason=(("cash_flow", cash),))
    assert bounds_for(settings, "loyal", "cash_flow") is cash
    assert bounds_for(settings, "loyal", None) is loyal
    assert bounds_for(settings, "standard", "dispute") == PlanBounds()


# ---------------------------------------------------------------------- the policy's plans section

POLICY = """version: 1
segments:
  - key: loyal
    when: [[customer_since_days, ">=", 730]]
  - key: standard
delay_reasons:
  cash_flow: {offer: payment_plan}
journeys:
  standard:
    segments: [loyal, standard]
    steps:
      - {day: 7, send: email, template: gentle_reminder}
%s
"""


def test_plans_section_with_overrides_and_reactions():
    spec = load_ok(POLICY % """plans:
  max_instalments: 4
  min_instalment: 25.5
  self_serve: false
  broken_after_days: 10
  segments: {loyal: {max_instalments: 12}}
  delay_reasons: {cash_flow: {self_serve: true}}
on_broken_plan: {send: email, template: firm_reminder}
on_broken_promise: {send: activity, to: salesperson, note: Call about the broken promise}""")
    plans = spec.plans
    assert (plans.bounds.max_instalments, plans.bounds.min_instalment, plans.bounds.self_serve) == (4, 25.5, False)
    assert plans.broken_after_days == 10
    loyal = bounds_for(plans, "loyal", None)
    assert (loyal.max_instalments, loyal.min_instalment, loyal.self_serve) == (12, 25.5, False), "the rest inherited"
    assert bounds_for(plans, "standard", "cash_flow").self_serve is True
    assert (spec.on_broken_plan.send, spec.on_broken_plan.template) == ("email", "firm_reminder")
    assert (spec.on_broken_promise.send, spec.on_broken_promise.to) == ("activity", "salesperson")
    assert load_policy(dump_policy(spec)).spec == spec


def test_plans_defaults_when_absent():
    spec = load_ok(POLICY % "")
    assert spec.plans == PlanSettings()
    assert spec.on_broken_plan is None and spec.on_broken_promise is None


def test_plans_section_errors_name_the_key_and_the_fix():
    cases = {
        "plans: {max_instalments: 1}": "plans.max_instalments: expected an integer of at least 2, got 1",
        "plans: {segments: {loyl: {max_instalments: 3}}}": "unknown segment 'loyl'",
        "plans: {delay_reasons: {cash_flow: {max_month: 3}}}": "max_month: unknown key",
        "plans: {self_serve: maybe}": "expected true or false",
        "on_broken_plan: {day: 3, send: email, template: firm_reminder}": "has no day",
        "on_broken_promise: {send: fax}": "on_broken_promise.send",
    }
    for text, expected in cases.items():
        result = load_policy(POLICY % text)
        assert result.spec is None, text
        assert any(expected in str(error) for error in result.errors), (text, [str(e) for e in result.errors])


def test_json_schema_states_the_plans_section(policy_schema):
    properties = policy_schema["properties"]
    assert set(properties["plans"]["properties"]) == set(PLANS_KEYS)
    assert set(policy_schema["$defs"]["planBounds"]["properties"]) == set(PLAN_BOUND_KEYS)
    document = yaml.safe_load(POLICY % """plans: {max_instalments: 4, segments: {loyal: {max_months: 12}}}
on_broken_plan: {send: email, template: firm_reminder}""")
    jsonschema.Draft202012Validator(policy_schema).validate(document)
    document["on_broken_plan"]["day"] = 3
    assert not jsonschema.Draft202012Validator(policy_schema).is_valid(document)
