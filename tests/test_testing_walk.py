"""releasekit.testing.walk_to: a release taken forward with what each step asks for."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum
import pytest

import releasekit as rk
from releasekit import executors
from releasekit.testing import walk_to

#: Friday 27 November 2026, 18:00 UTC: production is closed until Saturday 09:00.
FRIDAY_EVENING = pendulum.datetime(2026, 11, 27, 18, tz="UTC")
ARTIFACT = rk.Artifact(functions=("quote",), migrations=("0042",), new_functionality=("chart",))


@pytest.fixture(name="engine")
def fixture_engine() -> rk.Engine:
    """An engine for the reference policy."""
    return rk.Engine(rk.reference_policy())


def started(
    engine: rk.Engine, *, kind: str = "normal", artifact: rk.Artifact = ARTIFACT
) -> rk.Release:
    """A release of *kind* started by anton on Friday evening."""
    return engine.start(
        release_id="r1",
        version="2.4.0",
        kind=kind,
        by="anton",
        now=FRIDAY_EVENING,
        artifact=artifact,
    )


@pytest.mark.parametrize("target", ["tests", "sandbox", "stage", "production"])
def test_an_engine_walk_stops_where_it_was_asked_one_step_at_a_time(
    engine: rk.Engine, target: str
) -> None:
    """Every environment of the path up to the target, in order, and no further."""
    path = engine.policy.flow("normal").path

    release, _ = walk_to(engine, started(engine), target, now=FRIDAY_EVENING)

    assert list(path[1 : path.index(target) + 1]) == [move.target for move in release.moves]


def test_a_walk_into_production_waits_for_the_window(engine: rk.Engine) -> None:
    """Friday evening's walk enters production inside the window, on Saturday morning."""
    release, moment = walk_to(engine, started(engine), "production", now=FRIDAY_EVENING)

    production = release.moves[-1]
    assert rk.reference_policy().flow("normal").path[-1] == production.target
    assert rk.production_window().contains(production.at)
    assert (production.at, 6) == (moment, moment.isoweekday())


def test_a_hotfix_walk_does_not_wait_for_the_window(engine: rk.Engine) -> None:
    """The hotfix flow lifts the window: its walk ends on Friday evening."""
    path = engine.policy.flow("hotfix").path

    release, moment = walk_to(engine, started(engine, kind="hotfix"), path[-1], now=FRIDAY_EVENING)

    assert (path[-1], 5) == (release.state, moment.isoweekday())


def test_each_step_comes_every_so_often(engine: rk.Engine) -> None:
    """Evidence, then the move `every` later, then the next step's evidence `every` after that."""
    release, moment = walk_to(
        engine, started(engine), "sandbox", now=FRIDAY_EVENING, every=dt.timedelta(minutes=1)
    )

    assert [FRIDAY_EVENING.add(minutes=2), FRIDAY_EVENING.add(minutes=4)] == [
        move.at for move in release.moves
    ]
    assert FRIDAY_EVENING.add(minutes=4) == moment


def test_a_desk_walk_writes_every_step_and_moves_the_clock() -> None:
    """On a desk: the store holds the moves, the history verifies, the clock is where it ended."""
    clock = rk.FixedClock(FRIDAY_EVENING)
    desk = rk.Desk(
        rk.reference_policy(),
        store=rk.stores.MemoryStore(),
        executors=executors.dry_run(),
        clock=clock,
    )
    desk.start("2.4.0", by="anton", release_id="r1", artifact=ARTIFACT)

    release, moment = walk_to(desk, "r1", "stage")

    assert ("stage", moment) == (desk.get("r1").state, clock.now())
    assert release == desk.get("r1").release
    assert desk.verify("r1").ok


@pytest.mark.parametrize("target", ["sandbox-anton", "staging", "STAGE"])
def test_a_target_not_ahead_on_the_path_is_refused(engine: rk.Engine, target: str) -> None:
    """Where it already is, a name off the path, a name in capitals: refused, naming the path."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="not ahead of r1") as raised:
        walk_to(engine, started(engine), target, now=FRIDAY_EVENING)

    assert ("target", target) == (raised.value.field, raised.value.value)


def test_a_walk_never_goes_backwards(engine: rk.Engine) -> None:
    """A release in stage cannot be walked to tests."""
    release, moment = walk_to(engine, started(engine), "stage", now=FRIDAY_EVENING)

    with pytest.raises(rk.exceptions.InvalidInputError, match="it is in 'stage'"):
        walk_to(engine, release, "tests", now=moment)


def test_a_desk_on_the_real_clock_is_refused() -> None:
    """A walk moves the clock: a desk on the system clock is refused before anything is written."""
    desk = rk.Desk(
        rk.reference_policy(), store=rk.stores.MemoryStore(), executors=executors.dry_run()
    )
    desk.start("2.4.0", by="anton", release_id="r1", artifact=ARTIFACT)

    with pytest.raises(rk.exceptions.InvalidInputError, match="FixedClock"):
        walk_to(desk, "r1", "tests")
    assert 1 == desk.get("r1").revision


def test_a_step_evidence_cannot_clear_stops_the_walk_naming_why(engine: rk.Engine) -> None:
    """A test function in the artifact: the walk stops before stage and says what holds it."""
    release = started(engine, artifact=rk.Artifact(functions=("test_quote",)))

    with pytest.raises(rk.exceptions.InvalidInputError, match="cannot take") as raised:
        walk_to(engine, release, "production", now=FRIDAY_EVENING)

    assert "test_quote" in str(raised.value)


def test_evidence_comes_from_enough_people_of_the_roster_and_never_the_barred_author() -> None:
    """Two sign-offs not by the author, by people on the roster: the walk passes the gate."""
    roster = rk.Roster(
        people=[
            rk.Person(name="anton", aliases=["toni"]),
            rk.Person(name="maria", roles=["team"]),
            rk.Person(name="ivan", roles=["team"]),
            rk.Person(name="ci"),
        ]
    )
    gate = rk.guards.SignedOff(environment="tests", min_people=2, not_by=["author"])
    policy = rk.Policy(
        environments=[
            rk.Environment(name="tests", owners=["anton", "ivan", "maria"]),
            rk.Environment(name="live"),
        ],
        flows=[rk.Flow(kind="normal", path=["tests", "live"])],
        gates=[rk.Gate(environment="live", guards=[gate])],
        roster=roster,
    )
    engine = rk.Engine(policy)
    release = engine.start(
        release_id="r1", version="1.0", kind="normal", by="TONI", now=FRIDAY_EVENING
    )

    release, _ = walk_to(engine, release, "live", now=FRIDAY_EVENING)

    signers = [item.by for item in release.evidence if isinstance(item, rk.SignOff)]
    assert ("live", ["ivan", "maria"]) == (release.state, signers)


def test_a_desk_walk_through_executors_runs_the_tests_and_migrations_it_needs() -> None:
    """Tests run on tests and migrations on stage through the executors; no run is made up."""
    recorder = executors.DryRunExecutor()
    clock = rk.FixedClock(FRIDAY_EVENING)
    desk = rk.Desk(
        rk.reference_policy(),
        store=rk.stores.MemoryStore(),
        executors=executors.dry_run(recorder),
        clock=clock,
    )

    release, _ = walk_to(
        desk,
        desk.start("2.4.0", by="anton", kind="hotfix", artifact=ARTIFACT),
        "production",
        through_executors=True,
    )

    assert ["tests"] == [call.request.environment for call in recorder.calls_for("run-tests")]
    assert ["stage"] == [call.request.environment for call in recorder.calls_for("migrate")]
    assert (1, 1) == (
        len(release.evidence_of(rk.TestRun)),
        len(release.evidence_of(rk.MigrationRun)),
    )
    assert ("production", True) == (release.state, desk.verify(release.id).ok)


def test_a_walk_through_executors_that_waits_runs_each_once() -> None:
    """Waiting for Saturday's window records fresh evidence but does not migrate twice."""
    recorder = executors.DryRunExecutor()
    desk = rk.Desk(
        rk.reference_policy(),
        store=rk.stores.MemoryStore(),
        executors=executors.dry_run(recorder),
        clock=rk.FixedClock(FRIDAY_EVENING),
    )

    release, moment = walk_to(
        desk,
        desk.start("2.4.0", by="anton", artifact=ARTIFACT),
        "production",
        through_executors=True,
    )

    assert (1, 6) == (len(recorder.calls_for("migrate")), moment.isoweekday())
    assert "production" == release.state


def test_a_failing_test_run_stops_a_walk_through_executors() -> None:
    """Tests that fail are a result: the walk stops in tests, naming the failed run."""
    recorder = executors.DryRunExecutor()
    recorder.fail("run-tests", "3 tests failed")
    desk = rk.Desk(
        rk.reference_policy(),
        store=rk.stores.MemoryStore(),
        executors=executors.dry_run(recorder),
        clock=rk.FixedClock(FRIDAY_EVENING),
    )
    record = desk.start("2.4.0", by="anton", artifact=ARTIFACT)

    with pytest.raises(rk.exceptions.InvalidInputError, match="tests -> sandbox"):
        walk_to(desk, record, "sandbox", through_executors=True)

    assert "tests" == desk.get(record.id).state


def test_an_engine_walk_through_executors_is_refused(engine: rk.Engine) -> None:
    """An engine has no executors: asking it to run them is refused, not silently ignored."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="no executors") as raised:
        walk_to(  # type: ignore[call-overload]  # the mistake this test makes on purpose
            engine, started(engine), "sandbox", now=FRIDAY_EVENING, through_executors=True
        )

    assert "through_executors" == raised.value.field


def test_a_walk_into_an_owned_environment_is_promoted_by_its_owner() -> None:
    """Production owned by olga alone: she takes the last step, anton the ones before."""
    reference = rk.reference_policy()
    policy = reference.with_environments(
        attrs.evolve(env, owners=frozenset({"OLGA"})) if env.name == "production" else env
        for env in reference.environments
    )
    owned = rk.Engine(policy)

    release, _ = walk_to(owned, started(owned, kind="hotfix"), "production", now=FRIDAY_EVENING)

    assert ["anton", "anton", "anton", "olga"] == [move.by for move in release.moves]


def test_a_walk_every_zero_takes_each_step_at_the_moment_it_starts(engine: rk.Engine) -> None:
    """`every=0`: a hotfix is in production at the very moment the walk began."""
    release, moment = walk_to(
        engine,
        started(engine, kind="hotfix"),
        "production",
        now=FRIDAY_EVENING,
        every=dt.timedelta(0),
    )

    assert ([FRIDAY_EVENING] * 4, FRIDAY_EVENING) == ([move.at for move in release.moves], moment)


def test_a_walk_back_in_time_is_refused(engine: rk.Engine) -> None:
    """A negative `every` is refused before any step is taken."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="must not be negative") as raised:
        walk_to(
            engine, started(engine), "tests", now=FRIDAY_EVENING, every=dt.timedelta(minutes=-1)
        )

    assert "every" == raised.value.field
