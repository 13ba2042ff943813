"""Predicted payment dates on constructed histories, worked out by hand."""

from datetime import date, timedelta

import pytest
from dunning_policy.prediction import (
    FACTS_WEIGHT,
    PRIOR_LATE_CHANCE,
    RATING_PRIOR,
    UNKNOWN_END_DAYS,
    CreditFacts,
    Settled,
    backtest,
    credits_covering,
    late_chance,
    predict,
    weight,
)

TODAY = date(2026, 12, 1)


def settled(days_ago, days_late):
    """An invoice settled ``days_ago`` days before TODAY, ``days_late`` days after its due date."""
    paid = TODAY - timedelta(days=days_ago)
    return Settled(due=paid - timedelta(days=days_late), settled=paid)


def test_no_history_predicts_the_due_date_with_the_prior_chance():
    due = TODAY + timedelta(days=10)
    prediction = predict(due, [], TODAY)
    assert (prediction.predicted, prediction.basis, prediction.history_count) == (due, "no_history", 0)
    assert prediction.late_chance == PRIOR_LATE_CHANCE
    assert prediction.weighted_days_late is None


def test_a_steady_customer_is_predicted_its_usual_lateness():
    history = [settled(30, 10), settled(60, 10), settled(90, 10)]
    due = TODAY + timedelta(days=5)
    prediction = predict(due, history, TODAY)
    assert prediction.predicted == due + timedelta(days=10)
    assert prediction.basis == "history"
    assert prediction.weighted_days_late == pytest.approx(10)
    # Every invoice was late: weight 3-ish of late beside the prior's 0.5 of 1.
    weights = sum(weight(item, TODAY) for item in history)
    assert prediction.late_chance == pytest.approx((weights + 0.5) / (weights + 1))


def test_recent_lateness_weighs_more_than_old_punctuality():
    # Paid on time a year and a half ago, 20 days late last month: the half-life of 180 days
    # gives the old invoice 1/8 of the weight of a fresh one.
    history = [settled(541, 0), settled(1, 20)]
    prediction = predict(TODAY + timedelta(days=3), history, TODAY)
    assert weight(history[0], TODAY) / weight(history[1], TODAY) == pytest.approx(0.125)
    assert prediction.weighted_days_late == pytest.approx(20 / 1.125)
    assert prediction.predicted == TODAY + timedelta(days=3 + 18)


def test_an_early_payer_is_never_predicted_before_today():
    history = [settled(10, -15)]
    due = TODAY + timedelta(days=5)
    prediction = predict(due, history, TODAY)
    assert prediction.predicted == TODAY
    w = weight(history[0], TODAY)
    assert prediction.late_chance == pytest.approx(0.5 / (w + 1))


def test_an_overdue_invoice_is_predicted_from_the_past_invoices_as_late():
    # 30 days overdue today; of the history only the 40 and 70 days late ones got that late.
    history = [settled(20, 5), settled(50, 40), settled(80, 70), settled(100, 2)]
    due = TODAY - timedelta(days=30)
    prediction = predict(due, history, TODAY)
    w40, w60 = weight(history[1], TODAY), weight(history[2], TODAY)
    assert prediction.basis == "history_when_late"
    # Late for sure; of the two that got 30 days late, the 70 days one was paid over 30 days after that.
    assert prediction.late_chance == pytest.approx((w60 + 0.5) / (w40 + w60 + 1))
    expected = round((40 * w40 + 70 * w60) / (w40 + w60))
    assert prediction.predicted == due + timedelta(days=expected)
    assert prediction.days_overdue == 30


def test_later_than_anything_in_the_history():
    history = [settled(20, 5), settled(50, 8)]
    prediction = predict(TODAY - timedelta(days=45), history, TODAY)
    assert prediction.basis == "later_than_history"
    assert prediction.predicted == TODAY + timedelta(days=UNKNOWN_END_DAYS)
    assert prediction.late_chance == PRIOR_LATE_CHANCE, "never this late before: unknown"


def test_the_future_of_the_history_is_ignored():
    # A backtest passes the whole ledger: what was settled on or after today is not known yet.
    history = [settled(-5, 50), settled(10, 0)]
    prediction = predict(TODAY + timedelta(days=2), history, TODAY)
    assert prediction.history_count == 1
    assert prediction.predicted == TODAY + timedelta(days=2)


def test_lateness_is_clipped():
    assert Settled(date(2024, 1, 1), date(2025, 6, 1)).days_late == 365
    assert Settled(date(2024, 6, 1), date(2024, 1, 1)).days_late == -60


def test_late_chance_is_drawn_towards_the_prior():
    # Settled today (weight 1): one late invoice against the prior's half of one.
    assert late_chance([settled(0, 10)], TODAY) == pytest.approx(0.75)
    assert late_chance([settled(0, 0)], TODAY) == pytest.approx(0.25)


def test_expected_loss_is_the_amount_times_the_chance():
    history = [settled(1, 10)]
    prediction = predict(TODAY + timedelta(days=1), history, TODAY)
    assert prediction.expected_loss(1000) == pytest.approx(1000 * late_chance(history, TODAY))
    assert 500 < prediction.expected_loss(1000) < 750


def test_backtest_predicts_from_what_was_known_on_the_day():
    # A customer that always pays 20 days late; on the cut-off day it has one invoice open.
    cutoff = date(2026, 6, 1)
    ledger = [
        ("a", date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 20)),
        ("a", date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 20)),
        ("a", date(2026, 5, 10), date(2026, 6, 10), date(2026, 6, 30)),  # open on the day: scored
        ("a", date(2026, 5, 20), date(2026, 6, 20), None),  # still open: counted, not scored
        ("a", date(2026, 7, 1), date(2026, 7, 31), date(2026, 8, 1)),  # issued later: not in it
    ]
    [row] = backtest(ledger, [cutoff])
    assert (row.cutoff, row.invoices, row.unsettled) == (cutoff, 1, 1)
    assert row.mae_model == 0, "due June 10 + 20 days = June 30, as paid"
    assert row.mae_due_date == 20
    assert row.mae_due_or_cutoff == 20


def test_backtest_of_an_empty_day():
    [row] = backtest([], [date(2026, 6, 1)])
    assert (row.invoices, row.mae_model, row.mae_due_date) == (0, None, None)


def test_open_credits_cover_the_oldest_invoices_first_and_never_more_than_owed():
    items = [("b", date(2026, 11, 1), 300.0), ("a", date(2026, 10, 1), 200.0), ("c", date(2026, 12, 1), 500.0)]
    assert credits_covering(items, 350.0) == {"a": 200.0, "b": 150.0, "c": 0.0}
    assert credits_covering(items, 0.0) == {"a": 0.0, "b": 0.0, "c": 0.0}
    assert credits_covering(items, 5000.0) == {"a": 200.0, "b": 300.0, "c": 500.0}, "the rest is left over"
    assert credits_covering(items, -10.0) == {"a": 0.0, "b": 0.0, "c": 0.0}
    assert credits_covering([], 100.0) == {}


def test_a_new_customer_with_a_good_rating_is_predicted_from_its_rating():
    due = TODAY + timedelta(days=14)
    prediction = predict(due, [], TODAY, facts=CreditFacts(credit_rating=4))
    days, chance = RATING_PRIOR[4]
    assert (prediction.basis, prediction.fact, prediction.rating) == ("facts", "rating", 4)
    assert prediction.predicted == due + timedelta(days=days)
    assert prediction.late_chance == pytest.approx(chance)
    assert prediction.history_count == 0


def test_a_weak_rating_predicts_later_and_riskier_than_a_strong_one():
    due = TODAY + timedelta(days=14)
    weak = predict(due, [], TODAY, facts=CreditFacts(credit_rating=1))
    strong = predict(due, [], TODAY, facts=CreditFacts(credit_rating=5))
    assert weak.predicted > strong.predicted
    assert weak.late_chance > PRIOR_LATE_CHANCE > strong.late_chance


def test_payment_defaults_decide_over_the_rating_and_insolvency_over_both():
    due = TODAY + timedelta(days=14)
    rated = predict(due, [], TODAY, facts=CreditFacts(credit_rating=4))
    defaulted = predict(due, [], TODAY, facts=CreditFacts(credit_rating=4, payment_defaults=2))
    assert (defaulted.fact, defaulted.defaults) == ("payment_defaults", 2)
    assert defaulted.predicted > rated.predicted and defaulted.late_chance > rated.late_chance
    unrated_default = predict(due, [], TODAY, facts=CreditFacts(payment_defaults=1))
    assert unrated_default.fact == "payment_defaults"
    bankrupt = predict(due, [], TODAY, facts=CreditFacts(credit_rating=5, registry_status="bankruptcy"))
    assert bankrupt.fact == "insolvent"
    assert bankrupt.late_chance > defaulted.late_chance


def test_a_thin_history_is_weighed_with_the_facts_and_a_long_one_alone():
    due = TODAY + timedelta(days=10)
    facts = CreditFacts(credit_rating=2)  # 20 days late expected
    one = [settled(1, 2)]  # one invoice settled yesterday, 2 days late
    w = weight(one[0], TODAY)
    thin = predict(due, one, TODAY, facts=facts)
    assert (thin.basis, thin.fact, thin.history_count) == ("history_and_facts", "rating", 1)
    expected_days = (w * 2 + FACTS_WEIGHT * RATING_PRIOR[2][0]) / (w + FACTS_WEIGHT)
    assert thin.weighted_days_late == pytest.approx(expected_days)
    assert thin.predicted == due + timedelta(days=round(expected_days))
    assert thin.late_chance == pytest.approx((w + FACTS_WEIGHT * RATING_PRIOR[2][1]) / (w + FACTS_WEIGHT))
    long = [settled(1, 2), settled(2, 2), settled(3, 2)]
    assert predict(due, long, TODAY, facts=facts) == predict(due, long, TODAY), "its own history is enough"


def test_facts_that_say_nothing_leave_the_prediction_as_it_was():
    due = TODAY + timedelta(days=10)
    for facts in (None, CreditFacts(), CreditFacts(registry_status="active"), CreditFacts(payment_defaults=0)):
        assert predict(due, [], TODAY, facts=facts) == predict(due, [], TODAY)
        assert predict(due, [settled(5, 3)], TODAY, facts=facts) == predict(due, [settled(5, 3)], TODAY)


def test_an_overdue_invoice_with_facts_is_never_predicted_in_the_past():
    due = TODAY - timedelta(days=40)
    prediction = predict(due, [], TODAY, facts=CreditFacts(credit_rating=5))
    assert prediction.predicted >= TODAY
    assert prediction.basis == "facts"


def test_backtest_reads_the_credit_facts_known_on_the_day():
    # A new customer rated 1 (poor) before the cut-off day pays 45 days late; one rated only later counts unrated.
    cutoff = date(2026, 6, 1)
    ledger = [
        ("poor", date(2026, 5, 1), date(2026, 5, 31), date(2026, 7, 15)),
        ("later", date(2026, 5, 1), date(2026, 5, 31), date(2026, 7, 15)),
    ]
    rated = {"poor": date(2026, 5, 1), "later": date(2026, 6, 15)}

    def facts_on(partner, day):
        return CreditFacts(credit_rating=1) if rated[partner] <= day else None

    [plain] = backtest(ledger, [cutoff])
    [row] = backtest(ledger, [cutoff], facts=facts_on)
    assert (plain.with_facts, row.with_facts) == (0, 1)
    assert row.invoices == 2
    assert row.mae_model < plain.mae_model, "the poor rating expects the lateness the history could not"
    assert row.mae_due_date == plain.mae_due_date
