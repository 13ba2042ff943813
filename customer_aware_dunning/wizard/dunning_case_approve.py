from odoo import _, api, fields, models


class DunningCaseApprove(models.TransientModel):
    """Approve the step waiting on a case after seeing what it sends: message or letter, and its invoices."""

    _name = "dunning.case.approve"
    _description = "Approve Collection Step"

    case_id = fields.Many2one("dunning.case", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="case_id.partner_id")
    step = fields.Char(related="case_id.pending_step")
    channel = fields.Char(compute="_compute_preview")
    email_from = fields.Char("From", compute="_compute_preview")
    subject = fields.Char(compute="_compute_preview")
    body = fields.Html("Message", compute="_compute_preview", sanitize=False)
    invoice_ids = fields.Many2many("account.move", string="Invoices it covers", compute="_compute_preview")
    currency_id = fields.Many2one(related="case_id.currency_id")
    amount_covered = fields.Monetary("Amount it covers", compute="_compute_preview")

    @api.depends("case_id")
    def _compute_preview(self):
        channels = {"email": _("Email"), "letter": _("Letter"), "activity": _("Activity"), "sms": _("SMS")}
        # Rendering rolls a savepoint back, which empties the cache: render first, then assign.
        previews = {}
        for wizard in self:
            case = wizard.case_id
            step, invoices = case._pending_step() if case else (None, None)
            rendered = case._render_message(step.template, invoices) if step and step.template else ("", "")
            previews[wizard.id] = (step, invoices, rendered)
        for wizard in self:
            case = wizard.case_id
            step, invoices, (subject, body) = previews[wizard.id]
            wizard.channel = channels.get(step.send, step.send) if step else False
            wizard.invoice_ids = invoices or False
            wizard.amount_covered = sum((invoices or case.invoice_ids).mapped("amount_residual_signed"))
            wizard.email_from = case._sender()[1] if step and step.send == "email" else False
            wizard.subject = subject or False
            wizard.body = body or False

    def action_confirm(self):
        self.ensure_one()
        case = self.case_id
        sent = _("%(step)s approved and sent to %(customer)s.", step=case.pending_step or "",
                 customer=case.partner_id.display_name)
        case.action_dunning_approve()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": sent,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close", "infos": {"done": True}},
            },
        }
