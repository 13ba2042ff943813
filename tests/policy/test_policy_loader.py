"""The loader on valid documents: defaults, references, parameters, immutability."""

import dataclasses

import pytest
from dunning_policy.conditions import Compare
from dunning_policy.errors import PolicyError
from dunning_policy.examples import example
from dunning_policy.loader import load_policy
from dunning_policy.schema import FallbackSettings, PortalSettings, SatisfactionSettings

MINIMAL = example("policy") + "\n"  # policy/examples/policy.yaml


def test_minimal_policy_gets_the_defaults(spec_of):
    spec = spec_of(MINIMAL)
    assert spec.segments[0].label == "Standard"
    step = spec.journey("standard").steps[0]
    assert (step.to, step.approve, step.attach, step.harsh, step.when) == ("finance", None, "portal_link", False, ())
    assert spec.fallback == FallbackSettings(no_email=("letter", "activity"), no_mobile=("email",))
    assert spec.satisfaction == SatisfactionSettings(True, 2, 90, ("paid", "payment_plan"))
    assert spec.delay_reasons == () and spec.payment_terms == ()
    assert spec.portal == PortalSettings(max_promise_days=30, max_instalments=6)


def test_portal_limits_are_read(spec_of):
    spec = spec_of(MINIMAL + "portal:\n  max_promise_days: 14\n  max_instalments: 3\n")
    assert spec.portal == PortalSettings(max_promise_days=14, max_instalments=3)


def test_letters_and_final_notices_are_harsh_by_default(spec_of):
    spec = spec_of(MINIMAL.replace("      - {day: 7", """\
      - {day: 3, send: letter, template: gentle_reminder}
      - {day: 5, send: email, template: final_notice}
      - {day: 6, send: letter, template: gentle_reminder, harsh: false}
      - {day: 7"""))
    assert [step.harsh for step in spec.journey("standard").steps] == [True, True, False, False]


def test_spec_is_frozen_and_hashable(default_spec, default_policy_text):
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_spec.version = 2
    assert hash(default_spec) == hash(load_policy(default_policy_text).spec)
    assert {default_spec: "cached"}[load_policy(default_policy_text).spec] == "cached"


def test_same_text_gives_equal_specs(default_policy_text):
    assert load_policy(default_policy_text).spec == load_policy(default_policy_text).spec


def test_known_templates_are_a_parameter():
    text = MINIMAL.replace("gentle_reminder", "our_own_letter")
    assert load_policy(text).spec is None
    assert load_policy(text, known_templates={"our_own_letter"}).spec is not None


def test_known_groups_are_a_parameter():
    text = MINIMAL.replace("template: gentle_reminder", "template: gentle_reminder, approve: 'group:my_mod.bosses'")
    errors = load_policy(text).errors
    assert [str(error) for error in errors] == [
        "journeys.standard.steps[0].approve: unknown group 'my_mod.bosses' (line 8)"
    ]
    assert load_policy(text, known_groups={"my_mod.bosses"}).spec.journeys[0].steps[0].approve == "group:my_mod.bosses"


def test_all_errors_are_reported_at_once_in_document_order():
    text = MINIMAL.replace("version: 1", "version: 3").replace("day: 7", "day: seven").replace("email", "fax")
    messages = [str(error) for error in load_policy(text).errors]
    assert messages == [
        "version: unsupported version 3; this module reads version 1 (line 1)",
        "journeys.standard.steps[0].day: expected an integer, got 'seven' (line 8)",
        "journeys.standard.steps[0].send: unknown channel 'fax'; expected one of activity, email, letter, sms (line 8)",
    ]


def test_policy_error_format():
    error = PolicyError("a.b[2]", 31, "expected an integer, got 'ten'")
    assert str(error) == "a.b[2]: expected an integer, got 'ten' (line 31)"
    assert str(PolicyError("", 3, "YAML syntax error: x", 5)) == "YAML syntax error: x (line 3, column 5)"
    assert str(PolicyError("", None, "too large")) == "too large"


def test_anchors_and_merge_keys_are_plain_yaml(spec_of):
    spec = spec_of("""\
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - &reminder {day: 7, send: email, template: gentle_reminder, to: salesperson}
      - <<: *reminder
        day: 14
        template: second_reminder
""")
    first, second = spec.journey("standard").steps
    assert (second.day, second.template, second.to) == (14, "second_reminder", "salesperson")
    assert first.to == "salesperson"


def test_bytes_input_is_read_as_utf8(default_policy_text):
    assert load_policy(default_policy_text.encode("utf-8")).spec == load_policy(default_policy_text).spec
    errors = load_policy(b"version: 1\nx: \xff\xfe\n").errors
    assert [str(error) for error in errors] == ["the document is not UTF-8 text (byte 14) (line 2)"]


def test_non_text_input_is_an_error_not_a_crash():
    assert [str(error) for error in load_policy(None).errors] == ["expected the document as text, got NoneType"]


def test_conditions_are_compiled(default_spec):
    strategic = default_spec.segment("strategic")
    assert strategic.when[0].items[0] == Compare("lifetime_revenue", ">=", 100000)


def test_delay_reasons_of_the_default_policy(default_spec):
    effects = {reason.key: reason for reason in default_spec.delay_reasons}
    assert set(effects) == {"dispute", "cash_flow", "our_error", "waiting_po", "forgot", "insolvency", "unknown"}
    assert (effects["dispute"].pause, effects["dispute"].owner) == (True, "salesperson")
    assert (effects["our_error"].pause, effects["our_error"].owner) == (True, "finance")
    assert effects["cash_flow"].offer == "payment_plan"
    assert effects["insolvency"].journey == "limit_damage"


def test_default_policy_segments_and_satisfaction(default_spec):
    assert [segment.key for segment in default_spec.segments] == ["strategic", "loyal", "at_risk", "new", "standard"]
    assert default_spec.journey_for_segment("loyal").key == "keep_the_relationship"
    assert default_spec.journey_for_segment("at_risk").key == "limit_damage"
    assert (default_spec.satisfaction.ask_days_after_close, default_spec.satisfaction.repurchase_window_days) == (2, 90)
