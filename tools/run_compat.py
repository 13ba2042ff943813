#!/usr/bin/env python3
"""Run a selection of Odoo's own account and sale tests on a database that has the addon installed.

    run_compat.py -c .dev/odoo.conf -d DB [--tags TAGS] [more odoo options]

Odoo runs the post_install tests of installed modules when it loads an existing
database with ``--test-tags`` and no ``-i``/``-u`` (odoo/service/server.py,
``preload_registries``).  Its exit code counts failures but not "no test ran",
so this script reads the log as well: it exits non-zero when Odoo does, when a
test fails or errors, or when no test ran (a renamed class would otherwise pass
silently).  It prints the number of tests and the seconds they took.
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".dev" / "venv" / "bin" / "python"
ODOO = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"

# Odoo's tests of the areas the addon touches: customer invoices, payment terms,
# payments and reconciliation, sending invoices, the portal invoice pages, and
# sales orders turned into invoices.
SELECTION = (
    "/account:TestAccountMoveOutInvoiceOnchanges",
    "/account:TestAccountPaymentTerms",
    "/account:TestAccountMoveReconcile",
    "/account:TestAccountPaymentRegister",
    "/account:TestAccountMoveSend",
    "/account:TestPortalInvoice",
    "/account:TestAccountPartner",
    "/sale:TestSaleToInvoice",
    "/sale:TestSaleOrderInvoicing",
)

# Tests that fail the same way on a database with only account and sale (no addon) in this
# Odoo 19 build: not ours to fix, left out so that a failure means something.  Check again
# after an Odoo update: ``run_compat.py -d <db with account,sale only> --tags <these, without '-'>``.
KNOWN_UPSTREAM_FAILURES = (
    "-/account:TestAccountMoveOutInvoiceOnchanges.test_narration_preserved_when_use_invoice_terms_disabled",
    "-/account:TestAccountMoveOutInvoiceOnchanges.test_narration_translation_on_partner_language_change",
    "-/account:TestAccountMoveOutInvoiceOnchanges.test_post_valid_invoices_when_auto_post",
)

RAN = re.compile(r"(\d+) post-tests in ([\d.]+)s")
FAILED = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--tags", default=",".join(SELECTION + KNOWN_UPSTREAM_FAILURES))
    args, extra = parser.parse_known_args(argv)
    command = [
        str(PYTHON), str(ODOO), "-c", args.config, "-d", args.database, "--db-filter", f"^{args.database}$",
        "--test-tags", args.tags, "--stop-after-init", "--log-level=info", "--max-cron-threads=0", *extra,
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ran = failed = errors = None
    for line in process.stdout:
        sys.stdout.write(line)
        if match := RAN.search(line):
            ran = int(match.group(1))
        if match := FAILED.search(line):
            failed, errors, ran = (int(group) for group in match.groups())
    status = process.wait()
    seconds = time.monotonic() - started
    print(f"\nmake compat: {ran or 0} tests of Odoo's account and sale modules, {failed or 0} failed, "
          f"{errors or 0} error(s), Odoo exit code {status}, {seconds:.0f} s in all")
    if status != 0 or failed or errors:
        return 1
    if not ran:
        print("make compat: no test ran (check the class names in --test-tags)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
