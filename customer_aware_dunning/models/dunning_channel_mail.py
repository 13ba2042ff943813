"""A batch of collection emails posted on their cases in a constant number of queries.

What ``message_post`` does for one message (the chatter message, its author
following the case, the recipients' notifications, one ``mail.mail`` per
recipient group rendered in the layout, queued), done for a whole batch: one
create of the messages, one read of the followers and recipients, one of each
thread's last messages (the parent and the References header), one create of
the emails and one of their notifications. The per-message parts Odoo keeps in
Python (recipient groups, the layout, the recipient-signed links of
``dunning_case_recipient_links.py``) run as ``message_post`` runs them. A
message with an internal user among its recipients (a copy to the collector)
gets Odoo's own inbox, web-push and out-of-office handling, one message at a time.
"""

from odoo import api, models
from odoo.tools import SQL, clean_context
from odoo.tools.mail import formataddr

# as mail.thread: the messages a thread's parent and References are chosen among
PARENT_CANDIDATES = 200
REFERENCE_CANDIDATES = 32
OUTGOING_TYPES = ("comment", "auto_comment", "email", "email_outgoing")


class DunningChannelMail(models.AbstractModel):
    _inherit = "dunning.channel"

    @api.model
    def _post_emails(self, posts):
        """Post ``posts`` (``[(case, values)]``, ``values`` as ``message_post``'s keywords for a comment with
        ``partner_ids``, ``author_id``, ``email_from``, ``reply_to``, ``attachment_ids``, ``email_layout_xmlid``,
        ``message_id``) and queue their emails; returns the messages, in the order of ``posts``."""
        if not posts:
            return self.env["mail.message"]
        cases = posts[0][0].browse([case.id for case, _values in posts])
        cases = cases.with_context(lang=self.env.context.get("lang") or self.env.user.lang)  # as _fallback_lang
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        domains = cases.sudo()._mail_get_alias_domains(default_company=self.env.company)
        companies = cases._mail_get_companies(default=self.env.company)
        parents = self._thread_parents(cases)
        values_list = []
        for case, values in posts:
            values = dict(values)
            attachment_ids = values.pop("attachment_ids", None) or []
            msg_values = {
                "email_add_signature": True, **values,
                "author_guest_id": False, "model": case._name, "res_id": case.id,
                "message_type": "comment", "parent_id": parents.get(case.id, False), "subtype_id": comment,
                "subject": values.get("subject") or False, "partner_ids": list(values.get("partner_ids") or []),
                "incoming_email_to": False, "incoming_email_cc": False, "outgoing_email_to": False,
                "record_alias_domain_id": domains[case.id].id, "record_company_id": companies[case.id].id,
            }
            msg_values.update(case._process_attachments_for_post([], attachment_ids, msg_values))
            values_list.append(msg_values)
        messages = cases._message_create(values_list)
        # the author follows the case to get the answers (message_post subscribes the real author, if internal)
        authors = {case.id: case._message_compute_real_author(values["author_id"])
                   for case, values in zip(cases, values_list, strict=True)}
        for author in self.env["res.partner"].union(*authors.values()).filtered(lambda p: not p.partner_share):
            cases.filtered(lambda case, author=author: authors[case.id] == author)._message_subscribe(
                partner_ids=author.ids)
        for case, message, msg_values in zip(cases, messages, values_list, strict=True):
            case._message_post_after_hook(message, msg_values)
        self._notify_batch(cases, messages, values_list, authors)
        return messages

    @api.model
    def _thread_parents(self, cases):
        """``{case id: message id}``: the parent a new message of each case gets (``_message_compute_parent_id``)."""
        rows = self.env.execute_query(SQL(
            """
            SELECT res_id, id FROM (
                SELECT res_id, id, message_type, COALESCE(date, create_date) AS at,
                       ROW_NUMBER() OVER (PARTITION BY res_id ORDER BY date DESC, id DESC) AS rank
                  FROM mail_message
                 WHERE model = %s AND res_id = ANY(%s) AND message_type != 'user_notification'
            ) latest
             WHERE rank <= %s
             ORDER BY res_id, message_type IN ('comment', 'email') DESC, at DESC, id DESC
            """, cases._name, cases.ids, PARENT_CANDIDATES,
        ))
        parents = {}
        for res_id, message_id in rows:
            parents.setdefault(res_id, message_id)
        return parents

    @api.model
    def _references(self, cases, messages):
        """``{message id: References}`` as ``_notify_by_email_get_base_mail_values`` builds it: up to three
        earlier public messages of the case (of its last 32 with a subtype and a Message-Id), then the message."""
        Message = self.env["mail.message"].sudo()
        rows = self.env.execute_query(SQL(
            """
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY res_id ORDER BY id DESC) AS rank
                  FROM mail_message
                 WHERE model = %s AND res_id = ANY(%s) AND id != ALL(%s)
                   AND subtype_id IS NOT NULL AND message_id IS NOT NULL
            ) latest
             WHERE rank <= %s
            """, cases._name, cases.ids, messages.ids, REFERENCE_CANDIDATES,
        ))
        earlier = Message.browse([row[0] for row in rows])
        earlier.fetch(["res_id", "message_id", "message_type", "is_internal", "subtype_id"])
        earlier.subtype_id.fetch(["internal"])
        by_case = {}
        for message in earlier.sorted("id", reverse=True):
            by_case.setdefault(message.res_id, Message)
            by_case[message.res_id] |= message
        references = {}
        for message in messages.sudo():
            ancestors = by_case.get(message.res_id, Message).sorted(lambda m: (
                not m.is_internal and not m.subtype_id.internal,
                m.message_type in OUTGOING_TYPES,
                m.message_type not in ("user_notification", "out_of_office"),
            ), reverse=True)[:3].sorted("id")
            references[message.id] = " ".join(m.message_id for m in (ancestors + message))
        return references

    @api.model
    def _batch_recipients(self, cases, values_list, authors):
        """``{case id: recipients data}`` as ``_notify_get_recipients`` gives them (followers of the comment
        subtype and the message's partners, without its real author in ``authors``), in one read."""
        subtype_id = values_list[0]["subtype_id"]
        pids = sorted({pid for values in values_list for pid in values["partner_ids"]})
        data = self.env["mail.followers"]._get_recipient_data(cases, "comment", subtype_id, pids)
        result = {}
        for case, values in zip(cases, values_list, strict=True):
            own = set(values["partner_ids"])
            result[case.id] = [
                pdata for pid, pdata in data.get(case.id, {}).items()
                if (pid in own or pdata.get("is_follower")) and pid != authors[case.id].id
                and pdata["active"] is not False
            ]
        return result

    @api.model
    def _notify_batch(self, cases, messages, values_list, authors):
        """Notify the batch's recipients: the emails of each message per recipient group, created at once."""
        recipients = self._batch_recipients(cases, values_list, authors)
        pushed = set(cases._web_push_get_partners_parameters(
            sorted({r["id"] for data in recipients.values() for r in data if r["id"]}))[0].partner_id.ids)
        references = self._references(cases, messages)
        for case in cases.filtered(lambda case: not case.access_token):
            case.sudo()._portal_ensure_token()  # one statement for the batch at the flush, not one per message
        cases.sudo().partner_id.user_ids  # noqa: B018  the customers' users (their signup links), in one read
        mail_values, notification_values = [], []
        for case, message, msg_values in zip(cases, messages, values_list, strict=True):
            data = recipients[case.id]
            if not data:
                continue
            if any(r["uid"] and not r["share"] for r in data) or any(r["notif"] != "email" for r in data):
                # a user of the database among the recipients: Odoo's own handling of its inbox and out-of-office
                case._notify_thread_with_out_of_office(message, data, msg_vals=msg_values)
                case._notify_thread_by_inbox(message, data, msg_vals=msg_values)
            if pushed & {r["id"] for r in data}:
                case._notify_thread_by_web_push(message, data, msg_vals=msg_values)
            emailed = [r for r in data if r["notif"] == "email"]
            if not emailed:
                continue
            base = self._base_mail_values(case, message, emailed, references[message.id])
            notified = case._notify_by_email_get_base_notification_values(message)
            rendering = {**msg_values, "tracking_value_ids": []}  # a new message has no tracking to look for
            for _lang, render_values, group in case._notify_get_classified_recipients_iterator(
                    message, emailed, msg_vals=rendering):
                body = case._notify_by_email_render_layout(message, group, msg_vals=rendering,
                                                           render_values=render_values)
                if group["recipients_ids"]:
                    mail_values.append(case._notify_by_email_get_final_mail_values(
                        group["recipients_ids"], base, additional_values={"body_html": body}))
                    notification_values.append([{"res_partner_id": pid, **notified}
                                                for pid in group["recipients_ids"]])
        if not mail_values:
            return
        context = clean_context(self.env.context)
        mails = self.env["mail.mail"].sudo().with_context(context).create(mail_values)
        self.env["mail.notification"].sudo().with_context(context).create([
            {"mail_mail_id": mail.id, **values}
            for mail, group in zip(mails, notification_values, strict=True) for values in group
        ])

    @api.model
    def _base_mail_values(self, case, message, recipients_data, references):
        """``_notify_by_email_get_base_mail_values`` with the References read for the whole batch."""
        message_sudo = message.sudo()
        base = {"mail_message_id": message.id, "references": references, "auto_delete": True}
        subject = message.subject or case._message_compute_subject() or message.record_name
        subject = " ".join(subject.splitlines()) if subject else subject
        if subject != message.subject:
            base["subject"] = subject
        headers = {}
        external = [formataddr((r["name"], r["email_normalized"]))
                    for r in recipients_data if r["active"] and r["email_normalized"] and r["share"]]
        if external and len(external) < case._CUSTOMER_HEADERS_LIMIT_COUNT:
            headers["X-Msg-To-Add"] = ",".join(external)
        if message_sudo.record_alias_domain_id.bounce_email:
            headers["Return-Path"] = message_sudo.record_alias_domain_id.bounce_email
        headers = case._notify_by_email_get_headers(headers=headers)
        if headers:
            base["headers"] = repr(headers)
        return base
