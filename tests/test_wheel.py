"""The addon installs the way OCA addons are installed: from its wheel.

``pip wheel customer_aware_dunning/`` builds the wheel with OCA's whool (the build backend named in
the addon's ``pyproject.toml``, pinned in ``requirements.lock``), offline: ``--no-build-isolation``
and ``--no-index``.  A fresh virtualenv beside the bootstrapped Odoo (a ``.pth`` adds the ``.dev``
virtualenv's site-packages, which hold Odoo and its dependencies) installs it with pip, offline, and the
wheel's requirements (``odoo==19.0.*``, PyYAML) must be met by that environment.  Then that
virtualenv's Odoo installs the addon into a new database, ``cad_wheel_<test database>``, with an
addons path that does not name the repository: the addon is found in the wheel's ``odoo/addons``.
"""

import configparser
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
ODOO_BIN = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"
CONF = ROOT / ".dev" / "odoo.conf"
ADDON = "customer_aware_dunning"

# Run by the new virtualenv's Python: the installed wheel's requirements it does not meet.
CHECK_REQUIREMENTS = f"""
from importlib import metadata
from packaging.requirements import Requirement
unmet = []
for line in metadata.requires("odoo-addon-{ADDON}"):
    requirement = Requirement(line)
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        unmet.append(line)
        continue
    if not requirement.specifier.contains(version, prereleases=True):
        unmet.append(f"{{line}} (found {{version}})")
print(", ".join(unmet))
"""

pytestmark = pytest.mark.skipif(not CONF.exists(), reason="the .dev Odoo tree is not bootstrapped")


def run(*command, timeout=900):
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=timeout,
                            cwd=ROOT)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def options():
    parser = configparser.ConfigParser()
    parser.read(CONF)
    return parser["options"]


def drop(database):
    run(sys.executable, ROOT / "tools" / "devdb.py", "drop", database)


@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield  # pytest-odoo's registry is not needed: everything runs in subprocesses


@pytest.fixture(scope="module")
def database(request):
    base = request.config.getoption("--odoo-database", default=None) or "cad_test"
    name = "cad_wheel_" + base.removeprefix("cad_")
    drop(name)
    yield name
    drop(name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheelhouse")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-build-isolation", "--no-index", "--no-deps",
        "--wheel-dir", out, ROOT / ADDON)
    wheels = list(out.glob(f"odoo_addon_{ADDON}-19.0.*-py3-none-any.whl"))
    assert len(wheels) == 1, f"one wheel named odoo_addon_{ADDON}-19.0.*.whl, found {list(out.iterdir())}"
    return wheels[0]


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A new virtualenv that sees the bootstrapped Odoo through a .pth, but not the repository."""
    path = tmp_path_factory.mktemp("venv") / "env"
    run(sys.executable, "-m", "venv", "--without-pip", path)
    python = path / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    dev_site = sysconfig.get_paths()["purelib"]
    # addsitedir, not a bare path: the .dev site-packages' own .pth (the Debian Odoo tree) is read too.
    (Path(site) / "dev-odoo.pth").write_text(f"import site; site.addsitedir({dev_site!r})\n")
    return python, Path(site)


def test_wheel_contents(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert f"odoo/addons/{ADDON}/__manifest__.py" in names
    assert f"odoo/addons/{ADDON}/static/description/icon.png" in names
    assert f"odoo/addons/{ADDON}/data/policy.schema.json" in names
    requires = sorted(line.split(":", 1)[1].strip() for line in metadata.splitlines()
                      if line.startswith("Requires-Dist:"))
    assert requires == ["PyYAML", "odoo==19.0.*"]
    assert "example.invalid" not in metadata


def test_addon_installs_from_the_wheel_into_a_new_database(wheel, venv, database):
    python, site = venv
    # pip of the .dev virtualenv installs into the new one (--python), offline. --no-deps: the Debian
    # Odoo's metadata asks for psycopg2 where psycopg2-binary is installed (requirements.lock), so
    # pip's resolver would refuse Odoo itself; the wheel's own requirements are checked right after.
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index", "--no-deps", wheel)
    unmet = run(python, "-c", CHECK_REQUIREMENTS).stdout.strip()
    assert unmet == "", f"requirements of the wheel the environment does not meet: {unmet}"
    installed = site / "odoo" / "addons" / ADDON / "__manifest__.py"
    assert installed.exists()
    found = run(python, "-c", f"import odoo.addons.{ADDON} as m; print(m.__file__)").stdout.strip()
    assert Path(found).is_relative_to(site), f"the addon is imported from {found}, not from the wheel"

    section = options()
    odoo_addons = ROOT / ".dev" / "odoo" / "usr" / "lib" / "python3" / "dist-packages" / "odoo" / "addons"
    conf = site.parent / "wheel-odoo.conf"
    conf.write_text(
        "[options]\n"
        f"addons_path = {odoo_addons}\n"
        f"data_dir = {site.parent / 'data'}\n"
        f"db_host = {section.get('db_host')}\ndb_port = {section.get('db_port')}\ndb_user = {section.get('db_user')}\n"
    )
    run(python, ODOO_BIN, "-c", conf, "-d", database, "-i", ADDON, "--stop-after-init", "--no-http",
        "--log-level=warn", "--max-cron-threads=0")
    connection = psycopg2.connect(dbname=database, host=section.get("db_host"), port=section.get("db_port"),
                                  user=section.get("db_user"))
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT state, latest_version FROM ir_module_module WHERE name = %s", [ADDON])
        state, version = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM dunning_policy")
        policies = cursor.fetchone()[0]
    connection.close()
    assert state == "installed"
    assert version.startswith("19.0.")
    assert policies >= 1, "the shipped default policy is loaded"
