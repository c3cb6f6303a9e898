"""The environment operations of `releasekit`: logs, monitoring, rollback and data, via main()."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sqlite3
from typing import TYPE_CHECKING

import pendulum
import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from fake_dt import write_fake_dt
from releasekit._actions.data import fingerprint
from releasekit._interfaces.cli import ExitCode
from releasekit.testing import walk_to

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
TEN = "2026-11-27T10:00Z"
ELEVEN = "2026-11-27T11:00Z"
NOON = "2026-11-27T12:00Z"
HALF_PAST_TWELVE = "2026-11-27T12:30Z"
ALL = ["sandbox-anton", "tests", "sandbox", "stage", "production"]
ARGUMENTS = ["AAPL", "2026-11-26", "187.20; rm -rf /"]


@pytest.fixture(name="fake_dt")
def fixture_fake_dt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake dt as tmp_path/dt; each call's arguments are appended to tmp_path/argv.jsonl."""
    monkeypatch.setenv("FAKE_DT_ARGV", str(tmp_path / "argv.jsonl"))
    return write_fake_dt(tmp_path)


def calls(fake_dt: Path) -> list[list[str]]:
    """The argument lists the fake dt was called with, in order."""
    recorded = fake_dt.parent / "argv.jsonl"
    if not recorded.exists():
        return []
    return [json.loads(line) for line in recorded.read_text(encoding="utf-8").splitlines()]


def streamed(ran: Ran) -> Ran:
    """Check a command that ran dt succeeded, dt's output streamed to stderr, and pass it on."""
    assert (ExitCode.OK, True) == (
        ran.code,
        all(line.startswith("  | ") for line in ran.err.splitlines()),
    ), ran.err
    return ran


def act(cli: Callable[..., Ran], actor: str, now: str, *argv: str) -> Ran:
    """Run a command as *actor* at *now*, and check it succeeded."""
    return ok(cli("--actor", actor, "--now", now, *argv))


def in_production(db: Path, *versions: str, minutes: int = 60) -> None:
    """Hotfixes of *versions* in production, the first from 10:00, then every *minutes*."""
    clock = rk.FixedClock(FRIDAY)
    with rk.Desk.open(store=db, clock=clock) as desk:
        for version in versions:
            release = desk.start(version, by="anton", kind="hotfix")
            walk_to(desk, release, "production", every=dt.timedelta(0), through_executors=True)
            clock.advance(minutes=minutes)


def in_sandbox(db: Path) -> None:
    """A normal release 2.4.0 in sandbox since 10:00, signed off, waiting for its log review."""
    with rk.Desk.open(store=db, clock=rk.FixedClock(FRIDAY)) as desk:
        release = desk.start("2.4.0", by="anton")
        walk_to(desk, release, "sandbox", every=dt.timedelta(0), through_executors=True)
        desk.add_evidence(release.id, rk.SignOff(by="maria", at=FRIDAY, environment="sandbox"))


def blocker_codes(cli: Callable[..., Ran], now: str) -> list[str]:
    """The codes of what blocks 2.4.0's next step at *now*."""
    explained = cli("--now", now, "--json", "explain", "2.4.0").json
    return [blocker["code"] for blocker in explained["blockers"]]


# -- logs ---------------------------------------------------------------------------


def test_logs_collects_every_environment_through_dt(
    cli: Callable[..., Ran], fake_dt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`logs` runs `dt logs ENV --since ISO` for each environment; each line is an error."""
    monkeypatch.setenv("FAKE_DT_LINES", "2")

    ran = streamed(cli("--now", TEN, "--executors", "dt", "--dt", str(fake_dt), "logs"))

    assert [["logs", name, "--since", "2026-11-26T10:00:00+00:00"] for name in ALL] == calls(
        fake_dt
    )
    lines = ran.out.splitlines()
    assert (
        "Error logs since Thu 2026-11-26 10:00 UTC (collected Fri 2026-11-27 10:00 UTC)",
        "5 environments: 0 clean, 5 with errors, 0 not collected completely; 10 errors in all",
        "production: 2 errors",
        "    dt line 1: logs production --since 2026-11-26T10:00:00+00:00",
    ) == (lines[0], lines[1], lines[-3], lines[-2])


def test_logs_of_a_release_start_at_its_last_move(cli: Callable[..., Ran], db: Path) -> None:
    """`logs RELEASE --json` reads since the release reached where it is; the dry run finds none."""
    in_sandbox(db)

    document = ok(cli("--now", ELEVEN, "--json", "logs", "2.4.0")).json

    assert {
        "environments": ALL,
        "since": "2026-11-27T10:00:00+00:00",
        "collected_at": "2026-11-27T11:00:00+00:00",
        "release_id": "2.4.0",
        "gaps": [],
        "covered": ALL,
        "uncovered": [],
        "error_count": 0,
        "complete": True,
        "clean": True,
    } == {key: value for key, value in document.items() if key != "batches"}
    assert {
        "environment": "production",
        "since": "2026-11-27T10:00:00+00:00",
        "entries": [],
        "error_count": 0,
        "complete": True,
        "outcome": {
            "status": "succeeded",
            "summary": "dry run: would collect the logs of production since "
            "2026-11-27T10:00:00+00:00",
            "exit_code": None,
            "signal": None,
            "output": "",
            "duration": 0.0,
            "command": [],
            "timeout": None,
        },
    } == document["batches"][-1]


def test_logs_since_an_instant(cli: Callable[..., Ran]) -> None:
    """`--since ISO` sets where the report begins."""
    document = ok(cli("--now", TEN, "--json", "logs", "--since", "2026-11-27T09:30+01:00")).json

    assert ("2026-11-27T08:30:00+00:00", None) == (document["since"], document["release_id"])


def test_logs_of_an_unknown_release_is_an_error(cli: Callable[..., Ran]) -> None:
    """A release that does not exist: exit 2."""
    assert ExitCode.ERROR == cli("logs", "nope").code


def test_a_saved_report_is_what_review_logs_records(
    cli: Callable[..., Ran], db: Path, tmp_path: Path
) -> None:
    """`logs --save FILE`, then `review-logs --report FILE`: the review holds for that report."""
    in_sandbox(db)
    saved = act(cli, "ivan", ELEVEN, "logs", "2.4.0", "--save", "logs.json")

    ran = act(
        cli, "ivan", NOON, "--json", "review-logs", "2.4.0", "--report", "logs.json",
        "--verdict", "clean", "--note", "all quiet",
    )  # fmt: skip

    assert saved.out.endswith(
        "saved to logs.json; once read, record your verdict with\n"
        "  releasekit review-logs 2.4.0 --report logs.json --verdict clean|problems\n"
    )
    assert json.loads((tmp_path / "logs.json").read_text()) == ran.json["report"]
    assert {
        "type": "log-review",
        "by": "ivan",
        "at": "2026-11-27T11:00:00+00:00",
        "environments": sorted(ALL),
        "verdict": "clean",
        "note": "all quiet",
    } == ran.json["recorded"][0]
    assert [] == blocker_codes(cli, NOON)


def test_review_logs_collects_shows_and_records_in_one_go(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Without --report the logs are collected now, shown, and the verdict recorded."""
    in_sandbox(db)

    ran = act(cli, "ivan", ELEVEN, "review-logs", "2.4.0", "--verdict", "clean")

    lines = ran.out.splitlines()
    assert lines[0].startswith("Error logs since Fri 2026-11-27 10:00 UTC for release 2.4.0")
    assert [
        (
            "recorded for 2.4.0: Fri 2026-11-27 11:00 UTC  log-review of production, sandbox, "
            "sandbox-anton, stage, tests: clean (by ivan)"
        ),
        "next: sandbox -> stage: allowed now",
    ] == lines[-2:]


def test_a_review_finding_problems_keeps_stage_closed(cli: Callable[..., Ran], db: Path) -> None:
    """`--verdict problems` is recorded, and the logs-reviewed guard blocks on it."""
    in_sandbox(db)

    document = act(
        cli, "ivan", ELEVEN, "--json", "review-logs", "2.4.0", "--verdict", "problems"
    ).json

    assert ("problems", ["logs-reviewed"]) == (
        document["recorded"][0]["verdict"],
        blocker_codes(cli, ELEVEN),
    )


def test_a_review_names_the_environments_it_does_not_cover(
    cli: Callable[..., Ran], db: Path, tmp_path: Path
) -> None:
    """A saved report whose production logs are missing covers the other four only."""
    in_sandbox(db)
    document = act(cli, "ivan", ELEVEN, "--json", "logs", "2.4.0").json
    document["batches"] = document["batches"][:-1]
    document["gaps"] = [{"environment": "production", "reason": "dt logs: permission denied"}]
    (tmp_path / "partial.json").write_text(json.dumps(document))

    ran = act(
        cli,
        "ivan",
        ELEVEN,
        "review-logs",
        "2.4.0",
        "--report",
        "partial.json",
        "--verdict",
        "clean",
    )

    assert (
        "  not covered, their logs were not collected completely: production\n"
        "next: sandbox -> stage: blocked (1); `releasekit explain 2.4.0`\n"
    ) == ran.out.split("(by ivan)\n")[1]


def test_review_logs_reads_a_report_from_standard_input(
    cli: Callable[..., Ran], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--report -` reads the saved report from standard input."""
    in_sandbox(db)
    saved = act(cli, "ivan", ELEVEN, "--json", "logs", "2.4.0").out
    monkeypatch.setattr("sys.stdin", io.StringIO(saved))

    act(cli, "ivan", ELEVEN, "review-logs", "2.4.0", "--report", "-", "--verdict", "clean")

    assert [] == blocker_codes(cli, ELEVEN)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read the log report report.json (No such file or directory)"),
        ("not json", "the log report in report.json is not JSON"),
        (
            '{"since": "friday"}',
            (
                "report.json holds no log report saved by `releasekit logs --save` (required field "
                "missing @ $.environments; 'friday' is not an ISO 8601 date and time @ $.since; "
                "required field missing @ $.collected_at)"
            ),
        ),
        (
            b"\x89PNG\r\n\x1a\n\xff",
            "cannot read the log report report.json (it is not UTF-8 text: byte 0 is not)",
        ),
        ("[" * 100_000 + "]" * 100_000, "report.json is not JSON (it is nested too deeply)"),
    ],
    ids=["missing", "not-json", "not-a-report", "binary", "nested-too-deeply"],
)
def test_review_logs_refuses_what_is_no_saved_report(
    cli: Callable[..., Ran], db: Path, tmp_path: Path, content: str | bytes | None, expected: str
) -> None:
    """A missing, binary or endlessly nested file, or JSON that is no report: exit 2, no record."""
    in_sandbox(db)
    if isinstance(content, bytes):
        (tmp_path / "report.json").write_bytes(content)
    elif content is not None:
        (tmp_path / "report.json").write_text(content)

    before = ok(cli("--json", "history", "2.4.0")).json["events"]

    ran = cli(
        "--actor", "ivan", "review-logs", "2.4.0", "--report", "report.json", "--verdict", "clean"
    )

    assert (ExitCode.ERROR, True) == (ran.code, expected in ran.err)
    assert before == ok(cli("--json", "history", "2.4.0")).json["events"]


def test_review_logs_refuses_a_report_that_never_ends(cli: Callable[..., Ran], db: Path) -> None:
    """`--report /dev/zero`: refused after 16 MiB, instead of reading forever."""
    in_sandbox(db)

    ran = cli("review-logs", "2.4.0", "--report", "/dev/zero", "--verdict", "clean")

    assert (
        ExitCode.ERROR,
        (
            "releasekit: cannot read the log report /dev/zero (it is larger than 16 MiB); "
            "save one with `releasekit logs RELEASE --save FILE`\n"
        ),
    ) == (ran.code, ran.err)


def test_review_logs_refuses_a_report_of_another_release(cli: Callable[..., Ran], db: Path) -> None:
    """A report collected for 2.5.0 is not a review of 2.4.0."""
    in_sandbox(db)
    act(cli, "anton", TEN, "start", "2.5.0")
    act(cli, "ivan", ELEVEN, "logs", "2.5.0", "--save", "other.json")

    ran = cli(
        "--actor", "ivan", "review-logs", "2.4.0", "--report", "other.json", "--verdict", "clean"
    )

    assert (ExitCode.ERROR, True) == (
        ran.code,
        "collected for release 2.5.0, not 2.4.0" in ran.err,
    )


def test_review_logs_needs_a_verdict(cli: Callable[..., Ran]) -> None:
    """The reviewer must say clean or problems: a usage error otherwise."""
    assert ExitCode.ERROR == cli("review-logs", "2.4.0").code


def test_logs_save_to_a_name_holding_a_nul_is_an_error(cli: Callable[..., Ran]) -> None:
    """A file name no system can hold: exit 2 and a sentence, not a traceback."""
    ran = cli("logs", "--save", "a\x00b.json")

    assert (
        ExitCode.ERROR,
        "releasekit: cannot write a\\x00b.json (embedded null byte); choose a file you may write\n",
    ) == (ran.code, ran.err)


def test_logs_save_to_a_folder_that_does_not_exist_is_an_error(cli: Callable[..., Ran]) -> None:
    """A report that cannot be saved: exit 2, the file named."""
    ran = cli("logs", "--save", "no/such/folder/logs.json")

    assert (ExitCode.ERROR, True) == (ran.code, "cannot write no/such/folder/logs.json" in ran.err)


# -- production monitoring --------------------------------------------------------------


def test_monitoring_lists_the_checks_and_what_to_run(cli: Callable[..., Ran], db: Path) -> None:
    """Two and a half hours after the deployment: one check overdue, one due, one upcoming."""
    in_production(db, "2.4.0")

    ran = ok(cli("--now", HALF_PAST_TWELVE, "monitoring", "2.4.0"))

    assert [
        "2.4.0 runs in production since Fri 2026-11-27 10:00 UTC",
        "its logs are checked every 60 min; last: never",
        "  DUE                       STATUS    CHECKED",
        "  Fri 2026-11-27 11:00 UTC  overdue",
        "  Fri 2026-11-27 12:00 UTC  due",
        "  Fri 2026-11-27 13:00 UTC  upcoming",
        "2 checks are due: releasekit check-production 2.4.0",
    ] == ran.out.splitlines()


def test_monitoring_json_shape(cli: Callable[..., Ran], db: Path) -> None:
    """`monitoring --json`: the schedule, durations in seconds, the release's attention items."""
    in_production(db, "2.4.0")
    act(cli, "log-monitor", "2026-11-27T11:10Z", "check-production")

    document = ok(cli("--now", HALF_PAST_TWELVE, "--json", "monitoring", "2.4.0")).json

    assert {
        "release_id": "2.4.0",
        "environment": "production",
        "every": 3600.0,
        "since": "2026-11-27T10:00:00+00:00",
        "until": None,
        "at": "2026-11-27T12:30:00+00:00",
        "last_checked_at": "2026-11-27T11:10:00+00:00",
        "up_to_date": False,
        "next_due": "2026-11-27T12:00:00+00:00",
        "earlier": 0,
        "earlier_overdue": 0,
        "checks": [
            {
                "due_at": "2026-11-27T11:00:00+00:00",
                "status": "done",
                "checked_at": "2026-11-27T11:10:00+00:00",
            },
            {"due_at": "2026-11-27T12:00:00+00:00", "status": "due", "checked_at": None},
            {"due_at": "2026-11-27T13:00:00+00:00", "status": "upcoming", "checked_at": None},
        ],
        "attention": [],
    } == document


def test_monitoring_lists_the_latest_checks_and_counts_the_earlier_ones(
    cli: Callable[..., Ran], db: Path
) -> None:
    """A release in production for a century unchecked: the last 100 checks, the rest counted."""
    in_production(db, "2.4.0")

    ran = ok(cli("--now", "2126-11-27T10:30Z", "monitoring", "2.4.0"))
    document = ok(cli("--now", "2126-11-27T10:30Z", "--json", "monitoring", "2.4.0")).json

    due = (100 * 365 + 24) * 24  # hourly for a century of 24 leap days (2100 is none)
    assert (
        f"  {due - 100} earlier checks are not listed; {due - 100} of them were missed"
        in ran.out.splitlines()
    )
    assert f"{due} checks are due: releasekit check-production 2.4.0" in ran.out.splitlines()
    assert (due - 100, due - 100, 101, "2026-11-27T11:00:00+00:00") == (
        document["earlier"],
        document["earlier_overdue"],
        len(document["checks"]),
        document["next_due"],
    )


def test_monitoring_of_a_replaced_release_has_no_checks_left(
    cli: Callable[..., Ran], db: Path
) -> None:
    """2.4.0, replaced by 2.5.0 at 10:30 before its first check fell due, called for none."""
    in_production(db, "2.4.0", "2.5.0", minutes=30)

    replaced = ok(cli("--now", NOON, "monitoring", "2.4.0"))

    assert [
        (
            "2.4.0 ran in production from Fri 2026-11-27 10:00 UTC until Fri 2026-11-27 10:30 UTC; "
            "no check is due any more"
        ),
        "its logs are checked every 60 min; last: never",
        "  no check fell due while it ran",
    ] == replaced.out.splitlines()


def test_monitoring_of_a_replaced_release_names_the_checks_it_missed(
    cli: Callable[..., Ran], db: Path
) -> None:
    """2.4.0, replaced at 11:00 when its first check fell due: missed, and nothing to run now."""
    in_production(db, "2.4.0", "2.5.0")

    ran = ok(cli("--now", NOON, "monitoring", "2.4.0"))

    assert [
        "  DUE                       STATUS   CHECKED",
        "  Fri 2026-11-27 11:00 UTC  overdue",
        "1 check was missed while it ran",
    ] == ran.out.splitlines()[2:]


def test_monitoring_of_a_release_not_in_production_is_an_error(cli: Callable[..., Ran]) -> None:
    """Its checks begin once it is deployed there: exit 2."""
    act(cli, "anton", TEN, "start", "2.4.0")

    ran = cli("monitoring", "2.4.0")

    assert (ExitCode.ERROR, True) == (ran.code, "has not reached production" in ran.err)


def test_check_production_checks_the_release_running_there(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Without RELEASE the running one is checked; clean logs exit 0."""
    in_production(db, "2.4.0", "2.5.0")

    ran = act(cli, "log-monitor", NOON, "check-production")

    assert (
        "logs of production since Fri 2026-11-27 11:00 UTC, 2.5.0 running: no errors\n" == ran.out
    )


def test_a_bad_check_notifies_raises_attention_and_exits_1(
    cli: Callable[..., Ran], db: Path, fake_dt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Errors from `dt logs`: the team is notified through dt, attention raised, exit 1."""
    in_production(db, "2.4.0")
    monkeypatch.setenv("FAKE_DT_LINES", "2")

    ran = cli(
        "--actor", "log-monitor", "--now", ELEVEN, "--executors", "dt", "--dt", str(fake_dt),
        "check-production", "2.4.0",
    )  # fmt: skip

    argv = calls(fake_dt)
    assert (ExitCode.REFUSED, ["logs", "production", "--since", "2026-11-27T10:00:00+00:00"]) == (
        ran.code,
        argv[0],
    )
    assert "notify" == argv[1][0]
    lines = ran.out.splitlines()
    assert lines[0].startswith(
        "logs of production since Fri 2026-11-27 10:00 UTC, 2.4.0 running: BAD: 2 errors in the "
        "logs since Fri 2026-11-27 10:00 UTC, the first: dt line 1: logs production"
    )
    assert lines[3].startswith("  notified the team: `")
    assert (
        "  needs attention: log-check:production; once dealt with: releasekit clear-attention "
        "2.4.0 log-check:production --reason ..."
    ) == lines[4]
    assert ["log-check:production"] == [
        item["key"] for item in ok(cli("--json", "status", "2.4.0")).json["release"]["attention"]
    ]


def test_a_bad_check_json_shape(
    cli: Callable[..., Ran], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check-production --json`: outcome bad, the problem, the batch, the notice, the key."""
    in_production(db, "2.4.0")
    monkeypatch.setenv("RELEASEKIT_EXECUTORS", "plugins")  # none installed: no log collector

    ran = cli("--actor", "log-monitor", "--now", ELEVEN, "--json", "check-production")

    document = ran.json
    assert ExitCode.REFUSED == ran.code
    assert {
        "outcome": "bad",
        "release_id": "2.4.0",
        "environment": "production",
        "since": "2026-11-27T10:00:00+00:00",
        "at": "2026-11-27T11:00:00+00:00",
        "by": "log-monitor",
        "problem": "the logs could not be collected: no executor is registered to collect-logs "
        "in production; register one with the executor registry or install a plug-in that "
        "provides it",
        "batch": None,
        "attention_key": "log-check:production",
    } == {key: document[key] for key in document if key not in {"notice", "release"}}
    assert ("failed", 1) == (document["notice"]["status"], len(document["release"]["attention"]))


def test_check_production_with_nothing_there_is_an_error(cli: Callable[..., Ran]) -> None:
    """Nothing runs in production yet: exit 2, saying so."""
    ran = cli("--actor", "log-monitor", "check-production")

    assert (
        ExitCode.ERROR,
        (
            "releasekit: nothing runs in production yet, so there are no logs of a release to "
            "check; promote a release to production first\n"
        ),
    ) == (ran.code, ran.err)


def test_clear_attention_records_what_was_done(
    cli: Callable[..., Ran], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a bad check, `clear-attention KEY --reason` empties the release's attention list."""
    in_production(db, "2.4.0")
    monkeypatch.setenv("RELEASEKIT_EXECUTORS", "plugins")
    cli("--actor", "log-monitor", "--now", ELEVEN, "check-production")
    monkeypatch.delenv("RELEASEKIT_EXECUTORS")

    ran = act(
        cli, "olga", NOON, "--json", "clear-attention", "2.4.0", "log-check:production",
        "--reason", "the log API was down; OPS-12",
    )  # fmt: skip

    assert ("cleared", "log-check:production", []) == (
        ran.json["outcome"],
        ran.json["key"],
        ran.json["release"]["attention"],
    )
    assert "attention-cleared" == ok(cli("--json", "history", "2.4.0")).json["events"][-1]["action"]


def test_clearing_an_item_that_is_not_raised_is_an_error(cli: Callable[..., Ran], db: Path) -> None:
    """No open item of that key: exit 2."""
    in_production(db, "2.4.0")

    ran = cli(
        "--actor", "olga", "clear-attention", "2.4.0", "log-check:production", "--reason", "x"
    )

    assert ExitCode.ERROR == ran.code


# -- deployments and rollback --------------------------------------------------------------


def test_deployments_of_an_empty_production(cli: Callable[..., Ran]) -> None:
    """Nothing deployed: a sentence, and null in JSON."""
    assert "nothing runs in production yet\n" == ok(cli("deployments")).out
    assert {
        "environment": "production",
        "running": None,
        "rollback_target": None,
        "deployments": [],
    } == ok(cli("--json", "deployments")).json


def test_deployments_say_what_runs_and_what_a_rollback_restores(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Two releases in production: the newer runs, a rollback goes back to the older."""
    in_production(db, "2.4.0", "2.5.0")

    ran = ok(cli("deployments"))

    assert [
        "production: 2.5.0 runs; a rollback goes back to 2.4.0",
        "RELEASE  VERSION  KIND    ENTERED                   UNTIL                     STATUS",
        (
            "2.4.0    2.4.0    hotfix  Fri 2026-11-27 10:00 UTC  Fri 2026-11-27 11:00 UTC  "
            "replaced by 2.5.0"
        ),
        "2.5.0    2.5.0    hotfix  Fri 2026-11-27 11:00 UTC                            running",
    ] == ran.out.splitlines()


def test_deployments_of_another_environment(cli: Callable[..., Ran], db: Path) -> None:
    """`--environment stage` lists stage's stays; an unknown environment is an error."""
    in_production(db, "2.4.0")

    document = ok(cli("--json", "deployments", "--environment", "stage")).json

    assert {
        "release_id": "2.4.0",
        "version": "2.4.0",
        "kind": "hotfix",
        "environment": "stage",
        "entered_at": "2026-11-27T10:00:00+00:00",
        "live_since": "2026-11-27T10:00:00+00:00",
        "until": None,
        "running": True,
        "replaced_by": None,
        "rolled_back_at": None,
    } == document["deployments"][0]
    assert ExitCode.ERROR == cli("deployments", "--environment", "moon").code


def test_roll_back_restores_the_previous_version(cli: Callable[..., Ran], db: Path) -> None:
    """`roll-back --reason` deploys 2.4.0 again; 2.5.0 is rolled back, and the JSON says so."""
    in_production(db, "2.4.0", "2.5.0")

    ran = act(
        cli, "olga", NOON, "--json", "roll-back", "--reason", "2.5.0 shows stale quotes",
        "--release", "2.5.0",
    )  # fmt: skip

    document = ran.json
    assert {
        "outcome": "rolled-back",
        "environment": "production",
        "at": "2026-11-27T12:00:00+00:00",
        "by": "olga",
        "reason": "2.5.0 shows stale quotes",
        "summary": "dry run: would roll production back from 2.5.0 to 2.4.0",
        "rolled_back": {"release_id": "2.5.0", "version": "2.5.0"},
        "restored": {"release_id": "2.4.0", "version": "2.4.0"},
    } == {key: value for key, value in document.items() if key != "release"}
    assert "rolled-back" == document["release"]["state"]
    assert ("2.4.0", None) == (
        ok(cli("--json", "deployments")).json["running"],
        ok(cli("--json", "deployments")).json["rollback_target"],
    )


def test_roll_back_text(cli: Callable[..., Ran], db: Path) -> None:
    """The text names both versions and what the deploy said."""
    in_production(db, "2.4.0", "2.5.0")

    ran = act(cli, "olga", NOON, "roll-back", "--reason", "stale quotes")

    assert (
        "rolled production back from 2.5.0 to 2.4.0: 2.4.0 runs there again, 2.5.0 is "
        "rolled-back\n  dry run: would roll production back from 2.5.0 to 2.4.0\n"
    ) == ran.out


def test_rolling_back_with_nothing_to_roll_back_to_is_refused(
    cli: Callable[..., Ran], db: Path
) -> None:
    """One release in production and nothing before it: exit 1, the error as JSON too."""
    in_production(db, "2.4.0")

    ran = cli("--actor", "olga", "--json", "roll-back", "--reason", "broken")

    assert ExitCode.REFUSED == ran.code
    assert {
        "type": "NothingToRollBackError",
        "exit_code": 1,
        "environment": "production",
        "current": "2.4.0",
    } == {key: ran.json["error"][key] for key in ("type", "exit_code", "environment", "current")}
    assert "fix it forward with a hotfix release instead" in ran.err


def test_rolling_back_a_release_that_does_not_run_there_is_an_error(
    cli: Callable[..., Ran], db: Path
) -> None:
    """`--release 2.4.0` while 2.5.0 runs: exit 2, nothing rolled back."""
    in_production(db, "2.4.0", "2.5.0")

    ran = cli("--actor", "olga", "roll-back", "--reason", "broken", "--release", "2.4.0")

    assert (ExitCode.ERROR, "2.5.0") == (
        ran.code,
        ok(cli("--json", "deployments")).json["running"],
    )


def test_a_rollback_needs_a_reason(cli: Callable[..., Ran]) -> None:
    """`roll-back` without --reason is a usage error."""
    assert ExitCode.ERROR == cli("--actor", "olga", "roll-back").code


def test_a_rollback_runs_dt_deploy_with_the_previous_version(
    cli: Callable[..., Ran], db: Path, fake_dt: Path
) -> None:
    """Through dt the rollback is `dt deploy production 2.4.0`."""
    in_production(db, "2.4.0", "2.5.0")

    streamed(
        cli(
            "--actor",
            "olga",
            "--executors",
            "dt",
            "--dt",
            str(fake_dt),
            "roll-back",
            "--reason",
            "x",
        )
    )

    assert [["deploy", "production", "2.4.0"]] == calls(fake_dt)


# -- data adjustments ----------------------------------------------------------------------------


def adjust(cli: Callable[..., Ran], *extra: str) -> Ran:
    """olga asks to fix yesterday's AAPL close in production at 10:00."""
    return act(
        cli, "olga", TEN, *extra, "data", "adjust", "production", "fix-close", *ARGUMENTS,
        "--reason", "IEX sent a wrong close",
    )  # fmt: skip


def verify(cli: Callable[..., Ran], *people: str) -> None:
    for person in people:
        act(cli, person, TEN, "data", "verify", "adjustment-1")


def test_data_adjust_requests_an_adjustment_and_says_what_comes_next(
    cli: Callable[..., Ran],
) -> None:
    """The request is shown with each argument quoted, its fingerprint and the verify command."""
    ran = adjust(cli)

    short = fingerprint("production", "fix-close", ARGUMENTS)[:12]
    assert [
        (
            "requested adjustment-1: fix-close AAPL 2026-11-26 '187.20; rm -rf /' in production, "
            "by olga"
        ),
        f"  fingerprint: {short}",
        (
            "  0 of 2 verifications; 2 more needed, by anyone but olga and data-operator: "
            f"releasekit data verify adjustment-1 --fingerprint {short}"
        ),
    ] == ran.out.splitlines()


def test_data_adjust_json_shape(cli: Callable[..., Ran]) -> None:
    """`data adjust --json`: the outcome and the operation, with the rule it runs under."""
    document = adjust(cli, "--json").json

    assert {
        "outcome": "requested",
        "operation": {
            "id": "adjustment-1",
            "kind": "adjustment",
            "environment": "production",
            "source": None,
            "operation": "fix-close",
            "arguments": ARGUMENTS,
            "fingerprint": fingerprint("production", "fix-close", ARGUMENTS),
            "description": "fix-close AAPL 2026-11-26 187.20; rm -rf / in production",
            "requested_by": "olga",
            "requested_at": "2026-11-27T10:00:00+00:00",
            "reason": "IEX sent a wrong close",
            "status": "requested",
            "verifications": [],
            "verifiers": [],
            "rule": {
                "operator": "data-operator",
                "min_verifications": 2,
                "max_verifications": 3,
                "tool": "dt",
            },
            "executed_by": None,
            "finished_at": None,
            "summary": "",
            "command": [],
        },
    } == document


@pytest.mark.parametrize(
    ("operation", "arguments", "field"),
    [
        ("fix-close", ["--force"], "arguments"),
        ("fix-close", ["AAPL", "-5"], "arguments"),
        ("--all", ["AAPL"], "operation"),
        ("fix-close", ["AAPL\n2.4.1 production done"], "arguments"),
    ],
)
def test_arguments_and_operations_that_dt_would_read_as_options_are_refused(
    cli: Callable[..., Ran], operation: str, arguments: list[str], field: str
) -> None:
    """Even after `--`, an operation or argument starting with '-' is refused: exit 2, no trace."""
    ran = cli(
        "--actor", "olga", "--now", TEN, "--json", "data", "adjust", "--reason", "r",
        "--", "production", operation, *arguments,
    )  # fmt: skip

    assert (ExitCode.ERROR, field, {"operations": []}) == (
        ran.code,
        ran.json["error"]["field"],
        ok(cli("--json", "data", "list")).json,
    )


def test_adjusting_an_environment_without_an_adjustment_rule_is_refused(
    cli: Callable[..., Ran],
) -> None:
    """Stage accepts no adjustment by hand: exit 1, reason not-adjustable."""
    ran = cli("--actor", "olga", "--json", "data", "adjust", "stage", "fix", "--reason", "r")

    assert (ExitCode.REFUSED, "not-adjustable", "stage") == (
        ran.code,
        ran.json["error"]["reason"],
        ran.json["error"]["environment"],
    )


@pytest.mark.parametrize(
    ("actor", "reason"),
    [("olga", "requester-verifies"), ("data-operator", "operator-verifies")],
)
def test_neither_the_requester_nor_the_operator_may_verify(
    cli: Callable[..., Ran], actor: str, reason: str
) -> None:
    """Verifying your own request, or one you will run: exit 1 with the reason."""
    adjust(cli)

    ran = cli("--actor", actor, "--json", "data", "verify", "adjustment-1")

    assert (ExitCode.REFUSED, reason, "adjustment-1", actor) == (
        ran.code,
        ran.json["error"]["reason"],
        ran.json["error"]["operation_id"],
        ran.json["error"]["actor"],
    )


@pytest.mark.parametrize("again", ["IVAN", " ivan ", "Ivan\u00a0"])
def test_one_person_verifies_once_however_the_name_is_typed(
    cli: Callable[..., Ran], again: str
) -> None:
    """`--actor IVAN` after ivan verified: exit 1, already-verified; still one verifier."""
    adjust(cli)
    verify(cli, "ivan")

    ran = cli("--actor", again, "--json", "data", "verify", "adjustment-1")

    assert (ExitCode.REFUSED, "already-verified", "ivan") == (
        ran.code,
        ran.json["error"]["reason"],
        ran.json["error"]["actor"],
    )
    shown = ok(cli("--json", "data", "show", "adjustment-1")).json["operation"]
    assert ["ivan"] == shown["verifiers"]


def test_the_requester_in_capitals_may_not_verify(cli: Callable[..., Ran]) -> None:
    """olga asked; `--actor OLGA` verifying is olga verifying her own request: exit 1."""
    adjust(cli)

    ran = cli("--actor", "OLGA", "--json", "data", "verify", "adjustment-1")

    assert (ExitCode.REFUSED, "requester-verifies", "olga") == (
        ran.code,
        ran.json["error"]["reason"],
        ran.json["error"]["actor"],
    )


@pytest.mark.parametrize("actor", ["", "  ", "a\nb", "iv\u200ban", "\x1b[2Jivan"])
def test_an_actor_who_is_no_one_is_a_usage_error(cli: Callable[..., Ran], actor: str) -> None:
    """`--actor ''` or a name with a control character: exit 2, one JSON error, nothing written."""
    adjust(cli)
    before = ok(cli("--json", "data", "show", "adjustment-1")).json

    ran = cli("--actor", actor, "--json", "data", "verify", "adjustment-1")

    document = json.loads(ran.out)  # exactly one JSON document
    assert (ExitCode.ERROR, "InvalidInputError", "actor") == (
        ran.code,
        document["error"]["type"],
        document["error"]["field"],
    )
    assert ran.err.startswith("releasekit: --actor ")
    assert before == ok(cli("--json", "data", "show", "adjustment-1")).json


def test_an_actor_from_the_environment_is_checked_too(
    cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """$RELEASEKIT_ACTOR with a zero-width space is a usage error, whatever the command."""
    monkeypatch.setenv("RELEASEKIT_ACTOR", "olga\u200b")

    ran = cli("--json", "windows")

    assert (ExitCode.ERROR, "actor") == (ran.code, ran.json["error"]["field"])
    assert "$RELEASEKIT_ACTOR 'olga\\u200b' holds U+200B ZERO WIDTH SPACE" in ran.err


def test_an_actor_from_the_environment_is_an_identity(
    cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """$RELEASEKIT_ACTOR=' Olga ' requests the adjustment as olga."""
    monkeypatch.setenv("RELEASEKIT_ACTOR", " Olga ")

    ran = ok(cli("--json", "data", "adjust", "production", "fix", "--reason", "r"))

    assert "olga" == ran.json["operation"]["requested_by"]


def test_verify_takes_the_fingerprint_shown(cli: Callable[..., Ran]) -> None:
    """The 12 characters shown are enough; the verification stores the whole fingerprint."""
    adjust(cli)
    whole = fingerprint("production", "fix-close", ARGUMENTS)

    ran = act(
        cli, "ivan", TEN, "--json", "data", "verify", "adjustment-1", "--fingerprint",
        whole[:12].upper(), "--note", "checked IEX",
    )  # fmt: skip

    assert [
        {
            "by": "ivan",
            "at": "2026-11-27T10:00:00+00:00",
            "fingerprint": whole,
            "note": "checked IEX",
            "voided": False,
            "counts": True,
        }
    ] == ran.json["operation"]["verifications"]


def test_a_fingerprint_too_short_is_an_error(cli: Callable[..., Ran]) -> None:
    """Fewer than 12 characters cannot tell adjustments apart: exit 2."""
    adjust(cli)

    ran = cli("--actor", "ivan", "data", "verify", "adjustment-1", "--fingerprint", "abc")

    assert (ExitCode.ERROR, True) == (ran.code, "give at least 12 characters" in ran.err)


def test_verifying_what_changed_since_it_was_read_is_refused(cli: Callable[..., Ran]) -> None:
    """After an amendment the old fingerprint is refused (changed), the old verification void."""
    adjust(cli)
    old = fingerprint("production", "fix-close", ARGUMENTS)[:12]
    verify(cli, "ivan")
    amended = act(
        cli, "olga", TEN, "data", "amend", "adjustment-1", "AAPL", "2026-11-26", "187.02",
        "--reason", "digits swapped",
    )  # fmt: skip

    ran = cli("--actor", "maria", "--json", "data", "verify", "adjustment-1", "--fingerprint", old)

    assert amended.out.startswith(
        "amended adjustment-1: fix-close AAPL 2026-11-26 187.02 in production; 1 verification "
        "voided\n"
    )
    assert (ExitCode.REFUSED, "changed") == (ran.code, ran.json["error"]["reason"])
    verifications = ok(cli("--json", "data", "show", "adjustment-1")).json["operation"][
        "verifications"
    ]
    assert [(True, False)] == [(item["voided"], item["counts"]) for item in verifications]


def test_amending_only_the_operation_keeps_the_arguments(cli: Callable[..., Ran]) -> None:
    """`amend ID --operation NAME` changes the name and leaves the arguments as they were."""
    adjust(cli)

    document = act(
        cli, "olga", TEN, "--json", "data", "amend", "adjustment-1", "--operation", "fix-open"
    ).json

    assert ("amended", "fix-open", ARGUMENTS) == (
        document["outcome"],
        document["operation"]["operation"],
        document["operation"]["arguments"],
    )


@pytest.mark.parametrize(
    ("actor", "argv", "expected"),
    [
        ("olga", [], ExitCode.ERROR),
        ("olga", ["--operation", "fix-close"], ExitCode.ERROR),
        ("ivan", ["AAPL"], ExitCode.REFUSED),
    ],
    ids=["nothing-given", "nothing-changed", "not-the-requester"],
)
def test_amendments_that_cannot_be(
    cli: Callable[..., Ran], actor: str, argv: list[str], expected: ExitCode
) -> None:
    """An empty or unchanged amendment is an error; one by anyone but the requester refused."""
    adjust(cli)

    assert expected == cli("--actor", actor, "data", "amend", "adjustment-1", *argv).code


def test_executing_without_enough_verifications_is_refused(cli: Callable[..., Ran]) -> None:
    """One verification of two: exit 1, not-verified."""
    adjust(cli)
    verify(cli, "ivan")

    ran = cli("--actor", "data-operator", "--json", "data", "execute", "adjustment-1")

    assert (ExitCode.REFUSED, "not-verified") == (ran.code, ran.json["error"]["reason"])
    assert "has 1 of the 2 verifications it needs" in ran.err


def test_only_the_operator_executes(cli: Callable[..., Ran]) -> None:
    """Anyone else: exit 1, not-operator, the operator named."""
    adjust(cli)
    verify(cli, "ivan", "maria")

    ran = cli("--actor", "olga", "--json", "data", "execute", "adjustment-1")

    assert (ExitCode.REFUSED, "not-operator", ["data-operator"]) == (
        ran.code,
        ran.json["error"]["reason"],
        ran.json["error"]["allowed"],
    )


def test_a_dry_run_may_not_adjust_production_data(cli: Callable[..., Ran]) -> None:
    """Without --executors dt: exit 4, and stderr says which option the command needs."""
    adjust(cli)
    verify(cli, "ivan", "maria")

    ran = cli("--actor", "data-operator", "data", "execute", "adjustment-1")

    assert ExitCode.EXECUTOR_FAILED == ran.code
    assert ran.err.startswith("releasekit: adjust-data in production may run only through `dt`")
    assert ran.err.endswith(
        "\n  with the releasekit command: add --executors dt (and --dt PATH if dt is not on your "
        "PATH), or set RELEASEKIT_EXECUTORS=dt\n"
    )
    assert (
        "requested" == ok(cli("--json", "data", "show", "adjustment-1")).json["operation"]["status"]
    )


def test_the_operator_executes_a_verified_adjustment_through_dt(
    cli: Callable[..., Ran], fake_dt: Path
) -> None:
    """dt gets `data adjust production fix-close` and each argument as one argument."""
    adjust(cli)
    verify(cli, "ivan", "maria")

    ran = streamed(cli(
        "--actor", "data-operator", "--now", ELEVEN, "--executors", "dt", "--dt", str(fake_dt),
        "data", "execute", "adjustment-1",
    ))  # fmt: skip

    assert [["data", "adjust", "production", "fix-close", *ARGUMENTS]] == calls(fake_dt)
    lines = ran.out.splitlines()
    assert (
        "executed adjustment-1: fix-close AAPL 2026-11-26 '187.20; rm -rf /' in production"
        == (lines[0])
    )
    assert lines[2].startswith(
        "  executed by data-operator at Fri 2026-11-27 11:00 UTC: `dt data adjust production"
    )
    shown = ok(cli("--json", "data", "show", "adjustment-1")).json
    assert (
        "executed",
        [str(fake_dt), "data", "adjust", "production", "fix-close", *ARGUMENTS],
        ["requested", "verified", "verified", "started", "executed"],
    ) == (
        shown["operation"]["status"],
        shown["operation"]["command"],
        [event["data"]["step"] for event in shown["events"]],
    )


def test_a_failed_adjustment_exits_4_and_may_run_again(
    cli: Callable[..., Ran], fake_dt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dt failing: exit 4, the operation failed; the next run succeeds."""
    adjust(cli)
    verify(cli, "ivan", "maria")
    run = ("--actor", "data-operator", "--executors", "dt", "--dt", str(fake_dt))
    monkeypatch.setenv("FAKE_DT_EXIT", "3")
    monkeypatch.setenv("FAKE_DT_LAST", "price table locked")

    failed = cli(*run, "data", "execute", "adjustment-1")
    status = ok(cli("data", "show", "adjustment-1")).out.splitlines()[2]
    monkeypatch.delenv("FAKE_DT_EXIT")
    again = cli(*run, "--json", "data", "execute", "adjustment-1")

    assert (ExitCode.EXECUTOR_FAILED, True) == (failed.code, "price table locked" in failed.err)
    assert status.startswith("  status:      its last run failed (`dt data adjust")
    assert (ExitCode.OK, "executed") == (again.code, again.json["operation"]["status"])


def test_an_executed_adjustment_cannot_run_again_or_be_cancelled(
    cli: Callable[..., Ran], fake_dt: Path
) -> None:
    """Once executed: executing or cancelling it again is refused (exit 1)."""
    adjust(cli)
    verify(cli, "ivan", "maria")
    dt = ("--executors", "dt", "--dt", str(fake_dt))
    streamed(cli("--actor", "data-operator", *dt, "data", "execute", "adjustment-1"))

    again = cli("--actor", "data-operator", *dt, "--json", "data", "execute", "adjustment-1")
    cancel = cli("--actor", "olga", "--json", "data", "cancel", "adjustment-1", "--reason", "x")

    assert [(1, "executed"), (1, "executed")] == [
        (ran.code, ran.json["error"]["reason"]) for ran in (again, cancel)
    ]


def test_the_requester_cancels_an_adjustment(cli: Callable[..., Ran]) -> None:
    """`data cancel ID --reason` by the requester: cancelled; by a stranger: refused."""
    adjust(cli)

    stranger = cli("--actor", "ivan", "data", "cancel", "adjustment-1", "--reason", "no")
    ran = act(cli, "olga", ELEVEN, "data", "cancel", "adjustment-1", "--reason", "IEX fixed it")

    assert ExitCode.REFUSED == stranger.code
    assert [
        "cancelled adjustment-1: fix-close AAPL 2026-11-26 '187.20; rm -rf /' in production",
        "  fingerprint: " + fingerprint("production", "fix-close", ARGUMENTS)[:12],
        "  cancelled at Fri 2026-11-27 11:00 UTC: IEX fixed it",
    ] == ran.out.splitlines()


# -- data restores, lists, details ------------------------------------------------------------


def test_data_restore_copies_production_into_anton_s_sandbox(cli: Callable[..., Ran]) -> None:
    """The owner restores production into sandbox-anton: the dry run says what would run."""
    ran = act(
        cli, "anton", TEN, "--json", "data", "restore", "production", "sandbox-anton",
        "--reason", "reproduce the stale quotes",
    )  # fmt: skip

    operation = ran.json["operation"]
    assert ("restored", "restore-1", "executed", "production", "sandbox-anton", None, None) == (
        ran.json["outcome"],
        operation["id"],
        operation["status"],
        operation["source"],
        operation["environment"],
        operation["fingerprint"],
        operation["rule"],
    )


def test_data_restore_runs_dt(cli: Callable[..., Ran], fake_dt: Path) -> None:
    """Through dt a restore is `dt data restore SOURCE TARGET`."""
    streamed(cli(
        "--actor", "anton", "--executors", "dt", "--dt", str(fake_dt),
        "data", "restore", "production", "sandbox-anton", "--reason", "r",
    ))  # fmt: skip

    assert [["data", "restore", "production", "sandbox-anton"]] == calls(fake_dt)


def test_a_failed_restore_exits_4_and_is_recorded(
    cli: Callable[..., Ran], fake_dt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dt failing: exit 4, and the restore shows as failed with what dt said."""
    monkeypatch.setenv("FAKE_DT_EXIT", "2")
    monkeypatch.setenv("FAKE_DT_LAST", "disk full")

    ran = cli(
        "--actor", "anton", "--executors", "dt", "--dt", str(fake_dt),
        "data", "restore", "production", "sandbox-anton", "--reason", "r",
    )  # fmt: skip

    status = ok(cli("data", "show", "restore-1")).out.splitlines()[2]
    assert (ExitCode.EXECUTOR_FAILED, True) == (ran.code, "disk full" in ran.err)
    assert status.startswith("  status:      failed: `dt data restore production sandbox-anton`")


@pytest.mark.parametrize(
    ("actor", "source", "target", "expected"),
    [
        ("olga", "stage", "production", ("the policy does not allow restoring data from stage into "
         "production: production accepts restores from no environment")),
        ("maria", "production", "sandbox-anton", ("maria may not restore data in sandbox-anton: "
         "only anton may act there; ask them to do it")),
    ],
    ids=["into-production", "not-the-owner"],
)  # fmt: skip
def test_restores_the_policy_forbids_are_refused(
    cli: Callable[..., Ran], actor: str, source: str, target: str, expected: str
) -> None:
    """Nothing is restored into production, and sandbox-anton takes restores from anton only."""
    ran = cli("--actor", actor, "data", "restore", source, target, "--reason", "r")

    assert (ExitCode.REFUSED, f"releasekit: {expected}\n") == (ran.code, ran.err)
    assert {"operations": []} == ok(cli("--json", "data", "list")).json


def test_data_list_shows_every_operation(cli: Callable[..., Ran]) -> None:
    """One row per operation: its id, status, verifications so far, requester and what it does."""
    adjust(cli)
    verify(cli, "ivan")
    act(cli, "anton", ELEVEN, "data", "restore", "production", "sandbox-anton", "--reason", "r")

    ran = ok(cli("data", "list"))
    production = ok(cli("--json", "data", "list", "--environment", "production")).json

    assert [
        "ID            STATUS     VERIFIED  REQUESTED                        WHAT",
        (
            "adjustment-1  requested  1/2       olga, Fri 2026-11-27 10:00 UTC   fix-close AAPL "
            "2026-11-26 '187.20; rm -rf /' in production"
        ),
        (
            "restore-1     executed   -         anton, Fri 2026-11-27 11:00 UTC  restore the data "
            "of production into sandbox-anton"
        ),
    ] == ran.out.splitlines()
    assert ["adjustment-1"] == [operation["id"] for operation in production["operations"]]


def test_data_list_without_operations(cli: Callable[..., Ran], db: Path) -> None:
    """No operation: a sentence saying how to request one; an unknown environment is an error."""
    ran = ok(cli("data", "list"))

    assert ran.out.startswith(f"no data operations in {db}; request one with")
    assert ExitCode.ERROR == cli("data", "list", "--environment", "moon").code


def test_data_show_gives_the_operation_and_its_history(cli: Callable[..., Ran]) -> None:
    """`data show ID`: what it is, where it stands, the rule, each verification, each event."""
    adjust(cli)
    verify(cli, "ivan")

    lines = ok(cli("data", "show", "adjustment-1")).out.splitlines()

    whole = fingerprint("production", "fix-close", ARGUMENTS)
    assert [
        "adjustment adjustment-1: fix-close AAPL 2026-11-26 '187.20; rm -rf /' in production",
        "  requested:   Fri 2026-11-27 10:00 UTC by olga: IEX sent a wrong close",
        (
            "  status:      1 of 2 verifications; 1 more needed, by anyone but olga and "
            f"data-operator: releasekit data verify adjustment-1 --fingerprint {whole[:12]}"
        ),
        f"  fingerprint: {whole}",
        "  rule:        2 to 3 verifications, then data-operator runs it through dt",
        "  verified:    Fri 2026-11-27 10:00 UTC by ivan",
        "",
        "#  AT                        ACTOR  STEP       REASON",
        "1  Fri 2026-11-27 10:00 UTC  olga   requested  IEX sent a wrong close",
        "2  Fri 2026-11-27 10:00 UTC  ivan   verified   verification 1 of 2",
    ] == lines


def test_an_unknown_data_operation_is_an_error(cli: Callable[..., Ran]) -> None:
    """`data show nope`: exit 2, the library's sentence."""
    ran = cli("--json", "data", "show", "nope")

    assert (ExitCode.ERROR, "UnknownDataOperationError", "nope") == (
        ran.code,
        ran.json["error"]["type"],
        ran.json["error"]["operation_id"],
    )


def test_a_restore_is_not_an_adjustment(cli: Callable[..., Ran]) -> None:
    """Verifying a restore is bad input: exit 2."""
    act(cli, "anton", TEN, "data", "restore", "production", "sandbox-anton", "--reason", "r")

    assert ExitCode.ERROR == cli("--actor", "ivan", "data", "verify", "restore-1").code


def forge_a_verifier(db: Path) -> None:
    """Add mallory's verification to adjustment-1's stored state, by hand."""
    forged = {
        "by": "mallory",
        "at": "2026-11-28T10:00:00+00:00",
        "fingerprint": fingerprint("production", "fix-close", ARGUMENTS),
        "note": "",
        "voided": False,
    }
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "UPDATE streams SET snapshot = json_set(snapshot, '$.verifications', "
            "json_insert(json_extract(snapshot, '$.verifications'), '$[#]', json(?))) "
            "WHERE stream = 'data:adjustment-1'",
            (json.dumps(forged),),
        )


def test_verify_lists_every_history_and_names_the_forged_one(
    cli: Callable[..., Ran], db: Path
) -> None:
    """`verify` checks releases and data operations alike; a forged verifier is reported, exit 1."""
    act(cli, "anton", TEN, "start", "2.4.0")
    adjust(cli)
    verify(cli, "ivan")
    forge_a_verifier(db)

    ran = cli("verify")

    assert ExitCode.REFUSED == ran.code
    assert [
        "2.4.0: ok, 1 events",
        (
            "data:adjustment-1: TAMPERED at event 2: the current state is not the one its last "
            "event recorded (it was changed after it was written)"
        ),
        "1 of 2 histories tampered with: restore from a backup, and find out who changed what",
    ] == [line.split(", head")[0] for line in ran.out.splitlines()]


def test_verify_of_one_data_operation_and_its_json(cli: Callable[..., Ran], db: Path) -> None:
    """`verify adjustment-1` (or its history's name) checks that operation; the JSON names it."""
    adjust(cli)
    forge_a_verifier(db)

    by_id = cli("--json", "verify", "adjustment-1")
    by_name = cli("--json", "verify", "data:adjustment-1")

    assert (ExitCode.REFUSED, ExitCode.REFUSED) == (by_id.code, by_name.code)
    assert by_id.json == by_name.json
    assert [("data:adjustment-1", None, "adjustment-1", False, 1)] == [
        (item["stream"], item["release_id"], item["operation_id"], item["ok"], item["seq"])
        for item in by_id.json["histories"]
    ]
    assert [] == by_id.json["releases"]


def test_data_execute_refuses_a_forged_verifier_and_runs_nothing(
    cli: Callable[..., Ran], db: Path, fake_dt: Path
) -> None:
    """One real verification, one forged: `data execute` exits 1 and dt never runs."""
    adjust(cli)
    verify(cli, "ivan")
    forge_a_verifier(db)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        before = conn.execute("SELECT * FROM events ORDER BY stream, seq").fetchall()

    ran = cli("--actor", "data-operator", "--executors", "dt", "--dt", str(fake_dt),
              "--json", "data", "execute", "adjustment-1")  # fmt: skip

    assert (ExitCode.REFUSED, "HistoryTamperedError") == (ran.code, ran.json["error"]["type"])
    assert ran.err.startswith("releasekit: the stored state of data:adjustment-1 does not match")
    assert [] == calls(fake_dt)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert before == conn.execute("SELECT * FROM events ORDER BY stream, seq").fetchall()


def test_verify_of_nothing_known_is_an_error(cli: Callable[..., Ran]) -> None:
    """An id that is neither a release nor a data operation: exit 2."""
    act(cli, "anton", TEN, "start", "2.4.0")

    assert (ExitCode.ERROR, ExitCode.ERROR) == (
        cli("verify", "nope").code,
        cli("verify", "data:nope").code,
    )
