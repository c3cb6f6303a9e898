"""The fold of a release's history: what each event does, and replay.

Every event of a release's history says what happened; :data:`EFFECTS` says
what it does to the release. The ledger computes each new state with these
very functions before writing it, :func:`replay` folds a whole history into a
:class:`~releasekit._records.values.Record`, and ``verify`` compares the two
(:func:`release_problem`), so the stored state is the replay of its history
by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from cattrs.gen import make_dict_unstructure_fn, override

from releasekit._records.converter import dumps, extend, loads, structure
from releasekit._records.events import Action, Event, check_chain
from releasekit._records.processes import HostProcess
from releasekit._records.rows import (
    NO_FACTS,
    Fact,
    ReleaseRow,
    StoredRelease,
    evidence_text,
    legacy_record,
    move_text,
    roll,
    row_of,
)
from releasekit._records.store import Lease
from releasekit._records.values import Attempt, Attention, Record, State
from releasekit._records.verifying import MISMATCH
from releasekit._rules.ended import ENDED_STATES
from releasekit._rules.evidence import Evidence
from releasekit._rules.release import Move, Release
from releasekit._rules.verdicts import Blocker
from releasekit.exceptions import RecordError, ReleaseKitError, StoreError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    import cattrs

__all__ = [
    "EFFECTS",
    "NOTES",
    "Replayed",
    "advance",
    "fact_texts",
    "facts_of",
    "finishes",
    "migrated_release",
    "migrated_releases",
    "release_problem",
    "replay",
    "replay_rows",
]

#: What :func:`release_problem` says of evidence or move rows that are not the replay's.
MISMATCH_FACTS = (
    "the evidence or moves stored are not those its history added (they were changed after "
    "they were written)"
)


# ---------------------------------------------------------------------------
# What each event says, and what it does to the state
# ---------------------------------------------------------------------------


def _evidence(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


def _blockers(value: Iterable[Blocker]) -> tuple[Blocker, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Started:
    """The data of a ``started`` event: the release as it was started."""

    release: Release


@attrs.frozen(kw_only=True)
class EvidenceRecorded:
    """The data of an ``evidence-recorded`` event."""

    evidence: tuple[Evidence, ...] = attrs.field(converter=_evidence)


@attrs.frozen(kw_only=True)
class Moved:
    """The data of a ``promoted``, ``abandoned`` or ``rolled-back`` event.

    Attributes:
        move: The move.
        finished: Whether the move takes the release to the end of its flow
            (written only when true).
    """

    move: Move
    finished: bool = False


@attrs.frozen(kw_only=True)
class Refused:
    """The data of a ``refused`` event: every blocker of the refused step."""

    blockers: tuple[Blocker, ...] = attrs.field(converter=_blockers)


@attrs.frozen(kw_only=True)
class StepStarted:
    """The data of a ``step-started`` event."""

    attempt: Attempt


@attrs.frozen(kw_only=True)
class StepEnded:
    """The data of a ``step-finished``, ``step-failed`` or ``step-abandoned`` event.

    Attributes:
        attempt_id: The attempt that ended.
        evidence: Evidence the step produced (a test run, a migration run).
        move: Where the release moved because the step succeeded, if it did.
        output: The tail of what the step printed.
        finished: Whether the move takes the release to the end of its flow
            (written only when true).
    """

    attempt_id: str
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence)
    move: Move | None = None
    output: str = ""
    finished: bool = False


@attrs.frozen(kw_only=True)
class StepResumed:
    """The data of a ``step-resumed`` event: who runs the step in flight from now on.

    Attributes:
        attempt_id: The attempt resumed.
        lease: The lease the resumed step holds (taken over from the run that
            was interrupted, or taken afresh), if it needs one.
        runner: The releasekit process that resumed it.
    """

    attempt_id: str
    lease: Lease | None = None
    runner: HostProcess | None = None


@attrs.frozen(kw_only=True)
class ChildStarted:
    """The data of a ``child-started`` event: a program the executor started for the step."""

    attempt_id: str
    process: HostProcess


@attrs.frozen(kw_only=True)
class AttentionNeeded:
    """The data of an ``attention-needed`` event."""

    attention: Attention


@attrs.frozen(kw_only=True)
class AttentionCleared:
    """The data of an ``attention-cleared`` event."""

    key: str


def _on_started(_state_before: State | None, data: Started) -> State:
    return State(release=data.release)


def _on_evidence(state: State, data: EvidenceRecorded) -> State:
    return attrs.evolve(state, release=state.release.with_evidence(*data.evidence))


def _on_moved(state: State, data: Moved) -> State:
    return attrs.evolve(state, release=state.release.moved(data.move))


def _on_refused(state: State, _data: Refused) -> State:
    return state


def _on_step_started(state: State, data: StepStarted) -> State:
    return attrs.evolve(state, attempt=data.attempt)


def _on_step_ended(state: State, data: StepEnded) -> State:
    release = state.release
    if data.evidence:
        release = release.with_evidence(*data.evidence)
    if data.move is not None:
        release = release.moved(data.move)
    return attrs.evolve(state, release=release, attempt=None)


def _on_step_resumed(state: State, data: StepResumed) -> State:
    attempt = state.attempt
    if attempt is None or attempt.id != data.attempt_id:  # pragma: no cover  # the ledger checks
        return state
    resumed = attrs.evolve(attempt, lease=data.lease, runner=data.runner, children=())
    return attrs.evolve(state, attempt=resumed)


def _on_child_started(state: State, data: ChildStarted) -> State:
    attempt = state.attempt
    if attempt is None or attempt.id != data.attempt_id:  # pragma: no cover  # the ledger checks
        return state
    grown = attrs.evolve(attempt, children=(*attempt.children, data.process))
    return attrs.evolve(state, attempt=grown)


def _on_attention_needed(state: State, data: AttentionNeeded) -> State:
    others = tuple(item for item in state.attention if item.key != data.attention.key)
    return attrs.evolve(state, attention=(*others, data.attention))


def _on_attention_cleared(state: State, data: AttentionCleared) -> State:
    kept = tuple(item for item in state.attention if item.key != data.key)
    return attrs.evolve(state, attention=kept)


#: For each action that changes a release's state: the type of its data and
#: how it changes the state. Other actions (leases, data operations) leave
#: the state as it is.
EFFECTS: dict[Action, tuple[type[Any], Callable[[Any, Any], State]]] = {
    Action.STARTED: (Started, _on_started),
    Action.EVIDENCE_RECORDED: (EvidenceRecorded, _on_evidence),
    Action.PROMOTED: (Moved, _on_moved),
    Action.ABANDONED: (Moved, _on_moved),
    Action.ROLLED_BACK: (Moved, _on_moved),
    Action.REFUSED: (Refused, _on_refused),
    Action.STEP_STARTED: (StepStarted, _on_step_started),
    Action.STEP_FINISHED: (StepEnded, _on_step_ended),
    Action.STEP_FAILED: (StepEnded, _on_step_ended),
    Action.STEP_ABANDONED: (StepEnded, _on_step_ended),
    Action.STEP_RESUMED: (StepResumed, _on_step_resumed),
    Action.CHILD_STARTED: (ChildStarted, _on_child_started),
    Action.ATTENTION_NEEDED: (AttentionNeeded, _on_attention_needed),
    Action.ATTENTION_CLEARED: (AttentionCleared, _on_attention_cleared),
}

#: Actions :meth:`Ledger.note <releasekit.stores.Ledger.note>` may add to a
#: release's history: they change nothing. (Freezes have a history of their own.)
NOTES = frozenset(Action) - frozenset(EFFECTS) - {Action.FREEZE_DECLARED, Action.FREEZE_LIFTED}


def _omit_unfinished(converter: cattrs.Converter) -> None:
    """Write ``finished`` into a move's event only when it is true: other moves read as before."""
    for kind in (Moved, StepEnded):
        converter.register_unstructure_hook(
            kind,
            make_dict_unstructure_fn(kind, converter, finished=override(omit_if_default=True)),
        )


extend(_omit_unfinished)


def facts_of(data: object) -> tuple[tuple[Evidence, ...], tuple[Move, ...]]:
    """Return the evidence and the moves an event's (structured) data adds to the release."""
    if isinstance(data, Started):
        return data.release.evidence, data.release.moves
    if isinstance(data, EvidenceRecorded):
        return data.evidence, ()
    if isinstance(data, Moved):
        return (), (data.move,)
    if isinstance(data, StepEnded):
        return data.evidence, (() if data.move is None else (data.move,))
    return (), ()


def fact_texts(action: Action, data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Return the canonical JSON of the evidence and moves an event adds, from its data as JSON.

    *data* is the converter's output for the event's structured data, so each
    text is what :func:`~releasekit._records.rows.evidence_text` and
    :func:`~releasekit._records.rows.move_text` give for its value.
    """
    kind = EFFECTS[action][0] if action in EFFECTS else None
    if kind is Started:
        release = data["release"]
        return [dumps(item) for item in release["evidence"]], [dumps(m) for m in release["moves"]]
    evidence = data["evidence"] if kind in {EvidenceRecorded, StepEnded} else ()
    move = data["move"] if kind in {Moved, StepEnded} else None
    return [dumps(item) for item in evidence], ([] if move is None else [dumps(move)])


def finishes(data: object) -> bool:
    """Whether an event's data ends the release or takes it to the end of its flow.

    A move into ``abandoned`` or ``rolled-back`` ends it whatever the event
    says (events written before moves said so count too); a move to the end
    of its flow says so itself (``finished``), as the writer's policy knew.
    """
    if not isinstance(data, Moved | StepEnded) or data.move is None:
        return False
    return data.finished or data.move.target in ENDED_STATES


def _apply(state: State | None, event: Event) -> tuple[State, object]:
    """Return the state after *event*, and the event's structured data (``None`` for notes)."""
    if (state is None) != (event.action is Action.STARTED):
        problem = (
            f"it begins with a {event.action.value} event, not started"
            if state is None
            else "it holds a second started event"
        )
        raise RecordError(
            what=f"the history of {event.stream}", problems=[f"{problem} @ $[{event.seq - 1}]"]
        )
    effect = EFFECTS.get(event.action)
    if effect is None:
        assert state is not None  # noqa: S101  # checked just above
        return state, None
    data = structure(event.data, effect[0], what=f"event {event.seq} of {event.stream}")
    return advance(state, event.action, data, at=event.at), data


def advance(state: State | None, action: Action, data: object, *, at: dt.datetime) -> State:
    """Return *state* after an event of *action* with its structured *data*, at *at*.

    The one step of the fold: the ledger writes what it returns, and replay
    gives the same. *state* is ``None`` only before a ``started`` event.
    """
    after = EFFECTS[action][1](state, data)
    if after.finished_at is None and finishes(data):
        after = attrs.evolve(after, finished_at=at)
    return after


@attrs.frozen(kw_only=True)
class Replayed:
    """A release's history folded: its record and the rows a store keeps for it.

    Attributes:
        record: What the history says the release is.
        row: Its release row (at the last event).
        evidence: Its evidence rows, each with the event that added it.
        moves: Its move rows, each with the event that added it.
        legacy: The state as stored before release rows, kept beside a
            migrated row (see :func:`migrated_release`).
    """

    record: Record
    row: ReleaseRow
    evidence: tuple[Fact, ...]
    moves: tuple[Fact, ...]
    legacy: str | None = None


def replay_rows(events: Iterable[Event]) -> Replayed:
    """Fold a release's history, oldest event first, into its record and rows.

    Raises:
        RecordError: The history is empty, does not begin with ``started``, or
            holds data that cannot be read.
    """
    state: State | None = None
    last: Event | None = None
    evidence: list[Fact] = []
    moves: list[Fact] = []
    for event in events:
        state, data = _apply(state, event)
        added, moved = facts_of(data)
        evidence.extend(Fact(event.seq, evidence_text(item)) for item in added)
        moves.extend(Fact(event.seq, move_text(move)) for move in moved)
        last = event
    if state is None or last is None:
        raise RecordError(what="the history", problems=["it holds no event @ $"])
    evidence_digest = roll(NO_FACTS, (fact.body for fact in evidence))
    moves_digest = roll(NO_FACTS, (fact.body for fact in moves))
    row = row_of(
        state, updated_at=last.at, evidence_digest=evidence_digest, moves_digest=moves_digest
    )
    record = Record(
        release=state.release,
        revision=last.seq,
        head=last.digest,
        attempt=state.attempt,
        attention=state.attention,
        finished_at=state.finished_at,
        evidence_digest=evidence_digest,
        moves_digest=moves_digest,
    )
    return Replayed(
        record=record,
        row=attrs.evolve(row, revision=last.seq, head=last.digest),
        evidence=tuple(evidence),
        moves=tuple(moves),
    )


def replay(events: Iterable[Event]) -> Record:
    """Rebuild a release's :class:`Record` from its history, oldest event first.

    This is what the stored state must always equal; :meth:`Ledger.verify
    <releasekit.stores.Ledger.verify>` checks it.

    Raises:
        RecordError: The history is empty, does not begin with ``started``, or
            holds data that cannot be read.
    """
    return replay_rows(events).record


def release_problem(stored: StoredRelease, events: Sequence[Event]) -> tuple[int, str] | None:
    """Return where and why a release's stored rows are not the replay of its history."""
    try:
        replayed = replay_rows(events)
    except RecordError as error:
        return 1, str(error)
    if stored.legacy is not None:
        try:
            legacy_record(stored)
        except ReleaseKitError as error:
            return stored.revision, str(error)
    if replayed.row.text() != stored.row.text():
        return stored.revision, MISMATCH
    if (replayed.evidence, replayed.moves) != (stored.evidence, stored.moves):
        return stored.revision, MISMATCH_FACTS
    return None


def migrated_releases(
    states: Iterable[Sequence[Any]], history: Callable[[str], Sequence[Event]]
) -> Iterator[Replayed]:
    """Yield the rows of each release stored before release rows (see :func:`migrated_release`).

    Args:
        states: Each release's stored ``stream, revision, head, snapshot`` text.
        history: Reads the events of a stream.
    """
    for stream, revision, head, text in states:
        events = history(stream)
        yield migrated_release(stream, revision=revision, head=head, text=text, events=events)


def migrated_release(
    stream: str, *, revision: int, head: str, text: str, events: Sequence[Event]
) -> Replayed:
    """Return the rows of a release stored before release rows, from its state and its history.

    For the forward migration of a store: the state (*text*, at *revision*
    and *head*) must be the one its history recorded and its replay; the rows
    are the replay's. While the history's last event records the digest of
    *text*, the row keeps *text* as its :attr:`~releasekit._records.rows.StoredRelease.legacy`
    state, so loading it still checks it against that event.

    Raises:
        StoreError: The state does not match its history: nothing may be migrated.
    """
    verification = check_chain(stream, events, revision=revision, head=head, state=text)
    problem = None if verification.ok else verification.detail
    replayed: Replayed | None = None
    if problem is None:
        try:
            replayed = replay_rows(events)
            state = structure(loads(text), State, what=f"the current state of {stream}")
        except (RecordError, ValueError) as error:
            problem = str(error)
        else:
            record = replayed.record
            if (state.release, state.attempt, state.attention) != (
                record.release,
                record.attempt,
                record.attention,
            ):
                problem = MISMATCH
    if problem is not None or replayed is None:
        msg = (
            f"the stored state of {stream} does not match its history ({problem}); the store "
            "was not migrated and is unchanged: restore that release from a backup, or open the "
            "store with the releasekit that wrote it and run `releasekit verify`"
        )
        raise StoreError(msg)
    legacy = text if events[-1].state_digest is not None else None
    return attrs.evolve(replayed, legacy=legacy)
