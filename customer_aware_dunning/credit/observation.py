"""The dated observation every credit-information provider returns, and one rating scale.

A provider answers "what do you know of business ID X today?" with an
:class:`Observation`; the addon stores it with its source and date, and the
customer's facts read the latest valid one of each kind (register, rating).
"""

import re
from dataclasses import dataclass, field
from datetime import date

# Trade register status of a company, worst last.
ACTIVE = "active"
RESTRUCTURING = "restructuring"
LIQUIDATION = "liquidation"
BANKRUPTCY = "bankruptcy"
DEREGISTERED = "deregistered"
REGISTRY_STATUSES = (
    (ACTIVE, "Active"),
    (RESTRUCTURING, "In restructuring"),
    (LIQUIDATION, "In liquidation"),
    (BANKRUPTCY, "In bankruptcy"),
    (DEREGISTERED, "Deregistered"),
)
# Statuses after which nothing promotional is sent and damage is limited.
INSOLVENT_STATUSES = frozenset({LIQUIDATION, BANKRUPTCY})

REGISTER = "register"
RATING = "rating"
KINDS = ((REGISTER, "Trade register"), (RATING, "Credit rating"))

# One rating scale for the policy: 1 (weakest) to 5 (strongest).
RATING_SCALE = (
    (5, "Excellent (AAA)"),
    (4, "Good (AA)"),
    (3, "Satisfactory (A)"),
    (2, "Weak (B)"),
    (1, "Poor (C)"),
)
# The letter classes Finnish and EU bureaus deliver (Asiakastieto, Bisnode/D&B style).
_CLASS_TO_SCALE = {
    "AAA": 5, "AA+": 5, "AA": 4, "AA-": 4, "A+": 4, "A": 3, "A-": 3,
    "BBB": 3, "BB": 2, "B+": 2, "B": 2, "B-": 2, "CCC": 1, "CC": 1, "C": 1, "D": 1,
}


class ProviderError(Exception):
    """A provider could not answer for one business ID (the message says why, for the user)."""


class NotFound(ProviderError):
    """The provider knows no company with that business ID."""


@dataclass(frozen=True)
class Observation:
    """What one source said of one business ID on one day."""

    source: str
    observed_on: date
    business_id: str
    kind: str
    registry_status: str | None = None
    registration_date: date | None = None
    company_form: str | None = None
    business_line: str | None = None
    name: str | None = None
    rating: int | None = None
    rating_label: str | None = None
    payment_defaults: int | None = None
    details: dict = field(default_factory=dict, compare=False)


_BUSINESS_ID = re.compile(r"^(\d{7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(digits):
    """The check digit of a Finnish business ID's seven digits, or ``None`` when no valid one exists."""
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def normalize_business_id(value):
    """``"1234567-8"`` from a business ID (``0112038-9``, ``112038-9``) or a Finnish VAT (``FI01120389``).

    ``None`` when ``value`` is neither or its check digit is wrong.
    """
    text = re.sub(r"\s", "", value or "").upper()
    if text.startswith("FI"):
        text = text[2:]
        if not re.fullmatch(r"\d{8}", text):
            return None
        text = f"{text[:7]}-{text[7]}"
    if re.fullmatch(r"\d{6}-\d", text):
        text = "0" + text
    match = _BUSINESS_ID.match(text)
    if not match or business_id_check_digit(match.group(1)) != int(match.group(2)):
        return None
    return text


def normalize_rating(value):
    """A bureau's rating class or score on the policy's scale 1-5 (``None`` when unreadable).

    Letter classes map by :data:`_CLASS_TO_SCALE`; numbers 1-5 are taken as they are;
    scores 6-100 are read as a 0-100 score in bands of 20.
    """
    if value is None:
        return None
    text = str(value).strip().upper()
    if not text:
        return None
    if text in _CLASS_TO_SCALE:
        return _CLASS_TO_SCALE[text]
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if 1 <= number <= 5 and number == int(number):
        return int(number)
    if 0 <= number <= 100:
        return min(5, max(1, int(number // 20) + 1))
    return None
