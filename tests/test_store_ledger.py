"""The ledger on every store: one event and one new state per action, and replay."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import releasekit as rk
from builders import ARTIFACT, THURSDAY, evidence_for
from releasekit._records.converter import structure, unstructure
from releasekit._records.rows import evidence_text, roll
from releasekit.stores import (
    NOTES,
    Action,
    Attempt,
    Attention,
    HostProcess,
    Ledger,
    Record,
    Store,
    replay,
)
from releasekit.testing import strategies as rks

if TYPE_CHECKING:
    from collections.abc import Callable

STORED = settings(
    max_examples=min(25, settings().max_examples),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_unique = itertools.count()
LATER = THURSDAY.add(minutes=10)


@pytest.fixture
def ledger(store: Store) -> Ledger:
    """A ledger on every store in turn."""
    return Ledger(store)


@pytest.fixture
def release() -> rk.Release:
    """A normal release, just started in anton's sandbox."""
    engine = rk.Engine(rk.reference_policy())
    return engine.start(
        release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY, artifact=ARTIFACT
    )


@pytest.fixture
def started(ledger: Ledger, release: rk.Release) -> Record:
    """The release as the ledger holds it after start."""
    return ledger.start(release)


def actions(ledger: Ledger, release_id: str = "r1") -> list[str]:
    return [event.action.value for event in ledger.history(release_id)]


def to_tests(record: Record) -> rk.Move:
    return rk.Move(source=record.state, target="tests", at=LATER, by="anton")


# ---------------------------------------------------------------------------
# Starting and loading
# ---------------------------------------------------------------------------


def test_start_records_the_release(ledger: Ledger, release: rk.Release) -> None:
    """Starting appends one event and gives revision 1."""
    record = ledger.start(release)

    assert (release, 1, None, ()) == (
        record.release,
        record.revision,
        record.attempt,
        record.attention,
    )
    assert ["started"] == actions(ledger)


def test_start_names_who_and_when(ledger: Ledger, release: rk.Release) -> None:
    """The started event says who started the release, when, and where it is."""
    ledger.start(release)

    event = ledger.history("r1")[0]

    assert ("anton", THURSDAY, None, "sandbox-anton") == (
        event.actor,
        event.at,
        event.source,
        event.target,
    )


def test_load_gives_the_record_back(ledger: Ledger, started: Record) -> None:
    """Loading reads the stored state: the same record."""
    assert started == ledger.load("r1")


def test_loading_an_unknown_release_says_so(ledger: Ledger) -> None:
    """An id nobody started is an UnknownReleaseError; find() gives None."""
    with pytest.raises(rk.exceptions.UnknownReleaseError) as raised:
        ledger.load("r9")

    assert ("r9", None) == (raised.value.release_id, ledger.find("r9"))


def test_starting_a_release_twice_is_a_conflict(ledger: Ledger, started: Record) -> None:
    """A release id is started once."""
    with pytest.raises(rk.exceptions.ConflictError, match="r1 already exists"):
        ledger.start(started.release)


def test_release_ids_may_not_name_other_histories(ledger: Ledger, release: rk.Release) -> None:
    """Ids with ':' are reserved for histories such as data:production."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="choose an id without it"):
        ledger.start(attrs.evolve(release, id="data:production"))


def test_releases_are_listed_without_other_histories(ledger: Ledger, release: rk.Release) -> None:
    """releases() lists releases only, in id order, a page at a time."""
    ledger.start(release)
    ledger.start(attrs.evolve(release, id="r2"))
    ledger.append(
        "data:production", expected=0, action="data-operation", by="ops", at=LATER, snapshot={}
    )

    assert (["r1", "r2"], ["r2"], ["r1"]) == (
        [summary.id for summary in ledger.releases()],
        [summary.id for summary in ledger.releases(after="r1")],
        [summary.id for summary in ledger.releases(limit=1)],
    )


def test_a_listed_release_is_its_row(ledger: Ledger, started: Record) -> None:
    """A summary says what the record says, without evidence or history."""
    record = ledger.begin_attempt(started, capability="deploy", by="anton", at=LATER)

    assert [
        rk.stores.ReleaseSummary(
            id="r1",
            version="2.4.0",
            kind=rk.ReleaseKind.NORMAL,
            state="sandbox-anton",
            revision=2,
            head=record.head,
            created_at=THURSDAY,
            created_by="anton",
            updated_at=LATER,
            attempt=record.attempt,
        )
    ] == ledger.releases()
    assert [record] == ledger.records(ledger.releases())


def test_a_release_that_ended_is_no_longer_active(ledger: Ledger, started: Record) -> None:
    """Abandoned (or rolled back), a release is finished when it ended, and listed only with all."""
    record = ledger.abandon(
        started, rk.Move(source=started.state, target="abandoned", at=LATER, by="anton")
    )

    assert (LATER, [], ["r1"]) == (
        record.finished_at,
        ledger.releases(),
        [summary.id for summary in ledger.releases(active=False)],
    )
    assert record == ledger.load("r1") == replay(ledger.history("r1"))


def test_a_ledger_that_knows_the_flow_finishes_a_release_at_its_end(store: Store) -> None:
    """Promoted into the last environment of its flow, a release is finished: the event says so."""
    engine = rk.Engine(rk.reference_policy())
    ledger = Ledger(store, policy=rk.reference_policy())
    release = engine.start(
        release_id="r1", version="2.4.0", kind="hotfix", by="anton", now=THURSDAY
    )
    record = ledger.start(release)
    moment = THURSDAY
    while record.state != "production":
        moment = moment.add(minutes=10)
        step = engine.next_step(record.release)
        assert step is not None
        record = ledger.add_evidence(
            record, *evidence_for(record.release, step.target, moment), by="anton", at=moment
        )
        record = ledger.promote(
            record, engine.promote(record.release, by="anton", now=moment).moves[-1]
        )

    assert (moment, [], True) == (
        record.finished_at,
        ledger.releases(),
        ledger.history("r1")[-1].data["finished"],
    )
    assert record == ledger.load("r1") == replay(ledger.history("r1"))
    assert "finished" not in ledger.history("r1")[-3].data  # a move inside the flow says nothing


# ---------------------------------------------------------------------------
# One event per action
# ---------------------------------------------------------------------------


def test_evidence_is_recorded(ledger: Ledger, started: Record) -> None:
    """Adding evidence adds it to the release in one event."""
    evidence = evidence_for(started.release, "tests", LATER)

    record = ledger.add_evidence(started, *evidence, by="anton", at=LATER)

    assert (evidence, 2) == (record.release.evidence, record.revision)
    assert ["started", "evidence-recorded"] == actions(ledger)


def test_recording_no_evidence_is_refused(ledger: Ledger, started: Record) -> None:
    """add_evidence needs something to record."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="at least one piece of evidence"):
        ledger.add_evidence(started, by="anton", at=LATER)


def test_a_promotion_moves_the_release(ledger: Ledger, started: Record) -> None:
    """Promoting records the move as from-state -> to-state."""
    record = ledger.promote(started, to_tests(started))

    event = ledger.history("r1")[-1]
    assert ("tests", "promoted", "sandbox-anton", "tests") == (
        record.state,
        event.action.value,
        event.source,
        event.target,
    )


def test_a_stale_record_is_a_conflict_naming_the_release(ledger: Ledger, started: Record) -> None:
    """Writing with a record someone else already moved on is refused."""
    ledger.add_evidence(started, *evidence_for(started.release, "tests", LATER), by="x", at=LATER)

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        ledger.promote(started, to_tests(started))

    assert ("r1", 1, 2) == (raised.value.stream, raised.value.expected, raised.value.actual)
    assert ["started", "evidence-recorded"] == actions(ledger)


def test_a_move_must_start_where_the_release_is(ledger: Ledger, started: Record) -> None:
    """A move from another environment is refused."""
    move = rk.Move(source="stage", target="production", at=LATER, by="anton")

    with pytest.raises(rk.exceptions.InvalidInputError, match="this move starts in stage"):
        ledger.promote(started, move)


def test_a_release_is_abandoned(ledger: Ledger, started: Record) -> None:
    """Abandoning records the move to 'abandoned' and the reason."""
    engine = rk.Engine(rk.reference_policy())
    move = engine.abandon(started.release, by="anton", now=LATER).moves[-1]

    record = ledger.abandon(started, move, reason="superseded by 2.4.1")

    event = ledger.history("r1")[-1]
    assert ("abandoned", "abandoned", "superseded by 2.4.1") == (
        record.state,
        event.action.value,
        event.reason,
    )


def test_abandoning_needs_a_move_to_abandoned(ledger: Ledger, started: Record) -> None:
    """abandon() refuses a move that leads elsewhere."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="leads to 'abandoned'"):
        ledger.abandon(started, to_tests(started))


def test_a_release_is_rolled_back(ledger: Ledger, started: Record) -> None:
    """A roll-back is a move back, recorded as such."""
    record = ledger.promote(started, to_tests(started))
    back = rk.Move(source="tests", target="sandbox-anton", at=LATER.add(minutes=1), by="anton")

    record = ledger.roll_back(record, back, reason="tests environment broken")

    assert ("sandbox-anton", "rolled-back") == (record.state, actions(ledger)[-1])


def test_a_refusal_is_recorded_without_changing_the_release(
    ledger: Ledger, started: Record
) -> None:
    """A refused promotion is history too: its blockers are in the event's data."""
    blocker = rk.Blocker(
        code="tests-written", reason="missing", message="no tests", hint="write them"
    )
    refusal = rk.exceptions.PromotionRefusedError(
        release_id="r1", source="sandbox-anton", target="tests", blockers=[blocker]
    )

    record = ledger.refuse(started, refusal, by="anton", at=LATER)

    event = ledger.history("r1")[-1]
    assert (started.release, 2) == (record.release, record.revision)
    assert ("refused", "sandbox-anton", "tests", str(refusal)) == (
        event.action.value,
        event.source,
        event.target,
        event.reason,
    )
    assert {"blockers": [unstructure(blocker)]} == event.data


def test_a_refusal_of_another_release_is_refused(ledger: Ledger, started: Record) -> None:
    """A refusal is recorded on the release it concerns."""
    refusal = rk.exceptions.PromotionRefusedError(
        release_id="r2", source="a", target="b", blockers=[]
    )

    with pytest.raises(rk.exceptions.InvalidInputError, match="concerns release r2"):
        ledger.refuse(started, refusal, by="anton", at=LATER)


# ---------------------------------------------------------------------------
# Executor attempts
# ---------------------------------------------------------------------------


def test_an_attempt_is_recorded_before_it_runs(ledger: Ledger, started: Record) -> None:
    """Beginning an attempt puts it on the record and in the history."""
    record = ledger.begin_attempt(
        started,
        capability="deploy",
        by="bot",
        at=LATER,
        environment="tests",
        target="tests",
        detail="dt deploy tests 2.4.0",
    )

    assert (
        Attempt(
            id="r1/2",
            capability="deploy",
            environment="tests",
            started_at=LATER,
            by="bot",
            target="tests",
            detail="dt deploy tests 2.4.0",
        )
        == record.attempt
    )
    assert record == ledger.load("r1")


def test_a_second_attempt_waits_for_the_first(ledger: Ledger, started: Record) -> None:
    """Starting a step while another is in flight is refused with what is in flight."""
    record = ledger.begin_attempt(started, capability="deploy", by="bot", at=LATER)

    with pytest.raises(rk.exceptions.AttemptInProgressError) as raised:
        ledger.begin_attempt(record, capability="run-tests", by="ci", at=LATER)

    assert ("r1", "r1/2", "deploy", LATER) == (
        raised.value.release_id,
        raised.value.attempt_id,
        raised.value.capability,
        raised.value.started_at,
    )


@pytest.mark.parametrize("method", ["promote", "roll_back", "abandon"])
def test_a_release_does_not_move_while_a_step_runs(
    ledger: Ledger, started: Record, method: str
) -> None:
    """Moves wait for the attempt in flight to finish or be abandoned."""
    record = ledger.begin_attempt(started, capability="deploy", by="bot", at=LATER)
    target = "abandoned" if method == "abandon" else "tests"
    move = rk.Move(source=record.state, target=target, at=LATER, by="anton")

    with pytest.raises(rk.exceptions.AttemptInProgressError):
        getattr(ledger, method)(record, move, reason="because")


def test_a_finished_attempt_moves_the_release_and_adds_its_evidence(
    ledger: Ledger, started: Record
) -> None:
    """Finishing applies the step's outcome in the same event."""
    record = ledger.begin_attempt(started, capability="deploy", by="bot", at=LATER, target="tests")
    assert record.attempt is not None
    evidence = evidence_for(record.release, "tests", LATER)

    record = ledger.finish_attempt(
        record, record.attempt.id, by="bot", at=LATER.add(minutes=5), evidence=evidence
    )

    assert ("tests", evidence, None) == (record.state, record.release.evidence, record.attempt)
    assert (
        rk.Move(source="sandbox-anton", target="tests", at=LATER.add(minutes=5), by="bot"),
    ) == record.release.moves
    assert ["started", "step-started", "step-finished"] == actions(ledger)


def test_a_failed_attempt_keeps_the_release_where_it_is(ledger: Ledger, started: Record) -> None:
    """A failure ends the attempt, keeps the state, and adds the evidence it produced."""
    record = ledger.begin_attempt(started, capability="run-tests", by="ci", at=LATER, target="x")
    assert record.attempt is not None
    failed_run = rk.TestRun(environment="tests", version="2.4.0", passed=False, at=LATER, by="ci")

    record = ledger.fail_attempt(
        record, record.attempt.id, by="ci", at=LATER, reason="3 tests failed", evidence=[failed_run]
    )

    assert ("sandbox-anton", (failed_run,), None) == (
        record.state,
        record.release.evidence,
        record.attempt,
    )
    assert "3 tests failed" == ledger.history("r1")[-1].reason


def test_an_attempt_is_abandoned_explicitly(ledger: Ledger, started: Record) -> None:
    """An interrupted attempt can be given up, which frees the release."""
    record = ledger.begin_attempt(started, capability="deploy", by="bot", at=LATER)
    assert record.attempt is not None

    record = ledger.abandon_attempt(
        record, record.attempt.id, by="anton", at=LATER, reason="host died"
    )

    assert (None, "step-abandoned") == (record.attempt, actions(ledger)[-1])


@pytest.mark.parametrize("method", ["finish_attempt", "fail_attempt", "abandon_attempt"])
def test_ending_an_attempt_names_the_one_in_flight(
    ledger: Ledger, started: Record, method: str
) -> None:
    """Ending an attempt that is not in flight is refused, saying which one is."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="no step is"):
        getattr(ledger, method)(started, "r1/9", by="bot", at=LATER, reason="x")
    record = ledger.begin_attempt(started, capability="deploy", by="bot", at=LATER)

    with pytest.raises(rk.exceptions.InvalidInputError, match="r1/2 is"):
        getattr(ledger, method)(record, "r1/9", by="bot", at=LATER, reason="x")


def test_a_resumed_attempt_names_its_new_lease_and_process(ledger: Ledger, started: Record) -> None:
    """Resuming replaces the step's lease and runner and forgets the dead run's programs."""
    dead = HostProcess(host="ci-7", pid=11)
    record = ledger.begin_attempt(started, capability="run-tests", by="ci", at=LATER, runner=dead)
    assert record.attempt is not None
    record = ledger.add_child_process(
        record, record.attempt.id, HostProcess(host="ci-7", pid=12, name="dt"), by="ci", at=LATER
    )
    assert record.attempt is not None
    assert (dead, ("dt (pid 12) on ci-7",)) == (
        record.attempt.runner,
        tuple(str(child) for child in record.attempt.children),
    )
    mine = HostProcess(host="laptop", pid=99)

    resumed = ledger.resume_attempt(
        record, record.attempt.id, by="anton", at=LATER, reason="ci-7 died", runner=mine
    )

    assert resumed.attempt is not None
    assert (mine, (), None) == (
        resumed.attempt.runner,
        resumed.attempt.children,
        resumed.attempt.lease,
    )
    assert ["step-started", "child-started", "step-resumed"] == actions(ledger)[-3:]
    assert resumed == replay(ledger.history("r1"))


def test_resuming_or_recording_a_child_names_the_step_in_flight(
    ledger: Ledger, started: Record
) -> None:
    """Neither writes for a step that is not the one in flight."""
    process = HostProcess(host="ci-7", pid=12)
    with pytest.raises(rk.exceptions.InvalidInputError, match="no step"):
        ledger.resume_attempt(started, "r1/9", by="anton", at=LATER, reason="x")
    with pytest.raises(rk.exceptions.InvalidInputError, match="no step"):
        ledger.add_child_process(started, "r1/9", process, by="ci", at=LATER)

    assert ["started"] == actions(ledger)


def test_an_attempt_may_carry_its_own_id(ledger: Ledger, started: Record) -> None:
    """A caller may name the attempt, e.g. after its executor's job id."""
    record = ledger.begin_attempt(
        started, capability="deploy", by="bot", at=LATER, attempt_id="job-42"
    )

    assert "job-42" == (record.attempt.id if record.attempt else None)


# ---------------------------------------------------------------------------
# Attention, notes and other histories
# ---------------------------------------------------------------------------


def test_attention_is_raised_and_cleared(ledger: Ledger, started: Record) -> None:
    """Attention items stay open on the record until cleared."""
    record = ledger.raise_attention(
        started, key="prod-logs", message="errors in production logs", by="monitor", at=LATER
    )
    assert (
        Attention(
            key="prod-logs", message="errors in production logs", raised_at=LATER, by="monitor"
        ),
    ) == record.attention

    record = ledger.clear_attention(record, "prod-logs", by="maria", at=LATER, reason="fixed")

    assert ((), ["attention-needed", "attention-cleared"]) == (
        record.attention,
        actions(ledger)[1:],
    )


def test_raising_the_same_attention_again_replaces_it(ledger: Ledger, started: Record) -> None:
    """One open item per key: the newest message wins."""
    record = ledger.raise_attention(started, key="logs", message="old", by="m", at=LATER)
    record = ledger.raise_attention(record, key="disk", message="full", by="m", at=LATER)
    record = ledger.raise_attention(record, key="logs", message="new", by="m", at=LATER)

    assert [("disk", "full"), ("logs", "new")] == [
        (item.key, item.message) for item in record.attention
    ]


def test_clearing_unknown_attention_is_refused(ledger: Ledger, started: Record) -> None:
    """Only open items can be cleared; the error lists the open ones."""
    with pytest.raises(
        rk.exceptions.InvalidInputError, match=r"no open attention item 'logs' \(open: none\)"
    ):
        ledger.clear_attention(started, "logs", by="maria", at=LATER)


def test_a_note_adds_history_without_changing_the_release(ledger: Ledger, started: Record) -> None:
    """Leases and data operations can be noted in a release's history."""
    record = ledger.note(
        started, action="lease-taken", by="ci", at=LATER, reason="tests", data={"lease": "tests"}
    )

    assert (started.release, 2) == (record.release, record.revision)
    assert {"lease": "tests"} == ledger.history("r1")[-1].data


def test_a_note_may_not_change_the_release(ledger: Ledger, started: Record) -> None:
    """Actions that change a release have their own methods."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="promoted changes a release"):
        ledger.note(started, action=Action.PROMOTED, by="ci", at=LATER)


def test_the_notes_are_the_actions_that_change_nothing() -> None:
    """Leases, data operations, log checks, notices: the actions note() accepts."""
    assert {
        Action.LEASE_TAKEN,
        Action.LEASE_RELEASED,
        Action.DATA_OPERATION,
        Action.LOGS_CHECKED,
        Action.NOTIFIED,
    } == NOTES


@attrs.frozen
class Restore:
    """A data operation, as a team's tool might record it."""

    source: str
    target: str
    at: pendulum.DateTime


def test_other_histories_are_appended_with_attrs_values(ledger: Ledger) -> None:
    """A typed history (data operations) takes attrs values for its data and state."""
    restore = Restore(source="production", target="sandbox", at=LATER)

    event = ledger.append(
        "data:sandbox",
        expected=0,
        action="data-operation",
        by="ops",
        at=LATER,
        data=restore,
        snapshot={"last": unstructure(restore)},
        source="production",
        target="sandbox",
    )

    assert ("data:sandbox", 1, unstructure(restore)) == (event.stream, event.seq, event.data)
    assert ledger.store.verify("data:sandbox").ok


def test_other_histories_need_a_kind(ledger: Ledger) -> None:
    """A history name without ':' would be taken for a release."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="kind:name"):
        ledger.append(
            "production", expected=0, action="data-operation", by="o", at=LATER, snapshot={}
        )


def test_other_histories_need_mappings(ledger: Ledger) -> None:
    """Data that is neither a mapping nor an attrs value is refused."""
    with pytest.raises(
        rk.exceptions.InvalidInputError, match="must be a mapping or an attrs value"
    ):
        ledger.append("data:x", expected=0, action="data-operation", by="o", at=LATER, snapshot=3)


# ---------------------------------------------------------------------------
# Verifying and replaying
# ---------------------------------------------------------------------------


def test_a_release_verifies(ledger: Ledger, started: Record) -> None:
    """A history written by the ledger verifies, state included."""
    record = ledger.promote(started, to_tests(started))

    assert rk.stores.Verification(stream="r1", events=2, head=record.head) == ledger.verify("r1")


def test_verifying_an_unknown_release_says_so(ledger: Ledger) -> None:
    """There is nothing to verify for a release nobody started."""
    with pytest.raises(rk.exceptions.UnknownReleaseError):
        ledger.verify("r9")


def test_the_history_after_a_position(ledger: Ledger, started: Record) -> None:
    """history(after=n) gives the newer events only."""
    ledger.promote(started, to_tests(started))

    assert ["promoted"] == [event.action.value for event in ledger.history("r1", after=1)]


def test_replay_needs_a_history() -> None:
    """An empty history replays to nothing: an error."""
    with pytest.raises(rk.exceptions.StoreError, match="it holds no event"):
        replay([])


def test_replay_needs_a_start(ledger: Ledger, started: Record) -> None:
    """A history must begin with its release being started."""
    record = ledger.promote(started, to_tests(started))
    history = ledger.history("r1")

    with pytest.raises(rk.exceptions.StoreError, match="begins with a promoted event"):
        replay(history[1:])
    with pytest.raises(rk.exceptions.StoreError, match="second started event"):
        replay([history[0], history[0]])
    assert record == replay(history)


def test_a_replayed_record_is_not_written_on(ledger: Ledger, started: Record) -> None:
    """A replay is for comparing: a write needs the record the ledger read, and writes nothing."""
    replayed = replay(ledger.history("r1"))

    with pytest.raises(
        rk.exceptions.InvalidInputError, match="was not read from a store"
    ) as caught:
        ledger.promote(replayed, to_tests(replayed))

    assert ("record", 1) == (caught.value.field, len(ledger.history("r1")))
    assert started == replayed


@attrs.frozen
class Operation:
    """One ledger call: the method's name, its positional and its keyword arguments."""

    method: str
    positional: tuple[Any, ...] = ()
    keywords: dict[str, Any] = attrs.field(factory=dict)

    def apply(self, ledger: Ledger, record: Record) -> Record:
        """Call the method on *ledger* for *record*."""
        result: Record = getattr(ledger, self.method)(record, *self.positional, **self.keywords)
        return result


def _evidence(data: st.DataObject, _record: Record, when: dict[str, Any]) -> Operation:
    items = data.draw(st.lists(rks.any_evidence(), min_size=1, max_size=2))
    return Operation("add_evidence", tuple(items), when)


def _move(data: st.DataObject, record: Record, when: dict[str, Any]) -> Operation:
    method = data.draw(st.sampled_from(["promote", "roll_back", "abandon"]))
    target = "abandoned" if method == "abandon" else data.draw(rks.record_names)
    move = rk.Move(source=record.state, target=target, **when)
    return Operation(method, (move,), {"reason": data.draw(rks.storable_text)})


def _refuse(data: st.DataObject, record: Record, when: dict[str, Any]) -> Operation:
    refusal = rk.exceptions.PromotionRefusedError(
        release_id=record.id,
        source=record.state,
        target=data.draw(rks.record_names),
        blockers=data.draw(st.lists(rks.blockers(), max_size=2)),
    )
    return Operation("refuse", (refusal,), when)


def _begin(data: st.DataObject, _record: Record, when: dict[str, Any]) -> Operation:
    keywords = {
        "capability": data.draw(rks.some_text),
        "environment": data.draw(st.none() | rks.record_names),
        "target": data.draw(st.none() | rks.record_names),
        "lease": data.draw(st.none() | rks.leases()),
        "runner": data.draw(st.none() | rks.host_processes()),
        **when,
    }
    return Operation("begin_attempt", keywords=keywords)


def _resume(data: st.DataObject, record: Record, when: dict[str, Any]) -> Operation:
    assert record.attempt is not None
    keywords = {
        "reason": data.draw(rks.storable_text),
        "lease": data.draw(st.none() | rks.leases()),
        "runner": data.draw(st.none() | rks.host_processes()),
        **when,
    }
    return Operation("resume_attempt", (record.attempt.id,), keywords)


def _child(data: st.DataObject, record: Record, when: dict[str, Any]) -> Operation:
    assert record.attempt is not None
    return Operation(
        "add_child_process", (record.attempt.id, data.draw(rks.host_processes())), when
    )


def _end(data: st.DataObject, record: Record, when: dict[str, Any]) -> Operation:
    assert record.attempt is not None
    method = data.draw(st.sampled_from(["finish_attempt", "fail_attempt", "abandon_attempt"]))
    keywords: dict[str, Any] = {**when, "reason": data.draw(rks.storable_text)}
    if method != "abandon_attempt":
        keywords["evidence"] = data.draw(st.lists(rks.any_evidence(), max_size=2))
    return Operation(method, (record.attempt.id,), keywords)


def _attention(data: st.DataObject, _record: Record, when: dict[str, Any]) -> Operation:
    key = data.draw(st.sampled_from(["logs", "disk", "oncall"]))
    keywords = {"key": key, "message": data.draw(rks.some_text), **when}
    return Operation("raise_attention", keywords=keywords)


def _clear(data: st.DataObject, record: Record, when: dict[str, Any]) -> Operation:
    key = data.draw(st.sampled_from([item.key for item in record.attention]))
    return Operation("clear_attention", (key,), when)


def _note(data: st.DataObject, _record: Record, when: dict[str, Any]) -> Operation:
    action = data.draw(st.sampled_from(sorted(NOTES)))
    keywords = {"action": action, "data": data.draw(rks.json_objects()), **when}
    return Operation("note", keywords=keywords)


def _operation(data: st.DataObject, record: Record, at: pendulum.DateTime) -> Operation:
    """Draw one action that makes sense for *record*."""
    choices: list[Callable[[st.DataObject, Record, dict[str, Any]], Operation]]
    choices = [_evidence, _refuse, _attention, _note]
    choices += [_move, _begin] if record.attempt is None else [_end, _resume, _child]
    if record.attention:
        choices.append(_clear)
    choose = choices[data.draw(st.integers(min_value=0, max_value=len(choices) - 1))]
    return choose(data, record, {"by": data.draw(rks.people), "at": at})


@STORED
@given(data=st.data())
def test_replaying_any_history_gives_the_stored_record(store: Store, data: st.DataObject) -> None:
    """Whatever happened, replaying the history rebuilds exactly what load() reads."""
    ledger = Ledger(store)
    release = data.draw(rks.any_releases(release_id=st.just(f"p{next(_unique)}")))
    record = ledger.start(release)
    at = pendulum.datetime(2026, 1, 1, tz="UTC")
    for _ in range(data.draw(st.integers(min_value=0, max_value=8))):
        at = at.add(minutes=1)
        record = _operation(data, record, at).apply(ledger, record)

    loaded = ledger.load(release.id)

    assert record == loaded
    assert loaded == replay(ledger.history(release.id))
    assert ledger.verify(release.id).ok


def test_text_taken_from_values_is_kept_even_with_a_nul(ledger: Ledger, started: Record) -> None:
    """A NUL in an attention message is kept in the data; the reason column gets a stand-in."""
    record = ledger.raise_attention(started, key="logs", message="bad\x00byte", by="m", at=LATER)

    event = ledger.history("r1")[-1]
    assert ("bad\x00byte", "bad\ufffdbyte") == (record.attention[0].message, event.reason)


def test_require_idle_names_the_unfinished_step() -> None:
    """A record with an attempt in flight refuses to go on, naming the step; an idle one passes."""
    ledger = Ledger(rk.stores.MemoryStore())
    moment = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
    release = rk.Release(
        id="r1", version="1.0", kind="normal", state="dev", created_at=moment, created_by="a"
    )
    idle = ledger.start(release)
    busy = ledger.begin_attempt(idle, capability="deploy", by="a", at=moment, target="prod")

    idle.require_idle()
    with pytest.raises(rk.exceptions.AttemptInProgressError) as caught:
        busy.require_idle()

    assert ("r1", "deploy") == (caught.value.release_id, caught.value.capability)


def test_a_name_stored_before_identities_reads_back_as_the_identity(
    ledger: Ledger, started: Record
) -> None:
    """A review recorded as 'Ivan' in its event (before identities) verifies, and loads as ivan."""
    review = {
        "type": "ChangeReview",
        "by": "Ivan",
        "at": "2026-11-26T10:10:00+00:00",
        "version": "2.4.0",
        "note": "",
    }
    body = evidence_text(structure(review, rk.Evidence))  # the row holds the identity
    before = started.row
    assert before is not None
    row = attrs.evolve(
        before, updated_at=LATER.isoformat(), evidence_digest=roll(before.evidence_digest, [body])
    )
    draft = rk.stores.Draft(
        actor="ivan", action="evidence-recorded", at=LATER, data={"evidence": [review]}
    )
    ledger.store.append_release(
        row,
        expected=started.revision,
        previous=started.head,
        evidence_before=before.evidence_digest,
        moves_before=before.moves_digest,
        draft=draft,
        evidence=[body],
    )

    loaded = ledger.load("r1")

    assert ["ivan"] == [item.by for item in loaded.release.evidence_of(rk.ChangeReview)]
    assert ledger.verify("r1").ok
    assert loaded == replay(ledger.history("r1"))
