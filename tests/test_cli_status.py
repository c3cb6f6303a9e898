"""`releasekit status`: active releases by default, a page at a time, explained at one instant."""

from __future__ import annotations

import itertools
import json
import shlex
import sqlite3
from typing import TYPE_CHECKING

import pendulum
import pytest

import builders
import hostile
import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from releasekit import executors, testing
from releasekit._interfaces.cli import ExitCode, main

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

#: Friday morning, and Saturday a moment before the production window closes at noon.
MORNING = pendulum.datetime(2026, 11, 27, 9, 0, tz="UTC")
BEFORE_NOON = pendulum.datetime(2026, 11, 28, 11, 59, 30, tz="UTC")
#: Release ids as teams write them: capitals, dashes, dots, underscores, a quote and a
#: dollar sign the next page's command line must quote for the shell; in no order.
IDS = ("rc-2", "RC-10", "2.4.0", "Z_1", "a-B.3", "2.10.0", "hotfix-Jan", "B", "it's-$HOME")
#: The keys of each release `status --json` lists, in order.
SUMMARY_KEYS = [
    "id",
    "version",
    "kind",
    "state",
    "revision",
    "created_at",
    "created_by",
    "last_moved_at",
    "finished_at",
    "step_in_flight",
    "next",
    "allowed",
    "blocker_codes",
    "problem",
]


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    """The desk's clock, fixed on Friday morning."""
    return rk.FixedClock(MORNING)


@pytest.fixture(name="desk")
def fixture_desk(db: Path, clock: rk.FixedClock) -> Iterator[rk.Desk]:
    """A desk on the command's store."""
    with rk.stores.SqliteStore(db) as store:
        yield rk.Desk(
            rk.reference_policy(), store=store, executors=executors.dry_run(), clock=clock
        )


def start(desk: rk.Desk, *ids: str) -> None:
    """Start a release under each of *ids*, by anton."""
    for release_id in ids:
        desk.start("1.0.0", by="anton", release_id=release_id)


def listed(cli: Callable[..., Ran], *argv: str) -> list[str]:
    """The ids in the table `status ARGV` prints."""
    lines = ok(cli("--now", "2026-11-27T10:00Z", "status", *argv)).out.splitlines()
    return [line.split()[0] for line in lines[1:] if not line.startswith("more: ")]


def test_status_lists_the_active_releases_only(cli: Callable[..., Ran], desk: rk.Desk) -> None:
    """A release abandoned or at the end of its flow is not listed, unless with --all."""
    start(desk, "r1", "r2", "r3")
    desk.abandon("r2", by="anton", reason="replaced by r3")
    testing.walk_to(desk, "r3", "production")

    assert (["r1"], ["r1", "r2", "r3"]) == (listed(cli), listed(cli, "--all"))


def test_status_says_when_no_release_is_active(cli: Callable[..., Ran], desk: rk.Desk) -> None:
    """Only finished releases: no table, but the command that lists them."""
    start(desk, "r1")
    desk.abandon("r1", by="anton")

    ran = ok(cli("--json", "status"))
    text = ok(cli("status")).out

    assert ([], None) == (ran.json["releases"], ran.json["next_after"])
    assert "no active releases in " in text
    assert "`releasekit status --all` lists the finished ones" in text


def test_pages_follow_each_other_in_id_order_whatever_the_ids(
    cli: Callable[..., Ran], desk: rk.Desk
) -> None:
    """Following each page's `more:` line lists every release once, in byte order of the ids."""
    start(desk, *IDS)

    seen: list[str] = []
    argv = ["status", "--limit", "3"]
    pages = 0
    while argv:
        out = ok(cli("--now", "2026-11-27T10:00Z", *argv)).out.splitlines()
        more = [line.removeprefix("more: ") for line in out if line.startswith("more: ")]
        seen.extend(line.split()[0] for line in out[1:] if not line.startswith("more: "))
        argv = shlex.split(more[0])[1:] if more else []
        pages += 1

    assert (sorted(IDS, key=str.encode), 3) == (seen, pages)


def test_json_pages_carry_the_next_cursor(cli: Callable[..., Ran], desk: rk.Desk) -> None:
    """`next_after` is the last id of a full page with more after it, null on the last page."""
    start(desk, *IDS)
    ordered = sorted(IDS, key=str.encode)

    first = ok(cli("--json", "status", "--limit", "5")).json
    second = ok(cli("--json", "status", "--limit", "5", f"--after={first['next_after']}")).json

    assert (ordered[:5], ordered[4]) == ([r["id"] for r in first["releases"]], first["next_after"])
    assert (ordered[5:], None) == ([r["id"] for r in second["releases"]], second["next_after"])


def test_the_next_page_of_all_releases_keeps_all(cli: Callable[..., Ran], desk: rk.Desk) -> None:
    """The `more:` line repeats --all and --limit, and names the cursor with --after=."""
    start(desk, "A-1", "a-2")
    desk.abandon("A-1", by="anton")

    out = ok(cli("status", "--all", "--limit", "1")).out

    assert "more: releasekit status --all --after=A-1 --limit=1" == out.splitlines()[-1]


def test_after_the_last_release_the_page_is_empty(cli: Callable[..., Ran], desk: rk.Desk) -> None:
    """A cursor past every id: nothing listed, no next page, exit 0."""
    start(desk, "r1")

    ran = ok(cli("status", "--after", "r1"))

    assert "no active releases after r1\n" == ran.out


def test_paging_options_are_refused_with_one_release(
    cli: Callable[..., Ran], desk: rk.Desk
) -> None:
    """`status RELEASE --all --limit 5`: exit 2, naming both options; nothing listed."""
    start(desk, "r1")

    ran = cli("--json", "status", "r1", "--all", "--limit", "5")

    assert (ExitCode.ERROR, "InvalidInputError") == (ran.code, ran.json["error"]["type"])
    assert (
        "releasekit: --all and --limit page through the list of releases; leave them out to "
        "show r1 alone\n" == ran.err
    )


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "ten"])
def test_a_limit_out_of_bounds_is_a_usage_error(cli: Callable[..., Ran], limit: str) -> None:
    """--limit takes a whole number from 1 to 1000."""
    ran = cli("--json", "status", f"--limit={limit}")

    assert (ExitCode.ERROR, "UsageError") == (ran.code, ran.json["error"]["type"])


def test_json_lists_each_release_with_the_same_keys(cli: Callable[..., Ran], desk: rk.Desk) -> None:
    """`status --json`: the instant, each release's summary in a fixed shape, the cursor."""
    start(desk, "r1")

    document = ok(cli("--json", "--now", "2026-11-27T10:00Z", "status")).json

    assert ["at", "releases", "next_after"] == list(document)
    assert {
        "id": "r1",
        "version": "1.0.0",
        "kind": "normal",
        "state": "sandbox-anton",
        "revision": 1,
        "created_at": "2026-11-27T09:00:00+00:00",
        "created_by": "anton",
        "last_moved_at": "2026-11-27T09:00:00+00:00",
        "finished_at": None,
        "step_in_flight": False,
        "next": "tests",
        "allowed": True,
        "blocker_codes": [],
        "problem": None,
    } == document["releases"][0]
    assert ("2026-11-27T10:00:00+00:00", None) == (document["at"], document["next_after"])


def test_every_release_is_explained_at_one_instant(
    db: Path,
    desk: rk.Desk,
    clock: rk.FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A clock that moves a minute on every read: both releases are judged at its first reading."""
    clock.set(builders.SATURDAY_OPENING)
    start(desk, "r1", "r2")
    for release_id in ("r1", "r2"):
        testing.walk_to(desk, release_id, "stage")
        release = desk.get(release_id).release
        desk.add_evidence(release_id, *builders.evidence_for(release, "production", clock.now()))
    ticks = itertools.count()
    monkeypatch.setattr(rk.SystemClock, "now", lambda _: BEFORE_NOON.add(minutes=next(ticks)))
    monkeypatch.chdir(db.parent)  # no policy file but the reference

    code = main(["--db", str(db), "--json", "status"], environ={})  # the system clock: no --now
    document = json.loads(capsys.readouterr().out)

    assert (ExitCode.OK, "2026-11-28T11:59:30+00:00", [True, True]) == (
        code,
        document["at"],
        [release["allowed"] for release in document["releases"]],
    )


def test_a_release_edited_by_hand_is_listed_as_unreadable(
    cli: Callable[..., Ran], db: Path, desk: rk.Desk
) -> None:
    """A version edited in the store: its row says why, escaped; the others are listed; exit 1."""
    start(desk, "2.4.0", "zz-last")
    hostile.forge(desk.store)
    hostile.forge_version(db)

    ran = cli("--now", "2026-11-27T10:00Z", "status")

    lines = ran.out.splitlines()
    assert (ExitCode.REFUSED, "") == (ran.code, ran.err)
    assert ["2.4.0", "forged", "zz-last"] == [line.split()[0] for line in lines[1:]]
    assert lines[2].startswith("forged   ?        ?       ?              cannot be read: ")
    assert "the stored state of forged does not match its history" in lines[2]
    assert "6.6.6" not in ran.out


def test_json_names_the_problem_of_an_unreadable_release(
    cli: Callable[..., Ran], db: Path, desk: rk.Desk
) -> None:
    """--json: the release's id and problem, every other field null; exit 1."""
    start(desk, "2.4.0")
    hostile.forge(desk.store)
    hostile.forge_version(db)

    ran = cli("--json", "status")

    forged = next(item for item in ran.json["releases"] if item["id"] == hostile.RELEASE_ID)
    assert (ExitCode.REFUSED, SUMMARY_KEYS) == (ran.code, list(forged))
    assert ("HistoryTamperedError", {None}) == (
        forged["problem"]["type"],
        {forged[key] for key in SUMMARY_KEYS[1:-2]},
    )
    assert (["2.4.0", "forged"], None) == (
        [item["id"] for item in ran.json["releases"]],
        ran.json["releases"][0]["problem"],
    )


def test_a_row_that_cannot_be_read_at_all_is_listed_and_the_rest_too(
    cli: Callable[..., Ran], db: Path, desk: rk.Desk
) -> None:
    """A kind no release has, written by hand into one row: the pages around it still list."""
    start(desk, "r1", "r2", "r3", "r4")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE releases SET kind = 'weird\x1b[2J' WHERE id = 'r2'")
    connection.close()

    ran = cli("--json", "status", "--limit", "3")

    assert (ExitCode.REFUSED, ["r1", "r2", "r3"], "r3") == (
        ran.code,
        [item["id"] for item in ran.json["releases"]],
        ran.json["next_after"],
    )
    problem = ran.json["releases"][1]["problem"]
    assert ("UnreadableDataError", True) == (
        problem["type"],
        "is no kind of release" in problem["message"],
    )
    assert "'weird\\x1b[2J'" in cli("status").out
