from odoo import api, fields, models

# What a letter printed by hand from a case says when no step chose a template.
DEFAULT_LETTER_TEMPLATE = "gentle_reminder"


class ReportDunningLetter(models.AbstractModel):
    """The collection letter: the step's mail template rendered in the customer's language.

    The daily run passes ``data={"template": key}`` for a letter step; printed by
    hand from a case, the letter uses :data:`DEFAULT_LETTER_TEMPLATE`. Email and
    letter share one text, so the customer reads the same words on either channel.
    """

    _name = "report.customer_aware_dunning.report_dunning_letter"
    _description = "Collection letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        cases = self.env["dunning.case"].browse(docids)
        key = (data or {}).get("template") or DEFAULT_LETTER_TEMPLATE
        template = self.env["dunning.channel"]._mail_template(key)
        details = self.env["dunning.payment.details"]
        bodies = template._render_field("body_html", cases.ids, compute_lang=True)
        # On paper: no web button; how to pay instead (account, references, barcode, QR codes, printed address).
        step_invoices = {case.id: case.step_invoice_ids or case.invoice_ids for case in cases}
        return {
            "doc_ids": docids,
            "doc_model": "dunning.case",
            "docs": cases,
            "letter_date": fields.Date.context_today(self),
            "subjects": template._render_field("subject", cases.ids, compute_lang=True),
            "bodies": {case_id: details._without_web_buttons(body) for case_id, body in bodies.items()},
            "addressees": {case.id: self.env["dunning.channel"]._invoice_address(case) for case in cases},
            "payment_details": details._blocks([(case, step_invoices[case.id]) for case in cases], paper=True),
            # A letter of a step itemises the step's charges; one printed by hand does not repeat them.
            "charges": self.env["dunning.charge"]._lines_for_message(cases) if (data or {}).get("template") else {},
        }
