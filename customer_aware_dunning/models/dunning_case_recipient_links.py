"""Portal links signed for the recipient who got the mail, as Odoo signs its portal links (``pid`` and ``hash``).

A collection email can go to several people of the customer (its invoice
contacts, a tagged contact, the company itself).  Odoo's portal signs its
access link for the document's customer only; here each recipient who belongs
to the customer gets a notification group of its own, so the mail it receives
carries the case page's link (the one in the message and the access button)
with its own ``pid`` and ``hash`` (:meth:`_sign_token`).  The page then knows
who opened it: it greets that person and records the answers as theirs.
A wrong hash still opens the page by the case's access token, for no one in
particular.
"""

import re

from markupsafe import Markup
from werkzeug.urls import url_encode

from odoo import models

GROUP_PREFIX = "dunning_recipient_"


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _signed_query(self, partner_id):
        return url_encode({"pid": partner_id, "hash": self._sign_token(partner_id)})

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=False):
        groups = super()._notify_get_recipients_groups(message, model_description, msg_vals=msg_vals)
        if len(self) != 1:
            return groups
        partner_ids = (msg_vals or {}).get("partner_ids") or message.partner_ids.ids
        customer = self.partner_id.commercial_partner_id
        recipients = self.env["res.partner"].sudo().browse(list(partner_ids)).filtered(
            lambda partner: partner.commercial_partner_id == customer and not partner.user_ids.filtered(
                lambda user: not user.share))
        token = self.sudo()._portal_ensure_token()
        own = []
        for partner in recipients:
            query = url_encode({"access_token": token}) + "&" + self._signed_query(partner.id)
            url = f"{self.access_url}?{query}"
            own.append((f"{GROUP_PREFIX}{partner.id}", lambda data, pid=partner.id: data["id"] == pid, {
                "active": True, "has_button_access": True, "button_access": {"url": url},
                "dunning_recipient_id": partner.id,
            }))
        return own + groups

    def _notify_by_email_render_layout(self, message, recipients_group, msg_vals=False, render_values=None):
        """The layout, with the case page's links in the body signed for the group's one recipient."""
        body = super()._notify_by_email_render_layout(message, recipients_group, msg_vals=msg_vals,
                                                      render_values=render_values)
        partner_id = recipients_group.get("dunning_recipient_id")
        if not partner_id or len(self) != 1 or not self.access_token:
            return body
        link = re.compile(rf"(/my/collections/{self.id}\?access_token={re.escape(self.access_token)})(?=[\"'#&])")
        signed = "&amp;" + self._signed_query(partner_id).replace("&", "&amp;")
        return Markup(link.sub(lambda match: match.group(1) + signed, str(body)))

    def _portal_visitor(self):
        """The recipient whose signed link opened the page (``dunning_portal_visitor_id`` in the context), or none."""
        partner_id = self.env.context.get("dunning_portal_visitor_id")
        return self.env["res.partner"].sudo().browse(partner_id) if partner_id else self.env["res.partner"]
