"""Typed reading of YAML data with one error per problem, each with its line.

Every check returns the value, or :data:`INVALID` after recording why.  The
loader's section readers build a spec object only from fields that are all
valid, so one mistake gives one message, not a cascade.
"""

import re

from .conditions import describe, suggestion
from .errors import PolicyError, format_path


class _Invalid:
    def __repr__(self):
        return "INVALID"


INVALID = _Invalid()
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
XMLID = re.compile(r"[a-z_][a-z0-9_]*\.[A-Za-z0-9_]+\Z")


class Reader:
    def __init__(self, source):
        self.source = source
        self.errors = []

    def error(self, path, message):
        path = tuple(path)
        self.errors.append(PolicyError(format_path(path), self.source.line_of(path), message))

    # -- containers -------------------------------------------------------------

    def mapping(self, path, value, known, required=()):
        """The mapping's known keys; unknown and missing keys are errors."""
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping with {_keys(required or known)}, got {describe(value)}")
            return INVALID
        for key in value:
            if key not in known:
                self._unknown_key((*path, key), key, known)
        for key in required:
            if key not in value:
                self.error(path, f"missing required key '{key}'")
        return {key: item for key, item in value.items() if key in known}

    def _unknown_key(self, path, key, known):
        hint = suggestion(key, known)
        if hint:
            self.error(path, f"unknown key{hint}")
        else:
            self.error(path, f"unknown key; expected one of {', '.join(known)}")

    def sequence(self, path, value, *, non_empty=False):
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {describe(value)}")
            return INVALID
        if non_empty and not value:
            self.error(path, "expected a non-empty list")
            return INVALID
        return value

    def field(self, raw, path, key, check, default=None, **options):
        """``check`` the value of ``key`` in ``raw`` (a checked mapping), or ``default`` when absent."""
        if key not in raw:
            return default
        return check((*path, key), raw[key], **options)

    # -- scalars ----------------------------------------------------------------

    def integer(self, path, value, minimum=None):
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(path, f"expected an integer, got {describe(value)}")
            return INVALID
        if minimum is not None and value < minimum:
            self.error(path, f"expected an integer of at least {minimum}, got {value}")
            return INVALID
        return value

    def boolean(self, path, value):
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {describe(value)}")
            return INVALID
        return value

    def text(self, path, value):
        if not isinstance(value, str):
            self.error(path, f"expected text, got {describe(value)}")
            return INVALID
        return value

    def identifier(self, path, value):
        if not isinstance(value, str) or not IDENTIFIER.match(value):
            self.error(path, f"expected a key in lower case letters, digits and _ (like my_key), got {describe(value)}")
            return INVALID
        return value

    def choice(self, path, value, choices, what):
        if not isinstance(value, str) or value not in choices:
            self.error(path, f"unknown {what} {describe(value)}{suggestion(value, choices)}; "
                             f"expected one of {', '.join(sorted(choices))}")
            return INVALID
        return value

    def choices(self, path, value, choices, what):
        items = self.sequence(path, value)
        if items is INVALID:
            return INVALID
        checked = tuple(self.choice((*path, index), item, choices, what) for index, item in enumerate(items))
        return INVALID if INVALID in checked else checked

    def xmlid(self, path, value, what):
        if not isinstance(value, str) or not XMLID.match(value):
            self.error(path, f"expected the XML id of {what} (like module.record_name), got {describe(value)}")
            return INVALID
        return value


def _keys(keys):
    return ", ".join(keys)
