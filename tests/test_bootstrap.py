"""The bootstrap's decisions, checked against this machine's real services."""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "tools" / "bootstrap.py")
bootstrap = importlib.util.module_from_spec(_spec)
sys.modules["bootstrap"] = bootstrap  # dataclasses look their module up while being built
_spec.loader.exec_module(bootstrap)


def closed_port():
    return bootstrap.free_loopback_port()


def test_environment_server_comes_first_then_the_default_one():
    assert bootstrap.candidate_servers({"PGHOST": "10.0.0.7", "PGPORT": "6543"}) == [
        ("10.0.0.7", 6543),
        ("127.0.0.1", 5432),
    ]
    assert bootstrap.candidate_servers({"PGPORT": "6000"}) == [("127.0.0.1", 6000), ("127.0.0.1", 5432)]
    assert bootstrap.candidate_servers({}) == [("127.0.0.1", 5432)]


def test_a_socket_directory_in_pghost_is_not_probed_over_tcp():
    assert bootstrap.candidate_servers({"PGHOST": "/var/run/postgresql"}) == [("127.0.0.1", 5432)]


@pytest.fixture(scope="module")
def running_server():
    """A PostgreSQL server that answers here: the one the bootstrap chose for this run."""
    conf = (ROOT / ".dev" / "odoo.conf").read_text()
    values = dict(line.split(" = ", 1) for line in conf.splitlines() if " = " in line)
    return values["db_host"], int(values["db_port"])


def test_a_running_server_is_reused(running_server):
    port = closed_port()
    chosen = bootstrap.choose_server([("127.0.0.1", port), running_server])
    assert (chosen.host, chosen.port, chosen.private) == (*running_server, False)


def test_no_answer_means_a_private_cluster():
    assert bootstrap.choose_server([("127.0.0.1", closed_port()), ("127.0.0.1", closed_port())]) is None


@pytest.fixture
def cluster_folder():
    # The postgres system user must be able to traverse it (pytest's tmp_path is private to root).
    folder = Path(tempfile.mkdtemp(prefix="cad-pg-test-"))
    folder.chmod(0o755)
    cluster = bootstrap.PrivateCluster(folder / "pg")
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_private_cluster_starts_on_loopback_with_an_odoo_role_and_restarts_on_the_same_port(cluster_folder):
    server = cluster_folder.ensure_started()
    assert server.private and server.host == "127.0.0.1"
    assert bootstrap.pg_answers(server.host, server.port)
    assert bootstrap.ensure_role(server) is True
    assert bootstrap.ensure_role(server) is False  # second time: nothing to do
    login = bootstrap.psql(server, "SELECT current_user", bootstrap.ODOO_ROLE)
    assert login.stdout.strip() == "odoo"

    assert cluster_folder.ensure_started() == server  # already running: reused as is
    cluster_folder.stop()
    assert not bootstrap.pg_answers(server.host, server.port)
    assert cluster_folder.ensure_started().port == server.port


def test_a_cluster_that_cannot_start_names_its_log(cluster_folder):
    cluster_folder.ensure_started()
    cluster_folder.stop()
    (cluster_folder.data / "postgresql.conf").write_text("this is not a setting\n")
    with pytest.raises(bootstrap.BootstrapError, match=r"read .*postgresql\.log"):
        cluster_folder.ensure_started()


def test_archive_location_is_read_from_the_machine_sources(tmp_path):
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    assert bootstrap.archive_uri(sources) == "http://mirror.example/debian"
    with pytest.raises(bootstrap.BootstrapError, match="missing"):
        bootstrap.archive_uri(tmp_path / "absent.sources")


def test_no_archive_host_is_written_in_the_repository():
    host = urlsplit(bootstrap.archive_uri()).hostname
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.split():
        path = ROOT / name
        if path.is_file():
            assert host not in path.read_text(errors="ignore"), name


def test_odoo_is_pinned_strictly_and_unpacked_completely():
    packages = {p.name: p for p in bootstrap.read_packages_lock()}
    odoo = packages["odoo-19"]
    assert odoo.strict and odoo.version == "19.0.0+dfsg-1"
    addons = bootstrap.odoo_source_dir() / "odoo" / "addons"
    assert (addons / "mail/static/lib/selfie_segmentation/selfie_segmentation.js").stat().st_size > 30000
    assert "ace/mode/yaml" in (addons / "web/static/lib/ace/mode-yaml.js").read_text()  # the policy editor's mode
    assert not [p for p in (addons / "web/static").rglob("*") if p.is_symlink() and not p.exists()]


def test_a_cached_deb_with_the_wrong_checksum_is_not_used(tmp_path):
    package = bootstrap.DebPackage("odoo-19", "sid", "19.0.0+dfsg-1", "0" * 64, strict=True)
    (tmp_path / package.filename).write_bytes(b"not the package")
    assert bootstrap._cached_deb(package, tmp_path) is None


def test_second_run_changes_nothing():
    """`make test` ran the bootstrap just before: everything is current, so nothing is redone."""
    env = {k: v for k, v in os.environ.items() if k not in ("PGHOST", "PGPORT")}
    result = subprocess.run(
        ["python3", str(ROOT / "tools" / "bootstrap.py")], capture_output=True, text=True, env=env, check=True
    )
    assert "(nothing to do)" in result.stdout, result.stdout


def test_an_unreachable_archive_is_one_clear_sentence(tmp_path):
    apt = bootstrap.PrivateApt(tmp_path / "apt", f"http://127.0.0.1:{closed_port()}/debian", ["sid"])
    with pytest.raises(bootstrap.BootstrapError, match=r"could not be reached .*check the network"):
        apt.prepare()


class _ArchiveServingOtherBytes:
    """Stands in for apt when the archive hands out a file that is not the pinned one."""

    def prepare(self):
        pass

    def download(self, spec, dest):
        name, version = spec.split("=")
        (dest / f"{name}_{version}_all.deb").write_bytes(b"tampered")
        return True, ""


def test_a_checksum_mismatch_stops_and_keeps_nothing(tmp_path):
    package = bootstrap.DebPackage("odoo-19", "sid", "19.0.0+dfsg-1", "0" * 64, strict=True)
    with pytest.raises(bootstrap.BootstrapError, match="Checksum mismatch for odoo-19"):
        bootstrap.fetch_debs([package], tmp_path, _ArchiveServingOtherBytes)
    assert not list(tmp_path.glob("*.deb"))
