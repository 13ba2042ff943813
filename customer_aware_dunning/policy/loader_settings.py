"""The settings readers of a policy document: fallback, satisfaction, portal, charges, credits, credit information,
payment terms.

A mixin of :class:`.loader._Policy`: it shares that reader's ``self.r`` (a
:class:`.reader.Reader`) and the names the document and the database declare
(segment keys, ``known_payment_terms``).
"""

from . import facts as fact_names
from .assembly import _all_valid, _build
from .conditions import suggestion
from .reader import INVALID
from .schema import (
    CHANNELS,
    CHARGE_POSTINGS,
    CHARGES_KEYS,
    CREDIT_INFORMATION_KEYS,
    CREDITS_KEYS,
    FALLBACK_KEYS,
    NUMBER_BOUNDS,
    OUTCOMES,
    OWNERS,
    PAYMENT_TERM_KEYS,
    PORTAL_KEYS,
    SATISFACTION_KEYS,
    TERM_INTENTS,
    ChargeSettings,
    CreditInformationSettings,
    CreditSettings,
    FallbackSettings,
    PaymentTermRule,
    PortalSettings,
    SatisfactionSettings,
)


class _SettingsReaders:
    """Read the optional settings sections, each into its frozen settings object of :mod:`.schema`."""

    def _fallback(self, path, value):
        raw = self.r.mapping(path, value, FALLBACK_KEYS)
        if raw is INVALID:
            return INVALID
        return _build(FallbackSettings, {
            "no_email": self.r.field(raw, path, "no_email", self._fallback_channels, FallbackSettings.no_email,
                                     missing="email"),
            "no_mobile": self.r.field(raw, path, "no_mobile", self._fallback_channels, FallbackSettings.no_mobile,
                                      missing="sms"),
        })

    def _fallback_channels(self, path, value, missing):
        channels = self.r.choices(path, value, dict(CHANNELS), "channel")
        if channels is INVALID:
            return INVALID
        if not channels or missing in channels:
            self.r.error(path, f"expected at least one channel other than {missing}")
            return INVALID
        return channels

    def _satisfaction(self, path, value):
        raw = self.r.mapping(path, value, SATISFACTION_KEYS)
        if raw is INVALID:
            return INVALID
        defaults = SatisfactionSettings()
        return _build(SatisfactionSettings, {
            "enabled": self.r.field(raw, path, "enabled", self.r.boolean, defaults.enabled),
            "ask_days_after_close": self.r.field(raw, path, "ask_days_after_close", self.r.bounded,
                                                 defaults.ask_days_after_close,
                                                 bounds=NUMBER_BOUNDS["satisfaction.ask_days_after_close"]),
            "repurchase_window_days": self.r.field(raw, path, "repurchase_window_days", self.r.bounded,
                                                   defaults.repurchase_window_days,
                                                   bounds=NUMBER_BOUNDS["satisfaction.repurchase_window_days"]),
            "ask_on_outcomes": self.r.field(raw, path, "ask_on_outcomes", self.r.choices, defaults.ask_on_outcomes,
                                            choices=dict(OUTCOMES), what="outcome"),
        })

    def _portal(self, path, value):
        raw = self.r.mapping(path, value, PORTAL_KEYS)
        if raw is INVALID:
            return INVALID
        defaults = PortalSettings()
        return _build(PortalSettings, {
            "max_promise_days": self.r.field(raw, path, "max_promise_days", self.r.bounded,
                                             defaults.max_promise_days,
                                             bounds=NUMBER_BOUNDS["portal.max_promise_days"]),
            "max_instalments": self.r.field(raw, path, "max_instalments", self.r.bounded,
                                            defaults.max_instalments, bounds=NUMBER_BOUNDS["portal.max_instalments"]),
        })

    def _charges(self, path, value):
        raw = self.r.mapping(path, value, CHARGES_KEYS)
        if raw is INVALID:
            return INVALID
        return _build(ChargeSettings, {
            "post": self.r.field(raw, path, "post", self.r.choice, "none", choices=dict(CHARGE_POSTINGS),
                                 what="posting"),
            "waive_segments": self.r.field(raw, path, "waive_segments", self._segment_refs, ()),
            "interest_margin_consumer": self.r.field(raw, path, "interest_margin_consumer", self.r.bounded, None,
                                                     bounds=NUMBER_BOUNDS["charges.interest_margin_consumer"],
                                                     kind="number"),
            "interest_margin_business": self.r.field(raw, path, "interest_margin_business", self.r.bounded, None,
                                                     bounds=NUMBER_BOUNDS["charges.interest_margin_business"],
                                                     kind="number"),
        })

    def _credits(self, path, value):
        raw = self.r.mapping(path, value, CREDITS_KEYS)
        if raw is INVALID:
            return INVALID
        defaults = CreditSettings()
        return _build(CreditSettings, {
            "hold_when_covered": self.r.field(raw, path, "hold_when_covered", self.r.boolean,
                                              defaults.hold_when_covered),
            "owner": self.r.field(raw, path, "owner", self.r.choice, defaults.owner, choices=dict(OWNERS),
                                  what="owner"),
        })

    def _credit_information(self, path, value):
        raw = self.r.mapping(path, value, CREDIT_INFORMATION_KEYS)
        if raw is INVALID:
            return INVALID
        return _build(CreditInformationSettings, {
            "rating_valid_days": self.r.field(raw, path, "rating_valid_days", self.r.bounded, None,
                                              bounds=NUMBER_BOUNDS["credit_information.rating_valid_days"]),
        })

    def _payment_terms(self, path, value):
        items = self.r.sequence(path, value)
        if items is INVALID:
            return INVALID
        return _all_valid(self._payment_term((*path, index), item) for index, item in enumerate(items))

    def _payment_term(self, path, value):
        raw = self.r.mapping(path, value, PAYMENT_TERM_KEYS, required=("suggest",))
        if raw is INVALID:
            return INVALID
        return _build(PaymentTermRule, {
            "suggest": self.r.field(raw, path, "suggest", self._payment_term_ref, INVALID),
            "when": self._conditions((*path, "when"), raw.get("when"), fact_names.PAYMENT_TERM_FACTS),
            "reason": self.r.field(raw, path, "reason", self.r.text, ""),
            "intent": self.r.field(raw, path, "intent", self.r.choice, "match", choices=dict(TERM_INTENTS),
                                   what="intent"),
        })

    def _payment_term_ref(self, path, value):
        xmlid = self.r.xmlid(path, value, "a payment term")
        known = self.known_payment_terms
        if xmlid is INVALID or known is None or xmlid in known:
            return xmlid
        self.r.error(path, f"unknown payment term '{xmlid}'{suggestion(xmlid, known)}")
        return INVALID
