"""The PRH/YTJ v3 client against a local server answering as the published API does (no internet)."""

from datetime import date

import pytest
from dunning_credit.observation import NotFound, ProviderError, normalize_business_id, normalize_rating
from dunning_credit.prh import PrhClient

TODAY = date(2026, 12, 1)


def company(business_id, situations=(), trade_register_status="1", end_date=None):
    """One company as the v3 ``/companies`` answer carries it (fields per the published schema)."""
    return {
        "businessId": {"value": business_id, "registrationDate": "2019-03-14", "source": "3"},
        "euId": {"value": f"FIFPRO.{business_id}", "source": "1"},
        "names": [
            {"name": "Old Name Oy", "type": "1", "registrationDate": "2019-03-14", "endDate": "2021-01-01",
             "version": 2, "source": "1"},
            {"name": "Koivu Logistiikka Oy", "type": "1", "registrationDate": "2021-01-01", "endDate": None,
             "version": 1, "source": "1"},
        ],
        "mainBusinessLine": {
            "type": "49410", "typeCodeSet": "TOIMI4", "registrationDate": "2019-03-14", "source": "2",
            "descriptions": [
                {"languageCode": "1", "description": "Tieliikenteen tavarankuljetus"},
                {"languageCode": "3", "description": "Freight transport by road"},
            ],
        },
        "companyForms": [{
            "type": "16", "registrationDate": "2019-03-14", "endDate": None, "version": 1, "source": "1",
            "descriptions": [{"languageCode": "1", "description": "Osakeyhtiö"},
                             {"languageCode": "3", "description": "Limited company"}],
        }],
        "companySituations": [
            {"type": kind, "registrationDate": "2026-11-20", "endDate": ended, "source": "1"}
            for kind, ended in situations
        ],
        "registeredEntries": [],
        "addresses": [],
        "tradeRegisterStatus": trade_register_status,
        "status": "2",
        "registrationDate": "2019-03-14",
        "endDate": end_date,
        "lastModified": "2026-11-20T10:00:00",
    }


def answer(*companies):
    return [(200, {}, {"totalResults": len(companies), "companies": list(companies)})]


class Sleeps:
    """Records the waits the client asks for instead of waiting."""

    def __init__(self):
        self.calls = []
        self.now = 0.0

    def sleep(self, seconds):
        self.calls.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def client(register, sleeps, **options):
    return PrhClient(register.url, sleep=sleeps.sleep, clock=sleeps.clock, min_interval=0, **options)


@pytest.mark.parametrize(("situations", "trade_status", "end_date", "expected"), [
    ((), "1", None, "active"),
    ((("SANE", None),), "1", None, "restructuring"),
    ((("SELTILA", None),), "1", None, "liquidation"),
    ((("KONK", None),), "1", None, "bankruptcy"),
    ((("SELTILA", None), ("KONK", None)), "1", None, "bankruptcy"),
    ((("KONK", "2025-01-01"),), "1", None, "active"),
    ((), "4", "2025-06-30", "deregistered"),
])
def test_each_status(register, situations, trade_status, end_date, expected):
    register.answers["2345678-0"] = answer(company("2345678-0", situations, trade_status, end_date))
    observation = client(register, Sleeps()).fetch("2345678-0", TODAY)
    assert observation.registry_status == expected
    assert register.requests == [("/opendata-ytj-api/v3/companies", "2345678-0")]


def test_the_observation_carries_date_form_line_and_name(register):
    register.answers["2345678-0"] = answer(company("2345678-0"))
    observation = client(register, Sleeps()).fetch("FI23456780", TODAY)
    assert observation.business_id == "2345678-0"
    assert observation.source == "PRH/YTJ"
    assert observation.observed_on == TODAY
    assert observation.registration_date == date(2019, 3, 14)
    assert observation.company_form == "16 Limited company"
    assert observation.business_line == "49410 Freight transport by road"
    assert observation.name == "Koivu Logistiikka Oy"


def test_not_found(register):
    with pytest.raises(NotFound, match="no company with business ID 2345678-0"):
        client(register, Sleeps()).fetch("2345678-0", TODAY)


def test_an_invalid_business_id_is_not_sent(register):
    with pytest.raises(ProviderError, match="not a valid Finnish business ID"):
        client(register, Sleeps()).fetch("2345678-1", TODAY)
    assert register.requests == []


def test_timeout_is_retried_with_back_off_then_reported(register):
    register.answers["2345678-0"] = [("hang", {}, None)]
    sleeps = Sleeps()
    with pytest.raises(ProviderError, match=r"did not answer within 0.2 s \(3 attempts\)"):
        client(register, sleeps, timeout=0.2, retries=2, backoff=1).fetch("2345678-0", TODAY)
    assert sleeps.calls == [1, 2]
    assert len(register.requests) == 3


def test_429_waits_as_long_as_retry_after_says(register):
    register.answers["2345678-0"] = [
        (429, {"Retry-After": "7"}, {"timestamp": "2026-12-01T10:00:00", "message": "Too many requests"}),
        *answer(company("2345678-0", (("KONK", None),))),
    ]
    sleeps = Sleeps()
    observation = client(register, sleeps).fetch("2345678-0", TODAY)
    assert observation.registry_status == "bankruptcy"
    assert sleeps.calls == [7.0]


def test_429_beyond_the_longest_wait_is_a_clear_error(register):
    register.answers["2345678-0"] = [(429, {"Retry-After": "3600"}, {"message": "Too many requests"})]
    sleeps = Sleeps()
    with pytest.raises(ProviderError, match="limits requests now"):
        client(register, sleeps).fetch("2345678-0", TODAY)
    assert sleeps.calls == []


def test_server_errors_are_retried(register):
    register.answers["2345678-0"] = [(503, {}, {"message": "maintenance"}), *answer(company("2345678-0"))]
    sleeps = Sleeps()
    assert client(register, sleeps, backoff=0.5).fetch("2345678-0", TODAY).registry_status == "active"
    assert sleeps.calls == [0.5]


def test_a_bad_request_is_not_retried_and_says_why(register):
    register.answers["2345678-0"] = [(400, {}, {"timestamp": "2026-12-01", "message": "Invalid businessId",
                                                "errorcode": 3})]
    sleeps = Sleeps()
    with pytest.raises(ProviderError, match="answered 400: Invalid businessId"):
        client(register, sleeps).fetch("2345678-0", TODAY)
    assert sleeps.calls == []


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'{"totalResults": 1}', b"[]"])
def test_malformed_answers(register, body):
    register.answers["2345678-0"] = [(200, {}, body)]
    with pytest.raises(ProviderError, match=r"not valid JSON|no list of companies"):
        client(register, Sleeps()).fetch("2345678-0", TODAY)


def test_requests_are_spaced_by_the_rate_limit(register):
    register.answers["2345678-0"] = answer(company("2345678-0"))
    sleeps = Sleeps()
    prh = PrhClient(register.url, sleep=sleeps.sleep, clock=sleeps.clock, min_interval=0.5)
    prh.fetch("2345678-0", TODAY)
    prh.fetch("2345678-0", TODAY)
    assert sleeps.calls == [0.5]


@pytest.mark.parametrize(("value", "expected"), [
    ("0112038-9", "0112038-9"), ("112038-9", "0112038-9"), ("FI01120389", "0112038-9"),
    ("fi 0112 0389", "0112038-9"), ("0112038-8", None), ("SE556677889901", None), ("", None), (None, None),
])
def test_business_id_from_vat(value, expected):
    assert normalize_business_id(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("AAA", 5), ("aa", 4), ("A", 3), ("B", 2), ("C", 1), (4, 4), ("87", 5), ("35,5", 2), ("x", None), ("", None),
])
def test_ratings_map_to_one_scale(value, expected):
    assert normalize_rating(value) == expected
