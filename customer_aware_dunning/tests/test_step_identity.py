from datetime import date, timedelta

from odoo.tests import tagged

from ..policy.step_keys import parse_step_key
from ..step_key_migration import convert_index_keys
from .common import DunningCommon

DUE = date(2026, 6, 1)

GENTLE = "      - {day: 5, send: email, template: gentle_reminder}\n"
# A new version with one more step before the standard journey's gentle reminder: every later step moves down.
INSERTED = "      - {day: 3, send: email, template: friendly_heads_up}\n" + GENTLE


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestStepIdentity(DunningCommon):
    """A step done is remembered by its identity: a new policy version re-sends nothing already done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["dunning.policy"]
        cls.Policy._ensure_default(cls.company)
        standard = cls.env["dunning.segment"]._for_company(cls.company)["standard"]
        cls.customer = cls.env["res.partner"].create({"name": "Identity Oy", "is_company": True,
                                                      "email": "ap@identity.example"})
        cls.customer.with_company(cls.company).write({"dunning_segment_id": standard.id})
        cls.invoice = cls.make_invoice(cls.customer, DUE - timedelta(days=30), DUE, 900)

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case(self):
        return self.env["dunning.case"].search([("partner_id", "=", self.customer.id)], limit=1)

    def steps(self):
        return self.case().event_ids.filtered("step_key").sorted("id")

    def activate_new_version(self, old, new):
        policy = self.Policy._active_for(self.company)
        self.assertIn(old, policy.yaml_text)
        draft = self.Policy.browse(policy.action_new_version()["res_id"])
        draft.yaml_text = policy.yaml_text.replace(old, new, 1)
        draft.action_activate()
        return draft

    def test_inserting_a_step_in_a_new_version_resends_nothing(self):
        self.run_on(day(5))
        self.assertEqual(len(self.steps()), 1)
        self.activate_new_version(GENTLE, INSERTED)
        self.run_on(day(6))
        self.run_on(day(7))
        self.assertEqual(len(self.steps()), 1, "the gentle reminder done under the old version is not sent again")
        self.run_on(day(15))
        self.assertEqual(self.steps().mapped("step_index"), [1, 3], "the journey goes on with the next step")

    def test_approval_after_a_new_version_sends_the_step_asked_for(self):
        self.run_on(day(50))
        case = self.case()
        self.assertEqual(case.state, "waiting_approval")
        asking = self.Policy._active_for(self.company)
        self.assertEqual(case.pending_policy_id, asking)
        self.activate_new_version(GENTLE, INSERTED)
        case.with_user(self.collections_manager).action_dunning_approve()
        sent = self.steps()[-1]
        self.assertEqual((sent.channel, sent.policy_version), ("letter", asking.display_name),
                         "the final letter asked for is sent, not the step now at its old index")

    def test_migration_rewrites_index_keys_of_existing_rows(self):
        self.run_on(day(5))
        event = self.steps()
        identity_key = event.step_key
        legacy = f"standard/1/{self.invoice.id}"
        event.sudo().write({"step_key": legacy})
        case = self.case()
        case.write({"pending_step_key": f"standard/5/{self.invoice.id}"})

        self.assertEqual(convert_index_keys(self.env), 2)
        self.assertEqual(event.step_key, identity_key)
        steps = self.Policy._active_for(self.company)._get_spec().journey("standard").steps
        self.assertEqual(parse_step_key(case.pending_step_key).step, steps[5].identity)
        self.assertEqual(convert_index_keys(self.env), 0, "a second pass finds nothing left to rewrite")

        self.activate_new_version(GENTLE, INSERTED)
        self.run_on(day(6))
        self.assertEqual(len(self.steps()), 1, "the rewritten key still says the step is done")

    def test_a_key_the_version_does_not_have_is_left_as_it_was(self):
        self.run_on(day(5))
        event = self.steps()
        event.sudo().write({"step_key": f"standard/99/{self.invoice.id}"})
        convert_index_keys(self.env)
        self.assertEqual(event.step_key, f"standard/99/{self.invoice.id}")

    def test_the_compare_screen_names_the_steps_that_count_as_new(self):
        active = self.Policy._active_for(self.company)
        draft = self.Policy.browse(active.action_new_version()["res_id"])
        draft.yaml_text = active.yaml_text.replace(GENTLE, INSERTED, 1)
        action = draft.action_compare()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        # the step reads with its template's name, as every text a user reads (issue 18)
        self.assertEqual(wizard.new_steps_text, "standard: step 2 (day 3, email Friendly heads-up before the due date)")
        same = self.env[action["res_model"]].create({"old_policy_id": active.id, "new_policy_id": active.id})
        self.assertIn("every step was already", same.new_steps_text)
