"""What a step writes: one event, small canonical rows, digests that verify, nothing kept alive.

A release's step appends one event and its evidence and move rows and
rewrites the one small release row; every stored text is canonical JSON
(sorted keys, compact, ASCII); the ledger speaks to its store through the
``Store`` protocol only — one read per load, one write per action; and
nothing holds on to the releases a process loaded.
"""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import releasekit as rk
from builders import ARTIFACT, THURSDAY, evidence_for
from releasekit._records import converter as conv
from releasekit._rules._time import instant
from releasekit.exceptions import InvalidInputError
from releasekit.stores import Ledger, MemoryStore, Record, Store
from releasekit.testing import strategies as rks

#: Nested values are slow to draw: fewer examples of them still cover every field.
FEWER = settings(max_examples=min(60, settings().max_examples))

AT = pendulum.datetime(2030, 1, 1, 9, 30, tz="UTC")


# ---------------------------------------------------------------------------
# Releases moved and given evidence without running __init__ again
# ---------------------------------------------------------------------------


@FEWER
@given(rks.any_releases(), rks.moves(), st.lists(rks.any_evidence(), min_size=1, max_size=3))
def test_a_moved_release_equals_the_evolved_one(
    release: rk.Release, move: rk.Move, evidence: list[rk.Evidence]
) -> None:
    """moved() and with_evidence() give what attrs.evolve (running __init__) gives."""
    assert attrs.evolve(release, state=move.target, moves=(*release.moves, move)) == release.moved(
        move
    )
    assert attrs.evolve(release, evidence=(*release.evidence, *evidence)) == release.with_evidence(
        *evidence
    )


def test_a_move_to_nowhere_is_refused_as_before() -> None:
    """The new state is still checked, with the message the field's validator gives."""
    release = rk.Release(
        id="r1", version="1", kind="normal", state="dev", created_at=AT, created_by="anton"
    )

    with pytest.raises(InvalidInputError, match="state must be a non-empty string") as caught:
        release.moved(rk.Move(source="dev", target=" ", at=AT, by="anton"))

    assert "state" == caught.value.field


def test_new_evidence_is_still_checked() -> None:
    """Something that is not evidence is refused, naming the field."""
    release = rk.Release(
        id="r1", version="1", kind="normal", state="dev", created_at=AT, created_by="anton"
    )

    with pytest.raises(InvalidInputError, match="is not evidence") as caught:
        release.with_evidence("tests passed")  # type: ignore[arg-type]

    assert "evidence" == caught.value.field


def test_a_subclass_is_moved_through_its_own_init() -> None:
    """A release subclass keeps its class (and its own __init__ runs)."""

    @attrs.frozen(kw_only=True)
    class Tagged(rk.Release):
        tag: str = "x"

    release = Tagged(
        id="r1", version="1", kind="normal", state="dev", created_at=AT, created_by="anton"
    )

    moved = release.moved(rk.Move(source="dev", target="prod", at=AT, by="anton"))

    assert isinstance(moved, Tagged)
    assert ("prod", "x") == (moved.state, moved.tag)


def test_an_instant_already_in_utc_is_kept_as_it_is() -> None:
    """instant() returns a pendulum UTC value unchanged, and converts anything else."""
    berlin = pendulum.datetime(2030, 1, 1, 10, 30, tz="Europe/Berlin")

    assert AT is instant(AT)
    assert (AT, "UTC") == (instant(berlin), instant(berlin).timezone_name)
    assert instant(dt.datetime(2030, 1, 1, 9, 30, tzinfo=dt.UTC)) == AT


# ---------------------------------------------------------------------------
# What a step writes
# ---------------------------------------------------------------------------


@pytest.fixture
def ledger(store: Store) -> Ledger:
    return Ledger(store, policy=rk.reference_policy())


def at_stage(ledger: Ledger) -> Record:
    """Start a release, walk it to stage and record what production asks for."""
    engine = rk.Engine(rk.reference_policy())
    release = engine.start(
        release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY, artifact=ARTIFACT
    )
    record = ledger.start(release)
    moment = THURSDAY
    while record.state != "stage":
        step = engine.next_step(record.release)
        assert step is not None
        moment = moment.add(minutes=10)
        record = ledger.add_evidence(
            record, *evidence_for(record.release, step.target, moment), by="anton", at=moment
        )
        moved = engine.promote(record.release, by="anton", now=moment)
        record = ledger.promote(record, moved.moves[-1])
    evidence = evidence_for(record.release, "production", moment)
    return ledger.add_evidence(record, *evidence, by="anton", at=moment)


def canonical(text: str) -> bool:
    """Whether *text* is the canonical JSON of what it holds."""
    return text == conv.dumps(conv.loads(text))


def test_every_stored_text_is_canonical_json(ledger: Ledger) -> None:
    """Evidence, moves, the artifact, the step and attention are stored as canonical JSON."""
    record = at_stage(ledger)
    record = ledger.raise_attention(record, key="k", message="logs ✗", by="m", at=THURSDAY)
    ledger.begin_attempt(record, capability="deploy", by="anton", at=THURSDAY, detail="dt ✓")

    stored = ledger.store.read_release("r1")

    assert stored is not None
    row = stored.row
    texts = [row.artifact, row.attention, row.attempt, *(f.body for f in stored.evidence)]
    texts.extend(fact.body for fact in stored.moves)
    assert all(canonical(text) for text in texts if text is not None)
    assert [
        conv.dumps(conv.unstructure(item, rk.Evidence)) for item in record.release.evidence
    ] == [fact.body for fact in stored.evidence]


def test_a_step_appends_one_event_and_rewrites_nothing_else(ledger: Ledger) -> None:
    """A promotion adds one event and one move row; every row written before stays as it was."""
    record = at_stage(ledger)
    before = ledger.store.read_release("r1")
    events = ledger.history("r1")
    move = rk.Move(source="stage", target="production", at=THURSDAY.add(days=2), by="anton")

    ledger.promote(record, move)

    after = ledger.store.read_release("r1")
    assert before is not None
    assert after is not None
    assert events == ledger.history("r1")[:-1]
    assert (before.evidence, before.moves) == (after.evidence, after.moves[:-1])
    assert (1, "production") == (len(after.moves) - len(before.moves), after.row.state)


def test_a_step_writes_only_the_columns_its_event_changes(ledger: Ledger) -> None:
    """A note copies the stored artifact, even from a record whose release was changed by hand."""
    record = at_stage(ledger)
    before = ledger.store.read_release("r1")
    edited = attrs.evolve(record.release, artifact=rk.Artifact(functions=("edited",)))

    ledger.note(attrs.evolve(record, release=edited), action="notified", by="bot", at=AT)

    after = ledger.store.read_release("r1")
    assert before is not None
    assert after is not None
    assert (before.row.artifact, ("quote", "chart")) == (
        after.row.artifact,
        ledger.load("r1").release.artifact.functions,
    )
    assert ledger.verify("r1").ok


def test_the_release_row_does_not_grow_with_the_history(ledger: Ledger) -> None:
    """Notes, refusals and steps add events; the release row stays the same size."""
    record = at_stage(ledger)
    size = len(ledger.store.read_release("r1").row.text())  # type: ignore[union-attr]
    for n in range(30):
        record = ledger.note(
            record, action="logs-checked", by="monitor", at=THURSDAY, reason=f"{n}"
        )

    assert size == len(ledger.store.read_release("r1").row.text())  # type: ignore[union-attr]
    assert 30 + 8 == record.revision


def test_every_event_of_a_step_verifies(ledger: Ledger) -> None:
    """Each event's digest covers its fields and the state digest of the row written with it."""
    record = at_stage(ledger)

    events = ledger.history("r1")

    assert all(event.matches_digest() for event in events)
    assert [event.previous for event in events[1:]] == [event.digest for event in events[:-1]]
    assert ledger.verify("r1").ok
    assert record == ledger.load("r1") == rk.stores.replay(events)


class Counting(MemoryStore):
    """A memory store that counts the calls the ledger makes through the Store protocol."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def read_release(self, release_id: str, *, with_state: str | None = None) -> Any:
        """Count, then read."""
        self.calls.append("read_release")
        return super().read_release(release_id, with_state=with_state)

    def append_release(self, *args: Any, **kwargs: Any) -> Any:
        """Count, then write."""
        self.calls.append("append_release")
        return super().append_release(*args, **kwargs)

    def events(self, stream: str, *, after: int = 0) -> Any:
        """Count, then read."""
        self.calls.append("events")
        return super().events(stream, after=after)

    def snapshot(self, stream: str) -> Any:
        """Count, then read."""
        self.calls.append("snapshot")
        return super().snapshot(stream)


def test_a_load_reads_once_and_a_step_writes_once() -> None:
    """Loading a release is one read of its rows; a promotion is one write, no read."""
    store = Counting()
    ledger = Ledger(store)
    record = at_stage(ledger)
    store.calls.clear()

    loaded = ledger.load("r1")
    ledger.promote(loaded, rk.Move(source="stage", target="production", at=AT, by="anton"))

    assert ["read_release", "append_release"] == store.calls
    assert record == loaded


def test_a_desk_promotion_reads_the_release_once() -> None:
    """Desk.promote reads the release and the freezes in one read, then writes twice."""
    store = Counting()
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC"))
    desk = rk.Desk(rk.reference_policy(), store=store, clock=clock)
    at_stage(desk.ledger)
    store.calls.clear()

    desk.promote("r1", by="anton", to="production")

    assert ["read_release", "append_release", "append_release"] == store.calls


def test_a_step_written_over_a_note_made_meanwhile_is_written_on_top_of_it() -> None:
    """If someone writes while the executor runs, the step's end is written after their event."""
    store = MemoryStore()
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC"))

    class Meanwhile(rk.executors.DryRunExecutor):
        def deploy(self, request: Any) -> Any:
            """Note something on the release while the deployment runs."""
            ledger = Ledger(store)
            ledger.note(ledger.load("r1"), action="notified", by="bot", at=clock.now())
            return super().deploy(request)

    registry = rk.executors.Registry()
    registry.register_all(Meanwhile())
    desk = rk.Desk(rk.reference_policy(), store=store, executors=registry, clock=clock)
    at_stage(desk.ledger)

    release = desk.promote("r1", by="anton", to="production")

    assert "production" == release.state
    assert ["step-started", "notified", "step-finished"] == [
        event.action.value for event in desk.history("r1")[-3:]
    ]
    assert desk.verify("r1").ok


def test_releases_loaded_and_dropped_are_not_kept_alive(ledger: Ledger) -> None:
    """Nothing in releasekit holds on to a release once the caller dropped it."""
    at_stage(ledger)
    loaded = ledger.load("r1")
    moved = ledger.promote(loaded, rk.Move(source="stage", target="production", at=AT, by="anton"))
    alive = [weakref.ref(record.release) for record in (loaded, moved)]

    del loaded, moved
    gc.collect()

    assert [None, None] == [ref() for ref in alive]
