"""Property-based tests: the loader never crashes, and valid policies round-trip."""

import copy

import pytest
import yaml
from dunning_policy import facts as fact_vocabulary
from dunning_policy.conditions import MEMBERSHIP, OPERATORS_BY_TYPE, PRESENCE
from dunning_policy.dump import dump_policy, spec_to_data
from dunning_policy.errors import PolicyError
from dunning_policy.loader import load_policy
from dunning_policy.schema import (
    ATTACHMENTS,
    CHANNELS,
    DEFAULT_GROUPS,
    DEFAULT_TEMPLATES,
    OFFERS,
    OUTCOMES,
    OWNERS,
    STEP_KEYS,
    TOP_LEVEL_KEYS,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def fast(examples):
    return settings(deadline=None, max_examples=examples,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_clean(result):
    assert (result.spec is None) == bool(result.errors)
    for error in result.errors:
        assert isinstance(error, PolicyError)
        assert isinstance(str(error), str)
        assert error.line is None or error.line >= 1


# -- never crashes ---------------------------------------------------------------


@fast(1000)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    assert_clean(load_policy(text))


@fast(300)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data):
    assert_clean(load_policy(data))


YAML_PUNCTUATION = st.sampled_from(["- ", ": ", "\n", "  ", "[", "]", "{", "}", ", ", "&a ", "*a", "<<: ", "!!", "'",
                                    '"', "#", "---\n", "? ", "|\n", ">\n", "version: 1\n", "day: ", "steps:\n"])


@fast(800)
@given(st.lists(st.one_of(YAML_PUNCTUATION, st.text(max_size=5)), max_size=40).map("".join))
def test_yaml_shaped_text_never_crashes(text):
    assert_clean(load_policy(text))


KEYS = st.sampled_from([*TOP_LEVEL_KEYS, *STEP_KEYS, "key", "segments", "when", "any", "not", "pause", "x"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=10), st.sampled_from(["email", "standard", ">=", "lifetime_revenue", "is set"]))
STRUCTURES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(KEYS, st.text(max_size=5)), inner, max_size=4)),
    max_leaves=25)


@fast(500)
@given(STRUCTURES)
def test_arbitrary_yaml_structures_never_crash(data):
    assert_clean(load_policy(yaml.safe_dump(data)))


def _paths(data, prefix=()):
    yield prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from _paths(value, (*prefix, key))


@pytest.fixture(scope="module")
def default_document(default_policy_text):
    return yaml.safe_load(default_policy_text)


@fast(100)
@given(st.data())
def test_mutated_default_policy_never_crashes(default_document, data):
    document = copy.deepcopy(default_document)
    paths = list(_paths(document))[1:]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = data.draw(STRUCTURES)
        except (KeyError, IndexError, TypeError):
            continue
    assert_clean(load_policy(yaml.safe_dump(document, sort_keys=False)))


# -- valid policies round-trip ------------------------------------------------------

IDENTIFIERS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn")), max_size=20)
NUMBERS = st.one_of(st.integers(-10**9, 10**9), st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: round(x, 3)))
VALUES = {
    "number": NUMBERS,
    "integer": st.integers(-10**6, 10**6),
    "string": TEXT,
    "boolean": st.booleans(),
}


@st.composite
def comparisons(draw, facts, known):
    name = draw(st.sampled_from(sorted(facts)))
    fact = fact_vocabulary.FACTS[name]
    op = draw(st.sampled_from(OPERATORS_BY_TYPE[fact.type]))
    if op in PRESENCE:
        return [name, op]
    if name in known:
        values = st.sampled_from(known[name])
    elif fact.type == "list of strings":
        values = TEXT
    elif name in fact_vocabulary.FACT_RANGES:  # a number outside the fact's range is refused
        values = st.integers(*fact_vocabulary.FACT_RANGES[name])
    else:
        values = VALUES[fact.type]
    value = draw(st.lists(values, min_size=1, max_size=3)) if op in MEMBERSHIP else draw(values)
    return [name, op, value]


def condition_lists(facts, known, min_size=0):
    leaf = comparisons(facts, known)
    item = st.recursive(leaf, lambda inner: st.dictionaries(
        st.sampled_from(["any", "all", "not"]), st.lists(inner, min_size=1, max_size=3), min_size=1, max_size=1),
        max_leaves=5)
    return st.lists(item, min_size=min_size, max_size=3)


ACTORS = st.sampled_from(["finance", "salesperson", *(f"group:{xmlid}" for xmlid in sorted(DEFAULT_GROUPS))])


@st.composite
def steps(draw, facts, known):
    days = sorted(draw(st.sets(st.integers(-15, 120), min_size=1, max_size=5)))
    result = []
    for day in days:
        send = draw(st.sampled_from([key for key, _ in CHANNELS]))
        step = {"day": day, "send": send}
        if send != "activity":
            step["template"] = draw(st.sampled_from(sorted(DEFAULT_TEMPLATES)))
            if draw(st.booleans()):
                step["attach"] = draw(st.sampled_from([key for key, _ in ATTACHMENTS]))
        optional = {
            "to": ACTORS,
            "approve": ACTORS,
            "when": condition_lists(facts, known),
            "note": TEXT,
            "harsh": st.booleans(),
        }
        for key, strategy in optional.items():
            if draw(st.booleans()):
                step[key] = draw(strategy)
        result.append(step)
    return result


@st.composite
def policies(draw):
    segment_keys = draw(st.lists(IDENTIFIERS, min_size=1, max_size=4, unique=True))
    journey_keys = draw(st.lists(IDENTIFIERS, min_size=1, max_size=3, unique=True))
    reason_keys = draw(st.lists(IDENTIFIERS, max_size=3, unique=True))
    known = {"segment": segment_keys, "delay_reason": reason_keys}
    no_reasons = set() if reason_keys else {"delay_reason"}  # a condition on it needs a declared reason
    rule_facts = fact_vocabulary.SEGMENT_RULE_FACTS
    segments = []
    for index, key in enumerate(segment_keys):
        segment = {"key": key, "label": draw(TEXT)}
        if index < len(segment_keys) - 1:
            segment["when"] = draw(condition_lists(rule_facts, known, min_size=1))
        segments.append(segment)
    owners = {key: draw(st.sampled_from(journey_keys)) for key in segment_keys}
    journeys = {
        key: {"segments": [segment for segment in segment_keys if owners[segment] == key],
              "steps": draw(steps(fact_vocabulary.STEP_FACTS - no_reasons, known))}
        for key in journey_keys
    }
    reasons = {}
    for key in reason_keys:
        reason = {}
        if draw(st.booleans()):
            reason["pause"] = True
            if draw(st.booleans()):
                reason["pause_days"] = draw(st.integers(1, 60))
        for name, choices in (("owner", OWNERS), ("offer", OFFERS)):
            if draw(st.booleans()):
                reason[name] = draw(st.sampled_from([choice for choice, _ in choices]))
        if draw(st.booleans()):
            reason["journey"] = draw(st.sampled_from(journey_keys))
        reasons[key] = reason
    document = {"version": 1, "segments": segments, "journeys": journeys}
    if reasons:
        document["delay_reasons"] = reasons
    if draw(st.booleans()):
        document["satisfaction"] = {
            "ask_days_after_close": draw(st.integers(0, 30)),
            "repurchase_window_days": draw(st.integers(1, 365)),
            "ask_on_outcomes": draw(st.lists(st.sampled_from([key for key, _ in OUTCOMES]), max_size=4)),
        }
    if draw(st.booleans()):
        document["payment_terms"] = [
            {"when": draw(condition_lists(fact_vocabulary.PAYMENT_TERM_FACTS, known)),
             "suggest": draw(st.sampled_from(["account.account_payment_term_30days", "my_mod.term_x"])),
             "reason": draw(TEXT)}
            for _ in range(draw(st.integers(0, 2)))
        ]
    return document


@settings(deadline=None, max_examples=120, suppress_health_check=list(HealthCheck))
@given(policies())
def test_valid_generated_policies_round_trip(document):
    text = yaml.safe_dump(copy.deepcopy(document), sort_keys=False, allow_unicode=True)
    first = load_policy(text)
    assert first.errors == [], "\n".join(map(str, first.errors)) + "\n" + text
    second = load_policy(dump_policy(first.spec))
    assert second.errors == []
    assert second.spec == first.spec
    assert hash(second.spec) == hash(first.spec)
    assert spec_to_data(second.spec) == spec_to_data(first.spec)


def test_default_policy_round_trips(default_spec):
    assert load_policy(dump_policy(default_spec)).spec == default_spec
