"""The parsed policy: frozen, hashable dataclasses, and the vocabularies they use.

The models' Selection fields reuse the ``(key, label)`` lists below, so the
policy package stays the one place where states, channels and outcomes are
named.  A :class:`PolicySpec` is built only by :func:`.loader.load_policy`;
its values are already checked and defaulted, so nothing downstream re-checks.
"""

from dataclasses import dataclass, field
from functools import cached_property

from .sales_schema import SALES_NUMBER_BOUNDS, DealHoldSettings, SalespersonNotices
from .step_keys import step_identity
from .text import Text, _

SUPPORTED_VERSION = 1

CHANNELS = [("email", "Email"), ("letter", "Letter"), ("activity", "Activity"), ("sms", "SMS")]
ACTORS = [("finance", "Finance (collections team)"), ("salesperson", "The customer's salesperson")]
GROUP_PREFIX = "group:"
OWNERS = [("finance", "Finance"), ("salesperson", "Salesperson")]
CASE_STATES = [
    ("open", "Open"),
    ("paused", "Paused"),
    ("waiting_approval", "Waiting for approval"),
    ("closed", "Closed"),
]
OUTCOMES = [
    ("paid", "Paid"),
    ("payment_plan", "Payment plan"),
    ("written_off", "Written off"),
    ("handed_over", "Handed over"),
]
# Outcomes that keep the case's invoices out of any new case while the case stays closed with them: a payment
# plan (until its invoices are paid), a write-off (for good), a hand-over (until the agency returns them).
HOLDING_OUTCOMES = ("payment_plan", "written_off", "handed_over")
OFFERS = [("payment_plan", "Payment plan"), ("new_date", "New payment date")]
ATTACHMENTS = [("pdf", "Invoice PDFs"), ("portal_link", "Portal link"), ("statement", "Statement of account"),
               ("none", "Nothing")]
# What the engine decides for a customer (``Decision.kind``), with the words the dry run shows.
SEND_STEP = "send_step"
NEED_APPROVAL = "need_approval"
WAIT = "wait"
HOLD = "hold"
CLOSE = "close"
NOTHING = "nothing"
DECISION_KINDS = [
    (SEND_STEP, "Do a step"),
    (NEED_APPROVAL, "Ask for approval"),
    (WAIT, "Wait"),
    (HOLD, "Hold"),
    (CLOSE, "Close the case"),
    (NOTHING, "Nothing to do"),
]

# The channels that send the customer a message, and what a step of each attaches unless it says otherwise.
MESSAGE_CHANNELS = ("email", "letter", "sms")
DEFAULT_ATTACH = {"email": "portal_link", "sms": "portal_link", "letter": "none", "activity": "none"}

DEFAULT_TEMPLATES = frozenset({
    "friendly_heads_up",
    "gentle_reminder",
    "second_reminder",
    "value_of_relationship",
    "payment_plan_offer",
    "firm_reminder",
    "final_notice",
})
DEFAULT_GROUPS = frozenset({
    "customer_aware_dunning.group_collections_user",
    "customer_aware_dunning.group_collections_manager",
    "account.group_account_manager",
    "sales_team.group_sale_manager",
    "sales_team.group_sale_salesman",
})
HARSH_TEMPLATES = frozenset({"final_notice"})

# The keys each mapping of the YAML accepts (the JSON Schema test keeps
# ``data/policy.schema.json`` in step with these).
TOP_LEVEL_KEYS = (
    "version", "description", "segments", "delay_reasons", "journeys", "fallback", "satisfaction", "payment_terms",
    "portal", "charges", "credits", "plans", "on_broken_plan", "on_broken_promise", "hold_while_open_deal", "owners",
    "credit_hold", "credit_information",
    "tell_salesperson",
)
SEGMENT_KEYS = ("key", "label", "description", "when")
DELAY_REASON_KEYS = ("label", "customer_label", "description", "pause", "pause_days", "owner", "journey", "offer")
JOURNEY_KEYS = ("label", "description", "segments", "steps", "waive_charges")
STEP_KEYS = (
    "day", "send", "template", "to", "approve", "when", "note", "harsh", "attach", "post", "customers",
    "fee", "compensation", "interest", "recipients", "cc", "id",
)
FALLBACK_KEYS = ("no_email", "no_mobile")
SATISFACTION_KEYS = ("enabled", "ask_days_after_close", "repurchase_window_days", "ask_on_outcomes")
PAYMENT_TERM_KEYS = ("when", "suggest", "reason", "intent")
PORTAL_KEYS = ("max_promise_days", "max_instalments")
CHARGES_KEYS = ("post", "waive_segments", "interest_margin_consumer", "interest_margin_business")
CREDITS_KEYS = ("hold_when_covered", "owner")
CREDIT_INFORMATION_KEYS = ("rating_valid_days",)

# Whom a step's email or SMS goes to: the customer's invoice contacts (child contacts of type invoice with an
# email, else the customer itself, as Odoo's invoice sending does), the customer itself, or its contacts with a
# tag (``tag:<tag name>``); and whom it copies.
RECIPIENTS = [("invoice_contact", "The invoice contacts"), ("main_contact", "The customer itself")]
TAG_PREFIX = "tag:"
CC = [("salesperson", "The customer's salesperson"), ("collector", "The case's collector")]

# The range of every number a policy may write, as (minimum, maximum), both included.  The
# reader refuses anything outside (and NaN or infinity) with the bounds in the message; the
# JSON Schema (``data/policy.schema.json``) states the same bounds (a test keeps them in step).
# A step runs at most a year before the due date and ten years after it; an amount is at most a
# million in the company currency; a rate is at most 100 points.
NUMBER_BOUNDS = {
    "step.day": (-365, 3650),
    "step.fee": (0, 1_000_000),
    "step.compensation": (0, 1_000_000),
    "delay_reason.pause_days": (1, 3650),
    "satisfaction.ask_days_after_close": (0, 365),
    "satisfaction.repurchase_window_days": (1, 3650),
    "portal.max_promise_days": (1, 365),
    "portal.max_instalments": (2, 60),
    "plans.max_instalments": (2, 60),
    "plans.max_months": (1, 120),
    "plans.min_instalment": (0, 1_000_000),
    "plans.first_within_days": (0, 365),
    "plans.broken_after_days": (1, 365),
    "plans.remind_days_before": (0, 60),
    "charges.interest_margin_consumer": (0, 100),
    "charges.interest_margin_business": (0, 100),
    "credit_information.rating_valid_days": (1, 3650),
    **SALES_NUMBER_BOUNDS,
}
# The magnitude a number compared in a condition (``[fact, op, value]``) may have.
CONDITION_NUMBER_LIMIT = 10**15

# Who a customer is in law: a consumer (a private person) or a business.  The
# partner says it (company type / VAT number), and a person can override it.
CUSTOMER_TYPES = [("consumer", "Consumer"), ("business", "Business")]
# Which customers a step is for: ``all`` or one of the customer types.
STEP_CUSTOMERS = [("all", "All customers"), *CUSTOMER_TYPES]
# How the charges of a step are booked: not at all (only itemised in the
# message and recorded), as a separate customer invoice, or as a journal entry.
CHARGE_POSTINGS = [("none", "Not posted"), ("invoice", "A separate customer invoice"), ("entry", "A journal entry")]
CHARGE_KINDS = [
    ("fee", "Reminder fee"), ("compensation", "Recovery compensation"), ("interest", "Late-payment interest"),
]


@dataclass(frozen=True)
class SegmentRule:
    key: str
    label: str
    description: str = ""
    when: tuple = ()  # empty: every customer matches


@dataclass(frozen=True)
class DelayReasonEffect:
    key: str
    label: str
    customer_label: str = ""
    description: str = ""
    pause: bool = False
    pause_days: int | None = None  # None with pause: until the reason is cleared
    owner: str | None = None
    journey: str | None = None
    offer: str | None = None


@dataclass(frozen=True)
class Step:
    day: int
    send: str
    template: str | None = None
    to: str = "finance"
    approve: str | None = None
    when: tuple = ()
    note: str = ""
    harsh: bool = False
    attach: str = "none"
    post: bool = False  # a letter that also goes by post, through Odoo's snailmail app
    customers: str = "all"  # all, consumer or business (see STEP_CUSTOMERS)
    fee: float = 0.0  # reminder fee charged with the step (company currency)
    compensation: float = 0.0  # fixed recovery compensation per overdue invoice (businesses only, once per invoice)
    interest: bool = False  # charge the late-payment interest accrued on the covered invoices
    recipients: tuple = ("invoice_contact",)  # RECIPIENTS keys or tag:<name>; the first that reaches anyone wins
    cc: tuple = ()  # CC keys: copied on the email
    id: str | None = None  # a stable identity the YAML gives the step (else its content's digest identifies it)

    @cached_property
    def identity(self) -> str:
        """What the step's keys name it by: ``@<id>``, else ``#<digest of its content>`` (see :mod:`.step_keys`)."""
        return step_identity(self)

    @property
    def charges(self) -> bool:
        """Whether the step charges anything (a fee, the compensation or interest)."""
        return bool(self.fee or self.compensation or self.interest)

    def reaches(self, customer_type) -> bool:
        """Whether the step is for customers of ``customer_type`` (consumer or business)."""
        return self.customers in ("all", customer_type)

    @property
    def before_due(self) -> bool:
        """Steps on or before the due date concern invoices not overdue yet."""
        return self.day <= 0

    def label(self, index: int) -> Text:
        """How people know the step (``str()`` of it in English): its number, day, channel and template."""
        if self.template:
            return Text(_("step %(number)s (day %(day)s, %(channel)s %(template)s)"),
                        number=index + 1, day=self.day, channel=self.send, template=self.template)
        return Text(_("step %(number)s (day %(day)s, %(channel)s for %(to)s)"),
                    number=index + 1, day=self.day, channel=self.send, to=self.to)


@dataclass(frozen=True)
class Journey:
    key: str
    label: str
    description: str = ""
    segments: tuple = ()
    steps: tuple = ()
    waive_charges: bool = False  # the charges are computed and recorded as waived, never charged


@dataclass(frozen=True)
class FallbackSettings:
    no_email: tuple = ("letter", "activity")
    no_mobile: tuple = ("email",)


@dataclass(frozen=True)
class SatisfactionSettings:
    enabled: bool = True
    ask_days_after_close: int = 2
    repurchase_window_days: int = 90
    ask_on_outcomes: tuple = ("paid", "payment_plan")


@dataclass(frozen=True)
class PortalSettings:
    """What a customer may ask for on the page a reminder links to."""

    max_promise_days: int = 30  # a promised date at most this many days from today
    max_instalments: int = 6  # a payment plan of at most this many instalments


@dataclass(frozen=True)
class ChargeSettings:
    """How the charges of steps (``fee``, ``compensation``, ``interest``) are handled."""

    post: str = "none"  # one of CHARGE_POSTINGS
    waive_segments: tuple = ()  # segments whose charges are waived (computed and recorded as waived)
    interest_margin_consumer: float | None = None  # points over the reference rate; None: the legal profile's
    interest_margin_business: float | None = None

    def interest_margin(self, customer_type):
        """The policy's margin for ``customer_type`` (``consumer`` or ``business``); None: the legal profile's."""
        return {"consumer": self.interest_margin_consumer, "business": self.interest_margin_business}[customer_type]


@dataclass(frozen=True)
class CreditSettings:
    """What happens when the customer's open credits (credit notes, unallocated payments) cover overdue invoices."""

    hold_when_covered: bool = True  # no demand while the credits cover the overdue amount
    owner: str = "finance"  # who is asked, once, to apply the credit or reconcile the payment (one of OWNERS)


# A credit rating older than this many days counts as unknown, unless the policy says otherwise.
RATING_VALID_DAYS = 365


@dataclass(frozen=True)
class CreditInformationSettings:
    """How the policy reads what credit-information providers say of a customer."""

    # A rating older than this many days counts as unknown (``credit_rating`` is not set). None: not written
    # (:data:`RATING_VALID_DAYS`, or a ``customer_aware_dunning.credit_rating_valid_days`` parameter left by 19.0.1.3).
    rating_valid_days: int | None = None

    def valid_days(self, unwritten=RATING_VALID_DAYS) -> int:
        """How many days a rating counts: the policy's ``rating_valid_days``, else ``unwritten``."""
        return unwritten if self.rating_valid_days is None else self.rating_valid_days


# What a payment-term suggestion stands for, so a document's term is flagged only in the direction that matters:
# protect = at most this generous (our risk), reward = at least this generous (earned), match = exactly this term.
TERM_INTENTS = (
    ("protect", "Offer no more generous terms than the suggestion"),
    ("reward", "Offer no less generous terms than the suggestion"),
    ("match", "Offer the suggested term"),
)


@dataclass(frozen=True)
class PaymentTermRule:
    suggest: str  # XML id of an account.payment.term, e.g. account.account_payment_term_30days
    when: tuple = ()
    reason: str = ""
    intent: str = "match"  # one of TERM_INTENTS


PLAN_BOUND_KEYS = ("max_instalments", "max_months", "min_instalment", "first_within_days", "self_serve")
PLANS_KEYS = (*PLAN_BOUND_KEYS, "broken_after_days", "remind_days_before", "segments", "delay_reasons")


@dataclass(frozen=True)
class PlanBounds:
    """What a plan may look like: at most so many instalments and months, instalments of at least an amount."""

    max_instalments: int = 6
    max_months: int = 6  # the last instalment at most this many months from today
    min_instalment: float = 50.0  # company currency
    first_within_days: int = 14  # the first instalment at most this many days from today
    self_serve: bool = True  # the customer may agree alone; otherwise a person approves the proposed plan


@dataclass(frozen=True)
class PlanSettings:
    """The policy's ``plans`` section: default bounds, overrides, and how the plan's own steps are timed."""

    bounds: PlanBounds = PlanBounds()
    by_segment: tuple = ()  # ((segment key, PlanBounds), ...)
    by_delay_reason: tuple = ()  # ((delay reason key, PlanBounds), ...)
    broken_after_days: int = 7  # an instalment this many days late breaks the plan
    remind_days_before: int = 3  # the friendly note goes out this many days before an instalment's date


@dataclass(frozen=True)
class PolicySpec:
    version: int
    segments: tuple
    journeys: tuple
    delay_reasons: tuple = ()
    description: str = ""
    fallback: FallbackSettings = FallbackSettings()
    satisfaction: SatisfactionSettings = SatisfactionSettings()
    payment_terms: tuple = ()
    portal: PortalSettings = PortalSettings()
    charges: ChargeSettings = ChargeSettings()
    credits: CreditSettings = CreditSettings()
    plans: PlanSettings = PlanSettings()
    on_broken_plan: Step | None = None  # done once when a payment plan breaks
    on_broken_promise: Step | None = None  # done once when a promise to pay breaks
    hold_while_open_deal: DealHoldSettings | None = None  # see sales_schema
    owners: tuple = ()  # OwnerRule, first match wins
    credit_hold: tuple | None = None  # CreditHoldRule (see credit_hold); None: the built-in rules
    credit_information: CreditInformationSettings = CreditInformationSettings()
    tell_salesperson: SalespersonNotices = field(default_factory=SalespersonNotices)  # see sales_schema

    def journey(self, key) -> Journey | None:
        return next((journey for journey in self.journeys if journey.key == key), None)

    def delay_reason(self, key) -> DelayReasonEffect | None:
        return next((reason for reason in self.delay_reasons if reason.key == key), None)

    def segment(self, key) -> SegmentRule | None:
        return next((segment for segment in self.segments if segment.key == key), None)

    def journey_for_segment(self, segment_key) -> Journey | None:
        return next((journey for journey in self.journeys if segment_key in journey.segments), None)


def is_group_actor(actor: str) -> bool:
    return actor.startswith(GROUP_PREFIX)
