"""The facts a policy's conditions may read: names, types and meaning.

Customer facts are computed per customer and company in SQL by the models
(``dunning.partner.facts`` and the partner); case facts are derived by the
engine from the case's own invoices on the day of the decision.  A fact whose
value is unknown is ``None`` (or simply absent): see :mod:`.conditions` for
how conditions treat it.
"""

from dataclasses import dataclass

NUMBER = "number"
INTEGER = "integer"
STRING = "string"
STRINGS = "list of strings"
BOOLEAN = "boolean"

CUSTOMER = "customer"
SEGMENT = "segment"
CASE = "case"


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    description: str
    scope: str = CUSTOMER


_FACTS = (
    Fact("lifetime_revenue", NUMBER, "Invoiced minus credited, untaxed, since the first invoice (company currency)."),
    Fact("revenue_12m", NUMBER, "Invoiced minus credited, untaxed, over the last 365 days (company currency)."),
    Fact("customer_since_days", INTEGER, "Days since the customer's first posted invoice."),
    Fact("invoices_due_24m", INTEGER, "Invoices that fell due in the last 24 months."),
    Fact("on_time_ratio", NUMBER, "Share (0 to 1) of invoices due in the last 24 months settled by their due date."),
    Fact("avg_days_late", NUMBER, "Average days late over the invoices due in the last 24 months."),
    Fact("open_balance", NUMBER, "Everything the customer owes today, due or not (company currency)."),
    Fact("overdue_balance", NUMBER, "What the customer owes past its due dates today (company currency)."),
    Fact("open_credits", NUMBER, "Open credit notes and payments not yet allocated to an invoice: what we owe "
                                 "the customer back or may set off (company currency, 0 if none)."),
    Fact("net_overdue", NUMBER, "The overdue balance less the open credits in the same currency, never below 0 "
                                "(summed in company currency)."),
    Fact("oldest_overdue_days", INTEGER, "Days past due of the customer's oldest overdue invoice (0 if none)."),
    Fact("last_satisfaction", NUMBER, "The customer's last satisfaction rating after a case (1 to 5)."),
    Fact("avg_satisfaction", NUMBER, "The customer's average satisfaction rating after cases (1 to 5)."),
    Fact("credit_limit", NUMBER, "The customer's credit limit (company currency)."),
    Fact("credit_limit_use", NUMBER, "Open balance divided by the credit limit (1 = limit reached); in payment "
                                     "terms on a quotation or invoice, the document's total counts too."),
    Fact("country_code", STRING, "The customer's country, ISO code in capitals (e.g. FI)."),
    Fact("tags", STRINGS, "The names of the customer's contact tags."),
    Fact("has_salesperson", BOOLEAN, "Whether the customer has a salesperson."),
    Fact("promises_kept_ratio", NUMBER, "Share (0 to 1) of the customer's decided promises to pay that were kept."),
    Fact("broken_promises_12m", INTEGER, "Promises to pay the customer broke in the last 365 days."),
    Fact("customer_type", STRING, "consumer or business: from the company type and VAT number, or set by hand."),
    Fact("is_company", BOOLEAN, "Whether the customer is a company (not a private person)."),
    Fact("registry_status", STRING, "The trade register's status: active, restructuring, liquidation, bankruptcy or "
                                    "deregistered (latest lookup)."),
    Fact("company_age_days", INTEGER, "Days since the company was registered (trade register)."),
    Fact("credit_rating", INTEGER, "Credit rating on one scale, 1 (poor) to 5 (excellent); unknown when older than "
                                   "the policy's credit_information.rating_valid_days (365 by default)."),
    Fact("credit_rating_age_days", INTEGER, "Days since the latest credit rating was given."),
    Fact("payment_defaults", INTEGER, "Payment-default entries in the latest credit rating."),
    Fact("open_quotations", INTEGER, "The customer's quotations not yet confirmed (draft or sent)."),
    Fact("open_quotations_amount", NUMBER, "Untaxed total of those quotations (company currency)."),
    Fact("open_orders", INTEGER, "The customer's confirmed sale orders not fully invoiced."),
    Fact("open_orders_amount", NUMBER, "Untaxed total of those orders (company currency)."),
    Fact("open_opportunities", INTEGER, "The customer's open CRM opportunities (0 without the CRM app)."),
    Fact("open_opportunities_amount", NUMBER, "Expected revenue times probability of those opportunities."),
    Fact("open_pipeline_amount", NUMBER, "Open quotations, orders not yet invoiced and weighted opportunities "
                                         "together: the deal at stake (company currency)."),
    Fact("last_order_days", INTEGER, "Days since the customer's last confirmed sale order."),
    Fact("segment", STRING, "The customer's segment key (not usable in segment rules).", SEGMENT),
    Fact("overdue_amount", NUMBER, "What the case's own overdue invoices still owe (excluded ones left out).", CASE),
    Fact("overdue_invoice_count", INTEGER, "How many of the case's invoices are overdue (excluded left out).", CASE),
    Fact("days_overdue", INTEGER, "Days past due of the case's oldest overdue invoice (0 if none).", CASE),
    Fact("upcoming_amount", NUMBER, "What the case's invoices not yet overdue will owe.", CASE),
    Fact("delay_reason", STRING, "Delay reason key of the case's oldest invoice that has one.", CASE),
)

FACTS = {fact.name: fact for fact in _FACTS}

# Which facts each part of a policy may read.
# What each bounded fact can be, (minimum, maximum), both included: a condition comparing it with a number
# outside would never hold, or always (``credit_rating <= 7``), so the loader refuses it wherever conditions
# are written (segments, journeys, payment terms, owners, credit hold); the JSON Schema states the same.
RATING_SCALE_MAX = 5  # the credit rating's one scale: 1 (poor) to 5 (excellent)
FACT_RANGES = {
    "credit_rating": (1, RATING_SCALE_MAX),
    "payment_defaults": (0, 1000),
    "credit_limit_use": (0, 1000),
    "company_age_days": (0, 100_000),
    "credit_rating_age_days": (0, 100_000),
}

SEGMENT_RULE_FACTS = frozenset(name for name, fact in FACTS.items() if fact.scope == CUSTOMER)
PAYMENT_TERM_FACTS = frozenset(name for name, fact in FACTS.items() if fact.scope in (CUSTOMER, SEGMENT))
STEP_FACTS = frozenset(FACTS)
