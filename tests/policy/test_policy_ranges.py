"""Every number a policy writes has a range: finite, within the bounds the error states and the JSON Schema says.

Before these bounds, ``day: -1000000`` or ``pause_days: 999999999`` were accepted and
raised ``OverflowError`` in the engine, a ``.nan`` fee or margin passed every check
(NaN compares false) and ``day: 040`` was read as 32 (YAML 1.1 octal).
"""

import datetime

import pytest
from dunning_policy.engine import CaseInput, InvoiceInput, decide
from dunning_policy.loader import load_policy
from dunning_policy.schema import CONDITION_NUMBER_LIMIT, NUMBER_BOUNDS

STEP = """version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: %(day)s, send: email, template: gentle_reminder, fee: %(fee)s, compensation: %(compensation)s}
delay_reasons:
  waiting_po: {pause: true, pause_days: %(pause_days)s}
satisfaction: {ask_days_after_close: %(ask)s, repurchase_window_days: %(window)s}
portal: {max_promise_days: %(promise)s, max_instalments: %(instalments)s}
charges: {interest_margin_consumer: %(consumer)s, interest_margin_business: %(business)s}
plans: {max_instalments: %(plan_count)s, max_months: %(plan_months)s, min_instalment: %(plan_min)s,
        first_within_days: %(plan_first)s, broken_after_days: %(plan_broken)s, remind_days_before: %(plan_note)s}
hold_while_open_deal: {min_amount: %(deal_amount)s, max_days: %(deal_days)s}
credit_information: {rating_valid_days: %(rating_days)s}
"""
VALID = {"day": 7, "fee": 5, "compensation": 0, "pause_days": 10, "ask": 2, "window": 90, "promise": 30,
         "instalments": 6, "consumer": 7, "business": 8, "plan_count": 6, "plan_months": 6, "plan_min": 50,
         "plan_first": 14, "plan_broken": 7, "plan_note": 3, "deal_amount": 1000, "deal_days": 14,
         "rating_days": 365}
# Which placeholder of STEP each bound is written at, and its path in the errors.
WRITTEN_AT = {
    "step.day": ("day", "journeys.standard.steps[0].day"),
    "step.fee": ("fee", "journeys.standard.steps[0].fee"),
    "step.compensation": ("compensation", "journeys.standard.steps[0].compensation"),
    "delay_reason.pause_days": ("pause_days", "delay_reasons.waiting_po.pause_days"),
    "satisfaction.ask_days_after_close": ("ask", "satisfaction.ask_days_after_close"),
    "satisfaction.repurchase_window_days": ("window", "satisfaction.repurchase_window_days"),
    "portal.max_promise_days": ("promise", "portal.max_promise_days"),
    "portal.max_instalments": ("instalments", "portal.max_instalments"),
    "charges.interest_margin_consumer": ("consumer", "charges.interest_margin_consumer"),
    "charges.interest_margin_business": ("business", "charges.interest_margin_business"),
    "plans.max_instalments": ("plan_count", "plans.max_instalments"),
    "plans.max_months": ("plan_months", "plans.max_months"),
    "plans.min_instalment": ("plan_min", "plans.min_instalment"),
    "plans.first_within_days": ("plan_first", "plans.first_within_days"),
    "plans.broken_after_days": ("plan_broken", "plans.broken_after_days"),
    "plans.remind_days_before": ("plan_note", "plans.remind_days_before"),
    "hold_while_open_deal.min_amount": ("deal_amount", "hold_while_open_deal.min_amount"),
    "hold_while_open_deal.max_days": ("deal_days", "hold_while_open_deal.max_days"),
    "credit_information.rating_valid_days": ("rating_days", "credit_information.rating_valid_days"),
}


def errors_of(**values):
    return [str(error) for error in load_policy(STEP % {**VALID, **values}).errors]


def test_the_document_is_valid_as_written():
    assert errors_of() == []


def test_every_bound_is_written_in_the_test():
    assert set(WRITTEN_AT) == set(NUMBER_BOUNDS)


@pytest.mark.parametrize("name", sorted(NUMBER_BOUNDS))
def test_both_bounds_are_accepted(name):
    placeholder, _path = WRITTEN_AT[name]
    low, high = NUMBER_BOUNDS[name]
    assert errors_of(**{placeholder: low}) == []
    assert errors_of(**{placeholder: high}) == []


@pytest.mark.parametrize("name", sorted(NUMBER_BOUNDS))
def test_outside_the_bounds_is_refused_naming_the_bound(name):
    placeholder, path = WRITTEN_AT[name]
    low, high = NUMBER_BOUNDS[name]
    (below,) = errors_of(**{placeholder: low - 1})
    assert below.startswith(f"{path}: expected ") and f"at least {low}, got {low - 1}" in below, below
    (above,) = errors_of(**{placeholder: high + 1})
    assert above.startswith(f"{path}: expected ") and f"at most {high}, got {high + 1}" in above, above


@pytest.mark.parametrize("written", [".nan", ".inf", "-.inf", "1.0e+300"])
@pytest.mark.parametrize("name", [name for name in NUMBER_BOUNDS if name.split(".")[1] in
                                  ("fee", "compensation", "interest_margin_consumer", "interest_margin_business",
                                   "min_instalment")])
def test_amounts_and_rates_are_finite(name, written):
    placeholder, path = WRITTEN_AT[name]
    (error,) = errors_of(**{placeholder: written})
    assert error.startswith(f"{path}: expected ")
    assert str(NUMBER_BOUNDS[name][1]) in error


@pytest.mark.parametrize("written", ["-1000000", "5000000", "999999999", "1" + "0" * 30])
def test_huge_days_are_refused_not_raised_on(written):
    (day,) = errors_of(day=written)
    (pause,) = errors_of(pause_days=written)
    assert "at least -365" in day or "at most 3650" in day
    assert "at least 1" in pause or "at most 3650" in pause
    assert len(day) < 200


@pytest.mark.parametrize("days_from_due", [-400, -365, 0, 30, 3650, 4000])
def test_an_accepted_extreme_policy_decides_without_overflow(days_from_due):
    spec = load_policy(STEP % {**VALID, "day": -365, "pause_days": 3650}).spec
    due = datetime.date(2026, 6, 1)
    today = due + datetime.timedelta(days=days_from_due)
    plain = CaseInput(invoices=(InvoiceInput(1, due, 100.0),), facts={"segment": "standard"})
    paused = CaseInput(invoices=(InvoiceInput(1, due, 100.0, delay_reason="waiting_po", delay_reason_since=due),),
                       facts={"segment": "standard"})
    assert decide(spec, plain, today).kind
    assert decide(spec, paused, today).kind


@pytest.mark.parametrize(("written", "read_as"), [("040", 32), ("0_7", 7), ("-012", -10)])
def test_yaml_1_1_octal_is_refused_naming_what_it_would_read(written, read_as):
    (error,) = errors_of(day=written)
    assert error.startswith(f"journeys.standard.steps[0].day: '{written}' is an octal number in YAML 1.1 "
                            f"(it reads as {read_as})"), error
    assert "quote it" in error


@pytest.mark.parametrize(("written", "read_as"), [("1:30", 90), ("-1:00", -60), ("1:30.5", 90.5)])
def test_yaml_1_1_base_60_is_refused_naming_what_it_would_read(written, read_as):
    placeholder = "fee" if "." in written else "day"
    errors = errors_of(**{placeholder: written})
    assert any(f"'{written}' is a base-60 number in YAML 1.1 (it reads as {read_as})" in error
               for error in errors), errors


@pytest.mark.parametrize("written", ["0", "10", "'040'", "0x1F", "-7"])
def test_plain_numbers_and_quoted_text_are_not_flagged(written):
    assert not any("YAML 1.1" in error for error in errors_of(day=written))


CONDITION = """version: 1
segments:
  - key: big
    when: [[lifetime_revenue, ">=", %s]]
  - key: standard
journeys:
  standard:
    segments: [big, standard]
    steps:
      - {day: 7, send: email, template: gentle_reminder}
"""


@pytest.mark.parametrize("written", [".nan", ".inf", "-.inf", "1" + "0" * 16, "-1" + "0" * 30])
def test_condition_numbers_are_finite_and_bounded(written):
    errors = [str(error) for error in load_policy(CONDITION % written).errors]
    assert len(errors) == 1 and "segments[0].when[0]: expected a number for lifetime_revenue from" in errors[0], errors
    assert len(errors[0]) < 300


def test_condition_numbers_at_the_limit_are_read():
    assert load_policy(CONDITION % CONDITION_NUMBER_LIMIT).errors == []


def test_the_json_schema_states_the_same_bounds(policy_schema):
    def node(name):
        section, key = name.split(".")
        if section == "step":
            return policy_schema["$defs"]["step"]["properties"][key]
        if section == "delay_reason":
            options = policy_schema["$defs"]["delayReason"]["oneOf"]
            return next(option for option in options if option.get("type") == "object")["properties"][key]
        return policy_schema["properties"][section]["properties"][key]

    stated = {name: (node(name).get("minimum"), node(name).get("maximum")) for name in NUMBER_BOUNDS}
    assert stated == NUMBER_BOUNDS
