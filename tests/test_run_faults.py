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
from contextlib import closing
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


def connection_options(database):
    options = configparser.ConfigParser()
    options.read(CONF)
    section = options["options"]
    return {"dbname": database, "host": section.get("db_host"), "port": section.get("db_port"),
            "user": section.get("db_user"), "password": section.get("db_password") or None}


def postgres():
    options = configparser.ConfigParser()
    options.read(CONF)
    connection = psycopg2.connect(**connection_options("postgres"))
    connection.autocommit = True
    return connection, Path(options["options"].get("data_dir")) / "filestore"


class ScratchDatabases:
    """Copies of a database (and of its filestore), dropped at the end of the session."""

    def __init__(self):
        self.connection, self.filestore = postgres()
        self.created = []

    def copy(self, template, name, keep=False):
        """``name`` as a copy of ``template``; an older ``name`` is replaced only once the copy is made."""
        self.drop(f"{name}_new")
        with self.connection.cursor() as cr:  # PostgreSQL's default strategy: no checkpoint, unlike FILE_COPY
            cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(f"{name}_new"),
                                                                        sql.Identifier(template)))
        self.drop(name)
        with self.connection.cursor() as cr:
            cr.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(f"{name}_new"),
                                                                      sql.Identifier(name)))
        shutil.rmtree(self.filestore / name, ignore_errors=True)
        if (self.filestore / template).exists():
            shutil.copytree(self.filestore / template, self.filestore / name)
        if not keep:
            self.created.append(name)
        return name

    def exists(self, name):
        with self.connection.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cr.fetchone() is not None

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
    """Each customer is either exactly as the full run leaves it (``done``) or untouched by the follow-up."""
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
    template, base = f"{database}_faults", f"{database}_faults_base"
    odoo_sql = sys.modules.get("odoo.sql_db")
    if odoo_sql is not None:
        odoo_sql.close_db(database)  # pytest-odoo's idle connections would keep PostgreSQL from copying it
    try:
        databases.copy(database, template, keep=True)
    except psycopg2.errors.ObjectInUse:
        # Still in use (the whole suite's HTTP server): `make db-test` made the copy right after installing.
        if not databases.exists(template):
            raise
    databases.copy(template, base)
    databases.sink = SmtpSink()  # the scratch databases' outgoing mail server (the staff's notices go there)
    result = driver("setup", base, "--smtp-port", databases.sink.port)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    databases.base = base
    yield databases
    databases.sink.close()
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
        # The failed batch is done again in halves, and none of its customers fails alone: all are done.
        return set(CUSTOMERS)
    committed = number - (where == "before-commit")
    return {name for batch in BATCHES[:max(committed - 1, 0)] for name in batch}


def assert_raised_then_completed(stdout, names, reference):
    """Each database stopped by an error at its point holds all or nothing of each customer, and the run again
    completes it (``names``: fault point -> database)."""
    found = snapshots(stdout)
    for point, name in names.items():
        assert f"FAULT-POINT {point} raise" in stdout
        partial = found[name, "partial"]
        if point == "before-commit:1":
            assert partial["cases"] == {}, "the case sync was rolled back whole"
        else:
            assert_all_or_nothing(partial, reference, done_before(point))
        assert found[name, "final"] == reference, point


def test_an_error_at_every_batch_boundary_then_a_rerun_does_each_step_once(scratch, reference):
    """8 runs: an error escaping the run on both sides of each of its 3 commits (6), and inside each batch (2)...

    ...where the run rolls the batch back and does it again in halves; the driver then runs again.
    """
    points = [*BOUNDARIES, "in-batch:1", "in-batch:2"]
    names = {point: scratch.copy(scratch.base, f"{scratch.base}_raise_{index}") for index, point in enumerate(points)}
    result = driver("run", *(f"{name}@{point}" for point, name in names.items()), "--fault", "raise", "--again")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_raised_then_completed(result.stdout, names, reference)
    assert result.stdout.count("FAULT-RAISED") == len(BOUNDARIES), "the in-batch errors stay inside the run"


def test_the_scheduled_job_keeps_a_company_error_to_that_company_then_a_rerun_completes_it(scratch, reference):
    """2 runs of the scheduled job's loop over the companies: an error in the case sync and one after a committed
    batch are logged, what was not committed is rolled back (real commits here), and the job goes on."""
    points = ["before-commit:1", "after-commit:2"]
    names = {point: scratch.copy(scratch.base, f"{scratch.base}_cron_all_{index}") for index, point in
             enumerate(points)}
    result = driver("run", *(f"{name}@{point}" for point, name in names.items()), "--fault", "raise", "--again",
                    "--entry", "cron-all")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FAULT-RAISED" not in result.stdout, "the error stayed inside the scheduled job"
    assert result.stderr.count("failed; the other companies go on and the next run does it again") == len(points)
    assert_raised_then_completed(result.stdout, names, reference)


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


# ------------------------------------------------------------------ two runs at once


def read_rest(process, seen, timeout=300):
    rest, _stderr = process.communicate(timeout=timeout)
    return "".join(seen) + rest


def assert_clean(output):
    assert "Traceback" not in output, output[-3000:]
    assert "deadlock" not in output.lower()


def hold_and_run(scratch, tmp_path, label, point, first_entry, second_entry):
    """Start a run that stops at ``point`` and waits; run ``second_entry`` meanwhile; let the first end."""
    name = scratch.copy(scratch.base, f"{scratch.base}_{label}")
    release = tmp_path / f"release_{label}"
    first = start_driver("run", f"{name}@{point}", "--fault", "hold", "--release", release, "--entry", first_entry)
    seen = []
    try:
        wait_for_line(first, f"FAULT-POINT {point} hold", seen)
        second = driver("run", name, "--entry", second_entry, timeout=240)
    finally:
        release.touch()
        first_output = read_rest(first, seen)
    assert first.returncode == 0, first_output[-3000:]
    assert_clean(first_output)
    assert_clean(second.stdout + second.stderr)
    assert second.returncode == 0
    return name, snapshots(first_output)[name, "final"], second


def test_the_company_lock_outlives_a_low_idle_in_transaction_timeout(scratch, reference, tmp_path):
    """1 run holding the company between two committed batches for twice the idle-in-transaction timeout set low on
    its company lock's connection: the lock stays (its connection is idle, not idle in a transaction), a second
    run skips the company, and the first ends as the reference."""
    name = scratch.copy(scratch.base, f"{scratch.base}_idle_timeout")
    release = tmp_path / "release_idle_timeout"
    timeout_ms = 3000
    first = start_driver("run", f"{name}@after-commit:2", "--fault", "hold", "--release", release,
                         "--lock-idle-timeout", timeout_ms)
    seen = []
    try:
        wait_for_line(first, f"LOCK-IDLE-TIMEOUT idle_in_transaction_session_timeout {timeout_ms}", seen)
        wait_for_line(first, "FAULT-POINT after-commit:2 hold", seen)
        time.sleep(2 * timeout_ms / 1000)  # an idle transaction would have been ended by now
        with closing(psycopg2.connect(**connection_options(name))) as connection, connection.cursor() as cr:
            cr.execute("""SELECT activity.state FROM pg_locks lock JOIN pg_stat_activity activity USING (pid)
                          WHERE lock.locktype = 'advisory' AND lock.classid = 72010020 AND lock.objsubid = 2
                             AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())""")
            assert cr.fetchall() == [("idle",)], "the company lock is held, on a connection idle between commits"
        second = driver("run", name, timeout=240)
    finally:
        release.touch()
        first_output = read_rest(first, seen)
    assert first.returncode == 0, first_output[-3000:]
    assert_clean(first_output)
    assert "RUN-RESULT skipped" in second.stdout, second.stdout[-3000:] + second.stderr[-3000:]
    assert snapshots(first_output)[name, "final"] == reference


COMPANY_LOCK_QUERY = """SELECT activity.pid, activity.state
                           FROM pg_locks lock JOIN pg_stat_activity activity USING (pid)
                          WHERE lock.locktype = 'advisory' AND lock.classid = 72010020 AND lock.objsubid = 2
                            AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


def test_the_company_lock_outlives_a_low_idle_session_timeout(scratch, reference, tmp_path):
    """1 run holding the company between two committed batches for twice an ``idle_session_timeout`` set low on its
    company lock's connection (PostgreSQL ends a session idle that long, in a transaction or not): the lock
    stays, a second run skips the company, and the first ends as the reference."""
    name = scratch.copy(scratch.base, f"{scratch.base}_idle_session")
    release = tmp_path / "release_idle_session"
    timeout_ms = 3000
    first = start_driver("run", f"{name}@after-commit:2", "--fault", "hold", "--release", release,
                         "--lock-idle-session-timeout", timeout_ms)
    seen = []
    try:
        wait_for_line(first, f"LOCK-IDLE-TIMEOUT idle_session_timeout {timeout_ms}", seen)
        wait_for_line(first, "FAULT-POINT after-commit:2 hold", seen)
        time.sleep(2 * timeout_ms / 1000)  # an idle session with that timeout would have been ended by now
        with closing(psycopg2.connect(**connection_options(name))) as connection, connection.cursor() as cr:
            cr.execute(COMPANY_LOCK_QUERY)
            assert [state for _pid, state in cr.fetchall()] == ["idle"], "the company lock is still held"
        second = driver("run", name, timeout=240)
    finally:
        release.touch()
        first_output = read_rest(first, seen)
    assert first.returncode == 0, first_output[-3000:]
    assert_clean(first_output)
    assert "RUN-RESULT skipped" in second.stdout, second.stdout[-3000:] + second.stderr[-3000:]
    assert "connection was lost" not in first_output
    assert snapshots(first_output)[name, "final"] == reference


def test_a_run_whose_company_lock_connection_is_killed_locks_again_at_its_next_commit(scratch, reference, tmp_path):
    """1 run between two committed batches whose company lock's connection an administrator ends
    (``pg_terminate_backend``): at its next commit the run connects again, takes the lock again and goes on,
    and ends as the reference."""
    name = scratch.copy(scratch.base, f"{scratch.base}_lock_killed")
    release = tmp_path / "release_lock_killed"
    first = start_driver("run", f"{name}@after-commit:2", "--fault", "hold", "--release", release)
    seen = []
    try:
        wait_for_line(first, "FAULT-POINT after-commit:2 hold", seen)
        with closing(psycopg2.connect(**connection_options(name))) as connection, connection.cursor() as cr:
            connection.autocommit = True
            cr.execute(COMPANY_LOCK_QUERY)
            [(pid, _state)] = cr.fetchall()
            # with a timeout, it returns once the backend has ended (without one, only once it is signalled)
            cr.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
            cr.execute(COMPANY_LOCK_QUERY)
            assert cr.fetchall() == [], "the lock went with its connection"
    finally:
        release.touch()
        first_output = read_rest(first, seen)
    assert first.returncode == 0, first_output[-3000:]
    assert_clean(first_output)
    assert "the company lock's connection was lost" in first_output
    assert "the company is locked again on a new connection" in first_output
    assert snapshots(first_output)[name, "final"] == reference


@pytest.mark.parametrize("point", ["before-commit:1", "after-commit:2"])
def test_a_second_run_skips_the_company_while_the_first_works_on_it(scratch, reference, tmp_path, point):
    """2 runs: the first waits inside its case sync (nothing committed yet), then between two committed batches."""
    label = f"hold_{point.replace('-', '_').replace(':', '_')}"
    _name, final, second = hold_and_run(scratch, tmp_path, label, point, "cron", "cron")
    assert "RUN-RESULT skipped" in second.stdout
    assert "skipped: another run is working on this company" in second.stderr
    assert final == reference


def test_run_now_while_the_scheduled_run_works_tells_the_user(scratch, reference, tmp_path):
    _name, final, second = hold_and_run(scratch, tmp_path, "cron_then_button", "after-commit:2", "cron", "run-now")
    notification = json.loads(next(line for line in second.stdout.splitlines()
                                    if line.startswith("RUN-NOW ")).split(" ", 1)[1])
    assert notification["type"] == "warning"
    assert "already working on My Company" in notification["message"]
    assert final == reference


def without_chatter_count(state):
    """The snapshot but the number of chatter lines, which depends on who runs (the button notes less for its user)."""
    return {name: [{**case, "chatter_lines": None} for case in cases] for name, cases in state["cases"].items()}


def test_the_scheduled_run_skips_while_run_now_works(scratch, reference, tmp_path):
    _name, final, second = hold_and_run(scratch, tmp_path, "button_then_cron", "in-batch:1", "run-now", "cron")
    assert "RUN-RESULT skipped" in second.stdout
    assert "skipped: another run is working on this company" in second.stderr
    assert final["problems"] == []
    assert without_chatter_count(final) == without_chatter_count(reference)


def test_two_runs_started_together_do_each_step_once(scratch, reference, tmp_path):
    """2 rounds of two processes released by the same start barrier: one runs, the other tries the company lock
    while the first holds it (each process prints when it tried the lock) and skips."""
    for round_ in range(2):
        name = scratch.copy(scratch.base, f"{scratch.base}_race_{round_}")
        start = tmp_path / f"start_{round_}"
        runs = [start_driver("run", name, "--start", start) for _twice in range(2)]
        seen = [[], []]
        try:
            for run, lines in zip(runs, seen, strict=True):
                wait_for_line(run, "READY", lines)
        finally:
            start.touch()
            outputs = [read_rest(run, lines) for run, lines in zip(runs, seen, strict=True)]
        for run, output in zip(runs, outputs, strict=True):
            assert run.returncode == 0, output[-3000:]
            assert_clean(output)
        outcomes = sorted(line for output in outputs for line in output.splitlines() if line.startswith("RUN-RESULT"))
        assert outcomes == ["RUN-RESULT done", "RUN-RESULT skipped"], outcomes
        # The race happened: the run that skipped tried the company lock while the other one held it.
        locks = sorted(line.split()[1:] for output in outputs for line in output.splitlines()
                       if line.startswith("LOCK "))
        (refused, tried), (taken, got, released) = locks
        assert (refused, taken) == ("refused", "taken")
        assert float(got) <= float(tried) <= float(released), locks
        for output in outputs:
            if "RUN-RESULT done" in output:
                assert snapshots(output)[name, "final"] == reference


# ------------------------------------------------------------------ the mail server


class SmtpSink(socketserver.ThreadingTCPServer):
    """A small SMTP server on this machine that keeps the recipients of every message it accepts."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.recipients = []
        self.message_ids = {}  # recipient -> the Message-Id header of each message accepted for it
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        self.reply("220 sink ready")
        envelope = []
        for raw in self.rfile:
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "DATA":
                self.reply("354 go on")
                message_id = None
                for line in self.rfile:
                    if line in (b".\r\n", b".\n"):
                        break
                    if line.lower().startswith(b"message-id:"):
                        message_id = line.split(b":", 1)[1].strip().decode()
                self.server.recipients.extend(envelope)
                for recipient in envelope:
                    self.server.message_ids.setdefault(recipient, []).append(message_id)
                envelope = []
                self.reply("250 accepted")
            elif verb == "RCPT":
                envelope.append(command.split(":", 1)[1].strip().strip("<>").lower())
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RSET, NOOP
                self.reply("250 ok")


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def customer_message_ids(database):
    """The Message-Ids of the step emails in ``database`` (the ones the run made from their case and step), sorted."""
    with closing(psycopg2.connect(**connection_options(database))) as connection, connection.cursor() as cr:
        cr.execute("SELECT message_id FROM mail_message WHERE model = 'dunning.case' AND message_id LIKE '<dunning.%'")
        return sorted(message_id for message_id, in cr.fetchall())


def test_a_mail_server_down_keeps_the_emails_and_the_next_run_queues_them_again(scratch, reference):
    """1 outage: the queue runs with the server down, the day's run again, then the queue with the server back."""
    name = scratch.copy(scratch.base, f"{scratch.base}_mail")
    assert driver("run", name).returncode == 0
    queued_ids = customer_message_ids(name)
    assert len(queued_ids) == len(EMAILED)
    down = driver("mail-queue", name, "--smtp-port", closed_port())
    assert down.returncode == 0, down.stderr[-3000:]
    failed = snapshots(down.stdout)[name, "final"]["cases"]
    for customer in EMAILED:
        case, = failed[customer]
        assert case["mails"] == ["exception"], "kept aside, not lost"
        assert case["events"] == sorted([*reference["cases"][customer][0]["events"], "mail_failed:"])

    again = driver("run", name)
    assert again.returncode == 0, again.stderr[-3000:]
    queued = snapshots(again.stdout)[name, "final"]
    assert queued["problems"] == []
    for customer in EMAILED:
        case, = queued["cases"][customer]
        assert case["mails"] == ["outgoing"]
        assert case["events"] == sorted([*reference["cases"][customer][0]["events"], "mail_failed:",
                                         "mail_retried:"]), "the step itself is not done again"

    scratch.sink.recipients.clear()
    scratch.sink.message_ids.clear()
    back = driver("mail-queue", name, "--smtp-port", scratch.sink.port)
    assert back.returncode == 0, back.stderr[-3000:]
    delivered = [address for address in scratch.sink.recipients if address in EMAILED.values()]
    assert sorted(delivered) == sorted(EMAILED.values()), "each customer gets its email once"
    # Each carries the Message-Id the step got when it was queued, before the outage: a resend is recognisable.
    assert sorted(scratch.sink.message_ids[address][0] for address in EMAILED.values()) == queued_ids
    assert all(message_id.startswith("<dunning.") for message_id in queued_ids)
    sent = snapshots(back.stdout)[name, "final"]["cases"]
    for customer in EMAILED:
        assert sent[customer][0]["mails"] in ([], ["sent"])
