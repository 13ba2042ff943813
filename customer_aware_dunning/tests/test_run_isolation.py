from datetime import date, timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import DunningCommon

DUE = date(2026, 6, 1)
DAY_5 = DUE + timedelta(days=5)
ISOLATION_LOGGER = "odoo.addons.customer_aware_dunning.models.dunning_run_isolation"
POISON = "Poisoned customer data: the step cannot be recorded"


@tagged("post_install", "-at_install")
class TestRunIsolation(DunningCommon):
    """One customer whose follow-up raises never silences the others of its batch.

    The poison is a real database error: a trigger refuses the step of one
    customer's case, as a corrupt row or a broken add-on would.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.make_overdue_customers("Isolated customer", 4, DUE)
        cls.poison = cls.customers[1]
        cls.env.cr.execute(SQL(
            """CREATE FUNCTION pg_temp.poison_step() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                   IF NEW.kind = 'step' AND (SELECT partner_id FROM dunning_case WHERE id = NEW.case_id) = %s THEN
                       RAISE EXCEPTION 'Poisoned customer data: the step cannot be recorded'
                           USING DETAIL = 'a second line the people told never see';
                   END IF;
                   RETURN NEW;
               END $$;
               CREATE TRIGGER poison_step BEFORE INSERT ON dunning_case_event
                   FOR EACH ROW EXECUTE FUNCTION pg_temp.poison_step()""",
            cls.poison.id,
        ))

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)])

    def admin_posts(self):
        return self.env.ref("mail.channel_admin").message_ids.filtered(lambda message: POISON in (message.body or ""))

    def run_day(self, day):
        self.env["dunning.run"]._run_company(self.company, day, batch_size=10)

    def test_a_poison_customer_is_isolated_and_told_once_then_cleared_when_it_works(self):
        with self.assertLogs(ISOLATION_LOGGER, "INFO") as logged:
            self.run_day(DAY_5)
        self.assertTrue(any("down to single customers" in line for line in logged.output))
        for partner in self.customers - self.poison:
            case = self.case_of(partner)
            self.assertEqual(len(case.event_ids.filtered("step_key")), 1, "the others are followed up")
            self.assertFalse(case.needs_attention)
        case = self.case_of(self.poison)
        self.assertFalse(case.event_ids.filtered("step_key"), "nothing was done for the poison customer")
        self.assertTrue(case.needs_attention)
        self.assertEqual(case.run_error, POISON, "the error's first line only")
        self.assertEqual(case.run_failed_since, DAY_5)
        self.assertEqual(case.event_ids.filtered(lambda event: event.kind == "run_failed").mapped("kind"),
                         ["run_failed"])
        activity = case.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Collections run failed for this customer")
        self.assertTrue(activity.user_id, "the collector (here the collections manager) is told")
        self.assertEqual(len(self.admin_posts()), 1, "the administrators are told in Discuss")
        self.assertIn(self.poison.name, self.admin_posts().body)
        self.assertEqual(self.env["dunning.case"].search([("needs_attention", "=", True),
                                                          ("partner_id", "in", self.customers.ids)]), case,
                         "the case list's filter finds it")

        # Next day: the poison customer goes alone, the batch is not done twice, and nobody is told again.
        with self.assertLogs(ISOLATION_LOGGER, "INFO") as logged:
            self.run_day(DAY_5 + timedelta(days=1))
        self.assertFalse(any("down to single customers" in line for line in logged.output),
                         "the batch went through at the first try")
        self.assertTrue(any(f"customer {self.poison.id} failed" in line for line in logged.output))
        self.assertEqual(len(case.event_ids.filtered(lambda event: event.kind == "run_failed")), 1)
        self.assertEqual(len(case.activity_ids), 1)
        self.assertEqual(len(self.admin_posts()), 1)
        self.assertEqual(case.run_failed_since, DAY_5)

        # The cause is fixed: the run follows the customer up and clears the flag.
        self.env.cr.execute(SQL("DROP TRIGGER poison_step ON dunning_case_event"))
        self.run_day(DAY_5 + timedelta(days=2))
        self.assertFalse(case.needs_attention)
        self.assertEqual(len(case.event_ids.filtered("step_key")), 1)
        self.assertEqual(case.event_ids.filtered(lambda event: event.kind == "run_recovered").mapped("kind"),
                         ["run_recovered"])

    def test_the_case_list_shows_and_filters_the_cases_that_need_attention(self):
        views = self.env["dunning.case"].with_user(self.collections_manager).get_views(
            [(False, "list"), (False, "search"), (False, "form")])["views"]
        self.assertIn('name="needs_attention"', views["list"]["arch"])
        self.assertIn('name="filter_needs_attention"', views["search"]["arch"])
        self.assertIn('name="run_error"', views["form"]["arch"])
