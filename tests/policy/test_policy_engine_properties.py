"""Accepted policies never crash the run: generated valid policies through ``decide``, ``preview`` and ``plan_charges``.

The policies come from ``test_policy_properties.policies`` (every key of the schema), with
charges added and, in the extreme variant, every number anywhere in its accepted range
(``schema.NUMBER_BOUNDS``): before the ranges, ``day: -1000000`` or ``pause_days: 999999999``
passed validation and raised ``OverflowError`` in the engine, and a ``.nan`` fee vanished.
The cases, invoices, facts and dates are random too.  Every property checks what a run relies
on: a known decision kind, a step of the policy covering only the case's invoices, a preview
inside its window, and finite, non-negative charges.
"""

import copy
import math
from collections import Counter
from datetime import date, timedelta

import yaml
from dunning_policy import facts as fact_vocabulary
from dunning_policy.charges import ChargeContext, ChargeInvoice, LegalLimits, ReferenceRate, plan_charges
from dunning_policy.engine import NEED_APPROVAL, SEND_STEP, CaseInput, InvoiceInput, decide
from dunning_policy.loader import load_policy
from dunning_policy.preview import preview
from dunning_policy.schema import CASE_STATES, DECISION_KINDS, NUMBER_BOUNDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_policy_properties import policies

RAN = Counter()  # how many generated policies each property really ran through the engine
EXAMPLES = 100
DAYS = st.dates(date(1990, 1, 1), date(2090, 12, 31))


def engine_settings(examples=EXAMPLES):
    return settings(deadline=None, max_examples=examples, suppress_health_check=list(HealthCheck))


def in_range(name):
    low, high = NUMBER_BOUNDS[name]
    return st.integers(low, high)


@st.composite
def charged_policies(draw, extreme=False):
    """A valid policy document with charges on some steps; ``extreme``: numbers anywhere in their range."""
    document = draw(policies())
    amounts = st.floats(0, NUMBER_BOUNDS["step.fee"][1]) if extreme else st.sampled_from([0, 2.5, 5, 40])
    for journey in document["journeys"].values():
        if extreme:
            days = sorted(draw(st.sets(in_range("step.day"), min_size=len(journey["steps"]),
                                       max_size=len(journey["steps"]))))
            for step, day in zip(journey["steps"], days, strict=True):
                step["day"] = day
        for step in journey["steps"]:
            if step["send"] == "activity":
                continue
            for key in ("fee", "compensation"):
                if draw(st.booleans()):
                    step[key] = draw(amounts)
            if draw(st.booleans()):
                step["interest"] = True
            if draw(st.booleans()):
                step["customers"] = draw(st.sampled_from(["all", "consumer", "business"]))
        if draw(st.booleans()):
            journey["waive_charges"] = True
    if extreme:
        for reason in document.get("delay_reasons", {}).values():
            if reason.get("pause") and draw(st.booleans()):
                reason["pause_days"] = draw(in_range("delay_reason.pause_days"))
    if draw(st.booleans()):
        margins = st.floats(0, 100) if extreme else st.sampled_from([0, 7, 8])
        document["charges"] = {"interest_margin_consumer": draw(margins), "interest_margin_business": draw(margins)}
    return document


def spec_of(document):
    text = yaml.safe_dump(copy.deepcopy(document), sort_keys=False, allow_unicode=True)
    result = load_policy(text)
    assert result.errors == [], "\n".join(map(str, result.errors)) + "\n" + text
    return result.spec


FACT_VALUES = {
    "number": st.one_of(st.integers(-10**6, 10**9), st.floats(-1e9, 1e9, allow_nan=False)),
    "integer": st.integers(-10**5, 10**5),
    "string": st.text(max_size=6),
    "list of strings": st.lists(st.text(max_size=4), max_size=3),
    "boolean": st.booleans(),
}


@st.composite
def cases(draw, spec, today):
    reasons = [reason.key for reason in spec.delay_reasons]
    invoices = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        due = today + timedelta(days=draw(st.integers(-4000, 400)))
        reason = draw(st.sampled_from([None, *reasons])) if reasons else None
        since = due + timedelta(days=draw(st.integers(-30, 400))) if reason else None
        promised = today + timedelta(days=draw(st.integers(-10, 60))) if draw(st.booleans()) else None
        invoices.append(InvoiceInput(number, due, draw(st.sampled_from([0.0, 0.01, 100.0, 1e7])),
                                     excluded=draw(st.booleans()) and draw(st.booleans()),
                                     delay_reason=reason, delay_reason_since=since, promised_date=promised))
    names = draw(st.sets(st.sampled_from(sorted(fact_vocabulary.FACTS)), max_size=8))
    facts = {name: draw(FACT_VALUES[fact_vocabulary.FACTS[name].type]) for name in names}
    facts["customer_type"] = draw(st.sampled_from(["consumer", "business"]))
    segments = [segment.key for segment in spec.segments]
    journeys = [journey.key for journey in spec.journeys]
    return CaseInput(
        invoices=tuple(invoices),
        facts=facts,
        segment=draw(st.sampled_from([None, *segments])),
        segment_manual=draw(st.booleans()),
        state=draw(st.sampled_from([None, *(key for key, _ in CASE_STATES)])),
        pause_until=today + timedelta(days=draw(st.integers(-5, 30))) if draw(st.booleans()) else None,
        journey=draw(st.sampled_from([None, *journeys])),
        done_step_keys=frozenset(draw(st.lists(st.sampled_from(
            [f"{key}/{index}/1" for key in journeys for index in range(3)] + ["junk", "a/b/c"]), max_size=4))),
    )


def limits():
    amount = st.one_of(st.none(), st.sampled_from([0.0, 5.0, 40.0]))
    return st.one_of(st.none(), st.builds(
        LegalLimits, consumer_fee_max=amount, business_fee_max=amount, consumer_compensation_max=amount,
        business_compensation_max=amount, consumer_interest_margin=st.one_of(st.none(), st.just(7.0)),
        business_interest_margin=st.one_of(st.none(), st.just(8.0)),
        consumer_first_fee_days=st.integers(0, 30), consumer_fee_interval_days=st.integers(0, 30),
        business_fee_interval_days=st.integers(0, 30)))


def check_decision(spec, case, today, decision):
    assert decision.kind in dict(DECISION_KINDS)
    if decision.kind in (SEND_STEP, NEED_APPROVAL):
        journey = spec.journey(decision.journey)
        assert journey is not None and decision.step in journey.steps
        assert journey.steps[decision.step_index] == decision.step
        assert set(decision.invoice_ids) <= {invoice.id for invoice in case.invoices}
        assert decision.step_key
    assert isinstance(str(decision.text), str)


def check_charges(step, case, today, data, spec):
    invoices = tuple(ChargeInvoice(invoice.id, invoice.due_date, max(invoice.amount_residual, 0.0),
                                   payments=((today - timedelta(days=3), 1.0),) if data.draw(st.booleans()) else ())
                     for invoice in case.invoices)
    customer_type = case.facts["customer_type"]
    rates = tuple(ReferenceRate(today - timedelta(days=data.draw(st.integers(0, 400))),
                                data.draw(st.floats(0, 20))) for _ in range(data.draw(st.integers(0, 2))))
    context = ChargeContext(customer_type, today, invoices, limits=data.draw(limits()), rates=rates,
                            margin=getattr(spec.charges, f"interest_margin_{customer_type}"),
                            last_fee_date=data.draw(st.one_of(st.none(), DAYS)), waive=data.draw(st.booleans()))
    plan = plan_charges(step, context)
    for line in plan.lines:
        assert math.isfinite(line.amount) and line.amount > 0, line
    assert math.isfinite(plan.charged) and plan.charged >= 0
    assert math.isfinite(plan.waived) and plan.waived >= 0


def run_through_the_engine(document, data, name):
    spec = spec_of(document)
    today = data.draw(DAYS)
    case = data.draw(cases(spec, today))
    decision = decide(spec, case, today)
    check_decision(spec, case, today, decision)
    if decision.step is not None:
        check_charges(decision.step, case, today, data, spec)
    for journey in spec.journeys:
        check_charges(data.draw(st.sampled_from(journey.steps)), case, today, data, spec)
    days = data.draw(st.integers(0, 45))
    entries = preview(spec, case, today, days=days)
    assert [entry.day for entry in entries] == sorted(entry.day for entry in entries)
    for entry in entries:
        assert today <= entry.day <= today + timedelta(days=days)
        check_decision(spec, case, entry.day, entry.decision)
    RAN[name] += 1


@engine_settings()
@given(charged_policies(), st.data())
def test_valid_policies_run_through_the_engine(document, data):
    run_through_the_engine(document, data, "everyday numbers")


@engine_settings()
@given(charged_policies(extreme=True), st.data())
def test_policies_at_the_edges_of_every_range_run_through_the_engine(document, data):
    run_through_the_engine(document, data, "numbers anywhere in their range")


def test_the_properties_ran_what_they_claim():
    """Run both properties here if they did not run in this session, then count what really ran."""
    for name, prop in (("everyday numbers", test_valid_policies_run_through_the_engine),
                       ("numbers anywhere in their range",
                        test_policies_at_the_edges_of_every_range_run_through_the_engine)):
        if not RAN[name]:
            prop()
        assert RAN[name] >= EXAMPLES, RAN
