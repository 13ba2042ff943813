"""Receivables figures finance steers by, as plain arithmetic (no Odoo import).

The models sum the ledger in SQL (receivables at a month's end, split by age,
and the month's credit sales) and hand the sums here; every figure is then a
ratio of sums, never an average of per-customer ratios.
"""

import calendar
from dataclasses import dataclass
from datetime import date

# Ageing buckets of receivables at a date: (key, first day overdue, last day overdue or None).
AGEING_BUCKETS = (
    ("current", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_plus", 91, None),
)


def ageing_bucket(days_overdue: int) -> str:
    """The bucket of an amount ``days_overdue`` days past its due date (0 or less: current)."""
    for key, first, last in AGEING_BUCKETS:
        if (first is None or days_overdue >= first) and (last is None or days_overdue <= last):
            return key
    raise AssertionError(days_overdue)  # pragma: no cover - the buckets cover every integer


def month_end(month_start: date) -> date:
    """The last day of the month of ``month_start``."""
    return month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])


@dataclass(frozen=True)
class MonthSales:
    """One month of credit sales: its number of days and what was invoiced (net of credit notes)."""

    days: int
    sales: float


def countback_dso(receivable: float, months: list[MonthSales]) -> float | None:
    """Days sales outstanding by the countback method.

    ``months`` are the month of the figure first, then the months before it.
    The receivable at the month's end is "counted back" against each month's
    sales: a month whose sales it covers adds all its days, the month where it
    runs out adds its share of days. When the history runs out first the
    result is the days counted so far (a lower bound). No receivable: 0 days;
    no months at all: None.
    """
    if receivable <= 0:
        return 0.0
    if not months:
        return None
    remaining, days = receivable, 0.0
    for month in months:
        if month.sales <= 0 or remaining > month.sales:
            remaining -= max(month.sales, 0.0)
            days += month.days
            continue
        return round(days + month.days * remaining / month.sales, 1)
    return round(days, 1)


def collection_effectiveness(opening: float, sales: float, closing: float, closing_current: float) -> float | None:
    """Collection effectiveness index (%) of a period.

    (opening receivable + sales - closing receivable) /
    (opening receivable + sales - closing receivable not yet due) x 100:
    what was collected out of what could have been (everything but what was not
    yet due at the end). None when nothing was collectable.
    """
    numerator, denominator = cei_terms(opening, sales, closing, closing_current)
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 1)


def cei_terms(opening: float, sales: float, closing: float, closing_current: float) -> tuple[float, float]:
    """The numerator and denominator of :func:`collection_effectiveness`, to be summed over groups."""
    return opening + sales - closing, opening + sales - closing_current
