"""Ended releases are ended everywhere: abandoned or rolled back, only reading is left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pendulum
import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from releasekit import executors, stores
from releasekit._interfaces.cli import ExitCode
from releasekit.testing import walk_to

if TYPE_CHECKING:
    from collections.abc import Callable

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
ARTIFACT = rk.Artifact(functions=("quote",), migrations=("0042_add_index",))


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock) -> rk.Desk:
    recorder = executors.DryRunExecutor(logs={"production": []})
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(recorder), clock=clock)


def stored(store: stores.Store) -> dict[str, list[stores.Event]]:
    """Everything a store holds: every history, event by event."""
    return {stream: store.events(stream) for stream in store.streams()}


def hotfix(desk: rk.Desk, version: str) -> rk.stores.Record:
    """A hotfix of *version*, migrations and all, started by anton."""
    return desk.start(version, by="anton", kind="hotfix", artifact=ARTIFACT)


def abandoned(desk: rk.Desk, clock: rk.FixedClock) -> rk.Release:
    """A release given up in stage, where tests, migrations and reviews all make sense."""
    release = desk.start("2.4.0", by="anton", kind="hotfix", artifact=ARTIFACT)
    desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now()))
    desk.promote(release.id, by="anton")
    desk.run_tests(release.id, by="ci")
    return desk.abandon(release.id, by="maria", reason="superseded by 2.4.1").release


def rolled_back(desk: rk.Desk, clock: rk.FixedClock) -> rk.Release:
    """The newer of two releases in production, rolled back."""
    walk_to(desk, hotfix(desk, "2.4.0"), "production")[0]
    clock.advance(hours=1)
    newer = walk_to(desk, hotfix(desk, "2.4.1"), "production")[0]
    clock.advance(minutes=10)
    return desk.roll_back(by="maria", reason="quotes are wrong", release_id=newer.id).rolled_back


#: Every action on a release that is not reading, as the desk offers it.
ACTIONS: dict[str, Callable[[rk.Desk, rk.Release], Any]] = {
    "record evidence": lambda desk, release: desk.add_evidence(
        release.id, rk.ChangeReview(by="ivan", at=desk.clock.now(), version=release.version)
    ),
    "run the tests": lambda desk, release: desk.run_tests(release.id, by="ci", environment="tests"),
    "run migrations": lambda desk, release: desk.migrate(release.id, by="ci", environment="stage"),
    "promote it": lambda desk, release: desk.promote(release.id, by="maria"),
    "abandon it": lambda desk, release: desk.abandon(release.id, by="maria"),
    "resume a step": lambda desk, release: desk.resume(release.id, by="maria"),
    "abandon a step": lambda desk, release: desk.abandon_attempt(
        release.id, by="maria", reason="x"
    ),
    "record a review of the logs": lambda desk, release: desk.review_logs(
        release.id, desk.collect_logs(release.id), by="ivan", verdict="clean"
    ),
    "check its logs": lambda desk, release: desk.check_production(release.id, by="log-monitor"),
    "roll it back": lambda desk, release: desk.roll_back(
        by="maria", reason="again", release_id=release.id
    ),
}

#: What the last environment still does for a release that finished its flow there.
PRODUCTION_ONLY = {"resume a step", "abandon a step", "check its logs", "roll it back"}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("ending", [abandoned, rolled_back], ids=["abandoned", "rolled-back"])
def test_every_action_on_an_ended_release_is_refused_and_changes_nothing(
    desk: rk.Desk,
    clock: rk.FixedClock,
    ending: Callable[[rk.Desk, rk.FixedClock], rk.Release],
    action: str,
) -> None:
    """One ReleaseEndedError naming the release, its state and the action; the store unchanged."""
    release = ending(desk, clock)
    before = stored(desk.store)

    with pytest.raises(rk.exceptions.ReleaseEndedError) as refused:
        ACTIONS[action](desk, release)

    assert (release.id, release.state, action, True, before) == (
        refused.value.release_id,
        refused.value.state,
        refused.value.action,
        refused.value.ended,
        stored(desk.store),
    )


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - PRODUCTION_ONLY))
def test_a_release_in_production_takes_no_further_flow_action(desk: rk.Desk, action: str) -> None:
    """Evidence, tests, migrations, promotion, abandoning: refused once the flow is finished."""
    release = walk_to(desk, hotfix(desk, "2.4.0"), "production")[0]
    before = stored(desk.store)

    with pytest.raises(
        rk.exceptions.ReleaseEndedError, match="finished its flow in production"
    ) as refused:
        ACTIONS[action](desk, release)

    assert ("production", action, False, before) == (
        refused.value.state,
        refused.value.action,
        refused.value.ended,
        stored(desk.store),
    )


def test_a_release_in_production_is_still_checked_and_rolled_back(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """Monitoring, log checks, attention items and the rollback go on in production."""
    walk_to(desk, hotfix(desk, "2.4.0"), "production")[0]
    clock.advance(hours=1)
    release = walk_to(desk, hotfix(desk, "2.4.1"), "production")[0]
    clock.advance(hours=1)

    check = desk.check_production(release.id, by="log-monitor")
    due = desk.monitoring(release.id)
    back = desk.roll_back(by="maria", reason="quotes are wrong", release_id=release.id)

    assert (False, release.id, "rolled-back") == (check.bad, due.release_id, back.rolled_back.state)


def test_an_ended_release_can_still_be_read(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """Record, history, verification, explanation and plan all answer: it is finished."""
    release = abandoned(desk, clock)

    explanation = desk.explain(release.id)
    assert ("abandoned", True, True, (), "abandoned") == (
        desk.get(release.id).state,
        desk.verify(release.id).ok,
        explanation.finished,
        desk.plan(release.id).steps,
        desk.history(release.id)[-1].action.value,
    )


def test_the_engine_refuses_evidence_on_an_ended_release() -> None:
    """`Engine.add_evidence` on an abandoned release raises ReleaseEndedError, an input error."""
    engine = rk.Engine(rk.reference_policy())
    release = engine.start(release_id="r1", version="2.4.0", kind="normal", by="anton", now=FRIDAY)
    release = engine.abandon(release, by="anton", now=FRIDAY)

    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        engine.add_evidence(release, rk.TestsWritten(by="anton", at=FRIDAY), now=FRIDAY)

    assert (rk.exceptions.ReleaseEndedError, "record evidence") == (
        type(refused.value),
        getattr(refused.value, "action", None),
    )


def test_releasekit_refuses_recording_on_an_abandoned_release(cli: Callable[..., Ran]) -> None:
    """`releasekit record` on an abandoned release exits 1 with a ReleaseEndedError document."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    ok(cli("--actor", "anton", "abandon", "2.4.0", "--reason", "superseded"))

    ran = cli("--actor", "anton", "--json", "record", "2.4.0", "tests-written")

    assert (ExitCode.REFUSED, "ReleaseEndedError", "abandoned", "record evidence") == (
        ran.code,
        ran.json["error"]["type"],
        ran.json["error"]["state"],
        ran.json["error"]["action"],
    )


def test_run_tests_on_an_abandoned_release_says_it_ended(cli: Callable[..., Ran]) -> None:
    """No confusing "environment 'abandoned'": the refusal says the release was abandoned."""
    ok(cli("--actor", "anton", "start", "2.4.0"))
    ok(cli("--actor", "anton", "abandon", "2.4.0", "--reason", "superseded"))

    ran = cli("--actor", "ci", "run-tests", "2.4.0")

    assert (ExitCode.REFUSED, "releasekit: release 2.4.0 was abandoned") == (
        ran.code,
        ran.err[: len("releasekit: release 2.4.0 was abandoned")],
    )


def test_an_attention_item_left_open_is_cleared_after_the_rollback(clock: rk.FixedClock) -> None:
    """The bad check that led to a rollback can still be marked dealt with on the ended release."""
    recorder = executors.DryRunExecutor(logs={"production": ["09:12 ERROR quote: timeout"]})
    desk = rk.Desk(rk.reference_policy(), executors=executors.dry_run(recorder), clock=clock)
    walk_to(desk, hotfix(desk, "2.4.0"), "production")[0]
    clock.advance(hours=1)
    newer = walk_to(desk, hotfix(desk, "2.4.1"), "production")[0]
    clock.advance(hours=1)
    check = desk.check_production(newer.id, by="log-monitor")
    desk.roll_back(by="maria", reason="quotes time out", release_id=newer.id)

    desk.clear_attention(newer.id, check.attention_key or "", by="maria", reason="rolled back")

    assert (True, "rolled-back", ()) == (
        check.bad,
        desk.get(newer.id).state,
        desk.get(newer.id).attention,
    )
