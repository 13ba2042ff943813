"""The payment plan a delay reason offers, in the next message to the customer.

A delay reason of the active policy with ``offer: payment_plan`` (cash-flow
trouble in the shipped default) unlocks a plan: every email to a customer whose
collectable invoices carry such a reason ends with a short offer, in the
customer's language, linking to the page where they choose the plan within the
policy's bounds. A customer with a running plan is not offered another.
"""

from markupsafe import Markup

from odoo import api, models

OFFER_TEMPLATE = "customer_aware_dunning.dunning_plan_offer_block"


class DunningChannel(models.AbstractModel):
    _inherit = "dunning.channel"

    @api.model
    def _plan_offer_cases(self, cases):
        """The cases of ``cases`` to offer a payment plan: a reason of theirs offers one, no plan runs."""
        offered = self.env["dunning.case"]
        for company in cases.company_id:
            spec = self.env["dunning.policy"].sudo()._active_spec(company)
            if not spec:
                continue
            keys = {reason.key for reason in spec.delay_reasons if reason.offer == "payment_plan"}
            offered |= cases.filtered(lambda case, keys=keys, company=company: (
                case.company_id == company and not case.live_payment_plan_id
                and set(case._collectable_invoices().dunning_delay_reason_id.mapped("key")) & keys))
        return offered

    @api.model
    def _plan_offer_blocks(self, cases):
        """``{case id: Markup}``: the payment plan offer of each case it applies to, in the customer's language."""
        result = {}
        for case in self._plan_offer_cases(cases):
            lang = case.partner_id.lang or self.env.lang
            case = case.with_context(lang=lang)
            values = {"case": case, "url": case.get_base_url() + case.get_portal_url(),
                      "bounds": case._dunning_plan_bounds()}
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(OFFER_TEMPLATE, values))
        return result
