"""Reading a bureau's rating file (pure): headings, delimiters, per-row problems, one scale."""

from datetime import date

import pytest
from dunning_credit.ratings_file import Mapping, read_ratings, read_table

MAPPING = Mapping(business_id="ytunnus", rating="luokka", rated_on="pvm", defaults="hairiot")


def test_semicolon_csv_with_a_bom_is_read():
    headings, rows = read_table("\ufeffytunnus;luokka;pvm;hairiot\n2345678-0;AA+;1.12.2026;2\n\n".encode(), "a.csv")
    observations, problems = read_ratings(headings, rows, MAPPING, "Bureau")
    assert problems == []
    [(line, observation)] = observations
    assert line == 2
    assert (observation.business_id, observation.rating, observation.rating_label, observation.observed_on,
            observation.payment_defaults, observation.source) == ("2345678-0", 5, "AA+", date(2026, 12, 1), 2,
                                                                   "Bureau")


def test_every_bad_row_is_reported_with_its_line():
    text = "ytunnus,luokka,pvm,hairiot\n2345678-1,A,2026-12-01,0\n2345678-0,ZZ,2026-12-01,0\n" \
           "2345678-0,A,tomorrow,0\n2345678-0,A,2026-12-01,-1\n2345678-0,A,2026-12-01,many\n"
    observations, problems = read_ratings(*read_table(text.encode(), "a.csv"), MAPPING, "Bureau")
    assert observations == []
    assert [line for line, _problem in problems] == [2, 3, 4, 5, 6]
    assert "not a Finnish business ID" in problems[0][1]
    assert "neither a known class" in problems[1][1]
    assert "not a date" in problems[2][1]
    assert "cannot be negative" in problems[3][1]
    assert "not a number" in problems[4][1]


def test_missing_columns_are_one_problem():
    observations, problems = read_ratings(["ytunnus"], [["2345678-0"]], MAPPING, "Bureau")
    assert observations == []
    assert problems == [(1, "column(s) not in the file: luokka, pvm, hairiot")]


@pytest.mark.parametrize(("content", "message"), [(b"", "empty"), (b"\xff\xfe\x00", "not UTF-8")])
def test_unreadable_files(content, message):
    with pytest.raises(ValueError, match=message):
        read_table(content, "a.csv")
