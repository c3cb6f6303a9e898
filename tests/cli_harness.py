"""Running the `releasekit` command in-process, for the CLI tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs
import pendulum
import pytest

from releasekit._interfaces.cli import ENVIRONMENT, main

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


#: The instant every command runs at unless a test gives its own ``--now``: Thursday
#: 26 November 2026, 10:00 UTC (production closed, the tests environment free).
NOW = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")


@attrs.frozen
class Ran:
    """What one command line did."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:  # whatever document the command printed
        """What the command printed, read as JSON."""
        return json.loads(self.out)


@pytest.fixture(name="db")
def fixture_db(tmp_path: Path) -> Path:
    """Where the command's SQLite store lives."""
    return tmp_path / "releases.db"


@pytest.fixture(name="cli")
def fixture_cli(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Ran]:
    """Run `releasekit --db <tmp>/releases.db ARGS` in a clean directory and environment.

    Every command runs at :data:`NOW` unless its arguments say ``--now``: no test
    reads the real clock by accident.
    """
    monkeypatch.chdir(tmp_path)
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)

    def run(*argv: str) -> Ran:
        given = any(arg == "--now" or arg.startswith("--now=") for arg in argv)
        now = () if given else ("--now", NOW.isoformat())
        code = main(["--db", str(db), *now, *argv])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def ok(ran: Ran) -> Ran:
    """Check a command succeeded and pass it through."""
    assert (0, "") == (ran.code, ran.err), ran.out
    return ran
