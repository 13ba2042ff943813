"""``--fail-on-skip``: the session fails when any test was skipped (``make test`` passes it).

Some tests skip when their environment is missing (the .dev Odoo tree, pytest-odoo's
database, queue_job).  A CI run must not turn green with them skipped: with this option the
skipped tests are listed and the exit status is 1.  Loaded by ``tests/conftest.py``.
"""

import pytest


def pytest_addoption(parser):
    parser.addoption("--fail-on-skip", action="store_true", default=False,
                     help="fail the session when any test is skipped (CI: no test may skip for a missing environment)")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if not session.config.getoption("fail_on_skip", default=False):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if not skipped:
        return
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reporter.write_line(f"SKIPPED (not allowed with --fail-on-skip): {report.nodeid}: {reason}", red=True)
    if session.exitstatus == 0:
        session.exitstatus = 1
