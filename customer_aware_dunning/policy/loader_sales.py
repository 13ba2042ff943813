"""The sales readers of a policy document: ``hold_while_open_deal``, ``owners`` and ``tell_salesperson`` (see
:mod:`.sales_schema`), ``credit_hold`` (see :mod:`.credit_hold`).

A mixin of :class:`.loader._Policy`: it shares that reader's ``self.r``, its ``_actor``
check (from :mod:`.loader_steps`) and its ``_conditions`` compiler.
"""

from . import facts as fact_names
from .assembly import _all_valid, _build
from .credit_hold import CREDIT_HOLD_KEYS, DOCUMENTS, CreditHoldRule
from .reader import INVALID
from .sales_schema import (
    DEAL_HOLD_KEYS,
    DEAL_HOLD_STEPS,
    OWNER_ASSIGNMENTS,
    OWNER_RULE_KEYS,
    SALESPERSON_NOTICE_KEYS,
    SALESPERSON_NOTICES,
    DealHoldSettings,
    OwnerRule,
    SalespersonNotices,
)
from .schema import NUMBER_BOUNDS, OWNERS, is_group_actor


class _SalesReaders:
    """Read the sections that bring sales into collections."""

    def _deal_hold(self, path, value):
        raw = self.r.mapping(path, {} if value is None else value, DEAL_HOLD_KEYS)
        if raw is INVALID:
            return INVALID
        defaults = DealHoldSettings()
        return _build(DealHoldSettings, {
            "min_amount": self.r.field(raw, path, "min_amount", self.r.bounded, defaults.min_amount,
                                       bounds=NUMBER_BOUNDS["hold_while_open_deal.min_amount"], kind="number"),
            "max_days": self.r.field(raw, path, "max_days", self.r.bounded, defaults.max_days,
                                     bounds=NUMBER_BOUNDS["hold_while_open_deal.max_days"]),
            "steps": self.r.field(raw, path, "steps", self.r.choice, defaults.steps, choices=dict(DEAL_HOLD_STEPS),
                                  what="kind of steps"),
            "owner": self.r.field(raw, path, "owner", self.r.choice, defaults.owner, choices=dict(OWNERS),
                                  what="owner"),
        })

    def _owners(self, path, value):
        items = self.r.sequence(path, value)
        if items is INVALID:
            return INVALID
        return _all_valid(self._owner_rule((*path, index), item) for index, item in enumerate(items))

    def _owner_rule(self, path, value):
        raw = self.r.mapping(path, value, OWNER_RULE_KEYS, required=("owner",))
        if raw is INVALID:
            return INVALID
        owner = self.r.field(raw, path, "owner", self._actor, INVALID)
        assign = self.r.field(raw, path, "assign", self.r.choice, "fixed", choices=dict(OWNER_ASSIGNMENTS),
                              what="assignment")
        if assign == "round_robin" and isinstance(owner, str) and owner is not INVALID and not is_group_actor(owner):
            self.r.error((*path, "assign"), f"round_robin takes turns among a group's members, and the owner is "
                                            f"{owner}; write owner: group:<group xml id> or remove assign")
            assign = INVALID
        return _build(OwnerRule, {
            "owner": owner,
            "when": self._conditions((*path, "when"), raw.get("when"), fact_names.STEP_FACTS),
            "assign": assign,
            "manual_only": self.r.field(raw, path, "manual_only", self.r.boolean, False),
        })

    def _credit_hold(self, path, value):
        items = self.r.sequence(path, value)
        if items is INVALID:
            return INVALID
        return _all_valid(self._credit_hold_rule((*path, index), item) for index, item in enumerate(items))

    def _credit_hold_rule(self, path, value):
        raw = self.r.mapping(path, value, CREDIT_HOLD_KEYS, required=("when", "reason"))
        if raw is INVALID:
            return INVALID
        when = self._conditions((*path, "when"), raw.get("when"), fact_names.PAYMENT_TERM_FACTS)
        if when is not INVALID and "when" in raw and not when:
            self.r.error((*path, "when"), "expected at least one condition: a rule without one would hold "
                                          "every document")
            when = INVALID
        reason = self.r.field(raw, path, "reason", self.r.text, INVALID)
        if isinstance(reason, str) and not reason.strip():
            self.r.error((*path, "reason"), "expected a reason the salesperson reads, got an empty text")
            reason = INVALID
        documents = self.r.field(raw, path, "documents", self.r.choices, ("quotation", "invoice"),
                                 choices=dict(DOCUMENTS), what="document")
        if documents == ():
            self.r.error((*path, "documents"), "expected quotation, invoice or both")
            documents = INVALID
        return _build(CreditHoldRule, {"reason": reason, "when": when, "documents": documents})

    def _salesperson_notices(self, path, value):
        raw = self.r.mapping(path, {} if value is None else value, SALESPERSON_NOTICE_KEYS)
        if raw is INVALID:
            return INVALID
        defaults = SalespersonNotices()
        return _build(SalespersonNotices, {
            key: self.r.field(raw, path, key, self.r.choice, getattr(defaults, key),
                              choices=dict(SALESPERSON_NOTICES), what="way to tell the salesperson")
            for key in SALESPERSON_NOTICE_KEYS
        })
