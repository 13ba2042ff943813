"""What the engine reads and what it answers: the inputs of one case and its :class:`Decision`.

Frozen dataclasses, built by the caller (the models, the dry run, the CLI) and by
:func:`.engine.decide`; see :mod:`.engine` for how a decision is reached.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .schema import Step
from .text import Text


@dataclass(frozen=True)
class InvoiceInput:
    id: int
    due_date: date
    amount_residual: float
    excluded: bool = False
    delay_reason: str | None = None
    delay_reason_since: date | None = None
    promised_date: date | None = None
    name: str | None = None  # how people know the invoice (its number); the id when not given
    currency: str | None = None  # the invoice's currency code; None: the company currency
    amount_currency: float | None = None  # the residual in ``currency``; None: ``amount_residual``

    @property
    def label(self) -> str:
        return self.name or str(self.id)


@dataclass(frozen=True)
class DealAnswer:
    """The salesperson's answer to a step held for an open deal: go on (``held_until`` empty) or hold it until then."""

    step_key: str
    held_until: date | None = None

    @property
    def approved(self) -> bool:
        return self.held_until is None


@dataclass(frozen=True)
class CaseInput:
    """One customer's case as the engine sees it.

    ``facts``: the customer facts (see :mod:`.facts`); ``segment`` with
    ``segment_manual=True`` is a segment set by hand, which wins over the rules
    (without it the engine assigns the segment by the rules itself);
    ``state``: a :data:`.schema.CASE_STATES` key, or ``None`` when the customer
    has no case yet; ``done_step_keys``: the keys of every step already done.
    The customer's own settings (the customer form's collections tab): ``manual_only``
    (every message waits for the collections owner), ``next_action_on`` (nothing
    automatic before that date); ``deal_answer``: the salesperson's answer to a step
    held for an open deal (a :class:`DealAnswer`).
    """

    invoices: tuple = ()
    facts: Mapping = field(default_factory=dict, hash=False)
    segment: str | None = None
    segment_manual: bool = False
    state: str | None = "open"
    done_step_keys: frozenset = frozenset()
    pause_until: date | None = None
    journey: str | None = None
    credits: Mapping = field(default_factory=dict, hash=False)  # open credits per currency code, in that currency
    manual_only: bool = False
    next_action_on: date | None = None
    deal_answer: DealAnswer | None = None


@dataclass(frozen=True)
class Decision:
    """What a case needs; ``text`` says why (a :class:`.text.Text`, ``reason`` is it in English)."""

    kind: str
    text: Text
    segment: str | None = None
    journey: str | None = None
    step_index: int | None = None
    step: Step | None = None
    step_key: str | None = None
    invoice_ids: tuple = ()
    held_by: str | None = None
    offer: str | None = None
    owner: str | None = None
    next_date: date | None = None

    @property
    def reason(self) -> str:
        return str(self.text)
