"""The command with a roster: actors resolved, strangers refused, blockers naming people."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from releasekit.testing import walk_to

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

MORNING = "2026-11-27T11:00Z"  # a Friday
NOON = "2026-11-27T12:00Z"

PEOPLE = """
[people.anton]
aliases = ["toni"]
roles = ["developer", "team"]

[people.maria]
aliases = ["mk"]
roles = ["team"]

[people.ivan]
roles = ["team"]

[people.ci]
aliases = ["github-actions"]
roles = ["ci"]

[people."data-operator"]
roles = ["operator"]
"""


@pytest.fixture(name="roster_cli")
def fixture_roster_cli(cli: Callable[..., Ran], tmp_path: Path) -> Callable[..., Ran]:
    """The command, in a folder whose releasekit.toml is the reference policy with its people."""
    (tmp_path / "releasekit.toml").write_text(rk.reference_policy_file() + PEOPLE)
    return cli


def act(cli: Callable[..., Ran], actor: str, now: str, *argv: str) -> Ran:
    """Run a command as *actor* at *now*, and check it succeeded."""
    return ok(cli("--actor", actor, "--now", now, *argv))


def to_sandbox(db: Path) -> None:
    """2.4.0, with chart new, in tests from 11:00; tested at noon, when it enters sandbox."""
    policy = rk.loads_policy(rk.reference_policy_file() + PEOPLE)
    with rk.Desk.open(
        policy=policy, store=db, clock=rk.FixedClock(dt.datetime.fromisoformat(MORNING))
    ) as desk:
        release = desk.start(
            "2.4.0", by="anton", artifact=rk.Artifact(new_functionality=("chart",))
        )
        walk_to(desk, release, "tests", every=dt.timedelta(0))
        walk_to(
            desk,
            release,
            "sandbox",
            now=dt.datetime.fromisoformat(NOON),
            every=dt.timedelta(0),
            through_executors=True,
        )


# -- who acts -----------------------------------------------------------------------------


def test_an_unknown_actor_is_refused_with_a_suggestion(
    roster_cli: Callable[..., Ran], db: Path
) -> None:
    """A typo in --actor is refused (exit 1) naming who was meant; no store is created."""
    ran = roster_cli("--actor", "mraia", "--now", MORNING, "start", "2.4.0")

    assert (1, "") == (ran.code, ran.out)
    assert (
        "releasekit: no one called 'mraia' is on the roster; did you mean maria? (--actor: a "
        "person is named by a name or alias listed under [people] in the policy)\n"
    ) == ran.err
    assert not db.exists()


def test_an_unknown_actor_is_one_json_error(roster_cli: Callable[..., Ran]) -> None:
    """With --json: the error's type, field, suggestions and the roster, for a bot to act on."""
    ran = roster_cli("--json", "--actor", "Mraia", "--now", MORNING, "status")

    error = ran.json["error"]
    assert (1, "UnknownPersonError", 1, "actor", "mraia", ["maria"]) == (
        ran.code,
        error["type"],
        error["exit_code"],
        error["field"],
        error["actor"],
        error["suggestions"],
    )
    assert ["anton", "maria", "ivan", "ci", "data-operator"] == error["allowed"]


@pytest.mark.parametrize("name", ["-maria", "maria k", "MARIAA"])
def test_a_name_close_to_maria_s_is_not_maria(roster_cli: Callable[..., Ran], name: str) -> None:
    """Only her names and aliases are maria: a leading dash, a space, a letter more are not."""
    ran = roster_cli(f"--actor={name}", "--now", MORNING, "start", "2.4.0")

    assert 1 == ran.code
    assert "did you mean maria?" in ran.err


def test_a_name_holding_a_control_character_is_still_a_usage_error(
    roster_cli: Callable[..., Ran],
) -> None:
    """A name that is no name is refused as before (exit 2), before the roster is asked."""
    ran = roster_cli("--json", "--actor", "maria\nivan", "--now", MORNING, "status")

    assert (2, "InvalidInputError", "actor") == (
        ran.code,
        ran.json["error"]["type"],
        ran.json["error"]["field"],
    )


def test_the_actor_variable_and_by_are_checked_against_the_roster(
    roster_cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """$RELEASEKIT_ACTOR and record --by name people on the roster too."""
    act(roster_cli, "anton", MORNING, "start", "2.4.0")
    monkeypatch.setenv("RELEASEKIT_ACTOR", "ivna")

    by_variable = roster_cli("--now", MORNING, "status")
    monkeypatch.setenv("RELEASEKIT_ACTOR", "anton")
    by_option = roster_cli("--now", MORNING, "record", "2.4.0", "tests-written", "--by", "antn")

    assert (1, 1) == (by_variable.code, by_option.code)
    assert "no one called 'ivna' is on the roster; did you mean ivan?" in by_variable.err
    assert "($RELEASEKIT_ACTOR:" in by_variable.err
    assert "no one called 'antn' is on the roster; did you mean anton? (--by:" in by_option.err


def test_an_unknown_login_name_may_look_but_not_act(
    roster_cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """Without --actor, a login name off the roster can list releases, but not start one."""
    monkeypatch.setenv("LOGNAME", "zed")
    monkeypatch.setenv("USER", "zed")

    looked = roster_cli("--now", MORNING, "status")
    started = roster_cli("--now", MORNING, "start", "2.4.0")

    assert (0, 1) == (looked.code, started.code)
    assert "" == looked.err
    assert "no one called 'zed' is on the roster (anton, maria, ivan, ci, data-operator)" in (
        started.err
    )
    assert "(your login name:" in started.err
    assert not db.exists()


def test_an_unknown_login_name_may_ask_why_as_no_one_in_particular(
    roster_cli: Callable[..., Ran], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """explain only reads: a login name off the roster gets the blockers, none marked as theirs."""
    to_sandbox(db)
    monkeypatch.setenv("LOGNAME", "zed")
    monkeypatch.setenv("USER", "zed")

    ran = roster_cli("--json", "--now", NOON, "explain", "2.4.0")

    assert (1, [None, None]) == (ran.code, [b["can_clear"] for b in ran.json["blockers"]])
    assert ["signed-off", "logs-reviewed"] == [b["code"] for b in ran.json["blockers"]]


def test_an_alias_acts_and_is_recorded_as_its_person(roster_cli: Callable[..., Ran]) -> None:
    """toni starts 2.4.0 and github-actions runs its tests: the history says anton and ci."""
    act(roster_cli, "toni", MORNING, "start", "2.4.0", "--new", "chart")
    act(roster_cli, "anton", MORNING, "record", "2.4.0", "tests-written", "--covers", "chart")
    act(roster_cli, "anton", MORNING, "promote", "2.4.0")
    act(roster_cli, "github-actions", NOON, "run-tests", "2.4.0")
    act(roster_cli, "anton", NOON, "promote", "2.4.0")

    events = roster_cli("--json", "history", "2.4.0").json["events"]
    release = roster_cli("--json", "status", "2.4.0").json["release"]

    assert {"anton", "ci"} == {event["actor"] for event in events}
    assert ("anton", "ci") == (
        release["created_by"],
        next(item["by"] for item in release["evidence"] if item["type"] == "test-run"),
    )


# -- blockers name people -----------------------------------------------------------------


def test_explain_names_who_can_clear_each_blocker_and_marks_the_asker_s(
    roster_cli: Callable[..., Ran],
    db: Path,
) -> None:
    """maria (as mk) asking in sandbox: the team's blockers are hers to clear, and say so."""
    to_sandbox(db)

    ran = roster_cli("--actor", "mk", "--now", NOON, "explain", "2.4.0")
    document = roster_cli("--json", "--actor", "mk", "--now", NOON, "explain", "2.4.0").json

    lines = ran.out.splitlines()
    assert lines[2].startswith("* [signed-off] nobody has signed off the manual testing")
    assert lines[2].endswith("(unblocked by: team; ask anton, maria or ivan)")
    assert "* marks what maria can clear" == lines[-1]
    assert [
        ("signed-off", ["team"], ["anton", "maria", "ivan"], True),
        ("logs-reviewed", ["team"], ["anton", "maria", "ivan"], True),
    ] == [(b["code"], b["unblocked_by"], b["people"], b["can_clear"]) for b in document["blockers"]]


def test_explain_for_someone_who_cannot_clear_marks_nothing(
    roster_cli: Callable[..., Ran],
    db: Path,
) -> None:
    """ci holds no team role: the blockers name the team, and none is ci's."""
    to_sandbox(db)

    ran = roster_cli("--actor", "ci", "--now", NOON, "explain", "2.4.0")
    document = roster_cli("--json", "--actor", "ci", "--now", NOON, "explain", "2.4.0").json

    assert not any(line.startswith("*") for line in ran.out.splitlines())
    assert [False, False] == [blocker["can_clear"] for blocker in document["blockers"]]


def test_plan_and_status_name_the_people(roster_cli: Callable[..., Ran], db: Path) -> None:
    """The plan's blockers and owed evidence, and a release's status, name the people to ask."""
    to_sandbox(db)

    plan = roster_cli("--actor", "anton", "--now", NOON, "plan", "2.4.0")
    plan_json = roster_cli("--json", "--now", NOON, "plan", "2.4.0").json
    status_json = roster_cli("--json", "--now", NOON, "status", "2.4.0").json

    status = roster_cli("--now", NOON, "status", "2.4.0")

    assert "(unblocked by: team; ask anton, maria or ivan)" in plan.out
    assert (
        "    owes: [changes-reviewed] the changes of 2.4.0 have not been reviewed once more since "
        "it reached stage (by: team; ask maria or ivan; counts from Fri 2026-11-27 12:00 UTC)"
    ) in plan.out.splitlines()
    assert [
        ("signed-off", ["anton", "maria", "ivan"]),
        ("changes-reviewed", ["maria", "ivan"]),
    ] == [(owed["code"], owed["people"]) for owed in plan_json["steps"][1]["owed"]]
    assert (
        "  next:        sandbox -> stage: blocked (2); ask anton, maria or ivan; "
        "`releasekit explain 2.4.0`"
    ) in status.out.splitlines()
    later = plan_json["steps"][1]["blockers"][1]
    assert ("changes-reviewed", "not-deployed", ["anton", "maria", "ivan"], None) == (
        later["code"],
        later["reason"],
        later["people"],
        later["can_clear"],
    )
    assert [["anton", "maria", "ivan"], ["anton", "maria", "ivan"]] == [
        blocker["people"] for blocker in status_json["explanation"]["blockers"]
    ]


def test_a_refused_promotion_names_the_people(roster_cli: Callable[..., Ran]) -> None:
    """maria promoting in anton's sandbox: only anton may, and the reply says so."""
    act(roster_cli, "anton", MORNING, "start", "2.4.0", "--new", "chart")

    ran = roster_cli("--json", "--actor", "maria", "--now", MORNING, "promote", "2.4.0")

    assert 1 == ran.code
    assert [("owner-only", ["anton"]), ("new-tests-written", ["anton"])] == [
        (blocker["code"], blocker["people"]) for blocker in ran.json["blockers"]
    ]


# -- without a roster ---------------------------------------------------------------------


def test_without_a_roster_anyone_acts_and_no_one_is_named(cli: Callable[..., Ran]) -> None:
    """The reference policy has no roster: zed may ask, as before; blockers name no one."""
    act(cli, "anton", MORNING, "start", "2.4.0", "--new", "chart")

    text = cli("--actor", "zed", "--now", MORNING, "explain", "2.4.0")
    document = cli("--json", "--actor", "zed", "--now", MORNING, "explain", "2.4.0").json

    assert "(unblocked by: anton)" in text.out
    assert "ask" not in text.out.split("(unblocked by:")[1]
    assert [("owner-only", [], None), ("new-tests-written", [], None)] == [
        (b["code"], b["people"], b["can_clear"]) for b in document["blockers"]
    ]


# -- checking the file --------------------------------------------------------------------


def test_policy_check_lists_every_clash_of_the_roster(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """Two people sharing an alias and one listed twice: each on its line, exit 1."""
    clashing = PEOPLE.replace('[people.ivan]\nroles = ["team"]', '[people.ivan]\naliases = ["MK"]')
    (tmp_path / "releasekit.toml").write_text(
        rk.reference_policy_file() + clashing + "\n[people.Ivan]\n"
    )

    ran = cli("policy", "check")

    assert 1 == ran.code
    assert [
        "releasekit.toml: 2 problems:",
        (
            "  people: 'mk' names 2 entries of the roster (an alias of maria, an alias of ivan); "
            "a name or alias must name one person"
        ),
        (
            "  people: 'ivan' is on the roster 2 times; give each person one entry, with their "
            "other names as aliases"
        ),
    ] == ran.out.splitlines()


def test_policy_check_names_the_people(roster_cli: Callable[..., Ran]) -> None:
    """A valid file with a roster: the check says who is on it."""
    ran = roster_cli("policy", "check")
    document = roster_cli("--json", "policy", "check").json

    assert "  roster: anton, maria, ivan, ci, data-operator" == ran.out.splitlines()[1]
    assert ["anton", "maria", "ivan", "ci", "data-operator"] == document["policy"]["people"]
