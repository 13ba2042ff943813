import hashlib
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools.misc import format_date

from ..mail_batch import post_comments
from ..payment_values import credits_per_currency, open_invoices, payment_values
from ..policy.schema import TAG_PREFIX
from ..policy.text import Listed, Text
from ..texts import CHANNEL_FALLBACK, NO_EMAIL, NO_FALLBACK, NO_MOBILE, NO_SMS_APP
from .ir_qweb import COMPILED_KEY

LETTER_REPORT = "customer_aware_dunning.action_report_dunning_letter"
INVOICE_REPORT = "account.account_invoices"
TEMPLATE_XMLID = "customer_aware_dunning.mail_template_%s"
# The email layout of the messages to customers: it speaks of their invoices, not of a "collection case".
MAIL_LAYOUT = "customer_aware_dunning.mail_notification_dunning"
OFFER_TEMPLATE = "customer_aware_dunning.dunning_plan_offer_block"
# The Message-Id's domain when the company has no alias domain: reserved, never a real host (RFC 2606).
FALLBACK_DOMAIN = "dunning.invalid"


class DunningChannel(models.AbstractModel):
    """Carries out a due step through the mechanism Odoo already has for its channel.

    How to use: the case hands :meth:`_route_steps` the steps it has recorded
    (one ``dunning.case.event`` with a unique step key each), as ``(case, step,
    invoices)`` triples, and gets back the channel of each (the policy's fallback
    when the customer cannot be reached) with the fallbacks to record; it then
    hands the routes to :meth:`_send_routes` with what each email needs besides
    its template (sender, step key, itemised charges, plan offer: prepared by the
    case), which sends each channel's batch at once and returns what is left for
    the case to record: the To-Dos to schedule and the notes to log. A channel
    never calls back into the case model nor into the charges:

    * ``email`` (this file): the step's mail template, rendered for every case in
      one pass in the customer's language, followed by the blocks handed down
      and those rendered here (open credits, how to pay, the plan offer), posted
      on the case and queued by the mail queue; invoice PDFs attached when the
      step says ``attach: pdf``; its Message-Id derived from the step's key;
    * ``letter`` (``dunning_channel_letter.py``): the QWeb collection letter, attached to the case;
    * ``activity`` (``dunning_channel_activity.py``): a To-Do for the salesperson, the collections owner or
      a group;
    * ``sms`` (the same file): Odoo's SMS app, when it is installed.

    Who an email goes to: a step's ``recipients`` are tried in order and the
    first that reaches someone with an email wins: ``invoice_contact`` (the
    customer's child contacts of type "Invoice address" with an email, else the
    customer itself, as Odoo's invoice sending addresses invoices),
    ``main_contact`` (the customer itself), ``tag:<name>`` (its contacts with
    that tag).  ``cc`` copies the salesperson and/or the case's collector.
    Replies go to the collector (else the company's address).
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
    def _send_routes(self, routes, mails=None):
        """Send each channel's steps of ``routes``; returns ``{"activities": {case: values}, "notes": [(case,
        description, channel)]}``: the To-Dos to schedule and what to log on the cases, for the caller.

        ``mails``: ``{case id: {author, email_from, step_key, charges, offer}}`` for every case of the ``email``
        route (``dunning.case._mail_inputs``)."""
        senders = {"email": lambda items: self._send_emails(items, mails or {}), "letter": self._send_letters,
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
            missing, fallback = NO_EMAIL, spec.fallback.no_email
        elif step.send == "sms" and not (partner.mobile or partner.phone):
            missing, fallback = NO_MOBILE, spec.fallback.no_mobile
        elif step.send == "sms" and "sms.sms" not in self.env:
            missing, fallback = NO_SMS_APP, spec.fallback.no_mobile
        else:
            return [step.send], None
        channels = [channel for channel in fallback if channel != step.send]
        # channels stay keys (read as their labels), the note a Text read in the reader's language (texts.py)
        instead = Listed(*(Text("%(channel)s", channel=channel) for channel in channels)) or Text(NO_FALLBACK)
        return channels, Text(CHANNEL_FALLBACK, channel=step.send, missing=Text(missing), fallback=instead)

    # ------------------------------------------------------------------ email

    def _send_emails(self, items, mails):
        """Post and queue the email of each ``(case, step, invoices)`` of ``items``, per template in one
        rendering pass; ``mails``: what the case handed down for each (see :meth:`_send_routes`)."""
        by_template = defaultdict(list)
        for case, step, invoices in items:
            by_template[step.template].append((case, step, invoices))
        poster = self.with_context(mail_notify_force_send=False, mail_post_autofollow=False)
        # every invoice the blocks read, in one read (each case's invoices are a recordset of their own)
        self.env["account.move"].union(*(invoices for _case, _step, invoices in items)).fetch([
            "name", "payment_reference", "invoice_date_due", "amount_residual", "amount_residual_signed",
            "currency_id", "partner_bank_id"])
        for key, group in by_template.items():
            cases = self.env["dunning.case"].union(*(case for case, _step, _invoices in group))
            template = self._mail_template(key)
            subjects = self._render_template_field(template, "subject", cases)
            bodies = self._render_template_field(template, "body_html", cases)
            steps = [(case, invoices) for case, _step, invoices in group]
            credits = self._credit_blocks(steps)
            offers = self._offer_blocks({case: mails[case.id]["offer"] for case in cases if mails[case.id]["offer"]})
            how_to_pay = self._payment_blocks(steps)
            posts = []
            for case, step, invoices in group:
                mail = mails[case.id]
                attachments = (poster._invoice_pdfs(invoices) if step.attach == "pdf"
                               else poster._statement_pdf(case) if step.attach == "statement" else [])
                posts.append((case.with_env(poster.env), {
                    "author_id": mail["author"].id,
                    "email_from": mail["email_from"] or mail["author"].email_formatted,
                    "subject": subjects[case.id],
                    "body": (bodies[case.id] + (mail["charges"] or "") + credits.get(case.id, "")
                             + offers.get(case.id, "") + how_to_pay.get(case.id, "")),
                    "partner_ids": (self._recipients(case, step) | self._copies(case, step)).ids,
                    "reply_to": self._reply_to(case),
                    "attachment_ids": attachments,
                    "email_layout_xmlid": MAIL_LAYOUT,
                    "message_id": self._message_id(case, mail["step_key"]) if mail["step_key"] else None,
                }))
            post_comments(posts)  # one batch, as message_post would one by one (mail_batch.py)

    @api.model
    def _render_template_field(self, template, field, cases):
        """``{case id: rendered}``: ``field`` of ``template`` for ``cases``, each in its customer's language, as
        ``_render_field`` renders it, its QWeb source compiled once per language for all (``ir_qweb.py``)."""
        return template.with_context(**{COMPILED_KEY: {}})._render_field(field, cases.ids, compute_lang=True)

    @api.model
    def _message_id(self, case, step_key):
        """The idempotency reference of a collection email: ``<dunning.<case id>.<digest>@<domain>>``, the digest
        covering the database, the case and the step key.

        Odoo gives each message a random Message-Id; a step's email gets the same one every time it is sent
        (a retry, a copy after a restore), recognisable as the same message by the customer's mail server
        as by anyone reading the headers, and replies still thread onto the case.
        """
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        digest = hashlib.sha256(f"{database}/{case.id}/{step_key}".encode()).hexdigest()[:24]
        domain = case.company_id.alias_domain_id.name or FALLBACK_DOMAIN
        return f"<dunning.{case.id}.{digest}@{domain}>"

    # ------------------------------------------------------------------ who an email goes to

    @api.model
    def _recipients(self, case, step):
        customer = case.partner_id.commercial_partner_id
        contacts = customer.child_ids.filtered("email")
        for recipient in getattr(step, "recipients", ("invoice_contact",)):
            if recipient == "invoice_contact":
                found = contacts.filtered(lambda contact: contact.type == "invoice") or customer.filtered("email")
            elif recipient == "main_contact":
                found = customer.filtered("email")
            elif recipient.startswith(TAG_PREFIX):
                tag = recipient[len(TAG_PREFIX):].strip().lower()
                found = (customer | contacts).filtered(lambda partner, tag=tag: partner.email and tag in [
                    name.lower() for name in partner.with_context(lang="en_US").category_id.mapped("name")])
            else:
                found = self.env["res.partner"]
            if found:
                return found
        return self.env["res.partner"]

    @api.model
    def _copies(self, case, step):
        users = self.env["res.users"]
        for who in getattr(step, "cc", ()):
            users |= case.user_id if who == "salesperson" else case.collector_id
        return users.partner_id.filtered("email")

    @api.model
    def _reply_to(self, case):
        return case.collector_id.email_formatted or case.company_id.email_formatted or False

    # ------------------------------------------------------------------ the blocks after the template's body

    @api.model
    def _credit_blocks(self, items):
        """``{case id: Markup}`` for ``items`` ``[(case, invoices)]`` whose open credits cover part of the
        invoices' residual: per currency, the credits listed and the net amount, in the customer's language.

        Open credits are posted receivable lines of the customer (its commercial partner) in the case's
        company with a negative residual: open credit notes and payments not yet reconciled (what the
        ``open_credits`` fact measures). A credit only counts against invoices in its own currency; a
        currency whose credits cover its invoices shows a net amount of nothing to pay."""
        cases = self.env["dunning.case"].union(*(case for case, _invoices in items))
        if not cases:
            return {}
        lines = self.env["account.move.line"].sudo().search([
            ("partner_id.commercial_partner_id", "in", cases.partner_id.commercial_partner_id.ids),
            ("company_id", "in", cases.company_id.ids),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual_currency", "<", 0),
        ], order="date, id")
        by_customer = defaultdict(lambda: self.env["account.move.line"])
        for line in lines:
            by_customer[line.partner_id.commercial_partner_id, line.company_id] |= line
        result = {}
        for case, invoices in items:
            lang = case.partner_id.lang or self.env.lang
            env = case.with_context(lang=lang).env
            own = by_customer[case.partner_id.commercial_partner_id, case.company_id].with_context(lang=lang)
            groups = credits_per_currency(own, invoices)  # formats in ``lang``
            if not groups or all(group["credit_total"] >= group["owed"] for group in groups):
                continue  # no credit against these invoices, or the engine holds: nothing is demanded
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(
                "customer_aware_dunning.dunning_credits_table", {"groups": [{
                    "lines": [
                        (line.move_id.name, format_date(env, line.date),
                         group["currency"].format(-line.amount_residual_currency))
                        for line in group["lines"]
                    ],
                    "credit_total": group["currency"].format(group["credit_total"]),
                    "net": group["currency"].format(max(group["owed"] - group["credit_total"], 0.0)),
                } for group in groups]},
            ))
        return result

    @api.model
    def _payment_blocks(self, items):
        """``{case id: Markup}``: the "how to pay" block of each ``(case, invoices)`` with something left to pay,
        in the customer's language (letters add barcodes and QR codes: ``dunning.payment.details``)."""
        result = {}
        for case, invoices in items:
            lang = case.partner_id.lang or self.env.lang
            invoices = open_invoices(invoices.with_context(lang=lang))
            if invoices:
                result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(
                    "customer_aware_dunning.dunning_payment_details",
                    payment_values(case.with_context(lang=lang), invoices)))
        return result

    @api.model
    def _offer_blocks(self, offers):
        """``{case id: Markup}``: the payment plan offer of each case of ``offers`` (``{case: {url, bounds}}``,
        from ``dunning.case._plan_offers``), in the customer's language."""
        result = {}
        for case, values in offers.items():
            lang = case.partner_id.lang or self.env.lang
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(
                OFFER_TEMPLATE, {"case": case.with_context(lang=lang), **values}))
        return result

    @api.model
    def _plan_offer_blocks(self, cases):
        """``{case id: Markup}``: the payment plan offer of each of ``cases`` it applies to."""
        offers = cases._plan_offers()
        return self._offer_blocks({case: offers[case.id] for case in cases if case.id in offers})

    # ------------------------------------------------------------------ attachments

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
