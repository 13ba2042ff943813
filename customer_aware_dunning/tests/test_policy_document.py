import os
import tempfile
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..policy.engine import assign_segment
from .common import TODAY, DunningCommon

BAD_STEP = """version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: ten, send: email, template: gentle_reminder}
"""

SMALL_POLICY = """version: 1
segments:
  - key: vip
    label: Very important
    when: [[tags, contains, VIP]]
  - key: loyal
    label: Faithful
delay_reasons:
  dispute: {label: Dispute, pause: true, owner: salesperson}
  bank_holiday: {label: Bank holiday}
journeys:
  only:
    segments: [vip, loyal]
    steps:
      - {day: 7, send: email, template: gentle_reminder}
"""


class PolicyCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["dunning.policy"]
        cls.default = cls.Policy._active_for(cls.company)

    def new_version(self, text, policy=None):
        """A draft copy of ``policy`` (the active one) with ``text``, made by a Collections manager."""
        policy = (policy or self.Policy._active_for(self.company)).with_user(self.collections_manager)
        draft = self.Policy.browse(policy.action_new_version()["res_id"]).with_user(self.collections_manager)
        draft.yaml_text = text
        return draft


@tagged("post_install", "-at_install")
class TestPolicyDocument(PolicyCommon):
    """Versions of a company's YAML policy: validate, activate, keep every version."""

    def test_every_company_gets_the_shipped_default_active(self):
        self.assertEqual(self.default.state, "active")
        self.assertEqual(self.default.source, "default")
        self.assertEqual(self.default.yaml_text, self.Policy._shipped_default_text())
        spec = self.Policy._active_spec(self.company)
        keys = [segment.key for segment in spec.segments]
        self.assertEqual(keys, ["strategic", "loyal", "at_risk", "new", "standard"])
        self.assertIs(self.default._get_spec(), spec, "the parsed spec is cached per version")
        main = self.env.ref("base.main_company")
        self.assertEqual(self.Policy.sudo()._active_for(main).state, "active")

    def test_activation_refuses_an_invalid_version_and_the_old_one_stays(self):
        draft = self.new_version(BAD_STEP)
        self.assertEqual(draft.version, self.default.version + 1)
        self.assertEqual(draft.error_count, 1)
        with self.assertRaises(ValidationError) as caught:
            draft.action_activate()
        self.assertEqual(str(caught.exception).split("\n\n")[:2], [
            f"Default policy v1 cannot be activated: it has 1 problem(s). {self.default.display_name} stays in force."
            .replace("Default policy v1", draft.display_name, 1),
            "• journeys.standard.steps[0].day: expected an integer, got 'ten' (line 8)",
        ])
        self.assertIn("For example, a valid journeys section looks like this:\njourneys:", str(caught.exception))
        self.assertEqual((self.default.state, draft.state), ("active", "draft"))
        self.assertIs(self.Policy._active_spec(self.company), self.default._get_spec())

    def test_validate_shows_every_problem_or_says_valid(self):
        draft = self.new_version(BAD_STEP.replace("template: gentle_reminder", "template: shout"))
        with self.assertRaises(ValidationError) as caught:
            draft.action_validate()
        self.assertIn("has 2 problem(s):", str(caught.exception))
        self.assertIn("(line 8)", draft.error_text)
        self.assertEqual(len(draft.error_text.splitlines()), 2)
        draft.yaml_text = SMALL_POLICY
        result = draft.action_validate()
        self.assertIn("is valid: 2 segments, 2 delay reasons, 1 journeys", result["params"]["message"])

    def test_activation_archives_the_previous_version_and_keeps_every_version(self):
        draft = self.new_version(self.default.yaml_text.replace("label: Loyal", "label: Faithful"))
        draft.action_activate()
        self.assertEqual((self.default.state, draft.state), ("archived", "active"))
        self.assertEqual(draft.activated_by_id, self.collections_manager)
        self.assertTrue(draft.activated_on and self.default.archived_on)
        self.assertEqual(self.Policy._active_for(self.company), draft)
        self.assertEqual(self.Policy._active_spec(self.company).segment("loyal").label, "Faithful")
        self.assertIn("It replaces version 1", draft.message_ids[0].body)
        self.assertEqual(self.Policy.search_count([("company_id", "=", self.company.id)]), 2)

        with self.assertRaises(UserError):
            self.default.with_user(self.collections_manager).unlink()
        with self.assertRaises(UserError):
            draft.with_user(self.collections_manager).yaml_text = SMALL_POLICY
        with self.assertRaises(UserError):
            self.default.with_user(self.collections_manager).write({"state": "active"})

    def test_compare_shows_the_changed_lines(self):
        draft = self.new_version(self.default.yaml_text.replace("label: Loyal", "label: Faithful <3"))
        action = draft.action_compare()
        wizard = self.env["dunning.policy.compare"].with_context(**action["context"]).create({})
        self.assertEqual((wizard.old_policy_id, wizard.new_policy_id), (self.default, draft))
        self.assertIn("label: Faithful &lt;3", wizard.diff_html)
        self.assertIn("label: Loyal", wizard.diff_html)
        wizard.old_policy_id = draft
        self.assertIn("identical", wizard.diff_html)


@tagged("post_install", "-at_install")
class TestPolicySync(PolicyCommon):
    """Segments and delay reasons follow the active policy; nothing is deleted."""

    def test_segments_and_reasons_follow_without_relabelling_other_companies(self):
        Segment, Reason = self.env["dunning.segment"], self.env["dunning.delay.reason"]
        shared_loyal = self.env.ref("customer_aware_dunning.segment_loyal")
        self.env["res.partner"].with_company(self.company)._dunning_set_rule_segments({self.partner_a: shared_loyal})

        self.new_version(SMALL_POLICY).action_activate()

        segments = Segment._for_company(self.company)
        self.assertEqual(segments["vip"].name, "Very important")
        self.assertEqual(segments["vip"].company_id, self.company)
        self.assertEqual((segments["loyal"].name, segments["loyal"].company_id), ("Faithful", self.company))
        self.assertEqual(shared_loyal.name, "Loyal", "the other company's policy still calls it Loyal")
        self.assertTrue(shared_loyal.active)
        for key in ("strategic", "at_risk", "new", "standard"):
            self.assertFalse(segments[key].active, f"{key} is archived for this company")
        self.assertEqual({key for key, segment in segments.items() if segment.active}, {"vip", "loyal"})
        self.assertEqual((segments["vip"].sequence, segments["loyal"].sequence), (10, 20))
        self.assertEqual(self.partner_a.with_company(self.company).dunning_segment_id, segments["loyal"])

        reasons = Reason._for_company(self.company)
        self.assertEqual(reasons["bank_holiday"].name, "Bank holiday")
        self.assertFalse(reasons["waiting_po"].active)
        self.assertTrue(self.env.ref("customer_aware_dunning.delay_reason_waiting_po").active)
        self.assertEqual(Reason.search([("key", "=", "dispute")]).mapped("sequence"), [10, 10])

    def test_with_no_other_active_policy_shared_records_change_in_place(self):
        others = self.Policy.sudo().search([("state", "=", "active"), ("company_id", "!=", self.company.id)])
        others.with_context(dunning_policy_transition=True).write({"state": "archived"})
        self.new_version(SMALL_POLICY).action_activate()
        shared_loyal = self.env.ref("customer_aware_dunning.segment_loyal")
        self.assertEqual(shared_loyal.name, "Faithful")
        self.assertFalse(self.env.ref("customer_aware_dunning.segment_new").active)
        self.assertEqual(self.env["dunning.segment"].search_count([("key", "=", "loyal")]), 1)

        self.new_version(self.Policy._shipped_default_text()).action_activate()
        self.assertEqual(shared_loyal.name, "Loyal")
        self.assertTrue(self.env.ref("customer_aware_dunning.segment_new").active, "restored, not recreated")


@tagged("post_install", "-at_install")
class TestPolicyFile(PolicyCommon):
    """A policy file named in the configuration goes through the same validator."""

    def write_file(self, text):
        handle, path = tempfile.mkstemp(suffix=".yaml")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_valid_file_becomes_the_active_version_once(self):
        path = self.write_file(SMALL_POLICY)
        policy = self.Policy._import_file(self.company, path)
        self.assertEqual((policy.state, policy.source, policy.source_path), ("active", "file", path))
        self.assertEqual(self.default.state, "archived")
        self.assertEqual(self.Policy._import_file(self.company, path), policy, "the same text: nothing new")
        self.assertEqual(self.Policy.search_count([("company_id", "=", self.company.id)]), 2)

    def test_invalid_file_is_noted_and_the_last_good_version_stays(self):
        path = self.write_file(BAD_STEP)
        self.assertEqual(self.Policy._import_file(self.company, path), self.default)
        self.assertEqual(self.default.state, "active")
        self.assertIn("was not imported", self.default.message_ids[0].body)
        self.assertIn("expected an integer, got 'ten' (line 8)", self.default.message_ids[0].body)
        count = len(self.default.message_ids)
        self.Policy._import_file(self.company, path)
        self.assertEqual(len(self.default.message_ids), count, "the same problem is noted once")
        with self.assertRaises(ValidationError):
            self.Policy.with_user(self.collections_manager)._import_file(self.company, path, raise_on_error=True)
        missing = self.Policy._import_file(self.company, path + ".missing")
        self.assertEqual(missing, self.default)
        self.assertIn("cannot read the file", self.default.message_ids[0].body)
        self.assertEqual(self.Policy.search_count([("company_id", "=", self.company.id)]), 1)

    def test_daily_run_imports_the_configured_file(self):
        path = self.write_file(SMALL_POLICY)
        self.env["ir.config_parameter"].set_param("customer_aware_dunning.policy_file", path)
        self.env["dunning.run"]._run_company(self.company, TODAY)
        self.assertEqual(self.Policy._active_for(self.company).source_path, path)

    def test_import_button_without_a_configured_file_says_how(self):
        with self.assertRaisesRegex(UserError, "dunning_policy_file"):
            self.default.with_user(self.collections_manager).action_import_file()


@tagged("post_install", "-at_install")
class TestPolicyAccess(PolicyCommon):
    """Only Collections managers change, import or activate policies; users read and dry-run them."""

    def test_collections_user_reads_but_cannot_change(self):
        policy = self.default.with_user(self.collections_user)
        self.assertTrue(policy.yaml_text)
        with self.assertRaises(AccessError):
            policy.name = "Mine"
        for action in ("action_activate", "action_new_version", "action_import_file"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(policy, action)()
        with self.assertRaises(AccessError):
            self.Policy.with_user(self.collections_user).create({"yaml_text": SMALL_POLICY})

    def test_plain_user_cannot_read(self):
        with self.assertRaises(AccessError):
            self.default.with_user(self.plain_user).yaml_text  # noqa: B018

    def test_other_company_policies_are_invisible(self):
        main_policy = self.Policy.sudo()._active_for(self.env.ref("base.main_company"))
        visible = self.Policy.with_user(self.collections_manager).search([])
        self.assertNotIn(main_policy, visible)
        self.assertIn(self.default, visible)


@tagged("post_install", "-at_install")
class TestSegmentsInTheDailyRun(PolicyCommon):
    def test_rules_assign_segments_from_the_facts(self):
        big = self.env["res.partner"].create({"name": "Big Buyer"})
        self.make_invoice(big, TODAY - timedelta(days=100), TODAY - timedelta(days=70), 120000)
        self.make_invoice(self.partner_b, TODAY - timedelta(days=20), TODAY + timedelta(days=10), 100)
        self.env["dunning.run"]._run_company(self.company, TODAY)
        self.assertEqual(big.with_company(self.company).dunning_segment_id.key, "strategic")
        self.assertEqual(self.partner_b.with_company(self.company).dunning_segment_id.key, "new")

    def test_segments_assigned_chunk_by_chunk_are_the_rules_segments(self):
        """The run segments its customers by chunks that leave the ORM cache; one customer per chunk gives
        each customer the segment the rules give it on the facts of all customers read at once."""
        big = self.env["res.partner"].create({"name": "Big Buyer"})
        self.make_invoice(big, TODAY - timedelta(days=100), TODAY - timedelta(days=70), 120000)
        self.make_invoice(self.partner_b, TODAY - timedelta(days=20), TODAY + timedelta(days=10), 100)
        self.make_invoice(self.partner_a, TODAY - timedelta(days=800), TODAY - timedelta(days=770), 100)
        run = self.env["dunning.run"]
        spec = self.Policy._active_spec(self.company)
        self.env["dunning.partner.facts"]._refresh(self.company, TODAY)
        facts = self.env["dunning.partner.facts"]._policy_facts(self.company)
        expected = {partner: assign_segment(spec, values)[0] for partner, values in facts.items()}
        self.assertGreaterEqual(len(set(expected.values())), 2)
        run._assign_segments(self.company, spec, chunk=1)
        self.assertEqual({partner: partner.with_company(self.company).dunning_segment_id.key for partner in expected},
                         expected)


@tagged("post_install", "-at_install")
class TestPolicyTemplates(PolicyCommon):
    def test_every_template_key_of_the_default_policy_has_a_message_listing_the_invoices(self):
        known = self.Policy._known_templates()
        spec = self.Policy._active_spec(self.company)
        used = {step.template for journey in spec.journeys for step in journey.steps if step.template}
        self.assertLessEqual(used, set(known))
        invoice = self.make_invoice(self.partner_a, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 321)
        self.env["dunning.case"]._sync_open_cases(self.company, TODAY)
        case = invoice.dunning_case_id
        for key, template in known.items():
            with self.subTest(template=key):
                self.assertEqual(template.env.ref(f"customer_aware_dunning.mail_template_{key}"), template)
                body = template._render_field("body_html", case.ids)[case.id]
                self.assertIn(invoice.name, body)
                self.assertIn(self.partner_a.name, body)
                self.assertIn(self.company.name, template._render_field("subject", case.ids)[case.id])
