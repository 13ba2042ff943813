"""The customer's own collections settings (the customer form's Collections tab), per company.

As Odoo Enterprise's follow-up has them: a **responsible** (the collector of the customer's cases,
before the policy's ``owners`` rules), a **manual-only** mode ("no automatic messages, only
activities": every message step of the journey waits for the collections owner's approval, and the
policy's steps for a broken promise or plan become To-Dos), and a **next action date** set by hand
(nothing automatic before it). The run reads them with the customer's other values
(``dunning.run._case_inputs``); Collections managers set them.
"""

from collections import defaultdict

from odoo import _, api, fields, models

from ..access import check_collections_manager
from ..policy.schema import MESSAGE_CHANNELS
from ..policy.text import Text
from ..texts import MANUAL_ONLY_NOT_SENT, MANUAL_ONLY_SEND_IT, Reader, step_title, to_data

OVERRIDE_FIELDS = ("dunning_responsible_id", "dunning_manual_only", "dunning_next_action_on")


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_responsible_id = fields.Many2one(
        "res.users", string="Collections responsible", company_dependent=True, domain=[("share", "=", False)],
        help="Follows up this customer's collection cases in this company, whatever the policy's owner rules say.")
    dunning_manual_only = fields.Boolean(
        "Manual collections only", company_dependent=True,
        help="No automatic messages, only activities: each message of the journey waits for the collections "
             "owner, who sends it or holds the case.")
    dunning_next_action_on = fields.Date(
        "Next collections action", company_dependent=True,
        help="Nothing automatic is sent to this customer before this date; the journey goes on from it.")

    def write(self, vals):
        """The collections settings are the Collections managers', who need not be allowed to edit contacts:
        checked here, then written as superuser (as the segment set by hand is); other values as the user."""
        settings = {name: vals[name] for name in OVERRIDE_FIELDS if name in vals}
        if not settings:
            return super().write(vals)
        check_collections_manager(self.env, _("Only Collections managers can change a customer's collections "
                                              "settings."))
        self.check_access("read")
        others = {name: value for name, value in vals.items() if name not in settings}
        result = super().write(others) if others else True
        super(ResPartner, self.sudo()).write(settings)
        if vals.get("dunning_responsible_id"):
            cases = self.env["dunning.case"].sudo().search([
                ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id),
                ("state", "!=", "closed"), ("collector_id", "!=", vals["dunning_responsible_id"])])
            cases.write({"collector_id": vals["dunning_responsible_id"]})
        return result


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _assign_owners(self, company):
        """The customer's responsible first, then the policy's ``owners`` rules for the cases still without one."""
        # one read of the customers' setting (iterating the set keeps Odoo's prefetch)
        customers = self.partner_id.with_company(company).sudo()
        responsible = {partner.id: partner.dunning_responsible_id for partner in customers}
        by_user = defaultdict(lambda: self.browse())
        for case in self.filtered(lambda case: not case.collector_id):
            user = responsible.get(case.partner_id.id)
            if user:
                by_user[user] |= case
        for user, cases in by_user.items():
            cases.write({"collector_id": user.id})
        return super()._assign_owners(company)

    @api.model
    def _send_steps(self, spec, steps, steps_done=None):
        """Steps sent without a person (a broken promise's or plan's reaction) send no message to a customer in
        manual-only mode: the collections owner gets a To-Do to send it. A person's approval sends it."""
        if self.env.context.get("dunning_sent_by_person") or not steps:
            return super()._send_steps(spec, steps, steps_done)
        manual_ids = set()
        for company in {case.company_id for case, _step, _moves in steps}:  # one read per company, not per case
            partners = self.env["res.partner"].union(*(case.partner_id for case, _step, _moves in steps
                                                       if case.company_id == company))
            manual_ids |= {partner.id for partner in partners.with_company(company).sudo()
                           if partner.dunning_manual_only}
        manual = {case for case, step, _moves in steps if step.send in MESSAGE_CHANNELS
                  and case.partner_id.id in manual_ids}
        held = [(case, step) for case, step, _moves in steps if case in manual and step.send in MESSAGE_CHANNELS]
        if held:
            users = self.env["dunning.channel"]._actors([(case, "finance") for case, _step in held])
            activities = {}
            for (case, step), user in zip(held, users, strict=True):
                reader = Reader(self.with_context(lang=user.lang or self.env.lang).env, case.company_id)
                activities[case] = {
                    "summary": reader.env._("Send by hand: %(customer)s", customer=case.partner_id.display_name),
                    "note": reader.render(to_data(Text(MANUAL_ONLY_SEND_IT, customer=case.partner_id.display_name,
                                                       step=step_title(step)))),
                    "user_id": user.id,
                }
            self._schedule_activities(activities)
            cases = self.union(*(case for case, _step in held))
            cases._log_events("note", {case.id: Text(MANUAL_ONLY_NOT_SENT, step=step_title(step))
                                       for case, step in held})
        rest = [item for item in steps if not (item[0] in manual and item[1].send in MESSAGE_CHANNELS)]
        return super()._send_steps(spec, rest, steps_done) if rest else None
