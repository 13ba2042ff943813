"""The analysis, dashboard and monthly summary tell the truth: empty means empty, open is "Still open",
every month of the period is there and nothing is drawn as 0 that was never measured."""

import base64
import json
from datetime import date

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import html2plaintext

from .test_case_report import DASHBOARD_CELLS, CaseReportFixture


@tagged("post_install", "-at_install")
class TestReportTruth(CaseReportFixture):
    """The three cases of :class:`CaseReportFixture`: paid (rated 5), slow (not rated), open (opened Apr 2)."""

    def group_by(self, groupby, aggregates, **context):
        Report = self.env["dunning.case.report"].with_context(**context)
        return Report.formatted_read_group([("case_id", "in", self.cases.ids)], [groupby], aggregates)

    def test_open_cases_are_headed_still_open(self):
        self.assertEqual(self.env["dunning.case.report"].fields_get(["outcome"])["outcome"]["falsy_value_label"],
                         "Still open")

    def test_pivot_cells_of_unrated_and_open_cases_are_empty_not_zero(self):
        groups = {group["outcome"]: group for group in self.group_by(
            "outcome", ["satisfaction:avg", "recovery_rate:avg", "days_to_collect:avg", "__count"])}
        still_open = groups[False]
        self.assertEqual(still_open["__count"], 1)
        for spec in ("satisfaction:avg", "recovery_rate:avg", "days_to_collect:avg"):
            with self.subTest(spec=spec):
                self.assertIs(still_open[spec], False, "an empty cell, not 0.00")
        self.assertAlmostEqual(groups["paid"]["satisfaction:avg"], 5)
        self.assertAlmostEqual(groups["paid"]["recovery_rate:avg"], 100 * 3000 / 5000)

    def test_the_recovery_rate_is_that_of_closed_cases(self):
        self.assertFalse(self.row(self.open).recovery_rate)
        [(rate,)] = self.env["dunning.case.report"]._read_group(
            [("case_id", "in", self.cases.ids)], [], ["recovery_rate:avg"])
        self.assertAlmostEqual(rate, 100 * 3000 / 5000, msg="the open case's 500 is not counted as unrecovered")

    def test_a_monthly_chart_shows_every_month_of_the_period_with_no_point_where_nothing_closed(self):
        domain = [("case_id", "in", self.cases.ids), ("opened_on", ">=", "2026-01-01"),
                  ("opened_on", "<=", "2026-06-30")]
        groups = self.env["dunning.case.report"].with_context(fill_temporal=True).formatted_read_group(
            domain, ["opened_on:month"], ["recovery_rate:avg", "amount_recovered:sum", "__count"])
        months = [group["opened_on:month"][0] for group in groups]
        self.assertEqual(months, ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01",
                                  "2026-06-01"])
        rates = {group["opened_on:month"][0]: group["recovery_rate:avg"] for group in groups}
        self.assertAlmostEqual(rates["2026-03-01"], 100 * 3000 / 5000)
        for month in ("2026-01-01", "2026-02-01", "2026-04-01", "2026-05-01", "2026-06-01"):
            with self.subTest(month=month):
                self.assertIsNone(rates[month], "no point: April has only the open case, the others none")
        self.assertEqual(groups[0]["amount_recovered:sum"], 0, "an amount of a month without cases is 0")

    def test_the_list_leaves_empty_what_was_not_measured(self):
        arch = self.env["dunning.case.report"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="satisfaction" optional="show" invisible="not rated_count"', arch)
        self.assertIn('name="recovery_rate" optional="show" invisible="state != \'closed\'"', arch)

    def test_the_pivot_opens_narrow(self):
        arch = self.env["dunning.case.report"].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        self.assertEqual(arch.count('type="measure"'), 2)
        self.assertEqual(arch.count('type="col"'), 1)

    def test_the_dashboard_period_includes_the_open_cases_of_this_month(self):
        dashboard = self.env.ref("customer_aware_dunning.spreadsheet_dashboard_collections")
        data = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
        [period] = [item for item in data["globalFilters"] if item["type"] == "date"]
        # "last_12_months" ends with the month before: this month's open cases and their reasons were not in it.
        self.assertEqual(period["defaultValue"], "year_to_date")

    def test_the_monthly_summary_of_the_default_period_prints_no_empty_figure(self):
        summary = self.env["dunning.case.summary"].with_user(self.collections_manager).create({})
        html, _kind = self.env["ir.actions.report"].with_user(self.collections_manager)._render_qweb_pdf(
            "customer_aware_dunning.report_case_summary", summary.ids)
        text = " ".join(html2plaintext(html.decode()).split())
        self.assertNotIn("()", text)
        self.assertNotIn("0.0 (", text)
        self.assertIn("Total", text)


@tagged("post_install", "-at_install")
class TestDashboardTruth(HttpCase):
    """An open case of this month with a delay reason shows in "Top delay reasons" under the default period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(cls.env, login="tess.truth", name="Tess Truth",
                                        groups="sales_team.group_sale_salesman")
        customer = cls.env["res.partner"].create({"name": "Quay Coffee Oy", "is_company": True})
        reason = cls.env["dunning.delay.reason"].create({"key": "truth_reason", "name": "Waiting for a grant"})
        case = cls.env["dunning.case"].create({
            "partner_id": customer.id, "user_id": cls.salesperson.id, "amount_at_open": 90,
            "opened_on": fields.Date.today(),
        })
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE dunning_case SET delay_reason_id = %s WHERE id = %s", [reason.id, case.id])

    def test_top_delay_reasons_show_this_months_open_cases(self):
        dashboard = self.env.ref("customer_aware_dunning.spreadsheet_dashboard_collections")
        self.browser_js(f"/odoo/dashboards?dashboard_id={dashboard.id}",
                        DASHBOARD_CELLS % ("Top delay reasons", "Waiting for a grant"),
                        ready="odoo.isReady", login="tess.truth", timeout=90)

    def test_summary_period_is_last_month(self):
        summary = self.env["dunning.case.summary"].create({})
        self.assertEqual(summary.date_from.day, 1)
        self.assertLess(summary.date_to, date.today().replace(day=1))
