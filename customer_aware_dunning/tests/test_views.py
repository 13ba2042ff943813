from datetime import date

from lxml import etree

from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestViews(DunningCommon):
    """Every screen of the addon loads for the people who use it, with the right fields editable."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Salespeople see the invoices of their own customers.
        cls.invoice = cls.make_invoice(
            cls.partner_a, date(2026, 5, 1), date(2026, 5, 31), 300, invoice_user_id=cls.salesperson.id
        )
        cls.env["dunning.partner.facts"]._refresh(cls.company, date(2026, 6, 30))
        cls.env["dunning.case"]._sync_open_cases(cls.company, date(2026, 6, 30))
        cls.case = cls.invoice.dunning_case_id

    def arch(self, model, view_type, user=None, view_ref=None):
        env = self.env(user=user or self.env.user)
        view_id = view_ref and self.env.ref(view_ref).id
        views = env[model].get_views([(view_id, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_each_view_of_the_addon_loads_for_users_and_managers(self):
        screens = [
            ("dunning.case", ("list", "form", "kanban", "search", "activity")),
            ("dunning.segment", ("list", "form", "search")),
            ("dunning.delay.reason", ("list", "form", "search")),
            ("dunning.invoice.answer", ("form",)),
        ]
        for user in (self.collections_user, self.salesperson, self.collections_manager):
            for model, view_types in screens:
                for view_type in view_types:
                    with self.subTest(user=user.login, model=model, view_type=view_type):
                        self.assertIsNotNone(self.arch(model, view_type, user))
        self.assertIsNotNone(self.arch("dunning.case.close", "form", self.collections_manager))

    def test_case_form_close_button_for_managers_only(self):
        def close_buttons(user):
            return self.arch("dunning.case", "form", user).xpath("//button[@name='action_open_close_wizard']")

        self.assertTrue(close_buttons(self.collections_manager))
        self.assertFalse(close_buttons(self.collections_user))

    def test_case_action_shows_open_cases_first(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_aware_dunning.action_dunning_case")
        self.assertIn("search_default_filter_not_closed", action["context"])
        search = self.arch("dunning.case", "search")
        for name in ("filter_not_closed", "filter_paused", "filter_waiting_approval", "filter_closed",
                     "filter_my_customers", "group_by_segment", "group_by_state", "group_by_outcome",
                     "group_by_salesperson", "group_by_journey"):
            with self.subTest(filter=name):
                self.assertTrue(search.xpath(f"//filter[@name='{name}']"))

    def test_customer_form_segment_editable_by_managers_read_only_for_others(self):
        def segment_nodes(user):
            return self.arch("res.partner", "form", user, "base.view_partner_form").xpath(
                "//page[@name='dunning']//field[@name='dunning_segment_id']"
            )

        manager_nodes = segment_nodes(self.collections_manager)
        self.assertEqual(len(manager_nodes), 1)
        self.assertNotEqual(manager_nodes[0].get("readonly"), "1")
        user_nodes = segment_nodes(self.collections_user)
        self.assertEqual([node.get("readonly") for node in user_nodes], ["1"])
        plain_form = self.arch("res.partner", "form", self.plain_user, "base.view_partner_form")
        self.assertFalse(plain_form.xpath("//page[@name='dunning']"), "people outside Collections do not see the page")
        manager_form = self.arch("res.partner", "form", self.collections_manager, "base.view_partner_form")
        self.assertTrue(manager_form.xpath("//button[@name='action_dunning_segment_by_rule']"))
        self.assertTrue(manager_form.xpath("//button[@name='action_view_dunning_cases']"))
        self.assertTrue(manager_form.xpath("//field[@name='dunning_on_time_ratio'][@widget='percentage']"))

    def test_invoice_form_exclusion_is_for_managers(self):
        def exclusion(user):
            return self.arch("account.move", "form", user, "account.view_move_form").xpath(
                "//field[@name='dunning_excluded']"
            )

        self.assertNotEqual(exclusion(self.collections_manager)[0].get("readonly"), "1")
        self.assertEqual(exclusion(self.collections_user)[0].get("readonly"), "1")
        salesperson_form = self.arch("account.move", "form", self.salesperson, "account.view_move_form")
        self.assertTrue(salesperson_form.xpath("//page[@name='dunning']"))
        self.assertTrue(salesperson_form.xpath("//button[@type='action'][contains(@string, 'answer')]"))

    def test_invoice_list_offers_the_collections_columns_for_bulk_edit(self):
        invoice_list = self.arch("account.move", "list", self.collections_user, "account.view_out_invoice_tree")
        self.assertEqual(invoice_list.get("multi_edit"), "1")
        for name in ("dunning_delay_reason_id", "dunning_promise_date", "dunning_next_action_date"):
            with self.subTest(column=name):
                self.assertEqual(invoice_list.xpath(f"//field[@name='{name}']")[0].get("optional"), "hide")
        search = self.arch("account.move", "search", self.collections_user, "account.view_account_invoice_filter")
        for name in ("filter_dunning_delay_reason", "filter_dunning_promised", "filter_dunning_excluded"):
            with self.subTest(filter=name):
                self.assertTrue(search.xpath(f"//filter[@name='{name}']"))

    def test_partner_list_and_search_know_the_segment(self):
        partner_list = self.arch("res.partner", "list", self.collections_manager, "base.view_partner_tree")
        self.assertTrue(partner_list.xpath("//field[@name='dunning_segment_id'][@optional='hide']"))
        search = self.arch("res.partner", "search", self.collections_user, "base.view_res_partner_filter")
        self.assertTrue(search.xpath("//filter[@name='group_by_dunning_segment']"))
        self.assertFalse(
            self.arch("res.partner", "search", self.plain_user, "base.view_res_partner_filter").xpath(
                "//filter[@name='group_by_dunning_segment']"
            )
        )

    def test_close_wizard_form_closes_the_case(self):
        action = self.case.with_user(self.collections_manager).action_open_close_wizard()
        wizard_model = self.env[action["res_model"]].with_user(self.collections_manager)
        with Form(wizard_model.with_context(**action["context"])) as form:
            form.outcome = "written_off"
            form.note = "Customer went bankrupt."
        form.record.action_confirm()
        self.assertEqual((self.case.state, self.case.outcome), ("closed", "written_off"))

    def test_answer_wizard_from_the_invoice_form_as_a_salesperson(self):
        forgot = self.env.ref("customer_aware_dunning.delay_reason_forgot")
        wizard_model = self.env["dunning.invoice.answer"].with_user(self.salesperson).with_context(
            active_model="account.move", active_ids=self.invoice.ids
        )
        with Form(wizard_model) as form:
            form.delay_reason_id = forgot
            form.promise_date = date(2026, 7, 10)
            form.promise_amount = 300
            form.note = "Paying next week."
        form.record.action_confirm()
        self.assertEqual(self.invoice.dunning_delay_reason_id, forgot)
        self.assertEqual(self.invoice.dunning_promise_date, date(2026, 7, 10))
        self.assertEqual(self.invoice.dunning_delay_note, "Paying next week.")
        # A second opening shows what was recorded.
        with Form(wizard_model) as form:
            self.assertEqual(form.delay_reason_id, forgot)
            self.assertEqual(form.promise_amount, 300)
