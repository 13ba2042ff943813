"""The run's batches as jobs, done by OCA queue_job's real job runner and two worker processes: each step once.

A real Odoo server, as docs/deploy.md (section 3) sets one up: ``--load=base,web,queue_job``,
``--workers=2`` and ``ODOO_QUEUE_JOB_CHANNELS=root:2``. queue_job's job runner (a process of its own)
listens for new jobs and asks the server, over HTTP on a free port of this machine, to run up to two at
once; the two HTTP worker processes run them. The database is a copy of the fault tests' template with
24 overdue customers (``tests/jobs_driver.py``). The scheduled job's run, with the batches-as-jobs
parameter on, queues its 6 batches of 4, and each batch twice in a row (the second job without an
identity key, as a job requeued by hand or found dead would be), so the two jobs of a batch are handed
to the two workers together and race on the same customers; once all are done, the first job of each
batch is set pending again and runs a second time. Then each customer must be exactly as the same run
done in process leaves it: one step event per due step, one email per email step, no step recorded
twice, no customer left needing attention; and every job done, attempted once per time it was queued.

What keeps it so: each job takes the advisory lock of each customer of its batch (per company and
customer) and skips the ones another job holds; a job that comes later reads the step keys already done
and decides nothing new; the unique index on (case, step key) refuses a step recorded twice. Tried with
each guard taken out of the code: without the customer locks the two jobs of a batch decide the same
steps at once, the second one fails on the index (or on a serialization error) and queue_job tries it
again, which the attempts check sees (the end state stays right, thanks to the index); without the step
keys read back, each customer of the job run a second time fails alone on the index (the job's result:
0 customer(s) decided, where 4 were expected).
"""

import subprocess
import sys
import time
from contextlib import closing

import psycopg2
import pytest
from test_run_faults import CONF, ROOT, ScratchDatabases, connection_options, snapshots

sys.path.insert(0, str(ROOT / "tools"))
from job_server import JobServer

DRIVER = ROOT / "tests" / "jobs_driver.py"
CUSTOMERS, BATCH_SIZE, WORKERS = 24, 4, 2
BATCHES = -(-CUSTOMERS // BATCH_SIZE)
JOBS_QUERY = "SELECT state, count(*) FROM queue_job WHERE method_name = '_follow_up_job' GROUP BY state"

pytestmark = pytest.mark.skipif(not CONF.exists(), reason="the .dev Odoo tree is not bootstrapped")


# pytest-odoo opens a registry for every test module unless told otherwise: these tests only start processes.
@pytest.fixture(scope="module")
def enable_odoo_test_flag():
    yield


def jobs_driver(*args, timeout=300):
    result = subprocess.run([sys.executable, str(DRIVER), "-c", str(CONF), *map(str, args)],
                            capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def wait_for_jobs(database, expected, server, timeout=180):
    """``{state: count}`` of the run's jobs once ``expected`` of them exist and none is waiting or running."""
    deadline = time.monotonic() + timeout
    with closing(psycopg2.connect(**connection_options(database))) as connection:
        connection.autocommit = True
        while True:
            with connection.cursor() as cr:
                cr.execute(JOBS_QUERY)
                states = dict(cr.fetchall())
            if sum(states.values()) >= expected and set(states) <= {"done", "failed"}:
                return states
            assert server.process.poll() is None, f"the server stopped:\n{server.tail()}"
            assert time.monotonic() < deadline, f"jobs still not done after {timeout} s: {states}\n{server.tail()}"
            time.sleep(0.5)


def requeue_first_jobs(database):
    """Set the first job of each batch (the one with an identity key) pending again once every job is done, as
    queue_job's requeue does (keeping its count of attempts); the uuids of those jobs."""
    with closing(psycopg2.connect(**connection_options(database))) as connection, connection.cursor() as cr:
        cr.execute("""UPDATE queue_job SET state = 'pending', date_enqueued = NULL, date_started = NULL,
                             date_done = NULL, result = NULL, worker_pid = NULL
                       WHERE method_name = '_follow_up_job' AND identity_key IS NOT NULL AND state = 'done'
                   RETURNING uuid""")
        uuids = {uuid for uuid, in cr.fetchall()}
        connection.commit()
    assert len(uuids) == BATCHES
    return uuids


@pytest.fixture(scope="module")
def databases(request):
    """The reference database (the customers, then the run in process) and its copy for the job runner."""
    database = request.config.getoption("--odoo-database", default=None)
    if not database:
        pytest.skip("needs pytest-odoo's --odoo-database: the scratch database is a copy of it")
    scratch = ScratchDatabases()
    template = f"{database}_faults"
    if not scratch.exists(template):  # `make db-test` makes it; the fault tests refresh it
        odoo_sql = sys.modules.get("odoo.sql_db")
        if odoo_sql is not None:
            odoo_sql.close_db(database)
        scratch.copy(database, template, keep=True)
    scratch.reference = scratch.copy(template, f"{database}_jobs_reference")
    jobs_driver("setup", scratch.reference, "--customers", CUSTOMERS)
    scratch.jobs = scratch.copy(scratch.reference, f"{database}_jobs_runner")
    yield scratch
    scratch.close()


def test_two_job_runner_workers_do_each_customer_once_with_every_batch_queued_twice(databases, tmp_path):
    server = JobServer(CONF, databases.jobs, WORKERS, tmp_path / "odoo.log")
    try:
        # While the server starts: the same run in process (the reference), then the run that queues.
        runs = jobs_driver("run", databases.reference, f"{databases.jobs}@jobs", "--twice",
                           "--batch-size", BATCH_SIZE, "--customers", CUSTOMERS)
        assert runs.count("RUN-RESULT done") == 2, runs
        assert f"QUEUED {2 * BATCHES}" in runs, runs
        wait_for_jobs(databases.jobs, 2 * BATCHES, server)
        # Then the first job of each batch is set to run again, once done: it decides its customers anew, and
        # finds their steps done.
        again = requeue_first_jobs(databases.jobs)
        states = wait_for_jobs(databases.jobs, 2 * BATCHES, server)
    finally:
        server.stop()
    log = server.text()
    reference = snapshots(runs)[databases.reference, "final"]
    done = snapshots(jobs_driver("snapshot", databases.jobs, "--customers", CUSTOMERS))[databases.jobs, "final"]

    assert states == {"done": 2 * BATCHES}, [job for job in done["jobs"] if job["state"] != "done"]
    assert reference["problems"] == [], reference["problems"]
    assert done["problems"] == [], done["problems"]  # no step twice, one email per email step, no flag
    assert len(reference["cases"]) == CUSTOMERS
    steps = sum(event.startswith("step:") for cases in reference["cases"].values() for case in cases
                for event in case["events"])
    assert steps >= CUSTOMERS // 2, "most customers have a step due on the run's day"
    assert done["cases"] == reference["cases"]
    # queue_job counts every attempt in ``retry``: once per time a job was queued, so no attempt failed.
    assert [job["retry"] for job in done["jobs"]] == [2 if job["uuid"] in again else 1 for job in done["jobs"]]
    assert [job["result"] for job in done["jobs"] if job["uuid"] in again] == [
        f"{BATCH_SIZE} customer(s) decided"] * BATCHES, "each batch done a second time, after the first"
    # Two worker processes did the jobs, sent there by the job runner over HTTP...
    assert len({job["worker_pid"] for job in done["jobs"]}) == WORKERS, done["jobs"]
    assert "GET /queue_job/runjob" in log, log[-4000:]
    assert "Traceback" not in log, log[-4000:]
    # ...and the two jobs of a batch did race: a job found customers of its batch locked by the other one.
    assert "customer(s) skipped, another run is working on them" in log, log[-4000:]
