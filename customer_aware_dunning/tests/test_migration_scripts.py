import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def load_script(version, name="post-migrate.py"):
    """The migration script as Odoo's loader runs it (its file name is not a module name)."""
    path = MIGRATIONS / version / name
    spec = importlib.util.spec_from_file_location(f"cad_migration_{version.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigrationScripts(TransactionCase):
    """The scripts an upgrade from 19.0.1.0.0 runs, on this database's rows."""

    def test_upgrade_gives_the_finnish_profile_its_consumer_demand_days(self):
        # The Finnish profile is noupdate data: an upgraded database keeps the 0 its new column starts with.
        finland = self.env.ref("customer_aware_dunning.legal_profile_fi")
        finland.consumer_demand_days_before_handover = 0
        load_script("19.0.1.2.0").migrate(self.env.cr, "19.0.1.0.0")
        self.assertEqual(finland.consumer_demand_days_before_handover, 14)

    def test_upgrade_keeps_a_profile_the_company_changed(self):
        finland = self.env.ref("customer_aware_dunning.legal_profile_fi")
        finland.consumer_demand_days_before_handover = 21
        load_script("19.0.1.2.0").migrate(self.env.cr, "19.0.1.0.0")
        self.assertEqual(finland.consumer_demand_days_before_handover, 21)

    def test_a_fresh_install_runs_nothing(self):
        finland = self.env.ref("customer_aware_dunning.legal_profile_fi")
        finland.consumer_demand_days_before_handover = 0
        load_script("19.0.1.2.0").migrate(self.env.cr, None)
        self.assertEqual(finland.consumer_demand_days_before_handover, 0)

    def test_upgrade_to_1_3_refreshes_the_predictions_with_open_credits(self):
        script = load_script("19.0.1.3.0", "post-migrate-issue22.py")
        Move = self.env["account.move"]
        company = self.env.company
        before = Move.search_count([("company_id", "=", company.id), ("dunning_predicted_date", "!=", False)])
        self.env.cr.execute("UPDATE account_move SET dunning_predicted_date = NULL WHERE company_id = %s",
                            (company.id,))
        Move.invalidate_model(["dunning_predicted_date"])
        script.migrate(self.env.cr, "19.0.1.2.0")
        self.assertEqual(
            Move.search_count([("company_id", "=", company.id), ("dunning_predicted_date", "!=", False)]), before)
