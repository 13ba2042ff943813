"""The step readers of a policy document: a journey's steps, their channels, charges, recipients and actors.

A mixin of :class:`.loader._Policy`: it shares that reader's ``self.r`` (a
:class:`.reader.Reader`) and the names the document and the database declare
(``known_templates``, ``known_groups``).
"""

from . import facts as fact_names
from .assembly import _all_valid, _build
from .conditions import describe, suggestion
from .reader import INVALID, XMLID
from .schema import (
    ACTORS,
    ATTACHMENTS,
    CC,
    CHANNELS,
    DEFAULT_ATTACH,
    GROUP_PREFIX,
    HARSH_TEMPLATES,
    MESSAGE_CHANNELS,
    NUMBER_BOUNDS,
    RECIPIENTS,
    STEP_CUSTOMERS,
    STEP_KEYS,
    TAG_PREFIX,
    Step,
    is_group_actor,
)


class _StepReaders:
    """Read ``journeys.<key>.steps``: each step, checked, as a :class:`.schema.Step`."""

    def _steps(self, path, value):
        items = self.r.sequence(path, value, non_empty=True)
        if items is INVALID:
            return INVALID
        steps = [self._step((*path, index), item) for index, item in enumerate(items)]
        self._check_day_order(path, items)
        return _all_valid(steps)

    def _step(self, path, value):
        raw = self.r.mapping(path, value, STEP_KEYS, required=("day", "send"))
        if raw is INVALID:
            return INVALID
        send = self.r.field(raw, path, "send", self.r.choice, INVALID, choices=dict(CHANNELS), what="channel")
        template = self._step_template(path, raw, send)
        return _build(Step, {
            "day": self.r.field(raw, path, "day", self.r.bounded, INVALID, bounds=NUMBER_BOUNDS["step.day"]),
            "send": send,
            "template": template,
            "to": self.r.field(raw, path, "to", self._actor, "finance"),
            "approve": self.r.field(raw, path, "approve", self._actor, None),
            "when": self._conditions((*path, "when"), raw.get("when"), fact_names.STEP_FACTS),
            "note": self.r.field(raw, path, "note", self.r.text, ""),
            "harsh": self.r.field(raw, path, "harsh", self.r.boolean, send == "letter" or template in HARSH_TEMPLATES),
            "attach": self._step_attach(path, raw, send),
            "post": self._step_post(path, raw, send),
            "customers": self.r.field(raw, path, "customers", self.r.choice, "all", choices=dict(STEP_CUSTOMERS),
                                      what="customer type"),
            "fee": self._step_charge(path, raw, send, "fee"),
            "compensation": self._step_charge(path, raw, send, "compensation"),
            "interest": self._step_interest(path, raw, send),
            "recipients": self.r.field(raw, path, "recipients", self._recipients, ("invoice_contact",)),
            "cc": self.r.field(raw, path, "cc", self.r.choices, (), choices=dict(CC), what="copy"),
        })

    def _recipients(self, path, value):
        items = self.r.sequence(path, value, non_empty=True)
        if items is INVALID:
            return INVALID
        checked = []
        for index, item in enumerate(items):
            if isinstance(item, str) and item.startswith(TAG_PREFIX) and item[len(TAG_PREFIX):].strip():
                checked.append(item)
            else:
                checked.append(self.r.choice((*path, index), item, {**dict(RECIPIENTS), TAG_PREFIX + "<tag>": ""},
                                             what="recipient"))
        return INVALID if INVALID in checked else tuple(checked)

    def _step_charge(self, path, raw, send, key):
        amount = self.r.field(raw, path, key, self.r.bounded, 0.0, bounds=NUMBER_BOUNDS[f"step.{key}"], kind="number")
        if amount not in (0.0, INVALID) and send == "activity":
            self.r.error((*path, key), f"an activity sends the customer nothing to charge {key} with; remove {key}")
            return INVALID
        return amount

    def _step_interest(self, path, raw, send):
        interest = self.r.field(raw, path, "interest", self.r.boolean, False)
        if interest is True and send == "activity":
            self.r.error((*path, "interest"), "an activity sends the customer nothing to charge interest with; "
                                              "remove interest")
            return INVALID
        return interest

    def _step_post(self, path, raw, send):
        post = self.r.field(raw, path, "post", self.r.boolean, False)
        if post is True and send != "letter":
            self.r.error((*path, "post"), f"only letters go by post, this step sends {send}; remove post")
            return INVALID
        return post

    def _step_template(self, path, raw, send):
        if send == "activity":
            if "template" in raw:
                self.r.error((*path, "template"), "an activity step takes a note, not a template")
                return INVALID
            return None
        if "template" not in raw:
            if send in MESSAGE_CHANNELS:
                self.r.error(path, f"missing required key 'template' (a step sending {send} needs one)")
            return INVALID
        return self.r.choice((*path, "template"), raw["template"], self.known_templates, "template")

    def _step_attach(self, path, raw, send):
        attach = self.r.field(raw, path, "attach", self.r.choice, DEFAULT_ATTACH.get(send, "none"),
                              choices=dict(ATTACHMENTS), what="attachment")
        if send == "activity" and attach not in ("none", INVALID):
            self.r.error((*path, "attach"), "an activity has nothing to attach; remove attach")
            return INVALID
        return attach

    def _check_day_order(self, path, items):
        previous = None
        for index, item in enumerate(items):
            day = item.get("day") if isinstance(item, dict) else None
            if not isinstance(day, int) or isinstance(day, bool):
                continue
            if previous is not None and day == previous:
                self.r.error((*path, index, "day"), f"two steps on day {day}; give each step its own day")
            elif previous is not None and day < previous:
                self.r.error((*path, index, "day"), f"steps must be in ascending day order; "
                                                    f"day {day} comes after day {previous}")
            previous = day if previous is None else max(previous, day)

    def _actor(self, path, value):
        if isinstance(value, str) and is_group_actor(value):
            return self._group_actor(path, value)
        if isinstance(value, str) and value in dict(ACTORS):
            return value
        self.r.error(path, f"unknown actor {describe(value)}{suggestion(value, dict(ACTORS))}; "
                           f"expected finance, salesperson or group:<group xml id>")
        return INVALID

    def _group_actor(self, path, value):
        xmlid = value[len(GROUP_PREFIX):]
        if not XMLID.match(xmlid):
            self.r.error(path, f"expected group:<module.group_name>, got {describe(value)}")
            return INVALID
        if xmlid not in self.known_groups:
            self.r.error(path, f"unknown group '{xmlid}'{suggestion(xmlid, self.known_groups)}")
            return INVALID
        return value
