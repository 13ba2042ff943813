"""Acting on the engine's decisions: steps sent, holds, approvals asked, activities."""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.tools import SQL

from ..policy.engine import CLOSE, HOLD, NEED_APPROVAL, SEND_STEP
from ..translate import render_text

# Failures of an email that sending again can cure: the mail server's, not the address's (none: no connection).
RETRIED_MAIL_FAILURES = (False, "unknown", "mail_smtp")

_logger = logging.getLogger(__name__)


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _dunning_schedule_activities(self, values):
        """One To-Do per case of ``values`` (``{case: {summary, note, user_id}}``) in a single create.

        What ``activity_schedule`` does for one case, for the whole batch: the
        assignees are made followers once per user, not once per case.  The run
        makes To-Dos by the hundred, so, as Odoo's quick create does, it sends no
        "assigned to you" email for each: assignees find them in their activities
        (Odoo still pushes the new count to their browser).
        """
        if not values or self.env.context.get("mail_activity_automation_skip"):
            return self.env["mail.activity"]
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        deadline = fields.Date.context_today(self)
        return self.env["mail.activity"].with_context(mail_activity_quick_update=True).create([
            {"activity_type_id": todo.id, "automated": True, "date_deadline": deadline, "res_model_id": model_id,
             "res_id": case.id, **case_values}
            for case, case_values in values.items()
        ])

    @api.model
    def _dunning_requeue_failed_mails(self, company):
        """Queue again the emails to the customers of open cases of ``company`` that the mail server could not send.

        Odoo's mail queue leaves a failed email aside (state ``exception``, a red
        envelope on the chatter) until someone retries it: the daily run does it
        for collection emails, once a day, with Odoo's own retry, and each case
        says so. Emails of closed or paused cases stay aside: the customer paid or
        answered meanwhile, and what is left is a person's call.
        """
        mails = self.env["mail.mail"].sudo().search([
            ("state", "=", "exception"), ("model", "=", "dunning.case"), ("failure_type", "in", RETRIED_MAIL_FAILURES),
        ])._dunning_customer_mails()
        cases = self.search([("id", "in", mails.mapped("res_id")), ("company_id", "=", company.id),
                             ("state", "in", ("open", "waiting_approval"))])
        if not cases:
            return cases
        mails.filtered(lambda mail: mail.res_id in cases.ids).action_retry()
        cases._log_events("mail_retried", dict.fromkeys(
            cases.ids, self.env._("The emails the mail server could not send are queued again.")))
        return cases

    @api.model
    def _dunning_apply(self, company, policy, spec, today, decisions, next_dates=None):
        """Carry out the engine's ``decisions`` (``{partner: Decision}``) for ``company``, each kind in a batch.

        Steps are recorded with their key before anything is sent, and the
        database refuses a key twice in a case, so a step is never done twice.
        ``next_dates`` gives, per partner, when the journey moves on after the
        step done today.
        """
        by_kind = defaultdict(dict)
        for partner, decision in decisions.items():
            by_kind[decision.kind][partner] = decision
        cases = self._cases_by_partner(company, decisions)
        acting = {**by_kind[SEND_STEP], **by_kind[NEED_APPROVAL]}
        cases.update(self._open_for_notice(company, today, [p for p in acting if p not in cases]))
        version = policy.display_name

        held = {cases[p]: d for p, d in by_kind[HOLD].items() if p in cases}
        self.union(*held)._dunning_hold_by_policy(held, version)
        moving = self.union(*(case for p, case in cases.items() if p not in by_kind[HOLD]))
        moving.filtered(lambda case: case.state == "paused" and case.paused_by == "policy")._dunning_resume(
            _("The reason for the pause is gone."), version
        )
        self.union(*(cases[p] for p in by_kind[CLOSE] if p in cases))._close(
            "paid", today, _("Nothing is left to collect.")
        )
        self._dunning_request_approvals(spec, version, [(cases[p], d) for p, d in by_kind[NEED_APPROVAL].items()])
        self._dunning_do_steps(spec, version, [(cases[p], d) for p, d in by_kind[SEND_STEP].items()], today=today)
        moved = defaultdict(list)  # one write per date, not per case
        for partner, decision in decisions.items():
            case = cases.get(partner)
            if case and case.state != "closed":
                next_date = (next_dates or {}).get(partner, decision.next_date) or False
                if case.next_action_date != next_date:
                    moved[next_date].append(case.id)
        for next_date, case_ids in moved.items():
            self.browse(case_ids).write({"next_action_date": next_date})

    @api.model
    def _cases_by_partner(self, company, decisions):
        partners = self.env["res.partner"].union(*decisions)
        cases = self.search([("company_id", "=", company.id), ("state", "!=", "closed"),
                             ("partner_id", "in", partners.ids)])
        return {case.partner_id: case for case in cases}

    @api.model
    def _open_for_notice(self, company, today, partners):
        """Cases for customers whose first step comes before anything is overdue (a notice before the due date)."""
        if not partners:
            return {}
        cases = self._open_cases(company, today, dict.fromkeys(partners, self.env["account.move"]))
        return {case.partner_id: case for case in cases}

    def _dunning_hold_by_policy(self, decisions, version):
        """Pause the cases a delay reason or a payment promise holds (a pause by hand or an approval stays as is)."""
        reasons = {case: render_text(self.env, decisions[case].text) for case in self}
        changed = self.filtered(lambda case: case.state == "open" or (
            case.paused_by == "policy" and (
                case.pause_until != (decisions[case].next_date or False)
                or not case._dunning_says(case.pause_reason, decisions[case].text))))
        # the state in one write (the mail queue takes back the cases' queued emails once), then each case's why
        changed.write({"state": "paused", "paused_by": "policy"})
        for case in changed:
            case.write({"pause_reason": reasons[case], "pause_until": decisions[case].next_date or False})
        changed._log_events("paused", {case.id: reasons[case] for case in changed},
                            per_case={case.id: {"rule": reasons[case]} for case in changed},
                            policy_version=version)
        owned = [case for case in changed if decisions[case].owner]
        actors = self.env["dunning.channel"]._actors([(case, decisions[case].owner) for case in owned])
        self._dunning_schedule_activities({
            case: {
                "summary": (self.env._("Apply the credit or reconcile: %(customer)s",
                                       customer=case.partner_id.display_name)
                            if decisions[case].held_by == "credits" else
                            self.env._("Collections paused: %(customer)s", customer=case.partner_id.display_name)),
                "note": reasons[case],
                "user_id": user.id,
            }
            for case, user in zip(owned, actors, strict=True)
        })

    def _dunning_says(self, written, text):
        """Whether ``written`` is ``text`` in one of the active languages: the scheduled job writes in English,
        a manager's "Run now" in their own language, and the same words in another language are no change."""
        if written == str(text):
            return True
        return any(written == render_text(self.env(context={**self.env.context, "lang": lang}), text)
                   for lang, _name in self.env["res.lang"].get_installed() if lang != "en_US")

    def _dunning_resume(self, why, version=False):
        if not self:
            return
        self.write({"state": "open", "paused_by": False, "pause_until": False, "pause_reason": False})
        self._log_events("resumed", dict.fromkeys(self.ids, why), policy_version=version)

    @api.model
    def _dunning_request_approvals(self, spec, version, items):
        """Park each step that needs an approval and ask the approver with an activity."""
        reasons = {case.id: render_text(self.env, decision.text) for case, decision in items}
        waiting = defaultdict(lambda: self.browse())  # one write per step, not per case
        for case, decision in items:
            waiting[decision.step_key, render_text(self.env, decision.step.label(decision.step_index))] |= case
        for (step_key, label), group in waiting.items():
            group.write({"state": "waiting_approval", "pending_step_key": step_key, "pending_step": label})
        actors = self.env["dunning.channel"]._actors([(case, decision.step.approve) for case, decision in items])
        self._dunning_schedule_activities({
            case: {
                "summary": self.env._("Approve: %(step)s", step=case.pending_step),
                "note": reasons[case.id],
                "user_id": user.id,
            }
            for (case, decision), user in zip(items, actors, strict=True)
        })
        cases = self.union(*(case for case, _decision in items))
        cases._log_events("approval_requested", reasons, per_case={
            case.id: {"rule": reasons[case.id], "journey": decision.journey, "step_index": decision.step_index}
            for case, decision in items
        }, policy_version=version)

    @api.model
    def _dunning_do_steps(self, spec, version, items, today=None):
        """Record each step with its key, then send it through its channel: ``items`` are ``(case, Decision)``.

        A step's charges (fee, compensation, interest) are computed, clamped to
        the legal profile and recorded before the message goes, which itemises them.
        """
        if not items:
            return
        cases = self.union(*(case for case, _decision in items))
        invoices = {case.id: self.env["account.move"].browse(decision.invoice_ids) for case, decision in items}
        reasons = {case.id: render_text(self.env, decision.text) for case, decision in items}
        events = cases._log_events("step", reasons, per_case={
            case.id: {
                "step_key": decision.step_key,
                "journey": decision.journey,
                "step_index": decision.step_index,
                "channel": decision.step.send,
                "harsh": decision.step.harsh,
                "invoice_ids": [Command.set(decision.invoice_ids)],
                "rule": reasons[case.id],
            }
            for case, decision in items
        }, policy_version=version)
        joining = {case: invoices[case.id] - case.invoice_ids for case, _decision in items}
        for case, moves in joining.items():
            case.amount_added += sum(moves.mapped("amount_residual_signed"))
        self._link_invoices(joining)
        by_step = defaultdict(lambda: self.browse())
        for case, decision in items:
            by_step[decision.journey, render_text(self.env, decision.step.label(decision.step_index))] |= case
        for (journey, label), group in by_step.items():
            group.write({"journey": journey, "current_step": label, "policy_version": version})
        cases._refresh_amounts()
        self.env["dunning.charge"]._charge_steps(spec, items, events, today or fields.Date.context_today(self))
        items = self._dunning_refuse_promotion(items)
        self.env["dunning.channel"]._send_steps(
            spec, [(case, decision.step, invoices[case.id]) for case, decision in items]
        )
        self.env["res.partner"].union(*(case.partner_id for case in cases))._message_log_batch(bodies={
            case.partner_id.id: Markup("<b>%s</b>: %s") % (self.env._("Collections"), reasons[case.id])
            for case, decision in items
        })

    @api.model
    def _dunning_refuse_promotion(self, items):
        """``items`` without the steps that would send a template with sales promotion to a consumer.

        Where the company's legal profile forbids it, such a step is recorded
        but not sent, and the case says why (activation refuses such a policy;
        this holds even when a template is marked afterwards).
        """
        if not items:
            return items
        company = items[0][0].company_id
        profile = self.env["dunning.legal.profile"]._for_company(company)
        if not profile.consumer_no_promotion:
            return items
        promotional = self.env["dunning.policy"]._promotional_templates()
        refused = [(case, decision) for case, decision in items
                   if decision.step.template in promotional and case.partner_id.dunning_customer_type == "consumer"]
        for case, decision in refused:
            case._log_events("note", {case.id: _(
                "The step was not sent: its template %(template)s contains sales promotion, and %(profile)s "
                "forbids sales promotion in collection messages to consumers.",
                template=decision.step.template, profile=profile.name,
            )})
            _logger.warning("Collections: %s not sent to consumer %s (promotional template %s)",
                            decision.step_key, case.partner_id.id, decision.step.template)
        return [item for item in items if item not in refused]

    def _dunning_set_step_invoices(self, invoices_by_case):
        """What each case's message is about: one statement for the whole batch."""
        self.flush_recordset(["step_invoice_ids"])
        pairs = [(case.id, move.id) for case in self for move in invoices_by_case[case.id]]
        self.env.cr.execute(SQL("DELETE FROM dunning_case_step_invoice_rel WHERE case_id = ANY(%s)", self.ids))
        self.env.cr.execute(SQL(
            "INSERT INTO dunning_case_step_invoice_rel (case_id, move_id) SELECT * FROM unnest(%s::int[], %s::int[])",
            [pair[0] for pair in pairs], [pair[1] for pair in pairs],
        ))
        self.invalidate_recordset(["step_invoice_ids"])
