"""Sales in the engine's decision: a step held while a deal is open, manual-only cases, the case's owner.

How to use: :func:`decide` (see :mod:`.engine`) passes the journey's decision through
:func:`apply_sales_rules`; the models call :func:`owner_rule` to pick a case's collector.
Pure: the facts and the day come in, a decision goes out.
"""

from dataclasses import replace
from datetime import timedelta

from .conditions import evaluate
from .decision import Decision
from .schema import HOLD, NEED_APPROVAL, SEND_STEP
from .text import Joined, Text, _

OPEN_DEAL = "open_deal"


def owner_rule(spec, facts):
    """The first ``owners`` rule whose conditions hold for ``facts`` (with ``segment``), or ``None``."""
    return next((rule for rule in spec.owners if evaluate(rule.when, facts)), None)


def apply_sales_rules(spec, decision, facts, anchor, today, case=None):
    """``decision`` as the sales sections have it: held while a deal is open, or waiting for the owner.

    ``case``: the :class:`.decision.CaseInput` (its ``deal_answer`` and ``manual_only``), when known.
    """
    if decision.kind not in (SEND_STEP, NEED_APPROVAL) or decision.step is None:
        return decision
    return (_deal_hold(spec, decision, facts, anchor, today, getattr(case, "deal_answer", None))
            or _manual_only(spec, decision, facts, getattr(case, "manual_only", False)))


def _deal_hold(spec, decision, facts, anchor, today, answer=None):
    """The hold of a step while a deal is open. The salesperson's ``answer`` about this very step wins:
    approved, the step goes on; held, it waits until their date (and nobody is asked again)."""
    settings = spec.hold_while_open_deal
    step = decision.step
    if settings is None or anchor is None or step.before_due or not settings.holds(step):
        return None
    answer = answer if answer is not None and answer.step_key == decision.step_key else None
    if answer is not None and answer.approved:
        return None
    pipeline = facts.get("open_pipeline_amount") or 0.0
    if pipeline <= 0 or pipeline < settings.min_amount:
        return None
    until, owner = anchor + timedelta(days=step.day + settings.max_days), settings.owner
    if answer is not None:
        until, owner = answer.held_until, None
    if today >= until:
        return None
    if answer is not None:
        text = Text(_("held: an open deal of %(amount).2f; the salesperson holds %(step)s until %(date)s"),
                    amount=pipeline, step=step.label(decision.step_index), date=until)
    else:
        text = Text(_("held: an open deal of %(amount).2f; %(step)s waits until %(date)s unless the deal closes "
                      "first"), amount=pipeline, step=step.label(decision.step_index), date=until)
    return Decision(HOLD, text, segment=decision.segment, journey=decision.journey, held_by=OPEN_DEAL,
                    offer=decision.offer, owner=owner, next_date=until, step_key=decision.step_key,
                    step_index=decision.step_index)


def _manual_only(spec, decision, facts, customer_manual_only=False):
    """A message step waits for its owner: by an ``owners`` rule's ``manual_only``, or the customer's own setting
    (the collections owner, ``finance``, approves it then)."""
    if decision.kind != SEND_STEP or decision.step.send == "activity":
        return decision
    rule = owner_rule(spec, facts)
    if rule is not None and rule.manual_only:
        owner = rule.owner
    elif customer_manual_only:
        owner = "finance"
    else:
        return decision
    text = Joined(decision.text, Text(_("manual only: %(owner)s sends it"), owner=owner))
    return replace(decision, kind=NEED_APPROVAL, text=text, step=replace(decision.step, approve=owner))
