"""A promotion names the step it means: a caller whose view is stale changes nothing.

Every test runs on every store (memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pendulum
import pytest

import releasekit as rk
from releasekit import executors
from releasekit.stores import Action, Ledger

if TYPE_CHECKING:
    from releasekit.stores import Event, Store

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="desk")
def fixture_desk(store: Store, clock: rk.FixedClock) -> rk.Desk:
    """A dry-run desk on every store in turn."""
    return rk.Desk(rk.reference_policy(), store=store, executors=executors.dry_run(), clock=clock)


def history(desk: rk.Desk, release_id: str = "2.4.0") -> list[Event]:
    return desk.history(release_id)


def moves_into(events: list[Event], target: str) -> list[Event]:
    """The events that moved the release into *target*."""
    return [
        event
        for event in events
        if event.action in {Action.PROMOTED, Action.ATTEMPT_FINISHED}
        and event.target == target
        and event.source != target
    ]


def test_the_step_meant_is_taken(desk: rk.Desk) -> None:
    """to= the next environment and the revision seen: the release moves there, as before."""
    seen = desk.get(desk.start("2.4.0", by="anton").id)

    moved = desk.promote("2.4.0", by="anton", to="tests", revision=seen.revision)

    assert ("sandbox-anton", "tests") == (
        moved.release.moves[-1].source,
        moved.release.moves[-1].target,
    )
    assert 1 == len(moves_into(history(desk), "tests"))


def test_the_same_promotion_twice_moves_the_release_once(desk: rk.Desk) -> None:
    """A retried `promote --to tests` finds 2.4.0 in tests already: a conflict, nothing written."""
    desk.start("2.4.0", by="anton")
    desk.promote("2.4.0", by="anton", to="tests")
    before = history(desk)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        desk.promote("2.4.0", by="anton", to="tests")

    conflict = raised.value
    assert ("2.4.0", "tests", "tests", "sandbox") == (
        conflict.stream,
        conflict.expected_target,
        conflict.state,
        conflict.actual_target,
    )
    assert (
        "2.4.0 is already in tests; you asked to promote it to tests — reload and decide again"
    ) == str(conflict)
    assert before == history(desk)


def test_a_release_past_the_step_meant_is_not_moved_again(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """A bot that still sees sandbox-anton, while 2.4.0 is in sandbox, changes nothing."""
    desk.start("2.4.0", by="anton")
    desk.promote("2.4.0", by="anton", to="tests")
    desk.run_tests("2.4.0", by="ci")
    desk.promote("2.4.0", by="anton", to="sandbox")
    clock.advance(minutes=5)
    before = history(desk)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        desk.promote("2.4.0", by="bot", to="tests")

    assert str(raised.value) == (
        "2.4.0 is in sandbox and its next step is sandbox -> stage; you asked to promote it "
        "to tests — reload and decide again"
    )
    assert before == history(desk)


def test_a_blocked_step_seen_from_a_stale_view_records_no_refusal(desk: rk.Desk) -> None:
    """to=tests on a release now in tests, whose next step is blocked: no refusal is written."""
    desk.start("2.4.0", by="anton")
    desk.promote("2.4.0", by="anton", to="tests")  # sandbox needs a passed test run now
    before = history(desk)

    with pytest.raises(rk.exceptions.ConflictError):
        desk.promote("2.4.0", by="bot", to="tests")

    assert [] == [event for event in history(desk) if event.action is Action.REFUSED]
    assert before == history(desk)


def test_a_stale_revision_is_a_conflict_that_writes_nothing(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """Evidence added after the caller looked: their revision is stale, even for that step."""
    desk.start("2.4.0", by="anton")
    seen = desk.get("2.4.0")
    desk.add_evidence("2.4.0", rk.TestsWritten(by="anton", at=clock.now(), covers=("quote",)))
    before = history(desk)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        desk.promote("2.4.0", by="anton", to="tests", revision=seen.revision)

    conflict = raised.value
    assert (1, 2, "tests", "sandbox-anton", "tests") == (
        conflict.expected,
        conflict.actual,
        conflict.expected_target,
        conflict.state,
        conflict.actual_target,
    )
    assert str(conflict).startswith(
        "2.4.0 changed since you saw it at revision 1: it is at revision 2"
    )
    assert before == history(desk)


def test_a_revision_alone_names_the_step_too(desk: rk.Desk) -> None:
    """Without to=, a revision that moved on is a conflict that says where the release is."""
    desk.start("2.4.0", by="anton")
    desk.promote("2.4.0", by="anton")
    before = history(desk)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        desk.promote("2.4.0", by="anton", revision=1)

    assert (1, 3, None, "tests") == (
        raised.value.expected,
        raised.value.actual,
        raised.value.expected_target,
        raised.value.state,
    )
    assert before == history(desk)


def test_an_ended_release_has_no_step_to_take(desk: rk.Desk) -> None:
    """to= on an abandoned release: it has no next step; a conflict, nothing written."""
    desk.start("2.4.0", by="anton")
    desk.abandon("2.4.0", by="anton")
    before = history(desk)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        desk.promote("2.4.0", by="anton", to="tests")

    assert (None, "abandoned") == (raised.value.actual_target, raised.value.state)
    assert "2.4.0 is in abandoned and has no next step" in str(raised.value)
    assert before == history(desk)


@pytest.mark.parametrize("to", ["Tests", " tests", "--help", "abandoned", ""])
def test_to_must_name_an_environment(desk: rk.Desk, to: str) -> None:
    """An environment the policy does not have is bad input, not a stale view; nothing written."""
    desk.start("2.4.0", by="anton")

    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        desk.promote("2.4.0", by="anton", to=to)

    assert ("to", to) == (raised.value.field, raised.value.value)
    assert 1 == len(history(desk))


@pytest.mark.parametrize("revision", [0, -1, True, "1", 1.0])
def test_revision_must_be_a_revision(desk: rk.Desk, revision: object) -> None:
    """A revision that no release can have is bad input; nothing written."""
    desk.start("2.4.0", by="anton")

    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        desk.promote("2.4.0", by="anton", revision=revision)  # type: ignore[arg-type]

    assert "revision" == raised.value.field
    assert 1 == len(history(desk))


def test_a_blocked_step_meant_is_refused_and_the_refusal_recorded(desk: rk.Desk) -> None:
    """The step the caller means is blocked: the refusal names it, written at the revision seen."""
    desk.start("2.4.0", by="anton")
    desk.promote("2.4.0", by="anton", to="tests")  # sandbox needs a passed test run
    seen = desk.get("2.4.0")

    with pytest.raises(rk.exceptions.PromotionRefusedError) as raised:
        desk.promote("2.4.0", by="anton", to="sandbox", revision=seen.revision)

    refused = history(desk)[-1]
    assert (Action.REFUSED, "tests", "sandbox", seen.revision + 1) == (
        refused.action,
        refused.source,
        refused.target,
        refused.seq,
    )
    assert ("tests", "sandbox") == (raised.value.source, raised.value.target)


def test_the_ledger_refuses_a_refusal_for_another_step(store: Store) -> None:
    """A refusal of a step the record does not stand before is never written into its history."""
    engine = rk.Engine(rk.reference_policy())
    ledger = Ledger(store)
    record = ledger.start(
        engine.start(release_id="r1", version="2.4.0", kind="normal", by="anton", now=FRIDAY)
    )
    refusal = rk.exceptions.PromotionRefusedError(
        release_id="r1", source="tests", target="sandbox", blockers=[]
    )

    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        ledger.refuse(record, refusal, by="bot", at=FRIDAY)

    assert "refusal" == raised.value.field
    assert 1 == len(ledger.history("r1"))


def test_the_engine_checks_the_step_meant() -> None:
    """Engine.promote(to=...) is pure: the wrong step is a conflict, the right one moves."""
    engine = rk.Engine(rk.reference_policy())
    release = engine.start(release_id="r1", version="2.4.0", kind="normal", by="anton", now=FRIDAY)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        engine.promote(release, by="anton", now=FRIDAY, to="sandbox")

    assert ("sandbox", "tests", None, None) == (
        raised.value.expected_target,
        raised.value.actual_target,
        raised.value.expected,
        raised.value.actual,
    )
    assert "tests" == engine.promote(release, by="anton", now=FRIDAY, to="tests").state
