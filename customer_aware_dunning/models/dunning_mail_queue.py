from collections import defaultdict

from odoo import models

from ..policy.text import Text
from ..texts import CASE_CLOSED, CASE_PAUSED, INVOICES_SETTLED, MAIL_NOT_SENT


class DunningCaseMailQueue(models.Model):
    """Nothing leaves for what is no longer owed: a case that closes or pauses takes its queued emails back."""

    _inherit = "dunning.case"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in ("closed", "paused"):
            why = Text(CASE_CLOSED if vals["state"] == "closed" else CASE_PAUSED)
            self.env["mail.mail"]._dunning_queued_for(self)._dunning_cancel(why)
        return result


class MailMailQueue(models.Model):
    """The mail queue does not send a collection email whose case stopped or whose invoices were settled
    (paid or credited) after it was queued: the email is cancelled and the case says so."""

    _inherit = "mail.mail"

    def _dunning_queued_for(self, cases):
        if not cases:
            return self.browse()
        queued = self.sudo().search([("model", "=", "dunning.case"), ("res_id", "in", cases.ids),
                                     ("state", "=", "outgoing")])
        return queued._dunning_customer_mails()

    def _dunning_settled(self):
        """``{mail: why}`` of the customer emails of ``self`` that must not leave any more."""
        mails = self._dunning_customer_mails()
        cases = {case.id: case for case in self.env["dunning.case"].sudo().browse(set(mails.mapped("res_id")))}
        stale = {}
        for mail in mails:
            case = cases[mail.res_id]
            invoices = case.step_invoice_ids or case.invoice_ids
            if case.state in ("closed", "paused"):
                stale[mail] = Text(CASE_CLOSED if case.state == "closed" else CASE_PAUSED)
            elif invoices and not invoices.filtered(lambda invoice: invoice.amount_residual > 0):
                stale[mail] = Text(INVOICES_SETTLED)
        return stale

    def _dunning_cancel(self, why):
        if not self:
            return
        by_case = defaultdict(list)
        for mail in self:
            by_case[mail.res_id].append(mail)
        self.write({"state": "cancel"})
        cases = self.env["dunning.case"].sudo().browse(by_case)
        cases._log_events("mail_cancelled", {
            case.id: Text(MAIL_NOT_SENT, subject=by_case[case.id][0].subject or "", why=why)
            for case in cases
        })

    def _send(self, *args, **kwargs):
        stale = self._dunning_settled()
        by_reason = defaultdict(lambda: self.browse())
        for mail, why in stale.items():
            by_reason[why] |= mail
        for why, mails in by_reason.items():
            mails._dunning_cancel(why)
        remaining = self - self.browse([mail.id for mail in stale])
        return super(MailMailQueue, remaining)._send(*args, **kwargs)
