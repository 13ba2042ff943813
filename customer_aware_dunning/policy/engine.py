"""Decide what one collection case needs today.

How to use: ``decide(spec, case, today)`` with a :class:`CaseInput` built from
the case's facts, invoices and history; it returns one :class:`Decision`.  It
is pure: no clock, no database, no randomness; the same inputs give the same
decision, so the daily run, the dry run and the CLI share it.

How it decides, in this order:

1. a closed case: ``nothing``; no open invoice left (all paid or excluded):
   ``close`` (``nothing`` when there is no case yet, ``state=None``);
2. holds: waiting for an approval, paused by hand (until ``pause_until``), a
   delay reason that pauses (for ``pause_days`` after it was set, or until
   cleared), a promised payment date (until the day after it), open credits
   (credit notes, unallocated payments: the ``open_credits`` fact) that cover
   the overdue amount when ``credits.hold_when_covered``: ``hold`` (the last
   one names ``credits.owner`` to apply the credit);
3. the journey: a delay reason's ``journey`` switch wins, then the journey
   the case already follows, then the one covering the customer's segment;
4. follow-up steps (day >= 1) are timed from the oldest overdue invoice: the
   **last** step whose day has come and whose ``when`` holds is the
   candidate (a step for consumers or businesses only counts for those
   customers, by the ``customer_type`` fact); earlier steps not done are never sent in a burst (the reason
   says they were skipped).  The step covers every overdue invoice of the
   case; it is done when each of those invoices was already covered by this
   step or a later one of the same journey (so a paid invoice never triggers a
   resend, and a new overdue invoice gets the current step);
5. steps on or before the due date (day <= 0) are timed per invoice not yet
   overdue, and cover the invoices whose latest such step is the same;
6. a step with ``approve`` gives ``need_approval``, otherwise ``send_step``;
   nothing to do: ``wait`` until the next step's date, or ``nothing`` at the
   end of the journey.  A case with open invoices none of which is overdue
   (after a notice before the due date, or once the overdue ones are paid)
   waits: the case closes when the invoices it covers are settled, which the
   models see and the engine does not.

Excluded invoices and invoices with nothing left to pay are never covered.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .conditions import evaluate
from .credit_cover import credit_hold as _credit_hold
from .schema import CLOSE, HOLD, NEED_APPROVAL, NOTHING, SEND_STEP, WAIT, Step
from .text import Joined, Text, _


@dataclass(frozen=True)
class InvoiceInput:
    id: int
    due_date: date
    amount_residual: float
    excluded: bool = False
    delay_reason: str | None = None
    delay_reason_since: date | None = None
    promised_date: date | None = None
    name: str | None = None  # how people know the invoice (its number); the id when not given
    currency: str | None = None  # the invoice's currency code; None: the company currency
    amount_currency: float | None = None  # the residual in ``currency``; None: ``amount_residual``

    @property
    def label(self) -> str:
        return self.name or str(self.id)


@dataclass(frozen=True)
class CaseInput:
    """One customer's case as the engine sees it.

    ``facts``: the customer facts (see :mod:`.facts`); ``segment`` with
    ``segment_manual=True`` is a segment set by hand, which wins over the rules
    (without it the engine assigns the segment by the rules itself);
    ``state``: a :data:`.schema.CASE_STATES` key, or ``None`` when the customer
    has no case yet; ``done_step_keys``: the keys of every step already done.
    """

    invoices: tuple = ()
    facts: Mapping = field(default_factory=dict, hash=False)
    segment: str | None = None
    segment_manual: bool = False
    state: str | None = "open"
    done_step_keys: frozenset = frozenset()
    pause_until: date | None = None
    journey: str | None = None
    credits: Mapping = field(default_factory=dict, hash=False)  # open credits per currency code, in that currency


@dataclass(frozen=True)
class Decision:
    """What a case needs; ``text`` says why (a :class:`.text.Text`, ``reason`` is it in English)."""

    kind: str
    text: Text
    segment: str | None = None
    journey: str | None = None
    step_index: int | None = None
    step: Step | None = None
    step_key: str | None = None
    invoice_ids: tuple = ()
    held_by: str | None = None
    offer: str | None = None
    owner: str | None = None
    next_date: date | None = None

    @property
    def reason(self) -> str:
        return str(self.text)


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


def assign_segment(spec, facts) -> tuple:
    """``(segment key, rule index)`` of the first segment rule that matches, or ``(None, None)``.

    A segment set by hand is the caller's business: it wins, and the rules are not asked.
    """
    for index, rule in enumerate(spec.segments):
        if evaluate(rule.when, facts):
            return rule.key, index
    return None, None


def suggest_payment_term(spec, facts):
    """The first payment-term rule whose conditions hold (``facts`` should include ``segment``), or ``None``."""
    return next((rule for rule in spec.payment_terms if evaluate(rule.when, facts)), None)


MORE_GENEROUS = "more_generous"
LESS_GENEROUS = "less_generous"


def term_deviation(intent, chosen, suggested):
    """How a document's term departs from a rule's suggestion, when the rule cares; else ``None``.

    ``chosen`` and ``suggested`` are comparable generosity values of the two
    terms (greater = more generous; the models compute them from the terms'
    lines).  A ``protect`` rule flags only a more generous term, a ``reward``
    rule only a less generous one, a ``match`` rule either.  Equal generosity
    is no departure, even for two different terms.
    """
    if chosen == suggested:
        return None
    direction = MORE_GENEROUS if chosen > suggested else LESS_GENEROUS
    wanted = {"protect": (MORE_GENEROUS,), "reward": (LESS_GENEROUS,)}.get(intent, (MORE_GENEROUS, LESS_GENEROUS))
    return direction if direction in wanted else None


def case_facts(case, today) -> dict:
    """The case-level facts (see :mod:`.facts`) of ``case`` on ``today``."""
    invoices = _open_invoices(case)
    overdue = [invoice for invoice in invoices if invoice.due_date < today]
    upcoming = [invoice for invoice in invoices if invoice.due_date >= today]
    return {
        "overdue_amount": sum(invoice.amount_residual for invoice in overdue),
        "overdue_invoice_count": len(overdue),
        "days_overdue": (today - overdue[0].due_date).days if overdue else 0,
        "upcoming_amount": sum(invoice.amount_residual for invoice in upcoming),
        "delay_reason": next((invoice.delay_reason for invoice in invoices if invoice.delay_reason), None),
    }


def decide(spec, case, today) -> Decision:
    """The one thing ``case`` needs on ``today`` under ``spec`` (see the module docstring)."""
    segment, segment_text = _segment(spec, case)
    invoices = _open_invoices(case)
    common = {"segment": segment, **_offer_and_owner(spec, invoices)}
    if case.state == "closed":
        return Decision(NOTHING, Text(_("the case is closed")), **common)
    if not invoices:
        kind = NOTHING if case.state is None else CLOSE
        return Decision(kind, Text(_("nothing left to collect: every invoice is paid or excluded")), **common)
    held = _hold(spec, case, invoices, today)
    if held:
        return Decision(HOLD, **{**common, **held})
    journey, journey_text = _journey(spec, case, invoices, segment)
    if journey is None:
        return Decision(NOTHING, Text(_("%(segment)s; no journey applies"), segment=segment_text), **common)
    facts = {**case.facts, **case_facts(case, today), "segment": segment}
    plan = _Plan(journey, facts, case.done_step_keys, today,
                 Text("%(segment)s → %(journey)s", segment=segment_text, journey=journey_text))
    return plan.decide(invoices, case.state, common)


def _open_invoices(case):
    invoices = (invoice for invoice in case.invoices if not invoice.excluded and invoice.amount_residual > 0)
    return sorted(invoices, key=lambda invoice: (invoice.due_date, invoice.id))


def _segment(spec, case):
    if case.segment_manual and case.segment:
        return case.segment, Text(_("segment %(segment)s (set by hand)"), segment=case.segment)
    key, index = assign_segment(spec, case.facts)
    if key is None:
        return None, Text(_("no segment rule matches"))
    return key, Text(_("segment %(segment)s (rule %(rule)s)"), segment=key, rule=index + 1)


def _journey(spec, case, invoices, segment):
    for invoice in invoices:
        effect = spec.delay_reason(invoice.delay_reason)
        if effect and effect.journey and spec.journey(effect.journey):
            return spec.journey(effect.journey), Text(_("journey %(journey)s (switched by delay reason %(reason)s)"),
                                                      journey=effect.journey, reason=effect.key)
    if case.journey and spec.journey(case.journey):
        return spec.journey(case.journey), Text(_("journey %(journey)s"), journey=case.journey)
    journey = spec.journey_for_segment(segment)
    return journey, Text(_("journey %(journey)s"), journey=journey.key) if journey else Text()


def _offer_and_owner(spec, invoices):
    effects = [spec.delay_reason(invoice.delay_reason) for invoice in invoices]
    effects = [effect for effect in effects if effect]
    return {
        "offer": next((effect.offer for effect in effects if effect.offer), None),
        "owner": next((effect.owner for effect in effects if effect.owner), None),
    }


def _hold(spec, case, invoices, today):
    """``{text, held_by, next_date}`` when something holds the case today, else ``None``."""
    if case.state == "waiting_approval":
        return {"text": Text(_("held: waiting for an approval")), "held_by": "approval"}
    if case.state == "paused" and (case.pause_until is None or case.pause_until > today):
        text = (Text(_("held: paused until %(date)s"), date=case.pause_until) if case.pause_until
                else Text(_("held: paused")))
        return {"text": text, "held_by": "pause", "next_date": case.pause_until}
    return _reason_hold(spec, invoices, today) or _promise_hold(invoices, today) or _credit_hold(
        spec, case, invoices, today)


def _reason_hold(spec, invoices, today):
    for invoice in invoices:
        effect = spec.delay_reason(invoice.delay_reason)
        if not effect or not effect.pause:
            continue
        until = _pause_end(effect, invoice)
        if until is None or today < until:
            text = Text(_("held: delay reason %(reason)s on invoice %(invoice)s pauses the case"),
                        reason=effect.key, invoice=invoice.label)
            if until:
                text = Text(_("%(held)s until %(date)s"), held=text, date=until)
            if effect.owner:
                text = Text(_("%(held)s; %(owner)s takes it over"), held=text, owner=effect.owner)
            return {"text": text, "held_by": effect.key, "next_date": until}
    return None


def _pause_end(effect, invoice):
    if effect.pause_days is None or invoice.delay_reason_since is None:
        return None
    return invoice.delay_reason_since + timedelta(days=effect.pause_days)


def _promise_hold(invoices, today):
    promised = [invoice.promised_date for invoice in invoices if (invoice.promised_date or date.min) >= today]
    if not promised:
        return None
    resume = max(promised) + timedelta(days=1)
    return {"text": Text(_("held: payment promised for %(date)s; resumes on %(resume)s if unpaid"),
                         date=max(promised), resume=resume),
            "held_by": "promise", "next_date": resume}


class _Plan:
    """The journey's steps against the case's invoices on one day."""

    def __init__(self, journey, facts, done_keys, today, prefix):
        self.journey = journey
        self.facts = facts
        self.done = [parsed for parsed in map(parse_step_key, done_keys) if parsed and parsed.journey == journey.key]
        self.today = today
        self.prefix = prefix

    def decide(self, invoices, state, common):
        overdue = [invoice for invoice in invoices if invoice.due_date < self.today]
        upcoming = [invoice for invoice in invoices if invoice.due_date >= self.today]
        follow_up = self._follow_up(overdue) if overdue else None
        if follow_up and follow_up.kind != WAIT:
            return replace(follow_up, **common)
        before_due = self._before_due(upcoming)
        if before_due and before_due.kind != WAIT:
            return replace(before_due, **common)
        return self._waiting([follow_up, before_due], common)

    def _follow_up(self, overdue):
        anchor = overdue[0].due_date
        age = (self.today - anchor).days
        steps = [(index, step) for index, step in enumerate(self.journey.steps) if not step.before_due]
        due = [(index, step) for index, step in steps if step.day <= age]
        upcoming = next(((index, step) for index, step in steps if step.day > age), None)
        next_date = anchor + timedelta(days=upcoming[1].day) if upcoming else None
        return self._pick(due, [invoice.id for invoice in overdue], next_date, upcoming)

    def _before_due(self, upcoming_invoices):
        steps = [(index, step) for index, step in enumerate(self.journey.steps) if step.before_due]
        first_follow_up = next((step for step in self.journey.steps if not step.before_due), None)
        groups, next_dates = {}, []
        for invoice in upcoming_invoices:
            dates = [(index, step, invoice.due_date + timedelta(days=step.day)) for index, step in steps]
            if first_follow_up:
                dates.append((None, first_follow_up, invoice.due_date + timedelta(days=first_follow_up.day)))
            next_dates.extend(day for _index, _step, day in dates[:] if day > self.today)
            eligible = [index for index, step, day in dates
                        if index is not None and day <= self.today and self._holds(step)]
            if eligible and not self._covered(eligible[-1], [invoice.id]):
                groups.setdefault(eligible[-1], []).append(invoice.id)
        if groups:
            index = max(groups)
            return self._action(index, self.journey.steps[index], groups[index], [])
        return _wait(min(next_dates, default=None), Text())

    def _pick(self, due, invoice_ids, next_date, upcoming):
        eligible = [(index, step) for index, step in due if self._holds(step)]
        notes = [Text(_("%(step)s skipped: its conditions do not hold"), step=step.label(index))
                 for index, step in due if (index, step) not in eligible and index > _last_index(eligible)]
        waiting_note = (Text(_("next: %(step)s on %(date)s"), step=upcoming[1].label(upcoming[0]), date=next_date)
                        if upcoming else Text())
        if not eligible:
            return _wait(next_date, Joined(*notes, waiting_note))
        index, step = eligible[-1]
        if self._covered(index, invoice_ids):
            done_note = Text(_("%(step)s already done"), step=step.label(index))
            return _wait(next_date, Joined(done_note, *notes, waiting_note))
        skipped = [Text(_("%(step)s not sent: a later step is due"), step=earlier.label(i))
                   for i, earlier in eligible[:-1] if not self._covered(i, invoice_ids)]
        return self._action(index, step, invoice_ids, [*skipped, *notes])

    def _holds(self, step):
        """The step's conditions hold and the step is for this kind of customer (``customers``)."""
        if step.customers != "all" and self.facts.get("customer_type") != step.customers:
            return False
        return evaluate(step.when, self.facts)

    def _covered(self, index, invoice_ids):
        seen = set()
        for key in self.done:
            if key.index >= index:
                seen |= key.invoice_ids
        return set(invoice_ids) <= seen

    def _action(self, index, step, invoice_ids, notes):
        kind = NEED_APPROVAL if step.approve else SEND_STEP
        if step.approve:
            reason = Text(_("%(prefix)s, %(step)s, needs approval from %(approver)s"),
                          prefix=self.prefix, step=step.label(index), approver=step.approve)
        else:
            reason = Text("%(prefix)s, %(step)s", prefix=self.prefix, step=step.label(index))
        return Decision(
            kind,
            Joined(reason, *notes),
            journey=self.journey.key,
            step_index=index,
            step=step,
            step_key=make_step_key(self.journey.key, index, invoice_ids),
            invoice_ids=tuple(sorted(invoice_ids)),
        )

    def _waiting(self, outcomes, common):
        outcomes = [outcome for outcome in outcomes if outcome]
        dates = [outcome.next_date for outcome in outcomes if outcome.next_date]
        notes = Joined(*(outcome.text for outcome in outcomes))
        text = Text("%(prefix)s: %(notes)s", prefix=self.prefix, notes=notes) if notes else self.prefix
        if not dates:
            return Decision(NOTHING, Text(_("%(text)s; no further step in the journey"), text=text),
                            journey=self.journey.key, **common)
        return Decision(WAIT, text, journey=self.journey.key, next_date=min(dates), **common)


def _last_index(eligible):
    return eligible[-1][0] if eligible else -1


def _wait(next_date, note):
    return Decision(WAIT, note, next_date=next_date)
