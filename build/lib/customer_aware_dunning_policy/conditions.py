"""Conditions over facts: compile from YAML data, evaluate against a facts dict.

A condition list is an implicit AND of items.  An item is either a comparison
``[fact, operator, value]`` (``[fact, "is set"]`` / ``[fact, "is not set"]``
take no value) or a mapping with one key:

* ``{any: [item, ...]}``: at least one item holds;
* ``{all: [item, ...]}``: every item holds (same as a plain list);
* ``{not: [item, ...]}``: the items do not all hold.

An empty list always holds.  Evaluation never raises and never runs code:

* a missing or ``None`` fact matches no comparison at all, not even ``!=``,
  ``not in`` or ``not contains``; only ``is not set`` matches it (and a
  ``not`` around a comparison on it, which is then true);
* a value of the wrong kind (text where a number is expected, ``true``
  where a number is expected...) also matches no comparison;
* ``None``, ``""`` and an empty list all count as "not set".
"""

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .facts import BOOLEAN, FACTS, INTEGER, NUMBER, STRING, STRINGS

ORDERING = ("<", "<=", ">", ">=")
EQUALITY = ("=", "!=")
MEMBERSHIP = ("in", "not in")
CONTAINMENT = ("contains", "not contains")
PRESENCE = ("is set", "is not set")
OPERATORS = EQUALITY + ORDERING + MEMBERSHIP + CONTAINMENT + PRESENCE
COMBINATORS = ("any", "all", "not")

OPERATORS_BY_TYPE = {
    NUMBER: EQUALITY + ORDERING + MEMBERSHIP + PRESENCE,
    INTEGER: EQUALITY + ORDERING + MEMBERSHIP + PRESENCE,
    STRING: EQUALITY + MEMBERSHIP + PRESENCE,
    STRINGS: CONTAINMENT + PRESENCE,
    BOOLEAN: EQUALITY + PRESENCE,
}


@dataclass(frozen=True)
class Compare:
    fact: str
    op: str
    value: object = None  # a tuple for ``in`` / ``not in``


@dataclass(frozen=True)
class AnyOf:
    items: tuple


@dataclass(frozen=True)
class AllOf:
    items: tuple


@dataclass(frozen=True)
class Not:
    items: tuple


# -- evaluation ---------------------------------------------------------------


def evaluate(conditions, facts: Mapping) -> bool:
    """Whether every condition of the list holds for ``facts``."""
    return all(_holds(item, facts) for item in conditions)


def _holds(item, facts):
    if isinstance(item, Compare):
        return compare(item.op, facts.get(item.fact), item.value)
    if isinstance(item, AnyOf):
        return any(_holds(sub, facts) for sub in item.items)
    if isinstance(item, AllOf):
        return evaluate(item.items, facts)
    if isinstance(item, Not):
        return not evaluate(item.items, facts)
    return False


def compare(op: str, actual, expected) -> bool:
    """Apply one operator; ``False`` whenever the actual value is missing or of the wrong kind."""
    if op in PRESENCE:
        return _is_set(actual) == (op == "is set")
    if actual is None:
        return False
    if op in EQUALITY:
        return _same_kind(actual, expected) and (actual == expected) == (op == "=")
    if op in ORDERING:
        return _is_number(actual) and _is_number(expected) and _ORDER[op](actual, expected)
    if op in MEMBERSHIP:
        return _membership(op, actual, expected)
    if op in CONTAINMENT:
        return _containment(op, actual, expected)
    return False


_ORDER = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _membership(op, actual, expected):
    if not isinstance(expected, (tuple, list)):
        return False
    kinds = [value for value in expected if _same_kind(actual, value)]
    if not kinds:
        return False
    return (actual in kinds) == (op == "in")


def _containment(op, actual, expected):
    if not isinstance(actual, (tuple, list, set, frozenset)) or not isinstance(expected, str):
        return False
    return (expected in actual) == (op == "contains")


def _is_set(value):
    return value is not None and value != "" and not (isinstance(value, (tuple, list, set, frozenset)) and not value)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_kind(a, b):
    if _is_number(a):
        return _is_number(b)
    return type(a) is type(b) and isinstance(a, (str, bool))


# -- compilation --------------------------------------------------------------

Report = Callable[[tuple, str], None]


@dataclass(frozen=True)
class Vocabulary:
    """What conditions may say in one part of a policy.

    ``facts``: the fact names usable here; ``known_values``: for facts naming
    something the policy declares (segment, delay_reason), the declared keys.
    """

    facts: frozenset
    known_values: dict = field(default_factory=dict, hash=False)


def compile_conditions(raw, vocabulary, report: Report, path=()) -> tuple:
    """Turn YAML data into a condition tuple; problems go to ``report(path, message)``.

    ``vocabulary`` (a :class:`Vocabulary`) names the facts usable here: segment
    rules cannot read the segment, for instance.  Items with a problem are left
    out of the result.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        report(path, f"expected a list of conditions, got {describe(raw)}")
        return ()
    if raw and all(not isinstance(item, (list, dict)) for item in raw) and raw[0] in FACTS:
        report(path, f"expected a list of conditions, got a single condition; write [{_flow(raw)}] instead")
        return ()
    compiled = (_compile_item(item, vocabulary, report, (*path, index)) for index, item in enumerate(raw))
    return tuple(item for item in compiled if item is not None)


def _flow(items):
    return "[" + ", ".join(str(item) for item in items) + "]"


def _compile_item(raw, vocabulary, report, path):
    if isinstance(raw, dict):
        return _compile_combinator(raw, vocabulary, report, path)
    if isinstance(raw, list):
        return _compile_comparison(raw, vocabulary, report, path)
    report(path, f"expected a condition [fact, operator, value] or {{any|all|not: [...]}}, got {describe(raw)}")
    return None


def _compile_combinator(raw, vocabulary, report, path):
    if len(raw) != 1 or next(iter(raw)) not in COMBINATORS:
        keys = ", ".join(str(key) for key in raw) or "nothing"
        report(path, f"expected a mapping with exactly one of any, all, not; got {keys}")
        return None
    name, items = next(iter(raw.items()))
    if not isinstance(items, list) or not items:
        report((*path, name), f"expected a non-empty list of conditions, got {describe(items)}")
        return None
    compiled = compile_conditions(items, vocabulary, report, (*path, name))
    if len(compiled) != len(items):
        return None
    return {"any": AnyOf, "all": AllOf, "not": Not}[name](compiled)


def _compile_comparison(raw, vocabulary, report, path):
    if len(raw) not in (2, 3) or not isinstance(raw[0], str) or not isinstance(raw[1], str):
        report(path, f"expected a condition [fact, operator, value], got {describe(raw)}")
        return None
    name, op = raw[0], raw[1]
    if not _check_fact(name, vocabulary, report, path) or not _check_operator(name, op, report, path):
        return None
    if op in PRESENCE:
        if len(raw) == 3:
            report(path, f"operator '{op}' takes no value: write [{name}, \"{op}\"]")
            return None
        return Compare(name, op)
    if len(raw) == 2:
        report(path, f"operator '{op}' needs a value: write [{name}, \"{op}\", value]")
        return None
    value = _check_value(FACTS[name], op, raw[2], report, path)
    if value is _INVALID or not _check_known(name, value, vocabulary, report, path):
        return None
    return Compare(name, op, value)


def _check_known(name, value, vocabulary, report, path):
    known = vocabulary.known_values.get(name)
    if known is None:
        return True
    unknown = [item for item in (value if isinstance(value, tuple) else (value,)) if item not in known]
    for item in unknown:
        report(path, f"unknown {name.replace('_', ' ')} {describe(item)}{suggestion(item, known)}")
    return not unknown


def _check_fact(name, vocabulary, report, path):
    if name in vocabulary.facts:
        return True
    if name in FACTS:
        report(path, f"fact '{name}' cannot be used here ({_scope_hint(FACTS[name].scope)})")
    else:
        report(path, f"unknown fact '{name}'{suggestion(name, FACTS)}")
    return False


def _scope_hint(scope):
    if scope == "segment":
        return "segment rules decide the segment, so they cannot read it"
    return "it describes a case, so only journey steps can read it"


def _check_operator(name, op, report, path):
    if op not in OPERATORS:
        report(path, f"unknown operator '{op}'{suggestion(op, OPERATORS)}; expected one of {', '.join(OPERATORS)}")
        return False
    allowed = OPERATORS_BY_TYPE[FACTS[name].type]
    if op not in allowed:
        fact_type = FACTS[name].type
        report(path, f"operator '{op}' does not apply to {name} (a {fact_type}); use one of {', '.join(allowed)}")
        return False
    return True


_INVALID = object()


def _check_value(fact, op, value, report, path):
    if op in CONTAINMENT:
        return _expect(value, STRING, f"text for '{op}' on {fact.name}", report, path)
    if op not in MEMBERSHIP:
        return _expect(value, fact.type, f"{_article(fact.type)} for {fact.name}", report, path)
    if not isinstance(value, list) or not value:
        report(path, f"expected a non-empty list of values for '{op}', got {describe(value)}")
        return _INVALID
    checked = [_expect(item, fact.type, f"{_article(fact.type)} in the list", report, path) for item in value]
    return _INVALID if _INVALID in checked else tuple(checked)


def _expect(value, fact_type, wanted, report, path):
    ok = _is_number(value) if fact_type in (NUMBER, INTEGER) else isinstance(value, _PYTHON_TYPE[fact_type])
    if not ok:
        report(path, f"expected {wanted}, got {describe(value)}")
        return _INVALID
    return value


_PYTHON_TYPE = {STRING: str, BOOLEAN: bool, STRINGS: list}


def _article(fact_type):
    return {NUMBER: "a number", INTEGER: "a number", STRING: "text", BOOLEAN: "true or false"}.get(fact_type, fact_type)


# -- back to YAML data (for dumping a spec) -----------------------------------


def to_data(conditions) -> list:
    """The YAML data of a condition tuple (the inverse of :func:`compile_conditions`)."""
    return [_item_to_data(item) for item in conditions]


def _item_to_data(item):
    if isinstance(item, Compare):
        if item.op in PRESENCE:
            return [item.fact, item.op]
        value = list(item.value) if isinstance(item.value, tuple) else item.value
        return [item.fact, item.op, value]
    name = {AnyOf: "any", AllOf: "all", Not: "not"}[type(item)]
    return {name: to_data(item.items)}


# -- shared wording -----------------------------------------------------------


def describe(value) -> str:
    """How an error message names a value the user wrote."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return f"a {type(value).__name__} ({value})"


def suggestion(word, candidates) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
