"""Truth tables of every operator, including missing values and values of the wrong kind."""

import pytest
from dunning_policy.conditions import (
    OPERATORS,
    AllOf,
    AnyOf,
    Compare,
    Not,
    Vocabulary,
    compare,
    compile_conditions,
    evaluate,
    to_data,
)
from dunning_policy.facts import FACTS, STEP_FACTS

MISSING = None

TABLE = [
    # (operator, actual, expected, result)
    ("=", 5, 5, True),
    ("=", 5, 5.0, True),
    ("=", 5, 6, False),
    ("=", "FI", "FI", True),
    ("=", "FI", "fi", False),
    ("=", True, True, True),
    ("=", True, 1, False),
    ("=", 1, True, False),
    ("=", "5", 5, False),
    ("=", MISSING, 5, False),
    ("!=", 5, 6, True),
    ("!=", 5, 5, False),
    ("!=", "FI", "SE", True),
    ("!=", False, True, True),
    ("!=", "5", 5, False),
    ("!=", MISSING, 5, False),
    ("<", 1, 2, True),
    ("<", 2, 2, False),
    ("<", 3, 2, False),
    ("<", "1", 2, False),
    ("<", True, 2, False),
    ("<", MISSING, 2, False),
    ("<=", 2, 2, True),
    ("<=", 1.5, 2, True),
    ("<=", 3, 2, False),
    ("<=", MISSING, 2, False),
    (">", 3, 2, True),
    (">", 2, 2, False),
    (">", 0.81, 0.8, True),
    (">", [3], 2, False),
    (">", MISSING, 2, False),
    (">=", 2, 2, True),
    (">=", 1, 2, False),
    (">=", 100000.0, 100000, True),
    (">=", MISSING, 2, False),
    ("in", "FI", ("FI", "SE"), True),
    ("in", "NO", ("FI", "SE"), False),
    ("in", 3, (1, 2, 3), True),
    ("in", 3.0, (1, 2, 3), True),
    ("in", "3", (1, 2, 3), False),
    ("in", True, (1, 2), False),
    ("in", MISSING, ("FI",), False),
    ("in", "FI", "FI", False),
    ("not in", "NO", ("FI", "SE"), True),
    ("not in", "FI", ("FI", "SE"), False),
    ("not in", "3", (1, 2), False),
    ("not in", MISSING, ("FI",), False),
    ("contains", ["VIP", "Export"], "VIP", True),
    ("contains", ("VIP",), "vip", False),
    ("contains", [], "VIP", False),
    ("contains", "VIP customer", "VIP", False),
    ("contains", ["5"], 5, False),
    ("contains", MISSING, "VIP", False),
    ("not contains", ["Export"], "VIP", True),
    ("not contains", ["VIP"], "VIP", False),
    ("not contains", [], "VIP", True),
    ("not contains", "Export", "VIP", False),
    ("not contains", MISSING, "VIP", False),
    ("is set", 0, None, True),
    ("is set", False, None, True),
    ("is set", "FI", None, True),
    ("is set", ["VIP"], None, True),
    ("is set", "", None, False),
    ("is set", [], None, False),
    ("is set", MISSING, None, False),
    ("is not set", MISSING, None, True),
    ("is not set", [], None, True),
    ("is not set", "", None, True),
    ("is not set", 0, None, False),
    ("is not set", ["VIP"], None, False),
    ("no such operator", 1, 1, False),
]


@pytest.mark.parametrize(("op", "actual", "expected", "result"), TABLE)
def test_compare_truth_table(op, actual, expected, result):
    assert compare(op, actual, expected) is result


def test_every_operator_is_in_the_truth_table():
    assert {row[0] for row in TABLE} >= set(OPERATORS)


def test_every_operator_has_a_missing_value_row():
    missing_rows = {row[0] for row in TABLE if row[1] is None}
    assert missing_rows >= set(OPERATORS)


def test_an_absent_fact_behaves_as_missing():
    assert evaluate((Compare("lifetime_revenue", "!=", 5),), {}) is False
    assert evaluate((Compare("lifetime_revenue", "is not set"),), {}) is True


def test_empty_condition_list_always_holds():
    assert evaluate((), {}) is True


def test_combinators():
    big = Compare("lifetime_revenue", ">=", 1000)
    vip = Compare("tags", "contains", "VIP")
    facts = {"lifetime_revenue": 10, "tags": ["VIP"]}
    assert evaluate((AnyOf((big, vip)),), facts) is True
    assert evaluate((AllOf((big, vip)),), facts) is False
    assert evaluate((Not((big,)),), facts) is True
    assert evaluate((Not((big, vip)),), facts) is True
    assert evaluate((Not((vip,)),), facts) is False
    assert evaluate((AnyOf(()),), facts) is False


def test_not_around_a_missing_fact_is_true():
    assert evaluate((Not((Compare("avg_days_late", ">=", 30),)),), {"avg_days_late": None}) is True


def compiled(raw, facts=STEP_FACTS, known=None):
    problems = []
    result = compile_conditions(raw, Vocabulary(frozenset(facts), known or {}), lambda p, m: problems.append((p, m)))
    return result, problems


def test_compile_builds_the_tree():
    raw = [
        ["lifetime_revenue", ">=", 100],
        {"any": [["tags", "contains", "VIP"], {"not": [["is_company", "=", True]]}]},
        ["country_code", "in", ["FI", "SE"]],
        ["last_satisfaction", "is set"],
    ]
    result, problems = compiled(raw)
    assert problems == []
    assert result == (
        Compare("lifetime_revenue", ">=", 100),
        AnyOf((Compare("tags", "contains", "VIP"), Not((Compare("is_company", "=", True),)))),
        Compare("country_code", "in", ("FI", "SE")),
        Compare("last_satisfaction", "is set"),
    )
    assert to_data(result) == raw


@pytest.mark.parametrize(("raw", "path", "message"), [
    ([["nope", "=", 1]], (0,), "unknown fact 'nope'"),
    ([["tags", "=", "VIP"]], (0,), "operator '=' does not apply to tags (a list of strings); "
                                   "use one of contains, not contains, is set, is not set"),
    ([["is_company", ">", True]], (0,), "operator '>' does not apply to is_company (a boolean); "
                                        "use one of =, !=, is set, is not set"),
    ([["country_code", "<", "FI"]], (0,), "operator '<' does not apply to country_code (a string); "
                                          "use one of =, !=, in, not in, is set, is not set"),
    ([["is_company", "=", "yes"]], (0,), "expected true or false for is_company, got 'yes'"),
    ([["country_code", "=", 7]], (0,), "expected text for country_code, got 7"),
    ([["segment", "=", "gold"]], (0,), "unknown segment 'gold' (did you mean 'old'?)"),
    ([{"any": [["a"]]}], (0, "any", 0), "expected a condition [fact, operator, value], got a list"),
    ("x", (), "expected a list of conditions, got 'x'"),
])
def test_compile_reports_problems(raw, path, message):
    result, problems = compiled(raw, known={"segment": ("old", "new")})
    assert result == ()
    assert problems == [(path, message)]


def test_compile_respects_the_vocabulary():
    _, problems = compiled([["overdue_amount", ">", 1]], facts={"lifetime_revenue"})
    assert problems == [((0,), "fact 'overdue_amount' cannot be used here "
                               "(it describes a case, so only journey steps can read it)")]


def test_every_fact_has_a_known_type_and_a_description():
    for fact in FACTS.values():
        assert fact.type in ("number", "integer", "string", "list of strings", "boolean")
        assert fact.description.endswith(")") or fact.description.endswith(".")
