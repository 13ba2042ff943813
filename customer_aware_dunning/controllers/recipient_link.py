"""The case page opened from a link signed for one recipient (``pid`` and ``hash``, see
``models/dunning_case_recipient_links.py``): the case then carries who opened it, for the page and the answers."""

from odoo.addons.portal.utils import validate_thread_with_hash_pid
from odoo.http import request

from .portal import DunningPortal


class DunningRecipientLink(DunningPortal):

    def _dunning_case_or_none(self, case_id, access_token):
        case_sudo = super()._dunning_case_or_none(case_id, access_token)
        if case_sudo is None:
            return None
        pid, signature = request.params.get("pid"), request.params.get("hash")
        if not (pid and str(pid).isdigit() and signature and str(signature).isascii()):
            return case_sudo
        if not validate_thread_with_hash_pid(case_sudo, signature, int(pid)):
            return case_sudo  # a forged signature: the token still opens the page, for no one in particular
        visitor = request.env["res.partner"].sudo().browse(int(pid)).exists()
        if visitor.commercial_partner_id != case_sudo.partner_id.commercial_partner_id:
            return case_sudo
        return case_sudo.with_context(dunning_portal_visitor_id=visitor.id)
