"""The CLI tests' harness runs every command at one fixed instant unless a test says otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cli_harness import NOW, Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here

if TYPE_CHECKING:
    from collections.abc import Callable


def test_a_command_without_now_runs_at_the_harness_instant(cli: Callable[..., Ran]) -> None:
    """Started and explained with no `--now`: both at the harness's Thursday morning."""
    ok(cli("--json", "--actor", "anton", "start", "2.4.0", "--id", "r1"))

    explained = cli("--json", "explain", "r1").json  # blocked: tests are owed

    assert NOW.isoformat() == explained["at"]


@pytest.mark.parametrize("spelling", [("--now", "2026-11-27T18:00Z"), ("--now=2026-11-27T18:00Z",)])
def test_a_test_s_own_now_wins(cli: Callable[..., Ran], spelling: tuple[str, ...]) -> None:
    """`--now X` and `--now=X`, before the command: that instant, not the harness's."""
    ok(cli("--json", "--actor", "anton", "start", "2.4.0", "--id", "r1"))

    explained = cli(*spelling, "--json", "explain", "r1").json

    assert "2026-11-27T18:00:00+00:00" == explained["at"]
