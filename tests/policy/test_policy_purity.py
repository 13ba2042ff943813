"""The policy package imports only the standard library, PyYAML and itself; it reads no clock."""

import ast
import sys
from pathlib import Path

import pytest
from dunning_policy import schema

POLICY_DIR = Path(__file__).resolve().parents[2] / "customer_aware_dunning" / "policy"
MODULES = sorted(POLICY_DIR.glob("*.py"))


def imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", MODULES, ids=[path.stem for path in MODULES])
def test_imports_only_stdlib_and_yaml(path):
    foreign = {root for root in imported_roots(path) if root != "yaml" and root not in sys.stdlib_module_names}
    assert foreign == set()


@pytest.mark.parametrize("path", MODULES, ids=[path.stem for path in MODULES])
def test_no_clock_and_no_eval(path):
    source = path.read_text(encoding="utf-8")
    for forbidden in ("date.today(", "datetime.now(", "time.time(", "eval(", "exec(", "yaml.load(", "import random"):
        assert forbidden not in source, f"{path.name} uses {forbidden}"


def test_selection_vocabularies():
    assert [key for key, _ in schema.CASE_STATES] == ["open", "paused", "waiting_approval", "closed"]
    assert [key for key, _ in schema.OUTCOMES] == ["paid", "payment_plan", "written_off", "handed_over"]
    assert [key for key, _ in schema.CHANNELS] == ["email", "letter", "activity", "sms"]
    assert [key for key, _ in schema.OFFERS] == ["payment_plan", "new_date"]
    assert [key for key, _ in schema.OWNERS] == ["finance", "salesperson"]
