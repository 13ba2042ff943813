"""Payment plans in pure Python: the bounds a policy sets and the schedule a customer may choose within them.

A plan spreads what a case's invoices owe over instalments.  The policy's
``plans`` section gives the bounds (:class:`.schema.PlanBounds`), with overrides per
segment and per delay reason; :func:`bounds_for` picks the ones that apply to a
customer (a delay reason's override wins over a segment's, which wins over the
defaults).  :func:`propose_schedule` computes the instalments (dates one month
apart from the first date, equal amounts with the rounding remainder on the last)
and says, as :class:`~.text.Text` values, what is outside the bounds.
:func:`instalment_states` matches instalments with what has been paid on the
plan's invoices (paid in date order, oldest first).  Nothing here imports Odoo:
the models pass today, the amounts and the bounds in.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .text import Text, _

PLAN_STATES = [
    ("proposed", "Proposed"),
    ("agreed", "Agreed"),
    ("kept", "Kept so far"),
    ("broken", "Broken"),
    ("completed", "Completed"),
]
LIVE_PLAN_STATES = ("proposed", "agreed", "kept")  # a plan in these states keeps its invoices out of the journey
INSTALMENT_STATES = [("due", "Due"), ("paid", "Paid"), ("late", "Late")]
def bounds_for(settings, segment=None, delay_reason=None):
    """The bounds for a customer of ``segment`` whose invoices are late for ``delay_reason`` (keys or None)."""
    by_reason = dict(settings.by_delay_reason)
    if delay_reason in by_reason:
        return by_reason[delay_reason]
    by_segment = dict(settings.by_segment)
    return by_segment.get(segment, settings.bounds)


def add_months(day, months):
    """``day`` moved by ``months`` calendar months, kept within the month (31 January + 1 = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_amount(total, count, rounding=0.01):
    """``total`` in ``count`` equal parts rounded to ``rounding``; the last part takes the remainder."""
    cents = round(total / rounding)
    base = cents // count
    parts = [base * rounding] * (count - 1) + [(cents - base * (count - 1)) * rounding]
    digits = max(len(f"{rounding:.10f}".rstrip("0").split(".")[1]), 0)
    return [round(part, digits) for part in parts]


@dataclass(frozen=True)
class Instalment:
    date: date
    amount: float


def propose_schedule(total, count, first_date, today, bounds, rounding=0.01):
    """``(instalments, problems)``: ``count`` monthly instalments of ``total`` from ``first_date``.

    ``problems`` lists, as :class:`Text`, every bound the schedule breaks; the
    instalments are returned whenever they can be computed (a preview shows them
    even outside the bounds, so the customer sees why a person has to look).
    Nothing can be computed for a count below 2, an amount of zero or less, or no date.
    """
    problems = []
    if not isinstance(count, int) or count < 2:
        return (), [Text(_("A payment plan has at least 2 instalments."))]
    if total is None or total <= 0:
        return (), [Text(_("Nothing is left to pay: no payment plan is needed."))]
    if not isinstance(first_date, date):
        return (), [Text(_("Please choose the date of the first instalment."))]
    if count > bounds.max_instalments:
        problems.append(Text(_("At most %(max)s instalments."), max=bounds.max_instalments))
        if count > 120:
            return (), problems
    if first_date < today:
        problems.append(Text(_("The first instalment cannot be in the past.")))
    last_first = today + timedelta(days=bounds.first_within_days)
    if first_date > last_first:
        problems.append(Text(_("The first instalment at the latest on %(date)s."), date=last_first))
    dates = [add_months(first_date, index) for index in range(count)]
    amounts = split_amount(total, count, rounding)
    if dates[-1] > add_months(today, bounds.max_months):
        problems.append(Text(_("The last instalment at the latest on %(date)s (%(months)s months)."),
                             date=add_months(today, bounds.max_months), months=bounds.max_months))
    if min(amounts) < bounds.min_instalment:
        problems.append(Text(_("Each instalment at least %(amount)s."), amount=bounds.min_instalment))
    return tuple(Instalment(day, amount) for day, amount in zip(dates, amounts, strict=True)), problems


def instalment_states(instalments, paid, today, rounding=0.01):
    """The state of each of ``instalments`` (``(date, amount)`` pairs in date order) when ``paid`` is paid so far.

    Payments go to the instalments in date order: an instalment is ``paid`` once
    the running total of the instalments up to it is covered (half a rounding
    unit of tolerance), ``late`` when its date is before ``today`` and it is not,
    else ``due``.
    """
    states, running = [], 0.0
    for day, amount in instalments:
        running += amount
        if paid >= running - rounding / 2:
            states.append("paid")
        elif day < today:
            states.append("late")
        else:
            states.append("due")
    return states


def plan_state(states, instalments, today, broken_after_days):
    """The plan's state from its instalments' states: ``completed``, ``broken``, ``kept`` or ``agreed``."""
    if states and all(state == "paid" for state in states):
        return "completed"
    if any(state == "late" and day + timedelta(days=broken_after_days) <= today
           for state, (day, _amount) in zip(states, instalments, strict=True)):
        return "broken"
    return "kept" if "paid" in states else "agreed"
