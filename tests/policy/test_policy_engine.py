"""Scenarios of the decision engine over explicit dates (no clock is read anywhere)."""

from datetime import date, timedelta

import pytest
from dunning_policy.engine import (
    CaseInput,
    InvoiceInput,
    assign_segment,
    case_facts,
    decide,
    make_step_key,
    parse_step_key,
    suggest_payment_term,
)

POLICY = """
version: 1
segments:
  - key: vip
    when: [[tags, contains, VIP]]
  - key: risky
    when: [[avg_days_late, ">=", 30]]
  - key: standard
delay_reasons:
  dispute: {pause: true, owner: salesperson}
  waiting_po: {pause: true, pause_days: 10}
  cash_flow: {offer: payment_plan}
  insolvency: {journey: firm, owner: finance}
journeys:
  gentle:
    segments: [vip, standard]
    steps:
      - {day: -3, send: email, template: friendly_heads_up}
      - {day: 7, send: email, template: gentle_reminder}
      - {day: 14, send: activity, to: salesperson, note: Call}
      - {day: 30, send: email, template: payment_plan_offer, approve: salesperson}
      - {day: 45, send: letter, template: final_notice, when: [[overdue_amount, ">=", 500]]}
  firm:
    segments: [risky]
    steps:
      - {day: 1, send: email, template: firm_reminder}
      - day: 10
        send: letter
        template: final_notice
        approve: group:customer_aware_dunning.group_collections_manager
"""

DUE = date(2025, 3, 1)


@pytest.fixture(scope="module")
def spec(spec_of):
    return spec_of(POLICY)


def day(offset):
    return DUE + timedelta(days=offset)


def invoice(id_=1, due=DUE, amount=1000.0, **values):
    return InvoiceInput(id=id_, due_date=due, amount_residual=amount, **values)


def case(*invoices, done=(), **values):
    values.setdefault("facts", {"tags": [], "avg_days_late": 2})
    return CaseInput(invoices=tuple(invoices) or (invoice(),), done_step_keys=frozenset(done), **values)


def done_keys(journey, *indexes, ids=(1,)):
    """Index-style keys, as stored before step identities: the engine still reads them."""
    return [make_step_key(journey, index, ids) for index in indexes]


def key_of(spec, journey, index, ids):
    """The key the engine makes today for step ``index`` of ``journey``: it names the step by its identity."""
    return make_step_key(journey, spec.journey(journey).steps[index], ids)


# -- segments --------------------------------------------------------------------


def test_assign_segment_first_match_wins(spec):
    assert assign_segment(spec, {"tags": ["VIP"], "avg_days_late": 40}) == ("vip", 0)
    assert assign_segment(spec, {"tags": [], "avg_days_late": 40}) == ("risky", 1)
    assert assign_segment(spec, {}) == ("standard", 2)


def test_manual_segment_wins_over_the_rules(spec):
    decision = decide(spec, case(facts={"avg_days_late": 90}, segment="vip", segment_manual=True), day(7))
    assert decision.segment == "vip"
    assert decision.journey == "gentle"
    assert decision.reason.startswith("segment vip (set by hand) → journey gentle")


def test_a_recorded_segment_not_set_by_hand_follows_the_rules(spec):
    decision = decide(spec, case(facts={"avg_days_late": 90}, segment="vip"), day(1))
    assert decision.segment == "risky"


# -- steps on their days -----------------------------------------------------------


def test_friendly_heads_up_before_due(spec):
    decision = decide(spec, case(state=None), day(-3))
    assert (decision.kind, decision.step_index, decision.step.template) == ("send_step", 0, "friendly_heads_up")
    assert decision.invoice_ids == (1,)
    assert decision.reason == "segment standard (rule 3) → journey gentle, step 1 (day -3, email friendly_heads_up)"


def test_nothing_before_the_heads_up_window(spec):
    decision = decide(spec, case(state=None), day(-4))
    assert (decision.kind, decision.next_date) == ("wait", day(-3))


@pytest.mark.parametrize(("offset", "index"), [(7, 1), (14, 2), (45, 4)])
def test_gentle_journey_steps_fire_on_their_day(spec, offset, index):
    earlier = done_keys("gentle", *range(index))
    decision = decide(spec, case(done=earlier), day(offset))
    assert decision.kind == "send_step"
    assert decision.step_index == index
    assert decision.step_key == key_of(spec, "gentle", index, [1])


@pytest.mark.parametrize(("offset", "next_offset"), [(6, 7), (13, 14), (29, 30), (44, 45)])
def test_gentle_journey_waits_the_day_before(spec, offset, next_offset):
    steps_done = {6: 1, 13: 2, 29: 3, 44: 4}[offset]
    decision = decide(spec, case(done=done_keys("gentle", *range(steps_done))), day(offset))
    assert (decision.kind, decision.next_date) == ("wait", day(next_offset))


def test_reason_names_rule_journey_and_step(spec):
    decision = decide(spec, case(done=done_keys("gentle", 0)), day(7))
    assert decision.reason == "segment standard (rule 3) → journey gentle, step 2 (day 7, email gentle_reminder)"


def test_step_with_approval_needs_approval(spec):
    decision = decide(spec, case(done=done_keys("gentle", 0, 1, 2)), day(30))
    assert decision.kind == "need_approval"
    assert decision.step.approve == "salesperson"
    assert decision.reason.endswith("step 4 (day 30, email payment_plan_offer), needs approval from salesperson")


def test_waiting_for_approval_holds(spec):
    decision = decide(spec, case(state="waiting_approval", done=done_keys("gentle", 0, 1, 2)), day(31))
    assert (decision.kind, decision.held_by) == ("hold", "approval")


def test_risky_journey_runs_earlier_and_needs_a_manager(spec):
    risky = {"avg_days_late": 45}
    first = decide(spec, case(facts=risky), day(1))
    assert (first.kind, first.journey, first.step.template) == ("send_step", "firm", "firm_reminder")
    second = decide(spec, case(facts=risky, done=done_keys("firm", 0)), day(10))
    assert second.kind == "need_approval"
    assert second.step.approve == "group:customer_aware_dunning.group_collections_manager"


# -- done and skipped steps ----------------------------------------------------------


def test_a_done_step_is_not_repeated(spec):
    decision = decide(spec, case(done=done_keys("gentle", 1)), day(8))
    assert decision.kind == "wait"
    assert decision.next_date == day(14)
    assert "step 2 (day 7, email gentle_reminder) already done" in decision.reason


def test_only_the_last_due_step_is_sent_and_the_skipped_ones_are_named(spec):
    decision = decide(spec, case(), day(20))
    assert (decision.kind, decision.step_index) == ("send_step", 2)
    assert "step 2 (day 7, email gentle_reminder) not sent: a later step is due" in decision.reason


def test_earlier_steps_count_as_done_after_a_later_one(spec):
    # step 3 (index 2) was done on day 20; nothing goes back to step 2.
    decision = decide(spec, case(done=done_keys("gentle", 2)), day(21))
    assert (decision.kind, decision.next_date) == ("wait", day(30))


def test_step_whose_conditions_fail_is_skipped(spec):
    small = invoice(amount=100.0)
    decision = decide(spec, case(small, done=done_keys("gentle", 0, 1, 2, 3)), day(46))
    assert decision.kind == "nothing"
    assert "step 5 (day 45, letter final_notice) skipped: its conditions do not hold" in decision.reason


def test_failed_last_step_falls_back_to_the_last_eligible_one(spec):
    small = invoice(amount=100.0)
    decision = decide(spec, case(small, done=done_keys("gentle", 0, 1, 2)), day(46))
    assert (decision.kind, decision.step_index) == ("need_approval", 3)


# -- holds ----------------------------------------------------------------------


def test_dispute_pauses_the_case(spec):
    disputed = invoice(delay_reason="dispute")
    decision = decide(spec, case(disputed), day(20))
    assert (decision.kind, decision.held_by, decision.owner) == ("hold", "dispute", "salesperson")
    assert decision.step is None


def test_pause_days_run_from_when_the_reason_was_set(spec):
    waiting = invoice(delay_reason="waiting_po", delay_reason_since=day(5))
    held = decide(spec, case(waiting), day(14))
    assert (held.kind, held.held_by, held.next_date) == ("hold", "waiting_po", day(15))
    resumed = decide(spec, case(waiting, done=done_keys("gentle", 1)), day(15))
    assert (resumed.kind, resumed.step_index) == ("send_step", 2)


def test_promise_to_pay_holds_until_the_day_after(spec):
    promised = invoice(promised_date=day(20))
    for today in (day(10), day(20)):
        decision = decide(spec, case(promised), today)
        assert (decision.kind, decision.held_by, decision.next_date) == ("hold", "promise", day(21))
    resumed = decide(spec, case(promised, done=done_keys("gentle", 1)), day(21))
    assert (resumed.kind, resumed.step_index) == ("send_step", 2)


def test_paused_by_hand_until_a_date(spec):
    assert decide(spec, case(state="paused", pause_until=day(20)), day(19)).held_by == "pause"
    assert decide(spec, case(state="paused", pause_until=None), day(19)).held_by == "pause"
    assert decide(spec, case(state="paused", pause_until=day(20)), day(20)).kind == "send_step"


def test_insolvency_switches_the_journey(spec):
    insolvent = invoice(delay_reason="insolvency")
    decision = decide(spec, case(insolvent, journey="gentle", done=done_keys("gentle", 0, 1)), day(12))
    assert decision.journey == "firm"
    assert (decision.kind, decision.step_index) == ("need_approval", 1)
    assert "journey firm (switched by delay reason insolvency)" in decision.reason
    assert decision.owner == "finance"


def test_case_keeps_its_journey(spec):
    decision = decide(spec, case(facts={"avg_days_late": 45}, journey="gentle"), day(7))
    assert (decision.segment, decision.journey, decision.step_index) == ("risky", "gentle", 1)


def test_cash_flow_offers_a_payment_plan_without_holding(spec):
    decision = decide(spec, case(invoice(delay_reason="cash_flow")), day(7))
    assert (decision.kind, decision.offer) == ("send_step", "payment_plan")


# -- invoices covered --------------------------------------------------------------


def test_excluded_invoice_is_left_out_and_does_not_time_the_journey(spec):
    old_excluded = invoice(1, due=day(-40), excluded=True)
    current = invoice(2, due=DUE)
    decision = decide(spec, case(old_excluded, current), day(7))
    assert decision.invoice_ids == (2,)
    assert decision.step_index == 1
    assert decision.step_key == key_of(spec, "gentle", 1, [2])


def test_one_message_covers_every_overdue_invoice(spec):
    # Invoice 3 times the journey (9 days late); invoice 2 is not due yet on day 7.
    decision = decide(spec, case(invoice(3, due=day(-2)), invoice(1), invoice(2, due=day(8))), day(7))
    assert decision.invoice_ids == (1, 3)
    assert decision.step_index == 1


def test_step_key_is_stable_and_depends_on_the_invoice_set(spec):
    first = decide(spec, case(invoice(2), invoice(1)), day(7)).step_key
    again = decide(spec, case(invoice(1), invoice(2)), day(7)).step_key
    fewer = decide(spec, case(invoice(1)), day(7)).step_key
    assert first == again == key_of(spec, "gentle", 1, [1, 2])
    assert fewer == key_of(spec, "gentle", 1, [1])
    assert parse_step_key(first).invoice_ids == frozenset({1, 2})


def test_new_overdue_invoice_gets_the_current_step(spec):
    decision = decide(spec, case(invoice(1), invoice(2, due=day(3)), done=done_keys("gentle", 1)), day(8))
    assert (decision.kind, decision.step_key) == ("send_step", key_of(spec, "gentle", 1, [1, 2]))


def test_paying_one_invoice_does_not_trigger_a_resend(spec):
    decision = decide(spec, case(invoice(1), done=["gentle/1/1,2"]), day(8))
    assert decision.kind == "wait"


def test_second_run_on_the_same_day_decides_nothing_new(spec):
    first = decide(spec, case(), day(7))
    second = decide(spec, case(done=[first.step_key]), day(7))
    assert first.kind == "send_step"
    assert second.kind == "wait"


def test_malformed_done_keys_are_ignored():
    assert parse_step_key("gentle/x/1") is None
    assert parse_step_key("gentle/1/a,b") is None
    assert parse_step_key(None) is None
    assert parse_step_key("gentle/2/").invoice_ids == frozenset()


# -- closing ----------------------------------------------------------------------


def test_everything_paid_closes_the_case(spec):
    decision = decide(spec, case(invoice(amount=0.0)), day(7))
    assert decision.kind == "close"


def test_only_excluded_invoices_left_closes_the_case(spec):
    assert decide(spec, case(invoice(excluded=True)), day(7)).kind == "close"


def test_an_open_case_with_nothing_overdue_waits_for_its_invoices(spec):
    decision = decide(spec, case(invoice(due=day(10))), day(0))
    assert decision.kind == "wait"
    assert decision.next_date is not None


def test_no_case_and_nothing_open_is_nothing(spec):
    assert decide(spec, case(invoice(amount=0.0), state=None), day(7)).kind == "nothing"


def test_closed_case_is_left_alone(spec):
    assert decide(spec, case(state="closed"), day(7)).kind == "nothing"


def test_end_of_journey_is_nothing(spec):
    decision = decide(spec, case(done=done_keys("gentle", 4)), day(100))
    assert decision.kind == "nothing"
    assert decision.reason.endswith("no further step in the journey")


# -- facts ------------------------------------------------------------------------


def test_case_facts(spec):
    facts = case_facts(case(invoice(1, amount=100.0, delay_reason="forgot"), invoice(2, due=day(30), amount=50.0),
                            invoice(3, amount=7.0, excluded=True)), day(10))
    assert facts == {"overdue_amount": 100.0, "overdue_invoice_count": 1, "days_overdue": 10,
                     "upcoming_amount": 50.0, "delay_reason": "forgot"}


def test_decide_is_deterministic(spec):
    the_case = case(invoice(2), invoice(1, due=day(-3)), done=done_keys("gentle", 0))
    assert decide(spec, the_case, day(9)) == decide(spec, the_case, day(9))


# -- the shipped default policy ---------------------------------------------------

SEGMENT_FOR = {"keep_the_relationship": "loyal", "standard": "new", "limit_damage": "at_risk"}


def journey_days(default_spec):
    for journey in default_spec.journeys:
        for index, step in enumerate(journey.steps):
            yield journey.key, index, step.day


def test_default_policy_journeys_fire_each_step_on_its_day(default_spec):
    for journey_key, index, step_day in journey_days(default_spec):
        the_case = case(invoice(amount=5000.0), segment=SEGMENT_FOR[journey_key], segment_manual=True,
                        done=done_keys(journey_key, *range(index)), state=None if step_day <= 0 else "open")
        decision = decide(default_spec, the_case, day(step_day))
        assert decision.journey == journey_key
        assert decision.step_index == index, (journey_key, step_day, decision.reason)
        assert decision.kind == ("need_approval" if decision.step.approve else "send_step")
        before = decide(default_spec, the_case, day(step_day - 1))
        assert before.kind in ("wait", "nothing", "close"), (journey_key, step_day, before.reason)


def test_default_policy_speaks_of_customers(default_policy_text):
    assert "debtor" not in default_policy_text.lower()


def test_default_policy_salesperson_called_in_before_anything_harsh(default_spec):
    journey = default_spec.journey("keep_the_relationship")
    first_harsh = next((step.day for step in journey.steps if step.harsh), None)
    calls = [step.day for step in journey.steps if step.send == "activity" and step.to == "salesperson"]
    assert calls and (first_harsh is None or min(calls) < first_harsh)


def test_default_policy_payment_term_suggestions(default_spec):
    at_risk_over_limit = suggest_payment_term(default_spec, {"segment": "at_risk", "credit_limit_use": 1.5})
    assert at_risk_over_limit.suggest == "account.account_payment_term_immediate"
    loyal = suggest_payment_term(default_spec, {"segment": "loyal", "on_time_ratio": 0.95})
    assert loyal.suggest == "account.account_payment_term_45days"
    assert suggest_payment_term(default_spec, {"segment": "standard"}) is None


def test_default_policy_segments(default_spec):
    assert assign_segment(default_spec, {"lifetime_revenue": 250000, "avg_days_late": 60})[0] == "strategic"
    assert assign_segment(default_spec, {"customer_since_days": 1000, "on_time_ratio": 0.9})[0] == "loyal"
    assert assign_segment(default_spec, {"customer_since_days": 1000, "avg_days_late": 45})[0] == "at_risk"
    assert assign_segment(default_spec, {"customer_since_days": 30})[0] == "new"
    assert assign_segment(default_spec, {})[0] == "standard"
