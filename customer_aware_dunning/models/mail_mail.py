from collections import defaultdict

from odoo import models

from ..policy.text import Listed, Text
from ..texts import MAIL_FAILED, MAIL_NOT_RETRIED
from .dunning_case_steps import RETRIED_MAIL_FAILURES


class MailMail(models.Model):
    """A collection case's email to its customer that Odoo's mail queue could not send is written on the case."""

    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        if failure_type:
            self._dunning_customer_mails()._dunning_log_failures(failure_reason, failure_type)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type,
        )

    def _dunning_customer_mails(self):
        """The emails of collection cases to their customer (or its contacts): not the copies to followers, not the
        staff's notices."""
        mails = self.filtered(lambda mail: mail.model == "dunning.case" and mail.res_id)
        cases = self.env["dunning.case"].sudo().browse(set(mails.mapped("res_id"))).exists()
        customers = {case.id: case.partner_id.commercial_partner_id for case in cases}
        return mails.filtered(lambda mail: customers.get(mail.res_id) and (
            customers[mail.res_id] & mail.recipient_ids.commercial_partner_id))

    def _dunning_log_failures(self, failure_reason, failure_type):
        """One event per case whose emails failed: what was not sent and why (the next run queues it again when it
        failed before reaching the server)."""
        by_case = defaultdict(list)
        for mail in self:
            by_case[mail.res_id].append(mail)
        cases = self.env["dunning.case"].sudo().browse(by_case)
        if not cases:
            return
        retried = failure_type in RETRIED_MAIL_FAILURES
        texts = {}
        for case in cases:
            # the server's words as it wrote them, else the failure's kind (read as its label)
            reason = failure_reason or by_case[case.id][0].failure_reason or Text(
                "%(failure_type)s", failure_type=failure_type)
            failed = Text(MAIL_FAILED, subject=by_case[case.id][0].subject or "", error=reason)
            texts[case.id] = failed if retried else Listed(failed, Text(MAIL_NOT_RETRIED), sep=" ")
        cases._log_events("mail_failed", texts)
