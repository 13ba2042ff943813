"""The payment plan a delay reason offers, in the next message to the customer.

A delay reason of the active policy with ``offer: payment_plan`` (cash-flow
trouble in the shipped default) unlocks a plan: every email to a customer whose
collectable invoices carry such a reason ends with a short offer, in the
customer's language, linking to the page where they choose the plan within the
policy's bounds. A customer with a running plan is not offered another.
The case says which of its emails carry the offer (:meth:`_plan_offers`);
the channel renders it (``dunning.channel._offer_blocks``).
"""

from odoo import models


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _plan_offer_cases(self):
        """The cases of these to offer a payment plan: a reason of theirs offers one, no plan runs."""
        offered = self.browse()
        for company in self.company_id:
            spec = self.env["dunning.policy"].sudo()._active_spec(company)
            if not spec:
                continue
            keys = {reason.key for reason in spec.delay_reasons if reason.offer == "payment_plan"}
            offered |= self.filtered(lambda case, keys=keys, company=company: (
                case.company_id == company and not case.live_payment_plan_id
                and set(case._collectable_invoices().dunning_delay_reason_id.mapped("key")) & keys))
        return offered

    def _plan_offers(self):
        """``{case id: {"url", "bounds"}}``: the offer of each of these cases that gets one, for the channel to
        render (the case's page and the policy's bounds of a plan)."""
        result = {}
        for case in self._plan_offer_cases():
            case = case.with_context(lang=case.partner_id.lang or self.env.lang)
            result[case.id] = {"url": case.get_base_url() + case.get_portal_url(),
                               "bounds": case._plan_bounds()}
        return result
