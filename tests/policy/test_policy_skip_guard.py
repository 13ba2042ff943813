"""``--fail-on-skip`` (tests/skip_guard.py, passed by ``make test``) fails a session in which a test skipped."""

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SKIPPING = "import pytest\n\ndef test_runs():\n    pass\n\n@pytest.mark.skipif(True, reason='no Odoo here')\n" \
           "def test_needs_odoo():\n    pass\n"
PASSING = "def test_runs():\n    pass\n"


def run(tmp_path, source, *options):
    (tmp_path / "test_sample.py").write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    plugins = ["-p", "skip_guard", "-p", "no:cacheprovider", "-p", "no:odoo"]
    return subprocess.run([sys.executable, "-m", "pytest", *plugins, "-q", "--rootdir", str(tmp_path), *options,
                           str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)


def test_a_skipped_test_fails_the_session_with_the_option(tmp_path):
    result = run(tmp_path, SKIPPING, "--fail-on-skip")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "test_sample.py::test_needs_odoo" in result.stdout and "no Odoo here" in result.stdout


def test_without_the_option_a_skip_is_only_reported(tmp_path):
    assert run(tmp_path, SKIPPING).returncode == 0


def test_a_session_without_skips_passes_with_the_option(tmp_path):
    result = run(tmp_path, PASSING, "--fail-on-skip")
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_test_passes_the_option():
    makefile = (TESTS.parent / "Makefile").read_text(encoding="utf-8")
    test_recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "--fail-on-skip" in test_recipe
