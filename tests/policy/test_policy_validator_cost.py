"""The validator's work is bounded and its messages are safe to print.

Before: "did you mean" compared each unknown name with every declared key (900 segments and
7,000 misspelt references took minutes), key paths were echoed raw (a key with terminal
escape codes printed a forged line, a NUL byte reached the output) and a 30 MB file was
refused with the size of the part read.
"""

import io

from dunning_policy.cli import main
from dunning_policy.conditions import SUGGESTION_BUDGET, SUGGESTION_CANDIDATES, suggestion, suggestion_budget
from dunning_policy.errors import PolicyError, escape_controls
from dunning_policy.loader import load_policy
from dunning_policy.yaml_source import MAX_BYTES


def document(segment_count, misspelt_count, journeys=""):
    keys = [f"segment_{index:04d}" for index in range(segment_count)]
    segments = "".join(f"  - key: {key}\n    when: [[lifetime_revenue, '>=', 1]]\n" for key in keys[:-1])
    misspelt = ", ".join(f"segmnt_{index % segment_count:04d}" for index in range(misspelt_count))
    return (f"version: 1\nsegments:\n{segments}  - key: {keys[-1]}\njourneys:\n"
            f"  standard:\n    segments: [{', '.join(keys)}]\n"
            f"    steps: [{{day: 7, send: email, template: gentle_reminder}}]\n"
            f"  other:\n    segments: [{misspelt}]\n"
            f"    steps: [{{day: 7, send: email, template: gentle_reminder}}]\n{journeys}")


def suggested(errors):
    return [error for error in errors if "did you mean" in error.message]


def test_suggestions_stop_after_the_budget_but_every_problem_is_reported():
    errors = load_policy(document(20, 300)).errors
    assert len([error for error in errors if error.message.startswith("unknown segment")]) == 300
    assert len(suggested(errors)) == SUGGESTION_BUDGET == 50
    assert suggested(errors)[0].message == "unknown segment 'segmnt_0000' (did you mean 'segment_0000'?)"


def test_each_document_has_its_own_budget():
    load_policy(document(20, 300))
    assert len(suggested(load_policy(document(20, 3)).errors)) == 3


def test_no_suggestion_among_a_long_list():
    errors = load_policy(document(SUGGESTION_CANDIDATES + 1, 5)).errors
    assert len(errors) == 5 and not suggested(errors)


def test_the_budget_is_counted_per_comparison_run():
    with suggestion_budget(2):
        hints = [suggestion("colour", ["color"]) for _ in range(4)]
    assert hints == [" (did you mean 'color'?)"] * 2 + ["", ""]
    # outside a document's validation nothing is spent: a long-lived worker keeps its suggestions
    assert [suggestion("colour", ["color"]) for _ in range(SUGGESTION_BUDGET + 1)][-1] == " (did you mean 'color'?)"


def test_a_long_journey_list_is_cut_in_the_message():
    journeys = "".join(f"  journey_{index:03d}:\n    steps: [{{day: 7, send: email, template: gentle_reminder}}]\n"
                       for index in range(100))
    text = document(2, 0, journeys) + "delay_reasons:\n  waiting_po: {journey: nowhere}\n"
    (error,) = [error for error in load_policy(text).errors if "unknown journey" in error.message]
    assert error.message.endswith("journey_017 and 82 more") and len(error.message) < 600, error.message


TERMINAL_FORGERY = '"\\e[2K\\rvalid policy (version 1)\\0\\u202e"'


def test_control_characters_in_a_key_are_escaped_in_the_message():
    text = f"version: 1\n{TERMINAL_FORGERY}: 1\nsegments: [{{key: a}}]\njourneys: {{}}\n"
    errors = [str(error) for error in load_policy(text).errors]
    forged = next(error for error in errors if "valid policy" in error)
    assert forged.startswith("\\x1b[2K\\rvalid policy (version 1)\\x00\\u202e: unknown key"), forged
    assert all(error.isprintable() for error in errors), errors


def test_the_cli_prints_no_control_character(tmp_path):
    path = tmp_path / "forged.yaml"
    path.write_text(f"version: 1\n{TERMINAL_FORGERY}: 1\nsegments: [{{key: a}}]\njourneys: {{}}\n", encoding="utf-8")
    out = io.StringIO()
    assert main(["validate", str(path)], out=out) == 1
    assert all(line.isprintable() for line in out.getvalue().splitlines()), out.getvalue()
    assert not any(line.startswith("valid policy") for line in out.getvalue().splitlines())


def test_errors_made_anywhere_are_escaped():
    error = PolicyError("a.\x1bb", 1, "line\nbreak\x00")
    assert (error.path, error.message) == ("a.\\x1bb", "line\\nbreak\\x00")
    assert escape_controls("plain text: äö €") == "plain text: äö €"


def test_a_huge_file_is_refused_with_its_true_size(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(30 * 1024 * 1024)  # 30 MB, sparse: nothing written
    out = io.StringIO()
    assert main(["validate", str(path)], out=out) == 1
    assert f"the document is {30 * 1024 * 1024} bytes; the limit is {MAX_BYTES} bytes" in out.getvalue()


def test_one_byte_over_is_refused_with_its_size(tmp_path):
    path = tmp_path / "over.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    out = io.StringIO()
    assert main(["validate", str(path)], out=out) == 1
    assert f"the document is {MAX_BYTES + 1} bytes" in out.getvalue()
