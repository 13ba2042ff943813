"""The ``letter`` channel: the QWeb collection letter, attached to the case, posted by Odoo's snailmail app."""

import base64
from collections import defaultdict

from odoo import _, api, fields, models

from ..policy.text import Text
from ..texts import LETTER_NOT_POSTED, LETTER_READY, Reader, to_data
from .dunning_channel import LETTER_REPORT


class DunningChannelLetter(models.AbstractModel):
    _inherit = "dunning.channel"

    def _send_letters(self, items):
        by_template = defaultdict(list)
        for case, step, invoices in items:
            by_template[step.template].append((case, invoices))
        by_post = {case.id: step.post for case, step, _invoices in items}
        notes = []
        for key, group in by_template.items():
            cases = self.env["dunning.case"].union(*(case for case, _invoices in group))
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
            reader, kept = Reader(self.env), {}
            for case, attachment in zip(cases, attachments, strict=True):
                text = to_data(Text(LETTER_READY, template=key, customer=case.partner_id.display_name))
                message = case.message_post(
                    body=reader.render(text),
                    attachment_ids=attachment.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
                kept[message.id] = {"kind": None, "text": text}  # read in the reader's language, as it is
            self.env["mail.message"]._dunning_keep_texts(kept)
        return {"notes": notes}

    def _post_letters(self, letters):
        """Hand ``(case, attachment)`` letters to Odoo's snailmail app, whose queue posts them.

        Without the app nothing is posted: returns ``(case, description, channel)`` for each case to say
        so (a person prints the letter).
        """
        if not letters:
            return []
        if "snailmail.letter" not in self.env:
            why = Text(LETTER_NOT_POSTED)
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

    @api.model
    def _invoice_address(self, case):
        """Where a letter goes: the customer's invoice address, as Odoo's invoices use it."""
        customer = case.partner_id.commercial_partner_id
        return self.env["res.partner"].browse(customer.address_get(["invoice"])["invoice"])
