"""The plan's own steps in the daily run: a note before each instalment, a thank-you, the broken and completed plan.

Called by the daily run after the payments are matched (:meth:`dunning.case._run_plans`):

1. instalments are matched with the invoices' payments (``dunning.payment.plan._match_payments``);
2. a friendly note goes to the customer ``remind_days_before`` days before each open instalment, once;
3. a thank-you goes for each instalment found paid today;
4. a plan broken today is an event, a To-Do for the owner and the policy's ``on_broken_plan`` step, once;
   its invoices are back in the journey;
5. a completed plan closes the case with the outcome payment plan (its invoices are all paid).
"""

from datetime import timedelta

from markupsafe import escape

from odoo import api, models

from ..policy.schema import PlanSettings
from ..policy.text import Text
from ..texts import PLAN_ALL_PAID, PLAN_BROKEN, PLAN_COMPLETED, to_data

NOTE_TEMPLATE = "customer_aware_dunning.plan_instalment_note_mail_template"
THANKS_TEMPLATE = "customer_aware_dunning.plan_instalment_paid_mail_template"
MAIL_LAYOUT = "customer_aware_dunning.mail_notification_dunning"


class DunningCase(models.Model):
    _inherit = "dunning.case"

    @api.model
    def _plan_settings(self, spec):
        return spec.plans if spec else PlanSettings()

    @api.model
    def _run_plans(self, company, spec, today):
        """The day's work of the running payment plans of ``company`` (see the module docstring)."""
        settings = self._plan_settings(spec)
        Plan = self.env["dunning.payment.plan"].sudo()
        paid, broken, completed = Plan._match_payments(company, today, settings.broken_after_days)
        Instalment = self.env["dunning.payment.plan.instalment"].sudo()
        upcoming = Instalment.search([
            ("company_id", "=", company.id), ("plan_id.state", "in", ("agreed", "kept")), ("state", "=", "due"),
            ("reminded_on", "=", False), ("date", ">=", today),
            ("date", "<=", today + timedelta(days=settings.remind_days_before)),
        ])
        self._plan_mail(upcoming, NOTE_TEMPLATE, "plan_note")
        upcoming.write({"reminded_on": today})
        self._plan_mail(paid, THANKS_TEMPLATE, "plan_instalment_paid")
        self._plan_broken(broken, spec)
        for plan in completed:
            plan.case_id._log_on_plan_end("plan_completed", plan)
        # The daily sync closes a case once its invoices are paid (see _close); a plan can also complete first.
        closing = completed.case_id.filtered(lambda case: case.state != "closed")
        closing._close("payment_plan", today, Text(PLAN_COMPLETED))
        closing.write({"plan_paid_on": today})
        return paid, broken, completed

    def _close(self, outcome, today, reason):  # pylint: disable=missing-return
        """A running plan keeps its case open while its invoices owe anything ("nothing left to collect" is the
        engine's view: the plan's invoices are out of the journey); paid in full, it closes as payment plan."""
        planned = self.filtered(lambda case: case.live_payment_plan_id) if outcome == "paid" else self.browse()
        super(DunningCase, self - planned)._close(outcome, today, reason)
        planned = planned.filtered(lambda case: not case._collectable_invoices())
        if planned:
            super(DunningCase, planned)._close("payment_plan", today, Text(PLAN_COMPLETED))
            planned.write({"plan_paid_on": today})

    def _log_on_plan_end(self, kind, plan):
        """Record the plan's end on the case; returns the event's Text (read in the reader's language)."""
        template = {"plan_completed": PLAN_ALL_PAID, "plan_broken": PLAN_BROKEN}[kind]
        description = Text(template, plan=plan._describe())
        self._log_events(kind, {self.id: description})
        return description

    @api.model
    def _plan_mail(self, instalments, template_xmlid, kind):
        """The plan's email of ``template_xmlid`` for each of ``instalments``, on its case's chatter."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not instalments or not template:
            return
        subjects = template._render_field("subject", instalments.ids, compute_lang=True)
        bodies = template._render_field("body_html", instalments.ids, compute_lang=True)
        poster = self.with_context(mail_notify_force_send=False, mail_post_autofollow=False)
        Channel = self.env["dunning.channel"]
        for instalment in instalments:
            case = instalment.plan_id.case_id
            author, email_from = case._sender()
            case.with_env(poster.env).message_post(
                author_id=author.id, email_from=email_from or None, subject=subjects[instalment.id],
                body=bodies[instalment.id], partner_ids=case.partner_id.ids, reply_to=Channel._reply_to(case),
                message_type="comment", subtype_xmlid="mail.mt_comment", email_layout_xmlid=MAIL_LAYOUT,
            )
            case._log_events(kind, {case.id: subjects[instalment.id]})

    @api.model
    def _plan_broken(self, plans, spec):
        """Each broken plan: an event, a To-Do for the owner, and the policy's ``on_broken_plan`` step."""
        step = spec.on_broken_plan if spec else None
        descriptions = {plan: to_data(plan.case_id._log_on_plan_end("plan_broken", plan)) for plan in plans}
        owners = [(plan.case_id, plan.case_id.delay_reason_id.owner or "finance") for plan in plans]
        users = self.env["dunning.channel"]._actors(owners)  # one lookup per kind of owner, not per plan
        activities, readers = {}, {}
        for plan, user in zip(plans, users, strict=True):
            reader = self._reader(readers, user, plan.company_id)  # in the words of who acts
            activities[plan.case_id] = {
                "summary": reader.env._("Broken payment plan: %(customer)s",
                                        customer=plan.case_id.partner_id.display_name),
                "note": escape(reader.render(descriptions[plan])),
                "user_id": user.id,
            }
        self._schedule_activities(activities)
        reacting = [plan for plan in plans if step and plan.case_id.state != "closed"]
        if reacting:
            self.env["dunning.case"]._send_steps(spec, [
                (plan.case_id, step, plan.invoice_ids.filtered(lambda move: move.amount_residual > 0))
                for plan in reacting
            ], {  # an email of its own: its own Message-Id, and no charges of an earlier step listed again
                plan.case_id.id: {"step_key": f"broken_plan/{plan.id}", "charges": ""} for plan in reacting
            })
