"""Reminder fees, recovery compensation and late-payment interest: computation and the legal limits (no Odoo)."""

from datetime import date

import pytest
from dunning_policy import charges
from dunning_policy.charges import (
    ChargeContext,
    ChargeInvoice,
    LegalLimits,
    ReferenceRate,
    check_limits,
    interest_periods,
    interest_total,
    plan_charges,
)
from dunning_policy.engine import CaseInput, InvoiceInput, decide
from dunning_policy.loader import load_policy

# The Finnish profile as the addon ships it (data/dunning_legal_profile_data.xml).
FINLAND = LegalLimits(
    name="Finland",
    consumer_fee_max=5.0,
    business_fee_max=12.0,
    consumer_first_fee_days=14,
    consumer_fee_interval_days=14,
    business_fee_interval_days=10,
    consumer_compensation_max=0.0,
    business_compensation_max=40.0,
    consumer_interest_margin=7.0,
    business_interest_margin=8.0,
    consumer_no_promotion=True,
)
RATES = (ReferenceRate(date(2025, 1, 1), 3.15), ReferenceRate(date(2025, 7, 1), 2.15))

BASE = """
version: 1
segments:
  - key: loyal
    when: [[customer_since_days, ">=", 730]]
  - key: standard
journeys:
  keep:
    segments: [loyal]
    waive_charges: true
    steps:
      - {day: 7, send: email, template: gentle_reminder}
  standard:
    segments: [standard]
    steps:
%s
"""


def spec_with(steps, extra=""):
    result = load_policy(BASE % steps + extra)
    assert result.errors == [], "\n".join(map(str, result.errors))
    return result.spec


def step_of(**values):
    day = values.pop("day", 21)
    rest = ", ".join(f"{key}: {value}" for key, value in values.items())
    steps = f"      - {{day: {day}, send: email, template: gentle_reminder, {rest}}}"
    return spec_with(steps).journey("standard").steps[0]


# -- interest ---------------------------------------------------------------------


def test_interest_across_a_change_of_reference_rate():
    periods = interest_periods(1000.0, date(2025, 6, 20), (), RATES, 8.0, date(2025, 7, 10))
    assert [(p.date_from, p.date_to, p.days, p.rate) for p in periods] == [
        (date(2025, 6, 21), date(2025, 6, 30), 10, pytest.approx(11.15)),
        (date(2025, 7, 1), date(2025, 7, 10), 10, pytest.approx(10.15)),
    ]
    # 1000 x 11.15 % x 10/365 + 1000 x 10.15 % x 10/365
    assert interest_total(periods) == 5.84


def test_interest_after_a_partial_payment_runs_on_the_balance():
    periods = interest_periods(1000.0, date(2025, 6, 20), ((date(2025, 6, 25), 400.0),), RATES, 8.0,
                               date(2025, 7, 10))
    assert [(p.days, p.balance) for p in periods] == [(5, 1000.0), (5, 600.0), (10, 600.0)]
    # 1000 x 11.15 % x 5/365 + 600 x 11.15 % x 5/365 + 600 x 10.15 % x 10/365 = 4.1123
    assert interest_total(periods) == 4.11


def test_interest_of_a_consumer_uses_seven_points_and_starts_after_what_was_charged():
    periods = interest_periods(500.0, date(2025, 6, 20), (), RATES, 7.0, date(2025, 7, 10), start=date(2025, 6, 30))
    assert [(p.days, p.rate) for p in periods] == [(10, pytest.approx(9.15))]
    assert interest_total(periods) == 1.25  # 500 x 9.15 % x 10/365 = 1.2534


def test_agreed_rate_replaces_reference_rate_and_margin():
    periods = interest_periods(1000.0, date(2025, 6, 20), (), RATES, 8.0, date(2025, 7, 10), agreed_rate=12.0)
    assert [(p.days, p.rate) for p in periods] == [(20, 12.0)]
    assert interest_total(periods) == 6.58  # 1000 x 12 % x 20/365 = 6.5753


def test_no_reference_rate_known_charges_no_interest():
    periods = interest_periods(1000.0, date(2024, 12, 20), (), RATES, 8.0, date(2025, 1, 10))
    assert periods[0].rate is None and periods[0].amount == 0
    assert periods[1].rate == pytest.approx(11.15)


def test_stale_reference_rate_charges_no_interest_after_its_half_year():
    periods = interest_periods(1000.0, date(2025, 12, 20), (), RATES, 8.0, date(2026, 1, 10))
    assert [(p.date_from, p.days, p.rate) for p in periods] == [
        (date(2025, 12, 21), 11, pytest.approx(10.15)),
        (date(2026, 1, 1), 10, None),  # 2026's first half-year is not in the table: nothing charged for it
    ]


def test_fully_paid_invoice_accrues_nothing_after_payment():
    periods = interest_periods(1000.0, date(2025, 6, 20), ((date(2025, 6, 22), 1000.0),), RATES, 8.0,
                               date(2025, 7, 10))
    assert [(p.days, p.balance) for p in periods] == [(2, 1000.0)]


# -- what a step charges at run time ---------------------------------------------------


def invoice(**values):
    return ChargeInvoice(**{"id": 1, "due_date": date(2025, 6, 20), "principal": 1000.0, "label": "INV/1", **values})


def test_business_step_charges_fee_compensation_once_and_interest():
    step = step_of(fee=12, compensation=40, interest="true")
    context = ChargeContext("business", date(2025, 7, 10), (invoice(), invoice(id=2, compensated=True)),
                            FINLAND, RATES)
    plan = plan_charges(step, context)
    kinds = [(line.kind, line.invoice_id, line.amount) for line in plan.lines]
    assert kinds == [("fee", None, 12.0), ("compensation", 1, 40.0),
                     ("interest", 1, 3.05), ("interest", 1, 2.78), ("interest", 2, 3.05), ("interest", 2, 2.78)]
    assert plan.charged == 63.66 and plan.waived == 0 and plan.notes == ()


def test_consumer_fee_is_clamped_and_no_compensation_is_charged():
    step = step_of(fee=20, compensation=40)
    plan = plan_charges(step, ChargeContext("consumer", date(2025, 7, 10), (invoice(),), FINLAND, RATES))
    assert [(line.kind, line.amount) for line in plan.lines] == [("fee", 5.0)]
    assert [note.code for note in plan.notes] == [charges.FEE_CAPPED, charges.COMPENSATION_NOT_FOR_CONSUMERS]
    assert (plan.notes[0].value, plan.notes[0].limit) == (20.0, 5.0)


def test_consumer_fee_too_early_or_too_soon_after_the_last_is_not_charged():
    step = step_of(fee=5)
    early = plan_charges(step, ChargeContext("consumer", date(2025, 7, 1), (invoice(),), FINLAND))
    assert early.lines == () and early.notes[0].code == charges.FEE_TOO_EARLY
    soon = plan_charges(step, ChargeContext("consumer", date(2025, 7, 20), (invoice(),), FINLAND,
                                            last_fee_date=date(2025, 7, 10)))
    assert soon.lines == () and (soon.notes[0].code, soon.notes[0].value) == (charges.FEE_TOO_SOON, 10)
    later = plan_charges(step, ChargeContext("consumer", date(2025, 7, 24), (invoice(),), FINLAND,
                                             last_fee_date=date(2025, 7, 10)))
    assert later.charged == 5.0


def test_business_interest_margin_above_the_law_is_clamped():
    step = step_of(interest="true")
    plan = plan_charges(step, ChargeContext("business", date(2025, 6, 30), (invoice(),), FINLAND, RATES,
                                            margin=12.0))
    assert plan.notes[0].code == charges.MARGIN_CAPPED
    assert [line.rate for line in plan.lines] == [pytest.approx(11.15)]


def test_waived_charges_are_computed_and_recorded_as_waived():
    step = step_of(fee=12, interest="true")
    plan = plan_charges(step, ChargeContext("business", date(2025, 7, 10), (invoice(),), FINLAND, RATES,
                                            waive=True))
    assert all(line.waived for line in plan.lines)
    assert (plan.charged, plan.waived) == (0, 17.83)  # 12 + 3.05 + 2.78


# -- the legal limits at activation --------------------------------------------------


def violations(steps, extra="", promotional=frozenset()):
    return [(v.rule, v.journey, v.step_index, v.value, v.limit)
            for v in check_limits(spec_with(steps, extra), FINLAND, promotional)]


def test_lawful_policy_has_no_violation():
    steps = """      - {day: 7, send: email, template: gentle_reminder}
      - {day: 14, send: email, template: second_reminder, fee: 5, interest: true}
      - {day: 28, send: email, template: firm_reminder, fee: 5}
      - {day: 40, send: email, template: final_notice, customers: business, fee: 12, compensation: 40}"""
    assert violations(steps) == []


@pytest.mark.parametrize(("steps", "expected"), [
    ("      - {day: 21, send: email, template: gentle_reminder, fee: 6, customers: consumer}",
     [("consumer_fee_max", "standard", 0, 6.0, 5.0)]),
    ("      - {day: 21, send: email, template: gentle_reminder, fee: 13, customers: business}",
     [("business_fee_max", "standard", 0, 13.0, 12.0)]),
    ("      - {day: 10, send: email, template: gentle_reminder, fee: 5, customers: consumer}",
     [("consumer_first_fee", "standard", 0, 10, 14)]),
    ("      - {day: 14, send: email, template: gentle_reminder, fee: 5, customers: consumer}\n"
     "      - {day: 27, send: email, template: firm_reminder, fee: 5, customers: consumer}",
     [("consumer_fee_interval", "standard", 1, 13, 14)]),
    ("      - {day: 7, send: email, template: gentle_reminder, fee: 10, customers: business}\n"
     "      - {day: 16, send: email, template: firm_reminder, fee: 10, customers: business}",
     [("business_fee_interval", "standard", 1, 9, 10)]),
    ("      - {day: 21, send: email, template: gentle_reminder, compensation: 40}",
     [("consumer_compensation", "standard", 0, 40.0, 0.0)]),
    ("      - {day: 21, send: email, template: gentle_reminder, compensation: 50, customers: business}",
     [("business_compensation_max", "standard", 0, 50.0, 40.0)]),
    ("      - {day: 21, send: email, template: gentle_reminder, compensation: 40, customers: business}\n"
     "      - {day: 35, send: email, template: firm_reminder, compensation: 40, customers: business}",
     [("compensation_twice", "standard", 1, 35, 21)]),
    ("      - {day: 0, send: email, template: gentle_reminder, fee: 5, customers: business}",
     [("charge_before_due", "standard", 0, 0, 0.0)]),
])
def test_each_limit_rejects_a_policy(steps, expected):
    assert violations(steps) == expected


def test_margin_above_the_statutory_one_is_a_violation():
    steps = "      - {day: 21, send: email, template: gentle_reminder, interest: true}"
    extra = "charges:\n  interest_margin_consumer: 9\n  interest_margin_business: 8\n"
    assert violations(steps, extra) == [("consumer_interest_margin", "", None, 9.0, 7.0)]


def test_promotional_template_to_consumers_is_refused_unless_the_step_is_for_businesses():
    promotional = frozenset({"value_of_relationship"})
    to_all = "      - {day: 21, send: email, template: value_of_relationship}"
    assert violations(to_all, promotional=promotional) == [("consumer_promotion", "standard", 0, 0.0, 0.0)]
    to_businesses = "      - {day: 21, send: email, template: value_of_relationship, customers: business}"
    assert violations(to_businesses, promotional=promotional) == []


# -- the loader and the engine --------------------------------------------------------


def test_loader_reads_charges_and_rejects_charges_on_activities():
    spec = spec_with("      - {day: 21, send: email, template: gentle_reminder, fee: 5, interest: true}",
                     "charges: {post: invoice, waive_segments: [loyal]}\n")
    assert spec.charges.post == "invoice" and spec.charges.waive_segments == ("loyal",)
    assert spec.journey("keep").waive_charges is True
    step = spec.journey("standard").steps[0]
    assert (step.fee, step.interest, step.customers) == (5.0, True, "all")
    bad = load_policy(BASE % "      - {day: 21, send: activity, note: Call, fee: 5}")
    assert [str(error) for error in bad.errors] == [
        "journeys.standard.steps[0].fee: an activity sends the customer nothing to charge fee with; remove fee "
        "(line 16)"]
    negative = load_policy(BASE % "      - {day: 21, send: email, template: gentle_reminder, fee: -1}")
    assert "expected a number of at least 0, got -1" in str(negative.errors[0])


def test_step_for_businesses_is_skipped_for_consumers():
    spec = spec_with("      - {day: 7, send: email, template: gentle_reminder}\n"
                     "      - {day: 14, send: email, template: final_notice, customers: business, fee: 12}")
    invoices = (InvoiceInput(1, date(2025, 6, 1), 100.0),)
    today = date(2025, 6, 20)
    business = decide(spec, CaseInput(invoices, {"customer_type": "business"}), today)
    consumer = decide(spec, CaseInput(invoices, {"customer_type": "consumer"}), today)
    assert business.step_index == 1
    assert consumer.step_index == 0


def test_shipped_default_policy_is_lawful_in_finland(default_spec):
    assert check_limits(default_spec, FINLAND) == ()
    charging = [step for journey in default_spec.journeys for step in journey.steps if step.charges]
    assert charging and all(step.day >= 14 and step.fee <= 5 for step in charging)
    assert set(default_spec.charges.waive_segments) == {"strategic", "loyal"}
