"""The next-days preview: each step on its day, once, as the daily run would do it."""

from datetime import date, timedelta

from dunning_policy.engine import CaseInput, InvoiceInput, decide, make_step_key
from dunning_policy.preview import preview

DUE = date(2025, 3, 1)


def day(offset):
    return DUE + timedelta(days=offset)


def standard_customer(**values):
    invoice = InvoiceInput(id=7, due_date=DUE, amount_residual=1500.0)
    return CaseInput(invoices=(invoice,), facts={"customer_since_days": 400}, **values)


def steps_of(entries):
    return [(entry.day, entry.decision.step_index, entry.decision.kind) for entry in entries]


def test_default_policy_standard_customer_over_a_month(default_spec):
    entries = preview(default_spec, standard_customer(state=None), day(0), days=30)
    assert steps_of(entries) == [(day(5), 1, "send_step"), (day(15), 2, "send_step"), (day(25), 3, "send_step")]
    assert [entry.decision.step.template for entry in entries] == ["gentle_reminder", "second_reminder", None]
    assert entries[0].decision.step_key == make_step_key("standard", default_spec.journey("standard").steps[1], [7])


def test_preview_agrees_with_decide_on_its_first_day(default_spec):
    case = standard_customer()
    first = preview(default_spec, case, day(5), days=0)
    assert [entry.decision for entry in first] == [decide(default_spec, case, day(5))]


def test_done_steps_are_not_previewed_again(default_spec):
    case = standard_customer(done_step_keys=frozenset({make_step_key("standard", 1, [7])}))
    entries = preview(default_spec, case, day(5), days=12)
    assert steps_of(entries) == [(day(15), 2, "send_step")]


def test_an_approval_is_previewed_once(default_spec):
    invoice = InvoiceInput(id=9, due_date=DUE, amount_residual=900.0)
    at_risk = CaseInput(invoices=(invoice,), facts={"avg_days_late": 45}, state="open")
    entries = preview(default_spec, at_risk, day(29), days=5)
    assert steps_of(entries) == [(day(29), 3, "send_step"), (day(30), 4, "need_approval")]


def test_a_held_case_previews_nothing(default_spec):
    invoice = InvoiceInput(id=7, due_date=DUE, amount_residual=1500.0, delay_reason="dispute")
    case = CaseInput(invoices=(invoice,), facts={})
    assert preview(default_spec, case, day(0), days=30) == []
