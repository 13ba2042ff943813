from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user
from odoo.tools import SQL

TODAY = date(2026, 6, 30)


class DunningCommon(AccountTestInvoicingCommon):
    """A company with customers, invoices at chosen dates, and the addon's users.

    Dates are explicit: every method that depends on the day takes ``today``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.collections_user = new_test_user(
            cls.env,
            login="sam.sales",
            name="Sam Sales",
            email="sam@example.com",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.collections_manager = new_test_user(
            cls.env,
            login="fiona.finance",
            name="Fiona Finance",
            email="fiona@example.com",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="sally.sales",
            name="Sally Sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.plain_user = new_test_user(
            cls.env,
            login="ian.internal",
            name="Ian Internal",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def make_invoice(cls, partner, invoice_date, due_date, amount, move_type="out_invoice", **values):
        return cls._create_invoice(
            move_type=move_type,
            partner_id=partner,
            invoice_date=invoice_date,
            invoice_date_due=due_date,
            invoice_payment_term_id=False,
            invoice_line_ids=[cls._prepare_invoice_line(price_unit=amount, name="Consulting", tax_ids=[])],
            post=True,
            **values,
        )

    @classmethod
    def pay(cls, invoice, payment_date, amount=None):
        values = {"payment_date": payment_date}
        if amount is not None:
            values["amount"] = amount
        return cls._register_payment(invoice, **values)

    @classmethod
    def make_overdue_customers(cls, name, count, due_date, amount=100):
        """``count`` companies named ``name`` + a number, in the standard segment under the default
        policy, each with one invoice of ``amount`` due on ``due_date``; their emails are at
        ``<name's first word>.example``."""
        cls.env["dunning.policy"]._ensure_default(cls.company)
        standard = cls.env["dunning.segment"]._for_company(cls.company)["standard"]
        domain = name.split()[0].lower()
        customers = cls.env["res.partner"].create([
            {"name": f"{name} {n}", "is_company": True, "email": f"ap{n}@{domain}.example"} for n in range(count)
        ])
        customers.with_company(cls.company).write({"dunning_segment_id": standard.id})
        for partner in customers:
            cls.make_invoice(partner, due_date - timedelta(days=30), due_date, amount)
        return customers

    @classmethod
    def poison_steps(cls, partners):
        """A real database error for ``partners``: a trigger (gone with the test's rollback) refuses their step
        events with 'Poisoned customer data'."""
        cls.env.cr.execute(SQL(
            """CREATE OR REPLACE FUNCTION pg_temp.poison_steps() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                   IF NEW.kind = 'step' AND (SELECT partner_id FROM dunning_case WHERE id = NEW.case_id) = ANY(%s)
                   THEN RAISE EXCEPTION 'Poisoned customer data';
                   END IF;
                   RETURN NEW;
               END $$;
               DROP TRIGGER IF EXISTS poison_steps ON dunning_case_event;
               CREATE TRIGGER poison_steps BEFORE INSERT ON dunning_case_event
                   FOR EACH ROW EXECUTE FUNCTION pg_temp.poison_steps()""",
            partners.ids,
        ))

    def cases_of(self, customers):
        return self.env["dunning.case"].search([("partner_id", "in", customers.ids)], order="partner_id")

    def customer_mails(self, case):
        """The mails of ``case`` to its customer (not to the people in copy)."""
        return self.env["mail.mail"].search([
            ("model", "=", "dunning.case"), ("res_id", "=", case.id), ("recipient_ids", "in", case.partner_id.ids),
        ])

    def refresh_facts(self, company=None, today=TODAY):
        self.env["dunning.partner.facts"]._refresh(company or self.company, today)

    def facts_of(self, partner, company=None):
        return self.env["dunning.partner.facts"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)]
        )


class DecisionTrap:
    """What the run decided while trapped: ``decisions`` maps each customer to the engine's Decision."""

    def __init__(self):
        self.decisions = {}
        self.days = []

    def record(self, today, decisions):
        self.days.append(today)
        self.decisions.update(decisions)

    def decision_of(self, partner):
        return self.decisions.get(partner)

    def assert_decided(self, partner, kind, template=None):
        """``partner`` got a decision of ``kind`` (and, for a step, of its ``template``)."""
        decision = self.decisions.get(partner)
        if decision is None:
            raise AssertionError(f"nothing was decided for {partner.display_name}; decided: "
                                 f"{sorted(p.display_name for p in self.decisions)}")
        if decision.kind != kind or (template is not None and (decision.step and decision.step.template) != template):
            raise AssertionError(f"{partner.display_name}: expected {kind} {template or ''}, got {decision.kind} "
                                 f"({decision.reason})")
        return decision


@contextmanager
def trap_decisions(env):
    """Record what the collections run decides instead of acting on it, as queue_job's ``trap_jobs()`` does for jobs.

    Inside the block the run syncs the cases and asks the engine as usual, but nothing the decisions
    say is carried out: no step is recorded or sent, no case paused or closed by a decision. For other
    addons' tests too::

        with trap_decisions(self.env) as trap:
            self.env["dunning.run"]._run_company(company, today)
        trap.assert_decided(partner, "send_step", template="gentle_reminder")
    """
    trap = DecisionTrap()
    cases = type(env["dunning.case"])

    def record(_cases, _company, _policy, _spec, today, decisions):
        trap.record(today, decisions)

    with patch.object(cases, "_apply", record):
        yield trap
