"""The idempotency key of a step sent to a case's invoices: made by the engine, stored by the models."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StepKey:
    journey: str
    index: int
    invoice_ids: frozenset


def make_step_key(journey_key, index, invoice_ids) -> str:
    """``<journey>/<step index>/<sorted invoice ids>``: the database's idempotency key of a step."""
    return f"{journey_key}/{index}/{','.join(str(i) for i in sorted(set(invoice_ids)))}"


def parse_step_key(key) -> StepKey | None:
    """The parts of a key made by :func:`make_step_key`; ``None`` for anything else."""
    parts = key.split("/") if isinstance(key, str) else ()
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    try:
        ids = frozenset(int(part) for part in parts[2].split(",")) if parts[2] else frozenset()
    except ValueError:
        return None
    return StepKey(parts[0], int(parts[1]), ids)
