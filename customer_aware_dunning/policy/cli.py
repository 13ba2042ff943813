"""``validate FILE``: check a policy file without Odoo or a database.

Exit codes: 0 the policy is valid, 1 it has errors (each printed as
``FILE:LINE: message``), 2 the file cannot be read (or bad arguments).
The Odoo command-line entry point calls :func:`main`; it runs as well from a
plain Python with PyYAML, e.g. in an administrator's own CI.
"""

import argparse
import os
import sys

from .errors import escape_controls
from .loader import LoadResult, load_policy
from .schema import DEFAULT_GROUPS, DEFAULT_TEMPLATES
from .yaml_source import MAX_BYTES, too_large_error

OK, INVALID, UNREADABLE = 0, 1, 2


def validate(path, *, known_templates=DEFAULT_TEMPLATES, known_groups=DEFAULT_GROUPS, out=None) -> int:
    """Check the policy file at ``path``, print the outcome to ``out``, return the exit code."""
    out = out or sys.stdout
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # never more: a huge file is refused unread
            size = os.fstat(handle.fileno()).st_size if len(data) > MAX_BYTES else None
    except OSError as exc:
        out.write(f"{path}: cannot read the file: {escape_controls(str(exc.strerror or exc))}\n")
        return UNREADABLE
    if size is not None:
        # the bytes read stop one past the limit: the message states the file's true size
        result = LoadResult(None, [too_large_error(size if size > MAX_BYTES else None)])
    else:
        result = load_policy(data, known_templates=known_templates, known_groups=known_groups)
    for error in result.errors:
        out.write(f"{path}:{error.line or 1}: {error}\n")
    if result.errors:
        out.write(f"{path}: {len(result.errors)} problem(s); the policy is not valid\n")
        return INVALID
    spec = result.spec
    out.write(f"{path}: valid policy (version {spec.version}, {len(spec.segments)} segments, "
              f"{len(spec.journeys)} journeys)\n")
    return OK


def add_validate_arguments(parser):
    """The arguments of ``validate``, shared with the ``odoo dunning validate`` command."""
    parser.add_argument("file")
    parser.add_argument("--template", action="append", default=[], metavar="KEY",
                        help="a template key your database has besides the shipped ones (repeatable)")
    parser.add_argument("--group", action="append", default=[], metavar="XMLID",
                        help="a group XML id that group:<xml id> may name besides the shipped ones (repeatable)")


def main(argv=None, out=None) -> int:
    parser = argparse.ArgumentParser(prog="dunning-policy", description="Check customer_aware_dunning policies.")
    commands = parser.add_subparsers(dest="command", required=True)
    add_validate_arguments(
        commands.add_parser("validate", help="check a policy file; exit 0 valid, 1 invalid, 2 unreadable")
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else UNREADABLE
    return validate(args.file, known_templates=DEFAULT_TEMPLATES | set(args.template),
                    known_groups=DEFAULT_GROUPS | set(args.group), out=out)


def check(argv=None, out=None) -> int:
    """``dunning-policy-check FILE...``, the pre-commit hook: every file validated, the worst exit code."""
    parser = argparse.ArgumentParser(prog="dunning-policy-check", description="Check customer_aware_dunning policies.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--template", action="append", default=[], metavar="KEY")
    parser.add_argument("--group", action="append", default=[], metavar="XMLID")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else UNREADABLE
    templates, groups = DEFAULT_TEMPLATES | set(args.template), DEFAULT_GROUPS | set(args.group)
    return max(validate(path, known_templates=templates, known_groups=groups, out=out) for path in args.files)


if __name__ == "__main__":
    sys.exit(main())
