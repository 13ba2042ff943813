"""The examples of the policy package (``policy/examples/*.yaml``) are valid policies or sections."""

import pytest
import yaml
from dunning_policy.examples import WHOLE, example, example_names, example_of
from dunning_policy.loader import load_policy

SECTIONS = [name for name in example_names() if name != WHOLE]


def test_there_is_a_whole_example_and_one_per_section_a_problem_can_name():
    assert WHOLE in example_names()
    assert set(SECTIONS) == {"segments", "delay_reasons", "journeys", "fallback", "satisfaction", "payment_terms"}


def test_the_whole_example_loads_cleanly():
    result = load_policy(example(WHOLE))
    assert result.errors == [], "\n".join(map(str, result.errors))


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_example_is_that_section_alone(section):
    assert list(yaml.safe_load(example(section))) == [section]


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_example_loads_cleanly_in_the_whole_example(section):
    document = yaml.safe_load(example(WHOLE))
    for name in SECTIONS:  # the sections name each other (the journey names the segments), so all of them together
        document.update(yaml.safe_load(example(name)))
    document.update(yaml.safe_load(example(section)))
    result = load_policy(yaml.safe_dump(document, sort_keys=False))
    assert result.errors == [], "\n".join(map(str, result.errors))
    assert getattr(result.spec, section)


def test_a_section_without_an_example_gets_the_whole_one():
    assert example_of("charges") == example(WHOLE)
    assert example_of("journeys") == example("journeys")
    with pytest.raises(KeyError):
        example("no_such_section")
