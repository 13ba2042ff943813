from datetime import date, timedelta

from odoo.tests import tagged

from ..models.dunning_partner_facts import FACT_FIELDS
from ..models.dunning_run_inputs import INVOICE_FIELDS
from .common import DunningCommon

DUE = date(2026, 6, 1)


@tagged("post_install", "-at_install")
class TestRunInputsRead(DunningCommon):
    """The run reads the open invoices and the customers' facts in one statement each
    (``dunning.run._open_invoice_rows``, ``dunning.partner.facts._rows``), and reads what the ORM reads: the same
    rows, in the same order, with the same values (False or 0 where empty), changes not yet flushed included."""

    def test_the_open_invoices_read_as_search_read_reads_them(self):
        customers = self.make_overdue_customers("Read customer", 3, DUE, amount=300)
        first, second, third = customers
        later = self.make_invoice(first, DUE - timedelta(days=10), DUE + timedelta(days=20), 120)
        self.make_invoice(second, DUE - timedelta(days=40), DUE - timedelta(days=10), 80)
        self.pay(later, DUE, 50)  # partly paid
        dispute = self.env.ref("customer_aware_dunning.delay_reason_dispute")
        invoices = self.env["account.move"].search([("partner_id", "in", customers.ids)], order="id")
        # written, not flushed: the read must see them
        invoices[0].write({"dunning_delay_reason_id": dispute.id})
        invoices[1].write({"dunning_promise_date": DUE + timedelta(days=9)})
        invoices[2].write({"dunning_excluded": True, "dunning_exclusion_reason": "Settled outside the ledger"})
        run = self.env["dunning.run"]
        domain = [*run._open_invoices_domain(self.company),
                  ("commercial_partner_id", "in", (first | second | third).ids)]
        ours = run._open_invoice_rows(domain)
        odoos = self.env["account.move"].sudo().search_read(domain, list(INVOICE_FIELDS),
                                                            order="invoice_date_due, id", load=None)
        self.assertEqual(len(odoos), 5)
        self.assertEqual(ours, odoos)
        by_id = {row["id"]: row for row in ours}
        self.assertEqual(by_id[invoices[0].id]["dunning_delay_reason_id"], dispute.id)
        self.assertTrue(by_id[invoices[0].id]["dunning_delay_reason_date"])
        self.assertEqual(by_id[invoices[1].id]["dunning_promise_date"], DUE + timedelta(days=9))
        self.assertIs(by_id[invoices[2].id]["dunning_excluded"], True)
        self.assertEqual(by_id[later.id]["amount_residual"], 70.0)

    def test_the_facts_read_as_the_records_give_them(self):
        customers = self.make_overdue_customers("Facts customer", 2, DUE, amount=200)
        newcomer = self.env["res.partner"].create({"name": "Facts newcomer", "is_company": True})
        self.make_invoice(newcomer, DUE + timedelta(days=20), DUE + timedelta(days=50), 40)  # not due: empty facts
        self.pay(self.env["account.move"].search([("partner_id", "=", customers[0].id)]), DUE + timedelta(days=3))
        self.refresh_facts(today=DUE + timedelta(days=25))
        Facts = self.env["dunning.partner.facts"]
        domain = [("company_id", "=", self.company.id), ("partner_id", "in", (customers | newcomer).ids)]
        records = Facts.search(domain)
        rows = Facts._rows(domain)
        self.assertEqual(len(rows), 3)
        self.assertEqual([row["partner_id"] for row in rows], records.partner_id.ids, "the model's order")
        for row, record in zip(rows, records, strict=True):
            self.assertEqual(record._engine_facts(row), record._as_policy_facts())
            self.assertEqual(row["credit_limit"], record.credit_limit)
            for name in FACT_FIELDS:
                self.assertEqual(row[name], record[name], name)
