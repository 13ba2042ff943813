"""The payment plan readers of a policy document: the ``plans`` section and the reactions to broken arrangements.

A mixin of :class:`.loader._Policy` (it shares ``self.r`` and the declared segment
and delay reason keys).  ``plans`` gives the default bounds of a payment plan, the
timing of the plan's own messages, and overrides per segment and per delay reason::

    plans:
      max_instalments: 6        # bounds a customer may choose within on the portal page
      max_months: 6
      min_instalment: 50
      first_within_days: 14
      self_serve: true          # false: a person approves the plan the customer chose
      broken_after_days: 7      # an instalment this late breaks the plan
      remind_days_before: 3     # the friendly note before each instalment
      segments: {strategic: {max_instalments: 12, max_months: 12}}
      delay_reasons: {cash_flow: {self_serve: true}}
    on_broken_plan: {send: email, template: firm_reminder}
    on_broken_promise: {send: activity, to: salesperson, note: Call about the broken promise}

``on_broken_plan`` and ``on_broken_promise`` are steps without a day: done once, when it happens.
"""

from .assembly import _build
from .conditions import describe, suggestion
from .reader import INVALID
from .schema import NUMBER_BOUNDS, PLAN_BOUND_KEYS, PLANS_KEYS, PlanBounds, PlanSettings


class _PlanReaders:
    """Read ``plans`` into a :class:`.schema.PlanSettings`, the reactions into steps."""

    def _plans(self, path, value):
        raw = self.r.mapping(path, value, PLANS_KEYS)
        if raw is INVALID:
            return INVALID
        defaults = PlanSettings()
        bounds = self._plan_bounds(path, raw, PlanBounds())
        return _build(PlanSettings, {
            "bounds": bounds,
            "by_segment": self.r.field(raw, path, "segments", self._plan_overrides, (), bounds=bounds,
                                       known=self.segment_keys, what="segment"),
            "by_delay_reason": self.r.field(raw, path, "delay_reasons", self._plan_overrides, (), bounds=bounds,
                                            known=self.reason_keys, what="delay reason"),
            "broken_after_days": self.r.field(raw, path, "broken_after_days", self.r.bounded,
                                              defaults.broken_after_days,
                                              bounds=NUMBER_BOUNDS["plans.broken_after_days"]),
            "remind_days_before": self.r.field(raw, path, "remind_days_before", self.r.bounded,
                                               defaults.remind_days_before,
                                               bounds=NUMBER_BOUNDS["plans.remind_days_before"]),
        })

    def _plan_bounds(self, path, raw, base):
        values = {
            key: self.r.field(raw, path, key, self.r.bounded, getattr(base, key), bounds=NUMBER_BOUNDS[f"plans.{key}"],
                              kind="number" if key == "min_instalment" else "integer")
            for key in PLAN_BOUND_KEYS if key != "self_serve"
        }
        values["self_serve"] = self.r.field(raw, path, "self_serve", self.r.boolean, base.self_serve)
        return _build(PlanBounds, values)

    def _plan_overrides(self, path, value, bounds, known, what):
        if not isinstance(value, dict):
            self.r.error(path, f"expected a mapping of {what} keys to plan bounds, got {describe(value)}")
            return INVALID
        items = []
        for key, item in value.items():
            if known is not None and key not in known:
                self.r.error((*path, key), f"unknown {what} {describe(key)}{suggestion(key, known)}")
                items.append(INVALID)
                continue
            raw = self.r.mapping((*path, key), item, PLAN_BOUND_KEYS)
            base = bounds if bounds is not INVALID else PlanBounds()
            items.append(INVALID if raw is INVALID else (key, self._plan_bounds((*path, key), raw, base)))
        if any(item is INVALID or item[1] is INVALID for item in items):
            return INVALID
        return tuple(items)

    def _reaction_step(self, path, value):
        """A step done once when an arrangement breaks: a journey step without ``day``."""
        if isinstance(value, dict) and "day" in value:
            self.r.error((*path, "day"), "a reaction to a broken arrangement has no day: it is done when it happens")
            return INVALID
        return self._step(path, {"day": 0, **value} if isinstance(value, dict) else value)
