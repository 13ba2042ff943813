"""Promise-kept rate, satisfaction and repurchases per segment and salesperson, against a ledger worked out by hand.

The ledger (no taxes, the company's currency; the figures of April to June 2026):

=============  ===========  ======  ============================  ==========================
customer       invoice due  amount  promise                       paid
=============  ===========  ======  ============================  ==========================
A (strategic)  31 March      1,000  400 by 15 April               400 on 10 April: kept
B (Sally)      31 March        500  in full by 20 April           200 on 18 April: broken
C              30 April        300  in full by 25 May             300 on 25 May: kept
=============  ===========  ======  ============================  ==========================

Promises kept: April 1 of 2 (50 %): strategic 1 of 1 (100 %), Sally 0 of 1 (0 %); May 1 of 1 (100 %);
the quarter as a ratio of sums: 2 of 3 (66.7 %), not the mean of the months' rates (75 %).

Cases closed in April: A's (strategic, rated 5, bought 700 again in the window), B's (Sally, rated 2,
bought nothing): satisfaction 3.5 (strategic 5, Sally 2), repurchase rate 50 % (strategic 100 %,
Sally 0 %), recovered 400 + 200 = 600.
"""

from datetime import date

from odoo.tests import tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestPromiseAndRelationshipFigures(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls.env["dunning.segment"].create({"key": "promises_strategic", "name": "Promises strategic"})
        cls.partner_a.with_company(cls.company).dunning_segment_id = cls.segment
        cls.partner_b.user_id = cls.salesperson
        cls.partner_c = cls.env["res.partner"].create({"name": "Cecilia Ky", "is_company": True})
        a = cls.make_invoice(cls.partner_a, date(2026, 3, 1), date(2026, 3, 31), 1000)
        b = cls.make_invoice(cls.partner_b, date(2026, 3, 1), date(2026, 3, 31), 500)
        c = cls.make_invoice(cls.partner_c, date(2026, 4, 1), date(2026, 4, 30), 300)
        a.write({"dunning_promise_date": date(2026, 4, 15), "dunning_promise_amount": 400})
        b.write({"dunning_promise_date": date(2026, 4, 20)})
        c.write({"dunning_promise_date": date(2026, 5, 25)})
        cls.pay(a, date(2026, 4, 10), 400)
        cls.pay(b, date(2026, 4, 18), 200)
        cls.pay(c, date(2026, 5, 25))
        Case = cls.env["dunning.case"]
        closed = {"state": "closed", "outcome": "paid", "opened_on": date(2026, 4, 2), "closed_on": date(2026, 4, 28),
                  "repurchase_measured_on": date(2026, 6, 28)}
        case_a = Case.create({**closed, "partner_id": cls.partner_a.id, "segment_id": cls.segment.id,
                              "amount_at_open": 1000, "amount_recovered": 400, "repurchase_invoiced": 700})
        case_b = Case.create({**closed, "partner_id": cls.partner_b.id, "user_id": cls.salesperson.id,
                              "amount_at_open": 500, "amount_recovered": 200})
        model_id = cls.env["ir.model"]._get_id("dunning.case")
        cls.env["rating.rating"].sudo().create([
            {"res_model_id": model_id, "res_id": case.id, "rating": rating, "consumed": True,
             "partner_id": case.partner_id.id} for case, rating in ((case_a, 5), (case_b, 2))])
        cls.env.flush_all()
        cls.env["dunning.figures"]._refresh(cls.company, TODAY, months=3)

    def row(self, month, scope="company", **where):
        domain = [("company_id", "=", self.company.id), ("month", "=", month), ("scope", "=", scope)]
        domain += [(name, "=", value.id) for name, value in where.items()]
        [row] = self.env["dunning.figures"].search(domain)
        return row

    def test_promise_kept_rate_per_month_segment_and_salesperson(self):
        april, may = self.row(date(2026, 4, 1)), self.row(date(2026, 5, 1))
        self.assertEqual((april.promises_due, april.promises_kept, april.promise_kept_rate), (2, 1, 50.0))
        self.assertEqual((may.promises_due, may.promises_kept, may.promise_kept_rate), (1, 1, 100.0))
        strategic = self.row(date(2026, 4, 1), "segment", segment_id=self.segment)
        sally = self.row(date(2026, 4, 1), "salesperson", user_id=self.salesperson)
        self.assertEqual((strategic.promise_kept_rate, sally.promise_kept_rate), (100.0, 0.0))
        [(rate,)] = self.env["dunning.figures"]._read_group(
            [("company_id", "=", self.company.id), ("scope", "=", "company")], [], ["promise_kept_rate:avg"])
        self.assertAlmostEqual(rate, 100 * 2 / 3, msg="a ratio of sums over the quarter")

    def test_satisfaction_repurchases_and_recovered_side_by_side(self):
        april = self.row(date(2026, 4, 1))
        self.assertEqual((april.cases_closed, april.recovered, april.satisfaction, april.repurchase_rate),
                         (2, 600, 3.5, 50.0))
        strategic = self.row(date(2026, 4, 1), "segment", segment_id=self.segment)
        sally = self.row(date(2026, 4, 1), "salesperson", user_id=self.salesperson)
        self.assertEqual((strategic.satisfaction, strategic.repurchase_rate, strategic.recovered), (5.0, 100.0, 400))
        self.assertEqual((sally.satisfaction, sally.repurchase_rate, sally.recovered), (2.0, 0.0, 200))
