"""Short valid examples of a policy, one per section (``<section>.yaml``) and a whole one (``policy.yaml``).

A policy's problems are shown with the example of the section of the first
problem; the pure tests load each one and use them as their small policies.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
WHOLE = "policy"


def example_names():
    """The sections that have an example, and ``policy`` for the whole document."""
    return sorted(path.stem for path in FOLDER.glob("*.yaml"))


def example(name):
    """The text of ``<name>.yaml``, without its final newline (``KeyError`` when there is none)."""
    path = FOLDER / f"{name}.yaml"
    if name not in example_names():
        raise KeyError(name)
    return path.read_text(encoding="utf-8").removesuffix("\n")


def example_of(section):
    """The example of ``section``, else the whole policy's."""
    return example(section) if section in example_names() else example(WHOLE)
