"""``validate FILE`` exit codes and messages, in process and in a bare Python without Odoo."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from dunning_policy.cli import main, validate

POLICY_DIR = Path(__file__).resolve().parents[2] / "customer_aware_dunning" / "policy"
BAD = "version: 1\nsegments:\n  - key: standard\njourneys:\n  standard:\n    segments: [standard]\n    steps:\n" \
      "      - {day: ten, send: email, template: gentle_reminder}\n"


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    return path


def run_main(*argv):
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_valid_file_exits_0(default_policy_text, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(default_policy_text, encoding="utf-8")
    code, output = run_main("validate", str(path))
    assert code == 0
    assert output == f"{path}: valid policy (version 1, 5 segments, 3 journeys)\n"


def test_invalid_file_exits_1_with_line_numbered_messages(bad_file):
    code, output = run_main("validate", str(bad_file))
    assert code == 1
    assert output.splitlines() == [
        f"{bad_file}:8: journeys.standard.steps[0].day: expected an integer, got 'ten' (line 8)",
        f"{bad_file}: 1 problem(s); the policy is not valid",
    ]


def test_missing_file_exits_2(tmp_path):
    code, output = run_main("validate", str(tmp_path / "absent.yaml"))
    assert code == 2
    assert "cannot read the file" in output


def test_directory_exits_2(tmp_path):
    assert run_main("validate", str(tmp_path))[0] == 2


def test_bad_arguments_exit_2(capsys):
    assert main(["frobnicate"]) == 2
    assert main([]) == 2


def test_extra_templates_and_groups(tmp_path):
    path = tmp_path / "own.yaml"
    path.write_text(BAD.replace("day: ten", "day: 10").replace("gentle_reminder", "our_letter")
                    .replace("template: our_letter", "template: our_letter, approve: 'group:my_mod.bosses'"))
    assert run_main("validate", str(path))[0] == 1
    assert run_main("validate", str(path), "--template", "our_letter", "--group", "my_mod.bosses")[0] == 0


def test_huge_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (20 * 1024 * 1024))
    out = io.StringIO()
    assert validate(str(path), out=out) == 1
    assert "the limit is 262144 bytes" in out.getvalue()


BARE_PYTHON = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "standalone_policy", sys.argv[1] + "/__init__.py", submodule_search_locations=[sys.argv[1]])
module = importlib.util.module_from_spec(spec)
sys.modules["standalone_policy"] = module
spec.loader.exec_module(module)
from standalone_policy.cli import main
assert "odoo" not in sys.modules, "the policy package imported Odoo"
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(("content", "code"), [(None, 0), (BAD, 1), ("missing", 2)])
def test_subprocess_exit_codes(tmp_path, default_policy_text, content, code):
    path = tmp_path / "policy.yaml"
    if content != "missing":
        path.write_text(default_policy_text if content is None else content, encoding="utf-8")
    completed = subprocess.run([sys.executable, "-c", BARE_PYTHON, str(POLICY_DIR), "validate", str(path)],
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == code, completed.stderr
    assert completed.stderr == ""
    assert str(path) in completed.stdout
