"""Plain values the run's models share: a company's run date, an error's first line, what a dry run found.

No model here: the run's files (``models/dunning_run*.py``) and the case's preview import these.
"""

from dataclasses import dataclass
from datetime import UTC

import pytz

from .policy.engine import CaseInput, DealAnswer, Decision

# Context key of the daily run's batches: how many days a credit rating counts, read once for the run.
RATING_DAYS_KEY = "dunning_rating_valid_days"


class Rollback(Exception):
    """Undoes the savepoint of a preview or a simulation: what it wrote to find its answer is not kept."""


@dataclass(frozen=True)
class Simulation:
    """What a policy would do for one customer: the decision on the day and the steps of the days after."""

    partner: object
    case: CaseInput
    decision: Decision
    upcoming: tuple = ()


def first_line(error):
    """The first line of ``error``'s message, or its type's name when it has none."""
    return next(iter(str(error).strip().splitlines()), "") or type(error).__name__


def local_date(now, tz_name):
    """The date at the naive-UTC instant ``now`` in the time zone ``tz_name`` (UTC when unknown or empty)."""
    try:
        zone = pytz.timezone(tz_name) if tz_name else pytz.utc
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return now.replace(tzinfo=UTC).astimezone(zone).date()


def deal_answer(case):
    """The salesperson's answer to the case's step held for a deal (a row of the run's open cases), or None."""
    if case.get("deal_hold_outcome") == "approved":
        return DealAnswer(case["deal_hold_key"])
    if case.get("deal_hold_outcome") == "held_again" and case.get("deal_held_until"):
        return DealAnswer(case["deal_hold_key"], held_until=case["deal_held_until"])
    return None
