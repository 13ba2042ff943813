"""What holds a case today (approval, pause, next action set by hand, delay reason, promise, open credits).

Step 2 of :func:`.engine.decide`.
"""

from datetime import date, timedelta

from .credit_cover import credit_hold as _credit_hold
from .text import Text, _


def _hold(spec, case, invoices, today):
    """``{text, held_by, next_date}`` when something holds the case today, else ``None``."""
    if case.state == "waiting_approval":
        return {"text": Text(_("held: waiting for an approval")), "held_by": "approval"}
    if case.state == "paused" and (case.pause_until is None or case.pause_until > today):
        text = (Text(_("held: paused until %(date)s"), date=case.pause_until) if case.pause_until
                else Text(_("held: paused")))
        return {"text": text, "held_by": "pause", "next_date": case.pause_until}
    if case.next_action_on and today < case.next_action_on:
        return {"text": Text(_("held: the next action is set by hand for %(date)s"), date=case.next_action_on),
                "held_by": "next_action", "next_date": case.next_action_on}
    return _reason_hold(spec, invoices, today) or _promise_hold(invoices, today) or _credit_hold(
        spec, case, invoices, today)


def _reason_hold(spec, invoices, today):
    for invoice in invoices:
        effect = spec.delay_reason(invoice.delay_reason)
        if not effect or not effect.pause:
            continue
        until = _pause_end(effect, invoice)
        if until is None or today < until:
            text = Text(_("held: delay reason %(reason)s on invoice %(invoice)s pauses the case"),
                        reason=effect.key, invoice=invoice.label)
            if until:
                text = Text(_("%(held)s until %(date)s"), held=text, date=until)
            if effect.owner:
                text = Text(_("%(held)s; %(owner)s takes it over"), held=text, owner=effect.owner)
            return {"text": text, "held_by": effect.key, "next_date": until}
    return None


def _pause_end(effect, invoice):
    if effect.pause_days is None or invoice.delay_reason_since is None:
        return None
    return invoice.delay_reason_since + timedelta(days=effect.pause_days)


def _promise_hold(invoices, today):
    promised = [invoice.promised_date for invoice in invoices if (invoice.promised_date or date.min) >= today]
    if not promised:
        return None
    resume = max(promised) + timedelta(days=1)
    return {"text": Text(_("held: payment promised for %(date)s; resumes on %(resume)s if unpaid"),
                         date=max(promised), resume=resume),
            "held_by": "promise", "next_date": resume}
