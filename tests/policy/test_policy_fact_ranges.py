"""The credit facts' ranges hold wherever conditions are written, and the rating validity is a policy key.

Before, only ``credit_hold`` checked the ranges: a segment rule ``[credit_rating, ">=", 7]`` (never true on
the 1-5 scale) or a payment term on ``payment_defaults < -1`` loaded without a word, and a membership test on
an unbounded fact inside ``credit_hold`` raised ``TypeError``. The rating validity was a system parameter.
"""

import jsonschema
import pytest
import yaml
from dunning_policy.dump import dump_policy
from dunning_policy.facts import FACT_RANGES
from dunning_policy.loader import load_policy
from dunning_policy.schema import RATING_VALID_DAYS

POLICY = """version: 1
segments:
  - key: rated
    when: %(segment)s
  - key: standard
journeys:
  standard:
    segments: [rated, standard]
    steps:
      - {day: 7, send: email, template: gentle_reminder, when: %(step)s}
payment_terms:
  - {when: %(term)s, suggest: account.account_payment_term_30days}
owners:
  - {when: %(owner)s, owner: salesperson}
credit_hold:
  - {when: %(hold)s, reason: weak_rating}
"""
FINE = "[[credit_rating, '>=', 4]]"
WHERE = {
    "segment": "segments[0].when",
    "step": "journeys.standard.steps[0].when",
    "term": "payment_terms[0].when",
    "owner": "owners[0].when",
    "hold": "credit_hold[0].when",
}


def errors_of(**conditions):
    text = POLICY % {**dict.fromkeys(WHERE, FINE), **conditions}
    return [str(error) for error in load_policy(text).errors]


def test_the_document_is_valid_as_written():
    assert errors_of() == []


@pytest.mark.parametrize("section", sorted(WHERE))
@pytest.mark.parametrize(("condition", "message"), [
    ("[[credit_rating, '>=', 7]]", "credit_rating is 1 to 5; 7 is outside it"),
    ("[[credit_rating, '>', 0]]", "credit_rating is 1 to 5; 0 is outside it"),
    ("[[credit_rating, in, [2, 6]]]", "credit_rating is 1 to 5; 6 is outside it"),
    ("[{not: [[payment_defaults, '<', -1]]}]", "payment_defaults is 0 to 1000; -1 is outside it"),
    ("[[company_age_days, '<', -30]]", "company_age_days is 0 to 100000; -30 is outside it"),
    ("[[credit_rating_age_days, '>', 1.0e+6]]", "credit_rating_age_days is 0 to 100000; 1000000.0 is outside it"),
    ("[[credit_limit_use, '>', 5000]]", "credit_limit_use is 0 to 1000; 5000 is outside it"),
])
def test_a_number_outside_a_facts_range_is_refused_in_every_section(section, condition, message):
    (error,) = errors_of(**{section: condition})
    assert error.startswith(f"{WHERE[section]}: {message} (line "), error


@pytest.mark.parametrize("section", sorted(WHERE))
def test_the_ends_of_each_range_are_accepted(section):
    for fact, (low, high) in FACT_RANGES.items():
        assert errors_of(**{section: f"[[{fact}, '>=', {low}], [{fact}, '<=', {high}], [{fact}, in, [{low}]]]"}) == []


@pytest.mark.parametrize("section", sorted(WHERE))
def test_unbounded_facts_and_presence_are_left_alone(section):
    assert errors_of(**{section: "[[customer_since_days, in, [-5, 10]], [credit_rating, 'is not set']]"}) == []


def test_the_json_schema_states_the_same_ranges(policy_schema):
    stated = {}
    for rule in policy_schema["$defs"]["factRanges"]["allOf"]:
        fact = rule["if"]["prefixItems"][0]["const"]
        value = rule["then"]["prefixItems"][2]
        assert value["items"] == {key: value[key] for key in ("minimum", "maximum")}
        stated[fact] = (value["minimum"], value["maximum"])
    assert stated == FACT_RANGES


@pytest.mark.parametrize(("condition", "valid"), [
    ([["credit_rating", ">=", 4]], True),
    ([["credit_rating", "in", [1, 5]]], True),
    ([["customer_since_days", ">=", -5]], True),
    ([["credit_rating", ">=", 7]], False),
    ([{"any": [["credit_rating", "in", [0, 2]]]}], False),
    ([["payment_defaults", ">", -1]], False),
    ([["company_age_days", "<", 100001]], False),
])
def test_the_json_schema_refuses_what_the_loader_refuses(policy_schema, condition, valid):
    document = yaml.safe_load(POLICY % dict.fromkeys(WHERE, FINE))
    document["segments"][0]["when"] = condition
    validator = jsonschema.Draft202012Validator(policy_schema)
    assert validator.is_valid(document) is valid
    assert (load_policy(yaml.safe_dump(document)).errors == []) is valid


# -- the rating validity ------------------------------------------------------------------------------------------

BASE = POLICY % dict.fromkeys(WHERE, FINE)


def test_the_validity_is_read_from_the_policy_and_round_trips(spec_of):
    spec = spec_of(BASE + "credit_information: {rating_valid_days: 30}\n")
    assert spec.credit_information.rating_valid_days == 30
    assert spec.credit_information.valid_days() == 30
    assert spec_of(dump_policy(spec)).credit_information == spec.credit_information


def test_without_the_key_a_rating_counts_for_a_year(spec_of, default_spec):
    unwritten = spec_of(BASE).credit_information
    assert unwritten.rating_valid_days is None
    assert unwritten.valid_days() == RATING_VALID_DAYS == 365
    assert unwritten.valid_days(unwritten=200) == 200, "a parameter an earlier version left is the fallback"
    assert default_spec.credit_information.valid_days() == 365


@pytest.mark.parametrize(("section", "message"), [
    ("credit_information: {rating_valid_days: 0}", "credit_information.rating_valid_days: expected "),
    ("credit_information: {rating_valid_days: 3651}", "credit_information.rating_valid_days: expected "),
    ("credit_information: {rating_valid_days: soon}", "credit_information.rating_valid_days: expected "),
    ("credit_information: {valid_days: 30}", "credit_information.valid_days"),
    ("credit_information: [30]", "credit_information: expected "),
])
def test_a_wrong_validity_is_refused(section, message):
    errors = [str(error) for error in load_policy(BASE + section + "\n").errors]
    assert any(error.startswith(message) for error in errors), errors


def test_the_json_schema_states_the_validity(policy_schema):
    validator = jsonschema.Draft202012Validator(policy_schema)
    document = yaml.safe_load(BASE)
    assert validator.is_valid({**document, "credit_information": {"rating_valid_days": 30}})
    for wrong in ({"rating_valid_days": 0}, {"rating_valid_days": 3651}, {"valid_days": 30}):
        assert not validator.is_valid({**document, "credit_information": wrong}), wrong
