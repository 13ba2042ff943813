"""DSO (countback), CEI and ageing buckets against figures worked out by hand."""

import pytest
from dunning_policy.figures import MonthSales, ageing_bucket, cei_terms, collection_effectiveness, countback_dso


@pytest.mark.parametrize(("days", "bucket"), [
    (-10, "current"), (0, "current"), (1, "1_30"), (30, "1_30"), (31, "31_60"),
    (60, "31_60"), (61, "61_90"), (90, "61_90"), (91, "91_plus"), (400, "91_plus"),
])
def test_ageing_bucket_edges(days, bucket):
    assert ageing_bucket(days) == bucket


def test_countback_dso_by_hand():
    # June: 30 days with 10,000 sold; May 31 days with 8,000; April 30 days with 6,000.
    # Receivable 15,000 at 30 June: June's 10,000 covers 30 days, 5,000 of May's 8,000 = 31 x 5/8 = 19.375.
    months = [MonthSales(30, 10000.0), MonthSales(31, 8000.0), MonthSales(30, 6000.0)]
    assert countback_dso(15000.0, months) == 49.4
    # Receivable smaller than the month's sales: a share of the month only (30 x 2,500 / 10,000).
    assert countback_dso(2500.0, months) == 7.5
    # A month without sales adds all its days.
    assert countback_dso(12000.0, [MonthSales(30, 0.0), MonthSales(31, 8000.0), MonthSales(30, 8000.0)]) == 76.0


def test_countback_dso_edges():
    assert countback_dso(0.0, []) == 0.0
    assert countback_dso(-50.0, [MonthSales(30, 100.0)]) == 0.0
    assert countback_dso(100.0, []) is None
    # The history runs out: the days counted so far.
    assert countback_dso(1000.0, [MonthSales(30, 100.0), MonthSales(31, 100.0)]) == 61.0


def test_collection_effectiveness_by_hand():
    # Opening 20,000 + sales 10,000 = 30,000 collectable; closing 12,000 of which 4,000 not yet due.
    # Collected 18,000 out of 26,000 = 69.2 %.
    assert cei_terms(20000.0, 10000.0, 12000.0, 4000.0) == (18000.0, 26000.0)
    assert collection_effectiveness(20000.0, 10000.0, 12000.0, 4000.0) == 69.2
    assert collection_effectiveness(0.0, 0.0, 0.0, 0.0) is None
