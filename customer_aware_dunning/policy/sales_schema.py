"""The sales sections of a policy: hold a step while a deal is open, who owns a case, manual-only mode.

Plain frozen values (no Odoo import), read by :mod:`.loader_sales` and used by :mod:`.sales`.

``hold_while_open_deal``: while the customer's open pipeline (the ``open_pipeline_amount``
fact: open quotations, orders not yet invoiced, weighted opportunities) is at least
``min_amount``, a step (``steps: harsh``, the default, or ``all``) waits, at most ``max_days``
after its day; the ``owner`` (the salesperson by default) is asked with an activity. When the
deal closes or the days are over, the journey goes on.

``tell_salesperson``: how the customer's salesperson hears that their customer answered from the
portal (``customer_answer``: a reason, a promise, a payment plan request or a question) or broke
a promise (``broken_promise``): ``activity`` (a note on the case that notifies them and a To-Do),
``note`` (the note only) or ``none``.

``owners``: rules, first match wins, for who follows a case up (its collector): the customer's
``salesperson``, ``finance`` (a Collections manager), or the members of ``group:<xml id>``
in turn (``assign: round_robin``, the least busy first). ``manual_only: true`` makes the run
propose and a person send: every message step waits for the owner's approval.
"""

from dataclasses import dataclass

DEAL_HOLD_KEYS = ("min_amount", "max_days", "steps", "owner")
DEAL_HOLD_STEPS = [("harsh", "Harsh steps only"), ("all", "Every step")]
OWNER_RULE_KEYS = ("when", "owner", "assign", "manual_only")
SALESPERSON_NOTICE_KEYS = ("customer_answer", "broken_promise")
SALESPERSON_NOTICES = [("activity", "A note that notifies them and a To-Do"), ("note", "A note that notifies them"),
                       ("none", "Nothing")]
OWNER_ASSIGNMENTS = [("fixed", "The first member of the group"), ("round_robin", "The group's members in turn")]

# Bounds of the numbers these sections write (merged into schema.NUMBER_BOUNDS).
SALES_NUMBER_BOUNDS = {
    "hold_while_open_deal.min_amount": (0, 1_000_000_000),
    "hold_while_open_deal.max_days": (1, 365),
}


@dataclass(frozen=True)
class DealHoldSettings:
    """Hold a step while a deal of at least ``min_amount`` is open, for at most ``max_days`` after its day."""

    min_amount: float = 0.0
    max_days: int = 14
    steps: str = "harsh"  # one of DEAL_HOLD_STEPS
    owner: str = "salesperson"  # who is asked (one of schema.OWNERS)

    def holds(self, step) -> bool:
        """Whether this setting concerns ``step`` (its kind; the amount and days are the engine's)."""
        return self.steps == "all" or step.harsh


@dataclass(frozen=True)
class OwnerRule:
    """Who follows the cases of the customers ``when`` matches, and whether the run only proposes."""

    owner: str  # salesperson, finance or group:<xml id>
    when: tuple = ()
    assign: str = "fixed"  # one of OWNER_ASSIGNMENTS (round_robin needs a group owner)
    manual_only: bool = False


@dataclass(frozen=True)
class SalespersonNotices:
    """How the salesperson hears of their customer's portal answer and broken promise (one of SALESPERSON_NOTICES)."""

    customer_answer: str = "activity"
    broken_promise: str = "activity"
