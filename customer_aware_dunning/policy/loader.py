"""Load a policy document: YAML text in, a frozen :class:`.schema.PolicySpec` or every problem out.

How to use::

    result = load_policy(text, known_templates=..., known_groups=..., known_payment_terms=...)
    if result.errors:
        print("\\n".join(map(str, result.errors)))   # all of them, in document order
    else:
        spec = result.spec                          # immutable, hashable: cache it per version

How it works: :mod:`.yaml_source` reads the YAML safely with a line for every
key path; the section readers below check each value with :class:`.reader.Reader`
and build the spec; the cross-checks then look at names that refer to each
other (segments ↔ journeys, delay reasons → journeys).  The spec is built only
when there is no error.
"""

from dataclasses import dataclass, field

from . import facts as fact_names
from .assembly import _all_valid, _build, _label, _listing
from .conditions import (
    PRESENCE,
    AllOf,
    AnyOf,
    Not,
    Vocabulary,
    compile_conditions,
    describe,
    suggestion,
    suggestion_budget,
)
from .errors import PolicyError, sort_key
from .loader_plans import _PlanReaders
from .loader_sales import _SalesReaders
from .loader_settings import _SettingsReaders
from .loader_steps import _StepReaders
from .reader import IDENTIFIER, INVALID, Reader
from .sales_schema import SalespersonNotices
from .schema import (
    DEFAULT_GROUPS,
    DEFAULT_TEMPLATES,
    DELAY_REASON_KEYS,
    JOURNEY_KEYS,
    NUMBER_BOUNDS,
    OFFERS,
    OWNERS,
    SEGMENT_KEYS,
    SUPPORTED_VERSION,
    TOP_LEVEL_KEYS,
    ChargeSettings,
    CreditInformationSettings,
    CreditSettings,
    DelayReasonEffect,
    FallbackSettings,
    Journey,
    PlanSettings,
    PolicySpec,
    PortalSettings,
    SatisfactionSettings,
    SegmentRule,
)
from .yaml_source import parse_yaml


@dataclass
class LoadResult:
    spec: PolicySpec | None
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.spec is not None


def load_policy(text, *, known_templates=DEFAULT_TEMPLATES, known_groups=DEFAULT_GROUPS,
                known_payment_terms=None) -> LoadResult:
    """Parse and validate a policy document; never raises on any input text.

    ``known_templates``: the template keys the steps may name (the Odoo side
    passes the mail templates it has); ``known_groups``: the XML ids of the
    groups that ``group:<xml id>`` actors may name; ``known_payment_terms``: the
    XML ids of the payment terms ``payment_terms[].suggest`` may name (``None``:
    only their form is checked, as without a database).
    """
    source = parse_yaml(text)
    if source.data is None:
        errors = source.errors or [PolicyError("", 1, "the document is empty; expected a mapping with "
                                                      "version, segments and journeys")]
        return LoadResult(None, sorted(errors, key=sort_key))
    reader = Reader(source)
    reader.errors.extend(source.errors)
    terms = None if known_payment_terms is None else frozenset(known_payment_terms)
    with suggestion_budget():
        spec = _Policy(reader, frozenset(known_templates), frozenset(known_groups), terms).read(source.data)
    errors = sorted(set(reader.errors), key=sort_key)
    return LoadResult(None if errors else spec, errors)


class _Policy(_StepReaders, _SettingsReaders, _PlanReaders, _SalesReaders):
    """The section readers of one document, sharing the reader and the declared names."""

    def __init__(self, reader, known_templates, known_groups, known_payment_terms=None):
        self.r = reader
        self.known_templates = known_templates
        self.known_groups = known_groups
        self.known_payment_terms = known_payment_terms
        self.segment_keys = ()
        self.journey_keys = ()
        self.reason_keys = ()
        self.segment_set = self.journey_set = frozenset()

    # A plain class, not an Odoo model: there is no super().read() to call.
    def read(self, data):  # pylint: disable=method-required-super
        top = self.r.mapping((), data, TOP_LEVEL_KEYS, required=("version", "segments", "journeys"))
        if top is INVALID:
            return None
        self._declare(top)
        parts = {
            "version": self.r.field(top, (), "version", self._version),
            "description": self.r.field(top, (), "description", self.r.text, ""),
            "segments": self.r.field(top, (), "segments", self._segments),
            "delay_reasons": self.r.field(top, (), "delay_reasons", self._delay_reasons, ()),
            "journeys": self.r.field(top, (), "journeys", self._journeys),
            "fallback": self.r.field(top, (), "fallback", self._fallback, FallbackSettings()),
            "satisfaction": self.r.field(top, (), "satisfaction", self._satisfaction, SatisfactionSettings()),
            "payment_terms": self.r.field(top, (), "payment_terms", self._payment_terms, ()),
            "portal": self.r.field(top, (), "portal", self._portal, PortalSettings()),
            "charges": self.r.field(top, (), "charges", self._charges, ChargeSettings()),
            "credits": self.r.field(top, (), "credits", self._credits, CreditSettings()),
            "plans": self.r.field(top, (), "plans", self._plans, PlanSettings()),
            "on_broken_plan": self.r.field(top, (), "on_broken_plan", self._reaction_step, None),
            "on_broken_promise": self.r.field(top, (), "on_broken_promise", self._reaction_step, None),
            "hold_while_open_deal": self.r.field(top, (), "hold_while_open_deal", self._deal_hold, None),
            "owners": self.r.field(top, (), "owners", self._owners, ()),
            "credit_hold": self.r.field(top, (), "credit_hold", self._credit_hold, None),
            "credit_information": self.r.field(top, (), "credit_information", self._credit_information,
                                               CreditInformationSettings()),
            "tell_salesperson": self.r.field(top, (), "tell_salesperson", self._salesperson_notices,
                                             SalespersonNotices()),
        }
        self._check_coverage(top)
        return _build(PolicySpec, parts)

    def _declare(self, top):
        """Collect the names the document declares, so references can be checked even where a part is wrong."""
        segments = top.get("segments")
        if isinstance(segments, list) and segments:
            keys = (item.get("key") for item in segments if isinstance(item, dict))
            self.segment_keys = tuple(key for key in keys if isinstance(key, str) and IDENTIFIER.match(key))
        else:
            self.segment_keys = None  # unknown: the segments section is wrong, references are not checked
        for name, attribute in (("journeys", "journey_keys"), ("delay_reasons", "reason_keys")):
            if isinstance(top.get(name), dict) and (top[name] or name == "delay_reasons"):
                setattr(self, attribute, tuple(key for key in top[name] if isinstance(key, str)))
            elif name in top:
                setattr(self, attribute, None)
        # the same keys as sets, so checking thousands of references stays linear
        self.segment_set = frozenset(self.segment_keys or ())
        self.journey_set = frozenset(self.journey_keys or ())

    def _version(self, path, value):
        if value == SUPPORTED_VERSION and not isinstance(value, bool):
            return value
        self.r.error(path, f"unsupported version {describe(value)}; this module reads version {SUPPORTED_VERSION}")
        return INVALID

    # -- segments ---------------------------------------------------------------

    def _segments(self, path, value):
        items = self.r.sequence(path, value, non_empty=True)
        if items is INVALID:
            return INVALID
        rules = [self._segment((*path, index), item) for index, item in enumerate(items)]
        self._check_unique(path, items, "segment")
        self._check_reachable(path, items)
        return _all_valid(rules)

    def _segment(self, path, value):
        raw = self.r.mapping(path, value, SEGMENT_KEYS, required=("key",))
        if raw is INVALID:
            return INVALID
        key = self.r.field(raw, path, "key", self.r.identifier)
        return _build(SegmentRule, {
            "key": key,
            "label": self.r.field(raw, path, "label", self.r.text, _label(key)),
            "description": self.r.field(raw, path, "description", self.r.text, ""),
            "when": self._conditions((*path, "when"), raw.get("when"), fact_names.SEGMENT_RULE_FACTS),
        })

    def _check_unique(self, path, items, what):
        seen = {}
        for index, item in enumerate(items):
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            if key in seen:
                self.r.error((*path, index, "key"), f"duplicate {what} '{key}'; {path[0]}[{seen[key]}] already uses it")
            seen.setdefault(key, index)

    def _check_reachable(self, path, items):
        catch_all = next((index for index, item in enumerate(items)
                          if isinstance(item, dict) and not item.get("when")), None)
        if catch_all is None or catch_all == len(items) - 1:
            return
        self.r.error((*path, catch_all + 1), f"this rule is never reached: segments[{catch_all}] has no 'when' "
                                             f"and matches every customer; move the fallback segment last")

    # -- delay reasons ----------------------------------------------------------

    def _delay_reasons(self, path, value):
        if not isinstance(value, dict):
            self.r.error(path, f"expected a mapping of delay reason keys to their effect, got {describe(value)}")
            return INVALID
        return _all_valid(self._delay_reason((*path, key), key, item) for key, item in value.items())

    def _delay_reason(self, path, key, value):
        if self.r.identifier(path, key) is INVALID:
            return INVALID
        raw = self.r.mapping(path, {} if value is None else value, DELAY_REASON_KEYS)
        if raw is INVALID:
            return INVALID
        pause = self.r.field(raw, path, "pause", self.r.boolean, False)
        pause_days = self.r.field(raw, path, "pause_days", self.r.bounded, None,
                                  bounds=NUMBER_BOUNDS["delay_reason.pause_days"])
        if pause_days not in (None, INVALID) and pause is not True:
            self.r.error((*path, "pause_days"), "pause_days needs pause: true")
            pause_days = INVALID
        return _build(DelayReasonEffect, {
            "key": key,
            "label": self.r.field(raw, path, "label", self.r.text, _label(key)),
            "customer_label": self.r.field(raw, path, "customer_label", self.r.text, ""),
            "description": self.r.field(raw, path, "description", self.r.text, ""),
            "pause": pause,
            "pause_days": pause_days,
            "owner": self.r.field(raw, path, "owner", self.r.choice, None, choices=dict(OWNERS), what="owner"),
            "journey": self.r.field(raw, path, "journey", self._journey_ref),
            "offer": self.r.field(raw, path, "offer", self.r.choice, None, choices=dict(OFFERS), what="offer"),
        })

    def _journey_ref(self, path, value):
        if self.journey_keys is None:
            return self.r.identifier(path, value)
        if isinstance(value, str) and value in self.journey_set:
            return value
        self.r.error(path, f"unknown journey {describe(value)}{suggestion(value, self.journey_keys)}; "
                           f"journeys are {_listing(self.journey_keys) or 'not declared'}")
        return INVALID

    # -- journeys and steps -----------------------------------------------------

    def _journeys(self, path, value):
        if not isinstance(value, dict) or not value:
            self.r.error(path, f"expected a mapping of journey keys to journeys, got {describe(value)}")
            return INVALID
        return _all_valid(self._journey((*path, key), key, item) for key, item in value.items())

    def _journey(self, path, key, value):
        if self.r.identifier(path, key) is INVALID:
            return INVALID
        raw = self.r.mapping(path, value, JOURNEY_KEYS, required=("steps",))
        if raw is INVALID:
            return INVALID
        return _build(Journey, {
            "key": key,
            "label": self.r.field(raw, path, "label", self.r.text, _label(key)),
            "description": self.r.field(raw, path, "description", self.r.text, ""),
            "segments": self.r.field(raw, path, "segments", self._segment_refs, ()),
            "steps": self.r.field(raw, path, "steps", self._steps),
            "waive_charges": self.r.field(raw, path, "waive_charges", self.r.boolean, False),
        })

    def _segment_refs(self, path, value):
        items = self.r.sequence(path, value)
        if items is INVALID:
            return INVALID
        checked = tuple(self._segment_ref((*path, index), item) for index, item in enumerate(items))
        return INVALID if INVALID in checked else checked

    def _segment_ref(self, path, value):
        if self.segment_keys is None:
            return self.r.identifier(path, value)
        if isinstance(value, str) and value in self.segment_set:
            return value
        self.r.error(path, f"unknown segment {describe(value)}{suggestion(value, self.segment_keys)}")
        return INVALID


    # -- shared -----------------------------------------------------------------

    def _conditions(self, path, value, facts):
        known = {"segment": self.segment_keys, "delay_reason": self.reason_keys}
        vocabulary = Vocabulary(facts, {name: keys for name, keys in known.items() if keys is not None})
        errors_before = len(self.r.errors)
        compiled = compile_conditions(value, vocabulary, self.r.error, path)
        if len(self.r.errors) == errors_before:
            self._facts_in_range(path, compiled)
        return INVALID if len(self.r.errors) > errors_before else compiled

    def _facts_in_range(self, path, conditions):
        """Report every number ``conditions`` compare a bounded fact with (:data:`.facts.FACT_RANGES`) outside
        that fact's range: ``credit_rating <= 7`` would always hold, ``credit_rating >= 0`` never fail."""
        for item in conditions:
            if isinstance(item, AnyOf | AllOf | Not):
                self._facts_in_range(path, item.items)
                continue
            bounds = fact_names.FACT_RANGES.get(item.fact)
            if bounds is None or item.op in PRESENCE:
                continue
            for number in item.value if isinstance(item.value, tuple) else (item.value,):
                if not bounds[0] <= number <= bounds[1]:
                    self.r.error(path, f"{item.fact} is {bounds[0]} to {bounds[1]}; {number} is outside it")

    def _check_coverage(self, top):
        journeys = top.get("journeys")
        if not isinstance(journeys, dict) or not journeys or self.segment_keys is None:
            return
        covered = {}
        for key, journey in journeys.items():
            segments = journey.get("segments") if isinstance(journey, dict) else None
            for index, segment in enumerate(segments if isinstance(segments, list) else ()):
                if not isinstance(segment, str) or segment not in self.segment_set:
                    continue
                if segment in covered:
                    self.r.error(("journeys", key, "segments", index),
                                 f"segment '{segment}' is already covered by journey '{covered[segment]}'")
                covered.setdefault(segment, key)
        index_of = {}
        for index, item in enumerate(top["segments"]):
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                index_of.setdefault(item["key"], index)
        for segment in self.segment_keys:
            if segment not in covered and IDENTIFIER.match(segment):
                self.r.error(("segments", index_of[segment], "key"),
                             f"no journey covers segment '{segment}'; list it under a journey's segments")

