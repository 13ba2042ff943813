import ast
import re
from datetime import date, timedelta

from markupsafe import Markup

from odoo.tests import tagged

from ..mail_batch import post_comments
from ..models.dunning_channel import MAIL_LAYOUT
from .common import DunningCommon

DUE = date(2026, 6, 1)
# what differs between two cases of two customers: ids, numbers in names and addresses, tokens and hashes
VARYING = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|\d+")


@tagged("post_install", "-at_install")
class TestMailBatch(DunningCommon):
    """``mail_batch.post_comments`` leaves what ``message_post`` leaves, for a batch at once.

    The same email is posted on one case with ``post_comments`` and on its twin
    (another customer, the same history) with ``message_post``: the chatter
    message, the followers, the emails queued (their recipients, subject,
    headers, References, body in the layout with its signed links) and the
    notifications (the chatter's envelope, the inbox of a user in copy) are the
    same, up to the ids and names of each case.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.make_overdue_customers("Twin customer", 2, DUE)
        cls.env["dunning.run"]._run_company(cls.company, DUE + timedelta(days=5))  # a history: a step email each
        cls.cases = cls.env["dunning.case"].search([("partner_id", "in", cls.customers.ids)], order="partner_id")
        cls.salesperson.notification_type = "inbox"
        cls.cases.message_subscribe(partner_ids=cls.salesperson.partner_id.ids)  # a follower, notified in Odoo

    def values(self, case):
        return {
            "author_id": self.collections_user.partner_id.id,
            "email_from": self.collections_user.email_formatted,
            "subject": f"Reminder {case.name}",
            "body": Markup("<p>Dear %s, please pay.</p>") % case.partner_id.name,
            "partner_ids": (case.partner_id | self.collections_manager.partner_id).ids,  # a user in copy
            "reply_to": self.company.email_formatted,
            "email_layout_xmlid": MAIL_LAYOUT,
            "message_id": f"<twin.{case.id}@dunning.invalid>",
        }

    def shape(self, case, message):
        """What the message left, with each case's own ids, names and tokens made alike."""
        def same(text):
            return VARYING.sub("N", str(text or ""))

        def who(partners):
            return sorted("customer" if partner == case.partner_id else partner.name for partner in partners)

        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        notifications = self.env["mail.notification"].sudo().search([("mail_message_id", "=", message.id)])
        return {
            "message": {field: same(message[field]) for field in (
                "message_type", "email_from", "reply_to", "subject", "body", "email_layout_xmlid",
                "email_add_signature", "record_name")}
            | {"subtype": message.subtype_id, "author": message.author_id, "partners": who(message.partner_ids),
               "parent": (message.parent_id.message_type, same(message.parent_id.subject),
                          same(message.parent_id.body)),
               "company": message.record_company_id, "alias_domain": message.record_alias_domain_id},
            "followers": who(case.message_partner_ids),
            "mails": sorted((who(mail.recipient_ids), mail.state, mail.auto_delete, mail.is_notification,
                             same(mail.subject), same(mail.body_html), len(mail.references.split()),
                             mail.references.split()[-1] == message.message_id,
                             {key: same(value) for key, value in ast.literal_eval(mail.headers or "{}").items()})
                            for mail in mails),
            "notifications": sorted((who(notification.res_partner_id), notification.notification_type,
                                     notification.notification_status, notification.is_read,
                                     bool(notification.mail_mail_id)) for notification in notifications),
        }

    def test_a_batch_leaves_what_message_post_leaves(self):
        batched, posted = self.cases
        poster = {"mail_notify_force_send": False, "mail_post_autofollow": False}
        batched, posted = batched.with_context(**poster), posted.with_context(**poster)
        message = post_comments([(batched, self.values(batched))])
        reference = posted.message_post(message_type="comment", subtype_xmlid="mail.mt_comment",
                                        **self.values(posted))
        ours, odoos = self.shape(batched, message), self.shape(posted, reference)
        self.assertTrue(odoos["mails"] and odoos["notifications"], "the comparison has emails and notifications")
        self.assertIn(["customer"], [mail[0] for mail in odoos["mails"]], "the customer gets an email")
        self.assertIn("inbox", [notification[1] for notification in odoos["notifications"]], "a follower's inbox")
        for part in ("message", "followers", "mails", "notifications"):
            self.assertEqual(ours[part], odoos[part], part)
