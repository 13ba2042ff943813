#!/usr/bin/env python3
"""Prepare this machine to run and test customer_aware_dunning.

Idempotent; standard library only, so it runs before any virtualenv exists.

1. Odoo 19 Community and the web assets Debian split out of it are downloaded
   from Debian's archive (location read from the machine's own apt sources,
   through a private apt configuration that leaves the system untouched),
   verified against ``tools/debian-packages.lock`` and unpacked into
   ``.dev/odoo``.
2. ``.dev/venv`` gets Odoo's Python dependencies and our tools, pinned by
   ``requirements.lock``; a ``.pth`` file makes the unpacked ``odoo`` importable.
3. A PostgreSQL server that answers is found (``PGHOST``/``PGPORT``, then
   127.0.0.1:5432) or a private cluster is created under ``.dev/pg`` on a free
   loopback port; an ``odoo`` role with CREATEDB is ensured.
4. ``.dev/odoo.conf`` is written for the Makefile's commands.

Downloads are cached in ``~/.cache/customer_aware_dunning`` so a fresh clone on
a warm machine fetches nothing.  Every step is skipped when its stamp says it
is current, so a second run takes a few seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("CAD_DEV_DIR", ROOT / ".dev"))
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "customer_aware_dunning"
PACKAGES_LOCK = ROOT / "tools" / "debian-packages.lock"
REQUIREMENTS_LOCK = ROOT / "requirements.lock"
SYSTEM_APT_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
ODOO_ROLE = "odoo"
DEFAULT_PG = ("127.0.0.1", 5432)
# Debian's source package excludes this file (Files-Excluded) but mail's backend bundle lists
# it; the same upstream release comes from the npm registry. Also Ace's YAML mode, which Odoo does
# not ship, from the release of the Ace Odoo bundles.
NPM_RESTORED_FILES = (
    (
        "@mediapipe/selfie_segmentation@0.1.1632777926",
        "2ae56af9b63ba264fb604f769de21ee9ac61ce0db9299efbca00d8784b7aa104",
        "package/selfie_segmentation.js",
        "mail/static/lib/selfie_segmentation/selfie_segmentation.js",
    ),
    # Odoo ships Ace 1.36.3 without its YAML mode; the addon's policy editor highlights YAML with it.
    (
        "ace-builds@1.36.3",
        "5399411ff644c5bc144e6aad2b606d2d4920be6eb674cc46a155287359ba7275",
        "package/src/mode-yaml.js",
        "web/static/lib/ace/mode-yaml.js",
    ),
)
# From the machine's own bookworm sources: Chromium for the HttpCase browser tests, wkhtmltopdf for
# every PDF Odoo prints (invoices, collection letters).
SYSTEM_PACKAGES = ("chromium", "wkhtmltopdf")


class BootstrapError(Exception):
    """A failure explained in one sentence: what is wrong and what to do."""


def log(message):
    print(f"[bootstrap] {message}", flush=True)


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    kwargs.setdefault("text", True)
    return subprocess.run([str(c) for c in cmd], **kwargs)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stamp_is(path, content):
    return path.exists() and path.read_text() == content


# --------------------------------------------------------------------------- Debian


@dataclass(frozen=True)
class DebPackage:
    name: str
    suite: str
    version: str
    sha256: str
    strict: bool

    @property
    def filename(self):
        # apt-get download escapes the epoch colon as %3a
        return f"{self.name}_{self.version.replace(':', '%3a')}_all.deb"


def read_packages_lock(path=PACKAGES_LOCK):
    packages = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, suite, version, sha256, strict = line.split()
            packages.append(DebPackage(name, suite, version, sha256, strict == "yes"))
    return packages


def archive_uri(sources_file=SYSTEM_APT_SOURCES):
    """The Debian archive this machine is configured to use (never hard-coded)."""
    if not sources_file.exists():
        raise BootstrapError(
            f"{sources_file} is missing, so the Debian archive location is unknown: "
            "run on a Debian machine with its standard apt sources."
        )
    for stanza in sources_file.read_text().split("\n\n"):
        fields = dict(line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line.startswith("#"))
        suites = fields.get("Suites", "").split()
        if "bookworm" in suites or any(s in suites for s in ("trixie", "sid", "stable")):
            return fields["URIs"].split()[0].strip()
    raise BootstrapError(f"No Debian archive stanza found in {sources_file}: add the standard one.")


class PrivateApt:
    """apt-get with its own sources, lists and cache: the system's apt state is untouched."""

    def __init__(self, folder, uri, suites):
        self.folder = folder
        self.uri = uri
        self.suites = suites

    @property
    def options(self):
        f = self.folder
        options = [
            "-o",
            "Dir::Etc::sourcelist=/dev/null",
            "-o",
            f"Dir::Etc::sourceparts={f / 'sources'}",
            "-o",
            f"Dir::State::Lists={f / 'lists'}",
            "-o",
            f"Dir::Cache={f / 'cache'}",
            "-o",
            "Debug::NoLocking=1",
        ]
        if os.geteuid() == 0:  # files land in a root-owned cache the _apt user cannot write
            options += ["-o", "APT::Sandbox::User=root"]
        return options

    def prepare(self):
        for sub in ("sources", "lists/partial", "cache/archives/partial"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        (self.folder / "sources" / "debian.sources").write_text(
            f"Types: deb\nURIs: {self.uri}\nSuites: {' '.join(self.suites)}\nComponents: main\nSigned-By: {KEYRING}\n"
        )
        result = run(["apt-get", *self.options, "update"], capture_output=True, check=False)
        if result.returncode != 0 or "Err:" in result.stdout:
            raise BootstrapError(
                f"The Debian archive at {self.uri} could not be reached ({_last_line(result)}): "
                "check the network, then run the bootstrap again."
            )

    def download(self, spec, dest):
        result = run(["apt-get", *self.options, "download", spec], cwd=dest, capture_output=True, check=False)
        return result.returncode == 0, _last_line(result)


def _last_line(result):
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit code {result.returncode}"


def fetch_debs(packages, deb_cache, apt_factory):
    """Ensure every locked package is in ``deb_cache``; returns the .deb paths."""
    deb_cache.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not _cached_deb(p, deb_cache)]
    apt = None
    paths = []
    for package in packages:
        path = _cached_deb(package, deb_cache)
        if path is None:
            if apt is None:
                log(f"downloading {', '.join(p.name for p in missing)} from Debian's archive")
                apt = apt_factory()
                apt.prepare()
            path = _download(package, deb_cache, apt)
        paths.append(path)
    return paths


def _cached_deb(package, deb_cache):
    exact = deb_cache / package.filename
    if exact.exists() and sha256_of(exact) == package.sha256:
        return exact
    if not package.strict:
        drifted = sorted(deb_cache.glob(f"{package.name}_*_all.deb"))
        if drifted:
            return drifted[-1]
    return None


def _download(package, deb_cache, apt):
    ok, message = apt.download(f"{package.name}={package.version}", deb_cache)
    path = deb_cache / package.filename
    if ok:
        actual = sha256_of(path)
        if actual != package.sha256:
            path.unlink()
            raise BootstrapError(
                f"Checksum mismatch for {package.name} {package.version} (got {actual}): "
                "the archive's file is not the one tools/debian-packages.lock pins; "
                "do not use it, report it, and update the lock only after checking the new package."
            )
        return path
    if package.strict:
        raise BootstrapError(
            f"Debian's archive no longer offers {package.name} {package.version} in {package.suite} "
            f"({message}): pin the version it offers now in tools/debian-packages.lock after checking it."
        )
    ok, message = apt.download(f"{package.name}/{package.suite}", deb_cache)
    if not ok:
        raise BootstrapError(
            f"{package.name} is not available from {package.suite} ({message}): update tools/debian-packages.lock."
        )
    log(f"warning: {package.name} {package.version} is gone from {package.suite}; using its current version")
    return sorted(deb_cache.glob(f"{package.name}_*_all.deb"))[-1]


def fetch_npm_file(spec, sha256, npm_cache):
    """The tarball of an npm package, pinned by checksum, cached."""
    npm_cache.mkdir(parents=True, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    tarball = npm_cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if tarball.exists() and sha256_of(tarball) == sha256:
        return tarball
    if shutil.which("npm") is None:
        raise BootstrapError(f"npm is needed once to fetch {spec}: run 'apt-get install npm'.")
    log(f"downloading {spec} from the npm registry")
    result = run(["npm", "pack", spec, "--pack-destination", npm_cache], capture_output=True, check=False)
    if result.returncode != 0 or not tarball.exists():
        raise BootstrapError(f"npm could not fetch {spec} ({_last_line(result)}): check the network, then run again.")
    if sha256_of(tarball) != sha256:
        tarball.unlink()
        raise BootstrapError(f"Checksum mismatch for {spec}: the registry's file is not the pinned one; do not use it.")
    return tarball


def restore_excluded_files(addons, npm_cache):
    for spec, sha256, member, destination in NPM_RESTORED_FILES:
        tarball = fetch_npm_file(spec, sha256, npm_cache)
        with tarfile.open(tarball) as archive:
            content = archive.extractfile(member).read()
        target = addons / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def unpack_tree(debs, target, npm_cache):
    """Unpack into a fresh folder, check every symlink resolves, then swap it in."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for deb in debs:
        run(["dpkg-deb", "-x", deb, staging])
    addons = staging / "usr/lib/python3/dist-packages/odoo/addons"
    restore_excluded_files(addons, npm_cache)
    dangling = [p for p in addons.rglob("*") if p.is_symlink() and not p.exists()]
    if dangling:
        raise BootstrapError(
            f"{len(dangling)} web asset links in the Odoo tree point nowhere (first: {dangling[0]}): "
            "a package in tools/debian-packages.lock changed its layout; pin a version that provides them."
        )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def ensure_odoo(dev=DEV, cache=CACHE):
    packages = read_packages_lock()
    target = dev / "odoo"
    stamp = dev / "odoo.stamp"
    wanted = PACKAGES_LOCK.read_text() + repr(NPM_RESTORED_FILES)
    if stamp_is(stamp, wanted) and (target / "usr/bin/odoo").exists():
        return False

    def make_apt():
        suites = sorted({p.suite for p in packages})
        return PrivateApt(cache / "apt", archive_uri(), suites)

    debs = fetch_debs(packages, cache / "debs", make_apt)
    log("unpacking Odoo 19 and its web assets into .dev/odoo")
    unpack_tree(debs, target, cache / "npm")
    stamp.write_text(wanted)
    return True


def odoo_source_dir(dev=DEV):
    return dev / "odoo/usr/lib/python3/dist-packages"


# --------------------------------------------------------------------------- virtualenv


def find_python():
    for candidate in ("python3.11", "python3.12", "python3"):
        path = shutil.which(candidate)
        if path:
            version = run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True)
            major, minor = map(int, version.stdout.split("."))
            if (major, minor) >= (3, 10):
                return path
    raise BootstrapError("Odoo 19 needs Python 3.10 or newer and none was found: install python3.11.")


def ensure_venv(dev=DEV):
    venv = dev / "venv"
    python = venv / "bin/python"
    stamp = dev / "venv.stamp"
    wanted = REQUIREMENTS_LOCK.read_text() + str(odoo_source_dir(dev))
    changed = False
    if not stamp_is(stamp, wanted) or not python.exists():
        if not python.exists():
            log("creating the virtualenv .dev/venv")
            run([find_python(), "-m", "venv", venv])
        log("installing pinned Python packages (requirements.lock)")
        result = run(
            # --no-deps: the lock is the whole freeze; queue_job's `odoo` requirement is no PyPI package.
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "-r", REQUIREMENTS_LOCK],
            check=False,
            capture_output=True,
        )
        if result.returncode != 0:
            print("\n".join((result.stdout + result.stderr).splitlines()[-40:]), file=sys.stderr)
            raise BootstrapError(
                "pip could not install requirements.lock (see its messages above): "
                "check the network and the package index, then run again."
            )
        stamp.write_text(wanted)
        changed = True
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True)
    pth = Path(site.stdout.strip()) / "odoo19-debian.pth"
    line = f"{odoo_source_dir(dev)}\n"
    if not stamp_is(pth, line):
        pth.write_text(line)
        changed = True
    return changed


def ensure_system_packages(names=SYSTEM_PACKAGES):
    """Install Debian bookworm packages the tests need (only what apt-get install gives)."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return False
    if os.geteuid() != 0:
        raise BootstrapError(
            f"{', '.join(missing)} is needed for browser tests and PDF reports: "
            f"run 'sudo apt-get install {' '.join(missing)}'."
        )
    log(f"installing {', '.join(missing)} from the machine's Debian sources")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True)
    result = run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        env=env,
        check=False,
        capture_output=True,
    )
    if result.returncode != 0:
        raise BootstrapError(
            f"apt-get could not install {', '.join(missing)} ({_last_line(result)}): fix apt, then run again."
        )
    return True


# --------------------------------------------------------------------------- PostgreSQL


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    private: bool = False
    superuser: str = "postgres"


def pg_answers(host, port, timeout=1.0):
    """True when a PostgreSQL server accepts connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError:
        return False
    result = subprocess.run(
        ["pg_isready", "-q", "-h", host, "-p", str(port), "-t", "3"], check=False, capture_output=True
    )
    return result.returncode in (0, 1)  # 1 = starting up, rejecting for now: still a server


def candidate_servers(environ):
    """Servers to try in order: the one PGHOST/PGPORT name, then the default local one."""
    candidates = []
    host = environ.get("PGHOST") or DEFAULT_PG[0]
    if (environ.get("PGHOST") or environ.get("PGPORT")) and not host.startswith("/"):  # TCP only
        candidates.append((host, int(environ.get("PGPORT") or 5432)))
    if DEFAULT_PG not in candidates:
        candidates.append(DEFAULT_PG)
    return candidates


def choose_server(candidates):
    """The first candidate that answers, or None when a private cluster must be started."""
    for host, port in candidates:
        if pg_answers(host, port):
            return PgServer(host, port)
    return None


def free_loopback_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_tool(name):
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return folder / name
    found = shutil.which(name)
    if found:
        return Path(found)
    raise BootstrapError(f"PostgreSQL's {name} is not installed: run 'apt-get install postgresql'.")


class PrivateCluster:
    """A PostgreSQL cluster of the project's own, on loopback, trust authentication."""

    def __init__(self, folder):
        self.folder = folder
        self.data = folder / "data"
        self.sockets = folder / "run"
        self.logfile = folder / "postgresql.log"
        self.port_file = folder / "port"

    def _as_owner(self, cmd):
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            return ["runuser", "-u", "postgres", "--", *map(str, cmd)]
        return [str(c) for c in cmd]

    def _prepare_folder(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.sockets, "postgres")
            probe = subprocess.run(self._as_owner(["test", "-w", self.folder]), check=False)
            if probe.returncode != 0:
                raise BootstrapError(
                    f"The postgres system user cannot reach {self.folder}: "
                    "clone the project under a folder others may traverse, or set PGHOST/PGPORT to a running server."
                )

    def ensure_started(self):
        self._prepare_folder()
        if not (self.data / "PG_VERSION").exists():
            log(f"creating a private PostgreSQL cluster in {self.data}")
            result = subprocess.run(
                self._as_owner(
                    [
                        pg_tool("initdb"),
                        "-D",
                        self.data,
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                        "-U",
                        "postgres",
                    ]
                ),
                check=False,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BootstrapError(
                    f"initdb failed in {self.data} ({_last_line(result)}): remove that folder and run again."
                )
        port = self.port()
        if pg_answers("127.0.0.1", port):
            return PgServer("127.0.0.1", port, private=True)
        if not _port_free(port):
            port = free_loopback_port()
            self.port_file.write_text(str(port))
        log(f"starting the private PostgreSQL cluster on 127.0.0.1:{port}")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.sockets} -c fsync=off"
        result = subprocess.run(
            self._as_owner(
                [pg_tool("pg_ctl"), "-D", self.data, "-l", self.logfile, "-o", options, "-w", "-t", "60", "start"]
            ),
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not pg_answers("127.0.0.1", port):
            raise BootstrapError(
                f"PostgreSQL would not start on 127.0.0.1:{port}: read {self.logfile}, fix what it says, and run again."
            )
        return PgServer("127.0.0.1", port, private=True)

    def port(self):
        if self.port_file.exists():
            return int(self.port_file.read_text())
        port = free_loopback_port()
        self.port_file.write_text(str(port))
        return port

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                self._as_owner([pg_tool("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
            )


def _port_free(port):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL does: TIME_WAIT is free
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def psql(server, sql, user):
    return subprocess.run(
        [
            "psql",
            "-h",
            server.host,
            "-p",
            str(server.port),
            "-U",
            user,
            "-d",
            "postgres",
            "-tAX",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        check=False,
        capture_output=True,
        text=True,
    )


def ensure_role(server, role=ODOO_ROLE):
    """An Odoo login role with CREATEDB (Odoo refuses to run as postgres)."""
    check = psql(server, f"SELECT rolcreatedb FROM pg_roles WHERE rolname = '{role}'", server.superuser)
    if check.returncode != 0:
        if psql(server, "SELECT 1", role).returncode == 0:
            return False  # no superuser access, but our role logs in: trust it as is
        raise BootstrapError(
            f"Cannot connect to PostgreSQL at {server.host}:{server.port} as {server.superuser} or {role} "
            f"({_last_line(check)}): create a role '{role}' with CREATEDB, or unset PGHOST/PGPORT."
        )
    if check.stdout.strip() == "t":
        return False
    verb = "ALTER" if check.stdout.strip() == "f" else "CREATE"
    result = psql(server, f"{verb} ROLE {role} LOGIN CREATEDB", server.superuser)
    if result.returncode != 0:
        raise BootstrapError(f"Could not create the PostgreSQL role {role} ({_last_line(result)}).")
    log(f"PostgreSQL role {role} ready on {server.host}:{server.port}")
    return True


def ensure_postgres(dev=DEV, environ=os.environ):
    cluster = PrivateCluster(dev / "pg")
    server = None
    if not cluster.port_file.exists():  # a project that once went private stays private
        server = choose_server(candidate_servers(environ))
    if server is None:
        server = cluster.ensure_started()
    return server, ensure_role(server)


# --------------------------------------------------------------------------- configuration


def odoo_config(server, dev=DEV, root=ROOT):
    addons = [odoo_source_dir(dev) / "odoo/addons", root]
    return (
        "[options]\n"
        f"addons_path = {','.join(str(a) for a in addons)}\n"
        f"data_dir = {dev / 'data'}\n"
        f"db_host = {server.host}\n"
        f"db_port = {server.port}\n"
        f"db_user = {ODOO_ROLE}\n"
        "http_interface = 127.0.0.1\n"
        f"http_port = {os.environ.get('CAD_HTTP_PORT', '8069')}\n"
        "admin_passwd = admin\n"
        "max_cron_threads = 1\n"
        "log_level = info\n"
    )


def ensure_config(server, dev=DEV):
    path = dev / "odoo.conf"
    content = odoo_config(server, dev)
    if stamp_is(path, content):
        return False
    path.write_text(content)
    log(f"wrote {path}")
    return True


# --------------------------------------------------------------------------- main


def bootstrap(dev=DEV, with_browser=True):
    """Run every step; returns the names of the steps that changed something."""
    started = time.monotonic()
    dev.mkdir(parents=True, exist_ok=True)
    changed = []
    if ensure_odoo(dev):
        changed.append("odoo")
    if ensure_venv(dev):
        changed.append("venv")
    if with_browser and ensure_system_packages():
        changed.append("system-packages")
    server, role_changed = ensure_postgres(dev)
    if role_changed:
        changed.append("role")
    if ensure_config(server, dev):
        changed.append("config")
    elapsed = time.monotonic() - started
    summary = ", ".join(changed) if changed else "nothing to do"
    log(f"ready in {elapsed:.1f}s ({summary}); PostgreSQL at {server.host}:{server.port}")
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-browser", action="store_true", help="skip installing Chromium for browser tests")
    parser.add_argument("--stop-private-pg", action="store_true", help="stop the private PostgreSQL cluster")
    args = parser.parse_args(argv)
    try:
        if args.stop_private_pg:
            PrivateCluster(DEV / "pg").stop()
            return 0
        bootstrap(with_browser=not args.no_browser)
    except BootstrapError as error:
        print(f"bootstrap failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
