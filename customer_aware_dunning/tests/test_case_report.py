"""The collections analysis on a constructed set of cases: figures checked by hand, grouped ratios, access."""

import base64
import json
from datetime import date

from odoo import Command
from odoo.addons.spreadsheet.utils.validate_data import fields_in_spreadsheet, menus_xml_ids_in_spreadsheet
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import _find_executable
from odoo.tools import html2plaintext

from .common import DunningCommon
from .test_web_client import WAIT_FOR


class CaseReportFixture(DunningCommon):
    """Three cases of one segment, figures worked out by hand.

    ======  ==========  ========  =========  ====  =====  ======  ========  =====
    case    salesperson overdue   recovered  days  harsh  rating  bought    lost
    ======  ==========  ========  =========  ====  =====  ======  ========  =====
    paid    Sally       1000      1000       20    no     5       500       no
    slow    Sally       3000+1000 2000       30    letter none    nothing   yes
    open    Fiona       500       0          -     no     none    -         -
    ======  ==========  ========  =========  ====  =====  ======  ========  =====
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.segment = cls.env["dunning.segment"].create({"key": "report_test", "name": "Report test"})
        cls.reason = cls.env["dunning.delay.reason"].search([], limit=1)
        Case = cls.env["dunning.case"].sudo()
        common = {"company_id": cls.company.id, "segment_id": cls.segment.id, "journey": "standard",
                  "policy_version": "Default v1"}
        cls.paid = Case.create({
            **common, "partner_id": cls.partner_a.id, "user_id": cls.salesperson.id,
            "collector_id": cls.collections_manager.id,
            "state": "closed", "outcome": "paid", "opened_on": date(2026, 3, 1), "closed_on": date(2026, 3, 21),
            "amount_at_open": 1000, "amount_recovered": 1000, "repurchase_measured_on": date(2026, 6, 30),
            "repurchase_invoiced": 500,
        })
        cls.slow = Case.create({
            **common, "partner_id": cls.partner_b.id, "user_id": cls.salesperson.id,
            "state": "closed", "outcome": "paid", "opened_on": date(2026, 3, 10), "closed_on": date(2026, 4, 9),
            "amount_at_open": 3000, "amount_added": 1000, "amount_recovered": 2000,
            "repurchase_measured_on": date(2026, 8, 1), "customer_lost": True,
        })
        cls.third = cls.env["res.partner"].create({"name": "Third Oy", "is_company": True})
        cls.open = Case.create({
            **common, "partner_id": cls.third.id, "user_id": cls.collections_manager.id,
            "opened_on": date(2026, 4, 2), "amount_at_open": 500,
        })
        cls.cases = cls.paid | cls.slow | cls.open
        # The main delay reason is the case's business (it may follow its invoices): set the column itself.
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE dunning_case SET delay_reason_id = %s WHERE id = %s", [cls.reason.id, cls.paid.id])
        cls.paid.invalidate_recordset(["delay_reason_id"])
        cls.env["dunning.case.event"].sudo().create({
            "case_id": cls.slow.id, "kind": "step", "channel": "letter", "harsh": True, "journey": "standard",
            "step_index": 3, "step_key": "standard/3/", "description": "Final notice",
        })
        cls.env["dunning.case.event"].sudo().create({
            "case_id": cls.paid.id, "kind": "step", "channel": "email", "journey": "standard",
            "step_index": 0, "step_key": "standard/0/", "description": "Gentle reminder",
        })
        model = cls.env["ir.model"]._get_id("dunning.case")
        Rating = cls.env["rating.rating"].sudo()
        first = Rating.create({"res_model_id": model, "res_id": cls.paid.id, "rating": 2, "consumed": True,
                               "partner_id": cls.partner_a.id})
        Rating.create({"res_model_id": model, "res_id": cls.paid.id, "rating": 5, "consumed": True,
                       "partner_id": cls.partner_a.id})
        first.flush_recordset()
        cls.env.cr.execute("UPDATE rating_rating SET write_date = write_date - interval '1 day' WHERE id = %s",
                           [first.id])
        # Asked, never answered: not a rating.
        Rating.create({"res_model_id": model, "res_id": cls.slow.id, "rating": 0, "consumed": False,
                       "partner_id": cls.partner_b.id})
        cls.env.flush_all()

    def rows(self, user=None):
        Report = self.env["dunning.case.report"]
        if user:
            Report = Report.with_user(user)
        return Report.search([("case_id", "in", self.cases.ids)])

    def row(self, case):
        return self.rows().filtered(lambda row: row.case_id == case)



@tagged("post_install", "-at_install")
class TestCaseReport(CaseReportFixture):
    """The analysis of the fixture's three cases: per case, grouped, access and the monthly summary."""

    # ------------------------------------------------------------------ per case

    def test_one_row_per_case_with_its_dimensions(self):
        self.assertEqual(self.rows().case_id, self.cases)
        paid = self.row(self.paid)
        self.assertEqual(paid.partner_id, self.partner_a)
        self.assertEqual(paid.company_id, self.company)
        self.assertEqual(paid.segment_id, self.segment)
        self.assertEqual(paid.journey, "standard")
        self.assertEqual(paid.policy_version, "Default v1")
        self.assertEqual(paid.user_id, self.salesperson)
        self.assertEqual(paid.collector_id, self.collections_manager)
        self.assertEqual(paid.delay_reason_id, self.reason)
        self.assertEqual((paid.state, paid.outcome), ("closed", "paid"))
        self.assertEqual((paid.opened_on, paid.closed_on), (date(2026, 3, 1), date(2026, 3, 21)))

    def test_figures_of_each_case(self):
        paid, slow, still_open = self.row(self.paid), self.row(self.slow), self.row(self.open)
        self.assertEqual(paid.amount_overdue_total, 1000)
        self.assertEqual(paid.amount_recovered, 1000)
        self.assertEqual(paid.recovery_rate, 100)
        self.assertEqual(paid.days_to_collect, 20)
        self.assertFalse(paid.harsh_step, "an email step is not harsh")
        self.assertEqual(paid.satisfaction, 5, "the last rating counts")
        self.assertEqual(paid.rated_count, 1)
        self.assertTrue(paid.bought_again)
        self.assertEqual(paid.repurchase_amount, 500)
        self.assertFalse(paid.customer_lost)

        self.assertEqual(slow.amount_at_open, 3000)
        self.assertEqual(slow.amount_overdue_total, 4000)
        self.assertEqual(slow.recovery_rate, 50)
        self.assertEqual(slow.days_to_collect, 30)
        self.assertTrue(slow.harsh_step, "a letter is harsh")
        self.assertEqual(slow.rated_count, 0, "a request never answered is no rating")
        self.assertFalse(slow.bought_again)
        self.assertTrue(slow.customer_lost)

        self.assertEqual(still_open.days_to_collect, 0)
        self.assertEqual(still_open.closed_count, 0)
        self.assertEqual(still_open.measured_count, 0)

    def test_a_hand_over_is_a_harsh_step(self):
        self.open.sudo().write({"state": "closed", "outcome": "handed_over", "closed_on": date(2026, 5, 2)})
        self.env.flush_all()
        self.assertTrue(self.row(self.open).harsh_step)

    # ------------------------------------------------------------------ grouped rows

    def test_grouped_ratios_are_ratios_of_sums(self):
        [group] = self.env["dunning.case.report"]._read_group(
            [("case_id", "in", self.cases.ids)], ["segment_id"],
            ["__count", "amount_recovered:sum", "amount_overdue_total:sum", "recovery_rate:avg",
             "repurchase_rate:avg", "no_harsh_rate:avg", "satisfaction:avg", "days_to_collect:avg",
             "lost_count:sum"],
        )
        segment, count, recovered, overdue, recovery, repurchase, no_harsh, satisfaction, days, lost = group
        self.assertEqual((segment, count, recovered, overdue), (self.segment, 3, 3000, 5500))
        # 3000 / 5000 of the closed cases (the open case has not finished recovering), not the average
        # (100 + 50) / 2 = 75 of the cases' rates.
        self.assertAlmostEqual(recovery, 100 * 3000 / 5000)
        self.assertAlmostEqual(repurchase, 50, msg="1 of the 2 cases whose purchases were measured")
        self.assertAlmostEqual(no_harsh, 100 * 2 / 3)
        self.assertAlmostEqual(satisfaction, 5, msg="only rated cases count")
        self.assertAlmostEqual(days, 25, msg="only closed cases count")
        self.assertEqual(lost, 1)

    def test_pivot_reads_the_same_ratios_per_salesperson(self):
        groups = self.env["dunning.case.report"].formatted_read_group(
            [("case_id", "in", self.cases.ids)], ["user_id"], ["recovery_rate:avg", "__count"],
        )
        by_user = {group["user_id"][0]: group for group in groups}
        self.assertAlmostEqual(by_user[self.salesperson.id]["recovery_rate:avg"], 100 * 3000 / 5000)
        self.assertIs(by_user[self.collections_manager.id]["recovery_rate:avg"], False, "only an open case: empty")
        self.assertEqual(by_user[self.salesperson.id]["__count"], 2)

    def test_spreadsheet_pivot_reads_ratios_of_sums_in_every_grouping_set(self):
        by_segment, total = self.env["dunning.case.report"].formatted_read_grouping_sets(
            [("case_id", "in", self.cases.ids)], [["segment_id"], []], ["recovery_rate:avg", "no_harsh_rate:avg"],
        )
        self.assertAlmostEqual(by_segment[0]["recovery_rate:avg"], 100 * 3000 / 5000)
        self.assertAlmostEqual(total[0]["recovery_rate:avg"], 100 * 3000 / 5000)
        self.assertAlmostEqual(total[0]["no_harsh_rate:avg"], 100 * 2 / 3)

    # ------------------------------------------------------------------ access

    def test_salesperson_reads_only_own_customers(self):
        self.assertEqual(self.rows(self.salesperson).case_id, self.paid | self.slow)

    def test_salesperson_with_the_group_reads_every_customer(self):
        self.salesperson.group_ids = [Command.link(self.env.ref(
            "customer_aware_dunning.group_collections_report_all").id)]
        self.assertEqual(self.rows(self.salesperson).case_id, self.cases)

    def test_finance_and_managers_read_every_customer(self):
        self.assertEqual(self.rows(self.collections_manager).case_id, self.cases)
        self.assertEqual(self.rows(self.collections_user).case_id, self.cases)

    def test_other_company_reads_none(self):
        other_company = self.setup_other_company(name="Report Branch")["company"]
        other_manager = new_test_user(
            self.env, login="rita.report", name="Rita Report", groups="account.group_account_manager",
            company_id=other_company.id, company_ids=[Command.set(other_company.ids)],
        )
        other_case = self.env["dunning.case"].sudo().create({
            "partner_id": self.partner_a.id, "company_id": other_company.id, "opened_on": date(2026, 4, 1),
            "amount_at_open": 10,
        })
        self.env.flush_all()
        Report = self.env["dunning.case.report"].with_user(other_manager)
        self.assertEqual(Report.search([("case_id", "in", (self.cases | other_case).ids)]).case_id, other_case)

    def test_dashboard_reads_the_analysis_with_existing_fields_and_menus(self):
        dashboard = self.env.ref("customer_aware_dunning.spreadsheet_dashboard_collections")
        self.assertIn(self.env.ref("customer_aware_dunning.group_collections_user"), dashboard.group_ids)
        data = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
        used = fields_in_spreadsheet(data)
        self.assertEqual(set(used), {"dunning.case.report", "dunning.figures", "dunning.case.summary"})
        for model, chains in used.items():
            for chain in chains:
                self.assertIn(chain, self.env[model]._fields)
        self.assertIn("recovery_rate", used["dunning.case.report"])
        self.assertTrue({"dso", "age_1_30", "age_91_plus", "satisfaction"} <= set(used["dunning.figures"]))
        for xml_id in menus_xml_ids_in_spreadsheet(data):
            self.assertTrue(self.env.ref(xml_id, raise_if_not_found=False), xml_id)
        # The monthly review: a view link (a menu link would be an error for whoever lacks the menu's app).
        prefix = "odoo://view/"
        links = [json.loads(cell.split(prefix, 1)[1][:-1]) for sheet in data["sheets"]
                 for cell in sheet["cells"].values() if prefix in cell]
        self.assertEqual([link["action"]["xmlId"] for link in links],
                         ["customer_aware_dunning.action_dunning_case_summary"], "links to the monthly PDF")
        self.assertTrue(self.env.ref(links[0]["action"]["xmlId"]))
        self.assertEqual(links[0]["action"]["modelName"], "dunning.case.summary")

    def test_menus_in_both_apps(self):
        Menu = self.env["ir.ui.menu"]
        analysis = self.env.ref("customer_aware_dunning.menu_dunning_case_report_accounting")
        self.assertEqual(analysis.parent_id, self.env.ref("account.account_reports_management_menu"))
        sales = self.env.ref("customer_aware_dunning.menu_dunning_case_report_sales")
        self.assertEqual(sales.parent_id, self.env.ref("sale.menu_sale_report"))
        self.assertEqual(analysis.action, sales.action, "finance and sales open the same report")
        in_sales = self.env.ref("customer_aware_dunning.menu_dunning_case_report_sales_collections")
        summary = self.env.ref("customer_aware_dunning.menu_dunning_case_summary_sales_collections")
        for_salesperson = Menu.with_user(self.salesperson)._visible_menu_ids()
        self.assertIn(in_sales.id, for_salesperson)
        self.assertIn(summary.id, for_salesperson)
        self.assertIn(analysis.id, Menu.with_user(self.collections_user)._visible_menu_ids())
        self.assertNotIn(in_sales.id, Menu.with_user(self.plain_user)._visible_menu_ids())

    def test_plain_user_cannot_read_it(self):
        self.assertFalse(self.env["dunning.case.report"].with_user(self.plain_user).has_access("read"))

    # ------------------------------------------------------------------ monthly summary

    def summary_text(self, user, date_from, date_to):
        summary = self.env["dunning.case.summary"].with_user(user).create(
            {"date_from": date_from, "date_to": date_to})
        self.assertEqual(summary.action_print()["report_name"], "customer_aware_dunning.report_case_summary")
        html, _kind = self.env["ir.actions.report"].with_user(user)._render_qweb_pdf(
            "customer_aware_dunning.report_case_summary", summary.ids)
        return " ".join(html2plaintext(html.decode()).split())

    def test_monthly_summary_renders_the_headline_and_the_delay_reasons(self):
        text = self.summary_text(self.collections_manager, date(2026, 3, 1), date(2026, 4, 30))
        self.assertIn("Collections summary", text)
        self.assertIn("Report test", text)
        # paid and slow closed in March-April: 3000 of 5000 recovered, 1 of 2 without a harsh step.
        self.assertIn("60.0 %", text)
        self.assertIn("50.0 %", text)
        self.assertIn("25.0", text, "days to collect")
        self.assertIn("5.0 (1)", text, "satisfaction of the rated case")
        self.assertIn(self.reason.display_name, text)

    def test_monthly_summary_of_a_quiet_month(self):
        text = self.summary_text(self.collections_manager, date(2026, 1, 1), date(2026, 1, 31))
        self.assertIn("No delay reason was given", text)
        self.assertNotIn("Report test", text)


# Wait until the dashboard's pivots are loaded, then fail on any cell in error.
DASHBOARD_CELLS = """
(async () => {
    const started = Date.now();
    while (true) {
        const loader = odoo.__WOWL_DEBUG__.root.env.services.spreadsheet_dashboard_loader;
        const model = loader && loader.getActiveDashboard() && loader.getActiveDashboard().model;
        if (model) {
            const cells = model.getters.getEvaluatedCells(model.getters.getActiveSheetId());
            const values = cells.map((cell) => String(cell.value));
            if (!values.some((value) => value.includes("Loading")) && values.includes(%r) && values.includes(%r)) {
                const errors = cells.filter((cell) => cell.type === "error");
                if (errors.length) {
                    throw new Error("cells in error: " + errors.map((cell) => cell.value + " " + cell.message));
                }
                console.log("test successful");
                return;
            }
            if (Date.now() - started > 30000) {
                throw new Error("timed out, cells: " + values.join(" | "));
            }
        } else if (Date.now() - started > 30000) {
            throw new Error("timed out: no dashboard");
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
})();
"""


@tagged("post_install", "-at_install")
class TestCaseReportWebClient(HttpCase):
    """A finance user and a salesperson open the same analysis, in every view, without an error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(cls.env, login="rex.report", name="Rex Report",
                                        groups="sales_team.group_sale_salesman")
        customer = cls.env["res.partner"].create({"name": "Harbour Bakery Oy", "is_company": True})
        segment = cls.env["dunning.segment"].create({"key": "harbour", "name": "Harbour segment"})
        cls.env["dunning.case"].create({
            "partner_id": customer.id, "user_id": cls.salesperson.id, "segment_id": segment.id, "amount_at_open": 120,
            "state": "closed", "outcome": "paid", "opened_on": date(2026, 3, 1), "closed_on": date(2026, 3, 11),
            "amount_recovered": 120,
        })

    def setUp(self):
        super().setUp()
        self.assertTrue(_find_executable(), "Chromium is required: run the bootstrap")

    def open_screen(self, url, selector, login):
        self.browser_js(url, WAIT_FOR % selector, ready="odoo.isReady", login=login, timeout=90)

    def test_pivot_graph_and_list_open_for_finance_and_sales(self):
        url = "/odoo/action-customer_aware_dunning.action_dunning_case_report"
        for login in ("admin", "rex.report"):
            with self.subTest(login=login):
                self.open_screen(url, ".o_pivot_view .o_pivot table", login)
                self.open_screen(f"{url}?view_type=graph", ".o_graph_view canvas", login)
                self.open_screen(f"{url}?view_type=list", ".o_list_view .o_data_row", login)

    def open_dashboard(self, *cells):
        """The dashboard, as the salesperson, once it shows ``cells`` (two texts) and no cell in error."""
        dashboard = self.env.ref("customer_aware_dunning.spreadsheet_dashboard_collections")
        self.browser_js(f"/odoo/dashboards?dashboard_id={dashboard.id}", DASHBOARD_CELLS % cells,
                        ready="odoo.isReady", login="rex.report", timeout=90)

    def test_dashboard_opens(self):
        self.open_dashboard("Recovery rate (%)", "Harbour segment")

    def test_dashboard_shows_dso_and_ageing(self):
        self.open_dashboard("DSO (days)", "Over 90 days overdue")

    def test_dashboard_speaks_the_user_language(self):
        self.env["res.lang"]._activate_lang("fi_FI")
        self.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])._update_translations(["fi_FI"])
        self.salesperson.lang = "fi_FI"
        self.open_dashboard("Kotiutettu kuukausittain (kuukauden aikana avatut tapaukset)", "Kotiutusaste (%)")

    def test_summary_wizard_opens(self):
        self.open_screen("/odoo/action-customer_aware_dunning.action_dunning_case_summary",
                         ".modal .o_field_widget[name=date_from]", "admin")
