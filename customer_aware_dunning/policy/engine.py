"""Decide what one collection case needs today.

How to use: ``decide(spec, case, today)`` with a :class:`CaseInput` built from
the case's facts, invoices and history; it returns one :class:`Decision`.  It
is pure: no clock, no database, no randomness; the same inputs give the same
decision, so the daily run, the dry run and the CLI share it.

How it decides, in this order:

1. a closed case: ``nothing``; no open invoice left (all paid or excluded):
   ``close`` (``nothing`` when there is no case yet, ``state=None``);
2. holds: waiting for an approval, paused by hand (until ``pause_until``), a
   next action date set by hand on the customer (until then), a
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
   then the sales sections (:mod:`.sales`): ``hold_while_open_deal`` holds it
   while a deal is open (unless the salesperson's ``deal_answer`` lets it go, or
   holds it until their date), an ``owners`` rule with ``manual_only`` (or the
   customer's own ``manual_only``) makes a message step wait for its owner's approval;
   nothing to do: ``wait`` until the next step's date, or ``nothing`` at the
   end of the journey.  A case with open invoices none of which is overdue
   (after a notice before the due date, or once the overdue ones are paid)
   waits: the case closes when the invoices it covers are settled, which the
   models see and the engine does not.

Excluded invoices and invoices with nothing left to pay are never covered.
"""

from dataclasses import replace

from .conditions import evaluate
from .decision import CaseInput, DealAnswer, Decision, InvoiceInput
from .holds import _hold
from .plan import _Plan
from .sales import apply_sales_rules
from .schema import CLOSE, HOLD, NEED_APPROVAL, NOTHING, SEND_STEP, WAIT
from .step_keys import StepKey, make_step_key, parse_step_key
from .text import Text, _

__all__ = [
    "CLOSE", "HOLD", "LESS_GENEROUS", "MORE_GENEROUS", "NEED_APPROVAL", "NOTHING", "SEND_STEP", "WAIT",
    "CaseInput", "DealAnswer", "Decision", "InvoiceInput", "StepKey", "approved", "assign_segment", "case_facts",
    "decide", "make_step_key", "parse_step_key", "resolve_step", "suggest_payment_term", "term_deviation",
]


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
    """The one thing ``case`` needs on ``today`` under ``spec`` (see the module docstring).

    A ``send_step`` decision's ``next_date`` is when the journey moves on after that step: the date
    the engine would wait for once the step is done.
    """
    decision = _decide(spec, case, today)
    if decision.kind != SEND_STEP:
        return decision
    after = replace(case, state="open", journey=decision.journey,
                    done_step_keys=case.done_step_keys | {decision.step_key})
    return replace(decision, next_date=_decide(spec, after, today).next_date)


def resolve_step(spec, step_key) -> tuple | None:
    """``(index, step, journey)`` of the step ``step_key`` names in ``spec``, or ``None`` when it has no such step.

    A key names its step by identity (an old index-style key by its index), so a new version
    that moved the step still finds it, and one that changed it does not.
    """
    key = parse_step_key(step_key)
    journey = spec.journey(key.journey) if spec and key else None
    index = key.position(journey) if journey else None
    if index is None:
        return None
    return index, journey.steps[index], journey


def approved(spec, step_key, invoice_ids, approval) -> Decision | None:
    """The ``send_step`` decision of the step ``step_key`` asked approval for, approved now, or ``None``.

    ``spec``: the policy version that asked (its step is the one approved, whatever the active
    version has since); ``invoice_ids``: what is still owed of the invoices the step was asked for;
    ``approval``: who approved, for the trail.
    """
    resolved = resolve_step(spec, step_key)
    if resolved is None:
        return None
    index, step, journey = resolved
    return Decision(SEND_STEP, Text("%(step)s: %(approval)s", step=step.label(index), approval=approval),
                    journey=journey.key, step_index=index, step=step, step_key=step_key,
                    invoice_ids=tuple(sorted(invoice_ids)))


def _decide(spec, case, today) -> Decision:
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
    anchor = next((invoice.due_date for invoice in invoices if invoice.due_date < today), None)
    return apply_sales_rules(spec, plan.decide(invoices, case.state, common), facts, anchor, today, case)


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
