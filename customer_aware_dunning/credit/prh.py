"""The Finnish trade register's open data (PRH/YTJ API v3): a small, polite HTTP client.

``GET {base_url}/companies?businessId=0112038-9`` answers
``{"totalResults": n, "companies": [company...]}`` (an empty list when the ID is
unknown); each company carries ``businessId``, ``names``, ``companyForms``,
``mainBusinessLine``, ``companySituations`` (``SANE`` restructuring, ``SELTILA``
liquidation, ``KONK`` bankruptcy; open while they have no ``endDate``),
``tradeRegisterStatus``, ``registrationDate`` and ``endDate``.

The client waits at least ``min_interval`` seconds between requests (rate
limit), retries timeouts, connection errors and 5xx answers with exponential
back-off, honours ``Retry-After`` on 429, and raises one :class:`ProviderError`
per business ID with a message a user can act on. The clock and ``sleep`` are
passed in, so tests never wait.
"""

import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date

from .observation import (
    ACTIVE,
    BANKRUPTCY,
    DEREGISTERED,
    LIQUIDATION,
    REGISTER,
    RESTRUCTURING,
    NotFound,
    Observation,
    ProviderError,
    normalize_business_id,
)

DEFAULT_BASE_URL = "https://avoindata.prh.fi/opendata-ytj-api/v3"
SOURCE = "PRH/YTJ"
_SITUATIONS = {"KONK": BANKRUPTCY, "SELTILA": LIQUIDATION, "SANE": RESTRUCTURING}
# Worst open situation wins.
_SEVERITY = (BANKRUPTCY, LIQUIDATION, RESTRUCTURING)
# tradeRegisterStatus "4": removed from the trade register.
_TRADE_REGISTER_ENDED = "4"
_LANGUAGE_PREFERENCE = ("3", "1", "2")  # English, Finnish, Swedish


class PrhClient:
    """One client per refresh: ``fetch(business_id, today)`` returns an :class:`Observation`."""

    def __init__(self, base_url=DEFAULT_BASE_URL, timeout=10.0, retries=3, backoff=1.0, min_interval=0.2,
                 max_retry_after=60.0, sleep=time.sleep, clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._last_request = None

    def fetch(self, business_id, today):
        """The register's observation of ``business_id`` (or a Finnish VAT number) on ``today``."""
        normalized = normalize_business_id(business_id)
        if not normalized:
            raise ProviderError(f"'{business_id}' is not a valid Finnish business ID or VAT number")
        body = self._get("/companies", {"businessId": normalized})
        return parse_companies(body, normalized, today)

    # ------------------------------------------------------------------ HTTP

    def _get(self, path, params):
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        attempt = 0
        while True:
            self._wait_turn()
            try:
                request = urllib.request.Request(url, headers={"Accept": "application/json"})
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                return _decode(raw)
            except urllib.error.HTTPError as error:
                delay = self._retry_delay(error, attempt)
                if delay is None:
                    raise ProviderError(_http_message(error)) from error
            except TimeoutError as error:
                if attempt >= self.retries:
                    raise ProviderError(f"the register did not answer within {self.timeout:g} s "
                                        f"({attempt + 1} attempts)") from error
                delay = self.backoff * 2 ** attempt
            except urllib.error.URLError as error:
                if attempt >= self.retries:
                    raise ProviderError(f"the register could not be reached: {error.reason}") from error
                delay = self.backoff * 2 ** attempt
            attempt += 1
            self._sleep(delay)

    def _retry_delay(self, error, attempt):
        """Seconds to wait before retrying ``error``, or ``None`` when it is not worth retrying."""
        if attempt >= self.retries:
            return None
        if error.code == 429:
            retry_after = _retry_after_seconds(error.headers.get("Retry-After"))
            if retry_after is not None and retry_after > self.max_retry_after:
                return None
            return retry_after if retry_after is not None else self.backoff * 2 ** attempt
        if 500 <= error.code < 600:
            return self.backoff * 2 ** attempt
        return None

    def _wait_turn(self):
        now = self._clock()
        if self._last_request is not None:
            wait = self.min_interval - (now - self._last_request)
            if wait > 0:
                self._sleep(wait)
                now += wait
        self._last_request = now


def _retry_after_seconds(value):
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to the back-off


def _http_message(error):
    detail = ""
    with contextlib.suppress(ValueError, UnicodeDecodeError, OSError):  # an unreadable error body says nothing more
        body = json.loads(error.read().decode("utf-8") or "{}")
        detail = body.get("message") or "" if isinstance(body, dict) else ""
    if error.code == 429:
        return "the register limits requests now (429 Too Many Requests); try again later"
    return f"the register answered {error.code}" + (f": {detail}" if detail else "")


def _decode(raw):
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ProviderError("the register's answer is not valid JSON") from error


# ---------------------------------------------------------------------- parsing


def parse_companies(body, business_id, today):
    """The observation in a ``/companies`` answer for ``business_id`` (raises on unknown or malformed)."""
    if not isinstance(body, dict) or not isinstance(body.get("companies"), list):
        raise ProviderError("the register's answer has no list of companies")
    companies = [
        company for company in body["companies"]
        if isinstance(company, dict) and (company.get("businessId") or {}).get("value") == business_id
    ]
    if not companies:
        raise NotFound(f"the trade register knows no company with business ID {business_id}")
    return parse_company(companies[0], today)


def parse_company(company, today):
    business_id = company["businessId"]["value"]
    registered = company.get("registrationDate") or company["businessId"].get("registrationDate")
    return Observation(
        source=SOURCE,
        observed_on=today,
        business_id=business_id,
        kind=REGISTER,
        registry_status=company_status(company),
        registration_date=_date(registered),
        company_form=_current_description(company.get("companyForms")),
        business_line=_description(company.get("mainBusinessLine")),
        name=_current_name(company.get("names")),
        details={
            "tradeRegisterStatus": company.get("tradeRegisterStatus"),
            "situations": [s.get("type") for s in company.get("companySituations") or [] if not s.get("endDate")],
        },
    )


def company_status(company):
    """``active``, ``restructuring``, ``liquidation``, ``bankruptcy`` or ``deregistered``."""
    if company.get("endDate") or company.get("tradeRegisterStatus") == _TRADE_REGISTER_ENDED:
        return DEREGISTERED
    open_situations = {
        _SITUATIONS[situation.get("type")]
        for situation in company.get("companySituations") or []
        if situation.get("type") in _SITUATIONS and not situation.get("endDate")
    }
    return next((status for status in _SEVERITY if status in open_situations), ACTIVE)


def _date(value):
    try:
        return date.fromisoformat(value[:10]) if value else None
    except (TypeError, ValueError) as error:
        raise ProviderError(f"the register's answer has an invalid date: {value!r}") from error


def _description(item):
    if not isinstance(item, dict):
        return None
    texts = {d.get("languageCode"): d.get("description") for d in item.get("descriptions") or []}
    text = next((texts[code] for code in _LANGUAGE_PREFERENCE if texts.get(code)), None)
    code = item.get("type")
    return f"{code} {text}" if code and text else (text or code)


def _current_description(items):
    current = [item for item in items or [] if isinstance(item, dict) and not item.get("endDate")]
    return _description(current[0]) if current else None


def _current_name(names):
    current = [n for n in names or [] if isinstance(n, dict) and not n.get("endDate")]
    main = [n for n in current if str(n.get("type")) == "1"] or current
    return main[0].get("name") if main else None
