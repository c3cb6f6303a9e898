"""What `releasekit windows` and `plan` say about freezes and the timeline."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here

if TYPE_CHECKING:
    from collections.abc import Callable

HOLIDAYS = Path(__file__).parent / "data" / "uk-holidays.ics"

POLICY = """\
[windows.production]
timezone = "UTC"
spans = [{ days = ["Sat", "Sun"], start = "09:00", end = "12:00" }]

[[environments]]
name = "dev"

[[environments]]
name = "live"
gate = [{ type = "window", window = "production" }]

[[freezes]]
name = "christmas"
reason = "the office is closed"
timezone = "Europe/London"
yearly = [{ first = "12-24", last = "12-26" }]

[[freezes]]
name = "bank-holidays"
reason = "nobody is on call"
timezone = "Europe/London"
ics = "uk-holidays.ics"

[[flows]]
kind = "normal"
path = ["dev", "live"]

[[flows]]
kind = "hotfix"
path = ["dev", "live"]
lifts = ["production-window", "christmas-freeze"]
"""


def policy_file(tmp_path: Path) -> str:
    shutil.copy(HOLIDAYS, tmp_path / "uk-holidays.ics")
    path = tmp_path / "releasekit.toml"
    path.write_text(POLICY, encoding="utf-8")
    return str(path)


def test_windows_shows_the_openings_a_freeze_removes(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """Boxing Day's opening is marked frozen by christmas-freeze, with its reason."""
    ran = ok(cli("--policy", policy_file(tmp_path), "--now", "2026-12-20T10:00Z", "windows"))

    assert (
        "    frozen Sat 2026-12-26 09:00 UTC to Sat 2026-12-26 12:00 UTC by christmas-freeze "
        "(the office is closed)"
    ) in ran.out.splitlines()
    assert "bank-holidays-freeze: nobody is on call — the events of uk-holidays.ics " in ran.out


def test_windows_json_lists_freezes_and_the_earliest_time_per_kind(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """--json names each freeze's periods, whom it spares, and when each kind may go."""
    document = ok(
        cli("--policy", policy_file(tmp_path), "--json", "--now", "2026-12-26T10:00Z", "windows")
    ).json

    christmas = document["freezes"][0]
    assert (["normal"], ["hotfix"], "2026-12-27T00:00:00+00:00") == (
        christmas["applies_to"],
        christmas["lifted_for"],
        christmas["periods"][0]["end"],
    )
    assert {"normal": "2026-12-27T09:00:00+00:00", "hotfix": "2026-12-26T10:00:00+00:00"} == (
        document["earliest"]
    )


def test_plan_json_carries_the_timeline(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """plan --json gives each step's arrival, what it waits for and what it owes."""
    policy = policy_file(tmp_path)
    ok(cli("--policy", policy, "--actor", "ann", "--now", "2026-12-24T10:00Z", "start", "1.0.0"))

    document = ok(
        cli("--policy", policy, "--json", "--now", "2026-12-24T10:00Z", "plan", "1.0.0")
    ).json

    step = document["steps"][0]
    assert (
        "2026-12-24T10:00:00+00:00",
        "2026-12-27T09:00:00+00:00",
        ["closed", "frozen", "closed"],
        [],
    ) == (step["arrives"], step["earliest"], [w["reason"] for w in step["waits"]], step["owed"])
