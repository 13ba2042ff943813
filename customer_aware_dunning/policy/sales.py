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


def apply_sales_rules(spec, decision, facts, anchor, today):
    """``decision`` as the sales sections have it: held while a deal is open, or waiting for the owner."""
    if decision.kind not in (SEND_STEP, NEED_APPROVAL) or decision.step is None:
        return decision
    return _deal_hold(spec, decision, facts, anchor, today) or _manual_only(spec, decision, facts)


def _deal_hold(spec, decision, facts, anchor, today):
    settings = spec.hold_while_open_deal
    step = decision.step
    if settings is None or anchor is None or step.before_due or not settings.holds(step):
        return None
    pipeline = facts.get("open_pipeline_amount") or 0.0
    if pipeline <= 0 or pipeline < settings.min_amount:
        return None
    until = anchor + timedelta(days=step.day + settings.max_days)
    if today >= until:
        return None
    text = Text(_("held: an open deal of %(amount).2f; %(step)s waits until %(date)s unless the deal closes first"),
                amount=pipeline, step=step.label(decision.step_index), date=until)
    return Decision(HOLD, text, segment=decision.segment, journey=decision.journey, held_by=OPEN_DEAL,
                    offer=decision.offer, owner=settings.owner, next_date=until)


def _manual_only(spec, decision, facts):
    rule = owner_rule(spec, facts)
    if rule is None or not rule.manual_only or decision.kind != SEND_STEP or decision.step.send == "activity":
        return decision
    text = Joined(decision.text, Text(_("manual only: %(owner)s sends it"), owner=rule.owner))
    return replace(decision, kind=NEED_APPROVAL, text=text, step=replace(decision.step, approve=rule.owner))
