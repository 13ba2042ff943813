"""Fixtures of the pure policy tests (the top-level conftest loads ``dunning_policy``)."""

import json
from pathlib import Path

import pytest
from dunning_policy.loader import load_policy
from pure_fixtures import enable_odoo_test_flag, load_http, load_registry  # noqa: F401  (pytest-odoo's, replaced)

ADDON = Path(__file__).resolve().parents[2] / "customer_aware_dunning"
DEFAULT_POLICY = ADDON / "data" / "default_policy.yaml"
SCHEMA_FILE = ADDON / "data" / "policy.schema.json"


def load_ok(text, **known):
    result = load_policy(text, **known)
    assert result.errors == [], "\n".join(map(str, result.errors))
    return result.spec


@pytest.fixture(scope="session")
def default_spec():
    return load_ok(DEFAULT_POLICY.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def default_policy_text():
    return DEFAULT_POLICY.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def policy_schema():
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def spec_of():
    """``spec_of(text)``: the spec of a document that must load without errors."""
    return load_ok
