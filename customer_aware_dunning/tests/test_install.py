from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The addon installs with its groups, menus and views in place."""

    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])
        self.assertEqual(module.state, "installed")

    def test_groups_and_their_implications(self):
        user_group = self.env.ref("customer_aware_dunning.group_collections_user")
        manager_group = self.env.ref("customer_aware_dunning.group_collections_manager")
        self.assertIn(user_group, manager_group.implied_ids)
        salesman = self.env.ref("sales_team.group_sale_salesman")
        self.assertIn(user_group, salesman.all_implied_ids)
        billing_admin = self.env.ref("account.group_account_manager")
        self.assertIn(manager_group, billing_admin.all_implied_ids)
        self.assertIn(self.env.ref("base.user_admin"), manager_group.all_user_ids)

    def test_menus_visible_to_collections_users_only(self):
        menu = self.env.ref("customer_aware_dunning.menu_collections_root")
        self.assertEqual(menu.parent_id, self.env.ref("account.menu_finance"))
        salesperson = self.env["res.users"].create(
            {
                "name": "Sally Sales",
                "login": "sally.sales@example.com",
                "group_ids": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        plain = self.env["res.users"].create(
            {
                "name": "Ina Internal",
                "login": "ina.internal@example.com",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        sales_menu = self.env.ref("customer_aware_dunning.menu_collections_sales")
        visible = self.env["ir.ui.menu"].with_user(salesperson)._visible_menu_ids()
        self.assertIn(sales_menu.id, visible)
        self.assertNotIn(sales_menu.id, self.env["ir.ui.menu"].with_user(plain)._visible_menu_ids())

    def test_every_view_of_the_addon_validates(self):
        views = self.env["ir.ui.view"].search([("model_data_id.module", "=", "customer_aware_dunning")])
        for view in views:
            with self.subTest(view=view.xml_id):
                view._check_xml()

    def test_actions_open(self):
        action = self.env.ref("customer_aware_dunning.action_partner_open_receivables")
        result = self.env["ir.actions.act_window"]._for_xml_id("customer_aware_dunning.action_partner_open_receivables")
        self.assertEqual(result["res_model"], "res.partner")
        self.assertTrue(action.domain)
