"""The commands of `releasekit`, run in-process through main() on a SQLite file per test."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sqlite3
from typing import TYPE_CHECKING

import attrs
import pendulum
import pytest

import pgserver
import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from fake_dt import write_fake_dt
from plugin_packages import install_package
from releasekit._interfaces import _cli_commands
from releasekit._interfaces._cli_parsers import Commands
from releasekit._interfaces.cli import ENVIRONMENT, ExitCode, build_parser, main
from releasekit.testing import walk_to

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

MORNING = "2026-11-27T11:00Z"  # a Friday
NOON = "2026-11-27T12:00Z"
AFTERNOON = "2026-11-27T14:00Z"
EVENING = "2026-11-27T18:00Z"
SATURDAY = "2026-11-28T09:30Z"
ALL = ["sandbox-anton", "tests", "sandbox", "stage", "production"]

WEB_TEAM = """\
name = "web-team"

[[environments]]
name = "dev"

[[environments]]
name = "prod"
gate = [{ type = "attestation", name = "go" }]

[[flows]]
kind = "normal"
path = ["dev", "prod"]
"""


def act(cli: Callable[..., Ran], actor: str, now: str, *argv: str) -> Ran:
    """Run a command as *actor* at *now*, and check it succeeded."""
    return ok(cli("--actor", actor, "--now", now, *argv))


#: What `start` ships: two functions, a migration, and chart as new functionality.
ARTIFACT = rk.Artifact(
    functions=("quote", "chart"), migrations=("0042_add_index",), new_functionality=("chart",)
)


def start(cli: Callable[..., Ran], *extra: str) -> Ran:
    artifact = ("--function", "quote", "chart", "--migration", "0042_add_index", "--new", "chart")
    return act(cli, "anton", MORNING, "start", "2.4.0", *artifact, *extra)


def to_sandbox(db: Path) -> None:
    """2.4.0 (as `start` ships it) in tests at 11:00; tested at noon, when it enters sandbox."""
    with rk.Desk.open(store=db, clock=rk.FixedClock(dt.datetime.fromisoformat(MORNING))) as desk:
        release = desk.start("2.4.0", by="anton", artifact=ARTIFACT)
        walk_to(desk, release, "tests", every=dt.timedelta(0))
        walk_to(
            desk,
            release,
            "sandbox",
            now=dt.datetime.fromisoformat(NOON),
            every=dt.timedelta(0),
            through_executors=True,
        )


def to_stage(db: Path) -> None:
    """As :func:`to_sandbox`, then signed off, its logs reviewed and in stage at 14:00."""
    to_sandbox(db)
    with rk.Desk.open(store=db, clock=rk.FixedClock(dt.datetime.fromisoformat(AFTERNOON))) as desk:
        walk_to(desk, "2.4.0", "stage", every=dt.timedelta(0))


def ready_but_for_the_window(cli: Callable[..., Ran], db: Path) -> None:
    """As :func:`to_stage`, with everything production asks for but the window at 18:00."""
    to_stage(db)
    act(cli, "ci", EVENING, "migrate", "2.4.0")
    act(cli, "maria", EVENING, "record", "2.4.0", "sign-off", "--old-app-version", "2.3.1")
    act(cli, "ivan", EVENING, "record", "2.4.0", "change-review")


# -- start -------------------------------------------------------------------------


def test_start_creates_the_store_and_says_where_the_release_is(
    cli: Callable[..., Ran], db: Path
) -> None:
    """`start` creates the SQLite file and reports the release in its first environment."""
    ran = start(cli)

    assert db.exists()
    assert "started 2.4.0: 2.4.0 (normal) in sandbox-anton, by anton" in ran.out


def test_start_json_is_the_release_as_stored(cli: Callable[..., Ran]) -> None:
    """`start --json` gives the release with its artifact, revision and no open step."""
    release = start(cli, "--json").json["release"]

    assert {
        "id": "2.4.0",
        "kind": "normal",
        "state": "sandbox-anton",
        "created_at": "2026-11-27T11:00:00+00:00",
        "artifact": {
            "functions": ["quote", "chart"],
            "migrations": ["0042_add_index"],
            "new_functionality": ["chart"],
        },
        "revision": 1,
        "attempt": None,
    } == {
        key: release[key]
        for key in ("id", "kind", "state", "created_at", "artifact", "revision", "attempt")
    }


def test_start_takes_a_kind_and_an_id(cli: Callable[..., Ran]) -> None:
    """`--kind hotfix --id` starts a hotfix under the given id."""
    ran = ok(
        cli("--actor", "anton", "--json", "start", "2.4.1", "--kind", "hotfix", "--id", "fix-1")
    )

    assert ("fix-1", "hotfix") == (ran.json["release"]["id"], ran.json["release"]["kind"])


def test_start_by_someone_who_may_not_act_there_is_refused(cli: Callable[..., Ran]) -> None:
    """Only anton may start a release in sandbox-anton: exit 1, the reason on stderr."""
    ran = cli("--actor", "maria", "start", "2.4.0")

    assert ExitCode.REFUSED == ran.code
    assert "maria may not start a release in sandbox-anton" in ran.err


def test_start_with_a_taken_id_is_a_conflict(cli: Callable[..., Ran]) -> None:
    """A second release under an explicit, taken id exits 3 (conflict)."""
    ok(cli("--actor", "anton", "start", "2.4.0", "--id", "r1"))

    ran = cli("--actor", "anton", "start", "2.4.1", "--id", "r1")

    assert ExitCode.BUSY == ran.code
    assert "r1 already exists" in ran.err


# -- status ------------------------------------------------------------------------


def test_status_without_a_store_lists_nothing_and_leaves_no_file(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Looking around where no store exists creates none."""
    ran = ok(cli("status"))

    assert not db.exists()
    assert f"no releases in {db}" in ran.out


def test_status_lists_every_release_with_its_next_step(cli: Callable[..., Ran]) -> None:
    """The table has one row per release, saying whether its next step is allowed."""
    start(cli)
    act(cli, "anton", MORNING, "start", "2.5.0")

    lines = ok(cli("--now", MORNING, "status")).out.splitlines()

    assert ["RELEASE", "VERSION", "KIND", "STATE", "NEXT"] == lines[0].split()
    assert "tests: blocked (1)" in lines[1]
    assert "tests: allowed" in lines[2]


def test_status_json_summarizes_every_release(cli: Callable[..., Ran]) -> None:
    """`status --json` lists each release with its next step and blocker codes."""
    start(cli)

    summary = ok(cli("--now", MORNING, "--json", "status")).json["releases"][0]

    assert {
        "id": "2.4.0",
        "state": "sandbox-anton",
        "next": "tests",
        "allowed": False,
        "blocker_codes": ["new-tests-written"],
        "step_in_flight": False,
    } == {
        key: summary[key]
        for key in ("id", "state", "next", "allowed", "blocker_codes", "step_in_flight")
    }


def test_status_of_one_release_shows_its_evidence_and_moves(
    cli: Callable[..., Ran], db: Path
) -> None:
    """`status RELEASE` shows where it is, what was recorded and every move."""
    to_sandbox(db)

    out = ok(cli("--now", NOON, "status", "2.4.0")).out

    assert "state:       sandbox since Fri 2026-11-27 12:00 UTC" in out
    assert "Fri 2026-11-27 12:00 UTC  test-run on tests: passed (by tester)" in out
    assert "Fri 2026-11-27 11:00 UTC  sandbox-anton -> tests by anton" in out
    assert "next:        sandbox -> stage: blocked (2)" in out


def test_status_of_one_release_json_holds_release_and_explanation(
    cli: Callable[..., Ran],
) -> None:
    """`status RELEASE --json` has the release, its evidence, and the next step explained."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")

    document = ok(cli("--now", MORNING, "--json", "status", "2.4.0")).json

    assert (["explanation", "release"], "tests-written", True) == (
        sorted(document),
        document["release"]["evidence"][0]["type"],
        document["explanation"]["allowed"],
    )


def test_an_unknown_release_is_an_error(cli: Callable[..., Ran]) -> None:
    """An unknown release exits 2 with the library's sentence on stderr, no traceback."""
    ran = cli("status", "nope")

    assert (ExitCode.ERROR, "") == (ran.code, ran.out)
    assert (
        "releasekit: there is no release 'nope'; list the known releases or start a new one\n"
        == ran.err
    )


def test_errors_in_json_mode_are_a_json_document(cli: Callable[..., Ran]) -> None:
    """With --json, an error is also an {"error": ...} document on stdout."""
    ran = cli("--json", "explain", "nope")

    assert {
        "error": {
            "type": "UnknownReleaseError",
            "message": "there is no release 'nope'; list the known releases or start a new one",
            "exit_code": 2,
            "release_id": "nope",
        }
    } == ran.json


# -- explain and plan ----------------------------------------------------------------


def test_explain_lists_every_blocker_and_exits_1(cli: Callable[..., Ran]) -> None:
    """Each blocker is one line: code, message, hint, who can unblock it; then how to record."""
    start(cli)

    ran = cli("--actor", "maria", "--now", MORNING, "explain", "2.4.0")

    assert ExitCode.REFUSED == ran.code
    assert [
        "2.4.0 (normal) is in sandbox-anton; next step: sandbox-anton -> tests",
        "blocked now (Fri 2026-11-27 11:00 UTC), 2 reasons:",
        (
            "  [owner-only] maria may not act in sandbox-anton: only anton may \N{EM DASH} ask "
            "anton to do this step (unblocked by: anton)"
        ),
        (
            "  [new-tests-written] new functionality of 2.4.0 has no new automatic tests: chart "
            "\N{EM DASH} write tests covering it and record them as TestsWritten(covers=[...]) "
            "(unblocked by: anton)"
        ),
        "    run: releasekit record 2.4.0 tests-written --covers chart",
    ] == ran.out.splitlines()


def test_explain_exits_0_when_the_step_is_allowed(cli: Callable[..., Ran]) -> None:
    """Once the evidence is there, explain says how to promote and exits 0."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")

    ran = act(cli, "anton", MORNING, "explain", "2.4.0")

    assert "allowed now (Fri 2026-11-27 11:00 UTC): releasekit promote 2.4.0" in ran.out


def test_explain_says_when_only_time_blocks(cli: Callable[..., Ran], db: Path) -> None:
    """On Friday evening with all evidence in, only the window blocks, until Saturday 09:00."""
    ready_but_for_the_window(cli, db)

    ran = cli("--now", EVENING, "explain", "2.4.0")

    assert ExitCode.REFUSED == ran.code
    assert "only time blocks it: allowed from Sat 2026-11-28 09:00 UTC" in ran.out
    assert "(unblocked by: time; earliest: Sat 2026-11-28 09:00 UTC)" in ran.out


def test_explain_json_shape(cli: Callable[..., Ran], db: Path) -> None:
    """`explain --json` has the step, the verdict, the instant, the blockers and the revision."""
    ready_but_for_the_window(cli, db)
    revision = cli("--json", "status", "2.4.0").json["release"]["revision"]

    document = cli("--now", EVENING, "--json", "explain", "2.4.0").json

    assert {
        "release_id": "2.4.0",
        "revision": revision,
        "state": "stage",
        "step": {"source": "stage", "target": "production"},
        "allowed": False,
        "finished": False,
        "at": "2026-11-27T18:00:00+00:00",
        "earliest": "2026-11-28T09:00:00+00:00",
        "lifted": [],
        "blockers": [
            {
                "code": "production-window",
                "reason": "closed",
                "message": "production is closed at Fri 2026-11-27 18:00 UTC; its window, Sat, "
                "Sun 09:00\N{EN DASH}12:00 (UTC), next opens Sat 2026-11-28 09:00 UTC",
                "hint": "wait until Sat 2026-11-28 09:00 UTC, or start a hotfix release if this "
                "cannot wait",
                "unblocked_by": [],
                "people": [],
                "can_clear": None,
                "earliest": "2026-11-28T09:00:00+00:00",
                "source": "stage",
                "target": "production",
                "evidence": None,
                "suggested_commands": [],
            }
        ],
    } == document


def test_explain_names_what_a_hotfix_lifts(cli: Callable[..., Ran]) -> None:
    """A hotfix on stage shows the production window as lifted."""
    act(cli, "anton", MORNING, "start", "2.4.1", "--kind", "hotfix")
    act(cli, "anton", MORNING, "promote", "2.4.1")
    act(cli, "ci", MORNING, "run-tests", "2.4.1")
    act(cli, "anton", MORNING, "promote", "2.4.1")
    act(cli, "maria", MORNING, "record", "2.4.1", "sign-off")
    act(cli, "ivan", MORNING, "record", "2.4.1", "log-review")
    act(cli, "anton", MORNING, "promote", "2.4.1")

    ran = cli("--now", EVENING, "explain", "2.4.1")

    assert "lifted for hotfix releases: production-window" in ran.out


def test_explain_of_a_release_without_a_next_step_exits_1(cli: Callable[..., Ran]) -> None:
    """An abandoned release has no next step: explain says so and exits 1."""
    start(cli)
    ok(cli("--actor", "anton", "abandon", "2.4.0"))

    ran = cli("explain", "2.4.0")

    assert (ExitCode.REFUSED, "2.4.0 (normal) is in abandoned: no further step\n") == (
        ran.code,
        ran.out,
    )


def test_plan_gives_the_earliest_production_time(cli: Callable[..., Ran], db: Path) -> None:
    """On Friday at noon the plan says Saturday 09:00 at the earliest."""
    to_sandbox(db)

    ran = ok(cli("--now", NOON, "plan", "2.4.0"))

    assert "  sandbox -> stage: blocked (2)" in ran.out
    assert "  stage -> production: blocked (4), earliest Sat 2026-11-28 09:00 UTC" in ran.out
    assert ran.out.endswith(
        "production at the earliest: Sat 2026-11-28 09:00 UTC (if the missing evidence arrives "
        "in time)\n"
    )


def test_plan_json_lists_every_remaining_step(cli: Callable[..., Ran], db: Path) -> None:
    """`plan --json` has one entry per remaining step and the earliest production time."""
    to_sandbox(db)

    document = ok(cli("--now", NOON, "--json", "plan", "2.4.0")).json

    assert "2026-11-28T09:00:00+00:00" == document["earliest_production"]
    assert [("sandbox", "stage"), ("stage", "production")] == [
        (step["source"], step["target"]) for step in document["steps"]
    ]


# -- promote -------------------------------------------------------------------------


def test_promote_moves_the_release_through_the_dry_run(cli: Callable[..., Ran]) -> None:
    """By default nothing is deployed: the dry run says what would have run."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")

    ran = act(cli, "anton", MORNING, "promote", "2.4.0")

    assert (
        "promoted 2.4.0: sandbox-anton -> tests\n  dry run: would deploy 2.4.0 to tests\n"
        == ran.out
    )


def test_promote_to_the_next_environment_says_the_move_written(cli: Callable[..., Ran]) -> None:
    """`promote --to tests --revision N` moves it; the JSON names the event that wrote the move."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")
    seen = cli("--json", "explain", "2.4.0").json["revision"]

    ran = act(
        cli, "anton", MORNING, "--json", "promote", "2.4.0", "--to", "tests",
        "--revision", str(seen),
    )  # fmt: skip

    history = cli("--json", "history", "2.4.0").json["events"]
    written = history[ran.json["seq"] - 1]
    assert ("promoted", "sandbox-anton", "tests") == (
        ran.json["outcome"],
        ran.json["source"],
        ran.json["target"],
    )
    assert ("step-finished", "sandbox-anton", "tests", ran.json["summary"]) == (
        written["action"],
        written["source"],
        written["target"],
        written["reason"],
    )


def test_promote_sent_twice_moves_the_release_once(cli: Callable[..., Ran]) -> None:
    """The same `promote --to tests` again: exit 3, the sentence, and not one event more."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")
    act(cli, "anton", MORNING, "promote", "2.4.0", "--to", "tests")
    before = cli("--json", "history", "2.4.0").json

    ran = cli("--actor", "anton", "--now", MORNING, "--json", "promote", "2.4.0", "--to", "tests")

    error = ran.json["error"]
    assert (ExitCode.BUSY, "ConflictError") == (ran.code, error["type"])
    assert ("tests", "tests", "sandbox") == (
        error["expected_target"],
        error["state"],
        error["actual_target"],
    )
    assert (
        "releasekit: 2.4.0 is already in tests; you asked to promote it to tests — reload and "
        "decide again\n"
    ) == ran.err
    assert before == cli("--json", "history", "2.4.0").json


def test_promote_at_a_stale_revision_writes_nothing(cli: Callable[..., Ran]) -> None:
    """`--revision` from before a change: exit 3, no refusal, no move, even for a blocked step."""
    start(cli)
    seen = cli("--json", "status", "2.4.0").json["release"]["revision"]
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "quote")
    before = cli("--json", "history", "2.4.0").json

    ran = cli(
        "--actor", "anton", "--now", MORNING, "promote", "2.4.0", "--to", "tests",
        "--revision", str(seen),
    )  # fmt: skip

    assert ExitCode.BUSY == ran.code
    assert ran.err.startswith("releasekit: 2.4.0 changed since you saw it at revision 1")
    assert before == cli("--json", "history", "2.4.0").json


@pytest.mark.parametrize(
    ("option", "value"), [("--to", "Tests"), ("--to", "prod"), ("--revision", "0")]
)
def test_promote_to_nowhere_is_an_error(cli: Callable[..., Ran], option: str, value: str) -> None:
    """An environment the policy lacks, or revision 0: exit 2, nothing written."""
    start(cli)

    ran = cli("--actor", "anton", "--now", MORNING, "promote", "2.4.0", option, value)

    assert ExitCode.ERROR == ran.code
    assert 1 == len(cli("--json", "history", "2.4.0").json["events"])


def test_explain_suggests_promoting_to_the_step_it_explains(cli: Callable[..., Ran]) -> None:
    """The command explain suggests names the environment, so running it twice is harmless."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")

    ran = act(cli, "anton", MORNING, "explain", "2.4.0")

    assert "allowed now (Fri 2026-11-27 11:00 UTC): releasekit promote 2.4.0 --to tests" in ran.out


def test_the_friday_evening_promotion_is_refused_with_every_reason(
    cli: Callable[..., Ran],
    db: Path,
) -> None:
    """Friday 18:00 on stage: four reasons, the window saying when it opens; exit 1."""
    to_stage(db)

    ran = cli("--actor", "anton", "--now", EVENING, "promote", "2.4.0")

    lines = ran.out.splitlines()
    blockers = [line for line in lines[1:] if line.startswith("  [")]
    assert ExitCode.REFUSED == ran.code
    assert "refused: 2.4.0 may not move from stage to production now (4 reasons):" == lines[0]
    assert ["migrations-succeeded", "signed-off", "changes-reviewed", "production-window"] == [
        line.split("]")[0].strip(" [") for line in blockers
    ]
    assert "next opens Sat 2026-11-28 09:00 UTC" in blockers[3]


def test_a_refused_promotion_json_carries_the_blockers(cli: Callable[..., Ran], db: Path) -> None:
    """`promote --json` refused: outcome, step, blockers and the release as stored."""
    ready_but_for_the_window(cli, db)

    ran = cli("--actor", "anton", "--now", EVENING, "--json", "promote", "2.4.0")

    document = ran.json
    assert ExitCode.REFUSED == ran.code
    assert ("refused", "stage", "production") == (
        document["outcome"],
        document["source"],
        document["target"],
    )
    assert ["production-window"] == [blocker["code"] for blocker in document["blockers"]]
    assert "stage" == document["release"]["state"]


def test_a_refusal_is_recorded_in_the_history(cli: Callable[..., Ran]) -> None:
    """The refused promotion appears in the history as a `refused` event."""
    start(cli)
    cli("--actor", "anton", "--now", MORNING, "promote", "2.4.0")

    events = ok(cli("--json", "history", "2.4.0")).json["events"]

    assert ["started", "refused"] == [event["action"] for event in events]


def test_promote_on_saturday_morning_reaches_production(cli: Callable[..., Ran], db: Path) -> None:
    """Once the window opens, the promotion goes through."""
    ready_but_for_the_window(cli, db)

    ran = act(cli, "anton", SATURDAY, "--json", "promote", "2.4.0")

    assert ("promoted", "production") == (ran.json["outcome"], ran.json["target"])


def test_promote_through_dt_runs_the_dt_program(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--executors dt --dt PATH` deploys by running `dt deploy <env> <version>`."""
    program = write_fake_dt(tmp_path)
    calls = tmp_path / "argv.jsonl"
    monkeypatch.setenv("FAKE_DT_ARGV", str(calls))
    act(cli, "anton", MORNING, "start", "2.4.0")

    ran = cli("--actor", "anton", "--executors", "dt", "--dt", str(program), "promote", "2.4.0")

    assert ExitCode.OK == ran.code
    assert [["deploy", "tests", "2.4.0"]] == [
        json.loads(line) for line in calls.read_text().splitlines()
    ]
    assert "promoted 2.4.0: sandbox-anton -> tests" in ran.out
    assert "  | dt line 1: deploy tests 2.4.0\n" in ran.err


def test_executors_come_from_the_environment(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RELEASEKIT_EXECUTORS and RELEASEKIT_DT choose dt when no option does."""
    program = write_fake_dt(tmp_path)
    calls = tmp_path / "argv.jsonl"
    monkeypatch.setenv("FAKE_DT_ARGV", str(calls))
    monkeypatch.setenv("RELEASEKIT_EXECUTORS", "dt")
    monkeypatch.setenv("RELEASEKIT_DT", str(program))
    ok(cli("--actor", "anton", "start", "2.4.0"))

    ran = cli("--actor", "anton", "promote", "2.4.0")

    assert (ExitCode.OK, True) == (ran.code, calls.exists())


def test_an_unknown_executors_variable_is_an_error(
    cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """RELEASEKIT_EXECUTORS=nonsense exits 2 with the choices."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    monkeypatch.setenv("RELEASEKIT_EXECUTORS", "ansible")

    ran = cli("--actor", "anton", "promote", "2.4.0")

    assert ExitCode.ERROR == ran.code
    assert "use dry-run, dt or plugins" in ran.err


def test_a_failed_deployment_exits_4_and_the_release_stays(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dt exiting non-zero is an executor failure: exit 4, recorded, no move."""
    program = write_fake_dt(tmp_path)
    monkeypatch.setenv("FAKE_DT_EXIT", "3")
    ok(cli("--actor", "anton", "start", "2.4.0"))

    ran = cli("--actor", "anton", "--executors", "dt", "--dt", str(program), "promote", "2.4.0")

    assert ExitCode.EXECUTOR_FAILED == ran.code
    assert "sandbox-anton" == ok(cli("--json", "status", "2.4.0")).json["release"]["state"]
    assert "step-failed" == ok(cli("--json", "history", "2.4.0")).json["events"][-1]["action"]


def test_plugins_provide_the_executors(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--executors plugins` uses the executors installed plug-ins register."""
    site = tmp_path / "site"
    dist_info = site / "cli_test_plugin-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cli-test-plugin\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[releasekit.executors]\ncli-test = cli_test_plugin:register\n"
    )
    (site / "cli_test_plugin.py").write_text(
        "from releasekit.executors import DryRunExecutor\n\n"
        "def register(registry):\n    registry.register_all(DryRunExecutor())\n"
    )
    monkeypatch.syspath_prepend(str(site))
    ok(cli("--actor", "anton", "start", "2.4.0"))

    ran = cli("--actor", "anton", "--executors", "plugins", "promote", "2.4.0")

    assert (ExitCode.OK, "  dry run: would deploy 2.4.0 to tests") == (
        ran.code,
        ran.out.splitlines()[1],
    )


def test_without_plugins_there_is_no_executor(cli: Callable[..., Ran]) -> None:
    """`--executors plugins` with none installed: exit 4, no executor deploys."""
    ok(cli("--actor", "anton", "start", "2.4.0"))

    ran = cli("--actor", "anton", "--executors", "plugins", "promote", "2.4.0")

    assert ExitCode.EXECUTOR_FAILED == ran.code
    assert "no executor is registered to deploy in tests" in ran.err


# -- attempts in flight ----------------------------------------------------------------


def interrupt_a_deployment(db: Path) -> None:
    """Leave a deployment of 2.4.0 to tests started and never finished, as a crash would."""
    with rk.stores.SqliteStore(db) as store:
        ledger = rk.stores.Ledger(store)
        ledger.begin_attempt(
            ledger.load("2.4.0"),
            capability="deploy",
            by="anton",
            at=pendulum.datetime(2026, 11, 27, 11, 0, tz="UTC"),
            environment="tests",
            target="tests",
            detail="deploy 2.4.0 to tests",
        )


def test_a_step_in_flight_makes_promote_busy(cli: Callable[..., Ran], db: Path) -> None:
    """An interrupted attempt blocks new steps with exit 3 until resumed or abandoned."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    interrupt_a_deployment(db)

    ran = cli("--actor", "anton", "promote", "2.4.0")

    assert ExitCode.BUSY == ran.code
    assert "resume it or abandon it" in ran.err
    assert "deploy step unfinished" in ok(cli("status")).out


def test_resume_runs_the_interrupted_step_again(cli: Callable[..., Ran], db: Path) -> None:
    """`resume` deploys again and the release arrives."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    interrupt_a_deployment(db)

    ran = ok(cli("--actor", "anton", "--json", "resume", "2.4.0"))

    assert ("resumed", "tests") == (ran.json["outcome"], ran.json["release"]["state"])


def test_abandon_step_gives_the_interrupted_step_up(cli: Callable[..., Ran], db: Path) -> None:
    """`abandon-step --reason` closes the step; the release stays where it was."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    interrupt_a_deployment(db)

    ran = ok(cli("--actor", "anton", "abandon-step", "2.4.0", "--reason", "dt was killed"))

    assert "abandoned the unfinished attempt of 2.4.0; it stays in sandbox-anton\n" == ran.out
    assert "step-abandoned" == ok(cli("--json", "history", "2.4.0")).json["events"][-1]["action"]


def test_resume_without_a_step_in_flight_is_an_error(cli: Callable[..., Ran]) -> None:
    """Nothing to resume: exit 2."""
    ok(cli("--actor", "anton", "start", "2.4.0"))

    assert ExitCode.ERROR == cli("--actor", "anton", "resume", "2.4.0").code


def test_abandon_ends_the_release(cli: Callable[..., Ran]) -> None:
    """An abandoned release cannot be promoted any more: it has ended (exit 1)."""
    ok(cli("--actor", "anton", "start", "2.4.0"))

    ran = ok(cli("--actor", "anton", "abandon", "2.4.0", "--reason", "superseded"))

    assert "abandoned 2.4.0; it takes no further step\n" == ran.out
    assert ExitCode.REFUSED == cli("--actor", "anton", "promote", "2.4.0").code


# -- record --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "arguments", "expected"),
    [
        (
            "anton",
            ["tests-written", "--covers", "chart", "--test", "test_chart", "--note", "n"],
            {"type": "tests-written", "covers": ["chart"], "tests": ["test_chart"], "note": "n"},
        ),
        (
            "ci",
            ["test-run", "--failed", "--summary", "2 failed"],
            {
                "type": "test-run",
                "environment": "sandbox-anton",
                "passed": False,
                "summary": "2 failed",
            },
        ),
        (
            "maria",
            ["sign-off", "--environment", "tests", "--old-app-version", "2.3.1", "2.3.0"],
            {"type": "sign-off", "environment": "tests", "old_app_versions": ["2.3.1", "2.3.0"]},
        ),
        (
            "ivan",
            ["log-review", "--verdict", "problems"],
            {"type": "log-review", "environments": sorted(ALL), "verdict": "problems"},
        ),
        (
            "ci",
            ["migration-run", "--succeeded"],
            {"type": "migration-run", "migrations": ["0042_add_index"], "succeeded": True},
        ),
        ("ivan", ["change-review", "--note", "ok"], {"type": "change-review", "version": "2.4.0"}),
        (
            "sec",
            ["attestation", "--name", "security-review"],
            {"type": "attestation", "name": "security-review", "environment": None},
        ),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else None,
)
def test_record_builds_each_kind_of_evidence(
    cli: Callable[..., Ran], actor: str, arguments: list[str], expected: dict[str, object]
) -> None:
    """Each kind takes the options its fields need; the rest default from the release."""
    start(cli)
    if actor != "anton":  # only anton acts in sandbox-anton: take the release to tests first
        act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")
        act(cli, "anton", MORNING, "promote", "2.4.0")
        if expected["type"] == "test-run":
            expected["environment"] = "tests"

    ran = ok(cli("--actor", actor, "--now", NOON, "--json", "record", "2.4.0", *arguments))

    recorded = ran.json["recorded"][0]
    assert {"by": actor, "at": "2026-11-27T12:00:00+00:00", **expected} == {
        key: recorded[key] for key in ("by", "at", *expected)
    }


def test_record_takes_a_time_and_an_author(cli: Callable[..., Ran], db: Path) -> None:
    """`--at` and `--by` say when and whose; a bot may record a person's sign-off."""
    to_sandbox(db)

    ran = ok(
        cli(
            "--actor", "chatbot", "--now", AFTERNOON,
            "record", "2.4.0", "sign-off", "--by", "maria", "--at", "2026-11-27T13:30+01:00",
        )
    )  # fmt: skip

    assert ran.out.startswith(
        "recorded for 2.4.0: Fri 2026-11-27 12:30 UTC  sign-off on sandbox (by maria)\n"
    )
    assert "chatbot" == ok(cli("--json", "history", "2.4.0")).json["events"][-1]["actor"]


def test_record_by_is_an_identity(cli: Callable[..., Ran], db: Path) -> None:
    """`--by ' Maria '` records maria's sign-off."""
    to_sandbox(db)

    ran = ok(cli("--actor", "chatbot", "--json", "record", "2.4.0", "sign-off", "--by", " Maria "))

    assert "maria" == ran.json["recorded"][0]["by"]


@pytest.mark.parametrize("by", ["", "maria\r", "ma\u200bria"])
def test_record_by_no_one_is_a_usage_error(cli: Callable[..., Ran], db: Path, by: str) -> None:
    """`--by ''` is refused (exit 2, one JSON error): it never falls back to the actor."""
    to_sandbox(db)
    before = ok(cli("--json", "history", "2.4.0")).json

    ran = cli("--actor", "chatbot", "--json", "record", "2.4.0", "sign-off", "--by", by)

    assert (ExitCode.ERROR, "by") == (ran.code, ran.json["error"]["field"])
    assert before == ok(cli("--json", "history", "2.4.0")).json


def test_record_a_test_run_needs_its_result(cli: Callable[..., Ran]) -> None:
    """A test run is --passed or --failed: leaving both out is a usage error (exit 2)."""
    start(cli)

    ran = cli("record", "2.4.0", "test-run")

    assert ExitCode.ERROR == ran.code
    assert "one of the arguments --passed --failed is required" in ran.err


def test_record_refuses_a_naive_time(cli: Callable[..., Ran]) -> None:
    """`--at` without a time zone is refused, with the fix."""
    start(cli)

    ran = cli("record", "2.4.0", "change-review", "--at", "2026-11-27T12:00")

    assert ExitCode.ERROR == ran.code
    assert "'2026-11-27T12:00' has no time zone" in ran.err


def test_record_evidence_for_another_version_is_an_error(cli: Callable[..., Ran]) -> None:
    """A change review of another version does not belong to this release: exit 2."""
    start(cli)

    ran = cli("--actor", "ivan", "record", "2.4.0", "change-review", "--version", "9.9")

    assert ExitCode.ERROR == ran.code
    assert "record it on the release of 9.9" in ran.err


# -- run-tests and migrate -----------------------------------------------------------


def test_run_tests_records_a_passing_run(cli: Callable[..., Ran]) -> None:
    """`run-tests` runs on the gate's environment and records the run."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")
    act(cli, "anton", MORNING, "promote", "2.4.0")

    ran = act(cli, "ci", NOON, "--json", "run-tests", "2.4.0")

    assert ("passed", "tests", True) == (
        ran.json["outcome"],
        ran.json["environment"],
        ran.json["test_run"]["passed"],
    )


def test_failing_tests_exit_1(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dt test failing records a failed run and exits 1."""
    program = write_fake_dt(tmp_path)
    act(cli, "anton", MORNING, "start", "2.4.0")
    act(cli, "anton", MORNING, "promote", "2.4.0")
    monkeypatch.setenv("FAKE_DT_EXIT", "1")

    ran = cli(
        "--actor",
        "ci",
        "--now",
        NOON,
        "--executors",
        "dt",
        "--dt",
        str(program),
        "run-tests",
        "2.4.0",
    )  # at a fixed time: near midnight the daily run's reservation would refuse it

    assert ExitCode.REFUSED == ran.code
    assert ran.out.startswith("tests of 2.4.0 on tests: failed\n")


def test_run_tests_outside_the_tests_environment_is_an_error(cli: Callable[..., Ran]) -> None:
    """Tests run where the release is: asking for another environment exits 2."""
    start(cli)

    ran = cli("--actor", "ci", "--now", NOON, "run-tests", "2.4.0", "--environment", "tests")

    assert ExitCode.ERROR == ran.code
    assert "promote it to tests before you run the tests there" in ran.err


def test_run_tests_inside_the_daily_run_is_busy(cli: Callable[..., Ran]) -> None:
    """A run that would overlap the daily 00:00 run is refused with exit 3."""
    act(cli, "anton", "2026-11-26T23:50Z", "start", "2.4.0")
    act(cli, "anton", "2026-11-26T23:50Z", "promote", "2.4.0")

    ran = cli("--actor", "ci", "--now", "2026-11-26T23:55Z", "run-tests", "2.4.0")

    assert ExitCode.BUSY == ran.code
    assert "would overlap the daily scheduled run" in ran.err


def test_migrate_records_the_migration_run(cli: Callable[..., Ran], db: Path) -> None:
    """`migrate` on stage records a successful MigrationRun."""
    to_stage(db)

    ran = act(cli, "ci", EVENING, "migrate", "2.4.0")

    assert (
        "migrations of 2.4.0 on stage: succeeded\n"
        "  dry run: would run the migrations of 2.4.0 on stage\n"
    ) == ran.out


# -- history and verify --------------------------------------------------------------


def test_history_is_a_table_of_events(cli: Callable[..., Ran]) -> None:
    """`history` shows each event with its time, actor, action, step and reason."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")

    lines = ok(cli("history", "2.4.0")).out.splitlines()

    assert ["#", "AT", "ACTOR", "ACTION", "STEP", "REASON"] == lines[0].split()
    assert "1  Fri 2026-11-27 11:00 UTC  anton  started            sandbox-anton" == lines[1]
    assert ["evidence-recorded", "recorded", "tests-written"] == lines[2].split()[-3:]


def test_history_json_has_every_field_of_every_event(cli: Callable[..., Ran]) -> None:
    """`history --json` gives each event's fields, including its digests."""
    start(cli)

    event = ok(cli("--json", "history", "2.4.0")).json["events"][0]

    assert [
        "action", "actor", "at", "data", "digest", "previous", "reason", "seq", "source",
        "state_digest", "target",
    ] == sorted(event)  # fmt: skip
    assert (1, "started", "") == (event["seq"], event["action"], event["previous"])


def test_verify_checks_every_release(cli: Callable[..., Ran]) -> None:
    """`verify` without a release checks them all and exits 0 when all hold."""
    start(cli)
    ok(cli("--actor", "anton", "start", "2.5.0"))

    ran = ok(cli("verify"))

    assert ["2.4.0: ok, 1 events", "2.5.0: ok, 1 events"] == [
        line.split(", head")[0] for line in ran.out.splitlines()
    ]


def test_verify_finds_tampering_and_exits_1(cli: Callable[..., Ran], db: Path) -> None:
    """An event edited behind releasekit's back is reported with its position."""
    start(cli)
    act(cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TRIGGER events_are_append_only_on_update")
        connection.execute("UPDATE events SET actor = 'mallory' WHERE stream = '2.4.0' AND seq = 2")

    ran = cli("--json", "verify", "2.4.0")

    assert ExitCode.REFUSED == ran.code
    assert (False, 2) == (ran.json["ok"], ran.json["releases"][0]["seq"])


def test_verify_without_releases_has_nothing_to_do(cli: Callable[..., Ran]) -> None:
    """No store, nothing to verify: exit 0."""
    ran = ok(cli("--json", "verify"))

    assert {"ok": True, "histories": [], "releases": []} == ran.json


# -- windows and diagram -------------------------------------------------------------


def test_windows_lists_the_next_production_openings(cli: Callable[..., Ran]) -> None:
    """From Friday evening: Saturday and Sunday 09:00-12:00 UTC, lifted for hotfixes."""
    ran = ok(cli("--now", EVENING, "windows", "--count", "2"))

    assert [
        (
            "production-window: inside Sat, Sun 09:00\N{EN DASH}12:00 (UTC) (normal releases; "
            "lifted for hotfix)"
        ),
        "  Sat 2026-11-28 09:00 UTC until Sat 2026-11-28 12:00 UTC",
        "  Sun 2026-11-29 09:00 UTC until Sun 2026-11-29 12:00 UTC",
    ] == ran.out.splitlines()


def test_windows_marks_an_opening_in_progress(cli: Callable[..., Ran]) -> None:
    """`--after` inside a window shows the current opening, marked open now."""
    ran = ok(cli("windows", "--count", "1", "--after", "2026-11-28T10:00+01:00"))

    assert (
        "  Sat 2026-11-28 09:00 UTC until Sat 2026-11-28 12:00 UTC  (open now)"
        == ran.out.splitlines()[1]
    )


def test_windows_json_shape(cli: Callable[..., Ran]) -> None:
    """`windows --json` names the environment, each window's openings, freezes and forecasts."""
    ran = ok(cli("--now", EVENING, "--json", "windows", "--count", "1"))

    assert {
        "environment": "production",
        "after": "2026-11-27T18:00:00+00:00",
        "windows": [
            {
                "code": "production-window",
                "description": "inside Sat, Sun 09:00\N{EN DASH}12:00 (UTC)",
                "timezone": "UTC",
                "applies_to": ["normal"],
                "lifted_for": ["hotfix"],
                "openings": [
                    {
                        "start": "2026-11-28T09:00:00+00:00",
                        "end": "2026-11-28T12:00:00+00:00",
                        "frozen": [],
                    }
                ],
            }
        ],
        "freezes": [],
        "earliest": {
            "normal": "2026-11-28T09:00:00+00:00",
            "hotfix": "2026-11-27T18:00:00+00:00",
        },
    } == ran.json


def test_windows_of_a_policy_without_windows(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """A last environment without time guards may be entered at any time."""
    (tmp_path / "web.toml").write_text(WEB_TEAM)

    ran = ok(cli("--policy", str(tmp_path / "web.toml"), "windows"))

    assert "prod has no time window: releases may enter it at any time\n" == ran.out


def test_windows_refuses_a_count_below_one(cli: Callable[..., Ran]) -> None:
    """`--count 0` is a usage error."""
    assert ExitCode.ERROR == cli("windows", "--count", "0").code


def test_diagram_marks_the_release_state(cli: Callable[..., Ran]) -> None:
    """`diagram RELEASE` draws its flow in Mermaid with its state marked active."""
    start(cli)

    out = ok(cli("diagram", "2.4.0")).out

    assert out.startswith("---\nreference: normal flow\n---\nstateDiagram-v2\n")
    assert "  Class sandbox-anton s_active\n" in out


def test_diagram_of_a_kind(cli: Callable[..., Ran]) -> None:
    """`diagram --kind hotfix --json` draws the hotfix flow, nothing marked."""
    document = ok(cli("--json", "diagram", "--kind", "hotfix")).json

    assert ("hotfix", None) == (document["kind"], document["current"])
    assert "lifted: inside Sat, Sun 09:00\N{EN DASH}12:00 (UTC)" in document["mermaid"]


# -- policies ------------------------------------------------------------------------


BAD_POLICY = """\
name = "bad"

[windows.production]
timezone = "Europe/Lundon"
spans = [{ days = ["Sat"], start = "25:00", end = "12:00" }]

[[environments]]
name = "dev"
colour = "blue"

[[environments]]
name = "prod"
gate = [{ type = "window", window = "production" }]

[[flows]]
kind = "normal"
path = ["dev", "prod"]
"""


def test_policy_check_reports_every_problem_with_its_path(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """A broken file: every problem on its own line, starting with its path; exit 1."""
    (tmp_path / "bad.toml").write_text(BAD_POLICY)

    ran = cli("policy", "check", "bad.toml")

    lines = ran.out.splitlines()
    assert (ExitCode.REFUSED, "bad.toml: 3 problems:") == (ran.code, lines[0])
    assert [
        "windows.production.timezone:",
        "windows.production.spans[0].start:",
        "environments[0].colour:",
    ] == [line.split()[0] for line in lines[1:]]
    assert (
        "  windows.production.spans[0].start: start '25:00' is not a time of day; use 24-hour "
        "HH:MM such as '09:00'"
    ) == lines[2]


def test_policy_check_json_lists_the_problems(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """`policy check --json`: valid false and the problems as a list."""
    (tmp_path / "bad.toml").write_text(BAD_POLICY)

    document = cli("--json", "policy", "check", "bad.toml").json

    assert (False, 3, None) == (document["valid"], len(document["problems"]), document["policy"])


def test_policy_check_accepts_a_valid_file(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """A valid file: exit 0, its environments and flows."""
    (tmp_path / "web.toml").write_text(WEB_TEAM)

    ran = ok(cli("policy", "check", "web.toml"))

    assert "web.toml: valid; policy 'web-team': dev -> prod; flows normal\n" == ran.out


def test_policy_check_of_a_missing_file_is_an_error(cli: Callable[..., Ran]) -> None:
    """A file that is not there is bad input (exit 2), not an invalid policy."""
    ran = cli("policy", "check", "nowhere.toml")

    assert (
        ExitCode.ERROR,
        "releasekit: there is no policy file nowhere.toml; check the path\n",
    ) == (
        ran.code,
        ran.err,
    )


def test_policy_check_without_a_file_in_use_is_an_error(cli: Callable[..., Ran]) -> None:
    """With no file named or present, there is nothing to check: exit 2 with what to do."""
    ran = cli("policy", "check")

    assert ExitCode.ERROR == ran.code
    assert "releasekit policy show --reference > releasekit.toml" in ran.err


def test_policy_check_defaults_to_the_file_in_use(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """`policy check` alone checks ./releasekit.toml when it exists."""
    (tmp_path / "releasekit.toml").write_text(WEB_TEAM)

    assert "releasekit.toml: valid" in ok(cli("policy", "check")).out


def test_policy_show_prints_the_reference_policy_file(cli: Callable[..., Ran]) -> None:
    """Without a policy file, `policy show` prints the reference one, which loads as is."""
    ran = ok(cli("policy", "show"))

    assert rk.reference_policy() == rk.loads_policy(ran.out)


def test_policy_show_prints_the_file_in_use_or_the_reference(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """With a file in use it is shown; `--reference` shows the reference anyway."""
    (tmp_path / "releasekit.toml").write_text(WEB_TEAM)

    assert WEB_TEAM == ok(cli("policy", "show")).out
    assert rk.reference_policy_file() == ok(cli("policy", "show", "--reference")).out


def test_policy_show_json(cli: Callable[..., Ran]) -> None:
    """`policy show --json` names the source and holds the text."""
    document = ok(cli("--json", "policy", "show")).json

    assert ("reference", rk.reference_policy_file()) == (document["source"], document["toml"])


def test_a_bad_policy_in_use_is_an_error_for_other_commands(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """Any command with a broken --policy exits 2 and lists the problems on stderr."""
    (tmp_path / "bad.toml").write_text(BAD_POLICY)

    ran = cli("--policy", "bad.toml", "windows")

    assert ExitCode.ERROR == ran.code
    assert ran.err.startswith("releasekit: bad.toml: 3 problems in the policy file:\n")
    assert "  windows.production.spans[0].start: start '25:00'" in ran.err


# -- where things come from ------------------------------------------------------------


def test_the_policy_comes_from_the_option_the_variable_or_the_working_directory(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--policy wins over RELEASEKIT_POLICY, which wins over ./releasekit.toml."""
    (tmp_path / "web.toml").write_text(WEB_TEAM)
    (tmp_path / "releasekit.toml").write_text(WEB_TEAM.replace("web-team", "local"))
    (tmp_path / "env.toml").write_text(WEB_TEAM.replace("web-team", "from-env"))

    local = ok(cli("--json", "diagram")).json["mermaid"]
    monkeypatch.setenv("RELEASEKIT_POLICY", "env.toml")
    from_env = ok(cli("--json", "diagram")).json["mermaid"]
    named = ok(cli("--policy", "web.toml", "--json", "diagram")).json["mermaid"]

    assert ["local", "from-env", "web-team"] == [
        text.split("\n")[1].split(":")[0] for text in (local, from_env, named)
    ]


def test_the_store_and_actor_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """RELEASEKIT_DB and RELEASEKIT_ACTOR apply when no option is given."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELEASEKIT_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("RELEASEKIT_ACTOR", "anton")

    code = main(["start", "2.4.0"])

    assert (0, True) == (code, (tmp_path / "env.db").exists())
    assert "by anton" in capsys.readouterr().out


def test_the_default_store_is_releasekit_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --db or RELEASEKIT_DB the store is ./releasekit.db."""
    monkeypatch.chdir(tmp_path)
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)

    code = main(["--actor", "anton", "start", "2.4.0"])

    capsys.readouterr()
    assert (0, True) == (code, (tmp_path / "releasekit.db").exists())


def test_the_actor_defaults_to_the_login_name(
    cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --actor or RELEASEKIT_ACTOR, the login name acts."""
    monkeypatch.setattr("getpass.getuser", lambda: "anton")

    assert "by anton" in ok(cli("start", "2.4.0")).out


def test_global_options_may_follow_the_command(cli: Callable[..., Ran]) -> None:
    """`releasekit start 2.4.0 --actor anton --json` reads like the options before it."""
    ran = ok(cli("start", "2.4.0", "--actor", "anton", "--now", MORNING, "--json"))

    assert "anton" == ran.json["release"]["created_by"]


# -- the exit code of each error ---------------------------------------------------------


def commands_of(parser: argparse.ArgumentParser) -> Commands:
    return next(action for action in parser._actions if isinstance(action, Commands))


def test_every_command_on_the_command_line_runs_a_function_of_its_module() -> None:
    """Each command the parser offers, and each action of a group (`data`), has its function."""
    offered = commands_of(build_parser())
    names: set[str] = set()
    for name in offered.names():
        if name in _cli_commands._GROUPS:
            names.update(f"{name} {action}" for action in commands_of(offered.parser(name)).names())
        else:
            names.add(name)

    assert sorted(names) == sorted(_cli_commands.COMMANDS)
    assert [] == [name for name in sorted(names) if not callable(_cli_commands.command(name))]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            rk.exceptions.PromotionRefusedError(
                release_id="r", source="a", target="b", blockers=()
            ),
            1,
        ),
        (rk.exceptions.NotPermittedError("no", actor="x", action="y", allowed=()), 1),
        (rk.exceptions.HistoryTamperedError(stream="r", seq=1, detail="d"), 1),
        (rk.exceptions.UnknownReleaseError("r"), 2),
        (rk.exceptions.InvalidInputError("bad", field="f", value=1), 2),
        (rk.exceptions.PolicyFileError(source="f", problems=["p"]), 2),
        (rk.exceptions.StoreError("s"), 2),
        (rk.exceptions.ConflictError(stream="r", expected=1, actual=2), 3),
        (
            rk.exceptions.LeaseHeldError(
                lease="l",
                holder="h",
                since=pendulum.datetime(2026, 1, 1, tz="UTC"),
                expires=pendulum.datetime(2026, 1, 1, 1, tz="UTC"),
            ),
            3,
        ),
        (
            rk.exceptions.ExecutorTimeoutError(capability="deploy", environment="tests", timeout=1),
            4,
        ),
        (rk.exceptions.ExecutorNotFoundError(capability="deploy"), 4),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_every_error_has_its_exit_code(error: rk.exceptions.ReleaseKitError, expected: int) -> None:
    """Refusals are 1, errors 2, conflicts and busy resources 3, executor failures 4."""
    assert expected == _cli_commands.exit_code_for(error)


def test_the_store_may_be_a_postgresql_database(
    postgres: pgserver.PgServer | pgserver.External,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--db postgresql://...` keeps the releases in PostgreSQL, shared by every host."""
    monkeypatch.chdir(tmp_path)
    url = pgserver.url(postgres.schema_dsn())

    started = main(["--db", url, "--actor", "anton", "start", "2.4.0"])
    capsys.readouterr()
    listed = main(["--db", url, "--json", "status"])

    releases = json.loads(capsys.readouterr().out)["releases"]
    assert (0, 0, ["2.4.0"]) == (started, listed, [release["id"] for release in releases])
    assert [] == list(tmp_path.iterdir())


def test_status_of_a_release_with_a_step_in_flight_says_what_to_do(
    cli: Callable[..., Ran], db: Path
) -> None:
    """The detail of an interrupted release names the step and the two ways out."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    interrupt_a_deployment(db)

    out = ok(cli("status", "2.4.0")).out

    assert (
        "  next:        a deploy step is unfinished (deploy 2.4.0 to tests, started Fri "
        "2026-11-27 11:00 UTC by anton); `releasekit resume 2.4.0` or `releasekit abandon-step "
        "2.4.0 --reason ...`"
    ) in out


def test_a_release_in_production_has_nothing_left_to_plan(
    cli: Callable[..., Ran], db: Path
) -> None:
    """In production the plan is empty and the status says there is no further step."""
    ready_but_for_the_window(cli, db)
    act(cli, "anton", SATURDAY, "promote", "2.4.0")

    planned = ok(cli("--now", SATURDAY, "plan", "2.4.0")).out
    detail = ok(cli("--now", SATURDAY, "status", "2.4.0")).out

    assert "  no steps left\n" == planned.splitlines(keepends=True)[-1]
    assert "  next:        no further step: 2.4.0 is in production" in detail


def test_policy_show_of_an_unreadable_file_is_an_error(
    cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """RELEASEKIT_POLICY naming a missing file: exit 2, the file named."""
    monkeypatch.setenv("RELEASEKIT_POLICY", "gone.toml")

    ran = cli("policy", "show")

    assert ExitCode.ERROR == ran.code
    assert "gone.toml: 1 problem in the policy file:\n  cannot read the file" in ran.err


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["--db", "", "status"], {}, "--db is empty"),
        (["--db", " ", "status"], {}, "--db is empty"),
        (["--db", "a\x00b.db", "start", "2.4.0"], {}, "--db holds a NUL character"),
        (["--policy", "", "status"], {}, "--policy is empty"),
        (["--executors", "dt", "--dt", "", "run-tests", "2.4.0"], {}, "--dt is empty"),
        (["status"], {"RELEASEKIT_DB": "  "}, "$RELEASEKIT_DB is empty"),
    ],
)
def test_an_empty_file_name_is_an_error_not_the_default(  # noqa: PLR0917  # fixtures
    argv: list[str],
    environ: dict[str, str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--db ''` does not quietly mean ./releasekit.db: exit 2, saying what to write."""
    monkeypatch.chdir(tmp_path)

    code = main(["--actor", "anton", *argv], environ=environ)

    err = capsys.readouterr().err
    assert (ExitCode.ERROR, True, []) == (
        code,
        err.startswith(f"releasekit: {expected}; "),
        list(tmp_path.iterdir()),
    )


NEVER_GUARD = """\
import attrs

from releasekit import Verdict, guards


@attrs.frozen
class Never:
    code: str = "frozen"

    @property
    def kind(self):
        return guards.GuardKind.TIME

    def check(self, context):
        return Verdict.blocked(
            context.blocker(self, reason="closed", message="prod is frozen", hint="wait")
        )

    def earliest(self, after):
        return None

    def describe(self):
        return "a change freeze"

    def environments(self):
        return frozenset()


def make():
    return Never()
"""


def test_a_time_guard_that_never_opens(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's own time guard without an opening: windows and plan say so."""
    site = install_package(
        tmp_path / "site",
        name="team-freeze",
        modules={"never_guard.py": NEVER_GUARD},
        entry_points={"releasekit.guards": {"freeze": "never_guard:make"}},
    )
    monkeypatch.syspath_prepend(str(site))
    policy = WEB_TEAM.replace(
        '[{ type = "attestation", name = "go" }]',
        '[{ type = "custom", guard = "freeze" }]',
    )
    (tmp_path / "releasekit.toml").write_text(policy)
    act(cli, "anyone", MORNING, "start", "1.0")

    windows = ok(cli("windows")).out
    planned = ok(cli("--now", MORNING, "plan", "1.0")).out

    assert "frozen: a change freeze (normal releases)\n  it never opens\n" == windows
    assert planned.endswith("prod: no time in sight when its windows allow it\n")


# -- what to run to clear a blocker ----------------------------------------------------


def test_a_refusal_says_what_to_run_for_each_blocker_evidence_clears(
    cli: Callable[..., Ran],
    db: Path,
) -> None:
    """Under each blocker evidence clears: the command that does the work, or records it."""
    to_stage(db)

    lines = cli("--actor", "anton", "--now", EVENING, "promote", "2.4.0").out.splitlines()

    assert [
        "    run: releasekit migrate 2.4.0 --environment stage",
        "    or:  releasekit record 2.4.0 migration-run --environment stage --succeeded",
        (
            "    run: releasekit record 2.4.0 sign-off --environment stage --old-app-version "
            "VERSION..."
        ),
        "    run: releasekit record 2.4.0 change-review",
    ] == [line for line in lines if line.startswith("    ")]


def test_explain_json_names_the_evidence_and_the_commands(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Each blocker carries `evidence` and `suggested_commands`; time blockers have neither."""
    to_sandbox(db)

    blockers = cli("--now", NOON, "--json", "explain", "2.4.0").json["blockers"]

    assert [
        ("signed-off", "sign-off", ["releasekit record 2.4.0 sign-off --environment sandbox"]),
        (
            "logs-reviewed",
            "log-review",
            [
                "releasekit review-logs 2.4.0 --verdict clean",
                "releasekit record 2.4.0 log-review --verdict clean",
            ],
        ),
    ] == [
        (blocker["code"], blocker["evidence"], blocker["suggested_commands"])
        for blocker in blockers
    ]


def test_running_the_suggested_commands_clears_the_blockers(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Friday 18:00 on stage: once ivan (not the author) runs them, only the window blocks."""
    to_stage(db)
    blockers = cli("--now", EVENING, "--json", "explain", "2.4.0").json["blockers"]

    for blocker in blockers:
        for command in blocker["suggested_commands"][:1]:
            argv = shlex.split(command.replace("VERSION...", "2.3.1"))[1:]
            act(cli, "ivan", EVENING, *argv)

    assert ["production-window"] == [
        blocker["code"]
        for blocker in cli("--now", EVENING, "--json", "explain", "2.4.0").json["blockers"]
    ]


def test_the_plan_suggests_commands_for_the_next_step_only(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Evidence recorded now counts for the next step: later steps get no commands."""
    to_sandbox(db)

    document = ok(cli("--now", NOON, "--json", "plan", "2.4.0")).json
    text = ok(cli("--now", NOON, "plan", "2.4.0")).out

    assert [[True, True], [False, False, False, False]] == [
        [bool(blocker["suggested_commands"]) for blocker in step["blockers"]]
        for step in document["steps"]
    ]
    assert "      run: releasekit record 2.4.0 sign-off --environment sandbox\n" in text


def test_a_team_s_attestation_is_suggested_by_its_name(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """A policy file's attestation guard: `record RELEASE attestation --name go`."""
    (tmp_path / "releasekit.toml").write_text(WEB_TEAM)
    act(cli, "anyone", MORNING, "start", "1.0")

    ran = cli("--now", MORNING, "explain", "1.0")

    assert "    run: releasekit record 1.0 attestation --name go" == ran.out.splitlines()[-1]


def test_a_history_with_a_refusal_stored_before_blockers_named_evidence_loads(
    cli: Callable[..., Ran], db: Path
) -> None:
    """An old `refused` event without `evidence` verifies, replays and shows as null."""
    start(cli)
    old_blocker = {
        "code": "new-tests-written",
        "reason": "missing",
        "message": "new functionality of 2.4.0 has no new automatic tests: chart",
        "hint": "write tests covering it",
        "unblocked_by": ["developer"],
        "earliest": None,
        "source": "sandbox-anton",
        "target": "tests",
    }
    at = pendulum.datetime(2026, 11, 27, 11, 0, tz="UTC")
    with rk.stores.SqliteStore(db) as store:
        stored = store.read_release("2.4.0")
        assert stored is not None
        draft = rk.stores.Draft(
            actor="anton",
            action="refused",
            at=at,
            source="sandbox-anton",
            target="tests",
            reason="release 2.4.0 may not move from sandbox-anton to tests",
            data={"blockers": [old_blocker]},
        )
        store.append_release(
            attrs.evolve(stored.row, updated_at=at.isoformat()),  # a refusal changes nothing else
            expected=stored.revision,
            previous=stored.head,
            evidence_before=stored.row.evidence_digest,
            moves_before=stored.row.moves_digest,
            draft=draft,
        )

    verified = ok(cli("--json", "verify", "2.4.0")).json
    events = ok(cli("--json", "history", "2.4.0")).json["events"]

    assert (True, 2) == (verified["ok"], verified["releases"][0]["events"])
    assert [old_blocker] == events[-1]["data"]["blockers"]
    with rk.stores.SqliteStore(db) as store:
        replayed = rk.stores.replay(store.events("2.4.0"))
    assert "sandbox-anton" == replayed.state
