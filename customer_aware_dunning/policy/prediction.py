"""Predicted payment date of an open invoice from the customer's own history (no Odoo import).

How it works: every invoice the customer settled before ``today`` is one observation of how
many days after its due date it was paid (negative: early). Recent observations weigh more:
an observation's weight halves every ``half_life_days`` days since it was settled. The
prediction of an open invoice is

* its due date plus the weighted mean lateness of the history, when it is not yet late enough
  for the history to say more;
* once the invoice is already overdue by ``d`` days, the weighted mean lateness of the past
  invoices that were paid at least ``d`` days late (what this customer does when it gets that
  late), or, when none was, ``today`` plus a week: nothing in the history says when it ends;
* never before ``today``: an invoice open today is not paid yesterday.

The chance of paying late is, for an invoice not yet due, the weighted share of the history paid
after its due date; for one already ``d`` days overdue (late for sure), the chance that it is still
unpaid :data:`LATE_HORIZON_DAYS` days from now: the weighted share of the past invoices that got
``d`` days late and were paid more than that horizon later. Either share is drawn towards
:data:`PRIOR_LATE_CHANCE` by :data:`PRIOR_WEIGHT` observations' worth of weight, so one invoice never
makes a certainty and a lateness the history never reached reads as "unknown" (the prior).

Expected loss (what the work list sorts by) is the open amount times that chance: the amount
at stake if the customer behaves as it did. The customer's open credits (credit notes and
payments not yet reconciled) are not at stake: :func:`credits_covering` spreads them over its
open invoices, oldest due first, as a reconciliation would, and each invoice's loss is what
they leave open times its chance. Every number the prediction rests on is returned
in :class:`Prediction` so that the screens can say why.

When the customer's own history is thin (fewer than :data:`THIN_HISTORY` invoices settled, none
at all for a new customer), its credit facts stand in for what the history does not say: a
:class:`CreditFacts` (rating on the policy's 1-5 scale, payment-default entries, trade register
status) gives an expected lateness and chance of paying late (:func:`facts_prior`: the table
:data:`RATING_PRIOR`, made worse by payment defaults, and the worst case for a company in
bankruptcy or liquidation), which count as :data:`FACTS_WEIGHT` settled invoices beside the
history's own. The prediction says which fact decided (``fact``: ``"rating"``,
``"payment_defaults"`` or ``"insolvent"``) and on what basis (``"facts"``: no history at all;
``"history_and_facts"``: a thin history and the facts together).

The models read the history set-based and pass it in with ``today``; nothing here reads a clock.
"""

from dataclasses import dataclass
from datetime import date, timedelta

HALF_LIFE_DAYS = 180
PRIOR_LATE_CHANCE = 0.5
PRIOR_WEIGHT = 1.0
# Lateness beyond these bounds is clipped: a payment a year late says "very late", not "exactly 400 days".
EARLIEST_DAYS = -60
LATEST_DAYS = 365
# An overdue invoice later than anything in the history: expected this many days from today.
UNKNOWN_END_DAYS = 7
# An overdue invoice "pays late" when it is still unpaid this many days from today.
LATE_HORIZON_DAYS = 30
# Fewer settled invoices than this: the credit facts count beside the history.
THIN_HISTORY = 3
# How many settled invoices' worth of weight the credit facts carry.
FACTS_WEIGHT = 2.0
# Rating (1 weakest .. 5 strongest) -> (days late expected, chance of paying late), from what bureaus publish
# of payment behaviour by class: the strongest classes pay on time, the weakest a month late more often than not.
RATING_PRIOR = {5: (0, 0.15), 4: (2, 0.25), 3: (7, 0.4), 2: (20, 0.6), 1: (45, 0.8)}
# Each payment-default entry on the customer's record: this many more days late and this much more chance (capped).
DEFAULT_DAYS, DEFAULT_CHANCE, MAX_DEFAULT_CHANCE = 15, 0.15, 0.9
# A company in bankruptcy or liquidation: the estate pays, late if at all.
INSOLVENT_PRIOR = (LATEST_DAYS // 2, 0.95)
INSOLVENT = frozenset({"bankruptcy", "liquidation"})


@dataclass(frozen=True)
class CreditFacts:
    """The customer's credit facts as the policy reads them (``None``: not known, or a stale rating)."""

    credit_rating: int | None = None
    payment_defaults: int | None = None
    registry_status: str | None = None


@dataclass(frozen=True)
class FactsPrior:
    """What the credit facts say the customer does: ``days_late`` and ``late_chance``, and which ``fact`` decided
    (``"insolvent"``, ``"payment_defaults"`` or ``"rating"``); ``rating`` and ``defaults`` as read."""

    days_late: float
    late_chance: float
    fact: str
    rating: int | None = None
    defaults: int = 0


@dataclass(frozen=True)
class Settled:
    """One invoice the customer settled: its due date and the day it was settled."""

    due: date
    settled: date

    @property
    def days_late(self) -> int:
        return min(max((self.settled - self.due).days, EARLIEST_DAYS), LATEST_DAYS)


@dataclass(frozen=True)
class Prediction:
    """The predicted payment date of one open invoice and the facts it rests on.

    ``basis`` says which rule decided: ``"no_history"`` (the due date: nothing is known),
    ``"history"`` (due date plus the weighted lateness), ``"history_when_late"`` (the
    lateness of past invoices at least as late as this one), ``"later_than_history"``,
    ``"facts"`` (no history: the credit facts) or ``"history_and_facts"`` (a thin history
    and the credit facts); with the facts, ``fact`` names the one that decided and
    ``rating`` / ``defaults`` are what was read.
    """

    predicted: date
    late_chance: float
    basis: str
    history_count: int
    weighted_days_late: float | None
    days_overdue: int
    fact: str | None = None
    rating: int | None = None
    defaults: int = 0

    def expected_loss(self, amount: float) -> float:
        """The open ``amount`` times the chance of paying late."""
        return amount * self.late_chance


def credits_covering(open_items, credit: float) -> dict:
    """How much of each open invoice ``credit`` (the customer's open credits, a positive amount) covers:
    ``{key: covered}`` for ``open_items`` ``(key, due, amount)``, oldest due first (then by key), each invoice
    covered up to its amount; a credit larger than them all covers them all and the rest is left over."""
    covered = {}
    left = max(credit, 0.0)
    for key, _due, amount in sorted(open_items, key=lambda item: (item[1], item[0])):
        covered[key] = min(max(amount, 0.0), left)
        left -= covered[key]
    return covered


def facts_prior(facts: CreditFacts | None) -> FactsPrior | None:
    """What ``facts`` say of the customer's paying, or ``None`` when they say nothing (no rating, no default, an
    ordinary register status): an insolvent company is the worst case; else the rating's row of
    :data:`RATING_PRIOR` (the middle class when unrated), made worse by each payment default."""
    if facts is None:
        return None
    if facts.registry_status in INSOLVENT:
        return FactsPrior(*INSOLVENT_PRIOR, "insolvent", facts.credit_rating, facts.payment_defaults or 0)
    defaults = max(facts.payment_defaults or 0, 0)
    if facts.credit_rating not in RATING_PRIOR and not defaults:
        return None
    days, chance = RATING_PRIOR.get(facts.credit_rating, RATING_PRIOR[3])
    if defaults:
        days += DEFAULT_DAYS * defaults
        chance = min(max(chance, 0.5) + DEFAULT_CHANCE * defaults, MAX_DEFAULT_CHANCE)
    fact = "payment_defaults" if defaults else "rating"
    return FactsPrior(float(min(days, LATEST_DAYS)), chance, fact, facts.credit_rating, defaults)


def weight(observation: Settled, today: date, half_life_days: int = HALF_LIFE_DAYS) -> float:
    """How much one settled invoice counts: 1 when settled today, halved every ``half_life_days``."""
    age = max((today - observation.settled).days, 0)
    return 0.5 ** (age / half_life_days)


def _weighted_mean_lateness(history: list[Settled], today: date, half_life_days: int) -> float:
    weights = [weight(item, today, half_life_days) for item in history]
    return sum(w * item.days_late for w, item in zip(weights, history, strict=True)) / sum(weights)


def late_chance(history: list[Settled], today: date, half_life_days: int = HALF_LIFE_DAYS,
                days_overdue: int = 0) -> float:
    """The chance of paying late, drawn towards the prior: not yet due (``days_overdue`` 0), the weighted
    share of ``history`` paid after its due date; else the weighted share of the invoices that got
    ``days_overdue`` days late which were paid more than :data:`LATE_HORIZON_DAYS` days after that."""
    late = total = 0.0
    threshold = days_overdue + LATE_HORIZON_DAYS if days_overdue else 0
    for item in history:
        if days_overdue and item.days_late < days_overdue:
            continue
        w = weight(item, today, half_life_days)
        total += w
        if item.days_late > threshold:
            late += w
    return (late + PRIOR_LATE_CHANCE * PRIOR_WEIGHT) / (total + PRIOR_WEIGHT)


def predict(due: date, history: list[Settled], today: date, half_life_days: int = HALF_LIFE_DAYS,
            facts: CreditFacts | None = None) -> Prediction:
    """The predicted payment date of an invoice due on ``due`` and still open on ``today``.

    ``history`` is the customer's invoices settled before ``today`` (any order); later ones
    are ignored, so a backtest may pass the whole ledger. ``facts``, the customer's credit
    facts, count only when the history is thin (see the module's text).
    """
    history = [item for item in history if item.settled < today]
    days_overdue = max((today - due).days, 0)
    prior = facts_prior(facts) if len(history) < THIN_HISTORY else None
    if prior:
        return _predict_with_facts(due, history, today, half_life_days, prior, days_overdue)
    if not history:
        return Prediction(max(due, today), PRIOR_LATE_CHANCE, "no_history", 0, None, days_overdue)
    mean = _weighted_mean_lateness(history, today, half_life_days)
    chance = late_chance(history, today, half_life_days, days_overdue)
    expected = due + timedelta(days=round(mean))
    if expected >= today or not days_overdue:
        return Prediction(max(expected, today), chance, "history", len(history), mean, days_overdue)
    as_late = [item for item in history if item.days_late >= days_overdue]
    if not as_late:
        return Prediction(today + timedelta(days=UNKNOWN_END_DAYS), chance, "later_than_history", len(history), mean,
                          days_overdue)
    expected = due + timedelta(days=round(_weighted_mean_lateness(as_late, today, half_life_days)))
    return Prediction(max(expected, today), chance, "history_when_late", len(history), mean, days_overdue)


def _predict_with_facts(due, history, today, half_life_days, prior, days_overdue):
    """A thin history and the credit facts' prior together: the facts weigh :data:`FACTS_WEIGHT` settled
    invoices, each settled invoice its usual weight."""
    weights = [weight(item, today, half_life_days) for item in history]
    total = sum(weights) + FACTS_WEIGHT
    mean = (sum(w * item.days_late for w, item in zip(weights, history, strict=True))
            + FACTS_WEIGHT * prior.days_late) / total
    late = sum(w for w, item in zip(weights, history, strict=True) if item.days_late > 0)
    chance = (late + FACTS_WEIGHT * prior.late_chance) / total
    basis = "history_and_facts" if history else "facts"
    expected = due + timedelta(days=round(mean))
    if expected < today and days_overdue:  # later than the facts expect too: nothing says when it ends
        expected = today + timedelta(days=UNKNOWN_END_DAYS)
    return Prediction(max(expected, today), chance, basis, len(history), mean, days_overdue, prior.fact,
                      prior.rating, prior.defaults)


@dataclass(frozen=True)
class BacktestRow:
    """One cut-off day of a backtest: invoices scored and mean absolute errors in days."""

    cutoff: date
    invoices: int
    unsettled: int
    mae_model: float | None
    mae_due_date: float | None
    mae_due_or_cutoff: float | None
    with_facts: int = 0  # scored invoices whose prediction the customer's credit facts entered


def backtest(ledger, cutoffs, half_life_days: int = HALF_LIFE_DAYS, facts=None) -> list[BacktestRow]:
    """Predict on each day of ``cutoffs`` from what was known then, and compare with what happened.

    ``ledger`` is ``(partner, invoice_date, due, settled_on or None)`` for every invoice. On a
    cut-off day D the invoices issued by D and not settled before D are predicted from their
    customer's invoices settled before D; those settled since are scored against the day they
    were settled (those still open are counted as ``unsettled``, not scored). The naive
    predictions are the due date, and the due date or D when that is later. ``facts(partner, D)``,
    when given, is the customer's :class:`CreditFacts` as known on D (or ``None``).
    """
    by_partner: dict = {}
    for partner, _invoice_date, due, settled_on in ledger:
        if settled_on:
            by_partner.setdefault(partner, []).append(Settled(due, settled_on))
    rows = []
    for cutoff in cutoffs:
        errors_model, errors_due, errors_clamped, unsettled, with_facts = [], [], [], 0, 0
        for partner, invoice_date, due, settled_on in ledger:
            if invoice_date is None or invoice_date > cutoff or (settled_on and settled_on < cutoff):
                continue
            if not settled_on:
                unsettled += 1
                continue
            known = facts(partner, cutoff) if facts else None
            prediction = predict(due, by_partner.get(partner, []), cutoff, half_life_days, known)
            with_facts += prediction.fact is not None
            errors_model.append(abs((prediction.predicted - settled_on).days))
            errors_due.append(abs((due - settled_on).days))
            errors_clamped.append(abs((max(due, cutoff) - settled_on).days))
        rows.append(BacktestRow(cutoff, len(errors_model), unsettled, _mean(errors_model), _mean(errors_due),
                                _mean(errors_clamped), with_facts))
    return rows


def _mean(values):
    return sum(values) / len(values) if values else None
