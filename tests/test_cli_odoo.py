"""``odoo dunning ...`` as an administrator runs it: the real Odoo of ``.dev``, in a subprocess.

``validate`` needs no database.  ``dry-run`` runs against the database the
session's pytest-odoo uses (``--odoo-database``), when there is one, and must
leave it as it was.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ODOO_BIN = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"
CONF = ROOT / ".dev" / "odoo.conf"
DEFAULT_POLICY = ROOT / "customer_aware_dunning" / "data" / "default_policy.yaml"
BAD = "version: 1\nsegments:\n  - key: standard\njourneys:\n  standard:\n    segments: [standard]\n    steps:\n" \
      "      - {day: ten, send: email, template: gentle_reminder}\n"

pytestmark = pytest.mark.skipif(not ODOO_BIN.exists(), reason="the .dev Odoo tree is not bootstrapped")


def odoo(*args, timeout=120):
    command = [sys.executable, str(ODOO_BIN), f"--addons-path={ROOT}", "dunning", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


# pytest-odoo opens a registry for every test module unless told otherwise: these tests only start processes.
@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield


def test_validate_a_valid_file_exits_0():
    result = odoo("validate", DEFAULT_POLICY)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{DEFAULT_POLICY}: valid policy (version 1, 5 segments, 3 journeys)\n"


def test_validate_an_invalid_file_exits_1_with_line_numbers(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = odoo("validate", bad)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:8: journeys.standard.steps[0].day: expected an integer, got 'ten' (line 8)",
        f"{bad}: 1 problem(s); the policy is not valid",
    ]


def test_validate_knows_extra_templates(tmp_path):
    custom = tmp_path / "custom.yaml"
    custom.write_text(BAD.replace("day: ten", "day: 7").replace("gentle_reminder", "courtesy_call"), encoding="utf-8")
    assert odoo("validate", custom).returncode == 1
    assert odoo("validate", custom, "--template", "courtesy_call").returncode == 0


def test_validate_an_unreadable_file_exits_2(tmp_path):
    result = odoo("validate", tmp_path / "absent.yaml")
    assert result.returncode == 2
    assert "cannot read the file" in result.stdout


def test_bad_usage_exits_2():
    assert odoo("frobnicate").returncode == 2
    assert odoo("dry-run", "--date", "yesterday").returncode == 2


def test_dry_run_against_the_database_changes_nothing(request, tmp_path):
    database = request.config.getoption("--odoo-database", default=None)
    if not database or not CONF.exists():
        pytest.skip("needs pytest-odoo's --odoo-database")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = odoo("dry-run", "-c", CONF, "-d", database, "--log-level=warn", "--policy-file", bad, timeout=300)
    assert result.returncode == 1
    assert "expected an integer, got 'ten' (line 8)" in result.stdout
    result = odoo("dry-run", "-c", CONF, "-d", database, "--log-level=warn", "--days", "30", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "(nothing is sent or recorded)" in result.stdout
    assert "customer(s)" in result.stdout.splitlines()[-1]
