"""The policy's credit_hold section: loaded, checked with ranges, dumped, and the rules that hold a document."""

import jsonschema
import pytest
import yaml
from dunning_policy.credit_hold import DEFAULT_RULES, credit_hold_reasons
from dunning_policy.dump import dump_policy
from dunning_policy.loader import load_policy

BASE = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder}
"""
CUSTOM = BASE + """credit_hold:
  - when: [[payment_defaults, ">=", 1]]
    reason: payment_defaults
  - when: [[credit_limit_use, ">", 1.2]]
    reason: Far over the limit; ask the CFO.
    documents: [quotation]
"""


def errors_of(text):
    return [str(error) for error in load_policy(text).errors]


def test_the_default_policy_holds_as_the_built_in_rules(default_spec):
    assert default_spec.credit_hold == DEFAULT_RULES
    facts = {"registry_status": "bankruptcy", "credit_rating": 2, "credit_limit_use": 1.5}
    assert credit_hold_reasons(default_spec.credit_hold, facts, "quotation") == [
        "insolvent", "weak_rating", "over_limit"]
    assert credit_hold_reasons(default_spec.credit_hold, {"credit_rating": 3, "credit_limit_use": 1.0},
                               "invoice") == []
    assert credit_hold_reasons(default_spec.credit_hold, {}, "invoice") == [], "unknown facts hold nothing"


def test_without_the_section_the_built_in_rules_apply_and_an_empty_one_holds_nothing(spec_of):
    assert spec_of(BASE).credit_hold is None
    assert credit_hold_reasons(None, {"credit_rating": 1}, "invoice") == ["weak_rating"]
    empty = spec_of(BASE + "credit_hold: []\n")
    assert empty.credit_hold == ()
    assert credit_hold_reasons(empty.credit_hold, {"credit_rating": 1}, "invoice") == []


def test_custom_rules_read_the_facts_and_the_document(spec_of):
    spec = spec_of(CUSTOM)
    facts = {"payment_defaults": 2, "credit_limit_use": 1.3}
    assert credit_hold_reasons(spec.credit_hold, facts, "quotation") == [
        "payment_defaults", "Far over the limit; ask the CFO."]
    assert credit_hold_reasons(spec.credit_hold, facts, "invoice") == ["payment_defaults"]
    assert credit_hold_reasons(spec.credit_hold, {"payment_defaults": 0, "credit_rating": 1}, "invoice") == []


def test_the_section_round_trips_through_the_dump(spec_of):
    spec = spec_of(CUSTOM)
    assert spec_of(dump_policy(spec)).credit_hold == spec.credit_hold


@pytest.mark.parametrize(("section", "message"), [
    ("credit_hold: {when: []}", "credit_hold: expected a list"),
    ("credit_hold:\n  - {reason: insolvent}", "credit_hold[0]: missing required key 'when'"),
    ("credit_hold:\n  - {when: [[credit_rating, '<=', 2]]}", "credit_hold[0]: missing required key 'reason'"),
    ("credit_hold:\n  - {when: [], reason: x}", "credit_hold[0].when: expected at least one condition"),
    ("credit_hold:\n  - {when: [[credit_rating, '<=', 7]], reason: x}",
     "credit_hold[0].when: credit_rating is 1 to 5; 7 is outside it"),
    ("credit_hold:\n  - {when: [{any: [[payment_defaults, '>', -1]]}], reason: x}",
     "credit_hold[0].when: payment_defaults is 0 to 1000; -1 is outside it"),
    ("credit_hold:\n  - {when: [[credit_rating, '<=', 2]], reason: ''}", "credit_hold[0].reason: expected a reason"),
    ("credit_hold:\n  - {when: [[credit_rating, '<=', 2]], reason: x, documents: [order]}",
     "credit_hold[0].documents[0]: unknown document 'order'"),
    ("credit_hold:\n  - {when: [[credit_rating, '<=', 2]], reason: x, documents: []}",
     "credit_hold[0].documents: expected quotation, invoice or both"),
    ("credit_hold:\n  - {when: [[days_overdue, '>', 2]], reason: x}", "credit_hold[0].when[0]"),
    ("credit_hold:\n  - {when: [[credit_rating, '<=', 2]], reason: x, colour: red}", "credit_hold[0].colour"),
])
def test_a_wrong_section_is_refused_with_where_and_why(section, message):
    errors = errors_of(BASE + section + "\n")
    assert any(message in error for error in errors), errors


def test_the_json_schema_says_the_same(policy_schema):
    validator = jsonschema.Draft202012Validator(policy_schema)
    assert not list(validator.iter_errors(yaml.safe_load(CUSTOM)))
    for wrong in ("credit_hold:\n  - {reason: x}", "credit_hold:\n  - {when: [], reason: x}",
                  "credit_hold:\n  - {when: [[credit_rating, '<=', 2]], reason: x, documents: [order]}"):
        assert list(validator.iter_errors(yaml.safe_load(BASE + wrong))), wrong
