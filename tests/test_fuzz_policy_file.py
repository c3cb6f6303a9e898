"""Policy documents of every wrong shape: a Policy or a PolicyFileError, never anything else."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import example, given, settings

import releasekit as rk
from policy_documents import PEOPLE, REFERENCE, documents, write
from releasekit._interfaces import _cli_commands
from releasekit._interfaces.cli import build_parser

if TYPE_CHECKING:
    from collections.abc import Iterator


def outcome_of(text: str) -> tuple[str, ...] | None:
    """The problems loads_policy reports for *text*, or None if it builds a policy."""
    try:
        policy = rk.loads_policy(text, source="fuzzed.toml")
    except rk.exceptions.PolicyFileError as error:
        problems = error.problems
    else:
        assert isinstance(policy, rk.Policy)
        return None
    assert problems
    assert all(problem.strip() for problem in problems)
    return problems


def test_the_writer_writes_the_reference_policy_back() -> None:
    """The documents start from the reference policy, written back to TOML unchanged in meaning."""
    assert rk.reference_policy() == rk.loads_policy(write(REFERENCE))


def test_the_writer_writes_the_reference_policy_with_its_people_back() -> None:
    """Documents may start with a roster: written back, it is the reference policy's roster."""
    policy = rk.loads_policy(write({**REFERENCE, "people": PEOPLE}))

    assert policy.roster is not None
    assert ("anton", "maria", "ci", "data-operator") == policy.roster.names


def test_the_documents_are_toml() -> None:
    """A changed document is TOML (so the fuzz reaches beyond the TOML reader)."""
    text = write({"a": ['\x00\n"\\', {"k y": 1.5, "n": float("nan")}], "b": []})

    assert ['\x00\n"\\', {"k y": 1.5}] == [
        tomllib.loads(text)["a"][0],
        {"k y": tomllib.loads(text)["a"][1]["k y"]},
    ]


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """A folder for the documents `policy check` reads (one file, rewritten each time)."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


#: The command line, built once: building it costs more than checking a policy.
PARSER = build_parser()


def policy_check(*argv: str) -> tuple[int, str, str]:
    """Run `releasekit ARGV` as `main` does, in an empty environment: exit code, out, err."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _cli_commands.run(PARSER.parse_args(argv), environ={})
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=min(settings().max_examples, 100))
@given(text=documents())
@example(text=write(REFERENCE))
@example(text=write({**REFERENCE, "environments": "sandbox-anton"}))
def test_a_document_of_any_shape_is_a_policy_or_a_policy_file_error(
    folder: Path, text: str
) -> None:
    """loads_policy: a Policy or a PolicyFileError; `policy check --json`: 0 or 1, one document."""
    path = folder / "fuzzed.toml"
    path.write_text(text, encoding="utf-8")

    problems = outcome_of(text)
    code, out, err = policy_check("--json", "policy", "check", str(path))

    document = json.loads(out)  # exactly one JSON document, or this raises
    assert (0 if problems is None else 1, "") == (code, err)
    assert (problems is None, list(problems or ())) == (document["valid"], document["problems"])
