"""A journey's steps against a case's invoices on one day: steps 4 to 6 of :func:`.engine.decide`."""

from dataclasses import replace
from datetime import timedelta

from .conditions import evaluate
from .decision import Decision
from .schema import NEED_APPROVAL, NOTHING, SEND_STEP, WAIT
from .step_keys import make_step_key, parse_step_key
from .text import Joined, Text, _


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
