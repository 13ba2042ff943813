"""The idempotency key of a step sent to a case's invoices: made by the engine, stored by the models.

A key is ``<journey>/<step identity>/<sorted invoice ids>``. A step's identity
is ``@<id>`` when the YAML gives the step a stable ``id:``, else ``#`` and a
digest of the step's content (:func:`step_identity`): inserting or reordering
steps in a new policy version leaves the identity of the others as it was, so
nothing done is sent again, and a changed step is a new step by design.

Keys stored before identities (``<journey>/<step index>/<ids>``) are still
read: their step is the one at that index of the journey (:meth:`StepKey.position`).
"""

import dataclasses
import hashlib
import json
from dataclasses import dataclass

ID_PREFIX = "@"
DIGEST_PREFIX = "#"
DIGEST_LENGTH = 12


@dataclass(frozen=True)
class StepKey:
    """The parts of a stored key: ``step`` (an identity) for a key of today, ``index`` for an old one."""

    journey: str
    index: int | None
    invoice_ids: frozenset
    step: str | None = None

    def position(self, journey) -> int | None:
        """The index in ``journey`` of the step this key was made for, or ``None`` when it has no such step."""
        if self.step is None:
            return self.index if self.index < len(journey.steps) else None
        return next((index for index, step in enumerate(journey.steps) if step.identity == self.step), None)


def step_identity(step) -> str:
    """``@<id>`` of a step with a stable ``id``, else ``#`` and a digest of its content (every field but ``id``)."""
    if step.id:
        return ID_PREFIX + step.id
    content = {item.name: getattr(step, item.name) for item in dataclasses.fields(step) if item.name != "id"}
    text = json.dumps(_canonical(content), sort_keys=True, separators=(",", ":"))
    return DIGEST_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def _canonical(value):
    """``value`` as JSON data that is the same in every process (sets sorted, dataclasses named)."""
    if dataclasses.is_dataclass(value):
        return [type(value).__name__, {item.name: _canonical(getattr(value, item.name))
                                       for item in dataclasses.fields(value)}]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(item) for item in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def make_step_key(journey_key, step, invoice_ids) -> str:
    """The database's idempotency key of ``step`` (a :class:`.schema.Step`) done for ``invoice_ids``.

    An ``int`` for ``step`` makes an old index-style key (as stored before step identities).
    """
    part = str(step) if isinstance(step, int) else step.identity
    return f"{journey_key}/{part}/{','.join(str(i) for i in sorted(set(invoice_ids)))}"


def parse_step_key(key) -> StepKey | None:
    """The parts of a key made by :func:`make_step_key` (either form); ``None`` for anything else."""
    parts = key.split("/") if isinstance(key, str) else ()
    if len(parts) != 3:
        return None
    middle = parts[1]
    identity = len(middle) > 1 and middle[0] in (ID_PREFIX, DIGEST_PREFIX)
    if not (middle.isdigit() or identity):
        return None
    try:
        ids = frozenset(int(part) for part in parts[2].split(",")) if parts[2] else frozenset()
    except ValueError:
        return None
    if identity:
        return StepKey(parts[0], None, ids, middle)
    return StepKey(parts[0], int(middle), ids)
