"""Small helpers the section readers of :mod:`.loader` share to assemble spec objects from checked parts."""

from .reader import INVALID


def _listing(keys, limit=20):
    """``a, b, c`` for at most ``limit`` keys, then how many more (a message stays short)."""
    keys = tuple(keys or ())
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


def _all_valid(items):
    items = tuple(items)
    return INVALID if any(item is INVALID for item in items) else items


def _build(cls, values):
    """The spec object, or INVALID when any of its values is (the problem is already reported)."""
    if any(value is INVALID for value in values.values()):
        return INVALID
    return cls(**values)


def _label(key):
    return key.replace("_", " ").capitalize() if isinstance(key, str) else ""
