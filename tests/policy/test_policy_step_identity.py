"""Step keys name a step by its identity, and a decision carries the date the journey moves on after it."""

from dataclasses import replace
from datetime import date, timedelta

from conftest import load_ok
from dunning_policy.engine import CaseInput, InvoiceInput, approved, decide, make_step_key, parse_step_key, resolve_step
from dunning_policy.loader import load_policy

DUE = date(2025, 3, 1)

V1 = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 5, send: email, template: gentle_reminder}
      - {day: 15, send: email, template: second_reminder}
      - {day: 30, send: letter, template: final_notice, approve: finance}
"""

# v2 inserts a step before the others and moves nothing else: every step of v1 keeps its identity.
V2_INSERTED = V1.replace("    steps:\n", "    steps:\n      - {day: 2, send: email, template: friendly_heads_up}\n")

# v2 changes the second step's template: a changed step is a new step.
V2_CHANGED = V1.replace("{day: 15, send: email, template: second_reminder}",
                        "{day: 15, send: email, template: payment_plan_offer}")

WITH_IDS = """
version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {id: first, day: 5, send: email, template: gentle_reminder}
      - {id: second, day: 15, send: email, template: second_reminder}
"""


def day(offset):
    return DUE + timedelta(days=offset)


def customer(done=(), state="open"):
    return CaseInput(invoices=(InvoiceInput(id=7, due_date=DUE, amount_residual=100.0),),
                     done_step_keys=frozenset(done), state=state)


def test_a_key_names_the_step_by_a_digest_of_its_content():
    spec = load_ok(V1)
    decision = decide(spec, customer(), day(5))
    key = parse_step_key(decision.step_key)
    assert key.step == spec.journey("standard").steps[0].identity
    assert key.step.startswith("#") and key.index is None
    assert decision.step_key == f"standard/{key.step}/7"


def test_a_step_id_in_the_yaml_is_the_identity():
    spec = load_ok(WITH_IDS)
    assert decide(spec, customer(), day(5)).step_key == "standard/@first/7"
    # the id survives a change of the step's content: the step done stays done
    edited = load_ok(WITH_IDS.replace("template: gentle_reminder", "template: friendly_heads_up"))
    assert decide(edited, customer(done=["standard/@first/7"]), day(6)).kind == "wait"


def test_inserting_a_step_in_a_new_version_resends_nothing_done():
    v1, v2 = load_ok(V1), load_ok(V2_INSERTED)
    done = [decide(v1, customer(), day(5)).step_key]
    assert decide(v2, customer(done=done), day(6)).kind == "wait"
    # and the journey goes on with the step after the one done
    assert decide(v2, customer(done=done), day(15)).step.template == "second_reminder"


def test_reordering_steps_with_ids_resends_nothing_done():
    reordered = WITH_IDS.replace(
        "      - {id: first, day: 5, send: email, template: gentle_reminder}\n"
        "      - {id: second, day: 15, send: email, template: second_reminder}\n",
        "      - {id: second, day: 5, send: email, template: second_reminder}\n"
        "      - {id: first, day: 15, send: email, template: gentle_reminder}\n")
    v2 = load_ok(reordered)
    # step "second" was done under v1; in v2 it is the first step, and it is not sent again
    assert decide(v2, customer(done=["standard/@second/7"]), day(6)).kind == "wait"


def test_old_index_keys_are_still_read():
    spec = load_ok(V1)
    assert decide(spec, customer(done=[make_step_key("standard", 0, [7])]), day(6)).kind == "wait"
    assert parse_step_key("standard/0/7").index == 0


def test_a_changed_step_is_a_new_step():
    v1, v2 = load_ok(V1), load_ok(V2_CHANGED)
    done = [decide(v1, customer(), day(5)).step_key, decide(v1, customer(), day(15)).step_key]
    decision = decide(v2, customer(done=done), day(16))
    assert (decision.kind, decision.step.template) == ("send_step", "payment_plan_offer")


def test_two_steps_cannot_share_an_id():
    text = WITH_IDS.replace("id: second", "id: first")
    errors = [str(error) for error in load_policy(text).errors]
    assert any("duplicate step id 'first'" in error for error in errors), errors


def test_a_step_id_must_be_a_key():
    errors = [str(error) for error in load_policy(WITH_IDS.replace("id: first", "id: First Step")).errors]
    assert any("id" in error and "expected a key in lower case" in error for error in errors), errors


def test_a_sent_step_carries_the_date_the_journey_moves_on():
    spec = load_ok(V1)
    decision = decide(spec, customer(), day(5))
    assert (decision.kind, decision.next_date) == ("send_step", day(15))
    # the same date the engine waits for once the step is done
    after = decide(spec, customer(done=[decision.step_key]), day(5))
    assert (after.kind, after.next_date) == ("wait", day(15))


def test_the_last_step_has_no_next_date():
    spec = load_ok(V1.replace("      - {day: 30, send: letter, template: final_notice, approve: finance}\n", ""))
    done = [decide(spec, customer(), day(5)).step_key]
    assert decide(spec, customer(done=done), day(15)).next_date is None


def test_approved_builds_the_decision_of_the_step_that_asked():
    v1 = load_ok(V1)
    asked = decide(v1, customer(done=[make_step_key("standard", 1, [7])]), day(30))
    assert asked.kind == "need_approval"
    decision = approved(v1, asked.step_key, [7], "Approved by Ann.")
    assert (decision.kind, decision.step, decision.step_key) == ("send_step", asked.step, asked.step_key)
    assert (decision.step_index, decision.invoice_ids) == (2, (7,))
    assert str(decision.text) == "step 3 (day 30, letter final_notice): Approved by Ann."


def test_approval_after_a_new_version_finds_the_step_asked_for():
    v1, v2 = load_ok(V1), load_ok(V2_INSERTED)
    asked = decide(v1, customer(done=[make_step_key("standard", 1, [7])]), day(30))
    decision = approved(v2, asked.step_key, [7], "ok")
    # v2 moved the letter to index 3; its key still names it
    assert (decision.step.template, decision.step_index) == ("final_notice", 3)


def test_approved_is_none_for_a_step_the_version_does_not_have():
    spec = load_ok(V1)
    assert approved(spec, "standard/#000000000000/7", [7], "ok") is None
    assert approved(spec, "other/0/7", [7], "ok") is None
    assert resolve_step(spec, "nonsense") is None


def test_a_digest_ignores_nothing_but_the_id():
    step = load_ok(V1).journey("standard").steps[0]
    assert replace(step, note="another").identity != step.identity
    assert replace(step, id="named").identity == "@named"
