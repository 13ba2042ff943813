"""Hostile documents, class by class: each is refused with clear errors (a line where YAML gives one), never raises.

The classes and their case counts are listed in README.md ("Hostile input");
``HOSTILE_CLASSES`` below is the table the count comes from, and
``test_every_class_is_counted`` keeps that table and the tests in step.
"""

import random
from collections import Counter
from pathlib import Path

import pytest
import yaml
from dunning_policy.errors import PolicyError
from dunning_policy.loader import load_policy
from dunning_policy.yaml_source import MAX_BYTES, MAX_DEPTH, MAX_NODES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "customer_aware_dunning" / "data" / "default_policy.yaml"


def assert_refused_cleanly(text, lines=None):
    """The document is refused, every error is a PolicyError whose line (when given) is inside the document."""
    result = load_policy(text)
    assert result.spec is None
    assert result.errors
    for error in result.errors:
        assert isinstance(error, PolicyError)
        assert str(error)
        if error.line is not None and lines is not None:
            assert 1 <= error.line <= lines + 1, (error, lines)
    return [str(error) for error in result.errors]


def line_count(text):
    """Lines as YAML counts them: NEL, LS and PS break lines too (\\r\\n is one break)."""
    if not isinstance(text, str):
        return None
    return sum(text.replace("\r\n", "\n").count(mark) for mark in "\n\r\x85\u2028\u2029") + 1


# -- malformed YAML: a syntax error with its line and column ---------------------------

MALFORMED = {
    "undefined-alias": ("version: 1\nsegments: *nope\n", 2),
    "tab-indentation": ("version: 1\nsegments:\n\t- key: a\n", 3),
    "unclosed-flow-list": ("version: 1\nsegments: [a, b\n", 3),
    "unclosed-flow-map": ("version: 1\nportal: {max_instalments: 3\n", 3),
    "unterminated-quote": ('version: 1\ndescription: "abc\n', 3),
    "two-documents": ("version: 1\n---\nversion: 2\n", 2),
    "yaml-2-directive": ("%YAML 2.0\n---\nversion: 1\n", 1),
    "bad-indentation": ("version: 1\nsegments:\n  - key: a\n   label: b\n", 4),
    "mapping-in-scalar": ("version: 1\ndescription: a: b\n", 2),
    "stray-dash": ("version: 1\n- key: a\n", 2),
    "unknown-escape": ('version: 1\ndescription: "\\q"\n', 2),
    "nul-character": ("version: 1\ndescription: a\x00b\n", 2),
    "lone-surrogate": ("version: 1\ndescription: \ud800\n", 2),
    "key-over-1024-characters": ("k" * 2000 + ": 1\n", 1),
    "anchor-without-node": ("&a &b x\n", 1),
}


@pytest.mark.parametrize("text,line", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_yaml_is_one_error_with_its_line(text, line):
    errors = load_policy(text).errors
    assert len(errors) == 1, errors
    assert str(errors[0]).startswith("YAML syntax error: ")
    assert errors[0].line == line, errors[0]


# -- wrong encodings and non-text input ------------------------------------------------

ENCODINGS = {
    "latin-1-bytes": (b"version: 1\ndescription: caf\xe9\n", "the document is not UTF-8 text (byte 27) (line 2)"),
    "utf-16-bytes": ("version: 1\n".encode("utf-16"), "the document is not UTF-8 text (byte 0) (line 1)"),
    "none": (None, "expected the document as text, got NoneType"),
    "integer": (1, "expected the document as text, got int"),
    "mapping": ({"version": 1}, "expected the document as text, got dict"),
    "bytearray": (bytearray(b"version: 1"), "expected the document as text, got bytearray"),
}


@pytest.mark.parametrize("text,message", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_wrong_encoding_or_type_is_one_error(text, message):
    assert assert_refused_cleanly(text) == [message]


def test_byte_order_mark_is_accepted(default_policy_text):
    assert load_policy("\ufeff" + default_policy_text).errors == []


# -- values YAML reads but Python cannot hold ------------------------------------------

VALUES = {
    # Python refuses to read integers of more than 4300 digits (CVE-2020-10735): an error, not a crash.
    "integer-of-5000-digits": ("9" * 5000, "cannot read the value"),
    "impossible-date": ("2026-02-30", "cannot read the value '2026-02-30': day is out of range for month"),
    "impossible-timestamp": ("2026-13-45 10:00:00", "cannot read the value '2026-13-45 10:00:00'"),
    "year-zero": ("0000-01-01", "cannot read the value '0000-01-01'"),
    "infinite-float": ("1.0e+999", "unsupported version inf"),
    "not-a-number": (".nan", "unsupported version nan"),
}


@pytest.mark.parametrize("value,message", VALUES.values(), ids=VALUES.keys())
def test_unreadable_values_are_errors_on_their_line(value, message, default_policy_text):
    text = default_policy_text.replace("version: 1\n", f"version: {value}\n", 1)
    line = text.splitlines().index(f"version: {value}") + 1
    errors = assert_refused_cleanly(text, line_count(text))
    assert any(error.startswith(f"version: {message}") and error.endswith(f"(line {line})") for error in errors), errors


# -- tags: only plain YAML values ------------------------------------------------------

TAGS = [
    "!!python/object:os.system", "!!python/object/apply:os.system", "!!python/object/new:os.system",
    "!!python/name:os.system", "!!python/module:os", "!!python/tuple", "!!python/str", "!!python/bytes",
    "!!binary", "!!set", "!!omap", "!!pairs", "!foo", "!<tag:example.com,2000:x>",
]


@pytest.mark.parametrize("tag", TAGS)
def test_tags_are_refused_with_their_line(tag, default_policy_text):
    text = default_policy_text.replace("version: 1\n", f"version: {tag} [x]\n", 1)
    errors = assert_refused_cleanly(text, line_count(text))
    line = text.splitlines().index(f"version: {tag} [x]") + 1
    shown = tag if tag.startswith("!!") or not tag.startswith("!<") else "tag:example.com,2000:x"
    assert errors == [f"version: the tag '{shown}' is not allowed; write plain YAML values (line {line})"]


def test_tag_directive_cannot_smuggle_a_python_tag():
    text = "%TAG !p! tag:yaml.org,2002:python/\n---\nversion: !p!object/apply:os.system [echo]\n"
    tag = "!!python/object/apply:os.system"
    message = f"version: the tag '{tag}' is not allowed; write plain YAML values (line 3)"
    assert assert_refused_cleanly(text) == [message]


def test_python_tag_on_a_key_is_refused():
    errors = assert_refused_cleanly("? !!python/tuple [1, 2]\n: 1\nversion: 1\n")
    assert errors[0] == "expected a plain text key, got a complex key (line 1)"


# -- size, width, depth and aliases -----------------------------------------------------

LIMITS = {
    "one-byte-over-the-limit": ("#" * MAX_BYTES + "\n", "the document is"),
    "wide-flow-list": ("l: [" + ",".join(["1"] * (MAX_NODES + 1)) + "]\n", "the document expands to more than"),
    "many-keys": ("".join(f"k{i}: 1\n" for i in range(MAX_NODES // 2 + 1)), "the document expands to more than"),
    "merge-key-bomb": ("\n".join(["a0: &a0 {k: 1}"] + [
        f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 9)}]}}" for i in range(1, 10)]),
        "the document expands to more than"),
    "alias-bomb-of-mappings": ("\n".join(["a0: &a0 {k: v}"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]), "the document expands to more than"),
    "self-merging-mapping": ("a: &a {<<: *a}\n", f"the document nests deeper than {MAX_DEPTH} levels"),
    "mutually-recursive-aliases": ("a: &a [&b [*a]]\n", f"the document nests deeper than {MAX_DEPTH} levels"),
    "one-level-too-deep": ("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n",
                           f"the document nests deeper than {MAX_DEPTH} levels"),
    "dash-chain": ("- " * 5000, f"the document nests deeper than {MAX_DEPTH} levels"),
}


@pytest.mark.parametrize("text,message", LIMITS.values(), ids=LIMITS.keys())
def test_limits_refuse_with_one_error(text, message):
    errors = assert_refused_cleanly(text, line_count(text))
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_exactly_the_depth_limit_is_read():
    text = "x: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n"
    assert not any("nests deeper" in str(error) for error in load_policy(text).errors)


# -- fuzzing ------------------------------------------------------------------------------


RAN = Counter()  # the cases each fuzz class really ran in this session


def fuzz(examples):
    return settings(deadline=None, max_examples=examples, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def assert_agrees_with_safe_load(text):
    """Never raises; refused iff errors; a line inside the document; a spec only for what safe_load reads."""
    result = load_policy(text)
    assert (result.spec is None) == bool(result.errors)
    lines = line_count(text) if isinstance(text, str) else None
    for error in result.errors:
        assert isinstance(error, PolicyError) and str(error)
        if error.line is not None and lines is not None:
            assert 1 <= error.line <= lines + 1, (error, text)
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        assert result.errors
        first = result.errors[0]
        if first.message.startswith("YAML syntax error") and exc.problem_mark is not None:
            assert first.line == exc.problem_mark.line + 1
    except (yaml.YAMLError, ValueError, RecursionError, TypeError):
        assert result.errors  # safe_load cannot read it: neither may we
    return result


HOSTILE_PIECES = st.sampled_from([
    "&a ", "&b ", "*a", "*b", "<<: *a\n", "<<: [*a, *b]\n", "!!python/object/apply:os.system ", "!!binary ",
    "!!set ", "!foo ", "%TAG !p! tag:yaml.org,2002:python/\n---\n", "!p!name:os.system ", "[", "]", "{", "}",
    "- ", ": ", "? ", "\n", "  ", "\t", ", ", "'", '"', "|\n", ">-\n", "---\n", "...\n", "#", "\x00", "\ufeff",
    "\x85", "\u2028", "9" * 50, "1.0e+999", ".nan", "2026-02-30", "~", "version: 1\n", "segments:\n",
    "journeys: {standard: {segments: [standard], steps: [{day: 1, send: email, template: gentle_reminder}]}}\n",
])


@fuzz(1500)
@given(st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=4)), max_size=60).map("".join))
def test_fuzz_hostile_yaml_pieces(text):
    RAN["fuzz: hostile YAML pieces"] += 1
    assert_agrees_with_safe_load(text)


@st.composite
def mutated_default_policy(draw):
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 8))):
        at = rng.randrange(len(text) + 1)
        action = rng.choice(("insert", "delete", "replace", "duplicate"))
        piece = draw(st.one_of(HOSTILE_PIECES, st.text(max_size=3)))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + rng.randrange(1, 40):]
        elif action == "replace":
            text = text[:at] + piece + text[at + len(piece):]
        else:
            end = at + rng.randrange(1, 200)
            text = text[:end] + text[at:end] + text[end:]
    return text


@fuzz(1500)
@given(mutated_default_policy())
def test_fuzz_mutated_default_policy(text):
    RAN["fuzz: mutated default policy"] += 1
    assert_agrees_with_safe_load(text)


@fuzz(500)
@given(st.binary(max_size=300).map(lambda data: DEFAULT_POLICY.read_bytes()[:2000] + data))
def test_fuzz_policy_bytes_with_a_random_tail(data):
    RAN["fuzz: bytes after a valid start"] += 1
    result = load_policy(data)
    assert (result.spec is None) == bool(result.errors)
    assert all(isinstance(error, PolicyError) and str(error) for error in result.errors)


# Every shape, each once: Hypothesis drew from these 121 (of 2-12 by 2-12) and stopped ("nothing
# left to do") while the table claimed 300; a parametrized grid runs exactly what it lists.
ALIAS_SHAPES = [(width, levels) for width in range(2, 21) for levels in range(1, 21)]


@pytest.mark.parametrize(("width", "levels"), ALIAS_SHAPES, ids=[f"{w}x{n}" for w, n in ALIAS_SHAPES])
def test_alias_bombs_of_every_shape(width, levels):
    lines = ["l0: &l0 [x]"] + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    text = "\n".join(lines)
    result = assert_agrees_with_safe_load(text) if width ** levels <= MAX_NODES // 4 else load_policy(text)
    refused = any("expands to more than" in str(error) for error in result.errors)
    assert refused == (expanded_values(width, levels) > MAX_NODES), (expanded_values(width, levels), result.errors)
    if refused:
        assert str(result.errors[0]).startswith(f"the document expands to more than {MAX_NODES}")


def expanded_values(width, levels):
    """The values the bomb expands to: the root, each key ``l<i>`` and its list with every alias expanded."""
    sizes = [2]  # l0: the list and its scalar
    for _level in range(levels):
        sizes.append(1 + width * sizes[-1])
    return 1 + sum(1 + size for size in sizes)


# The classes above with the number of cases each runs: the parametrized ones by their
# tables' length, the fuzz ones by their max_examples, checked below against what really ran.
FUZZ_CLASSES = {
    "fuzz: hostile YAML pieces": (test_fuzz_hostile_yaml_pieces, 1500),
    "fuzz: mutated default policy": (test_fuzz_mutated_default_policy, 1500),
    "fuzz: bytes after a valid start": (test_fuzz_policy_bytes_with_a_random_tail, 500),
}
HOSTILE_CLASSES = {
    "malformed YAML (syntax errors with line and column)": len(MALFORMED),
    "wrong encodings and non-text input": len(ENCODINGS) + 1,
    "values Python cannot hold (huge integers, impossible dates, inf/nan)": len(VALUES),
    "tags (!!python/..., !!binary, local tags, %TAG smuggling)": len(TAGS) + 2,
    "size, width, depth and alias/merge bombs": len(LIMITS) + 1,
    **{name: examples for name, (_test, examples) in FUZZ_CLASSES.items()},
    "alias bombs of every width 2-20 and depth 1-20": len(ALIAS_SHAPES),
}


def test_every_class_is_counted():
    assert sum(HOSTILE_CLASSES.values()) >= 3800


def test_the_fuzz_classes_ran_what_they_claim():
    """Count the cases each fuzz class ran (running it here when this session did not), not its setting."""
    for name, (test, examples) in FUZZ_CLASSES.items():
        if not RAN[name]:
            test()
        assert RAN[name] >= examples, (name, RAN[name], examples)
