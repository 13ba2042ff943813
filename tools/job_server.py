"""An Odoo server with OCA queue_job's job runner, as docs/deploy.md (section 3) runs one, for a test or a bench.

``JobServer(conf, database, workers, log)`` starts ``odoo --load=base,web,queue_job --workers=N`` on
``database`` only (``-d`` and ``--db-filter``: the job runner looks at no other database of the cluster),
with ``ODOO_QUEUE_JOB_CHANNELS=root:N``, no cron worker, on free ports of this machine, in a process group of
its own; ``stop()`` ends that group. No Odoo import: the server is another process.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"
READY = "queue job runner ready for db"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JobServer:
    """The server's master, its ``workers`` HTTP workers, the job runner and the gevent process, logging to ``log``."""

    def __init__(self, conf, database, workers, log, channels=None):
        self.log = Path(log)
        command = [
            sys.executable, str(ODOO), "-c", str(conf), "-d", database, f"--db-filter=^{database}$",
            "--load=base,web,queue_job", f"--workers={workers}", "--max-cron-threads=0",
            "--http-interface=127.0.0.1", f"--http-port={free_port()}", f"--gevent-port={free_port()}",
            "--limit-time-cpu=3600", "--limit-time-real=7200", "--log-level=info",
        ]
        environment = {**os.environ, "ODOO_QUEUE_JOB_CHANNELS": channels or f"root:{workers}"}
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def text(self):
        return self.log.read_text(errors="replace")

    def tail(self, size=4000):
        return self.text()[-size:]

    def wait_ready(self, timeout=300):
        """Wait until the job runner has connected to the database (it starts 5 s after the workers)."""
        deadline = time.monotonic() + timeout
        while READY not in self.text():
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the job runner was not ready after {timeout} s:\n{self.tail()}")
            time.sleep(0.2)

    def pids(self):
        """The server's processes (master and children), read from /proc: no psutil needed."""
        found = {self.process.pid}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == self.process.pid:  # process group
                    found.add(int(entry.name))
        return found

    def stop(self):
        """SIGTERM to the server's process group, SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
