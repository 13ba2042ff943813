"""The policy's ``credit_hold`` section: when a quotation or a customer invoice needs a Collections manager's
approval before it is confirmed or posted (no Odoo import).

Each rule holds when its ``when`` conditions hold for the customer's facts, on the document being
confirmed (``documents``: ``quotation``, ``invoice``, or both, the default). Every rule that holds
gives its ``reason``: one of the reasons the addon words itself from the facts, in the reader's
language (:data:`BUILT_IN_REASONS`), or a text of the policy's own, shown as written. The facts are
those of the payment-term rules (customer facts, the trade register and the credit rating), and on
the document ``credit_limit_use`` counts the document too: (what the customer owes, Odoo's own
receivable balance, plus the document's total) divided by Odoo's partner credit limit, when the
company uses credit limits (``credit_limit_use > 1``: the document takes the customer over it).

A policy without the section holds as the addon always did (:data:`DEFAULT_RULES`: in bankruptcy or
liquidation, a credit rating of 2 or less, over the credit limit); ``credit_hold: []`` holds nothing.
"""

from dataclasses import dataclass

from .conditions import Compare, evaluate

CREDIT_HOLD_KEYS = ("when", "reason", "documents")
DOCUMENTS = (("quotation", "Quotations"), ("invoice", "Customer invoices"))
# Reasons the addon words itself from the facts (models/credit_hold.py).
BUILT_IN_REASONS = (
    ("insolvent", "The trade register's status, named"),
    ("weak_rating", "The credit rating, on the 1 to 5 scale"),
    ("over_limit", "Over the credit limit with this document, the limit named"),
    ("payment_defaults", "The number of payment defaults"),
)


@dataclass(frozen=True)
class CreditHoldRule:
    """Hold a document of ``documents`` for approval when ``when`` holds, saying ``reason``."""

    reason: str
    when: tuple = ()
    documents: tuple = ("quotation", "invoice")


DEFAULT_RULES = (
    CreditHoldRule("insolvent", (Compare("registry_status", "in", ("liquidation", "bankruptcy")),)),
    CreditHoldRule("weak_rating", (Compare("credit_rating", "<=", 2),)),
    CreditHoldRule("over_limit", (Compare("credit_limit_use", ">", 1),)),
)


def credit_hold_reasons(rules, facts, document):
    """The reasons of the ``rules`` that hold ``document`` (``quotation`` or ``invoice``) for ``facts``, in order,
    each once. ``rules`` is the policy's ``credit_hold`` (``None``: :data:`DEFAULT_RULES`)."""
    rules = DEFAULT_RULES if rules is None else rules
    reasons = []
    for rule in rules:
        if document in rule.documents and evaluate(rule.when, facts) and rule.reason not in reasons:
            reasons.append(rule.reason)
    return reasons
