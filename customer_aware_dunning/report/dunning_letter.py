from odoo import api, fields, models


class ReportDunningLetter(models.AbstractModel):
    """The collection letter: the step's mail template rendered in the customer's language.

    The daily run passes ``data={"template": key}`` for a letter step. Printed by
    hand from a case, the letter is the one of the step waiting for approval (with
    the invoices that step covers), else of the case's last step, else the gentle
    reminder: what is printed is what the step sends. Email and letter share one
    text, so the customer reads the same words on either channel.
    """

    _name = "report.customer_aware_dunning.report_dunning_letter"
    _description = "Collection letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        cases = self.env["dunning.case"].browse(docids)
        key = (data or {}).get("template")
        details = self.env["dunning.payment.details"]
        if key:
            template = self.env["dunning.channel"]._mail_template(key)
            subjects = template._render_field("subject", cases.ids, compute_lang=True)
            bodies = template._render_field("body_html", cases.ids, compute_lang=True)
            step_invoices = {case.id: case.step_invoice_ids or case.invoice_ids for case in cases}
        else:
            # Printed by hand: the letter of the step waiting for approval (else the last step's), for its invoices.
            subjects, bodies, step_invoices = {}, {}, {}
            for case in cases:
                _step, invoices = case._pending_step()
                subjects[case.id], bodies[case.id] = case._render_message(
                    case._letter_template(), invoices)
                step_invoices[case.id] = invoices or case.step_invoice_ids or case.invoice_ids
        # On paper: no web button; how to pay instead (account, references, barcode, QR codes, printed address).
        return {
            "doc_ids": docids,
            "doc_model": "dunning.case",
            "docs": cases,
            "letter_date": fields.Date.context_today(self),
            "subjects": subjects,
            "bodies": {case_id: details._without_web_buttons(body) for case_id, body in bodies.items()},
            "addressees": {case.id: self.env["dunning.channel"]._invoice_address(case) for case in cases},
            "payment_details": details._blocks([(case, step_invoices[case.id]) for case in cases], paper=True),
            # A letter of a step itemises the step's charges; one printed by hand does not repeat them.
            "charges": self.env["dunning.charge"]._lines_for_message(cases) if key else {},
        }
