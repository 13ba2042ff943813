"""Fixtures for the pure test folders (tests/policy, tests/credit): no Odoo registry, no database.

pytest-odoo, when installed, adds autouse fixtures that open an Odoo registry on a database; a
folder's conftest imports these same-named ones to replace them, so its tests run with or without
the plugin and a database.
"""

import pytest


@pytest.fixture(scope="session")
def load_registry():
    yield


@pytest.fixture(scope="session")
def load_http():
    yield


@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield
