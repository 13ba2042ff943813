"""What a case says to the people who work it: what happens next, who acts and why, in a sentence.

Also the pending step as the policy has it (its template, channel and invoices), which the
approval preview and the collection letter printed by hand both use, so what a person sees
and prints is what the step sends.
"""

import contextlib

from odoo import _, api, fields, models
from odoo.tools import format_date

from ..access import is_collections_manager
from ..policy.engine import parse_step_key, resolve_step
from ..run_values import Rollback
from ..texts import Reader

# What a letter printed by hand says when the case has no step yet.
DEFAULT_LETTER_TEMPLATE = "gentle_reminder"


class DunningCase(models.Model):
    _inherit = "dunning.case"

    can_approve = fields.Boolean(
        compute="_compute_can_approve", help="Whether the current user may approve the step waiting on this case."
    )
    next_summary = fields.Char(
        "What happens next", compute="_compute_next_summary",
        help="What happens next on this case, who acts and why.",
    )

    journey_label = fields.Char(
        "Journey name", compute="_compute_journey_label",
        help="The journey the case follows, by the name the company's active policy gives it.",
    )

    @api.depends_context("lang")
    @api.depends("journey", "company_id")
    def _compute_journey_label(self):
        readers = {company: Reader(self.env, company) for company in self.company_id}
        for case in self:
            reader = readers.get(case.company_id)
            case.journey_label = reader.label("journey", case.journey) if reader and case.journey else False

    @api.depends_context("uid")
    @api.depends("state", "activity_ids.user_id")
    def _compute_can_approve(self):
        manager = is_collections_manager(self.env)
        for case in self:
            case.can_approve = case.state == "waiting_approval" and (
                manager or self.env.user in case.activity_ids.user_id
            )

    @api.depends_context("lang")
    @api.depends("state", "paused_by", "pause_until", "pause_reason_data", "pending_step_data", "next_action_date",
                 "collector_id", "closed_on", "outcome", "activity_ids.user_id")
    def _compute_next_summary(self):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for case in self:
            owner = case.collector_id.name or _("finance")
            if case.state == "closed":
                summary = _("Closed on %(date)s: %(outcome)s. Nothing more is sent.",
                            date=case._format_date(case.closed_on), outcome=outcomes.get(case.outcome, ""))
            elif case.state == "waiting_approval":
                approvers = case.activity_ids.user_id.mapped("name")
                summary = _("%(step)s waits for the approval of %(who)s: nothing is sent until then.",
                            step=case.pending_step or _("A step"),
                            who=", ".join(approvers) or _("a Collections manager"))
            elif case.state == "paused" and case.paused_by == "hand":
                summary = _("Paused by hand (%(reason)s): nothing is sent until a Collections manager resumes it.",
                            reason=case.pause_reason or _("no reason given"))
            elif case.state == "paused" and case.pause_until:
                summary = _("Paused until %(date)s (%(reason)s): then the daily run decides again.",
                            date=case._format_date(case.pause_until), reason=case.pause_reason or "")
            elif case.state == "paused":
                summary = _("Paused (%(reason)s): the daily run decides again when the reason is settled.",
                            reason=case.pause_reason or "")
            elif case.next_action_date:
                summary = _("Next step on %(date)s, by the daily run; %(owner)s follows the case up.",
                            date=case._format_date(case.next_action_date), owner=owner)
            else:
                summary = _("The daily run decides the next step; %(owner)s follows the case up.", owner=owner)
            case.next_summary = summary

    def _format_date(self, date):
        return format_date(self.env, date)

    # ------------------------------------------------------------------ the pending step

    def _pending_step(self):
        """``(step, invoices)`` of the step waiting on this case, as the active policy has it, or ``(None, None)``."""
        self.ensure_one()
        key = parse_step_key(self.pending_step_key)
        spec = self._asking_policy()._get_spec() if key else None
        resolved = resolve_step(spec, self.pending_step_key) if spec else None
        if resolved is None:
            return None, None
        invoices = self.env["account.move"].browse(sorted(key.invoice_ids)).exists()
        return resolved[1], invoices

    def _last_step(self):
        """The policy's step the case's last step event did, or ``None``."""
        self.ensure_one()
        event = self.env["dunning.case.event"].sudo().search(
            [("case_id", "=", self.id), ("kind", "=", "step"), ("journey", "!=", False)], limit=1
        )
        spec = self.env["dunning.policy"].sudo()._active_spec(self.company_id) if event else None
        resolved = resolve_step(spec, event.step_key) if spec and event.step_key else None
        return resolved[1] if resolved else None

    def _letter_template(self):
        """The template a letter printed by hand uses: the pending step's, else the last step's."""
        self.ensure_one()
        step, _invoices = self._pending_step()
        step = step if step and step.template else self._last_step()
        return step.template if step and step.template else DEFAULT_LETTER_TEMPLATE

    def _render_message(self, key, invoices=None):
        """``(subject, body)`` of template ``key`` for this case in the customer's language.

        With ``invoices``, the message covers them (as the step will) without changing the case:
        the statement is set in a savepoint that is rolled back.
        """
        self.ensure_one()
        template = self.env["dunning.channel"]._mail_template(key).sudo()
        if not template:
            return "", ""
        case = self.sudo()
        result = {}
        with contextlib.suppress(Rollback), self.env.cr.savepoint():
            if invoices:
                case._set_step_invoices({case.id: invoices})
            result["subject"] = template._render_field("subject", case.ids, compute_lang=True)[case.id]
            result["body"] = template._render_field("body_html", case.ids, compute_lang=True)[case.id]
            raise Rollback
        case.invalidate_recordset(["step_invoice_ids"])
        return result["subject"], result["body"]

    # ------------------------------------------------------------------ approving, as the web client does

    def action_open_approve_wizard(self):
        """Show what the pending step sends, and to whom, before approving it."""
        self.ensure_one()
        self._check_can_approve()
        return {
            "type": "ir.actions.act_window",
            "name": _("Approve and send"),
            "res_model": "dunning.case.approve",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    # ------------------------------------------------------------------ who writes to the customer

    def _sender(self):
        """``(author partner, From)`` of the case's messages to the customer: its collector when they have an
        email address, else the company, from its email, else the mail server's default sender address.

        Only a company with neither keeps the address of the user who ran the job as the From: a message
        with no sender address cannot leave Odoo's queue at all.
        """
        self.ensure_one()
        collector = self.collector_id
        if collector.email:
            return collector.partner_id, collector.email_formatted
        company = self.company_id
        return company.partner_id, (company.email_formatted or self.env["ir.mail_server"]._get_default_from_address()
                                    or self.env.user.email_formatted or False)

    # ------------------------------------------------------------------ an answer changes the case now

    def _hold_now(self, today=None):
        """Ask the policy again, now, whether what the customer told us holds these cases (the run model's to do)."""
        return self.env["dunning.run"]._hold_now(self, today)
