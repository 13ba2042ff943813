"""Benchmark the daily run's batches as OCA queue_job jobs, done by the real job runner, against the run in process.

Usage (after ``make bench-data BENCH_SIZE=10k``)::

    .dev/venv/bin/python tools/bench_jobs.py -c .dev/odoo.conf --template cad_bench_tpl_10k -d cad_bench_jobs_10k \\
        --size 10k --workers 0,1,2

The template gets OCA ``queue_job`` once (a copy of it, ``<database>_qj``, dropped at the end). Then, for each
``--workers`` value, on a fresh copy of that and for the day the data was made for, the first daily run of the
main company, committed batch by batch as the cron does (``_run_company(..., commit=True)``):

* ``0``: in process, as today's cron: this process does the batches;
* ``N``: with ``customer_aware_dunning.run_batches_as_jobs`` on. An Odoo server (``tools/job_server.py``:
  ``--load=base,web,queue_job --workers=N``, ``ODOO_QUEUE_JOB_CHANNELS=root:N``) is started and waited for;
  this process then does the run's serial part (facts, segments, cases) and queues one job per batch; the job
  runner hands them to the N workers. The measure ends when the last job is done.

Per run: wall seconds (whole, and split into the serial part and the batches), CPU seconds of the Odoo
processes (this one and the server's, from /proc) and of the database's PostgreSQL backends, customers
decided (the jobs' results, or the in-process run's count), customers decided per second of wall and of CPU,
and the machine's load before and after. ``bench/results.json`` gets them under ``job_runner`` → size → ``runs`` →
workers, each as soon as it is measured (an earlier figure of the same kind moves to ``earlier_runs``; the rest
of the file is left as it is). No test asserts on time.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import odoo.init  # noqa: F401  (Odoo 19: sets up the odoo namespace before anything else)
from odoo import api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from job_server import ODOO, JobServer  # noqa: E402

from bench import DATE_PARAMETER, copy_template, machine  # noqa: E402  (tools/ is not a package)

JOBS_PARAMETER = "customer_aware_dunning.run_batches_as_jobs"
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid, children=False):
    """CPU seconds of process ``pid`` (with ``children``: plus those of its children that ended), 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / TICK


def backends_cpu(cr, database):
    """``{pid: CPU seconds}`` of the PostgreSQL backends connected to ``database`` (same machine)."""
    cr.execute(SQL("SELECT pid FROM pg_stat_activity WHERE datname = %s", database))
    return {pid: proc_cpu_s(pid) for pid, in cr.fetchall()}


class CpuMeter:
    """CPU of this process, of a server's process group and of the database's backends, between start and stop.

    A backend or server process that appears meanwhile counts whole; one that ends meanwhile is lost (Odoo
    keeps its connections and workers, so few do): the figures are a floor.
    """

    def __init__(self, cr, database, server=None):
        self.cr, self.database, self.server = cr, database, server

    def sample(self):
        master = self.server.process.pid if self.server else None
        odoo_pids = self.server.pids() if self.server else set()
        server = {pid: proc_cpu_s(pid, children=pid == master) for pid in odoo_pids}
        return time.process_time(), server, backends_cpu(self.cr, self.database)

    def start(self):
        self.before = self.sample()

    def stop(self):
        own, server, backends = self.sample()
        own0, server0, backends0 = self.before
        return {
            "odoo_cpu_s": own - own0 + sum(cpu - server0.get(pid, 0.0) for pid, cpu in server.items()),
            "odoo_cpu_this_process_s": own - own0,
            "db_cpu_s": sum(cpu - backends0.get(pid, 0.0) for pid, cpu in backends.items()),
        }


def install_queue_job(conf, database):
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ODOO), "-c", str(conf), "-d", database, "-i", "queue_job",
                    "--stop-after-init", "--no-http", "--log-level=warn"], check=True, cwd=ROOT)
    return time.perf_counter() - started


def jobs_state(cr):
    cr.execute(SQL("SELECT state, count(*) FROM queue_job WHERE method_name = '_follow_up_job' GROUP BY state"))
    return dict(cr.fetchall())


def measure(args, database, workers, log_dir):
    """One committed first run on ``database`` with ``workers`` job-runner workers (0: in process)."""
    server = JobServer(args.config, database, workers, log_dir / f"odoo_{workers}.log") if workers else None
    try:
        if server:
            server.wait_ready()
        registry = Registry(database)
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            today = date.fromisoformat(env["ir.config_parameter"].get_param(DATE_PARAMETER))
            env["ir.config_parameter"].set_param(JOBS_PARAMETER, str(bool(workers)))
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": [company.id]})
            cr.commit()
            run = env["dunning.run"].sudo().with_company(company)
            follow_up = type(run)._follow_up
            marks = {}

            def timed_follow_up(self, *a, **kw):
                marks["follow_up_start"] = time.perf_counter()
                decided = follow_up(self, *a, **kw)
                marks["follow_up_end"], marks["decided"] = time.perf_counter(), decided
                return decided

            type(run)._follow_up = timed_follow_up
            load_before = machine()
            with registry.cursor() as meter_cr:
                meter_cr._cnx.autocommit = True
                meter = CpuMeter(meter_cr, database, server)
                meter.start()
                started = time.perf_counter()
                try:
                    run._run_company(company, today, batch_size=args.batch_size, commit=True)
                    cr.commit()
                finally:
                    type(run)._follow_up = follow_up
                serial_end = time.perf_counter()
                while workers:
                    states = jobs_state(meter_cr)
                    if set(states) <= {"done", "failed"}:
                        break
                    if server.process.poll() is not None:
                        raise RuntimeError(f"the server stopped:\n{server.tail()}")
                    time.sleep(0.5)
                ended = time.perf_counter()
                cpu = meter.stop()
            result = {"workers": workers, "channels": f"root:{workers}" if workers else None,
                      "batch_size": args.batch_size, "wall_s": ended - started, **cpu,
                      "machine_before": load_before, "machine_after": machine()}
            if workers:
                cr.execute(SQL("""SELECT result, exec_time, worker_pid FROM queue_job
                                   WHERE method_name = '_follow_up_job'"""))
                rows = cr.fetchall()
                result.update({
                    "jobs": len(rows), "jobs_state": jobs_state(cr),
                    "worker_pids": len({pid for _r, _t, pid in rows}),
                    "jobs_exec_s": sum(exec_time or 0 for _r, exec_time, _p in rows),
                    "customers_decided": sum(int(re.match(r"(\d+)", res or "0").group(1)) for res, _t, _p in rows),
                    "serial_s": marks["follow_up_end"] - started,  # the serial part, and queuing the jobs
                    "batches_s": ended - serial_end,
                })
            else:
                result.update({"customers_decided": marks["decided"],
                               "serial_s": marks["follow_up_start"] - started,
                               "batches_s": marks["follow_up_end"] - marks["follow_up_start"]})
        Registry.delete(database)
        sql_db.close_db(database)
    finally:
        if server:
            server.stop()
    cpu_total = result["odoo_cpu_s"] + result["db_cpu_s"]
    result["customers_per_wall_s"] = result["customers_decided"] / result["wall_s"]
    result["customers_per_cpu_s"] = result["customers_decided"] / cpu_total if cpu_total else None
    result["batches_customers_per_wall_s"] = result["customers_decided"] / result["batches_s"]
    print(f"workers {workers}: {result['customers_decided']} customers decided in {result['wall_s']:.1f} s wall "
          f"(serial {result['serial_s']:.1f} s + batches {result['batches_s']:.1f} s), CPU Odoo "
          f"{result['odoo_cpu_s']:.1f} s + PostgreSQL {result['db_cpu_s']:.1f} s; "
          f"{result['customers_per_wall_s']:.1f} customers/s wall, {result['customers_per_cpu_s'] or 0:.1f}/s CPU; "
          f"load {result['machine_before']['load_1_5_15']} -> {result['machine_after']['load_1_5_15']}", flush=True)
    return result


def drop(database):
    with sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(database)))
    subprocess.run(["rm", "-rf", config.filestore(database)], check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--template", required=True, help="the database tools/bench_data.py built")
    parser.add_argument("-d", "--database", required=True, help="the copies' name (each dropped first)")
    parser.add_argument("--size", default="10k", help="the key of the figures in the results file")
    parser.add_argument("--workers", default="0,1,2", help="comma-separated; 0 is the run in process")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    log_dir = Path(config["data_dir"]) / "bench_jobs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with_queue_job = f"{args.database}_qj"
    copy_template(args.template, with_queue_job)
    setup = {"queue_job_install_s": install_queue_job(args.config, with_queue_job)}
    sql_db.close_db(with_queue_job)
    try:
        for workers in (int(value) for value in args.workers.split(",")):
            database = f"{args.database}_{workers}"
            copy_template(with_queue_job, database)
            try:
                store(args, setup, measure(args, database, workers, log_dir))
            finally:
                drop(database)
    finally:
        drop(with_queue_job)
    print(f"figures written to {args.results} under job_runner/{args.size}; server logs in {log_dir}")


def store(args, setup, run):
    """Add ``run`` to ``job_runner`` → size → runs → workers in the results file (each run as soon as it ends)."""
    path = Path(args.results)
    stored = json.loads(path.read_text()) if path.exists() else {}
    size = stored.setdefault("job_runner", {}).setdefault(args.size, {})
    size.update({"template": args.template, **setup})
    runs, key = size.setdefault("runs", {}), str(run["workers"])
    if key in runs:  # an earlier measure of the same kind stays, for the spread between rounds
        size.setdefault("earlier_runs", {}).setdefault(key, []).append(runs[key])
    runs[key] = {**run, "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path.write_text(json.dumps(stored, indent=2, sort_keys=True, default=str) + "\n")


if __name__ == "__main__":
    main()
