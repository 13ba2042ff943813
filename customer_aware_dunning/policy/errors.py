"""Problems found in a policy document, as values (never exceptions)."""

import unicodedata
from dataclasses import dataclass

# Characters a message never carries as they are: control and format characters (terminal
# escape codes, NUL, bidirectional overrides) and line or paragraph separators, which could
# forge or hide lines of the output.  They are written as Python escapes instead.
_UNPRINTABLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def escape_controls(text: str) -> str:
    """``text`` with every control or format character written as an escape (``\\x1b``, ``\\u202e``)."""
    if text.isprintable():
        return text
    return "".join(repr(char)[1:-1] if unicodedata.category(char) in _UNPRINTABLE else char for char in text)


@dataclass(frozen=True)
class PolicyError:
    """One problem: where (key path and line) and what was expected.

    ``str()`` gives the message shown to administrators, e.g.
    ``journeys.standard.steps[2].day: expected an integer, got 'ten' (line 31)``.
    """

    path: str
    line: int | None
    message: str
    column: int | None = None

    def __post_init__(self):
        # Key paths and messages quote what the document wrote: never let it write to the terminal.
        object.__setattr__(self, "path", escape_controls(str(self.path)))
        object.__setattr__(self, "message", escape_controls(str(self.message)))

    def __str__(self):
        where = f"{self.path}: " if self.path else ""
        if self.line is None:
            return f"{where}{self.message}"
        column = f", column {self.column}" if self.column is not None else ""
        return f"{where}{self.message} (line {self.line}{column})"


def format_path(path) -> str:
    """``("journeys", "standard", "steps", 2, "day")`` → ``journeys.standard.steps[2].day``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def sort_key(error: PolicyError):
    """Document order: by line, then path."""
    return (error.line or 0, error.column or 0, error.path, error.message)
