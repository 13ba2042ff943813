"""The salesperson hears what their customer told us online and when a promise breaks, as the policy says.

The policy's ``tell_salesperson`` (see :mod:`..policy.sales_schema`) names, for a portal answer
(a reason, a promise, a payment plan request, a question) and for a broken promise: ``activity``
(a note on the case that notifies the salesperson, and a To-Do), ``note`` (the note only) or
``none``. The salesperson gets no second To-Do when the answer's own To-Do already went to them,
nor any word when they are not an internal user.
"""

from markupsafe import Markup, escape

from odoo import models

from ..policy.sales_schema import SalespersonNotices
from ..policy.text import Text
from ..texts import SALESPERSON_ANSWERED, SALESPERSON_PROMISE_BROKEN, Reader, to_data


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _portal_answer(self, kind, answer, today, now):
        before = self.sudo().activity_ids
        problem = super()._portal_answer(kind, answer, today, now)
        if not problem:
            case = self.sudo()
            told = case.event_ids.filtered(lambda event: event.kind == "customer_answer").sorted("id")[-1:]
            new = case.activity_ids - before
            # A plan the customer agreed alone asks nobody for anything: the salesperson reads of it, no To-Do.
            case._tell_salesperson("customer_answer", told.description_data, asked=new.user_id,
                                           to_do=bool(new) or kind != "plan")
        return problem

    def _tell_salesperson(self, moment, description, asked=None, to_do=True):
        """Tell the salesperson of this case of ``moment`` (``customer_answer`` or ``broken_promise``) as the
        active policy's ``tell_salesperson`` says; ``description``: the moment's event text as data (texts.py);
        ``asked``: users the moment already gave a To-Do; ``to_do=False``: a note at most (nothing is asked of
        anyone). The note keeps its sentence as data (each reader reads it in their language); the To-Do is
        written in the salesperson's."""
        self.ensure_one()
        case = self.sudo()
        user = case.user_id
        spec = self.env["dunning.policy"].sudo()._active_spec(case.company_id)
        how = getattr(spec.tell_salesperson if spec else SalespersonNotices(), moment)
        if how == "none" or not user or user.share or not user.active:
            return
        reader = Reader(case.with_context(lang=user.lang or self.env.lang).env, case.company_id)
        headline = Text(SALESPERSON_ANSWERED if moment == "customer_answer" else SALESPERSON_PROMISE_BROKEN,
                        customer=case.partner_id.display_name)
        said, told = reader.render(to_data(headline)), reader.render(description)
        message = case.message_post(body=Markup("<p>%s</p><p>%s</p>") % (said, told), message_type="comment",
                                    subtype_xmlid="mail.mt_note", partner_ids=user.partner_id.ids)
        message._dunning_keep_texts({message.id: {
            "kind": None, "text": {"l": [to_data(headline), description or None], "sep": " "}}})
        if how == "activity" and to_do and user not in (asked or self.env["res.users"]):
            case._schedule_activities({case: {"summary": said, "note": escape(told), "user_id": user.id}})


class DunningPromise(models.Model):
    _inherit = "dunning.promise"

    def _tell_broken(self):
        """The broken promise's event and owner's To-Do, then the salesperson's word; no To-Do of ours when the
        policy's ``on_broken_promise`` step is already a call by the salesperson."""
        before = self.case_id.sudo().activity_ids
        result = super()._tell_broken()
        case = self.case_id.sudo()
        told = case.event_ids.filtered(lambda event: event.kind == "promise_broken").sorted("id")[-1:]
        asked = (case.activity_ids - before).user_id
        spec = self.env["dunning.policy"].sudo()._active_spec(case.company_id)
        reaction = spec.on_broken_promise if spec else None
        if reaction and reaction.send == "activity" and reaction.to == "salesperson":
            asked |= case.user_id
        case._tell_salesperson("broken_promise", told.description_data, asked=asked)
        return result
