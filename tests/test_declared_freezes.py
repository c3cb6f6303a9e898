"""Freezes declared on the spot on a desk: who may, what they hold back, and their history."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pendulum
import psycopg
import pytest

import releasekit as rk
from declared import FRIDAY, SATURDAY, team_policy, to_stage
from releasekit._actions import declared_freezes

if TYPE_CHECKING:
    from conftest import Backend

STREAM = declared_freezes.STREAM


@pytest.fixture(name="path")
def fixture_path(tmp_path: Path) -> Path:
    """Where the team's SQLite store lives."""
    return tmp_path / "releases.db"


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    """An hour before Saturday's window is half an hour old."""
    return rk.FixedClock(SATURDAY - dt.timedelta(hours=1))


@pytest.fixture(name="desk")
def fixture_desk(path: Path, clock: rk.FixedClock) -> rk.Desk:
    """The team's desk on its SQLite file."""
    return rk.Desk(team_policy(), store=rk.stores.SqliteStore(path), clock=clock)


@pytest.fixture(name="staged")
def fixture_staged(desk: rk.Desk, clock: rk.FixedClock) -> str:
    """A normal release at stage with everything production asks for, at Saturday 09:30."""
    release_id = to_stage(desk, clock)
    clock.set(SATURDAY)
    return release_id


def declare(desk: rk.Desk, **changes: object) -> rk.DeclaredFreeze:
    """Declare incident-42, an hour long from now, as maria."""
    asked: dict[str, object] = {
        "until": desk.clock.now() + dt.timedelta(hours=1),
        "reason": "payments are failing",
        "by": "maria",
    }
    asked.update(changes)
    name = str(asked.pop("name", "incident-42"))
    return desk.freezes.declare(name, **asked)  # type: ignore[arg-type]  # the test's values


def histories(path: Path) -> list[tuple[str, int]]:
    """Every history in the store and its length, read from the file itself."""
    with sqlite3.connect(path) as file:
        return file.execute(
            "SELECT stream, count(*) FROM events GROUP BY stream ORDER BY stream"
        ).fetchall()


# -- what a declared freeze holds back ---------------------------------------------------


def test_a_declared_freeze_refuses_a_normal_release_naming_who_declared_it(
    desk: rk.Desk, staged: str
) -> None:
    """A promotion inside the freeze is refused with its name, reason, declarer and end."""
    declare(desk)

    with pytest.raises(rk.exceptions.PromotionRefusedError) as refused:
        desk.promote(staged, by="anton", to="production")

    (blocker,) = refused.value.blockers
    assert ("incident-42-freeze", "stage") == (blocker.code, desk.get(staged).state)
    assert (
        "production is frozen at Sat 2026-11-28 09:30 UTC by the incident-42 freeze (payments "
        "are failing), declared by maria at Sat 2026-11-28 09:30 UTC, until Sat 2026-11-28 "
        "10:30 UTC"
    ) == blocker.message
    assert (SATURDAY + dt.timedelta(hours=1), ("maria",)) == (blocker.earliest, blocker.people)


def test_a_second_desk_on_the_same_file_explains_and_plans_around_it(
    desk: rk.Desk, staged: str, path: Path, clock: rk.FixedClock
) -> None:
    """Another tool's desk on the same SQLite file sees the freeze in explain and plan."""
    declare(desk)

    other = rk.Desk(team_policy(), store=rk.stores.SqliteStore(path), clock=clock)
    explanation = other.explain(staged)
    plan = other.plan(staged)

    assert ["incident-42-freeze"] == [blocker.code for blocker in explanation.blockers]
    assert SATURDAY + dt.timedelta(hours=1) == explanation.earliest == plan.earliest_production
    assert ["incident-42-freeze"] == [wait.code for wait in plan.steps[-1].waits]


def test_the_window_blocker_forecasts_past_a_freeze_over_the_next_opening(
    path: Path,
) -> None:
    """On Friday, a freeze over Saturday's whole window makes the window wait until Sunday."""
    clock = rk.FixedClock(FRIDAY - dt.timedelta(hours=1))
    desk = rk.Desk(team_policy(), store=rk.stores.SqliteStore(path), clock=clock)
    staged = to_stage(desk, clock)
    clock.set(FRIDAY)
    declare(desk, start=SATURDAY - dt.timedelta(hours=2), until=SATURDAY + dt.timedelta(hours=4))

    (window,) = desk.explain(staged).blockers

    sunday = pendulum.datetime(2026, 11, 29, 9, tz="UTC")
    assert ("production-window", sunday) == (window.code, window.earliest)
    assert sunday == desk.plan(staged).earliest_production


def test_a_hotfix_goes_through_a_freeze_declared_for_normal_releases(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """By default a declared freeze is lifted for hotfixes, and their explanation says so."""
    hotfix = to_stage(desk, clock, kind="hotfix", version="2.4.1")
    clock.set(SATURDAY)
    declare(desk)

    explanation = desk.explain(hotfix)

    assert (True, ("production-window", "incident-42-freeze")) == (
        explanation.allowed,
        explanation.lifted,
    )


def test_a_freeze_declared_for_hotfixes_too_holds_them_back(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """Naming both kinds stops hotfixes as well; the hint then offers no hotfix."""
    hotfix = to_stage(desk, clock, kind="hotfix", version="2.4.1")
    clock.set(SATURDAY)
    declare(desk, kinds=["normal", "hotfix"])

    (blocker,) = desk.explain(hotfix).blockers

    assert "incident-42-freeze" == blocker.code
    assert "hotfix release" not in blocker.hint


def test_a_freeze_may_close_another_environment(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """A freeze naming stage holds a release back from stage, not from production."""
    release = desk.start("2.5.0", by="anton")
    declare(desk, environments=["stage"], until=clock.now() + dt.timedelta(days=1))

    stage = desk.freezes.policy().step_from("normal", "sandbox")
    production = desk.freezes.policy().step_from("normal", "stage")

    assert stage is not None
    assert production is not None
    assert "incident-42-freeze" in [guard.code for guard in stage.guards]
    assert "incident-42-freeze" not in [guard.code for guard in production.guards]
    assert "sandbox-anton" == desk.get(release.id).state


def test_a_freeze_ends_by_itself(desk: rk.Desk, staged: str, clock: rk.FixedClock) -> None:
    """Once its end has come, the release goes, and the freeze is no longer listed."""
    declare(desk)
    clock.set(SATURDAY + dt.timedelta(hours=1))

    moved = desk.promote(staged, by="anton", to="production")

    assert ("production", []) == (moved.state, desk.freezes.list())


def test_a_freeze_to_come_is_listed_and_holds_only_from_its_start(
    desk: rk.Desk, staged: str
) -> None:
    """A freeze declared for later is listed now, and the release may still go now."""
    later = declare(
        desk, start=SATURDAY + dt.timedelta(hours=2), until=SATURDAY + dt.timedelta(hours=5)
    )

    assert ([later], False) == (desk.freezes.list(), later.holds(SATURDAY))
    assert desk.explain(staged).allowed


# -- who may ------------------------------------------------------------------------------


def test_someone_not_in_the_role_may_not_declare_and_nothing_is_written(
    desk: rk.Desk, path: Path
) -> None:
    """ivan holds no operator role: refused, naming who may, and the store is as it was."""
    before = histories(path)

    with pytest.raises(rk.exceptions.NotPermittedError) as refused:
        declare(desk, by="ivan")

    assert (("maria",), "declare a freeze") == (refused.value.allowed, refused.value.action)
    assert "lets only maria declare or lift freezes (freeze_declarers: @operator)" in str(
        refused.value
    )
    assert before == histories(path)


@pytest.mark.parametrize("spelled", ["MARIA", " maria ", "Maria", "MK"])
def test_the_same_person_however_typed_may_declare(desk: rk.Desk, spelled: str) -> None:
    """Capitals, spaces and an alias name maria, who is recorded by her name."""
    assert "maria" == declare(desk, by=spelled).declared_by


def test_a_stranger_is_refused_with_the_rosters_suggestion(desk: rk.Desk, path: Path) -> None:
    """A name on nobody's entry is refused, suggesting the closest person."""
    before = histories(path)

    with pytest.raises(rk.exceptions.UnknownPersonError) as refused:
        declare(desk, by="marja")

    assert ("maria",) == refused.value.suggestions
    assert before == histories(path)


def test_without_declarers_nobody_may_declare() -> None:
    """A policy naming no freeze declarers refuses everyone, saying how to allow someone."""
    desk = rk.Desk(rk.reference_policy(), clock=rk.FixedClock(SATURDAY))

    with pytest.raises(
        rk.exceptions.NotPermittedError, match="lets nobody declare or lift freezes"
    ):
        declare(desk, by="anton")


def test_without_a_roster_the_declarers_are_people_as_typed() -> None:
    """Without a roster, freeze_declarers names people, compared as identities."""
    policy = rk.reference_policy(freeze_declarers=[" Maria "])
    desk = rk.Desk(policy, clock=rk.FixedClock(SATURDAY))

    assert ("maria", "maria") == (policy.declarers[0], declare(desk, by="MARIA").declared_by)


def test_a_freeze_lifted_by_someone_not_allowed_stays(desk: rk.Desk) -> None:
    """ivan may not lift maria's freeze; it still holds."""
    declared = declare(desk)

    with pytest.raises(rk.exceptions.NotPermittedError):
        desk.freezes.lift("incident-42", by="ivan", reason="I need to release")

    assert [declared] == desk.freezes.list()


# -- what a declaration may say -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"until": SATURDAY - dt.timedelta(minutes=1)}, "until"),
        ({"until": SATURDAY}, "until"),
        (
            {"start": SATURDAY + dt.timedelta(hours=2), "until": SATURDAY + dt.timedelta(hours=1)},
            "until",
        ),
        ({"name": "Incident 42"}, "name"),
        ({"name": "-x"}, "name"),
        ({"reason": "  "}, "reason"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["urgent"]}, "kinds"),
        ({"environments": ["nowhere"]}, "environments"),
        ({"environments": ["sandbox-anton"]}, "environments"),
    ],
)
def test_a_declaration_that_cannot_be_used_is_refused_and_writes_nothing(
    desk: rk.Desk, staged: str, path: Path, changes: dict[str, object], field: str
) -> None:
    """An end in the past or before the start, a bad name, reason, kind or environment."""
    before = histories(path)

    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        declare(desk, **changes)

    assert (field, before) == (refused.value.field, histories(path))
    assert desk.explain(staged).allowed


@pytest.mark.parametrize("field", ["until", "start"])
def test_a_naive_time_is_refused(desk: rk.Desk, field: str) -> None:
    """An instant without a time zone is never guessed."""
    naive = dt.datetime(2026, 11, 28, 11, 0)  # noqa: DTZ001  # the naive time refused

    with pytest.raises(rk.exceptions.NaiveDatetimeError) as refused:
        declare(desk, **{field: naive})

    assert field == refused.value.field


def test_a_second_freeze_with_the_same_name_is_refused_while_the_first_holds(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """The name is taken while the freeze holds or is to come; free again once it is lifted."""
    first = declare(desk)

    with pytest.raises(
        rk.exceptions.InvalidInputError, match="already declared, by maria"
    ) as refused:
        declare(desk, until=clock.now() + dt.timedelta(hours=3), by="mk")
    desk.freezes.lift("incident-42", by="maria", reason="payments work again")
    again = declare(desk, reason="payments fail again")

    assert ("name", [again]) == (refused.value.field, desk.freezes.list())
    assert first != again


def test_a_freeze_of_the_policy_cannot_be_declared_or_lifted_by_name(desk: rk.Desk) -> None:
    """Declaring a name the policy's freezes use, or lifting one of them, is refused."""
    policy = attrs.evolve(
        team_policy(),
        freezes=[
            rk.Freeze(
                name="christmas",
                reason="the office is closed",
                timezone="Europe/London",
                yearly=[rk.YearlyDates(first="12-24", last="12-26")],
            )
        ],
    )
    desk = rk.Desk(policy, store=desk.store, clock=desk.clock)

    with pytest.raises(rk.exceptions.InvalidInputError, match="is the name of a freeze of policy"):
        declare(desk, name="christmas")
    with pytest.raises(rk.exceptions.InvalidInputError, match="change the policy to lift it"):
        desk.freezes.lift("christmas", by="maria", reason="we want to release")


def test_lifting_a_freeze_that_does_not_exist_is_refused(desk: rk.Desk, path: Path) -> None:
    """Lifting a name no declared freeze has (or one that ended) changes nothing."""
    declare(desk)
    before = histories(path)

    with pytest.raises(
        rk.exceptions.InvalidInputError, match="no declared freeze named 'incident-43'"
    ):
        desk.freezes.lift("incident-43", by="maria", reason="typo")

    assert before == histories(path)


def test_a_lift_needs_a_reason(desk: rk.Desk) -> None:
    """A lift without a reason is refused: the history says why."""
    declare(desk)

    with pytest.raises(rk.exceptions.InvalidInputError, match="say why the freeze is lifted"):
        desk.freezes.lift("incident-42", by="maria", reason=" ")


# -- the history --------------------------------------------------------------------------


def test_declaring_and_lifting_are_events_of_a_verified_history(desk: rk.Desk, staged: str) -> None:
    """Each declaration and lift is one event, by whom and why; verify_all checks them."""
    declare(desk)
    desk.freezes.lift("incident-42", by="MK", reason="payments work again")

    events = desk.freezes.history()
    verified = {item.stream: item for item in desk.verify_all()}

    assert [
        ("freeze-declared", "maria", "payments are failing"),
        ("freeze-lifted", "maria", "payments work again"),
    ] == [(event.action.value, event.actor, event.reason) for event in events]
    assert (True, 2) == (verified[STREAM].ok, verified[STREAM].events)
    assert verified[staged].ok
    assert desk.explain(staged).allowed


def test_the_history_replays_to_the_stored_freezes(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """Replaying the events gives the freezes stored, ended ones dropped at each write."""
    declare(desk, name="short", until=clock.now() + dt.timedelta(minutes=5))
    clock.set(clock.now() + dt.timedelta(minutes=10))
    kept = declare(desk, name="long")

    assert (kept,) == declared_freezes.replay(desk.freezes.history())
    assert [kept] == desk.freezes.list()


def test_two_tools_declaring_in_turn_keep_every_freeze(
    desk: rk.Desk, path: Path, clock: rk.FixedClock
) -> None:
    """A desk that read the freezes before another tool declared one adds its own to both."""
    other = rk.Desk(team_policy(), store=rk.stores.SqliteStore(path), clock=clock)
    declare(desk, name="first")
    declare(other, name="second")
    declare(desk, name="third")

    assert ["first", "second", "third"] == [item.name for item in other.freezes.list()]
    assert [True] == [item.ok for item in desk.verify_all()]


def forge(path: Path, statement: str, *values: object) -> None:
    """Run one statement on the file by hand, as someone with access to it might."""
    file = sqlite3.connect(path, isolation_level=None)
    try:
        file.execute("DROP TRIGGER IF EXISTS events_are_append_only_on_update")
        file.execute(statement, values)
    finally:
        file.close()


@pytest.mark.parametrize(
    ("statement", "values"),
    [
        ("UPDATE streams SET snapshot = ? WHERE stream = ?", (json.dumps({"freezes": []}), STREAM)),
        (
            "UPDATE events SET data = json_set(data, '$.until', ?) WHERE stream = ?",
            ("2026-11-28T09:31:00+00:00", STREAM),
        ),
    ],
    ids=["state-emptied", "event-shortened"],
)
def test_an_edited_freeze_history_is_refused_before_it_is_acted_on(  # noqa: PLR0917  # fixtures
    desk: rk.Desk,
    staged: str,
    path: Path,
    clock: rk.FixedClock,
    statement: str,
    values: tuple[object, ...],
) -> None:
    """A freeze removed or shortened by hand never lets a release through; verify names it."""
    declare(desk)
    forge(path, statement, *values)
    other = rk.Desk(team_policy(), store=rk.stores.SqliteStore(path), clock=clock)

    with pytest.raises(rk.exceptions.HistoryTamperedError) as tampered:
        other.promote(staged, by="anton", to="production")

    verified = {item.stream: item for item in other.verify_all()}
    assert (STREAM, False) == (tampered.value.stream, verified[STREAM].ok)
    assert "stage" == other.get(staged).state


def test_a_deleted_freeze_state_is_refused_by_every_tool_and_reported_by_verify(
    desk: rk.Desk, staged: str, path: Path, clock: rk.FixedClock
) -> None:
    """Whoever reads the freezes after their state was deleted is refused, even a new tool."""
    declare(desk)
    assert not desk.explain(staged).allowed
    forge(path, "DELETE FROM streams WHERE stream = ?", STREAM)
    other = rk.Desk(team_policy(), store=rk.stores.SqliteStore(path), clock=clock)

    with pytest.raises(rk.exceptions.HistoryTamperedError):
        desk.promote(staged, by="anton", to="production")
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        other.freezes.list()
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        declare(other, name="incident-43")
    with pytest.raises(rk.exceptions.HistoryTamperedError, match="state is gone while its history"):
        other.explain(staged)
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        other.promote(staged, by="anton", to="production")

    verified = {item.stream: item for item in other.verify_all()}
    assert (False, "stage") == (verified[STREAM].ok, desk.get(staged).state)


def test_a_desk_that_read_the_freezes_notices_their_state_edited_since(
    desk: rk.Desk, staged: str, path: Path
) -> None:
    """A long-running tool checks the stored state against its history on every read."""
    declare(desk)
    assert not desk.explain(staged).allowed

    forge(path, "UPDATE streams SET snapshot = ? WHERE stream = ?", '{"freezes":[]}', STREAM)

    with pytest.raises(rk.exceptions.HistoryTamperedError, match="does not match its history"):
        desk.promote(staged, by="anton", to="production")


def test_a_declared_freeze_survives_the_converter(desk: rk.Desk) -> None:
    """A declared freeze, stored and read back, is the freeze declared."""
    declared = declare(desk, kinds=["hotfix", "normal"], environments=["stage", "production"])
    other = rk.Desk(team_policy(), store=desk.store, clock=desk.clock)

    assert [declared] == other.freezes.list()
    assert (rk.ReleaseKind.HOTFIX, rk.ReleaseKind.NORMAL) == declared.kinds


# -- the policy says who may ---------------------------------------------------------------


def test_freeze_declarers_naming_no_one_on_the_roster_is_a_policy_error() -> None:
    """A role no one holds (or a name no one goes by) is refused when the policy is built."""
    with pytest.raises(rk.exceptions.PolicyError) as refused:
        attrs.evolve(team_policy(), freeze_declarers=["@oprator", "maria"])

    assert (
        (
            "freeze_declarers names '@oprator', but no one on the roster goes by that name or "
            "holds that role (did you mean 'operator'?); give someone the role under [people], "
            "or name the people who may declare freezes"
        ),
    ) == tuple(refused.value.problems)


def test_a_role_without_a_roster_is_a_policy_error() -> None:
    """Without a roster nothing says who holds a role."""
    with pytest.raises(
        rk.exceptions.PolicyError, match="'@operator', a role, but the policy has no roster"
    ):
        rk.reference_policy(freeze_declarers=["@operator"])


def test_a_policy_file_names_its_freeze_declarers() -> None:
    """freeze_declarers is a top-level key; a label that is no name is reported with its path."""
    policy = team_policy()
    broken = 'freeze_declarers = ["maria", "\\u0007"]\n' + rk.reference_policy_file()

    with pytest.raises(rk.exceptions.PolicyFileError) as refused:
        rk.loads_policy(broken)

    assert (("@operator",), ("maria",)) == (policy.freeze_declarers, policy.declarers)
    assert refused.value.problems[0].startswith("freeze_declarers[1]: freeze_declarers ")


# -- every durable store -------------------------------------------------------------------


def test_every_store_shares_a_declared_freeze_and_refuses_it_removed_by_hand(
    durable_backend: Backend,
) -> None:
    """On SQLite and PostgreSQL, a second handle obeys the freeze, and refuses it deleted."""
    clock = rk.FixedClock(SATURDAY - dt.timedelta(hours=1))
    desk = rk.Desk(team_policy(), store=durable_backend.open(), clock=clock)
    staged = to_stage(desk, clock)
    clock.set(SATURDAY)
    declare(desk)

    other = rk.Desk(team_policy(), store=durable_backend.open(), clock=clock)
    codes = [blocker.code for blocker in other.explain(staged).blockers]
    if durable_backend.kind == "sqlite":
        forge(Path(durable_backend.location), "DELETE FROM streams WHERE stream = ?", STREAM)
    else:
        with psycopg.connect(durable_backend.location, autocommit=True) as database:
            database.execute("DELETE FROM releasekit_streams WHERE stream = %s", (STREAM,))
    third = rk.Desk(team_policy(), store=durable_backend.open(), clock=clock)

    assert ["incident-42-freeze"] == codes
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        other.promote(staged, by="anton", to="production")
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        third.freezes.list()
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        third.promote(staged, by="anton", to="production")
    assert [False] == [item.ok for item in third.verify_all() if item.stream == STREAM]
    assert "stage" == third.get(staged).state
