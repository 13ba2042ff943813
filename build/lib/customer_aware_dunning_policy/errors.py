"""Problems found in a policy document, as values (never exceptions)."""

from dataclasses import dataclass


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
