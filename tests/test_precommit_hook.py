"""A company's own policy repository runs our validator with pre-commit, from .pre-commit-hooks.yaml.

A sample repository (git, one policy file) runs ``pre-commit try-repo <this repository>
dunning-policy-validate``, the way a company's repository would with ``repo: <our URL>``: pre-commit
clones this repository, creates the hook's virtualenv and pip-installs the repository root (the pure
validator package of pyproject.toml) into it. Offline: pip gets ``--no-index`` and a local wheelhouse
with setuptools (virtualenv's own seed wheel, the build backend) and PyYAML, packed from the ``.dev``
virtualenv with ``wheel pack``. A valid policy passes; a broken one fails with ``FILE:LINE: message``.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
import virtualenv

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLICY = ROOT / "customer_aware_dunning" / "data" / "default_policy.yaml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def run(*command, cwd, env=None, check=True):
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    if check:
        output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        assert result.returncode == 0, f"{' '.join(map(str, command))}\n{output}"
    return result


def pack_installed(distribution: str, out: Path, scratch: Path) -> None:
    """A wheel of an installed distribution (its files and dist-info as installed), for an offline pip."""
    dist = metadata.distribution(distribution)
    unpacked = scratch / f"{dist.metadata['Name']}-{dist.version}"
    site = Path(sysconfig.get_paths()["platlib"])
    for file in dist.files:
        if "__pycache__" in file.parts or file.name in ("INSTALLER", "REQUESTED", "RECORD", "direct_url.json"):
            continue
        source = site / file
        if source.is_file() and source.resolve().is_relative_to(site):
            target = unpacked / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    run(sys.executable, "-m", "wheel", "pack", "--dest-dir", out, unpacked, cwd=scratch)


@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield  # no Odoo here: pre-commit and the validator only


@pytest.fixture(scope="module")
def offline_env(tmp_path_factory):
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    for seed in (Path(virtualenv.__file__).parent / "seed" / "wheels" / "embed").glob("setuptools-*.whl"):
        shutil.copy2(seed, wheelhouse)
    pack_installed("PyYAML", wheelhouse, tmp_path_factory.mktemp("pack"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "VIRTUALENV_"))}
    env.update({
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse), "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env


@pytest.fixture(scope="module")
def policy_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("company-policies")
    shutil.copy2(DEFAULT_POLICY, repo / "policy.yaml")
    (repo / "notes.yaml").write_text("not: a policy\n")  # outside the hook's files: never checked
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    run("git", "init", "-q", cwd=repo)
    run(*git, "add", ".", cwd=repo)
    run(*git, "commit", "-qm", "policy", cwd=repo)
    return repo


def try_repo(repo, env, check=True):
    return run(sys.executable, "-m", "pre_commit", "try-repo", ROOT, "dunning-policy-validate", "--all-files",
               "--verbose", cwd=repo, env=env, check=check)


def test_hook_passes_a_valid_policy_and_fails_a_broken_one(policy_repo, offline_env):
    result = try_repo(policy_repo, offline_env)
    assert "policy.yaml: valid policy" in result.stdout
    assert "notes.yaml" not in result.stdout

    broken = DEFAULT_POLICY.read_text().replace("segments:", "segmentz:", 1)
    (policy_repo / "policies").mkdir()
    (policy_repo / "policies" / "dunning_policy_fi.yaml").write_text(broken)
    run("git", "add", ".", cwd=policy_repo)
    result = try_repo(policy_repo, offline_env, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "policies/dunning_policy_fi.yaml:" in result.stdout
    assert "the policy is not valid" in result.stdout


def test_shipped_policy_names_its_json_schema():
    first = DEFAULT_POLICY.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=policy.schema.json"
    assert (DEFAULT_POLICY.parent / "policy.schema.json").exists()
