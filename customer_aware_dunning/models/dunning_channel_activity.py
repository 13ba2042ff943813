"""The ``activity`` and ``sms`` channels: a To-Do for who acts (returned to the case to schedule), Odoo's SMS."""

from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, models

from ..access import MANAGER_GROUP
from ..policy.schema import GROUP_PREFIX, is_group_actor
from ..translate import policy_text


class DunningChannelActivity(models.AbstractModel):
    _inherit = "dunning.channel"

    def _schedule_activities(self, items):
        activities = {}
        actors = self._actors([(case, step.to) for case, step, _invoices in items])
        for (case, step, _invoices), user in zip(items, actors, strict=True):
            env = self.with_context(lang=user.lang or self.env.lang).env  # in the words of who acts
            activities[case] = {
                "summary": env._("Collections: %(customer)s", customer=case.partner_id.display_name),
                "note": policy_text(env, step.note) or env._("Follow up the customer's open invoices."),
                "user_id": user.id,
            }
        return {"activities": activities}

    @api.model
    def _actors(self, pairs):
        """The user acting for each ``(case, actor)`` of ``pairs``, in order: :meth:`_actor` once per kind of
        case (the same actor, salesperson, collections owner and company), not once per case of a batch."""
        found, users = {}, []
        for case, actor in pairs:
            key = (actor, case.user_id.id, case.collector_id.id, case.company_id.id)
            if key not in found:
                found[key] = self._actor(case, actor)
            users.append(found[key])
        return users

    @api.model
    def _actor(self, case, actor):
        """The user who acts for ``actor`` (finance, salesperson or group:<xml id>) on ``case``."""
        if actor == "salesperson" and case.user_id:
            return case.user_id
        if is_group_actor(actor):
            group = self.env.ref(actor[len(GROUP_PREFIX):], raise_if_not_found=False)
            members = group.all_user_ids if group else self.env["res.users"]
            members = members.filtered(lambda user: case.company_id in user.company_ids and not user.share)
            if case.collector_id in members:
                return case.collector_id
            if members:
                return members.sorted("id")[0]
        return case.collector_id or self._finance_user(case.company_id)

    @api.model
    def _finance_user(self, company):
        managers = self.env.ref(MANAGER_GROUP).all_user_ids.filtered(
            lambda user: company in user.company_ids and not user.share and user.active
        )
        return managers.sorted("id")[:1] or self.env.user

    # ------------------------------------------------------------------ sms

    def _send_sms(self, items):
        by_template = defaultdict(list)
        for case, step, invoices in items:
            by_template[step.template].append((case, invoices))
        for key, group in by_template.items():
            cases = self.env["dunning.case"].union(*(case for case, _invoices in group))
            subjects = self._mail_template(key)._render_field("subject", cases.ids, compute_lang=True)
            for case in cases:
                body = _("%(subject)s: %(amount)s", subject=subjects[case.id],
                         amount=case._format_amount(case.amount_overdue))
                case._message_sms(Markup.escape(body), partner_ids=case.partner_id.ids)
