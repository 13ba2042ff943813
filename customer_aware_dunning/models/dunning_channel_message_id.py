"""The idempotency reference of a collection email: a Message-Id made from its case and step."""

import hashlib

from odoo import api, models

# The Message-Id's domain when the company has no alias domain: reserved, never a real host (RFC 2606).
FALLBACK_DOMAIN = "dunning.invalid"


class DunningChannelMessageId(models.AbstractModel):
    """A collection email's Message-Id is the same every time its case's step is sent.

    Odoo gives each message a random Message-Id. The run's step email gets one
    derived from the database, the case and the step's key instead, so that a
    message sent again (a retry, a copy after a restore) is recognisable as the
    same one, by the customer's mail server as by anyone reading the headers,
    and replies still thread onto the case.
    """

    _inherit = "dunning.channel"

    @api.model
    def _dunning_message_ids(self, cases):
        """``{case id: Message-Id}`` of the step each case of ``cases`` is sending now (its latest step event)."""
        events = self.env["dunning.case.event"].sudo().search_read(
            [("case_id", "in", cases.ids), ("step_key", "!=", False)], ["case_id", "step_key"],
            order="id desc", load=None,
        )
        keys = {}
        for event in events:
            keys.setdefault(event["case_id"], event["step_key"])
        return {case.id: self._dunning_message_id(case, keys[case.id]) for case in cases if case.id in keys}

    @api.model
    def _dunning_message_id(self, case, step_key):
        """``<dunning.<case id>.<digest>@<domain>>``: the digest covers the database, the case and the step key."""
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        digest = hashlib.sha256(f"{database}/{case.id}/{step_key}".encode()).hexdigest()[:24]
        domain = case.company_id.alias_domain_id.name or FALLBACK_DOMAIN
        return f"<dunning.{case.id}.{digest}@{domain}>"
