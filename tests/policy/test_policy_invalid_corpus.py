"""Every document under ``invalid/`` is refused with exactly the errors its ``# expect:`` lines name."""

from pathlib import Path

import pytest
from dunning_policy.loader import load_policy

CORPUS = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))


def expected_errors(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 45


@pytest.mark.parametrize("path", CORPUS, ids=[path.stem for path in CORPUS])
def test_invalid_document_reports_expected_errors(path):
    expected = expected_errors(path)
    assert expected, f"{path.name} has no '# expect:' line"
    result = load_policy(path.read_text(encoding="utf-8"))
    reported = [str(error) for error in result.errors]
    assert result.spec is None
    for message in expected:
        assert message in reported, f"{message!r} not in {reported!r}"
    assert len(reported) == len(expected), reported
