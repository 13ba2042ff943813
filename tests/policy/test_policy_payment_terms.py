"""Payment-term rules: references checked against the known terms, intents, suggestions and departures."""

import pytest
from dunning_policy.engine import LESS_GENEROUS, MORE_GENEROUS, suggest_payment_term, term_deviation
from dunning_policy.loader import load_policy

POLICY = """\
version: 1
segments:
  - key: at_risk
    when: [[on_time_ratio, "<", 0.5]]
  - key: loyal
journeys:
  standard:
    segments: [at_risk, loyal]
    steps:
      - {day: 7, send: email, template: gentle_reminder}
payment_terms:
  - when: [[segment, "=", at_risk], [credit_limit_use, ">=", 1]]
    suggest: account.account_payment_term_immediate
    intent: protect
  - when: [[segment, "=", at_risk]]
    suggest: account.account_payment_term_advance_60days
    reason: Often late.
    intent: protect
  - when: [[segment, "=", loyal]]
    suggest: account.account_payment_term_45days
    intent: reward
"""
KNOWN = {
    "account.account_payment_term_immediate",
    "account.account_payment_term_advance_60days",
    "account.account_payment_term_45days",
}


def test_known_terms_are_accepted(spec_of):
    spec = spec_of(POLICY, known_payment_terms=KNOWN)
    assert [rule.intent for rule in spec.payment_terms] == ["protect", "protect", "reward"]


def test_an_unknown_term_is_an_error_with_its_line():
    text = POLICY.replace("account.account_payment_term_45days", "account.account_payment_term_45_days")
    errors = load_policy(text, known_payment_terms=KNOWN).errors
    assert [str(error) for error in errors] == [
        "payment_terms[2].suggest: unknown payment term 'account.account_payment_term_45_days' "
        "(did you mean 'account.account_payment_term_45days'?) (line 20)"
    ]


def test_terms_are_not_checked_without_a_database(spec_of):
    # The command-line validator has no database: only the form of the reference is checked.
    spec = spec_of(POLICY.replace("account.account_payment_term_45days", "my_module.my_term"))
    assert spec.payment_terms[2].suggest == "my_module.my_term"
    assert [str(e) for e in load_policy(POLICY.replace("account.account_payment_term_45days", "45 days")).errors] == [
        "payment_terms[2].suggest: expected the XML id of a payment term (like module.record_name), "
        "got '45 days' (line 20)"
    ]


def test_intent_defaults_to_match_and_must_be_known(spec_of):
    spec = spec_of(POLICY.replace("    intent: reward\n", ""))
    assert spec.payment_terms[2].intent == "match"
    errors = load_policy(POLICY.replace("intent: reward", "intent: generous")).errors
    assert len(errors) == 1 and str(errors[0]).startswith("payment_terms[2].intent: unknown intent 'generous'")


@pytest.mark.parametrize(("facts", "expected"), [
    ({"segment": "at_risk", "credit_limit_use": 1.3}, "account.account_payment_term_immediate"),
    ({"segment": "at_risk", "credit_limit_use": 0.4}, "account.account_payment_term_advance_60days"),
    ({"segment": "at_risk"}, "account.account_payment_term_advance_60days"),  # no credit limit
    ({"segment": "loyal"}, "account.account_payment_term_45days"),
    ({"segment": "standard"}, None),
])
def test_first_matching_rule_suggests(spec_of, facts, expected):
    rule = suggest_payment_term(spec_of(POLICY), facts)
    assert (rule.suggest if rule else None) == expected


@pytest.mark.parametrize(("intent", "chosen", "suggested", "expected"), [
    ("protect", (0, 30), (-30, 42), MORE_GENEROUS),  # 30 days net where an advance was suggested
    ("protect", (-100, 0), (-30, 42), None),  # stricter than suggested: fine for a risk rule
    ("reward", (0, 30), (0, 45), LESS_GENEROUS),
    ("reward", (0, 60), (0, 45), None),
    ("match", (0, 60), (0, 45), MORE_GENEROUS),
    ("match", (0, 30), (0, 45), LESS_GENEROUS),
    ("match", (0, 45), (0, 45), None),
])
def test_departures_are_flagged_in_the_rules_direction(intent, chosen, suggested, expected):
    assert term_deviation(intent, chosen, suggested) == expected
