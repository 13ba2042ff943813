"""Texts are data until someone reads them: how the addon stores the engine's sentences and shows them.

The engine says why it decided with a :class:`~.policy.text.Text` (an English
template and its values).  The case, its events and its chatter lines keep that
``Text`` as data (:func:`to_data`, a JSON value), and :class:`Reader` renders it
when someone reads it: in the reader's language, with names, not keys.

Stored shape (JSON):

- ``{"t": template, "v": {name: value}}``: a Text; a value is a number, a string,
  ``{"d": "2026-07-15"}`` (a date) or a Text of its own;
- ``{"j": [part, ...]}``: sentences one after the other (``Joined``);
- ``{"l": [part, ...]}``: items of one sentence, a comma between them (``Listed``), or
  ``"sep"`` when it is another (``" "``: sentences of one line);
- ``{"s": "..."}``: words as a person wrote them (a hold's reason), shown as written.

A value's name says what it is, the same names the engine uses: ``segment``,
``reason`` (a delay reason), ``journey``, ``template``, ``channel``, and
``owner``/``to``/``approver`` (who acts), ``outcome`` and ``customer_reason`` are
keys shown by their label; dates are formatted for the reader's language, and
numbers named ``credits``/``overdue``/``amount`` are amounts in the company's currency.

The sentences the models say about a step (:func:`step_title`, :func:`step_done`)
are built here too, so that every template the trail uses is a term of the module.
"""

import datetime

from markupsafe import Markup

from odoo.tools import format_date, formatLang

from .policy.schema import GROUP_PREFIX
from .policy.text import Joined, Listed, Text, _
from .translate import policy_text

TEMPLATE_XMLID = "customer_aware_dunning.mail_template_%s"

LABELLED = {"segment": "segment", "reason": "reason", "journey": "journey", "template": "template",
            "channel": "channel", "owner": "actor", "to": "actor", "approver": "actor", "outcome": "outcome",
            "customer_reason": "customer_reason", "agency_status": "agency_status",
            "registry_status": "registry_status", "failure_type": "failure_type"}
AMOUNTS = ("credits", "overdue", "amount")

CHANNELS = {"email": _("email"), "letter": _("letter"), "activity": _("activity"), "sms": _("text message")}
ACTORS = {"finance": _("finance"), "salesperson": _("the salesperson"), "collector": _("the collections owner")}

STEP_TITLES = {
    "email": _("Email '%(template)s'"),
    "letter": _("Letter '%(template)s'"),
    "sms": _("Text message '%(template)s'"),
}
STEPS_DONE = {
    "email": _("Sent the email '%(template)s' about %(count)s invoice(s)."),
    "letter": _("Sent the letter '%(template)s' about %(count)s invoice(s)."),
    "sms": _("Sent the text message '%(template)s' about %(count)s invoice(s)."),
}

# What the models say on the trail (each a term of the module, rendered when read).
OPENED = _("%(count)s overdue invoice(s), %(amount)s.")
OPENED_FOR_NOTICE = _("Opened for a notice before the due date.")
CLOSED = _("Outcome: %(outcome)s. %(why)s Recovered %(amount)s.")
NOTHING_LEFT = _("Nothing is left to collect.")
ALL_SETTLED = _("Every invoice of the case is settled.")
PAUSE_GONE = _("The reason for the pause is gone.")
APPROVED = _("%(step)s: approved by %(user)s.")
APPROVED_BY = _("Approved by %(user)s.")
APPROVED_NOT_DONE = _("%(step)s approved but not done: its invoices are paid or credited.")
HELD_BY = _("Held by %(user)s: %(why)s")
WAITS_FOR_APPROVAL = _("%(step)s waits for the approval of %(approver)s.")
MAILS_REQUEUED = _("The emails the mail server could not send are queued again.")
SATISFACTION_ASKED = _("The customer was asked to rate the experience.")
PLAN_PAID = _("Every invoice of the payment plan is paid.")
# The customer's answers on the portal (the customer reads them back there, in their language).
ANSWERED_ONLINE = _("The customer answered online. %(text)s")
ANSWERED_ONLINE_BY = _("%(contact)s answered online. %(text)s")
ANSWER_REASON = _("Reason: %(customer_reason)s.")
ANSWER_PROMISE = _("Promises to pay %(amount)s on %(date)s.")
THE_INVOICES = _("the invoices")
ANSWER_PLAN = _("Asks for a payment plan in %(count)s instalments.")
ANSWER_QUESTION = _("Asks a question.")
ANSWER_MESSAGE = _("%(text)s Message: %(message)s")
# What a salesperson or collector records on an invoice (the date stays ISO, as the database has it).
INVOICE_LATE_PROMISED = _("%(invoice)s: late because of %(reason)s; payment promised on %(date)s.")
INVOICE_LATE = _("%(invoice)s: late because of %(reason)s.")
INVOICE_PROMISED = _("%(invoice)s: payment promised on %(date)s.")
INVOICE_ANSWER_CLEARED = _("%(invoice)s: the delay reason and the promise were cleared.")
# A customer in manual-only mode: the step a person sends instead (models/res_partner_collections.py).
MANUAL_ONLY_SEND_IT = _("%(customer)s is in manual-only mode: the policy's %(step)s was not sent. "
                        "Send it yourself if it is right.")
MANUAL_ONLY_NOT_SENT = _("Manual-only customer: %(step)s not sent automatically, the collections owner was asked.")
BROKEN_PROMISE_STEP = _("The policy's step for a broken promise: %(step)s.")
# A queued email taken back (models/dunning_mail_queue.py).
MAIL_NOT_SENT = _("The email “%(subject)s” was not sent: %(why)s.")
CASE_CLOSED = _("the case is closed")
CASE_PAUSED = _("the case is paused")
INVOICES_SETTLED = _("its invoices are paid or credited")
# A case handed over to a collection agency, and what the agency reports on it.
HANDED_OVER = _("Handed over to the collection agency by %(user)s: no more reminders or charges from us; "
                "the agency's file is attached.")
HANDOVER_FILE = _("Hand-over file for the collection agency.")
AGENCY_PAID = _("The agency reports: %(agency_status)s. The case stays closed.")
AGENCY_PARTLY = _("The agency reports: %(agency_status)s. The rest stays with the agency.")
AGENCY_RETURNED = _("The agency reports: %(agency_status)s. The next run follows the invoices up again in a new case.")
# What a credit-information provider said that collections must act on (models/credit_observation.py).
CREDIT_REGISTER = _("The trade register now says: %(registry_status)s (source %(source)s, %(date)s).")
CREDIT_RATING = _("The credit rating dropped from %(before)s to %(after)s (source %(source)s, %(date)s).")
# A customer the step's channel cannot reach (models/dunning_channel.py, dunning_channel_letter.py).
CHANNEL_FALLBACK = _("%(channel)s not possible (%(missing)s): %(fallback)s instead.")
NO_EMAIL = _("no email address")
NO_MOBILE = _("no mobile number")
NO_SMS_APP = _("the SMS app is not installed")
NO_FALLBACK = _("nothing")
LETTER_NOT_POSTED = _("The letter is not posted: Odoo's snailmail app is not installed. Print the attached letter.")
LETTER_READY = _("Collection letter %(template)s ready to post to %(customer)s.")
# The daily run and one customer (models/dunning_case_needs_attention.py).
RUN_FAILED = _("The daily run failed for this customer and went on with the others: %(error)s. Nothing is sent to "
               "it until the cause is fixed; the run tries it again alone every day.")
RUN_RECOVERED = _("The daily run works again for this customer.")
# A payment plan (models/dunning_payment_plan*.py, dunning_case_portal_plan.py); an instalment is "date: amount".
PLAN_DESCRIBED = _("%(count)s instalments, %(amount)s (%(lines)s).")
PLAN_COMPLETED = _("The payment plan is completed.")
PLAN_ALL_PAID = _("Every instalment of the payment plan is paid: %(plan)s")
PLAN_BROKEN = _("An instalment of the payment plan is late: the plan is broken. %(plan)s")
ANSWER_PLAN_OUTSIDE = _("Asks a person for a payment plan outside the limits (%(problems)s): %(lines)s.")
ANSWER_PLAN_AGREED = _("Agreed to a payment plan: %(lines)s.")
ANSWER_PLAN_CHOSEN = _("Chose a payment plan for a person to approve: %(lines)s.")
# A promise broken (models/dunning_promise.py), a deal's answer (models/dunning_sales_deal.py).
PROMISE_BROKEN = _("The promise to pay %(amount)s by %(date)s is broken: %(paid)s paid.")
DEAL_HELD = _("%(user)s holds %(step)s for the deal until %(date)s.")
DEAL_APPROVED = _("%(user)s approved %(step)s: it goes on despite the open deal.")
RESUMED_BY = _("Resumed by %(user)s.")
# What the run charged less than a step asks, and why (models/dunning_charge.py); amounts are nested money().
FEE_CAPPED = _("The step asks a reminder fee of %(asked)s; %(profile)s allows at most %(limit)s, so %(limit)s is "
               "charged.")
FEE_TOO_EARLY = _("No reminder fee is charged: the oldest invoice is only %(days)s days overdue and %(profile)s "
                  "allows the first charged reminder %(limit)s days after the due date.")
FEE_TOO_SOON = _("No reminder fee is charged: the previous one was charged %(days)s days ago and %(profile)s asks "
                 "for at least %(limit)s days between charged reminders.")
COMPENSATION_CAPPED = _("The step asks a recovery compensation of %(asked)s; %(profile)s allows at most %(limit)s, "
                        "so %(limit)s is charged.")
COMPENSATION_NOT_FOR_CONSUMERS = _("No recovery compensation is charged: %(profile)s allows none from consumers.")
MARGIN_CAPPED = _("The policy's interest margin of %(asked)s points is above the %(limit)s points %(profile)s "
                  "allows; %(limit)s points are used.")
NO_MARGIN = _("No interest is charged: neither the policy nor a legal profile gives an interest margin.")
NO_REFERENCE_RATE = _("Some days of interest on invoice %(invoice)s are not charged: the reference rate table has no "
                      "current rate for them. Add the rate under Collections > Configuration > Reference rates.")
CHARGES_NOT_POSTED = _("The charges are recorded but not posted: the company has no sales journal with an income "
                       "account.")
# An email the mail server refused (models/mail_mail.py), a step not sent (models/dunning_case_steps.py).
MAIL_FAILED = _("The email “%(subject)s” could not be sent: %(error)s")
MAIL_NOT_RETRIED = _("It may have reached the mail server all the same, so it is not queued again: check with the "
                     "customer before sending it again by hand.")
PROMOTION_REFUSED = _("The step was not sent: its template %(template)s contains sales promotion, and %(profile)s "
                      "forbids sales promotion in collection messages to consumers.")
# The salesperson's note of their customer's portal answer or broken promise (models/dunning_sales_answers.py).
SALESPERSON_ANSWERED = _("Your customer %(customer)s answered online.")
SALESPERSON_PROMISE_BROKEN = _("Your customer %(customer)s broke a promise to pay.")
# A credit hold's approval asked, given, refused, on the quotation or invoice (models/credit_hold.py).
CREDIT_APPROVAL_REQUESTED = _("Credit approval requested: %(reason)s")
CREDIT_APPROVED_BY = _("Credit approved by %(user)s.")
CREDIT_REFUSED_BY = _("Credit refused by %(user)s.")


def to_data(text):
    """``text`` (a Text, a person's words or nothing) as the JSON value the models store."""
    if text is None or text is False:
        return None
    if isinstance(text, Listed):
        listed = {"l": [to_data(part) for part in text.parts]}
        return listed if text.sep == ", " else {**listed, "sep": text.sep}
    if isinstance(text, Joined):
        return {"j": [to_data(part) for part in text.parts]}
    if isinstance(text, Text):
        return {"t": text.template, "v": {name: _value_data(value) for name, value in text.values.items()}}
    return {"s": str(text)}


def _value_data(value):
    if isinstance(value, Text):
        return to_data(value)
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def money(amount):
    """``amount`` in the company's currency, as a value of a sentence whose own value names are not amounts."""
    return Text("%(amount)s", amount=amount)


def instalments(pairs):
    """``(date, amount)`` pairs as a sentence's list: ``15/07/2026: 100,00 €, 15/08/2026: 100,00 €``."""
    return Listed(*(Text("%(date)s: %(amount)s", date=day, amount=amount) for day, amount in pairs))


def is_written(data):
    """Whether ``data`` holds words as written (by a person, or a text stored before texts were data)."""
    return isinstance(data, dict) and "s" in data


def step_title(step):
    """How people know a step of the policy: ``Letter 'Final notice'``, ``Activity for the salesperson``."""
    if step.template and step.send in STEP_TITLES:
        return Text(STEP_TITLES[step.send], template=step.template)
    return Text(_("Activity for %(to)s"), to=step.to or "finance")


def step_done(step, invoice_count):
    """The trail's sentence for a step done: ``Sent the letter 'Final notice' about 2 invoice(s).``"""
    if step.template and step.send in STEPS_DONE:
        return Text(STEPS_DONE[step.send], template=step.template, count=invoice_count)
    return Text(_("Asked %(to)s to follow the customer up about %(count)s invoice(s)."),
                to=step.to or "finance", count=invoice_count)


class Reader:
    """Renders stored texts in the language of ``env``, keys as their labels (one per batch: labels are cached)."""

    def __init__(self, env, company=None):
        self.env = env
        self.company = company or env.company
        self._labels = {}

    def render(self, data):
        """The sentence ``data`` (see the module docstring) says, in the reader's language; ``""`` for nothing."""
        if not data:
            return ""
        if isinstance(data, str):
            return data
        if "s" in data:
            return data["s"] or ""
        if "j" in data:
            return "; ".join(filter(None, (self.render(part) for part in data["j"])))
        if "l" in data:
            return data.get("sep", ", ").join(filter(None, (self.render(part) for part in data["l"])))
        template = data.get("t") or ""
        if not template:
            return ""
        translated = self.env._(template)  # the reader's words; formatted below, with the values as they read them
        raw = data.get("v") or {}
        # amounts beside a currency code ("EUR 300.00") are in that currency, not the company's: number only
        in_currency = bool(raw.get("currency"))
        values = {name: self._value(name, value, in_currency) for name, value in raw.items()}
        for name in AMOUNTS:
            if isinstance(raw.get(name), int | float) and not isinstance(raw.get(name), bool):
                # The engine writes plain numbers (``%(credits).2f``); the reader sees money.
                translated = translated.replace(f"%({name}).2f", f"%({name})s")
        return translated % values if values else translated

    def line(self, label, data):
        """A chatter line: ``<b>label</b>: sentence``, escaped."""
        return Markup("<b>%s</b>: %s") % (label, self.render(data))

    def _value(self, name, value, in_currency=False):
        if isinstance(value, dict) and "d" in value:
            return format_date(self.env, datetime.date.fromisoformat(value["d"]))
        if isinstance(value, dict):
            return self.render(value)
        if name in LABELLED and isinstance(value, str):
            return self.label(LABELLED[name], value)
        if name in AMOUNTS and isinstance(value, int | float) and not isinstance(value, bool):
            if in_currency:
                return formatLang(self.env, value)
            currency = self.company.currency_id
            return currency.format(value) if currency else f"{value:.2f}"
        return value

    def label(self, kind, key):
        """The label of ``key``, a key of ``kind`` (segment, reason, journey, template, channel...), in the
        reader's language; the key itself when nothing names it."""
        if (kind, key) not in self._labels:
            finders = {"segment": self._label_segment, "reason": self._label_reason, "journey": self._label_journey,
                       "template": self._label_template, "channel": self._label_channel, "actor": self._label_actor,
                       "outcome": self._label_outcome, "customer_reason": self._label_customer_reason,
                       "agency_status": self._label_agency_status, "registry_status": self._label_registry_status,
                       "failure_type": self._label_failure_type}
            self._labels[kind, key] = finders[kind](key) or key
        return self._labels[kind, key]

    def _label_segment(self, key):
        return self._record_name("dunning.segment", key)

    def _label_reason(self, key):
        return self._record_name("dunning.delay.reason", key)

    def _label_customer_reason(self, key):
        """A delay reason in the customer's words (its ``customer_label``), else its name."""
        reason = self._record("dunning.delay.reason", key)
        return reason.customer_label or reason.name

    def _record_name(self, model, key):
        return self._record(model, key).name

    def _record(self, model, key):
        return self.env[model].sudo().with_context(active_test=False).search(
            [("key", "=", key), ("company_id", "in", [self.company.id, False])], order="company_id", limit=1)

    def _label_journey(self, key):
        # the active version as it is: reading a label never installs the default policy
        spec = self.env["dunning.policy"].sudo()._active_policy(self.company)._get_spec()
        journey = spec.journey(key) if spec else None
        return policy_text(self.env, journey.label) if journey and journey.label else key

    def _label_template(self, key):
        template = self.env.ref(TEMPLATE_XMLID % key, raise_if_not_found=False)
        name = template.sudo().name if template else ""
        return name.split(": ", 1)[-1] if name else key

    def _label_channel(self, key):
        return self.env._(CHANNELS[key]) if key in CHANNELS else key

    def _label_actor(self, key):
        if key in ACTORS:
            return self.env._(ACTORS[key])
        if key.startswith(GROUP_PREFIX):
            group = self.env.ref(key[len(GROUP_PREFIX):], raise_if_not_found=False)
            return group.sudo().name if group else key
        return key

    def _label_outcome(self, key):
        return dict(self.env["dunning.case"]._fields["outcome"]._description_selection(self.env)).get(key)

    def _label_agency_status(self, key):
        return dict(self.env["dunning.case"]._fields["agency_status"]._description_selection(self.env)).get(key)

    def _label_registry_status(self, key):
        return dict(self.env["dunning.credit.observation"]._fields["registry_status"]._description_selection(
            self.env)).get(key)

    def _label_failure_type(self, key):
        return dict(self.env["mail.mail"]._fields["failure_type"]._description_selection(self.env)).get(key)
