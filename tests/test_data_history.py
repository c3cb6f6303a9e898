"""A data operation's state is the replay of its history, at every step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pendulum
import pytest

import releasekit as rk
from fake_dt import write_fake_dt
from releasekit import executors
from releasekit._actions import data_history
from releasekit.exceptions import UnreadableDataError
from releasekit.stores import Action, Event

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")


@pytest.fixture(name="desk")
def fixture_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> rk.Desk:
    """A desk whose production adjustments run through a fake dt (failing when told to)."""
    write_fake_dt(tmp_path)
    monkeypatch.setenv("FAKE_DT_ARGV", str(tmp_path / "argv.jsonl"))
    registry = executors.dry_run()
    registry.register(
        "adjust-data",
        executors.DtExecutor(program=str(tmp_path / "dt")),
        environment="production",
    )
    return rk.Desk(rk.reference_policy(), executors=registry, clock=rk.FixedClock(FRIDAY))


def replayed(desk: rk.Desk, operation_id: str) -> rk.DataOperation:
    folded = data_history.replay(desk.data.history(operation_id))
    assert frozenset() == folded.unrecorded
    return folded.operation


def test_every_step_leaves_the_state_its_replay_gives(
    desk: rk.Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Request, verify, amend, verify twice, fail, run, cancel: each state is its replay."""
    clock = desk.clock
    assert isinstance(clock, rk.FixedClock)
    states = [
        desk.data.request_adjustment(
            "production", "fix-close", ["AAPL", "187.20"], by="olga", reason="wrong close"
        )
    ]
    steps: list[Callable[[], rk.DataOperation]] = [
        lambda: desk.data.verify_adjustment("adjustment-1", by="ivan", note="checked"),
        lambda: desk.data.amend_adjustment("adjustment-1", by="olga", arguments=["AAPL", "187.30"]),
        lambda: desk.data.verify_adjustment("adjustment-1", by="ivan"),
        lambda: desk.data.verify_adjustment("adjustment-1", by="maria"),
    ]
    for step in steps:
        clock.advance(minutes=5)
        states.append(step())
        assert states[-1] == replayed(desk, "adjustment-1")
    monkeypatch.setenv("FAKE_DT_EXIT", "3")
    with pytest.raises(rk.exceptions.ExecutorFailedError):
        desk.data.execute_adjustment("adjustment-1", by="data-operator")
    failed = desk.data.get("adjustment-1")
    monkeypatch.delenv("FAKE_DT_EXIT")
    clock.advance(minutes=5)
    executed = desk.data.execute_adjustment("adjustment-1", by="data-operator")
    desk.data.request_adjustment("production", "fix-open", ["MSFT"], by="olga", reason="typo")
    cancelled = desk.data.cancel("adjustment-2", by="olga", reason="not needed")

    assert failed.status is rk.DataOperationStatus.FAILED
    assert (executed, cancelled) == (
        replayed(desk, "adjustment-1"),
        replayed(desk, "adjustment-2"),
    )
    assert ("dt", "data", "adjust", "production", "fix-close", "AAPL", "187.30") == (
        executed.command[0].rsplit("/", 1)[-1],
        *executed.command[1:],
    )


def test_a_restore_is_replayed_too(desk: rk.Desk) -> None:
    """A restore's two steps, started and executed, replay to its state."""
    restored = desk.data.restore("production", "sandbox-anton", by="anton", reason="reproduce")

    assert restored == replayed(desk, restored.id)


def _event(seq: int, data: Mapping[str, object], *, actor: str = "data-operator") -> Event:
    return Event(
        stream="data:adjustment-1",
        seq=seq,
        at=FRIDAY,
        actor=actor,
        action=Action.DATA_OPERATION,
        reason="run",
        data=data,
    )


REQUESTED: dict[str, object] = {
    "step": "requested",
    "kind": "adjustment",
    "environment": "production",
    "operation": "fix-close",
    "arguments": ["AAPL"],
}


def test_steps_that_do_not_record_a_run_leave_its_command_and_summary_unchecked() -> None:
    """Events written before runs recorded their command and summary: those two are unrecorded."""
    events = [
        _event(1, REQUESTED, actor="olga"),
        _event(2, {"step": "started", "kind": "adjustment", "environment": "production"}),
        _event(3, {"step": "executed", "kind": "adjustment", "environment": "production"}),
    ]

    folded = data_history.replay(events)

    assert (frozenset({"command", "summary"}), rk.DataOperationStatus.EXECUTED) == (
        folded.unrecorded,
        folded.operation.status,
    )


def test_a_step_that_records_them_again_checks_them_again() -> None:
    """An old started step, then a new one with its command: nothing is left unchecked."""
    events = [
        _event(1, REQUESTED, actor="olga"),
        _event(2, {"step": "started", "kind": "adjustment", "environment": "production"}),
        _event(3, {"step": "failed", "kind": "adjustment", "environment": "production",
                   "summary": "dt failed", "command": ["dt"]}),
    ]  # fmt: skip

    folded = data_history.replay(events)

    assert (frozenset(), "dt failed", ("dt",)) == (
        folded.unrecorded,
        folded.operation.summary,
        folded.operation.command,
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"step": "teleported"}, "'teleported' is not a step of a data operation @ $.data"),
        ({"step": "verified", "note": ""}, "the verified step records no 'fingerprint' @ $.data"),
        ({"step": "requested", **{k: v for k, v in REQUESTED.items() if k != "step"}},
         "a requested step cannot follow the first one @ $.data"),
    ],
)  # fmt: skip
def test_an_event_that_describes_no_step_is_named(data: dict[str, object], problem: str) -> None:
    """A step the fold cannot read is an UnreadableDataError naming the event."""
    with pytest.raises(UnreadableDataError) as raised:
        data_history.replay([_event(1, REQUESTED, actor="olga"), _event(2, data)])

    assert ("event 2 of data:adjustment-1", (problem,)) == (
        raised.value.what,
        raised.value.problems,
    )


def test_a_history_with_no_event_is_refused() -> None:
    """Nothing to replay is an error, not an empty operation."""
    with pytest.raises(UnreadableDataError):
        data_history.replay([])


def test_the_fold_keeps_the_writers_values() -> None:
    """A verification's author and instant come from its event, its fingerprint from its data."""
    first = data_history.apply(
        None, operation_id="adjustment-1", actor="olga", at=FRIDAY, reason="why", data=REQUESTED
    )
    later = FRIDAY.add(minutes=3)

    verified = data_history.apply(
        first,
        operation_id="adjustment-1",
        actor="ivan",
        at=later,
        reason="checked",
        data={"step": "verified", "fingerprint": "ab" * 32, "note": "looked"},
    )

    assert [verified.operation.verifications[0]] == [
        rk.DataVerification(by="ivan", at=later, fingerprint="ab" * 32, note="looked")
    ]
