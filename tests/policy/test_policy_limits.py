"""Hostile documents are refused with one clean error (the node limit, not a clock, keeps them quick)."""

import pytest
from dunning_policy.loader import load_policy
from dunning_policy.yaml_source import MAX_BYTES, MAX_DEPTH, MAX_NODES


def refused(text):
    result = load_policy(text)
    assert result.spec is None
    assert len(result.errors) == 1, result.errors
    return str(result.errors[0])


def test_alias_bomb():
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    message = refused("\n".join(lines))
    assert message.startswith(f"the document expands to more than {MAX_NODES} values")


def test_self_referencing_alias():
    assert refused("a: &a [*a]") == f"the document nests deeper than {MAX_DEPTH} levels (line 1)"


def test_ten_megabyte_document():
    message = refused("description: " + "x" * (10 * 1024 * 1024))
    assert message == f"the document is {10 * 1024 * 1024 + 13} bytes; the limit is {MAX_BYTES} bytes (256 KiB)"


def test_ten_megabytes_of_bytes():
    assert refused(b"#" * (10 * 1024 * 1024)).startswith("the document is 10485760 bytes")


def test_multibyte_text_counts_bytes_not_characters():
    assert refused("# " + "é" * (MAX_BYTES // 2 + 1)).startswith("the document is")


@pytest.mark.parametrize("text", [
    "[" * 1000 + "]" * 1000,
    "{a: " * 1000 + "1" + "}" * 1000,
    "".join(" " * depth + "k:\n" for depth in range(500)),  # 1000 levels would pass the size limit first
    "".join(" " * depth + "- \n" for depth in range(500)),
], ids=["flow-lists", "flow-maps", "block-maps", "block-lists"])
def test_deep_nesting(text):
    assert refused(text).startswith(f"the document nests deeper than {MAX_DEPTH} levels")


@pytest.mark.parametrize("tag", [
    "!!python/object:os.system",
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
    "!!python/module:os",
])
def test_python_tags(tag):
    message = refused(f"version: 1\ndescription: {tag} ['echo hi']\n")
    assert message == f"description: the tag '{tag}' is not allowed; write plain YAML values (line 2)"


def test_python_tag_on_a_mapping():
    message = refused("!!python/object:collections.OrderedDict {version: 1}")
    tag = "!!python/object:collections.OrderedDict"
    assert message == f"the tag '{tag}' is not allowed; write plain YAML values (line 1)"


def test_a_document_just_under_the_limit_is_read():
    text = "version: 1\n" + "#" * (MAX_BYTES - 100) + "\n"
    errors = [str(error) for error in load_policy(text).errors]
    assert errors == ["missing required key 'journeys' (line 1)", "missing required key 'segments' (line 1)"]
