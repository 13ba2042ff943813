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
    write each), and the open cases' amounts (``amount_overdue``, ``amount_recovered``) are updated only where
    they changed (every open case's row was rewritten every day: 10,000 rows at 10k customers).

    Real PostgreSQL triggers log every row an ``UPDATE`` of ``dunning_case`` naming those columns touches
    (PostgreSQL fires ``UPDATE OF`` triggers even when the value stays the same); they live in the test's
    transaction.
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
            CREATE TABLE cad_test_case_writes (case_id int, what text);
            CREATE FUNCTION cad_test_log_case_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO cad_test_case_writes VALUES (NEW.id, TG_ARGV[0]); RETURN NEW; END $$;
            CREATE TRIGGER cad_test_amount_added_writes AFTER UPDATE OF amount_added ON dunning_case
                FOR EACH ROW EXECUTE FUNCTION cad_test_log_case_write('amount_added');
            CREATE TRIGGER cad_test_amounts_writes AFTER UPDATE OF amount_overdue, amount_recovered ON dunning_case
                FOR EACH ROW EXECUTE FUNCTION cad_test_log_case_write('amounts');
        """))

    def written(self, what="amount_added", clear=False):
        """The ids of the cases whose ``what`` rows were updated so far (``clear``: and forget them)."""
        self.env.flush_all()
        ids = [case_id for case_id, in self.env.execute_query(SQL(
            "SELECT case_id FROM cad_test_case_writes WHERE what = %s ORDER BY case_id", what))]
        if clear:
            self.env.cr.execute(SQL("DELETE FROM cad_test_case_writes"))
        return ids

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

    def test_open_cases_amounts_are_updated_only_where_they_changed(self):
        paying = self.make_invoice(self.standard, day(-30), DUE, 1500)
        self.make_invoice(self.strategic, day(-30), DUE, 700)
        run = self.env["dunning.run"]
        run._run_company(self.company, day(2))
        cases = self.case_of(self.standard) | self.case_of(self.strategic)
        self.assertEqual(len(cases), 2)
        self.written("amounts", clear=True)
        run._run_company(self.company, day(3))
        self.assertEqual(self.written("amounts", clear=True), [], "nothing was paid: no case's amounts change")
        self.pay(paying, day(3), 500)
        run._run_company(self.company, day(4))
        case = self.case_of(self.standard)
        self.assertEqual(self.written("amounts"), case.ids, "the customer who paid: its case only")
        self.assertEqual((case.amount_overdue, case.amount_recovered), (1000, 500))
        self.assertEqual((self.case_of(self.strategic).amount_overdue, self.case_of(self.strategic).amount_recovered),
                         (700, 0))
