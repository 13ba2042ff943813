import base64
import csv
import io

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..policy.text import Text
from ..texts import AGENCY_PAID, AGENCY_PARTLY, AGENCY_RETURNED, HANDED_OVER, HANDOVER_FILE, Reader, to_data
from .dunning_case_outcome import AGENCY_STATUSES

# The columns Finnish and EU collection agencies take in a hand-over file, one line per invoice.
EXPORT_COLUMNS = (
    "creditor", "creditor_id", "debtor", "debtor_id", "debtor_type", "street", "zip", "city", "country", "email",
    "phone", "invoice", "reference", "invoice_date", "due_date", "amount_total", "amount_due", "currency",
    "charges_so_far", "reminders_sent", "last_reminder", "delay_reason",
)


class DunningCaseHandover(models.Model):
    """Hand-over to a collection agency: the case closes as ``handed_over`` with the agency's file attached.

    Its invoices stay out of new cases (see ``dunning_case_outcome.py``) until the
    agency returns them (:meth:`action_dunning_agency_status` with ``returned``),
    and the next run then follows them up in a new case.
    """

    _inherit = "dunning.case"

    def action_dunning_hand_over(self):
        """Close the open cases as handed over, each with its export file (Collections managers)."""
        self._check_manager()
        cases = self.filtered(lambda case: case.state != "closed")
        if not cases:
            raise UserError(_("These cases are already closed."))
        for case in cases:
            case._attach_handover_file()
        cases._close("handed_over", fields.Date.context_today(self), Text(HANDED_OVER, user=self.env.user.name))
        return True

    def action_dunning_agency_status(self, status):
        """Record what the agency reported: ``paid``, ``partly`` or ``returned`` (the invoices come back to us)."""
        self._check_manager()
        if status not in dict(AGENCY_STATUSES):
            raise UserError(_("Unknown agency status %s.", status))
        cases = self.filtered(lambda case: case.outcome == "handed_over")
        if cases != self:
            raise UserError(_("Only a case handed over to a collection agency gets the agency's status."))
        cases.write({"agency_status": status})
        texts = {"paid": AGENCY_PAID, "partly": AGENCY_PARTLY, "returned": AGENCY_RETURNED}
        cases._log_events("agency_status", dict.fromkeys(cases.ids, Text(texts[status], agency_status=status)))
        return True

    def action_dunning_agency_paid(self):
        return self.action_dunning_agency_status("paid")

    def action_dunning_agency_partly(self):
        return self.action_dunning_agency_status("partly")

    def action_dunning_agency_returned(self):
        return self.action_dunning_agency_status("returned")

    def _handover_rows(self):
        self.ensure_one()
        company, debtor = self.company_id, self.partner_id
        steps = self.event_ids.filtered(lambda event: event.kind == "step").sorted("date")
        charged = sum(self.charge_ids.filtered(lambda charge: not charge.waived).mapped("amount"))
        for invoice in self._collectable_invoices().sorted(lambda move: (move.invoice_date_due, move.id)):
            yield {
                "creditor": company.name, "creditor_id": company.company_registry or company.vat or "",
                "debtor": debtor.name, "debtor_id": debtor.company_registry or debtor.vat or "",
                "debtor_type": debtor.dunning_customer_type or "", "street": debtor.street or "",
                "zip": debtor.zip or "", "city": debtor.city or "", "country": debtor.country_id.code or "",
                "email": debtor.email or "", "phone": debtor.phone or "",
                "invoice": invoice.name, "reference": invoice.payment_reference or "",
                "invoice_date": invoice.invoice_date or "", "due_date": invoice.invoice_date_due or "",
                "amount_total": invoice.amount_total_signed, "amount_due": invoice.amount_residual_signed,
                "currency": company.currency_id.name, "charges_so_far": charged, "reminders_sent": len(steps),
                "last_reminder": steps[-1:].date.date() if steps else "",
                "delay_reason": invoice.dunning_delay_reason_id.key or "",
            }

    def _attach_handover_file(self):
        self.ensure_one()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self._handover_rows())
        attachment = self.env["ir.attachment"].create({
            "name": f"handover-{self.name}.csv".replace("/", "-"),
            "datas": base64.b64encode(buffer.getvalue().encode("utf-8-sig")),
            "mimetype": "text/csv",
            "res_model": self._name,
            "res_id": self.id,
        })
        text = to_data(Text(HANDOVER_FILE))
        message = self.message_post(body=Reader(self.env).render(text), attachment_ids=attachment.ids)
        message._dunning_keep_texts({message.id: {"kind": None, "text": text}})  # read in the reader's language
        return attachment


class DunningCaseEvent(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(selection_add=[("agency_status", "Agency status")], ondelete={"agency_status": "cascade"})
