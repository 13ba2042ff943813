"""A spec back to YAML, so that ``load_policy(dump_policy(spec)).spec == spec`` for any loaded spec.

Every value is written out, defaults included, except optional keys whose value
is ``None`` (they are left out and load back as ``None``).  The round-trip
property test (``tests/policy/test_policy_properties.py``) is its user; the
addon's screens show the document's own YAML.
"""

import yaml

from .conditions import to_data
from .sales_schema import SalespersonNotices


def spec_to_data(spec) -> dict:
    """``spec`` as plain data (dicts, lists, scalars) in the document's shape."""
    return {
        "version": spec.version,
        "description": spec.description,
        "segments": [_segment(rule) for rule in spec.segments],
        "delay_reasons": {reason.key: _delay_reason(reason) for reason in spec.delay_reasons},
        "journeys": {journey.key: _journey(journey) for journey in spec.journeys},
        "fallback": {"no_email": list(spec.fallback.no_email), "no_mobile": list(spec.fallback.no_mobile)},
        "satisfaction": {
            "enabled": spec.satisfaction.enabled,
            "ask_days_after_close": spec.satisfaction.ask_days_after_close,
            "repurchase_window_days": spec.satisfaction.repurchase_window_days,
            "ask_on_outcomes": list(spec.satisfaction.ask_on_outcomes),
        },
        "payment_terms": [
            {"when": to_data(rule.when), "suggest": rule.suggest, "reason": rule.reason, "intent": rule.intent}
            for rule in spec.payment_terms
        ],
        "portal": {
            "max_promise_days": spec.portal.max_promise_days,
            "max_instalments": spec.portal.max_instalments,
        },
        "charges": _charges(spec.charges),
        "credits": {"hold_when_covered": spec.credits.hold_when_covered, "owner": spec.credits.owner},
        "plans": _plans(spec.plans),
        **{key: _reaction(step) for key, step in (("on_broken_plan", spec.on_broken_plan),
                                                  ("on_broken_promise", spec.on_broken_promise)) if step},
        **({"hold_while_open_deal": _deal_hold(spec.hold_while_open_deal)} if spec.hold_while_open_deal else {}),
        **({"owners": [_owner(rule) for rule in spec.owners]} if spec.owners else {}),
        **({"credit_hold": [
            {"when": to_data(rule.when), "reason": rule.reason, "documents": list(rule.documents)}
            for rule in spec.credit_hold
        ]} if spec.credit_hold is not None else {}),
        **({"credit_information": {"rating_valid_days": spec.credit_information.rating_valid_days}}
           if spec.credit_information.rating_valid_days is not None else {}),
        **({"tell_salesperson": {"customer_answer": spec.tell_salesperson.customer_answer,
                                 "broken_promise": spec.tell_salesperson.broken_promise}}
           if spec.tell_salesperson != SalespersonNotices() else {}),
    }


def _deal_hold(hold):
    return {"min_amount": hold.min_amount, "max_days": hold.max_days, "steps": hold.steps, "owner": hold.owner}


def _owner(rule):
    data = {"owner": rule.owner, "assign": rule.assign, "manual_only": rule.manual_only}
    if rule.when:
        data["when"] = to_data(rule.when)
    return data


def _plan_bounds(bounds):
    return {"max_instalments": bounds.max_instalments, "max_months": bounds.max_months,
            "min_instalment": bounds.min_instalment, "first_within_days": bounds.first_within_days,
            "self_serve": bounds.self_serve}


def _plans(plans):
    return {
        **_plan_bounds(plans.bounds),
        "broken_after_days": plans.broken_after_days,
        "remind_days_before": plans.remind_days_before,
        "segments": {key: _plan_bounds(bounds) for key, bounds in plans.by_segment},
        "delay_reasons": {key: _plan_bounds(bounds) for key, bounds in plans.by_delay_reason},
    }


def _reaction(step):
    return {key: value for key, value in _step(step).items() if key != "day"}


def _charges(charges):
    data = {
        "post": charges.post,
        "waive_segments": list(charges.waive_segments),
        "interest_margin_consumer": charges.interest_margin_consumer,
        "interest_margin_business": charges.interest_margin_business,
    }
    return {key: value for key, value in data.items() if value is not None}


def dump_policy(spec) -> str:
    """``spec`` as a YAML document, keys in the document's order."""
    return yaml.safe_dump(spec_to_data(spec), sort_keys=False, allow_unicode=True)


def _segment(rule):
    return {"key": rule.key, "label": rule.label, "description": rule.description, "when": to_data(rule.when)}


def _delay_reason(reason):
    data = {
        "label": reason.label,
        "customer_label": reason.customer_label,
        "description": reason.description,
        "pause": reason.pause,
        "pause_days": reason.pause_days,
        "owner": reason.owner,
        "journey": reason.journey,
        "offer": reason.offer,
    }
    return {key: value for key, value in data.items() if value is not None}


def _journey(journey):
    return {
        "label": journey.label,
        "description": journey.description,
        "segments": list(journey.segments),
        "steps": [_step(step) for step in journey.steps],
        "waive_charges": journey.waive_charges,
    }


def _step(step):
    data = {
        "day": step.day,
        "send": step.send,
        "template": step.template,
        "to": step.to,
        "approve": step.approve,
        "when": to_data(step.when),
        "note": step.note,
        "harsh": step.harsh,
        "attach": step.attach,
        "post": step.post or None,
        "customers": step.customers,
        "fee": step.fee,
        "compensation": step.compensation,
        "interest": step.interest,
        "id": step.id,
    }
    return {key: value for key, value in data.items() if value is not None}
