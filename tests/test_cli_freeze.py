"""`releasekit freeze`: a freeze declared on the command line, and every tool obeying it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from declared import POLICY, SATURDAY, team_policy, to_stage
from releasekit._interfaces.cli import ENVIRONMENT

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

NOW = "2026-11-28T09:30Z"  # SATURDAY: the production window is open
UNTIL = "2026-11-28T13:00Z"  # after the window closes: the next opening is Sunday 09:00


@pytest.fixture(name="team")
def fixture_team(tmp_path: Path) -> Path:
    """The team's policy file in the working directory, where the command finds it."""
    path = tmp_path / "releasekit.toml"
    path.write_text(POLICY, encoding="utf-8")
    return path


@pytest.fixture(name="staged")
def fixture_staged(team: Path, db: Path) -> str:
    """A normal release at stage on the command's store, everything production asks recorded."""
    del team
    clock = rk.FixedClock(SATURDAY - dt.timedelta(hours=1))
    with rk.stores.SqliteStore(db) as store:
        return to_stage(rk.Desk(team_policy(), store=store, clock=clock), clock)


def add(cli: Callable[..., Ran], *extra: str, actor: str = "maria") -> Ran:
    """`releasekit freeze add NAME --until UNTIL --reason ...` at NOW, as *actor*."""
    return cli(
        "--actor",
        actor,
        "--now",
        NOW,
        "freeze",
        "add",
        "incident-42",
        "--until",
        UNTIL,
        "--reason",
        "payments are failing",
        *extra,
    )


def in_a_process(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m releasekit ARGV` as another tool would: in a process of its own."""
    environ = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT}
    return subprocess.run(  # noqa: S603  # our own command, with our own arguments
        [sys.executable, "-m", "releasekit", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=environ,
        timeout=60,
    )


# -- the done-when: every tool sees it -----------------------------------------------------


def test_a_freeze_from_the_command_line_shows_in_every_tools_explain(
    cli: Callable[..., Ran], staged: str, db: Path, tmp_path: Path
) -> None:
    """Declared on the command line: another process, status, plan, windows and a desk see it."""
    ok(add(cli))

    explained = in_a_process("--db", str(db), "--now", NOW, "explain", staged, cwd=tmp_path)
    status = ok(cli("--now", NOW, "status", staged)).out
    plan = ok(cli("--now", NOW, "--json", "plan", staged)).json
    windows = ok(cli("--now", NOW, "windows")).out
    with rk.stores.SqliteStore(db) as store:
        desk = rk.Desk(team_policy(), store=store, clock=rk.FixedClock(SATURDAY))
        blockers = desk.explain(staged).blockers

    assert (1, "") == (explained.returncode, explained.stderr)
    assert (
        "  [incident-42-freeze] production is frozen at Sat 2026-11-28 09:30 UTC by the "
        "incident-42 freeze (payments are failing), declared by maria at Sat 2026-11-28 09:30 "
        "UTC, until Sat 2026-11-28 13:00 UTC"
    ) in explained.stdout
    assert "only time blocks it: allowed from Sun 2026-11-29 09:00 UTC" in explained.stdout
    assert "stage -> production: blocked (1); ask maria;" in status
    assert ("2026-11-29T09:00:00+00:00", ["frozen", "closed"]) == (
        plan["earliest_production"],
        [wait["reason"] for wait in plan["steps"][0]["waits"]],
    )
    assert (
        "    frozen Sat 2026-11-28 09:30 UTC to Sat 2026-11-28 12:00 UTC by incident-42-freeze "
        "(payments are failing)"
    ) in windows.splitlines()
    assert ["incident-42-freeze"] == [blocker.code for blocker in blockers]


def test_windows_json_names_who_declared_a_freeze_and_whom_it_spares(
    cli: Callable[..., Ran], team: Path
) -> None:
    """The declared freeze is listed with the policy's, lifted for hotfixes."""
    del team
    ok(add(cli))

    document = ok(cli("--now", NOW, "--json", "windows")).json

    (freeze,) = document["freezes"]
    assert ("incident-42-freeze", "maria", ["normal"], ["hotfix"]) == (
        freeze["code"],
        freeze["declared_by"],
        freeze["applies_to"],
        freeze["lifted_for"],
    )
    assert {"normal": "2026-11-29T09:00:00+00:00", "hotfix": NOW.replace("Z", ":00+00:00")} == (
        document["earliest"]
    )


# -- add, list, lift, history ---------------------------------------------------------------


def test_add_list_and_lift_answer_in_json(cli: Callable[..., Ran], team: Path) -> None:
    """Each action answers one JSON document; a lifted freeze is no longer listed."""
    del team
    added = ok(add(cli, "--json", "--kinds", "normal", "hotfix")).json["freeze"]
    listed = ok(cli("--now", NOW, "--json", "freeze", "list")).json
    lift = ("freeze", "lift", "incident-42", "--reason", "ok")
    lifted = ok(cli("--actor", "MK", "--now", NOW, "--json", *lift)).json
    after = ok(cli("--now", NOW, "--json", "freeze", "list")).json

    assert (["hotfix", "normal"], ["production"], True) == (
        added["kinds"],
        added["closes"],
        added["in_force"],
    )
    assert [added] == listed["freezes"]
    assert ("maria", "ok", "incident-42") == (
        lifted["lifted_by"],
        lifted["reason"],
        lifted["freeze"]["name"],
    )
    assert [] == after["freezes"]


def test_add_says_what_is_closed_and_who_goes_through(cli: Callable[..., Ran], team: Path) -> None:
    """The text names what closes, for whom, until when, and how to stop hotfixes too."""
    del team

    out = ok(add(cli)).out.splitlines()

    assert [
        (
            "declared incident-42: production closed to normal releases from "
            "Sat 2026-11-28 09:30 UTC until Sat 2026-11-28 13:00 UTC, by maria "
            "(payments are failing)"
        ),
        "hotfix releases go through (declare it with --kinds normal hotfix to stop them too)",
        (
            "every tool on this store now obeys it; end it early with "
            "`releasekit freeze lift incident-42 --reason ...`"
        ),
    ] == out


def test_history_lists_every_declaration_and_lift(cli: Callable[..., Ran], team: Path) -> None:
    """freeze history shows who declared and lifted what, and why."""
    del team
    ok(add(cli))
    ok(cli("--actor", "maria", "--now", NOW, "freeze", "lift", "incident-42", "--reason", "fixed"))

    document = ok(cli("--json", "freeze", "history")).json

    assert [("freeze-declared", "maria"), ("freeze-lifted", "maria")] == [
        (event["action"], event["actor"]) for event in document["events"]
    ]


def test_a_reason_holding_controls_is_shown_escaped(cli: Callable[..., Ran], team: Path) -> None:
    """A reason with a newline or an escape sequence stays on its row, every character visible."""
    del team
    reason = "payments\nfail \x1b[2J"
    ok(
        cli(
            "--actor", "maria", "--now", NOW,
            "freeze", "add", "incident-42", "--until", UNTIL, "--reason", reason,
        )
    )  # fmt: skip

    text = ok(cli("--now", NOW, "freeze", "list")).out
    document = ok(cli("--now", NOW, "--json", "freeze", "list")).json

    assert 2 == len(text.splitlines())
    assert "\x1b" not in text
    assert reason == document["freezes"][0]["reason"]


def test_verify_checks_the_freezes_history(cli: Callable[..., Ran], team: Path, db: Path) -> None:
    """verify lists the declared freezes' history, and exits 1 once it was edited by hand."""
    del team
    ok(add(cli))
    checked = ok(cli("verify")).out
    one = ok(cli("--json", "verify", "freezes:declared")).json["histories"]

    with sqlite3.connect(db) as file:
        file.execute("UPDATE streams SET snapshot = '{\"freezes\":[]}'")
    file.close()
    tampered = cli("--now", NOW, "freeze", "list")
    verified = cli("verify")

    assert "freezes:declared: ok, 1 events" in checked
    assert [("freezes:declared", True, 1)] == [(h["stream"], h["ok"], h["events"]) for h in one]
    assert 1 == tampered.code
    assert "does not match its history" in tampered.err
    assert 1 == verified.code
    assert "freezes:declared: TAMPERED" in verified.out


# -- refusals ---------------------------------------------------------------------------------


def test_someone_not_in_the_role_is_refused_and_no_store_is_created(
    cli: Callable[..., Ran], team: Path, db: Path
) -> None:
    """ivan may not declare: exit 1, the sentence names who may, and no file appears."""
    del team

    ran = add(cli, actor="ivan")

    assert (1, False) == (ran.code, db.exists())
    assert "ivan may not declare a freeze: policy 'reference' lets only maria" in ran.err


def test_a_stranger_is_refused_with_the_rosters_suggestion(
    cli: Callable[..., Ran], team: Path
) -> None:
    """A name on nobody's entry exits 1 suggesting the closest one, and --json says who."""
    del team

    ran = add(cli, "--json", actor="Marja")

    assert (1, ["maria"]) == (ran.code, ran.json["error"]["suggestions"])


def test_the_same_name_in_capitals_is_the_same_declarer(
    cli: Callable[..., Ran], team: Path
) -> None:
    """--actor ' MARIA ' declares as maria."""
    del team

    assert "maria" == ok(add(cli, "--json", actor=" MARIA ")).json["freeze"]["declared_by"]


def test_a_lift_by_someone_not_allowed_is_refused(cli: Callable[..., Ran], team: Path) -> None:
    """ivan's lift exits 1; the freeze is still listed."""
    del team
    ok(add(cli))

    ran = cli("--actor", "ivan", "--now", NOW, "freeze", "lift", "incident-42", "--reason", "go")
    listed = ok(cli("--now", NOW, "--json", "freeze", "list")).json

    assert (1, ["incident-42"]) == (ran.code, [item["name"] for item in listed["freezes"]])


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (("--until", "2026-11-28T09:00Z"), "is not in the future"),
        (("--from", "2026-11-28T14:00Z"), "is not after the freeze's start"),
        (("--until", "2026-11-28T19:00"), "has no time zone"),
        (("--until", "2301-01-01T00:00Z"), "outside the years releasekit reckons with"),
        (("--from", "yesterday"), "is not an ISO 8601 instant"),
        (("--kinds", "urgent"), "invalid choice: 'urgent'"),
        (("--environment", "nowhere"), "'nowhere' is not an environment of policy"),
    ],
)
def test_times_and_values_that_cannot_be_used_exit_2_and_create_nothing(
    cli: Callable[..., Ran], team: Path, db: Path, extra: tuple[str, ...], said: str
) -> None:
    """An end in the past, before the start, naive or out of bounds; a bad kind or place."""
    del team

    ran = add(cli, *extra)

    assert (2, False) == (ran.code, db.exists())
    assert said in ran.err


def test_a_second_freeze_with_the_same_name_exits_2(cli: Callable[..., Ran], team: Path) -> None:
    """While incident-42 holds, another incident-42 is refused."""
    del team
    ok(add(cli))

    ran = add(cli, actor="mk")

    assert (2, True) == (ran.code, "already declared, by maria" in ran.err)


def test_lifting_a_freeze_that_does_not_exist_exits_2(
    cli: Callable[..., Ran], team: Path, db: Path
) -> None:
    """Nothing to lift: exit 2, and no store is created for it."""
    del team

    ran = cli("--actor", "maria", "--now", NOW, "freeze", "lift", "incident-42", "--reason", "x")

    assert (2, False) == (ran.code, db.exists())
    assert "no declared freeze named 'incident-42' is in force or to come" in ran.err


def test_list_with_no_store_says_there_is_nothing(cli: Callable[..., Ran], db: Path) -> None:
    """With no freeze declared, list says so and points at the policy's freezes."""
    ran = ok(cli("--now", NOW, "freeze", "list"))

    assert (False, True) == (db.exists(), "`releasekit windows` shows the policy's" in ran.out)
