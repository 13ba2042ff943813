"""Top-level pytest configuration.

The policy engine lives inside the addon (``customer_aware_dunning/policy``) but
imports nothing from Odoo.  Importing it as ``customer_aware_dunning.policy``
would run the addon's ``__init__`` (and the ORM models) outside Odoo, so the
pure tests load the folder under its own name, ``dunning_policy``.
"""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "customer_aware_dunning" / "policy"


def _load_policy_package():
    if "dunning_policy" in sys.modules:
        return sys.modules["dunning_policy"]
    spec = importlib.util.spec_from_file_location(
        "dunning_policy",
        POLICY_DIR / "__init__.py",
        submodule_search_locations=[str(POLICY_DIR)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["dunning_policy"] = module
    spec.loader.exec_module(module)
    return module


_load_policy_package()


# Hypothesis: every property is derandomised (the "ci" profile, the default), so CI and every
# developer see the same cases and a red run is reproducible.  HYPOTHESIS_PROFILE=explore draws
# new random cases (to look for bugs; a failure prints the seed to replay).
try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # the Odoo-side tests run without hypothesis too
    _hypothesis_settings = None
if _hypothesis_settings is not None:
    _hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
    _hypothesis_settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from skip_guard import pytest_addoption, pytest_sessionfinish  # noqa: E402, F401  (--fail-on-skip)
