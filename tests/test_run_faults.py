"""The daily run's promises under faults and races: real processes, real commits, a real database.

Nothing sent twice, nothing lost: the run is interrupted at every batch
boundary (an error, then a killed process) and run again; two runs race
(two processes, the scheduled job and the "Run now" button); the outgoing mail
server is down. Each scenario works on its own copy of a scratch database,
``<test database>_faults``, built once per session from the test database with
the customers of ``tests/dunning_driver.py``; the driver is the Odoo process
that runs, fails or waits, and prints what the database holds afterwards.
Every result is compared with the same run done without any fault.
"""

import configparser
import json
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / ".dev" / "odoo.conf"
DRIVER = ROOT / "tests" / "dunning_driver.py"
# The driver's customers in the order of their ids, which is the order of the run's batches (3 per batch here).
CUSTOMERS = ["Fault Alpha", "Fault Bravo", "Fault Charlie", "Fault Delta", "Fault Echo", "Fault Foxtrot"]
OVERDUE = set(CUSTOMERS) - {"Fault Charlie"}  # Charlie's invoice is not due yet: a heads-up opens its case
BATCHES = [CUSTOMERS[:3], CUSTOMERS[3:]]
# The run commits after the case sync (1st commit) and after each batch (2nd, 3rd): every boundary, both sides.
BOUNDARIES = [f"{side}-commit:{number}" for number in (1, 2, 3) for side in ("before", "after")]
EMAILED = {"Fault Alpha": "ap@alpha.example", "Fault Bravo": "ap@bravo.example", "Fault Charlie": "ap@charlie.example"}

pytestmark = pytest.mark.skipif(not CONF.exists(), reason="the .dev Odoo tree is not bootstrapped")


# pytest-odoo opens a registry for every test module unless told otherwise: these tests only start processes.
@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield


def postgres():
    options = configparser.ConfigParser()
    options.read(CONF)
    section = options["options"]
    connection = psycopg2.connect(dbname="postgres", host=section.get("db_host"), port=section.get("db_port"),
                                  user=section.get("db_user"), password=section.get("db_password") or None)
    connection.autocommit = True
    return connection, Path(section.get("data_dir")) / "filestore"


class ScratchDatabases:
    """Copies of a database (and of its filestore), dropped at the end of the session."""

    def __init__(self):
        self.connection, self.filestore = postgres()
        self.created = []

    def copy(self, template, name):
        self.drop(name)
        strategy = sql.SQL(" STRATEGY FILE_COPY") if self.connection.server_version >= 150000 else sql.SQL("")
        with self.connection.cursor() as cr:
            cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)) + strategy)
        if (self.filestore / template).exists():
            shutil.copytree(self.filestore / template, self.filestore / name)
        self.created.append(name)
        return name

    def drop(self, name):
        with self.connection.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        shutil.rmtree(self.filestore / name, ignore_errors=True)

    def close(self):
        for name in reversed(self.created):
            self.drop(name)
        self.connection.close()


def driver(*args, timeout=300):
    result = subprocess.run([sys.executable, str(DRIVER), "-c", str(CONF), *map(str, args)],
                            capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return result


def start_driver(*args):
    return subprocess.Popen([sys.executable, str(DRIVER), "-c", str(CONF), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)


def wait_for_line(process, prefix, seen):
    """Read ``process``'s output into ``seen`` until a line starts with ``prefix``."""
    for line in process.stdout:
        seen.append(line)
        if line.startswith(prefix):
            return line
    raise AssertionError(f"the driver ended before printing {prefix!r}:\n{''.join(seen)[-3000:]}")


def snapshots(output):
    """``{(database, label): snapshot}`` from the driver's ``SNAPSHOT`` lines."""
    found = {}
    for line in output.splitlines():
        if line.startswith("SNAPSHOT "):
            _tag, database, label, data = line.split(" ", 3)
            found[database, label] = json.loads(data)
    return found


def only_opened(cases):
    """A customer the run has not got to yet: no case, or a case that was only opened."""
    return all(case["events"] == ["opened:"] and case["journey"] is None for case in cases)


def assert_all_or_nothing(partial, reference, done):
    """Each customer is either exactly as the full run leaves it, or untouched by the follow-up; ``done`` are the first."""
    assert partial["problems"] == []
    for name in CUSTOMERS:
        cases = partial["cases"].get(name, [])
        if name in done:
            assert cases == reference["cases"][name], name
        else:
            assert only_opened(cases), (name, cases)


@pytest.fixture(scope="session")
def scratch(request):
    database = request.config.getoption("--odoo-database", default=None)
    if not database:
        pytest.skip("needs pytest-odoo's --odoo-database: the scratch database is a copy of it")
    databases = ScratchDatabases()
    base = f"{database}_faults"
    odoo_sql = sys.modules.get("odoo.sql_db")
    if odoo_sql is not None:
        odoo_sql.close_db(database)  # pytest-odoo's idle connections would keep PostgreSQL from copying it
    databases.copy(database, base)
    result = driver("setup", base)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    databases.base = base
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def reference(scratch):
    """What one uninterrupted run leaves: the result every faulty scenario must end with."""
    name = scratch.copy(scratch.base, f"{scratch.base}_reference")
    result = driver("run", name)
    assert result.returncode == 0, result.stderr[-3000:]
    return snapshots(result.stdout)[name, "final"]


def test_the_reference_run_does_every_due_step_once(reference):
    cases = reference["cases"]
    assert reference["problems"] == []
    assert sorted(cases) == sorted(CUSTOMERS)
    steps = {name: [event for case in found for event in case["events"] if event.startswith("step:")]
             for name, found in cases.items()}
    assert {name: len(events) for name, events in steps.items()} == {
        "Fault Alpha": 1, "Fault Bravo": 1, "Fault Charlie": 1, "Fault Delta": 1, "Fault Echo": 1, "Fault Foxtrot": 0,
    }
    assert cases["Fault Foxtrot"][0]["state"] == "waiting_approval", "the final letter waits for a manager"
    assert cases["Fault Delta"][0]["activities"], "no email address: the policy's fallback"
    assert {name: cases[name][0]["customer_emails"] for name in EMAILED} == dict.fromkeys(EMAILED, 1)


# ------------------------------------------------------------------ interrupted runs


def done_before(point):
    """The customers whose follow-up is durable when the run stops at ``point``."""
    where, _sep, number = point.partition(":")
    number = int(number)
    if where == "in-batch":
        return {name for index, batch in enumerate(BATCHES, 1) if index != number for name in batch}
    committed = number - (where == "before-commit")
    return {name for batch in BATCHES[:max(committed - 1, 0)] for name in batch}


def test_an_error_at_every_batch_boundary_then_a_rerun_does_each_step_once(scratch, reference):
    """11 runs: an error escaping the run on both sides of each of its 3 commits (6), and inside each batch (2)...

    ...where the run rolls the batch back and goes on; the driver then runs again.
    """
    points = [*BOUNDARIES, "in-batch:1", "in-batch:2"]
    names = {point: scratch.copy(scratch.base, f"{scratch.base}_raise_{index}") for index, point in enumerate(points)}
    result = driver("run", *(f"{name}@{point}" for point, name in names.items()), "--fault", "raise", "--again")
    assert result.returncode == 0, result.stderr[-3000:]
    found = snapshots(result.stdout)
    for point, name in names.items():
        assert f"FAULT-POINT {point} raise" in result.stdout
        partial = found[name, "partial"]
        if point == "before-commit:1":
            assert partial["cases"] == {}, "the case sync was rolled back whole"
        else:
            assert_all_or_nothing(partial, reference, done_before(point))
        assert found[name, "final"] == reference, point
    assert result.stdout.count("FAULT-RAISED") == len(BOUNDARIES), "the in-batch errors stay inside the run"


def test_a_process_killed_at_every_batch_boundary_then_a_rerun_does_each_step_once(scratch, reference):
    """6 processes killed (SIGKILL) on both sides of each of the run's 3 commits, then one run over the 6 databases."""
    names = {point: scratch.copy(scratch.base, f"{scratch.base}_kill_{index}") for index, point in
             enumerate(BOUNDARIES)}
    for point, name in names.items():
        killed = driver("run", f"{name}@{point}", "--fault", "kill")
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-3000:])
        assert f"FAULT-POINT {point} kill" in killed.stdout
        assert "SNAPSHOT" not in killed.stdout
    result = driver("run", *names.values(), "--snapshot-first")
    assert result.returncode == 0, result.stderr[-3000:]
    found = snapshots(result.stdout)
    for point, name in names.items():
        before = found[name, "before"]
        if point == "before-commit:1":
            assert before["cases"] == {}, "nothing of the case sync was committed"
        else:
            assert_all_or_nothing(before, reference, done_before(point))
        assert found[name, "final"] == reference, point
