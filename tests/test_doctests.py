"""The examples in docstrings run and show what they claim."""

import doctest
import importlib
import pkgutil

import pytest

import releasekit

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(releasekit.__path__, prefix="releasekit.")
    if "postgres" not in info.name
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    """Every >>> example in the module's docstrings gives the output it shows."""
    module = importlib.import_module(name)

    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)

    assert 0 == failed


def test_some_modules_have_examples() -> None:
    """The doctest run above is not vacuous."""
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
    )

    assert examples >= 5
