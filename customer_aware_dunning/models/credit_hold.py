"""Credit hold: a quotation is not confirmed, nor a customer invoice posted, without approval when a rule of
the active policy's ``credit_hold`` section holds for the customer (``policy/credit_hold.py``; by default:
insolvent, weakly rated or above its credit limit, Odoo's own partner credit limit).

The salesperson sees why on the document and asks for approval in one click (a To-Do for a
Collections manager); the manager approves or refuses from the document; each step is logged
in its chatter. Odoo's credit-limit warning stays as it is: this only adds the approval.
"""

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..access import MANAGER_GROUP, check_collections_manager
from ..policy.credit_hold import credit_hold_reasons
from ..policy.text import Text
from ..texts import CREDIT_APPROVAL_REQUESTED, CREDIT_APPROVED_BY, CREDIT_REFUSED_BY, Reader, to_data

HOLD_STATES = [("none", "No approval asked"), ("requested", "Approval requested"), ("approved", "Approved"),
               ("refused", "Refused")]


class DunningCreditHold(models.AbstractModel):
    """Shared by quotations and customer invoices: ``_dunning_hold_amount`` says what the document adds."""

    _name = "dunning.credit.hold.mixin"
    _description = "Credit Hold"

    dunning_hold_reason = fields.Char(compute="_compute_dunning_hold_reason", string="Credit hold")
    dunning_hold_state = fields.Selection(HOLD_STATES, string="Credit approval", default="none", copy=False,
                                          tracking=True)

    def _dunning_hold_applies(self):
        return True

    def _compute_dunning_hold_reason(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.dunning_hold_reason = (record._dunning_hold_applies() and record._dunning_hold_text(today)) or False

    def _dunning_hold_document(self):
        """What the policy's ``documents`` call this document: ``quotation`` or ``invoice``."""
        return "invoice"

    def _dunning_hold_text(self, today):
        """Why this document needs approval, in the reader's language: the reasons of the active policy's
        ``credit_hold`` rules that hold for the customer, with this document counted in its credit limit use."""
        partner, company = self.partner_id.commercial_partner_id, self.company_id
        if not partner or not company.dunning_credit_hold:
            return False
        # the active policy as it is: computing a document's hold never installs one (without: the built-in rules)
        policy = self.env["dunning.policy"]._active_policy(company)
        spec = policy._get_spec() if policy else None
        facts = self.env["account.payment.term"]._dunning_customer_facts(company, partner)[partner]
        facts.update(self.env["dunning.credit.observation"]._policy_facts(company, partner, today)[partner])
        # Odoo's own credit limit and receivable balance, the document counted in (as Odoo's warning does)
        customer = partner.with_company(company).sudo()
        limit = customer.credit_limit if company.account_use_credit_limit else 0
        facts["credit_limit"] = limit or None
        facts["credit_limit_use"] = (customer.credit + self._dunning_hold_amount()) / limit if limit else None
        reasons = credit_hold_reasons(spec.credit_hold if spec else None, facts, self._dunning_hold_document())
        return "; ".join(self._dunning_hold_words(reason, facts, limit) for reason in reasons) or False

    def _dunning_hold_words(self, reason, facts, limit):
        """A rule's ``reason`` for the reader: a built-in one worded from ``facts``, else the policy's text."""
        if reason == "insolvent":
            label = dict(self.env["dunning.credit.observation"]._fields["registry_status"]._description_selection(
                self.env)).get(facts.get("registry_status"))
            return _("the trade register says: %s", label) if label else _("the trade register's status")
        if reason == "weak_rating" and facts.get("credit_rating") is not None:
            return _("weak credit rating (%s of 5)", facts["credit_rating"])
        if reason == "over_limit" and limit:
            return _("over the credit limit of %(limit)s with this document",
                     limit=self.company_id.currency_id.format(limit))
        if reason == "payment_defaults":
            return _("%(count)s payment default(s) in the credit record", count=facts.get("payment_defaults") or 0)
        return reason

    def _dunning_check_hold(self):
        for record in self:
            if record.dunning_hold_reason and record.dunning_hold_state != "approved":
                raise UserError(_("%(document)s needs a Collections manager's approval first: %(reason)s. "
                                  "Use 'Request credit approval'.", document=record.display_name,
                                  reason=record.dunning_hold_reason))

    def action_dunning_request_credit_approval(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        managers = self.env.ref(MANAGER_GROUP).sudo().all_user_ids.filtered(
            lambda user: not user.share and user.active)
        for record in self:
            approver = managers.filtered(lambda user, r=record: r.company_id in user.company_ids)[:1]
            record.dunning_hold_state = "requested"
            record.sudo().activity_schedule(
                activity_type_id=todo.id, user_id=(approver or self.env.user).id,
                summary=_("Credit approval"), note=record.dunning_hold_reason)
            # the reason as the requester reads it (computed in their language), the sentence as data
            record._dunning_note(Text(CREDIT_APPROVAL_REQUESTED, reason=record.dunning_hold_reason or ""))

    def _dunning_decide(self, state, text):
        check_collections_manager(self.env, _("Only Collections managers approve or refuse a credit hold."))
        feedback = Reader(self.env).render(to_data(text))
        for record in self:
            record.dunning_hold_state = state
            record.activity_ids.filtered(lambda a: a.summary == _("Credit approval")).action_feedback(feedback)
            record._dunning_note(text)

    def _dunning_note(self, text):
        """Post ``text`` (a Text, see ``texts.py``) as a note kept as data: each reader reads it in their language."""
        data = to_data(text)
        message = self.message_post(body=Reader(self.env, self.company_id).render(data), message_type="comment",
                                    subtype_xmlid="mail.mt_note")
        message._dunning_keep_texts({message.id: {"kind": None, "text": data}})

    def action_dunning_approve_credit(self):
        self._dunning_decide("approved", Text(CREDIT_APPROVED_BY, user=self.env.user.name))

    def action_dunning_refuse_credit(self):
        self._dunning_decide("refused", Text(CREDIT_REFUSED_BY, user=self.env.user.name))


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_credit_hold = fields.Boolean(
        "Credit hold", default=True,
        help="Quotations and customer invoices of the customers the active policy's credit_hold rules name (by "
             "default: insolvent, weakly rated or over the credit limit) need a Collections manager's approval "
             "before confirmation or posting.")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "dunning.credit.hold.mixin"]

    def _dunning_hold_applies(self):
        return self.state in ("draft", "sent")

    def _dunning_hold_document(self):
        return "quotation"

    def _dunning_hold_amount(self):
        return self.currency_id._convert(self.amount_total, self.company_id.currency_id, self.company_id,
                                         self.date_order or fields.Date.context_today(self))

    def action_confirm(self):
        self._dunning_check_hold()
        return super().action_confirm()


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "dunning.credit.hold.mixin"]

    def _dunning_hold_applies(self):
        return self.move_type == "out_invoice" and self.state == "draft"

    def _dunning_hold_amount(self):
        return abs(self.amount_total_signed)

    def action_post(self):
        self.filtered(lambda move: move.move_type == "out_invoice")._dunning_check_hold()
        return super().action_post()
