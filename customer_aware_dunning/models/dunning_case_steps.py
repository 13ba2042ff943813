"""Acting on the engine's decisions: steps sent, holds, approvals asked, activities."""

import logging
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..policy.engine import CLOSE, HOLD, NEED_APPROVAL, SEND_STEP
from ..policy.text import Text
from ..texts import (
    MAILS_REQUEUED,
    NOTHING_LEFT,
    PAUSE_GONE,
    PROMOTION_REFUSED,
    WAITS_FOR_APPROVAL,
    Reader,
    is_written,
    step_done,
    step_title,
    to_data,
)
from .mail_message import COLLECTIONS_LABEL

# Failures of an email known to have happened before any mail server accepted it: Odoo could not connect to the
# server (mail.mail.send leaves the email's own failure type empty then, its notifications say "mail_smtp"). Any
# failure once sending began ("unknown" above all: mail.mail._send writes it before it sends) may have come after
# the server accepted the message, and queuing it again could send it twice (README, "Reliability").
RETRIED_MAIL_FAILURES = (False, "mail_smtp")

_logger = logging.getLogger(__name__)


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _schedule_activities(self, values):
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
    def _requeue_failed_mails(self, company):
        """Queue again the emails to the customers of open cases of ``company`` that the mail server could not send.

        Odoo's mail queue leaves a failed email aside (state ``exception``, a red
        envelope on the chatter) until someone retries it: the daily run does it
        for collection emails that failed before reaching the server (it could
        not connect), once a day, with Odoo's own retry, and each case says so.
        An email that may have been accepted is left for a person to check.
        Emails of closed or paused cases stay aside: the customer paid or
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
        cases._log_events("mail_retried", dict.fromkeys(cases.ids, Text(MAILS_REQUEUED)))
        return cases

    @api.model
    def _apply(self, company, policy, spec, today, decisions):
        """Carry out the engine's ``decisions`` (``{partner: Decision}``) for ``company``, each kind in a batch.

        Steps are recorded with their key before anything is sent, and the
        database refuses a key twice in a case, so a step is never done twice.
        Each case's next action date is its decision's ``next_date`` (for a step
        sent today: when the journey moves on after it).
        """
        by_kind = defaultdict(dict)
        for partner, decision in decisions.items():
            by_kind[decision.kind][partner] = decision
        cases = self._cases_by_partner(company, decisions)
        acting = {**by_kind[SEND_STEP], **by_kind[NEED_APPROVAL]}
        cases.update(self._open_for_notice(company, today, [p for p in acting if p not in cases]))
        version = policy.display_name

        held = {cases[p]: d for p, d in by_kind[HOLD].items() if p in cases}
        self.union(*held)._hold_by_policy(held, version)
        moving = self.union(*(case for p, case in cases.items() if p not in by_kind[HOLD]))
        moving.filtered(lambda case: case.state == "paused" and case.paused_by == "policy")._resume(
            Text(PAUSE_GONE), version
        )
        self.union(*(cases[p] for p in by_kind[CLOSE] if p in cases))._close(
            "paid", today, Text(NOTHING_LEFT)
        )
        self._request_approvals(spec, version, [(cases[p], d) for p, d in by_kind[NEED_APPROVAL].items()],
                                        policy=policy)
        self._do_steps(spec, version, [(cases[p], d) for p, d in by_kind[SEND_STEP].items()], today=today)
        moved = defaultdict(list)  # one write per date, not per case
        for partner, decision in decisions.items():
            case = cases.get(partner)
            if case and case.state != "closed":
                next_date = decision.next_date or False
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

    def _hold_by_policy(self, decisions, version):
        """Pause the cases a delay reason or a payment promise holds (a pause by hand or an approval stays as is).

        A hold is new when its date, or its text's template or values, differ from the case's pause.
        """
        texts = {case: to_data(decisions[case].text) for case in self}

        def is_new(case):
            if case.state == "open":
                return True
            if case.paused_by != "policy":
                return False
            if case.pause_until != (decisions[case].next_date or False):
                return True
            return case.pause_reason_data != texts[case] and not is_written(case.pause_reason_data)

        changed = self.filtered(is_new)
        # the state in one write (the mail queue takes back the cases' queued emails once), then each case's why
        changed.write({"state": "paused", "paused_by": "policy"})
        for case in changed:
            case.write({"pause_reason_data": texts[case], "pause_until": decisions[case].next_date or False})
        # A pause stored before texts were data keeps its date: its words become data without a new event.
        for case in (self - changed).filtered(lambda case: case.paused_by == "policy"
                                              and is_written(case.pause_reason_data)):
            case.pause_reason_data = texts[case]
        changed._log_events("paused", {case.id: decisions[case].text for case in changed},
                            per_case={case.id: {"rule_data": texts[case]} for case in changed},
                            policy_version=version)
        activities = {}
        owned = changed.filtered(lambda case: decisions[case].owner)
        actors = self.env["dunning.channel"]._actors([(case, decisions[case].owner) for case in owned])
        readers = {}
        for case, user in zip(owned, actors, strict=True):
            reader = self._reader(readers, user, case.company_id)  # the assignee reads it
            customer = case.partner_id.display_name
            activities[case] = {
                "summary": (reader.env._("Apply the credit or reconcile: %(customer)s", customer=customer)
                            if decisions[case].held_by == "credits" else
                            reader.env._("Collections paused: %(customer)s", customer=customer)),
                "note": reader.render(texts[case]),
                "user_id": user.id,
            }
        self._schedule_activities(activities)

    def _reader(self, readers, user, company):
        """The :class:`Reader` of ``user``'s language for ``company``, one per batch in ``readers``: a reader
        caches the labels it looks up, so a batch reads each segment, reason or template name once."""
        lang = user.lang or self.env.lang
        if (lang, company) not in readers:
            readers[lang, company] = Reader(self.with_context(lang=lang).env, company)
        return readers[lang, company]

    def _resume(self, why, version=False):
        if not self:
            return
        self.write({"state": "open", "paused_by": False, "pause_until": False, "pause_reason_data": None})
        self._log_events("resumed", dict.fromkeys(self.ids, why), policy_version=version)

    @api.model
    def _request_approvals(self, spec, version, items, policy=None):
        """Park each step that needs an approval and ask the approver with an activity.

        ``policy``: the version asking; approving sends its step (see ``pending_policy_id``).
        """
        activities = {}
        actors = self.env["dunning.channel"]._actors([(case, decision.step.approve) for case, decision in items])
        readers = {}
        for (case, decision), user in zip(items, actors, strict=True):
            title = to_data(step_title(decision.step))
            case.write({"state": "waiting_approval", "pending_step_key": decision.step_key,
                        "pending_policy_id": policy.id if policy else False, "pending_step_data": title})
            reader = self._reader(readers, user, case.company_id)
            activities[case] = {
                "summary": reader.env._("Approve: %(step)s", step=reader.render(title)),
                "note": reader.render(to_data(decision.text)),
                "user_id": user.id,
            }
        self._schedule_activities(activities)
        cases = self.union(*(case for case, _decision in items))
        cases._log_events("approval_requested", {
            case.id: Text(WAITS_FOR_APPROVAL, step=step_title(decision.step), approver=decision.step.approve)
            for case, decision in items
        }, per_case={
            case.id: {"rule_data": to_data(decision.text), "journey": decision.journey,
                      "step_index": decision.step_index}
            for case, decision in items
        }, policy_version=version)

    @api.model
    def _do_steps(self, spec, version, items, today=None):
        """Record each step with its key, then send it through its channel: ``items`` are ``(case, Decision)``.

        A step's charges (fee, compensation, interest) are computed, clamped to
        the legal profile and recorded before the message goes, which itemises them.
        """
        if not items:
            return
        cases = self.union(*(case for case, _decision in items))
        invoices = {case.id: self.env["account.move"].browse(decision.invoice_ids) for case, decision in items}
        sentences = {case.id: step_done(decision.step, len(decision.invoice_ids)) for case, decision in items}
        events = cases._log_events("step", sentences, per_case={
            case.id: {
                "step_key": decision.step_key,
                "journey": decision.journey,
                "step_index": decision.step_index,
                "channel": decision.step.send,
                "harsh": decision.step.harsh,
                "invoice_ids": [Command.set(decision.invoice_ids)],
                "rule_data": to_data(decision.text),
            }
            for case, decision in items
        }, policy_version=version)
        # only the cases an invoice joins: a write of the same amount cost every step an ORM write
        joining = {case: moves for case, _decision in items if (moves := invoices[case.id] - case.invoice_ids)}
        for case, moves in joining.items():
            case.amount_added += sum(moves.mapped("amount_residual_signed"))
        self._link_invoices(joining)
        by_step, titles = defaultdict(lambda: self.browse()), {}
        for case, decision in items:
            by_step[decision.journey, decision.step_index] |= case
            titles[decision.journey, decision.step_index] = to_data(step_title(decision.step))
        for (journey, index), group in by_step.items():
            group.write({"journey": journey, "current_step_data": titles[journey, index], "policy_version": version})
        cases._refresh_amounts()
        _charges, notes, itemised = self.env["dunning.charge"]._charge_steps(
            spec, items, events, today or fields.Date.context_today(self))
        self._log_notes(notes, "note")
        items = self._refuse_promotion(items)
        self._send_steps(spec, [(case, decision.step, invoices[case.id]) for case, decision in items], {
            case.id: {"step_key": decision.step_key, "charges": itemised.get(case.id, "")} for case, decision in items
        })
        reader = Reader(self.env)
        texts = {case.partner_id.id: to_data(sentences[case.id]) for case in cases}
        messages = self.env["res.partner"].union(*(case.partner_id for case in cases))._message_log_batch(bodies={
            partner_id: reader.line(self.env._("Collections"), text) for partner_id, text in texts.items()
        })
        messages._dunning_keep_texts({message.id: {"kind": COLLECTIONS_LABEL, "text": texts[message.res_id]}
                                      for message in messages})

    @api.model
    def _send_steps(self, spec, steps, steps_done=None):
        """Send ``steps`` (``(case, step, invoices)``) by their channels and record what the channels say happened.

        ``steps_done``: ``{case id: {"step_key", "charges"}}`` of the steps just recorded (their key, their
        itemised charges); a step sent outside the engine's decisions (a broken promise's or plan's) is given a
        key of its own by its caller (``broken_promise/<id>``), else it takes the case's last step's. What an
        email needs besides its template is prepared here and handed down (:meth:`_mail_inputs`): the channel
        asks nothing back.
        """
        Channel = self.env["dunning.channel"]
        routes, fallbacks = Channel._route_steps(spec, steps)
        self._log_notes(fallbacks, "fallback")
        # what the emails and letters are about, for their templates
        written = {case: moves for channel in ("email", "letter") for case, _step, moves in routes.get(channel, ())}
        if written:
            self.union(*written)._set_step_invoices({case.id: moves for case, moves in written.items()})
        emailed = self.union(*(case for case, _step, _moves in routes.get("email", ())))
        sent = Channel._send_routes(routes, self._mail_inputs(emailed, steps_done or {}))
        self._schedule_activities(sent["activities"])
        self._log_notes(sent["notes"], "fallback")

    @api.model
    def _mail_inputs(self, cases, steps_done):
        """``{case id: {author, email_from, step_key, charges, offer}}``: what the email of each of ``cases`` needs
        besides its template: the sender (:meth:`_sender`), the step's key (its Message-Id) and
        itemised charges (``steps_done``, else the case's last step's), the payment plan offered, if any."""
        if not cases:
            return {}
        inputs = {case_id: dict(done) for case_id, done in steps_done.items()}
        others = cases.filtered(lambda case: case.id not in inputs)
        if others:
            events = self.env["dunning.case.event"].sudo().search_read(
                [("case_id", "in", others.ids), ("step_key", "!=", False)], ["case_id", "step_key"],
                order="id desc", load=None,
            )
            charges = self.env["dunning.charge"]._lines_for_message(others)
            for case in others:
                inputs[case.id] = {"step_key": False, "charges": charges.get(case.id, "")}
            for event in reversed(events):  # the latest event of each case last: it wins
                inputs[event["case_id"]]["step_key"] = event["step_key"]
        offers = cases._plan_offers()
        for case in cases:
            author, email_from = case._sender()
            inputs[case.id].update(author=author, email_from=email_from, offer=offers.get(case.id))
        return inputs

    @api.model
    def _log_notes(self, notes, kind):
        """Record ``notes`` (``(case, description)`` or ``(case, description, channel)``) as events of ``kind``."""
        for case, description, *channel in notes:
            case._log_events(kind, {case.id: description}, **({"channel": channel[0]} if channel else {}))

    @api.model
    def _refuse_promotion(self, items):
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
            case._log_events("note", {case.id: Text(PROMOTION_REFUSED, template=decision.step.template,
                                                    profile=profile.name)})
            _logger.warning("Collections: %s not sent to consumer %s (promotional template %s)",
                            decision.step_key, case.partner_id.id, decision.step.template)
        return [item for item in items if item not in refused]

    def _set_step_invoices(self, invoices_by_case):
        """What each case's message is about: one statement for the whole batch."""
        self.flush_recordset(["step_invoice_ids"])
        pairs = [(case.id, move.id) for case in self for move in invoices_by_case[case.id]]
        self.env.cr.execute(SQL("DELETE FROM dunning_case_step_invoice_rel WHERE case_id = ANY(%s)", self.ids))
        self.env.cr.execute(SQL(
            "INSERT INTO dunning_case_step_invoice_rel (case_id, move_id) SELECT * FROM unnest(%s::int[], %s::int[])",
            [pair[0] for pair in pairs], [pair[1] for pair in pairs],
        ))
        self.invalidate_recordset(["step_invoice_ids"])
