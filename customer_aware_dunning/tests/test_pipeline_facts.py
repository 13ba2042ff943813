"""The sales pipeline as facts: open quotations, orders not yet invoiced, days since the last order."""

from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

from .common import DunningCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestPipelineFacts(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Bertta Oy", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Pirjo Bertta", "parent_id": cls.customer.id})
        cls.quiet = cls.env["res.partner"].create({"name": "Quiet Oy", "is_company": True})
        cls.draft = cls.order(cls.customer, 100)
        cls.sent = cls.order(cls.contact, 50)
        cls.sent.state = "sent"
        cls.confirmed = cls.order(cls.customer, 200, confirm_on=datetime(2026, 6, 20, 10))
        cls.invoiced = cls.order(cls.customer, 300, confirm_on=datetime(2026, 5, 1, 10))
        cls.invoiced._create_invoices()
        cls.cancelled = cls.order(cls.customer, 1000)
        cls.cancelled._action_cancel()
        other_company = cls.env["res.company"].create({"name": "Other Oy"})
        cls.elsewhere = cls.order(cls.customer, 5000, company=other_company)

    @classmethod
    def order(cls, partner, amount, confirm_on=None, company=None):
        order = cls.env["sale.order"].sudo().create({
            "partner_id": partner.id, "company_id": (company or cls.company).id,
            "order_line": [Command.create({"product_id": cls.product_a.id, "product_uom_qty": 1,
                                           "price_unit": amount, "tax_ids": []})],
        })
        if confirm_on:
            order.action_confirm()
            order.date_order = confirm_on
        return order

    def pipeline(self, partners):
        return self.env["sale.order"]._dunning_pipeline_facts(self.company, partners, TODAY)

    def test_quotations_orders_and_last_order_of_a_constructed_history(self):
        self.assertEqual(self.invoiced.invoice_status, "invoiced")
        facts = self.pipeline(self.customer | self.quiet)
        self.assertEqual(facts[self.customer], {
            "open_quotations": 2, "open_quotations_amount": 150.0,
            "open_orders": 1, "open_orders_amount": 200.0,
            "open_opportunities": 0, "open_opportunities_amount": 0.0,
            "open_pipeline_amount": 350.0,
            "last_order_days": 10,
        })
        self.assertEqual((facts[self.quiet]["open_pipeline_amount"], facts[self.quiet]["last_order_days"]), (0.0, None))

    def test_the_policy_reads_them_with_the_other_facts(self):
        self.make_invoice(self.customer, date(2026, 5, 1), date(2026, 5, 31), 700)
        self.refresh_facts()
        facts = self.env["dunning.partner.facts"]._policy_facts(self.company, self.customer)[self.customer]
        self.assertEqual((facts["open_quotations"], facts["open_pipeline_amount"]), (2, 350.0))
        self.assertEqual(facts["overdue_balance"], 700.0)

    def test_the_case_shows_them(self):
        case = self.env["dunning.case"].create({"partner_id": self.customer.id, "company_id": self.company.id})
        self.assertEqual((case.dunning_open_quotations, case.dunning_open_orders, case.dunning_pipeline_amount),
                         (2, 1, 350.0))

    def queries_for(self, partners):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.pipeline(partners)
        return self.env.cr.sql_log_count - before

    def test_set_based_the_same_queries_for_one_or_many_customers(self):
        many = self.env["res.partner"].create([{"name": f"Customer {index}", "is_company": True}
                                               for index in range(6)])
        for partner in many:
            self.order(partner, 10)
            self.order(partner, 20, confirm_on=datetime(2026, 6, 1, 10))
        self.queries_for(self.customer)  # the registry's caches (access rules) are warm for both counts
        one = self.queries_for(self.customer)
        self.assertEqual(self.queries_for(self.customer | many), one)
        # with crm (make db-test installs it), one query more: the open opportunities, grouped
        bound = 6 + ("crm.lead" in self.env)
        self.assertLessEqual(one, bound, "company, partners, quotations and orders, last orders, contacts, currency "
                                         "(and opportunities)")
