"""Collections where salespeople work: a banner on the customer, quotation and sale order forms.

When the customer has an open collection case in the company, the form says so in a sentence:
the case's state, what is overdue, what happens next, the delay reason and promise, and who
follows it up. The case is read with sudo, but only these few facts leave it, and only for a
user of the Collections groups (salespeople are); the link to the case opens it with the user's
own rights, so a record rule that hides the case still hides it.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..access import USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_banner_case_id = fields.Many2one(
        "dunning.case", compute="_compute_dunning_banner", string="Open collection case",
        help="The customer's open collection case in the current company.",
    )
    dunning_banner = fields.Char(compute="_compute_dunning_banner", string="In collections")

    @api.depends_context("company", "uid", "lang")
    def _compute_dunning_banner(self):
        cases = self.env["dunning.case"]._sales_banners(self, self.env.company)
        for partner in self:
            case, text = cases.get((partner.commercial_partner_id.id, self.env.company.id), (None, False))
            partner.dunning_banner_case_id = case.id if case else False
            partner.dunning_banner = text

    def action_dunning_open_banner_case(self):
        """Open the customer's case with the user's own rights (the banner's link)."""
        self.ensure_one()
        return self.dunning_banner_case_id._open_from_banner()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    dunning_banner_case_id = fields.Many2one(
        "dunning.case", compute="_compute_dunning_banner", string="Open collection case",
        help="The customer's open collection case in the order's company.",
    )
    dunning_banner = fields.Char(compute="_compute_dunning_banner", string="In collections")

    @api.depends("partner_id", "company_id")
    @api.depends_context("uid", "lang")
    def _compute_dunning_banner(self):
        cases = self.env["dunning.case"]._sales_banners(self.partner_id, self.company_id)
        for order in self:
            case, text = cases.get((order.partner_id.commercial_partner_id.id, order.company_id.id), (None, False))
            order.dunning_banner_case_id = case.id if case else False
            order.dunning_banner = text

    def action_dunning_open_banner_case(self):
        """Open the customer's case with the user's own rights (the banner's link)."""
        self.ensure_one()
        return self.dunning_banner_case_id._open_from_banner()


class DunningCase(models.Model):
    _inherit = "dunning.case"

    @api.model
    def _sales_banners(self, partners, companies):
        """``{(commercial partner id, company id): (case, banner text)}`` of the open cases of ``partners``.

        Read with sudo in two queries for the whole batch (cases, then their pending promises); empty
        for a user outside the Collections groups.
        """
        if not partners or not companies or not self.env.user.has_group(USER_GROUP):
            return {}
        cases = self.sudo().search([
            ("partner_id", "in", partners.commercial_partner_id.ids),
            ("company_id", "in", companies.ids),
            ("state", "!=", "closed"),
        ])
        promises = {}
        for promise in self.env["dunning.promise"].sudo().search(
                [("case_id", "in", cases.ids), ("state", "=", "pending")], order="date desc"):
            promises[promise.case_id] = promise  # the earliest pending promise wins
        return {(case.partner_id.id, case.company_id.id): (case, case._sales_banner_text(promises.get(case)))
                for case in cases}

    def _sales_banner_text(self, promise):
        """The sentence a salesperson reads about this case (a sudo record): state, amount, next step, people."""
        self.ensure_one()
        states = dict(self._fields["state"]._description_selection(self.env))
        parts = [self.env._("%(case)s is %(state)s: %(amount)s overdue.", case=self.name,
                            state=states.get(self.state, self.state).lower(),
                            amount=self._format_amount(self.amount_overdue)),
                 self.next_summary or ""]
        if self.delay_reason_id:
            parts.append(self.env._("Delay reason: %(reason)s.", reason=self.delay_reason_id.name))
        if promise:
            parts.append(self.env._("Promised to pay by %(date)s.", date=self._format_date(promise.date)))
        collector = self.collector_id.name or self.env._("finance")
        parts.append(self.env._("Followed up by %(collector)s.", collector=collector))
        return " ".join(part for part in parts if part)

    def _open_from_banner(self):
        case = self.with_env(self.env(su=False))
        if not case:
            raise AccessError(_("The customer has no open collection case any more."))
        case.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "dunning.case",
            "res_id": case.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "name": case.display_name,
        }
