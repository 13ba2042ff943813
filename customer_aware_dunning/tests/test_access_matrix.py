"""Who may do what on every model of the addon: a table, checked against the real access rights and rules.

``ACCESS`` names, for every model the addon defines (taken from the registry), what
each kind of user may do: ``r`` read, ``w`` write, ``c`` create, ``u`` unlink.  A
new model without a row, a row for a model that is gone, or a line of
``security/ir.model.access.csv`` that gives more or less than the table all fail.
Then the record rules: a user of another company sees none of this company's
records, and a wizard (transient records hold customer data) belongs to the user
who opened it.
"""

import csv
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import file_open

from .common import DunningCommon

MODULE = "customer_aware_dunning"
ROLES = ("internal", "collections_user", "collections_manager", "portal", "public", "other_company")
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
NONE = dict.fromkeys(ROLES, "")


def row(user="", manager=""):
    """Collections users and managers get what is given; the other company's manager the same as a manager."""
    return {**NONE, "collections_user": user, "collections_manager": manager, "other_company": manager}


ACCESS = {
    # configuration: read by every collections user, changed by managers
    "dunning.segment": row("r", "rwcu"),
    "dunning.delay.reason": row("r", "rwcu"),
    "dunning.policy": row("r", "rwcu"),
    # legal limits and reference rates: data the company maintains
    "dunning.legal.profile": row("r", "rwcu"),
    "dunning.reference.rate": row("r", "rwcu"),
    # computed by the daily run; nobody edits or deletes them by hand
    "dunning.partner.facts": row("r", "r"),
    "dunning.case.event": row("r", "r"),
    "dunning.charge": row("r", "r"),
    "dunning.promise": row("r", "r"),
    "dunning.deal.hold": row("r", "r"),
    # payment plans: made by the customer on the portal or the run; a collections user approves a proposed one
    "dunning.payment.plan": row("rw", "rw"),
    "dunning.payment.plan.instalment": row("r", "r"),
    "dunning.case.report": row("r", "r"),
    # credit information: personal and sensitive, Collections managers only, recorded by lookups and imports
    "dunning.credit.observation": row("", "r"),
    "dunning.credit.rating.mapping": row("", "rwcu"),
    "dunning.credit.rating.import": row("", "rwc"),
    # receivables figures: a snapshot the daily job writes (sudo); salespeople read their own row
    "dunning.figures": row("r", "r"),
    # cases: created by the daily run (managers may open one), never deleted (the history stays)
    "dunning.case": row("rw", "rwc"),
    # wizards
    "dunning.case.close": row("", "rwc"),
    "dunning.case.hold": row("rwc", "rwc"),
    "dunning.case.approve": row("rwc", "rwc"),
    "dunning.invoice.answer": row("rwc", "rwc"),
    "dunning.policy.dry.run": row("rwcu", "rwcu"),
    "dunning.policy.dry.run.line": row("rwcu", "rwcu"),
    "dunning.policy.compare": row("rwcu", "rwcu"),
    "dunning.case.summary": row("rwc", "rwc"),
    # abstract models: no table, no access right (used through sudo by the run and the reports)
    "dunning.channel": NONE,
    "dunning.credit.hold.mixin": NONE,
    "dunning.credit": NONE,
    "dunning.payment.details": NONE,
    "dunning.statement": NONE,
    "report.customer_aware_dunning.report_dunning_statement_case": NONE,
    "report.customer_aware_dunning.report_dunning_statement_partner": NONE,
    "dunning.policy.synced": NONE,
    "dunning.run": NONE,
    "report.customer_aware_dunning.report_case_summary": NONE,
    "report.customer_aware_dunning.report_dunning_letter": NONE,
}

# Groups of the access file and the role whose expectations hold what they grant.
CSV_GROUP_ROLE = {"group_collections_user": "collections_user", "group_collections_manager": "collections_manager"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_ids = [Command.set(cls.company.ids)]
        cls.other_company = cls.setup_other_company(name="Matrix Branch")["company"]
        cls.users = {
            "internal": cls.plain_user,
            "collections_user": new_test_user(cls.env, login="matrix.user", groups=f"{MODULE}.group_collections_user",
                                              company_id=cls.company.id, company_ids=company_ids),
            "collections_manager": new_test_user(cls.env, login="matrix.manager",
                                                 groups=f"{MODULE}.group_collections_manager",
                                                 company_id=cls.company.id, company_ids=company_ids),
            "portal": new_test_user(cls.env, login="matrix.portal", groups="base.group_portal",
                                    company_id=cls.company.id, company_ids=company_ids),
            "public": cls.env.ref("base.public_user"),
            "other_company": new_test_user(cls.env, login="matrix.other", groups=f"{MODULE}.group_collections_manager",
                                           company_id=cls.other_company.id,
                                           company_ids=[Command.set(cls.other_company.ids)]),
        }
        today = date(2026, 6, 30)
        cls.invoice = cls.make_invoice(cls.partner_a, date(2026, 5, 1), date(2026, 5, 31), 300)
        cls.partner_a.user_id = cls.users["collections_user"]  # the analysis shows salespeople their customers
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.env["dunning.partner.facts"]._refresh(cls.company, today)
        cls.env["dunning.case"]._sync_open_cases(cls.company, today)
        cls.case = cls.invoice.dunning_case_id
        cls.case._log_events("customer_answer", {cls.case.id: "An event of this company."})
        cls.env["dunning.case.report"].flush_model()

    def test_every_model_of_the_addon_has_a_row(self):
        defined = {name for name, model in self.env.registry.items() if model._original_module == MODULE}
        self.assertEqual(set(ACCESS) - defined, set(), "rows for models the addon no longer defines")
        self.assertEqual(defined - set(ACCESS), set(), "models without a row in ACCESS: say who may do what")

    def test_access_rights_are_exactly_the_table(self):
        for model, expected in ACCESS.items():
            for role, letters in expected.items():
                user = self.users[role]
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        allowed = self.env[model].with_user(user).has_access(operation)
                        self.assertEqual(allowed, letter in letters)

    def test_every_line_of_the_access_file_is_in_the_table(self):
        with file_open(f"{MODULE}/security/ir.model.access.csv") as handle:
            lines = list(csv.DictReader(handle))
        models = {line["model_id:id"] for line in lines}
        for model, expected in ACCESS.items():
            if expected != NONE:
                self.assertIn(f"model_{model.replace('.', '_')}", models, f"{model} has no line in the access file")
        for line in lines:
            model = line["model_id:id"].removeprefix("model_").replace("_", ".")
            model = next(name for name in ACCESS if name.replace("_", ".") == model)
            role = CSV_GROUP_ROLE[line["group_id:id"]]
            granted = {letter for letter, column in zip("rwcu", ("perm_read", "perm_write", "perm_create",
                                                                  "perm_unlink"), strict=True) if line[column] == "1"}
            with self.subTest(line=line["id"]):
                self.assertLessEqual(granted, set(ACCESS[model][role]))

    # ------------------------------------------------------------------ record rules

    def company_records(self):
        """One record of this company for every model bound to a company."""
        segment = self.env["dunning.segment"].create({"key": "matrix", "name": "Matrix", "company_id": self.company.id})
        reason = self.env["dunning.delay.reason"].create({"key": "matrix", "name": "Matrix",
                                                         "company_id": self.company.id})
        finland = self.env.ref("base.fi")
        rate = self.env["dunning.reference.rate"].create({"date_from": date(2026, 1, 1), "rate": 2.5,
                                                          "country_id": finland.id, "company_id": self.company.id})
        charge = self.env["dunning.charge"].sudo().create({"case_id": self.case.id, "date": date(2026, 6, 30),
                                                           "kind": "fee", "amount": 5.0}).sudo(False)
        promise = self.env["dunning.promise"].sudo()._record(self.invoice, date(2026, 7, 10), 0, "staff")
        plan = self.env["dunning.payment.plan"]._create_plans(self.case, [(date(2026, 7, 10), 100.0),
                                                                      (date(2026, 8, 10), 100.0)], "staff")
        deal_hold = self.env["dunning.deal.hold"].sudo().create({"case_id": self.case.id, "held_on": date(2026, 6, 30),
                                                                 "step": "Final notice"}).sudo(False)
        return {
            "dunning.deal.hold": deal_hold,
            "dunning.payment.plan": plan.sudo(False),
            "dunning.payment.plan.instalment": plan.instalment_ids.sudo(False),
            "dunning.promise": promise.sudo(False),
            "dunning.segment": segment,
            "dunning.reference.rate": rate,
            "dunning.charge": charge,
            "dunning.delay.reason": reason,
            "dunning.policy": self.env["dunning.policy"]._active_for(self.company),
            "dunning.partner.facts": self.facts_of(self.partner_a),
            "dunning.case": self.case,
            "dunning.case.event": self.case.event_ids,
            "dunning.case.report": self.env["dunning.case.report"].search([("case_id", "=", self.case.id)]),
        }

    def test_another_company_sees_none_of_the_records(self):
        records = self.company_records()
        company_bound = {name for name in ACCESS if "company_id" in self.env[name]._fields and name in records}
        self.assertEqual(company_bound, set(records))
        other = self.users["other_company"]
        for model, record in records.items():
            with self.subTest(model=model):
                self.assertTrue(record)
                self.assertFalse(self.env[model].with_user(other).search([("id", "in", record.ids)]))
                for operation in ("read", "write", "unlink"):
                    self.assertFalse(record.with_user(other).has_access(operation), operation)
                with self.assertRaises(AccessError):
                    record.with_user(other).read(["display_name"])
        shared = self.env["dunning.segment"].search([("company_id", "=", False)], limit=1)
        self.assertTrue(shared.with_user(other).has_access("read"), "segments of no company are shared")
        country_rate = self.env["dunning.reference.rate"].search([("company_id", "=", False)], limit=1)
        self.assertTrue(country_rate.with_user(other).has_access("read"), "a country's published rates are shared")

    def test_own_company_users_read_what_the_table_allows(self):
        for model, record in self.company_records().items():
            for role in ("collections_user", "collections_manager"):
                with self.subTest(model=model, role=role):
                    self.assertEqual(record.with_user(self.users[role]).has_access("read"),
                                     "r" in ACCESS[model][role])

    def wizards(self, user):
        """One record of every wizard, opened by ``user``."""
        env = self.env(user=user)
        policy = env["dunning.policy"]._active_for(self.company)
        dry_run = env["dunning.policy.dry.run"].create({"policy_id": policy.id, "date": date(2026, 6, 30)})
        dry_run.action_run()
        records = {
            "dunning.policy.dry.run": dry_run,
            "dunning.policy.dry.run.line": dry_run.line_ids | dry_run.upcoming_line_ids,
            "dunning.policy.compare": env["dunning.policy.compare"].create({"new_policy_id": policy.id}),
            "dunning.case.hold": env["dunning.case.hold"].create({"case_ids": self.case.ids, "reason": "Wait"}),
            "dunning.invoice.answer": env["dunning.invoice.answer"].create({"move_ids": self.invoice.ids}),
            "dunning.case.summary": env["dunning.case.summary"].create({}),
        }
        if user.has_group(f"{MODULE}.group_collections_manager"):
            records["dunning.case.approve"] = env["dunning.case.approve"].create({"case_id": self.case.id})
            records["dunning.case.close"] = env["dunning.case.close"].create({"case_ids": self.case.ids})
            records["dunning.credit.rating.import"] = env["dunning.credit.rating.import"].create(
                {"source": "Bureau", "file": "eA==", "filename": "ratings.csv"})
        return records

    def test_wizards_belong_to_the_user_who_opened_them(self):
        # Wizards are opened by people who also work on invoices (the dry run reads them).
        opener, colleague = self.collections_manager, self.collections_user
        mine = self.wizards(opener)
        transient = {name for name in ACCESS if self.env[name]._transient}
        self.assertEqual(set(mine), transient)
        self.assertTrue(mine["dunning.policy.dry.run.line"], "the dry run lists the customer")
        for model, records in mine.items():
            for user in (colleague, self.users["collections_manager"], self.users["other_company"]):
                with self.subTest(model=model, user=user.login):
                    self.assertTrue(records.with_user(opener).has_access("read"))
                    self.assertFalse(records.with_user(user).has_access("read"))
                    if self.env[model].with_user(user).has_access("read"):
                        self.assertFalse(self.env[model].with_user(user).search([("id", "in", records.ids)]))
                    with self.assertRaises(AccessError):
                        records.with_user(user).read(["display_name"])
                    with self.assertRaises(AccessError):
                        records.with_user(user).write({"create_uid": user.id})
        # The colleague's own wizards work as before.
        own = self.wizards(colleague)
        own["dunning.policy.dry.run"].with_user(colleague).action_run()
        self.assertTrue(own["dunning.policy.dry.run"].with_user(colleague).line_ids)
