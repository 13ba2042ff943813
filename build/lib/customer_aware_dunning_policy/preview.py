"""Preview the days ahead: the steps a case would get if nothing changed but the date.

How to use: ``preview(spec, case, start, days=30)`` with the same
:class:`.engine.CaseInput` the daily run decides on; it returns one
:class:`PreviewEntry` per step that would happen, in date order.  It only
calls :func:`.engine.decide`, once per day, so the preview and the daily run
can never disagree about a given day.

What it assumes: nobody pays and no delay reason or promise changes; every
step is done on its day (an approval is granted the day it is asked for); a
case that closes is gone, and a new one opens when an invoice falls overdue
again.  A case waiting for an approval at the start stays held: a person has
to answer first.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from .engine import CLOSE, NEED_APPROVAL, SEND_STEP, Decision, decide

PREVIEW_DAYS = 30
ACTIONS = (SEND_STEP, NEED_APPROVAL)


@dataclass(frozen=True)
class PreviewEntry:
    day: date
    decision: Decision


def preview(spec, case, start, days=PREVIEW_DAYS) -> list:
    """Each step ``case`` would get from ``start`` to ``start + days`` (both included)."""
    entries = []
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        decision = decide(spec, case, day)
        if decision.kind in ACTIONS:
            entries.append(PreviewEntry(day, decision))
            case = replace(
                case,
                state="open",
                journey=decision.journey,
                done_step_keys=case.done_step_keys | {decision.step_key},
            )
        elif decision.kind == CLOSE:
            case = replace(case, state=None, journey=None)
    return entries
