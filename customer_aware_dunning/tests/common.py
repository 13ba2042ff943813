from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user

TODAY = date(2026, 6, 30)


class DunningCommon(AccountTestInvoicingCommon):
    """A company with customers, invoices at chosen dates, and the addon's users.

    Dates are explicit: every method that depends on the day takes ``today``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.collections_user = new_test_user(
            cls.env,
            login="sam.sales",
            name="Sam Sales",
            email="sam@example.com",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.collections_manager = new_test_user(
            cls.env,
            login="fiona.finance",
            name="Fiona Finance",
            email="fiona@example.com",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="sally.sales",
            name="Sally Sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.plain_user = new_test_user(
            cls.env,
            login="ian.internal",
            name="Ian Internal",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def make_invoice(cls, partner, invoice_date, due_date, amount, move_type="out_invoice", **values):
        return cls._create_invoice(
            move_type=move_type,
            partner_id=partner,
            invoice_date=invoice_date,
            invoice_date_due=due_date,
            invoice_payment_term_id=False,
            invoice_line_ids=[cls._prepare_invoice_line(price_unit=amount, name="Consulting", tax_ids=[])],
            post=True,
            **values,
        )

    @classmethod
    def pay(cls, invoice, payment_date, amount=None):
        values = {"payment_date": payment_date}
        if amount is not None:
            values["amount"] = amount
        return cls._register_payment(invoice, **values)

    def refresh_facts(self, company=None, today=TODAY):
        self.env["dunning.partner.facts"]._refresh(company or self.company, today)

    def facts_of(self, partner, company=None):
        return self.env["dunning.partner.facts"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)]
        )
