"""Comments with emails posted on many records of one ``mail.thread`` model in a constant number of queries.

What ``message_post`` does for one message (the chatter message, its author
following the record, the recipients' notifications, one ``mail.mail`` per
recipient group rendered in the layout, queued), done for a whole batch: one
create of the messages, one read of the followers and recipients, one of each
thread's last messages (the parent and the References header), one create of
the emails and one of their notifications. The per-message parts Odoo keeps in
Python (recipient groups, the layout, a model's overrides of them such as the
collection case's recipient-signed links) run as ``message_post`` runs them. A
message with an internal user among its recipients (a copy to the collector)
gets Odoo's own inbox, web-push and out-of-office handling, one message at a time.

Functions of records, no model: Odoo's mail adapted to a batch, knowing nothing of
collections (``dunning.channel._send_emails`` calls :func:`post_comments`).
"""

from odoo.tools import SQL, clean_context
from odoo.tools.mail import formataddr

# as mail.thread: the messages a thread's parent and References are chosen among
PARENT_CANDIDATES = 200
REFERENCE_CANDIDATES = 32
OUTGOING_TYPES = ("comment", "auto_comment", "email", "email_outgoing")


def post_comments(posts):
    """Post ``posts`` (``[(record, values)]``, ``values`` as ``message_post``'s keywords for a comment with
    ``partner_ids``, ``author_id``, ``email_from``, ``reply_to``, ``attachment_ids``, ``email_layout_xmlid``,
    ``message_id``) and queue their emails; returns the messages, in the order of ``posts``."""
    if not posts:
        return None
    records = posts[0][0].browse([record.id for record, _values in posts])
    env = records.env
    records = records.with_context(lang=env.context.get("lang") or env.user.lang)  # as _fallback_lang
    comment = env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
    domains = records.sudo()._mail_get_alias_domains(default_company=env.company)
    companies = records._mail_get_companies(default=env.company)
    parents = _thread_parents(records)
    values_list = []
    for record, values in posts:
        values = dict(values)
        attachment_ids = values.pop("attachment_ids", None) or []
        msg_values = {
            "email_add_signature": True, **values,
            "author_guest_id": False, "model": record._name, "res_id": record.id,
            "message_type": "comment", "parent_id": parents.get(record.id, False), "subtype_id": comment,
            "subject": values.get("subject") or False, "partner_ids": list(values.get("partner_ids") or []),
            "incoming_email_to": False, "incoming_email_cc": False, "outgoing_email_to": False,
            "record_alias_domain_id": domains[record.id].id, "record_company_id": companies[record.id].id,
        }
        msg_values.update(record._process_attachments_for_post([], attachment_ids, msg_values))
        values_list.append(msg_values)
    messages = records._message_create(values_list)
    # the author follows the record to get the answers (message_post subscribes the real author, if internal)
    authors = {record.id: record._message_compute_real_author(values["author_id"])
               for record, values in zip(records, values_list, strict=True)}
    subscribing = env["res.partner"]
    if not env.context.get("mail_post_autofollow_author_skip"):
        subscribing = env["res.partner"].union(*authors.values()).filtered(lambda p: not p.partner_share)
    for author in subscribing:
        records.filtered(lambda record, author=author: authors[record.id] == author)._message_subscribe(
            partner_ids=author.ids)
    for record, message, msg_values in zip(records, messages, values_list, strict=True):
        record._message_post_after_hook(message, msg_values)
    _notify_batch(records, messages, values_list, authors)
    return messages


def _thread_parents(records):
    """``{record id: message id}``: the parent a new message of each record gets (``_message_compute_parent_id``)."""
    env = records.env
    rows = env.execute_query(SQL(
        """
        SELECT res_id, id FROM (
            SELECT res_id, id, message_type, COALESCE(date, create_date) AS at,
                   ROW_NUMBER() OVER (PARTITION BY res_id ORDER BY date DESC, id DESC) AS rank
              FROM mail_message
             WHERE model = %s AND res_id = ANY(%s) AND message_type != 'user_notification'
        ) latest
         WHERE rank <= %s
         ORDER BY res_id, message_type IN ('comment', 'email') DESC, at DESC, id DESC
        """, records._name, records.ids, PARENT_CANDIDATES,
    ))
    parents = {}
    for res_id, message_id in rows:
        parents.setdefault(res_id, message_id)
    return parents


def _references(records, messages):
    """``{message id: References}`` as ``_notify_by_email_get_base_mail_values`` builds it: up to three
    earlier public messages of the record (of its last 32 with a subtype and a Message-Id), then the message."""
    env = records.env
    Message = env["mail.message"].sudo()
    rows = env.execute_query(SQL(
        """
        SELECT id FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY res_id ORDER BY id DESC) AS rank
              FROM mail_message
             WHERE model = %s AND res_id = ANY(%s) AND id != ALL(%s)
               AND subtype_id IS NOT NULL AND message_id IS NOT NULL
        ) latest
         WHERE rank <= %s
        """, records._name, records.ids, messages.ids, REFERENCE_CANDIDATES,
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


def _batch_recipients(records, values_list, authors):
    """``{record id: recipients data}`` as ``_notify_get_recipients`` gives them (followers of the comment
    subtype and the message's partners, without its real author in ``authors``), in one read."""
    env = records.env
    subtype_id = values_list[0]["subtype_id"]
    pids = sorted({pid for values in values_list for pid in values["partner_ids"]})
    data = env["mail.followers"]._get_recipient_data(records, "comment", subtype_id, pids)
    result = {}
    for record, values in zip(records, values_list, strict=True):
        own = set(values["partner_ids"])
        result[record.id] = [
            pdata for pid, pdata in data.get(record.id, {}).items()
            if (pid in own or pdata.get("is_follower")) and pid != authors[record.id].id
            and pdata["active"] is not False
        ]
    return result


def _notify_batch(records, messages, values_list, authors):
    """Notify the batch's recipients: the emails of each message per recipient group, created at once."""
    env = records.env
    recipients = _batch_recipients(records, values_list, authors)
    pushed = set(records._web_push_get_partners_parameters(
        sorted({r["id"] for data in recipients.values() for r in data if r["id"]}))[0].partner_id.ids)
    references = _references(records, messages)
    for record in records.filtered(lambda record: not record.access_token):
        record.sudo()._portal_ensure_token()  # one statement for the batch at the flush, not one per message
    records.sudo().partner_id.user_ids  # noqa: B018  the customers' users (their signup links), in one read
    # who might answer out of office (the record's responsible, the parent's internal author), read at once
    parents = env["mail.message"].sudo().browse([values["parent_id"] for values in values_list if values["parent_id"]])
    responsible = records.sudo().user_id if "user_id" in records else env["res.users"]
    (responsible | parents.author_id.user_ids).fetch(["is_out_of_office", "out_of_office_message"])
    mail_values, notification_values = [], []
    for record, message, msg_values in zip(records, messages, values_list, strict=True):
        data = recipients[record.id]
        record._notify_thread_with_out_of_office(message, data, msg_vals=msg_values)  # users read above
        if not data:
            continue
        if any(r["notif"] != "email" for r in data):
            record._notify_thread_by_inbox(message, data, msg_vals=msg_values)  # a user of the database
        if pushed & {r["id"] for r in data}:
            record._notify_thread_by_web_push(message, data, msg_vals=msg_values)
        emailed = [r for r in data if r["notif"] == "email"]
        if not emailed:
            continue
        base = _base_mail_values(record, message, emailed, references[message.id])
        notified = record._notify_by_email_get_base_notification_values(message)
        rendering = {**msg_values, "tracking_value_ids": []}  # a new message has no tracking to look for
        for _lang, render_values, group in record._notify_get_classified_recipients_iterator(
                message, emailed, msg_vals=rendering):
            body = record._notify_by_email_render_layout(message, group, msg_vals=rendering,
                                                       render_values=render_values)
            if group["recipients_ids"]:
                mail_values.append(record._notify_by_email_get_final_mail_values(
                    group["recipients_ids"], base, additional_values={"body_html": body}))
                notification_values.append([{"res_partner_id": pid, **notified}
                                            for pid in group["recipients_ids"]])
    if not mail_values:
        return
    # as _notify_thread_by_email: without the caller's default_* keys (a default_state would reach mail.mail)
    context = clean_context(env.context)
    mails = env["mail.mail"].sudo().with_context(context).create(mail_values)  # pylint: disable=context-overridden
    env["mail.notification"].sudo().with_context(context).create([  # pylint: disable=context-overridden
        {"mail_mail_id": mail.id, **values}
        for mail, group in zip(mails, notification_values, strict=True) for values in group
    ])


def _base_mail_values(record, message, recipients_data, references):
    """``_notify_by_email_get_base_mail_values`` with the References read for the whole batch."""
    message_sudo = message.sudo()
    base = {"mail_message_id": message.id, "references": references, "auto_delete": True}
    subject = message.subject or record._message_compute_subject() or message.record_name
    subject = " ".join(subject.splitlines()) if subject else subject
    if subject != message.subject:
        base["subject"] = subject
    headers = {}
    external = [formataddr((r["name"], r["email_normalized"]))
                for r in recipients_data if r["active"] and r["email_normalized"] and r["share"]]
    if external and len(external) < record._CUSTOMER_HEADERS_LIMIT_COUNT:
        headers["X-Msg-To-Add"] = ",".join(external)
    if message_sudo.record_alias_domain_id.bounce_email:
        headers["Return-Path"] = message_sudo.record_alias_domain_id.bounce_email
    headers = record._notify_by_email_get_headers(headers=headers)
    if headers:
        base["headers"] = repr(headers)
    return base
