import base64
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models

from ..access import MANAGER_GROUP
from ..policy.schema import GROUP_PREFIX, is_group_actor
from ..translate import policy_text

LETTER_REPORT = "customer_aware_dunning.action_report_dunning_letter"
INVOICE_REPORT = "account.account_invoices"
TEMPLATE_XMLID = "customer_aware_dunning.mail_template_%s"
# The email layout of the messages to customers: it speaks of their invoices, not of a "collection case".
MAIL_LAYOUT = "customer_aware_dunning.mail_notification_dunning"


class DunningChannel(models.AbstractModel):
    """Carries out a due step through the mechanism Odoo already has for its channel.

    How to use: the case hands :meth:`_route_steps` the steps it has recorded
    (one ``dunning.case.event`` with a unique step key each), as ``(case, step,
    invoices)`` triples, and gets back the channel of each (the policy's fallback
    when the customer cannot be reached) with the fallbacks to record; it then
    hands the routes to :meth:`_send_routes`, which sends each channel's batch at
    once and returns what is left for the case to record: the To-Dos to schedule
    and the notes to log. A channel never calls back into the case model:

    * ``email``: the step's mail template, rendered for every case in one pass in
      the customer's language, posted on the case and queued by the mail queue;
      invoice PDFs attached when the step says ``attach: pdf``;
    * ``letter``: the QWeb collection letter, attached to the case;
    * ``activity``: a To-Do for the salesperson, the collections owner or a group;
    * ``sms``: Odoo's SMS app, when it is installed.
    """

    _name = "dunning.channel"
    _description = "Collections: channels"

    @api.model
    def _mail_template(self, key):
        return self.env.ref(TEMPLATE_XMLID % key, raise_if_not_found=False) or self.env["mail.template"]

    @api.model
    def _route_steps(self, spec, steps):
        """``(routes, fallbacks)`` of ``steps`` (``(case, step, invoices)``): ``routes`` maps each channel to its
        steps; ``fallbacks`` lists ``(case, description, channel)`` for each customer the step's own channel
        cannot reach, who gets the policy's fallback channels instead."""
        routes, fallbacks = defaultdict(list), []
        for case, step, invoices in steps:
            channels, fallback = self._reachable_channels(spec, case, step)
            if fallback:
                fallbacks.append((case, fallback, step.send))
            for channel in channels:
                routes[channel].append((case, step, invoices))
        return dict(routes), fallbacks

    @api.model
    def _send_routes(self, routes):
        """Send each channel's steps of ``routes``; returns ``{"activities": {case: values}, "notes": [(case,
        description, channel)]}``: the To-Dos to schedule and what to log on the cases, for the caller."""
        senders = {"email": self._send_emails, "letter": self._send_letters,
                   "activity": self._schedule_activities, "sms": self._send_sms}
        done = {"activities": {}, "notes": []}
        for channel, items in routes.items():
            result = senders[channel](items) or {}
            done["activities"].update(result.get("activities", {}))
            done["notes"].extend(result.get("notes", ()))
        return done

    def _reachable_channels(self, spec, case, step):
        """``(channels, fallback)``: the step's channel, or the policy's fallback channels and why, when the
        customer cannot be reached by it."""
        partner = case.partner_id
        if step.send == "email" and not self._recipients(case, step):
            missing, fallback = _("no email address"), spec.fallback.no_email
        elif step.send == "sms" and not (partner.mobile or partner.phone):
            missing, fallback = _("no mobile number"), spec.fallback.no_mobile
        elif step.send == "sms" and "sms.sms" not in self.env:
            missing, fallback = _("the SMS app is not installed"), spec.fallback.no_mobile
        else:
            return [step.send], None
        channels = [channel for channel in fallback if channel != step.send]
        return channels, _(
            "%(channel)s not possible (%(missing)s): %(fallback)s instead.",
            channel=step.send, missing=missing, fallback=", ".join(channels) or _("nothing"),
        )

    # ------------------------------------------------------------------ email

    def _send_emails(self, items):
        by_template = defaultdict(list)
        for case, step, invoices in items:
            by_template[step.template].append((case, step, invoices))
        poster = self.with_context(mail_notify_force_send=False, mail_post_autofollow=False)
        for key, group in by_template.items():
            cases = _cases(case for case, _step, _invoices in group)
            template = self._mail_template(key)
            subjects = template._render_field("subject", cases.ids, compute_lang=True)
            bodies = template._render_field("body_html", cases.ids, compute_lang=True)
            charges = self.env["dunning.charge"]._lines_for_message(cases)  # the step's itemised charges
            steps = [(case, invoices) for case, _step, invoices in group]
            credits = self.env["dunning.credit"]._lines_for_message(steps)
            how_to_pay = self.env["dunning.payment.details"]._blocks(steps)
            message_ids = self._dunning_message_ids(cases)  # models/dunning_channel_message_id.py
            offers = self._plan_offer_blocks(cases)  # the payment plan a delay reason offers
            for case, step, invoices in group:
                attachments = (poster._invoice_pdfs(invoices) if step.attach == "pdf"
                               else poster._statement_pdf(case) if step.attach == "statement" else [])
                author, email_from = case._dunning_sender()
                case.with_env(poster.env).message_post(
                    author_id=author.id,
                    email_from=email_from or None,
                    subject=subjects[case.id],
                    body=(bodies[case.id] + charges.get(case.id, "") + credits.get(case.id, "")
                          + offers.get(case.id, "") + how_to_pay.get(case.id, "")),
                    partner_ids=(self._recipients(case, step) | self._copies(case, step)).ids,
                    reply_to=self._reply_to(case),
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    attachment_ids=attachments,
                    email_layout_xmlid=MAIL_LAYOUT,
                    message_id=message_ids.get(case.id),
                )

    def _invoice_pdfs(self, invoices):
        """The invoices' own PDFs: the one Odoo kept when the invoice was sent, else printed now."""
        kept = invoices.invoice_pdf_report_id
        if not self.env.registry.ready:
            return kept.ids  # while modules load (the demo's run) no HTTP server answers wkhtmltopdf: kept PDFs only
        printed = self.env["ir.attachment"].create([
            {
                "name": invoice._get_invoice_report_filename(),
                "raw": self.env["ir.actions.report"]._render(INVOICE_REPORT, invoice.ids)[0],
                "res_model": "account.move",
                "res_id": invoice.id,
            }
            for invoice in invoices.filtered(lambda invoice: not invoice.invoice_pdf_report_id)
        ])
        return (kept | printed).ids

    def _statement_pdf(self, case):
        """The customer's statement of account, printed now, in its language (``attach: statement``)."""
        report = "customer_aware_dunning.action_report_dunning_statement_case"
        content = self.env["ir.actions.report"].with_context(lang=case.partner_id.lang)._render(report, case.ids)[0]
        return self.env["ir.attachment"].create({
            "name": _("Statement of account %(customer)s %(date)s.pdf", customer=case.partner_id.display_name,
                      date=fields.Date.context_today(self)),
            "raw": content, "res_model": "dunning.case", "res_id": case.id,
        }).ids

    # ------------------------------------------------------------------ letter

    def _send_letters(self, items):
        by_template = defaultdict(list)
        for case, step, invoices in items:
            by_template[step.template].append((case, invoices))
        by_post = {case.id: step.post for case, step, _invoices in items}
        notes = []
        for key, group in by_template.items():
            cases = _cases(case for case, _invoices in group)
            files = self._render_letters(cases, key)
            attachments = self.env["ir.attachment"].create([
                {
                    "name": _("Letter %(case)s %(date)s.%(ext)s", case=case.name,
                              date=fields.Date.context_today(self), ext=files[case.id][1]),
                    "datas": base64.b64encode(files[case.id][0]),
                    "res_model": "dunning.case",
                    "res_id": case.id,
                }
                for case in cases
            ])
            notes.extend(self._post_letters([(case, attachment) for case, attachment
                                             in zip(cases, attachments, strict=True) if by_post[case.id]]))
            for case, attachment in zip(cases, attachments, strict=True):
                case.message_post(
                    body=_("Collection letter %(template)s ready to post to %(customer)s.",
                           template=key, customer=case.partner_id.display_name),
                    attachment_ids=attachment.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
        return {"notes": notes}

    def _post_letters(self, letters):
        """Hand ``(case, attachment)`` letters to Odoo's snailmail app, whose queue posts them.

        Without the app nothing is posted: returns ``(case, description, channel)`` for each case to say
        so (a person prints the letter).
        """
        if not letters:
            return []
        if "snailmail.letter" not in self.env:
            why = _("The letter is not posted: Odoo's snailmail app is not installed. Print the attached letter.")
            return [(case, why, "letter") for case, _attachment in letters]
        self.env["snailmail.letter"].create([
            {
                "partner_id": self._invoice_address(case).id,
                "model": "dunning.case",
                "res_id": case.id,
                "company_id": case.company_id.id,
                "user_id": self.env.user.id,
                "attachment_id": attachment.id,
            }
            for case, attachment in letters
        ])
        return []

    def _render_letters(self, cases, key):
        """``{case id: (content, extension)}``: one PDF per case in one rendering pass."""
        report = self.env["ir.actions.report"]
        data = {"template": key}
        if not self.env.registry.ready:
            # A run while modules load (the demo's): no HTTP server answers wkhtmltopdf's requests for the
            # report's styles yet, and each letter would wait for its timeouts. The letter is kept as HTML.
            return {case.id: (report._render_qweb_html(LETTER_REPORT, case.ids, data=data)[0], "html")
                    for case in cases}
        rendered, kind = report._pre_render_qweb_pdf(LETTER_REPORT, cases.ids, data=data)
        if kind == "pdf":
            return {case_id: (stream["stream"].getvalue(), "pdf") for case_id, stream in rendered.items()}
        # Under the test runner Odoo renders HTML instead of calling wkhtmltopdf.
        return {case.id: (report._render_qweb_html(LETTER_REPORT, case.ids, data=data)[0], "html") for case in cases}

    # ------------------------------------------------------------------ activity

    def _schedule_activities(self, items):
        activities = {}
        actors = self._actors([(case, step.to) for case, step, _invoices in items])
        for (case, step, _invoices), user in zip(items, actors, strict=True):
            env = self.with_context(lang=user.lang or self.env.lang).env  # in the words of who acts
            activities[case] = {
                "summary": env._("Collections: %(customer)s", customer=case.partner_id.display_name),
                "note": policy_text(env, step.note) or env._("Follow up the customer's open invoices."),
                "user_id": user.id,
            }
        return {"activities": activities}

    @api.model
    def _actors(self, pairs):
        """The user acting for each ``(case, actor)`` of ``pairs``, in order: :meth:`_actor` once per kind of
        case (the same actor, salesperson, collections owner and company), not once per case of a batch."""
        found, users = {}, []
        for case, actor in pairs:
            key = (actor, case.user_id.id, case.collector_id.id, case.company_id.id)
            if key not in found:
                found[key] = self._actor(case, actor)
            users.append(found[key])
        return users

    @api.model
    def _actor(self, case, actor):
        """The user who acts for ``actor`` (finance, salesperson or group:<xml id>) on ``case``."""
        if actor == "salesperson" and case.user_id:
            return case.user_id
        if is_group_actor(actor):
            group = self.env.ref(actor[len(GROUP_PREFIX):], raise_if_not_found=False)
            members = group.all_user_ids if group else self.env["res.users"]
            members = members.filtered(lambda user: case.company_id in user.company_ids and not user.share)
            if case.collector_id in members:
                return case.collector_id
            if members:
                return members.sorted("id")[0]
        return case.collector_id or self._finance_user(case.company_id)

    @api.model
    def _finance_user(self, company):
        managers = self.env.ref(MANAGER_GROUP).all_user_ids.filtered(
            lambda user: company in user.company_ids and not user.share and user.active
        )
        return managers.sorted("id")[:1] or self.env.user

    # ------------------------------------------------------------------ sms

    def _send_sms(self, items):
        by_template = defaultdict(list)
        for case, step, invoices in items:
            by_template[step.template].append((case, invoices))
        for key, group in by_template.items():
            cases = _cases(case for case, _invoices in group)
            subjects = self._mail_template(key)._render_field("subject", cases.ids, compute_lang=True)
            for case in cases:
                body = _("%(subject)s: %(amount)s", subject=subjects[case.id],
                         amount=case._format_amount(case.amount_overdue))
                case._message_sms(Markup.escape(body), partner_ids=case.partner_id.ids)


def _cases(cases):
    """One recordset of ``cases`` (records of one model), built from the records themselves."""
    cases = list(cases)
    return cases[0].union(*cases) if cases else cases
