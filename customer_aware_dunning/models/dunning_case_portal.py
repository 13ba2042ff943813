"""The customer's answers from the portal page of a case: reasons, promises, plans, questions."""

from datetime import timedelta

from markupsafe import escape

from odoo import Command, models
from odoo.tools import format_date

from ..policy.schema import PortalSettings
from ..policy.text import Text
from ..texts import (
    ANSWER_MESSAGE,
    ANSWER_PLAN,
    ANSWER_PROMISE,
    ANSWER_QUESTION,
    ANSWER_REASON,
    ANSWERED_ONLINE,
    ANSWERED_ONLINE_BY,
    THE_INVOICES,
    Reader,
    to_data,
)

PORTAL_ANSWER_KINDS = ("reason", "promise", "payment_plan", "question")
PORTAL_TEXT_LIMIT = 2000  # characters of a customer's message
PORTAL_ANSWERS_PER_HOUR = 5  # per case, counted from its "customer_answer" events


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _portal_settings(self):
        spec = self.env["dunning.policy"].sudo()._active_spec(self.company_id)
        return spec.portal if spec else PortalSettings()

    def _portal_reasons(self):
        """The active policy's delay reasons a customer may give, in its order: ``{key: dunning.delay.reason}``."""
        spec = self.env["dunning.policy"].sudo()._active_spec(self.company_id)
        records = self.env["dunning.delay.reason"].sudo()._for_company(self.company_id)
        keys = [reason.key for reason in spec.delay_reasons] if spec else []
        return {key: records[key] for key in keys if key in records and records[key].active}

    def _portal_answers_left(self, now):
        """How many more answers the customer may send within the hour (events of the last hour count)."""
        recent = self.env["dunning.case.event"].sudo().search_count([
            ("case_id", "=", self.id), ("kind", "=", "customer_answer"), ("date", ">", now - timedelta(hours=1)),
        ])
        return max(PORTAL_ANSWERS_PER_HOUR - recent, 0)

    def _portal_check(self, kind, answer, today, now):
        """The problem with ``answer`` (a dict of parsed form values), worded for the customer, or ``""``."""
        limits = self._portal_settings()
        message = answer.get("message") or ""
        if self.state == "closed":
            return self.env._("This case is closed: nothing is left to answer. Thank you!")
        if kind not in PORTAL_ANSWER_KINDS:
            return self.env._("Unknown kind of answer.")
        if not self._portal_answers_left(now):
            return self.env._(
                "You have sent several answers in the last hour: please wait a little before sending more."
            )
        if len(message) > PORTAL_TEXT_LIMIT:
            return self.env._("Please keep your message under %(limit)s characters.", limit=PORTAL_TEXT_LIMIT)
        if kind == "reason" and answer.get("reason") not in self._portal_reasons():
            return self.env._("Please choose one of the reasons in the list.")
        if kind == "promise":
            promised_on, amount = answer.get("promise_date"), answer.get("promise_amount")
            last = today + timedelta(days=limits.max_promise_days)
            if not promised_on or not today <= promised_on <= last:
                return self.env._("Please choose a date between %(first)s and %(last)s.", first=today, last=last)
            owed = sum(self._collectable_invoices().mapped("amount_residual_signed"))
            if amount is not None and not 0 < amount <= owed:
                return self.env._("The amount must be positive and at most what the invoices still owe (%(owed)s).",
                          owed=self._format_amount(owed))
        if kind == "payment_plan" and not 2 <= (answer.get("instalments") or 0) <= limits.max_instalments:
            return self.env._("A payment plan can have 2 to %(max)s instalments.", max=limits.max_instalments)
        if kind == "question" and not message.strip():
            return self.env._("Please write your question.")
        return ""

    def _portal_answer(self, kind, answer, today, now):
        """Record the customer's answer from the portal page; returns the problem text, or ``""`` when done.

        ``answer`` holds parsed values: ``reason`` (a delay reason key), ``promise_date``,
        ``promise_amount``, ``instalments``, ``message``. The invoices change through
        ``account.move.write`` (the path staff use, which logs the answer on the case);
        the case gets a ``customer_answer`` event on its chatter and an activity for the
        owner the delay reason names, else the salesperson, else the collections owner.
        A hold the answer brings (a promise, a pausing reason) applies at once; the next daily run
        switches the journey as the policy says.
        """
        self.ensure_one()
        case = self.sudo()
        problem = case._portal_check(kind, answer, today, now)
        if problem:
            return problem
        invoices = case._collectable_invoices()
        message = (answer.get("message") or "").strip()
        reason = case._portal_reasons().get(answer.get("reason")) if kind == "reason" else None
        if kind == "reason":
            note = {"dunning_delay_note": message} if message else {}  # a staff note stays when nothing is added
            invoices.write({"dunning_delay_reason_id": reason.id, **note})
            text = Text(ANSWER_REASON, customer_reason=reason.key)
        elif kind == "promise":
            case._record_promise(invoices, answer["promise_date"], answer.get("promise_amount"))
            amount = answer.get("promise_amount")
            text = Text(ANSWER_PROMISE, date=answer["promise_date"], amount=amount or Text(THE_INVOICES))
        elif kind == "payment_plan":
            text = Text(ANSWER_PLAN, count=answer["instalments"])
            invoices.write({"dunning_delay_note": f"{Reader(self.env).render(to_data(text))} {message}".strip()})
        else:
            text = Text(ANSWER_QUESTION)
        if message:
            text = Text(ANSWER_MESSAGE, text=text, message=message)
        visitor = self._portal_visitor()  # who opened the link signed for them (recipient links)
        description = (Text(ANSWERED_ONLINE_BY, contact=visitor.name, text=text) if visitor
                       else Text(ANSWERED_ONLINE, text=text))
        case._log_events("customer_answer", {case.id: description}, invoice_ids=[Command.set(invoices.ids)])
        owner = reason.owner if reason else False
        user = self.env["dunning.channel"]._actor(case, owner) if owner else (
            case.user_id or case.collector_id or self.env["dunning.channel"]._finance_user(case.company_id))
        env = self.with_context(lang=user.lang or self.env.lang).env  # the To-Do in the words of who acts
        case.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=today,
            summary=env._("Customer answered: %(customer)s", customer=case.partner_id.display_name),
            note=escape(Reader(env, case.company_id).render(to_data(description))),
            user_id=user.id,
        )
        case._hold_now(today)  # the customer sees the case paused now, not after the next run
        return ""

    def _record_promise(self, invoices, date, amount):
        """Every open invoice gets the promised date; the amount is spread over them, oldest due first."""
        left = amount
        for invoice in invoices.sorted(lambda move: (move.invoice_date_due or date, move.id)):
            share = min(left, invoice.amount_residual_signed) if left is not None else False
            invoice.write({"dunning_promise_date": date, "dunning_promise_amount": share or False})
            if left is not None:
                left = max(left - (share or 0), 0)

    def _portal_told(self):
        """What the customer told us online, oldest first, as ``(date, sentence)`` in the language of ``env``."""
        self.ensure_one()
        reader = Reader(self.env, self.company_id)
        answers = self.sudo().event_ids.filtered(lambda event: event.kind == "customer_answer").sorted("id")
        told = []
        for event in answers:
            data = event.description_data or {}
            inner = data["v"]["text"] if data.get("t") in (ANSWERED_ONLINE, ANSWERED_ONLINE_BY) else data
            told.append((format_date(self.env, event.date.date()), reader.render(inner)))
        return told
