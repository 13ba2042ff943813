import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..access import check_collections_manager, is_collections_manager
from ..policy.engine import CLOSE, HOLD, NEED_APPROVAL, SEND_STEP, Decision, parse_step_key
from ..policy.schema import CASE_STATES, OUTCOMES, PortalSettings
from ..policy.text import Text
from ..translate import render_text

_logger = logging.getLogger(__name__)

# Not a step template: no "mail_template_" prefix, so policies cannot name it.
SATISFACTION_TEMPLATE = "customer_aware_dunning.satisfaction_mail_template"
PORTAL_ANSWER_KINDS = ("reason", "promise", "payment_plan", "question")
PORTAL_TEXT_LIMIT = 2000  # characters of a customer's message
PORTAL_ANSWERS_PER_HOUR = 5  # per case, counted from its "customer_answer" events
SATISFACTION_GRACE_DAYS = 7  # a case closed longer ago than the delay plus this is not asked any more
# Failures of an email that sending again can cure: the mail server's, not the address's (none: no connection).
RETRIED_MAIL_FAILURES = (False, "unknown", "mail_smtp")


class DunningCase(models.Model):
    """A customer's collection case in one company, open while it has overdue invoices.

    Call order of the daily work: facts are refreshed (``dunning.partner.facts``),
    then :meth:`_sync_open_cases` opens a case for every customer with an overdue
    invoice that is not excluded, attaches new overdue invoices to the open case,
    and closes the cases whose invoices are all settled (outcome ``paid``).
    Every change is a :class:`dunning.case.event` and a line on the chatter.
    """

    _name = "dunning.case"
    _description = "Collection Case"
    _inherit = ["portal.mixin", "rating.mixin", "mail.activity.mixin"]  # rating.mixin brings mail.thread
    _order = "state_rank, next_action_date, amount_overdue desc, id desc"

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", tracking=True)
    collector_id = fields.Many2one("res.users", string="Collections owner", tracking=True)
    state = fields.Selection(CASE_STATES, required=True, default="open", readonly=True, tracking=True)
    state_rank = fields.Integer(compute="_compute_state_rank", store=True)
    segment_id = fields.Many2one("dunning.segment", readonly=True, tracking=True)
    journey = fields.Char(readonly=True, tracking=True)
    current_step = fields.Char(readonly=True, help="The last step done in the journey.")
    next_action_date = fields.Date(readonly=True, tracking=True)
    pause_until = fields.Date(readonly=True)
    pause_reason = fields.Char(readonly=True)
    delay_reason_id = fields.Many2one(
        "dunning.delay.reason", string="Main delay reason", compute="_compute_delay_reason_id", store=True,
        help="The reason given for the case's oldest invoice that has one.",
    )
    outcome = fields.Selection(OUTCOMES, readonly=True, tracking=True)
    opened_on = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    closed_on = fields.Date(readonly=True)
    amount_at_open = fields.Monetary(readonly=True, help="Overdue amount when the case opened.")
    amount_added = fields.Monetary(readonly=True, help="Residual of the invoices that went overdue later.")
    amount_overdue = fields.Monetary(readonly=True, help="What the case's invoices still owe.")
    amount_recovered = fields.Monetary(readonly=True)
    policy_version = fields.Char(readonly=True)
    invoice_ids = fields.One2many("account.move", "dunning_case_id", string="Invoices", readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    event_ids = fields.One2many("dunning.case.event", "case_id", string="Events", readonly=True)
    charge_ids = fields.One2many("dunning.charge", "case_id", string="Charges", readonly=True)
    step_invoice_ids = fields.Many2many(
        "account.move", "dunning_case_step_invoice_rel", "case_id", "move_id", string="Invoices of the last step",
        readonly=True, help="The invoices the last message covered: what the customer was written about.",
    )
    paused_by = fields.Selection(
        [("hand", "By hand"), ("policy", "The policy (delay reason or promise)")], readonly=True,
        help="A pause set by hand lasts until someone resumes the case; the policy's pauses end by themselves.",
    )
    pending_step_key = fields.Char(readonly=True, help="The step waiting for an approval.")
    pending_step = fields.Char("Step to approve", readonly=True)
    satisfaction_requested_on = fields.Date(
        "Satisfaction asked on", readonly=True, copy=False,
        help="When the customer was asked to rate the experience: only once per case.",
    )
    repurchase_invoiced = fields.Monetary(
        "Invoiced after", readonly=True, copy=False,
        help="Untaxed amount invoiced (minus credit notes) to the customer in the policy's window after closing.",
    )
    repurchase_ordered = fields.Monetary(
        "Ordered after", readonly=True, copy=False,
        help="Untaxed amount of the customer's confirmed sales orders in the policy's window after closing.",
    )
    before_invoiced = fields.Monetary(
        "Invoiced before", readonly=True, copy=False,
        help="The same as 'Invoiced after', in a window of the same length before the case opened.",
    )
    before_ordered = fields.Monetary(
        "Ordered before", readonly=True, copy=False,
        help="The same as 'Ordered after', in a window of the same length before the case opened.",
    )
    repurchase_measured_on = fields.Date("Purchases measured on", readonly=True, copy=False)
    customer_lost = fields.Boolean(
        readonly=True, copy=False,
        help="The window after closing is over and the customer bought nothing in it.",
    )

    _one_open_case_per_customer = models.UniqueIndex(
        "(partner_id, company_id) WHERE state != 'closed'",
        "A customer has at most one open collection case per company.",
    )

    @api.depends("state")
    def _compute_state_rank(self):
        ranks = {"waiting_approval": 0, "open": 1, "paused": 2, "closed": 3}
        for case in self:
            case.state_rank = ranks.get(case.state, 9)

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/collections/{case.id}"

    @api.depends("invoice_ids.dunning_delay_reason_id", "invoice_ids.invoice_date_due")
    def _compute_delay_reason_id(self):
        for case in self:
            given = case.invoice_ids.filtered("dunning_delay_reason_id").sorted(lambda move: move.invoice_date_due)
            case.delay_reason_id = given[:1].dunning_delay_reason_id

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("dunning_case_id", "in", self.ids)], ["dunning_case_id"], ["__count"]
            )
        )
        for case in self:
            case.invoice_count = counts.get(case, 0)

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new) == new]
        for vals, name in zip(unnamed, self._next_names(len(unnamed)), strict=True):
            vals["name"] = name or new
        return super().create(vals_list)

    @api.model
    def _next_names(self, count):
        """``count`` case references in one query (the daily run opens hundreds of cases at once).

        The case sequence is a standard one: its numbers come from its PostgreSQL
        sequence; any other kind (no gap, date ranges) goes one by one.
        """
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", "dunning.case"), ("company_id", "in", [self.env.company.id, False])],
                                   order="company_id", limit=1)
        if not count or not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return [Sequence.next_by_code("dunning.case") for _index in range(count)]
        numbers = self.env.execute_query(SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count,
        ))
        return [sequence.get_next_char(number) for number, in numbers]

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

    # ------------------------------------------------------------------ trail

    def _log_events(self, kind, descriptions, per_case=None, **values):
        """Record one event per case and the same line on each case's chatter.

        ``descriptions`` maps case id to its text; ``values`` are shared event
        fields, ``per_case`` maps case id to fields of that case's event only.
        Messages are logged in one batch, not one post per case.
        """
        per_case = per_case or {}
        events = self.env["dunning.case.event"].sudo().create([
            {"case_id": case.id, "kind": kind, "description": descriptions[case.id], **values,
             **per_case.get(case.id, {})}
            for case in self
        ])
        label = dict(self.env["dunning.case.event"]._fields["kind"]._description_selection(self.env))[kind]
        self._message_log_batch(
            bodies={
                case.id: Markup("<b>%s</b>: %s") % (label, descriptions[case.id]) for case in self
            },
        )
        return events

    # ------------------------------------------------------------------ lifecycle

    @api.model
    def _overdue_invoices_domain(self, company, today):
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("dunning_excluded", "=", False),
            ("dunning_held_by_outcome", "=", False),
        ]

    @api.model
    def _sync_open_cases(self, company, today):
        """Open, extend and close cases so they match the overdue invoices of ``company`` today."""
        Move = self.env["account.move"]
        overdue = dict(
            Move._read_group(self._overdue_invoices_domain(company, today), ["commercial_partner_id"], ["id:recordset"])
        )
        open_cases = self.search([("company_id", "=", company.id), ("state", "!=", "closed")])
        by_partner = {case.partner_id: case for case in open_cases}

        new_partners = [partner for partner in overdue if partner not in by_partner]
        opened = self._open_cases(company, today, {p: overdue[p] for p in new_partners})

        still_open = open_cases.filtered(lambda case: case.partner_id in overdue)
        joining = {case: overdue[case.partner_id] - case.invoice_ids for case in still_open}
        joining = {case: invoices for case, invoices in joining.items() if invoices}
        for case, invoices in joining.items():
            case.amount_added += sum(invoices.mapped("amount_residual_signed"))
        self._link_invoices(joining)
        (still_open | opened)._refresh_amounts()

        settled = (open_cases - still_open).filtered(lambda case: not case._collectable_invoices())
        settled._close("paid", today, _("Every invoice of the case is settled."))
        return opened, settled

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

    def _collectable_invoices(self):
        """The case's invoices still to be paid and not excluded from follow-up."""
        return self.invoice_ids.filtered(lambda move: move.amount_residual > 0 and not move.dunning_excluded)

    def _open_cases(self, company, today, invoices_by_partner):
        if not invoices_by_partner:
            return self.browse()
        # The "opened" event below is the case's first chatter line; the run need not follow every case it opens.
        cases = self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create([
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "user_id": partner.user_id.id,
                "segment_id": partner.with_company(company).dunning_segment_id.id,
                "opened_on": today,
                "amount_at_open": sum(invoices.mapped("amount_residual_signed")),
            }
            for partner, invoices in invoices_by_partner.items()
        ])
        self._link_invoices(dict(zip(cases, invoices_by_partner.values(), strict=True)))
        cases._log_events("opened", {
            case.id: self.env._(
                "%(count)s overdue invoice(s), %(amount)s.",
                count=len(case.invoice_ids), amount=case._format_amount(case.amount_at_open),
            ) if case.invoice_ids else self.env._("Opened for a notice before the due date.")
            for case in cases
        })
        return cases

    def _refresh_amounts(self):
        for case in self:
            case.amount_overdue = sum(case.invoice_ids.mapped("amount_residual_signed"))
            case.amount_recovered = case.amount_at_open + case.amount_added - case.amount_overdue

    def _close(self, outcome, today, reason):
        if not self:
            return
        self._refresh_amounts()
        self.write({"state": "closed", "outcome": outcome, "closed_on": today, "next_action_date": False})
        outcome_label = dict(self._fields["outcome"]._description_selection(self.env))[outcome]
        self._log_events("closed", {
            case.id: self.env._(
                "Outcome: %(outcome)s. %(reason)s Recovered %(amount)s.",
                outcome=outcome_label, reason=reason, amount=case._format_amount(case.amount_recovered),
            )
            for case in self
        })

    def _format_amount(self, amount):
        return self.currency_id.format(amount) if self.currency_id else str(amount)

    # ------------------------------------------------------------------ acting on the engine's decisions

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
        for partner, decision in decisions.items():
            case = cases.get(partner)
            if case and case.state != "closed":
                next_date = (next_dates or {}).get(partner, decision.next_date) or False
                if case.next_action_date != next_date:
                    case.next_action_date = next_date

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
        for case in changed:
            case.write({"state": "paused", "paused_by": "policy", "pause_reason": reasons[case],
                        "pause_until": decisions[case].next_date or False})
        changed._log_events("paused", {case.id: reasons[case] for case in changed},
                            per_case={case.id: {"rule": reasons[case]} for case in changed},
                            policy_version=version)
        self._dunning_schedule_activities({
            case: {
                "summary": (self.env._("Apply the credit or reconcile: %(customer)s",
                                       customer=case.partner_id.display_name)
                            if decisions[case].held_by == "credits" else
                            self.env._("Collections paused: %(customer)s", customer=case.partner_id.display_name)),
                "note": reasons[case],
                "user_id": self.env["dunning.channel"]._actor(case, decisions[case].owner).id,
            }
            for case in changed if decisions[case].owner
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
        for case, decision in items:
            case.write({"state": "waiting_approval", "pending_step_key": decision.step_key,
                        "pending_step": render_text(self.env, decision.step.label(decision.step_index))})
        self._dunning_schedule_activities({
            case: {
                "summary": self.env._("Approve: %(step)s", step=case.pending_step),
                "note": reasons[case.id],
                "user_id": self.env["dunning.channel"]._actor(case, decision.step.approve).id,
            }
            for case, decision in items
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

    @api.model
    def _link_invoices(self, invoices_by_case):
        """Attach invoices to their cases in one statement (an ORM write per case would re-check every move)."""
        pairs = [(case.id, move.id) for case, moves in invoices_by_case.items() for move in moves]
        if not pairs:
            return
        moves = self.env["account.move"].browse(pair[1] for pair in pairs)
        moves.flush_recordset(["dunning_case_id"])
        self.env.cr.execute(SQL(
            """
            UPDATE account_move SET dunning_case_id = link.case_id
              FROM unnest(%s::int[], %s::int[]) AS link(case_id, move_id)
             WHERE account_move.id = link.move_id
            """,
            [pair[0] for pair in pairs], [pair[1] for pair in pairs],
        ))
        moves.invalidate_recordset(["dunning_case_id"])
        self.browse({pair[0] for pair in pairs}).invalidate_recordset(["invoice_ids"])
        moves.modified(["dunning_case_id"])  # what depends on a case's invoices follows

    # ------------------------------------------------------------------ people in the loop

    def _check_can_approve(self):
        """Managers approve every step; others only the ones they were asked to approve."""
        if is_collections_manager(self.env):
            return
        asked = self.activity_ids.filtered(lambda activity: activity.user_id == self.env.user)
        if not asked:
            raise AccessError(_("Only the person asked to approve this step, or a Collections manager, can answer."))

    def action_dunning_approve(self):
        """Approve the step waiting on each case: it is done now, through its channel."""
        for case in self:
            if case.state != "waiting_approval":
                raise UserError(_("%(case)s is not waiting for an approval.", case=case.display_name))
            case._check_can_approve()
        approved_by = _("Approved by %(user)s.", user=self.env.user.name)
        for case in self.sudo():
            policy = self.env["dunning.policy"].sudo()._active_for(case.company_id)
            spec = policy._get_spec()
            key = parse_step_key(case.pending_step_key)
            journey = spec.journey(key.journey) if spec and key else None
            if journey is None or key.index >= len(journey.steps):
                raise UserError(_("The active policy no longer has the step to approve: hold the case instead."))
            step = journey.steps[key.index]
            # What was owed when the step was asked for may be paid or credited since: only what is still owed goes.
            owed = self.env["account.move"].browse(key.invoice_ids).exists().filtered(
                lambda invoice: invoice.amount_residual > 0 and not invoice.dunning_excluded)
            decision = Decision(SEND_STEP, Text("%(step)s: %(approval)s", step=step.label(key.index),
                                                approval=approved_by), journey=key.journey,
                                step_index=key.index, step=step, step_key=case.pending_step_key,
                                invoice_ids=tuple(sorted(owed.ids)))
            case._dunning_close_approval_activities(approved_by)
            case.write({"state": "open", "pending_step_key": False, "pending_step": False})
            if not owed:
                case._log_events("step_skipped", {case.id: self.env._(
                    "%(step)s approved but not done: its invoices are paid or credited.",
                    step=render_text(self.env, step.label(key.index)))}, policy_version=policy.display_name)
                continue
            case._log_events("approved", {case.id: render_text(self.env, decision.text)},
                             policy_version=policy.display_name)
            self._dunning_do_steps(spec, policy.display_name, [(case, decision)])
        return True

    def action_dunning_hold(self, reason):
        """Hold each case (its pending step is not done): it waits until someone resumes it."""
        for case in self:
            if case.state == "closed":
                raise UserError(_("%(case)s is closed.", case=case.display_name))
            if case.state == "waiting_approval":
                case._check_can_approve()
            else:
                check_collections_manager(self.env, _("Only Collections managers can pause a collection case by hand."))
        why = _("Held by %(user)s: %(reason)s", user=self.env.user.name, reason=reason)
        cases = self.sudo()
        for case in cases.filtered("pending_step_key"):
            case._dunning_close_approval_activities(why)
        cases.write({"state": "paused", "paused_by": "hand", "pause_reason": why, "pause_until": False,
                     "pending_step_key": False, "pending_step": False})
        cases._log_events("held", dict.fromkeys(cases.ids, why))
        return True

    def action_dunning_resume(self):
        """Resume cases paused by hand: the next run decides again."""
        check_collections_manager(self.env, _("Only Collections managers can resume a collection case by hand."))
        paused = self.sudo().filtered(lambda case: case.state == "paused")
        paused._dunning_resume(_("Resumed by %(user)s.", user=self.env.user.name))
        return True

    def action_dunning_run_now(self):
        """Run today's collections for the current company now: the daily job's own entry point.

        A list header button: the web client sends the selected ids (none, most often), which do not
        narrow the run: it is the company's."""
        self._check_manager()
        company = self.env.company
        run = self.env["dunning.run"].sudo().with_company(company)
        customers = run._customers_to_follow_up(company)
        if customers > run._run_now_limit():
            self.env.ref("customer_aware_dunning.ir_cron_dunning_daily_run").sudo()._trigger()
            _logger.info("Run now for %s: %d customers to follow up, the scheduled job was started instead",
                         company.name, customers)
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "message": _("%(company)s has %(count)s customers to follow up, too many to wait for here: "
                                 "the daily run has started in the background, and the cases update batch by "
                                 "batch as it works.", company=company.name, count=customers),
                    "type": "info",
                },
            }
        done = run._run_company(company, fields.Date.context_today(self))
        if done is None:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "message": _("A collections run is already working on %(company)s: its cases will be up to "
                                 "date when it ends.", company=company.name),
                    "type": "warning",
                },
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _("Collections are up to date for %(company)s.", company=company.name),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_hold_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Hold collection case"),
            "res_model": "dunning.case.hold",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }

    def _dunning_close_approval_activities(self, feedback):
        """Mark the approval requests of the pending step done, with the answer as feedback."""
        summary = _("Approve: %(step)s", step=self.pending_step)
        self.activity_ids.filtered(lambda activity: activity.summary == summary).action_feedback(feedback=feedback)

    # ------------------------------------------------------------------ buttons

    def _check_manager(self):
        check_collections_manager(self.env, _("Only Collections managers can do this."))

    def action_close(self, outcome, note=""):
        """Close by hand (Collections managers), with one of the outcomes."""
        self._check_manager()
        if outcome not in dict(OUTCOMES):
            raise UserError(_("Unknown outcome %s.", outcome))
        open_cases = self.filtered(lambda case: case.state != "closed")
        if not open_cases:
            raise UserError(_("These cases are already closed."))
        reason = _("Closed by %(user)s. %(note)s", user=self.env.user.name, note=note or "")
        open_cases._close(outcome, fields.Date.context_today(self), reason)

    def action_open_close_wizard(self):
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Close collection case"),
            "res_model": "dunning.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice")
        action.update(domain=[("dunning_case_id", "=", self.id)], context={"create": False})
        return action

    # ------------------------------------------------------------------ rating

    def _rating_get_partner(self):
        return self.partner_id

    # ------------------------------------------------------------------ the customer's answers (portal)

    def _dunning_portal_settings(self):
        spec = self.env["dunning.policy"].sudo()._active_spec(self.company_id)
        return spec.portal if spec else PortalSettings()

    def _dunning_portal_reasons(self):
        """The active policy's delay reasons a customer may give, in its order: ``{key: dunning.delay.reason}``."""
        spec = self.env["dunning.policy"].sudo()._active_spec(self.company_id)
        records = self.env["dunning.delay.reason"].sudo()._for_company(self.company_id)
        keys = [reason.key for reason in spec.delay_reasons] if spec else []
        return {key: records[key] for key in keys if key in records and records[key].active}

    def _dunning_portal_answers_left(self, now):
        """How many more answers the customer may send within the hour (events of the last hour count)."""
        recent = self.env["dunning.case.event"].sudo().search_count([
            ("case_id", "=", self.id), ("kind", "=", "customer_answer"), ("date", ">", now - timedelta(hours=1)),
        ])
        return max(PORTAL_ANSWERS_PER_HOUR - recent, 0)

    def _dunning_portal_check(self, kind, answer, today, now):
        """The problem with ``answer`` (a dict of parsed form values), worded for the customer, or ``""``."""
        limits = self._dunning_portal_settings()
        message = answer.get("message") or ""
        if self.state == "closed":
            return self.env._("This case is closed: nothing is left to answer. Thank you!")
        if kind not in PORTAL_ANSWER_KINDS:
            return self.env._("Unknown kind of answer.")
        if not self._dunning_portal_answers_left(now):
            return self.env._(
                "You have sent several answers in the last hour: please wait a little before sending more."
            )
        if len(message) > PORTAL_TEXT_LIMIT:
            return self.env._("Please keep your message under %(limit)s characters.", limit=PORTAL_TEXT_LIMIT)
        if kind == "reason" and answer.get("reason") not in self._dunning_portal_reasons():
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

    def _dunning_portal_answer(self, kind, answer, today, now):
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
        problem = case._dunning_portal_check(kind, answer, today, now)
        if problem:
            return problem
        invoices = case._collectable_invoices()
        message = (answer.get("message") or "").strip()
        reason = case._dunning_portal_reasons().get(answer.get("reason")) if kind == "reason" else None
        if kind == "reason":
            note = {"dunning_delay_note": message} if message else {}  # a staff note stays when nothing is added
            invoices.write({"dunning_delay_reason_id": reason.id, **note})
            text = self.env._("Reason: %(reason)s.", reason=reason.customer_label or reason.name)
        elif kind == "promise":
            case._dunning_record_promise(invoices, answer["promise_date"], answer.get("promise_amount"))
            amount = answer.get("promise_amount")
            text = self.env._("Promises to pay %(amount)s on %(date)s.", date=answer["promise_date"],
                      amount=case._format_amount(amount) if amount else self.env._("the invoices"))
        elif kind == "payment_plan":
            text = self.env._("Asks for a payment plan in %(count)s instalments.", count=answer["instalments"])
            invoices.write({"dunning_delay_note": f"{text} {message}".strip()})
        else:
            text = self.env._("Asks a question.")
        if message:
            text = self.env._("%(text)s Message: %(message)s", text=text, message=message)
        description = self.env._("The customer answered online. %(text)s", text=text)
        case._log_events("customer_answer", {case.id: description}, invoice_ids=[Command.set(invoices.ids)])
        owner = reason.owner if reason else False
        user = self.env["dunning.channel"]._actor(case, owner) if owner else (
            case.user_id or case.collector_id or self.env["dunning.channel"]._finance_user(case.company_id))
        case.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=today,
            summary=self.env._("Customer answered: %(customer)s", customer=case.partner_id.display_name),
            note=escape(description),
            user_id=user.id,
        )
        case._dunning_hold_now(today)  # the customer sees the case paused now, not after the next run
        return ""

    def _dunning_record_promise(self, invoices, date, amount):
        """Every open invoice gets the promised date; the amount is spread over them, oldest due first."""
        left = amount
        for invoice in invoices.sorted(lambda move: (move.invoice_date_due or date, move.id)):
            share = min(left, invoice.amount_residual_signed) if left is not None else False
            invoice.write({"dunning_promise_date": date, "dunning_promise_amount": share or False})
            if left is not None:
                left = max(left - (share or 0), 0)

    # ------------------------------------------------------------------ after the case: satisfaction, repurchases

    @api.model
    def _dunning_after_close(self, company, spec, today):
        """The daily run's last step: ask closed cases for a rating and measure the customers' purchases."""
        if spec is None:
            return
        self._dunning_send_satisfaction_requests(company, spec, today)
        self._dunning_measure_repurchases(company, spec, today)

    @api.model
    def _dunning_send_satisfaction_requests(self, company, spec, today):
        """Send the thank-you message with the rating links, once per case, for the outcomes the policy names.

        Cases closed ``ask_days_after_close`` days ago or more are asked, unless they
        closed more than :data:`SATISFACTION_GRACE_DAYS` days before that (a late
        question would puzzle the customer, and installing the module does not write
        to every customer of the past). Returns the cases asked.
        """
        settings = spec.satisfaction
        template = self.env.ref(SATISFACTION_TEMPLATE, raise_if_not_found=False)
        if not settings.enabled or not settings.ask_on_outcomes or not template:
            return self.browse()
        last = today - timedelta(days=settings.ask_days_after_close)
        cases = self.search([
            ("company_id", "=", company.id),
            ("state", "=", "closed"),
            ("satisfaction_requested_on", "=", False),
            ("outcome", "in", list(settings.ask_on_outcomes)),
            ("settled_on", "<=", last),  # a payment plan waits for its last payment
            ("settled_on", ">=", last - timedelta(days=SATISFACTION_GRACE_DAYS)),
            ("partner_id.email", "!=", False),
        ])
        if not cases:
            return cases
        cases.write({"satisfaction_requested_on": today})
        for case in cases:
            case.rating_send_request(template, lang=case.partner_id.lang, force_send=False)
        cases._log_events("satisfaction_requested", dict.fromkeys(
            cases.ids, self.env._("The customer was asked to rate the experience.")))
        return cases

    @api.model
    def _dunning_measure_repurchases(self, company, spec, today):
        """Measure, in one statement, what every closed case's customer bought before and after the case.

        After: invoiced (posted invoices minus credit notes, untaxed, company
        currency) and ordered (confirmed sales orders, untaxed, company currency) in
        the ``repurchase_window_days`` after closing; before: the same in a window of
        the same length before opening. A case whose window ended before its last
        measure is final and left alone. ``customer_lost``: the window is over and
        the customer bought nothing in it.
        """
        window = spec.satisfaction.repurchase_window_days
        self.flush_model()
        self.env["account.move"].flush_model(["commercial_partner_id", "company_id", "state", "move_type",
                                              "invoice_date", "amount_untaxed_signed"])
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state", "date_order", "amount_untaxed",
                                            "currency_rate"])
        self.env.cr.execute(SQL(
            """
            WITH target AS (
                SELECT id, partner_id, opened_on - %(window)s AS before_from, opened_on - 1 AS before_to,
                       closed_on + 1 AS after_from, closed_on + %(window)s AS after_to
                  FROM dunning_case
                 WHERE company_id = %(company)s AND state = 'closed' AND closed_on IS NOT NULL
                   AND (repurchase_measured_on IS NULL OR repurchase_measured_on <= closed_on + %(window)s)
            ),
            invoiced AS (
                SELECT target.id,
                       SUM(move.amount_untaxed_signed) FILTER (WHERE move.invoice_date >= target.after_from)
                           AS after_amount,
                       SUM(move.amount_untaxed_signed) FILTER (WHERE move.invoice_date <= target.before_to)
                           AS before_amount
                  FROM target
                  JOIN account_move move
                    ON move.commercial_partner_id = target.partner_id
                   AND move.company_id = %(company)s
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND (move.invoice_date BETWEEN target.after_from AND target.after_to
                        OR move.invoice_date BETWEEN target.before_from AND target.before_to)
                 GROUP BY target.id
            ),
            ordered AS (
                SELECT target.id,
                       SUM(sale.amount_untaxed / COALESCE(NULLIF(sale.currency_rate, 0), 1))
                           FILTER (WHERE sale.date_order::date >= target.after_from) AS after_amount,
                       SUM(sale.amount_untaxed / COALESCE(NULLIF(sale.currency_rate, 0), 1))
                           FILTER (WHERE sale.date_order::date <= target.before_to) AS before_amount
                  FROM target
                  JOIN res_partner buyer ON buyer.commercial_partner_id = target.partner_id
                  JOIN sale_order sale
                    ON sale.partner_id = buyer.id
                   AND sale.company_id = %(company)s
                   AND sale.state = 'sale'
                   AND (sale.date_order::date BETWEEN target.after_from AND target.after_to
                        OR sale.date_order::date BETWEEN target.before_from AND target.before_to)
                 GROUP BY target.id
            )
            UPDATE dunning_case
               SET repurchase_invoiced = COALESCE(invoiced.after_amount, 0),
                   before_invoiced = COALESCE(invoiced.before_amount, 0),
                   repurchase_ordered = COALESCE(ordered.after_amount, 0),
                   before_ordered = COALESCE(ordered.before_amount, 0),
                   repurchase_measured_on = %(today)s,
                   customer_lost = target.after_to < %(today)s
                                   AND COALESCE(invoiced.after_amount, 0) <= 0
                                   AND COALESCE(ordered.after_amount, 0) <= 0
              FROM target
              LEFT JOIN invoiced ON invoiced.id = target.id
              LEFT JOIN ordered ON ordered.id = target.id
             WHERE dunning_case.id = target.id
            RETURNING dunning_case.id
            """,
            window=window, company=company.id, today=today,
        ))
        measured = self.browse(row[0] for row in self.env.cr.fetchall())
        measured.invalidate_recordset([
            "repurchase_invoiced", "before_invoiced", "repurchase_ordered", "before_ordered",
            "repurchase_measured_on", "customer_lost",
        ])
        return measured
