"""The published JSON Schema accepts the default policy and names the same keys as the loader."""

import jsonschema
import pytest
import yaml
from dunning_policy.conditions import OPERATORS
from dunning_policy.facts import FACTS
from dunning_policy.sales_schema import (
    DEAL_HOLD_KEYS,
    DEAL_HOLD_STEPS,
    OWNER_ASSIGNMENTS,
    OWNER_RULE_KEYS,
    SALESPERSON_NOTICE_KEYS,
    SALESPERSON_NOTICES,
)
from dunning_policy.schema import (
    ATTACHMENTS,
    CHANNELS,
    DELAY_REASON_KEYS,
    FALLBACK_KEYS,
    JOURNEY_KEYS,
    NUMBER_BOUNDS,
    OFFERS,
    OUTCOMES,
    OWNERS,
    PAYMENT_TERM_KEYS,
    PORTAL_KEYS,
    SATISFACTION_KEYS,
    SEGMENT_KEYS,
    STEP_KEYS,
    TOP_LEVEL_KEYS,
)


@pytest.fixture(scope="module")
def validator(policy_schema):
    jsonschema.Draft202012Validator.check_schema(policy_schema)
    return jsonschema.Draft202012Validator(policy_schema)


def object_keys(schema, name=None):
    node = schema if name is None else schema["$defs"][name]
    if "oneOf" in node:
        node = next(option for option in node["oneOf"] if option.get("type") == "object")
    return set(node["properties"])


def test_default_policy_is_valid_against_the_schema(validator, default_policy_text):
    validator.validate(yaml.safe_load(default_policy_text))


@pytest.mark.parametrize(("definition", "keys"), [
    (None, TOP_LEVEL_KEYS),
    ("segment", SEGMENT_KEYS),
    ("delayReason", DELAY_REASON_KEYS),
    ("journey", JOURNEY_KEYS),
    ("step", STEP_KEYS),
    ("paymentTerm", PAYMENT_TERM_KEYS),
])
def test_schema_keys_match_the_loader(policy_schema, definition, keys):
    assert object_keys(policy_schema, definition) == set(keys)


def test_settings_keys_match_the_loader(policy_schema):
    properties = policy_schema["properties"]
    assert set(properties["fallback"]["properties"]) == set(FALLBACK_KEYS)
    assert set(properties["satisfaction"]["properties"]) == set(SATISFACTION_KEYS)
    assert set(properties["portal"]["properties"]) == set(PORTAL_KEYS)
    assert set(properties["satisfaction"]["properties"]["ask_on_outcomes"]["items"]["enum"]) == set(dict(OUTCOMES))
    deal = properties["hold_while_open_deal"]["properties"]
    assert set(deal) == set(DEAL_HOLD_KEYS)
    assert set(deal["steps"]["enum"]) == set(dict(DEAL_HOLD_STEPS))
    assert set(deal["owner"]["enum"]) == set(dict(OWNERS))
    for key in ("min_amount", "max_days"):
        assert (deal[key]["minimum"], deal[key]["maximum"]) == NUMBER_BOUNDS[f"hold_while_open_deal.{key}"]
    notices = properties["tell_salesperson"]["properties"]
    assert set(notices) == set(SALESPERSON_NOTICE_KEYS)
    assert all(set(notice["enum"]) == set(dict(SALESPERSON_NOTICES)) for notice in notices.values())
    owner_rule = properties["owners"]["items"]["properties"]
    assert set(owner_rule) == set(OWNER_RULE_KEYS)
    assert set(owner_rule["assign"]["enum"]) == set(dict(OWNER_ASSIGNMENTS))


def test_schema_vocabularies_match_the_loader(policy_schema):
    defs = policy_schema["$defs"]
    step = defs["step"]["properties"]
    assert set(defs["fact"]["enum"]) == set(FACTS)
    comparison, presence = defs["condition"]["oneOf"][:2]
    assert set(comparison["prefixItems"][1]["enum"]) | set(presence["prefixItems"][1]["enum"]) == set(OPERATORS)
    assert set(step["send"]["enum"]) == set(dict(CHANNELS))
    assert set(step["attach"]["enum"]) == set(dict(ATTACHMENTS))
    reason = object_keys(policy_schema, "delayReason")
    assert reason >= {"owner", "offer"}
    reason_properties = next(o for o in defs["delayReason"]["oneOf"] if o.get("type") == "object")["properties"]
    assert set(reason_properties["owner"]["enum"]) == set(dict(OWNERS))
    assert set(reason_properties["offer"]["enum"]) == set(dict(OFFERS))


@pytest.mark.parametrize("mistake", [
    {"colour": "blue"},
    {"version": 2},
    {"journeys": {"standard": {"segments": ["standard"], "steps": [{"day": 7, "send": "fax"}]}}},
    {"segments": [{"key": "standard", "when": [["lifetime_revenue", "==", 1]]}]},
    {"hold_while_open_deal": {"max_days": 0}},
    {"owners": [{"owner": "boss"}]},
])
def test_schema_rejects_common_mistakes(validator, default_policy_text, mistake):
    document = {**yaml.safe_load(default_policy_text), **mistake}
    assert not validator.is_valid(document)
