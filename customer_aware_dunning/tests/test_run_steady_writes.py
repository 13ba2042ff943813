from datetime import date, timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import DunningCommon

DUE = date(2026, 6, 1)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestRunSteadyWrites(DunningCommon):
    """What the daily run leaves alone when nothing changed: a step's case gets ``amount_added`` written only
    when an invoice joins it (a write per case of every step, with nothing to add, cost the steady day an ORM
    write each).

    A real PostgreSQL trigger logs every ``UPDATE`` of ``dunning_case`` naming ``amount_added`` (PostgreSQL
    fires ``UPDATE OF`` triggers even when the value stays the same); it lives in the test's transaction.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        segments = cls.env["dunning.segment"]._for_company(cls.company)
        cls.standard = cls.env["res.partner"].create({"name": "Bertta Oy", "is_company": True,
                                                      "email": "ap@bertta.example"})
        cls.strategic = cls.env["res.partner"].create({"name": "Aalto Group", "is_company": True,
                                                       "email": "ap@aalto.example"})
        cls.standard.with_company(cls.company).write({"dunning_segment_id": segments["standard"].id})
        cls.strategic.with_company(cls.company).write({"dunning_segment_id": segments["strategic"].id})

    def setUp(self):
        super().setUp()
        self.env.cr.execute(SQL("""
            CREATE TABLE cad_test_amount_added_writes (case_id int);
            CREATE FUNCTION cad_test_log_amount_added() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO cad_test_amount_added_writes VALUES (NEW.id); RETURN NEW; END $$;
            CREATE TRIGGER cad_test_amount_added_writes AFTER UPDATE OF amount_added ON dunning_case
                FOR EACH ROW EXECUTE FUNCTION cad_test_log_amount_added();
        """))

    def written(self):
        self.env.flush_all()
        return [case_id for case_id, in self.env.execute_query(SQL("SELECT case_id FROM cad_test_amount_added_writes"))]

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)])

    def test_a_step_on_the_case_s_own_invoices_does_not_write_amount_added(self):
        self.make_invoice(self.standard, day(-30), DUE, 1500)
        self.env["dunning.run"]._run_company(self.company, day(5))
        case = self.case_of(self.standard)
        self.assertEqual(case.event_ids.filtered("step_key").mapped("channel"), ["email"], "the reminder is sent")
        self.assertEqual(self.written(), [], "no invoice joined the case: nothing to add")
        self.env["dunning.run"]._run_company(self.company, day(15))
        self.assertEqual(len(case.event_ids.filtered("step_key")), 2)
        self.assertEqual(self.written(), [])
        self.assertEqual((case.amount_at_open, case.amount_added), (1500, 0))

    def test_an_invoice_joining_with_a_step_is_still_added(self):
        # the heads-up before the due date opens the case without invoices: the step's invoice joins it
        self.make_invoice(self.strategic, day(-20), DUE, 800)
        self.env["dunning.run"]._run_company(self.company, day(-3))
        case = self.case_of(self.strategic)
        self.assertEqual(self.written(), case.ids)
        self.assertEqual((case.amount_at_open, case.amount_added, case.amount_recovered), (0, 800, 0))
