from odoo import api, models

from ..policy.schema import TAG_PREFIX


class DunningChannelRecipients(models.AbstractModel):
    """Who a collection email goes to, who gets a copy and where the answers go.

    A step's ``recipients`` are tried in order and the first that reaches
    someone with an email wins: ``invoice_contact`` (the customer's child
    contacts of type "Invoice address" with an email, else the customer
    itself, as Odoo's invoice sending addresses invoices), ``main_contact``
    (the customer itself), ``tag:<name>`` (its contacts with that tag).  ``cc``
    copies the salesperson and/or the case's collector.  Replies go to the
    collector (else the company's address: the collections team).
    """

    _inherit = "dunning.channel"

    @api.model
    def _recipients(self, case, step):
        customer = case.partner_id.commercial_partner_id
        contacts = customer.child_ids.filtered("email")
        for recipient in getattr(step, "recipients", ("invoice_contact",)):
            if recipient == "invoice_contact":
                found = contacts.filtered(lambda contact: contact.type == "invoice") or customer.filtered("email")
            elif recipient == "main_contact":
                found = customer.filtered("email")
            elif recipient.startswith(TAG_PREFIX):
                tag = recipient[len(TAG_PREFIX):].strip().lower()
                found = (customer | contacts).filtered(lambda partner, tag=tag: partner.email and tag in [
                    name.lower() for name in partner.with_context(lang="en_US").category_id.mapped("name")])
            else:
                found = self.env["res.partner"]
            if found:
                return found
        return self.env["res.partner"]

    @api.model
    def _copies(self, case, step):
        users = self.env["res.users"]
        for who in getattr(step, "cc", ()):
            users |= case.user_id if who == "salesperson" else case.collector_id
        return users.partner_id.filtered("email")

    @api.model
    def _reply_to(self, case):
        return case.collector_id.email_formatted or case.company_id.email_formatted or False

    @api.model
    def _invoice_address(self, case):
        """Where a letter goes: the customer's invoice address, as Odoo's invoices use it."""
        customer = case.partner_id.commercial_partner_id
        return self.env["res.partner"].browse(customer.address_get(["invoice"])["invoice"])
