"""Receivables figures (DSO countback, ageing, CEI) and the digest KPIs against a ledger worked out by hand.

The ledger (no taxes, the company's currency):

==========  =========  ==========  ======  =================================
customer    invoice    due         amount  paid
==========  =========  ==========  ======  =================================
A (strat.)  10 April   30 April    1,000   400 on 15 May
A (strat.)  5 June     5 July        600   -
B (Sally)   20 March   31 March      500   in full on 10 June
B (Sally)   20 May     31 May        300   -
==========  =========  ==========  ======  =================================

Receivables at each month's end, and their age:

* 31 March: 500 (B, due that day: not yet due).
* 30 April: 1,500: A 1,000 not yet due, B 500 1-30 days.
* 31 May: 1,400: A 600 31-60 days, B 500 61-90 days, B 300 not yet due.
* 30 June: 1,500: A 600 61-90 days, A 600 not yet due, B 300 1-30 days.

Sales: March 500, April 1,000, May 300, June 600.
DSO June: 1,500 - 600 (June, 30 d) - 300 (May, 31 d) = 600 of April's 1,000 -> 61 + 30 x 0.6 = 79.0.
DSO May: 1,400 - 300 (31 d) - 1,000 (30 d) = 100 of March's 500 -> 61 + 31 x 0.2 = 67.2.
DSO April: 1,500 - 1,000 (30 d) = 500 of March's 500 -> 30 + 31 = 61.0.
CEI June: (1,400 + 600 - 1,500) / (1,400 + 600 - 600) = 500 / 1,400 = 35.7 %.
CEI May: (1,500 + 300 - 1,400) / (1,500 + 300 - 300) = 400 / 1,500 = 26.7 %.
CEI April: (500 + 1,000 - 1,500) / (500 + 1,000 - 1,000) = 0 / 500 = 0 %.
CEI of the quarter as a ratio of sums: 900 / 3,400 = 26.5 %.
"""

from datetime import date, datetime

from odoo.tests import tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestReceivableFigures(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls.env["dunning.segment"].create({"key": "figures_strategic", "name": "Figures strategic"})
        cls.partner_a.with_company(cls.company).dunning_segment_id = cls.segment
        cls.partner_b.user_id = cls.salesperson
        a1 = cls.make_invoice(cls.partner_a, date(2026, 4, 10), date(2026, 4, 30), 1000)
        cls.make_invoice(cls.partner_a, date(2026, 6, 5), date(2026, 7, 5), 600)
        b1 = cls.make_invoice(cls.partner_b, date(2026, 3, 20), date(2026, 3, 31), 500)
        cls.make_invoice(cls.partner_b, date(2026, 5, 20), date(2026, 5, 31), 300)
        cls.pay(a1, date(2026, 5, 15), 400)
        cls.pay(b1, date(2026, 6, 10))
        Case = cls.env["dunning.case"]
        Case.create({"partner_id": cls.partner_a.id, "segment_id": cls.segment.id, "amount_at_open": 600,
                     "opened_on": date(2026, 6, 3)})
        closed = Case.create({
            "partner_id": cls.partner_b.id, "user_id": cls.salesperson.id, "amount_at_open": 500,
            "state": "closed", "outcome": "paid", "opened_on": date(2026, 5, 2), "closed_on": date(2026, 6, 10),
            "amount_recovered": 500,
        })
        rating = cls.env["rating.rating"].sudo().create({
            "res_model_id": cls.env["ir.model"]._get_id("dunning.case"), "res_id": closed.id, "rating": 4,
            "consumed": True, "partner_id": cls.partner_b.id})
        rating.flush_recordset()
        cls.env.cr.execute("UPDATE rating_rating SET write_date = '2026-06-15 10:00' WHERE id = %s", [rating.id])
        cls.env.flush_all()
        cls.env["dunning.figures"]._refresh(cls.company, TODAY, months=3)

    def row(self, month, scope="company", **where):
        domain = [("company_id", "=", self.company.id), ("month", "=", month), ("scope", "=", scope)]
        domain += [(name, "=", value.id if hasattr(value, "id") else value) for name, value in where.items()]
        [row] = self.env["dunning.figures"].search(domain)
        return row

    def test_ageing_at_each_months_end(self):
        expected = {  # month: (receivable, not yet due, overdue, 1-30, 31-60, 61-90, 91+)
            date(2026, 4, 1): (1500, 1000, 500, 500, 0, 0, 0),
            date(2026, 5, 1): (1400, 300, 1100, 0, 600, 500, 0),
            date(2026, 6, 1): (1500, 600, 900, 300, 0, 600, 0),
        }
        for month, values in expected.items():
            row = self.row(month)
            with self.subTest(month=month):
                self.assertEqual(
                    (row.receivable, row.receivable_current, row.overdue, row.age_1_30, row.age_31_60,
                     row.age_61_90, row.age_91_plus), values)

    def test_dso_countback_and_cei(self):
        self.assertEqual([self.row(date(2026, m, 1)).dso for m in (4, 5, 6)], [61.0, 67.2, 79.0])
        self.assertEqual([round(self.row(date(2026, m, 1)).cei, 1) for m in (4, 5, 6)], [0.0, 26.7, 35.7])
        self.assertEqual([self.row(date(2026, m, 1)).sales for m in (4, 5, 6)], [1000, 300, 600])
        [(cei,)] = self.env["dunning.figures"]._read_group(
            [("company_id", "=", self.company.id), ("scope", "=", "company")], [], ["cei:avg"])
        self.assertAlmostEqual(cei, 100 * 900 / 3400)

    def test_per_segment_and_salesperson(self):
        strategic = self.row(date(2026, 6, 1), "segment", segment_id=self.segment)
        # A alone: 1,200 open; June 600 (30 d), May nothing (31 d), 600 of April's 1,000 -> 61 + 18.
        self.assertEqual((strategic.receivable, strategic.overdue, strategic.dso), (1200, 600, 79.0))
        self.assertEqual(strategic.cases_opened, 1)
        sally = self.row(date(2026, 6, 1), "salesperson", user_id=self.salesperson)
        # B alone: 300 open; June no sales (30 d), May's 300 covers it (31 d).
        self.assertEqual((sally.receivable, sally.dso), (300, 61.0))
        self.assertEqual((sally.cases_closed, sally.closed_no_harsh, sally.recovered, sally.satisfaction),
                         (1, 1, 500, 4.0))
        june = self.row(date(2026, 6, 1))
        self.assertEqual((june.cases_opened, june.cases_closed, june.no_harsh_rate), (1, 1, 100.0))
        self.assertEqual(self.row(date(2026, 5, 1)).cases_opened, 1)

    def test_digest_kpis(self):
        kpis = ["kpi_dunning_overdue", "kpi_dunning_dso", "kpi_dunning_cases_opened", "kpi_dunning_cases_closed",
                "kpi_dunning_satisfaction"]
        digest = self.env["digest.digest"].create(
            {"name": "Weekly", "company_id": self.company.id, **dict.fromkeys(kpis, True)})
        digest = digest.with_user(self.collections_manager).with_context(
            start_datetime=datetime(2026, 6, 1), end_datetime=datetime(2026, 7, 1))
        self.assertEqual(digest.kpi_dunning_overdue_value, 900)
        self.assertEqual(digest.kpi_dunning_dso_value, 79.0)
        self.assertEqual(digest.kpi_dunning_cases_opened_value, 1)
        self.assertEqual(digest.kpi_dunning_cases_closed_value, 1)
        self.assertEqual(digest.kpi_dunning_satisfaction_value, 4.0)
        shown = {kpi["kpi_name"] for kpi in digest._compute_kpis(self.company, self.collections_manager)}
        self.assertLessEqual(set(kpis), shown)

    def test_monthly_summary_compares_with_the_month_before(self):
        summary = self.env["dunning.case.summary"].with_user(self.collections_manager).create(
            {"date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30)})
        company, *segments = summary._figure_lines()
        self.assertEqual(company["label"], "Whole company")
        self.assertEqual((company["now"]["dso"], company["before"]["dso"]), (79.0, 67.2))
        self.assertEqual((company["now"]["overdue"], company["before"]["overdue"]), (900, 1100))
        [strategic] = [line for line in segments if line["label"] == "Figures strategic"]
        self.assertEqual((strategic["now"]["receivable"], strategic["before"]["receivable"]), (1200, 600))
        html = self.env["ir.actions.report"].with_user(self.collections_manager)._render_qweb_html(
            "customer_aware_dunning.report_case_summary", summary.ids)[0].decode()
        self.assertIn("Receivables at the month", html)
        self.assertIn("79.0 (67.2)", html)
        # A salesperson's summary covers their customers: no company-wide receivables.
        own = self.env["dunning.case.summary"].with_user(self.salesperson).create(
            {"date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30)})
        self.assertEqual(own._figure_lines(), [])

    def test_a_salesperson_reads_only_their_customers_figures(self):
        rows = self.env["dunning.figures"].with_user(self.salesperson).search([])
        self.assertEqual(set(rows.mapped("scope")), {"salesperson"})
        self.assertEqual(rows.user_id, self.salesperson)
        self.assertEqual(rows.filtered(lambda r: r.month == date(2026, 6, 1)).receivable, 300)
