"""The customer chooses a payment plan on the portal page: a preview, then one click to agree.

The answer kind ``plan`` carries ``instalments`` and ``first_date``; the schedule is
always computed here from what the invoices owe (the form never sends amounts).
Within the policy's bounds the plan is agreed at once when the bounds let the
customer serve themselves, else it is proposed for a person to approve; outside
the bounds the choice becomes a request for a person (an activity) and no plan.
Values no form would send (a count beyond :data:`PLAN_COUNT_LIMIT`, a date more
than a year away or in the past) are refused like every other hostile answer.
"""

from datetime import timedelta

from markupsafe import escape

from odoo import Command, models

from ..policy.payment_plans import bounds_for, propose_schedule
from ..policy.text import Listed, Text
from ..texts import (
    ANSWER_PLAN_AGREED,
    ANSWER_PLAN_CHOSEN,
    ANSWER_PLAN_OUTSIDE,
    ANSWERED_ONLINE,
    Reader,
    instalments,
    to_data,
)

PLAN_COUNT_LIMIT = 120  # instalments a customer may even ask a person for
PLAN_FIRST_DATE_LIMIT_DAYS = 365


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _plan_bounds(self):
        """The plan bounds of the active policy for this case's segment and main delay reason."""
        spec = self.env["dunning.policy"].sudo()._active_spec(self.company_id)
        return bounds_for(self._plan_settings(spec), self.segment_id.key, self.delay_reason_id.key)

    def _plan_preview(self, answer, today):
        """``(schedule, problems)`` for the customer's choice: ``(date, amount)`` pairs and texts in their language."""
        schedule, problems = self._plan_schedule(answer, today)
        reader = Reader(self.env)
        return schedule, [reader.render(to_data(text)) for text in problems]

    def _plan_schedule(self, answer, today):
        """``(schedule, problems)`` for the customer's choice: ``(date, amount)`` pairs and the engine's Texts."""
        self.ensure_one()
        owed = sum(self._collectable_invoices().mapped("amount_residual_signed"))
        instalments, problems = propose_schedule(
            owed, answer.get("instalments"), answer.get("first_date"), today, self._plan_bounds(),
            self.currency_id.rounding or 0.01,
        )
        return [(item.date, item.amount) for item in instalments], problems

    def _portal_check(self, kind, answer, today, now):
        if kind != "plan":
            return super()._portal_check(kind, answer, today, now)
        # What every answer must pass (a closed case, too many answers, a long message), checked as a question's.
        problem = super()._portal_check("question", {**answer, "message": answer.get("message") or "-"},
                                                today, now)
        if problem:
            return problem
        count, first = answer.get("instalments"), answer.get("first_date")
        if not isinstance(count, int) or not 2 <= count <= PLAN_COUNT_LIMIT:
            return self.env._("A payment plan can have 2 to %(max)s instalments.", max=PLAN_COUNT_LIMIT)
        last = today + timedelta(days=PLAN_FIRST_DATE_LIMIT_DAYS)
        if not first or not today <= first <= last:
            return self.env._("Please choose a date between %(first)s and %(last)s.", first=today, last=last)
        if self.live_payment_plan_id:
            return self.env._("A payment plan is already running for these invoices.")
        return ""

    def _portal_answer(self, kind, answer, today, now):
        if kind != "plan":
            return super()._portal_answer(kind, answer, today, now)
        self.ensure_one()
        case = self.sudo()
        problem = case._portal_check(kind, answer, today, now)
        if problem:
            return problem
        schedule, problems = case._plan_schedule(answer, today)
        if not schedule:
            return Reader(self.env).render(to_data(problems[0]))
        bounds = case._plan_bounds()
        lines = instalments(schedule)  # dates and amounts as data: each reader reads them in their language
        if problems:
            text = Text(ANSWER_PLAN_OUTSIDE, problems=Listed(*problems, sep=" "), lines=lines)
            plan = self.env["dunning.payment.plan"]
        elif bounds.self_serve:
            plan = self.env["dunning.payment.plan"]._create_plans(case, schedule, "portal", agreed_on=today)
            text = Text(ANSWER_PLAN_AGREED, lines=lines)
        else:
            plan = self.env["dunning.payment.plan"]._create_plans(case, schedule, "portal")
            text = Text(ANSWER_PLAN_CHOSEN, lines=lines)
        description = Text(ANSWERED_ONLINE, text=text)
        case._log_events("customer_answer", {case.id: description},
                         invoice_ids=[Command.set(case._collectable_invoices().ids)])
        if not plan or plan.state == "proposed":
            user = case.collector_id or case.user_id or self.env["dunning.channel"]._finance_user(case.company_id)
            env = self.with_context(lang=user.lang or self.env.lang).env  # in the words of who acts
            case.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=today,
                summary=env._("Payment plan to decide: %(customer)s", customer=case.partner_id.display_name),
                note=escape(Reader(env, case.company_id).render(to_data(description))), user_id=user.id,
            )
        return ""
