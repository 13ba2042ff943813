"""What a collection step may charge: reminder fees, the recovery compensation and late-payment interest.

Pure functions on plain data, shared by the activation check, the daily run and
the tests; the models turn records into these inputs and the results into
records and messages.

* :class:`LegalLimits` is a country's legal profile as plain data (``None``: no
  limit); :func:`check_limits` lists every step of a policy that breaks one, as
  :class:`Violation` objects the models turn into whole-sentence messages.
* :func:`interest_periods` computes late-payment interest on one invoice, day
  by day from its due date, across changes of the reference rate and partial
  payments: a day counts when it is after the due date (and after the day up to
  which interest was already charged) and on or before ``end``; the balance of
  a day is the invoice's amount minus the payments made before that day; the
  annual rate of a day is the agreed rate when the contract set one, else the
  reference rate in force that day (the latest ``date_from`` on or before it)
  plus the margin; a year counts 365 days.
* :func:`plan_charges` gives the :class:`ChargeLine` objects one step charges a
  customer today, clamped to the limits whatever the policy says (each clamp
  is a :class:`Note` for the log), all marked waived when the policy waives
  the customer's charges (computed and recorded anyway).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

CONSUMER = "consumer"
BUSINESS = "business"
YEAR_DAYS = 365
RATE_VALID_DAYS = 184  # a reference rate is published per half-year: the longest half-year has 184 days

FEE = "fee"
COMPENSATION = "compensation"
INTEREST = "interest"

# The rules check_limits() applies; the models hold one message per rule.
CONSUMER_FEE_MAX = "consumer_fee_max"
BUSINESS_FEE_MAX = "business_fee_max"
CONSUMER_FIRST_FEE = "consumer_first_fee"
CONSUMER_FEE_INTERVAL = "consumer_fee_interval"
BUSINESS_FEE_INTERVAL = "business_fee_interval"
CONSUMER_COMPENSATION = "consumer_compensation"
BUSINESS_COMPENSATION_MAX = "business_compensation_max"
COMPENSATION_TWICE = "compensation_twice"
CHARGE_BEFORE_DUE = "charge_before_due"
CONSUMER_PROMOTION = "consumer_promotion"
CONSUMER_MARGIN = "consumer_interest_margin"
BUSINESS_MARGIN = "business_interest_margin"
RULES = (
    CONSUMER_FEE_MAX, BUSINESS_FEE_MAX, CONSUMER_FIRST_FEE, CONSUMER_FEE_INTERVAL, BUSINESS_FEE_INTERVAL,
    CONSUMER_COMPENSATION, BUSINESS_COMPENSATION_MAX, COMPENSATION_TWICE, CHARGE_BEFORE_DUE, CONSUMER_PROMOTION,
    CONSUMER_MARGIN, BUSINESS_MARGIN,
)

# What plan_charges() noted while clamping or skipping a charge.
FEE_CAPPED = "fee_capped"
FEE_TOO_EARLY = "fee_too_early"
FEE_TOO_SOON = "fee_too_soon"
COMPENSATION_CAPPED = "compensation_capped"
COMPENSATION_NOT_FOR_CONSUMERS = "compensation_not_for_consumers"
MARGIN_CAPPED = "margin_capped"
NO_MARGIN = "no_margin"
NO_REFERENCE_RATE = "no_reference_rate"


@dataclass(frozen=True)
class LegalLimits:
    """What collecting may cost a customer in one country (amounts in the profile's currency)."""

    name: str = ""
    consumer_fee_max: float | None = None  # per written payment reminder
    business_fee_max: float | None = None
    consumer_first_fee_days: int = 0  # the first charged reminder, at the earliest this many days after the due date
    consumer_fee_interval_days: int = 0  # between two charged reminders to a consumer
    business_fee_interval_days: int = 0  # between two charged demands to a business
    consumer_compensation_max: float | None = None  # 0: consumers owe no recovery compensation
    business_compensation_max: float | None = None  # per overdue invoice, once
    consumer_interest_margin: float | None = None  # points over the reference rate (the statutory rate)
    business_interest_margin: float | None = None
    consumer_no_promotion: bool = False  # collection messages to consumers carry no sales promotion

    def fee_max(self, customer_type):
        return self.consumer_fee_max if customer_type == CONSUMER else self.business_fee_max

    def fee_interval_days(self, customer_type):
        return self.consumer_fee_interval_days if customer_type == CONSUMER else self.business_fee_interval_days

    def compensation_max(self, customer_type):
        return self.consumer_compensation_max if customer_type == CONSUMER else self.business_compensation_max

    def interest_margin(self, customer_type):
        return self.consumer_interest_margin if customer_type == CONSUMER else self.business_interest_margin


@dataclass(frozen=True)
class Violation:
    """A rule of the legal profile that a policy breaks: ``step_index`` is None for a policy-wide setting."""

    rule: str
    journey: str = ""
    step_index: int | None = None
    value: float = 0.0  # what the policy says (an amount, a day, a number of days or points)
    limit: float = 0.0  # what the profile allows


def check_limits(spec, limits, promotional_templates=frozenset()):
    """Every :class:`Violation` of ``limits`` by ``spec``, in document order (empty: the policy is lawful).

    ``promotional_templates``: the keys of the templates that contain sales promotion.
    """
    violations = []
    for customer_type, rule in ((CONSUMER, CONSUMER_MARGIN), (BUSINESS, BUSINESS_MARGIN)):
        margin = getattr(spec.charges, f"interest_margin_{customer_type}")
        statutory = limits.interest_margin(customer_type)
        if margin is not None and statutory is not None and margin > statutory:
            violations.append(Violation(rule, value=margin, limit=statutory))
    for journey in spec.journeys:
        violations.extend(_journey_violations(journey, limits, promotional_templates))
    return tuple(violations)


def _journey_violations(journey, limits, promotional_templates):
    found = []
    last_fee_day = {CONSUMER: None, BUSINESS: None}
    compensated_at = None
    for index, step in enumerate(journey.steps):
        def add(rule, value=0.0, limit=0.0, index=index):
            found.append(Violation(rule, journey.key, index, value, limit))

        if step.charges and step.before_due:
            add(CHARGE_BEFORE_DUE, step.day)
        if limits.consumer_no_promotion and step.reaches(CONSUMER) and step.template in promotional_templates:
            add(CONSUMER_PROMOTION)
        if step.compensation:
            if compensated_at is not None:
                add(COMPENSATION_TWICE, step.day, journey.steps[compensated_at].day)
            compensated_at = index
        for customer_type in (CONSUMER, BUSINESS):
            if step.reaches(customer_type):
                _step_violations(step, customer_type, limits, last_fee_day, add)
    return found


def _step_violations(step, customer_type, limits, last_fee_day, add):
    consumer = customer_type == CONSUMER
    fee_max = limits.fee_max(customer_type)
    if step.fee and fee_max is not None and step.fee > fee_max:
        add(CONSUMER_FEE_MAX if consumer else BUSINESS_FEE_MAX, step.fee, fee_max)
    compensation_max = limits.compensation_max(customer_type)
    if step.compensation and compensation_max is not None and step.compensation > compensation_max:
        add(CONSUMER_COMPENSATION if consumer else BUSINESS_COMPENSATION_MAX, step.compensation, compensation_max)
    demand = step.fee > 0 if consumer else (step.fee > 0 or step.compensation > 0)
    if not demand:
        return
    if consumer and not step.before_due and step.day < limits.consumer_first_fee_days:
        add(CONSUMER_FIRST_FEE, step.day, limits.consumer_first_fee_days)
    interval = limits.fee_interval_days(customer_type)
    previous = last_fee_day[customer_type]
    if previous is not None and step.day - previous < interval:
        add(CONSUMER_FEE_INTERVAL if consumer else BUSINESS_FEE_INTERVAL, step.day - previous, interval)
    last_fee_day[customer_type] = step.day


# -- interest -----------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceRate:
    date_from: date
    rate: float  # annual, in percent


@dataclass(frozen=True)
class InterestPeriod:
    """Days in a row with the same balance and annual rate; ``rate`` None: no reference rate known, nothing due."""

    date_from: date  # first day counted
    date_to: date  # last day counted
    days: int
    balance: float
    rate: float | None
    amount: float  # unrounded


def reference_rate_on(rates, day):
    """The reference rate in force on ``day`` (the latest ``date_from`` on or before it), or ``None``.

    A rate is published for a half-year: one older than :data:`RATE_VALID_DAYS`
    on ``day`` is stale (the next one is missing from the table), and no
    interest is charged on a stale rate.
    """
    known = [rate for rate in rates if rate.date_from <= day]
    latest = max(known, key=lambda rate: rate.date_from) if known else None
    if latest is None or (day - latest.date_from).days >= RATE_VALID_DAYS:
        return None
    return latest.rate


def interest_periods(principal, due_date, payments, rates, margin, end, start=None, agreed_rate=None):
    """The :class:`InterestPeriod` objects of one invoice's interest up to ``end`` (see the module docstring).

    ``payments``: ``(date, amount)`` pairs; ``start``: the last day already
    charged (``None``: none, count from the due date); ``agreed_rate``: the
    contract's annual rate, which replaces reference rate plus ``margin``.
    """
    first = max(due_date, start or due_date) + timedelta(days=1)
    if first > end:
        return ()
    breaks = {first, end + timedelta(days=1)}
    breaks.update(day + timedelta(days=1) for day, _amount in payments if first < day + timedelta(days=1) <= end)
    if agreed_rate is None:
        breaks.update(rate.date_from for rate in rates if first < rate.date_from <= end)
        stale = (rate.date_from + timedelta(days=RATE_VALID_DAYS) for rate in rates)
        breaks.update(day for day in stale if first < day <= end)
    edges = sorted(breaks)
    periods = []
    for begin, after in pairwise(edges):
        balance = principal - sum(amount for day, amount in payments if day < begin)
        if balance <= 0:
            continue
        reference = reference_rate_on(rates, begin)
        annual = agreed_rate if agreed_rate is not None else (None if reference is None else reference + margin)
        days = (after - begin).days
        amount = 0.0 if annual is None else balance * annual / 100 * days / YEAR_DAYS
        periods.append(InterestPeriod(begin, after - timedelta(days=1), days, balance, annual, amount))
    return tuple(_merge(periods))


def _merge(periods):
    """Neighbouring periods with the same balance and rate are one line."""
    merged = []
    for period in periods:
        last = merged[-1] if merged else None
        if last and (last.balance, last.rate) == (period.balance, period.rate) \
                and last.date_to + timedelta(days=1) == period.date_from:
            merged[-1] = InterestPeriod(last.date_from, period.date_to, last.days + period.days, last.balance,
                                        last.rate, last.amount + period.amount)
        else:
            merged.append(period)
    return merged


def round_amount(amount):
    """Rounded to cents, halves up (as people count money)."""
    return float(Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def interest_total(periods):
    return round_amount(sum(period.amount for period in periods))


# -- what one step charges ------------------------------------------------------


@dataclass(frozen=True)
class ChargeInvoice:
    """An overdue invoice a step covers, as the charges see it."""

    id: int
    due_date: date
    principal: float  # the invoice's total
    payments: tuple = ()  # (date, amount) pairs
    label: str = ""
    compensated: bool = False  # the recovery compensation was already charged (or waived) for it
    interest_until: date | None = None  # interest already charged (or waived) up to this day


@dataclass(frozen=True)
class ChargeLine:
    kind: str  # FEE, COMPENSATION or INTEREST
    amount: float
    waived: bool = False
    invoice_id: int | None = None
    invoice_label: str = ""
    date_from: date | None = None
    date_to: date | None = None
    days: int = 0
    rate: float | None = None
    balance: float = 0.0


@dataclass(frozen=True)
class Note:
    """Something the run clamped or skipped, for the log: ``code`` is one of the constants above."""

    code: str
    value: float = 0.0
    limit: float = 0.0
    invoice_label: str = ""


@dataclass(frozen=True)
class ChargePlan:
    lines: tuple = ()
    notes: tuple = ()

    @property
    def charged(self):
        return round_amount(sum(line.amount for line in self.lines if not line.waived))

    @property
    def waived(self):
        return round_amount(sum(line.amount for line in self.lines if line.waived))


@dataclass(frozen=True)
class ChargeContext:
    """Everything besides the step that decides its charges."""

    customer_type: str
    today: date
    invoices: tuple = ()  # ChargeInvoice, the overdue invoices the step covers
    limits: LegalLimits | None = None  # None: no legal profile, nothing is capped
    rates: tuple = ()  # ReferenceRate
    margin: float | None = None  # the policy's margin for this customer type; None: the profile's
    agreed_rate: float | None = None  # the contract's annual rate, which replaces the statutory one
    last_fee_date: date | None = None  # the last reminder fee (or demand, for businesses) actually charged
    waive: bool = False


def plan_charges(step, context):
    """The :class:`ChargePlan` of ``step`` for one customer today (see the module docstring)."""
    limits = context.limits or LegalLimits()
    lines = []
    notes = []
    overdue = [invoice for invoice in context.invoices if invoice.due_date < context.today]
    fee = _fee(step, context, limits, overdue, notes)
    if fee:
        lines.append(ChargeLine(FEE, fee))
    lines.extend(_compensation(step, context, limits, overdue, notes))
    if step.interest:
        lines.extend(_interest(context, limits, overdue, notes))
    if context.waive:
        lines = [replace(line, waived=True) for line in lines]
    return ChargePlan(tuple(line for line in lines if line.amount > 0), tuple(notes))


def _fee(step, context, limits, overdue, notes):
    if not step.fee or not overdue:
        return 0.0
    amount = step.fee
    cap = limits.fee_max(context.customer_type)
    if cap is not None and amount > cap:
        notes.append(Note(FEE_CAPPED, amount, cap))
        amount = cap
    oldest = min(invoice.due_date for invoice in overdue)
    if context.customer_type == CONSUMER and (context.today - oldest).days < limits.consumer_first_fee_days:
        notes.append(Note(FEE_TOO_EARLY, (context.today - oldest).days, limits.consumer_first_fee_days))
        return 0.0
    interval = limits.fee_interval_days(context.customer_type)
    if context.last_fee_date and (context.today - context.last_fee_date).days < interval:
        notes.append(Note(FEE_TOO_SOON, (context.today - context.last_fee_date).days, interval))
        return 0.0
    return round_amount(amount)


def _compensation(step, context, limits, overdue, notes):
    if not step.compensation:
        return []
    amount = step.compensation
    cap = limits.compensation_max(context.customer_type)
    if cap is not None and cap <= 0:
        notes.append(Note(COMPENSATION_NOT_FOR_CONSUMERS, amount, 0.0))
        return []
    if cap is not None and amount > cap:
        notes.append(Note(COMPENSATION_CAPPED, amount, cap))
        amount = cap
    return [ChargeLine(COMPENSATION, round_amount(amount), invoice_id=invoice.id, invoice_label=invoice.label)
            for invoice in overdue if not invoice.compensated]


def _interest(context, limits, overdue, notes):
    statutory = limits.interest_margin(context.customer_type)
    margin = context.margin if context.margin is not None else statutory
    if margin is not None and statutory is not None and margin > statutory:
        notes.append(Note(MARGIN_CAPPED, margin, statutory))
        margin = statutory
    if margin is None and context.agreed_rate is None:
        notes.append(Note(NO_MARGIN))
        return []
    lines = []
    for invoice in overdue:
        periods = interest_periods(invoice.principal, invoice.due_date, invoice.payments, context.rates,
                                   margin or 0.0, context.today, invoice.interest_until,
                                   context.agreed_rate)
        if any(period.rate is None for period in periods):
            notes.append(Note(NO_REFERENCE_RATE, invoice_label=invoice.label))
        for period in periods:
            amount = round_amount(period.amount)
            if amount > 0:
                lines.append(ChargeLine(INTEREST, amount, invoice_id=invoice.id, invoice_label=invoice.label,
                                        date_from=period.date_from, date_to=period.date_to, days=period.days,
                                        rate=period.rate, balance=period.balance))
    return lines
