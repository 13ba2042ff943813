"""Every Hypothesis property of the policy tests runs derandomised (the README says CI sees the same cases)."""

import importlib
import os
from pathlib import Path

from hypothesis import settings

MODULES = sorted(path.stem for path in Path(__file__).parent.glob("test_*.py"))


def properties():
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute.startswith("test_") and hasattr(value, "hypothesis"):
                yield f"{name}.{attribute}", value


CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"  # HYPOTHESIS_PROFILE=explore: random on purpose


def test_the_ci_profile_is_loaded_unless_exploring():
    assert settings.default.derandomize is CI
    assert (settings.default.database is None) is CI


def test_every_property_is_derandomised_unless_exploring():
    found = dict(properties())
    assert len(found) >= 11, sorted(found)
    derandomised = {name: test._hypothesis_internal_use_settings.derandomize for name, test in found.items()}
    assert derandomised == dict.fromkeys(found, CI)
