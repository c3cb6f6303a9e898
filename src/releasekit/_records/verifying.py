"""Checking a history against its state: one consistent look at both, retried across writes.

A store checks a history's chain and that its state is the one its last event
recorded (:meth:`Store.verify <releasekit.stores.Store.verify>`). Beyond that,
a history's kind may replay its events and compare the result with the stored
state (a :data:`Replay`): releases and data operations do. :func:`check_history`
does both, reading the state and the events again if a write came between the
reads.

For a release, the replay is the fold of its history written as the rows a
store keeps (:func:`replay_rows`); :func:`release_problem` compares them with
the stored rows, and :func:`migrated_release` builds the rows of a release
stored before release rows, once its state matches its history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import attrs

from releasekit._records.converter import loads, structure
from releasekit._records.events import Event, Verification, check_chain
from releasekit._records.fold import applied, facts_of
from releasekit._records.reading import legacy_record
from releasekit._records.rows import (
    NO_FACTS,
    Fact,
    StoredRelease,
    evidence_text,
    move_text,
    roll,
    row_of,
)
from releasekit._records.store import Snapshot, Store
from releasekit._records.values import State
from releasekit.exceptions import (
    HistoryTamperedError,
    ReleaseKitError,
    StoreError,
    UnreadableDataError,
)

__all__ = [
    "MISMATCH",
    "Replay",
    "check_history",
    "migrated_release",
    "release_problem",
    "replay_rows",
    "tampered",
]

#: Where and why a stored state (a snapshot) is not the replay of its events, or ``None``.
Replay = Callable[[Snapshot, Sequence[Event]], "tuple[int, str] | None"]

#: A stored state: a stream's snapshot, or a release's rows.
_S = TypeVar("_S", Snapshot, StoredRelease)

#: How often a history is read again when a write came between the reads.
_TRIES = 3

#: What every mismatch between a state and its replay says.
MISMATCH = (
    "the current state does not match what the history says (it was changed after it was written)"
)


def check_history(
    store: Store,
    stream: str,
    read: Callable[[str], _S | None],
    replay: Callable[[_S, Sequence[Event]], tuple[int, str] | None] | None,
) -> tuple[Verification, _S | None]:
    """Verify *stream* in *store*; return the verification and the state it was checked against.

    *read* reads the stream's state (``store.snapshot``, or ``store.read_release``
    for a release). The state is ``None`` if the stream has none (it does not
    exist, or the verification failed before the state was read).
    """
    for _ in range(_TRIES):  # a write between the reads below means: look again
        verification = store.verify(stream)
        if not verification.ok:
            return verification, None
        snapshot = read(stream)
        if snapshot is None:
            if verification.events:
                continue  # it was deleted just now, or between the reads
            return verification, None
        events = store.events(stream)
        if snapshot.revision != len(events) or snapshot.head != verification.head:
            continue
        if events and events[-1].digest != snapshot.head:
            continue
        problem = replay(snapshot, events) if replay is not None else None
        if problem is not None:
            seq, detail = problem
            return attrs.evolve(verification, seq=seq, detail=detail), snapshot
        return verification, snapshot
    return store.verify(stream), None  # pragma: no cover  # three writes in a row


def tampered(verification: Verification) -> HistoryTamperedError:
    """Return the error that refuses to act on a history *verification* found tampered with."""
    stream, detail, seq = verification.stream, verification.detail, verification.seq or 1
    return HistoryTamperedError(
        stream=stream,
        seq=seq,
        detail=detail,
        message=f"the stored state of {stream} does not match its history (event {seq}: "
        f"{detail}); run `releasekit verify` to see what changed, and restore it from a backup",
    )


#: What :func:`release_problem` says of evidence or move rows that are not the replay's.
MISMATCH_FACTS = (
    "the evidence or moves stored are not those its history added (they were changed after "
    "they were written)"
)


def replay_rows(events: Iterable[Event]) -> tuple[State, StoredRelease]:
    """Fold a release's history, oldest event first, into its state and the rows a store keeps.

    Raises:
        UnreadableDataError: The history is empty, does not begin with ``started``, or
            holds data that cannot be read.
    """
    evidence: list[Fact] = []
    moves: list[Fact] = []
    last: tuple[Event, State, object] | None = None
    for last in applied(events):
        event, _state, data = last
        added, moved = facts_of(data)
        evidence.extend(Fact(event.seq, evidence_text(item)) for item in added)
        moves.extend(Fact(event.seq, move_text(move)) for move in moved)
    if last is None:
        raise UnreadableDataError(what="the history", problems=["it holds no event @ $"])
    event, state, _data = last
    row = row_of(
        state,
        updated_at=event.at,
        evidence_digest=roll(NO_FACTS, (fact.body for fact in evidence)),
        moves_digest=roll(NO_FACTS, (fact.body for fact in moves)),
    )
    rows = StoredRelease(
        row=row.placed(event.seq, event.digest), evidence=tuple(evidence), moves=tuple(moves)
    )
    return state, rows


def release_problem(stored: StoredRelease, events: Sequence[Event]) -> tuple[int, str] | None:
    """Return where and why a release's stored rows are not the replay of its history."""
    try:
        _state, replayed = replay_rows(events)
    except UnreadableDataError as error:
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


def migrated_release(
    stream: str, *, revision: int, head: str, text: str, events: Sequence[Event]
) -> StoredRelease:
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
    replayed: StoredRelease | None = None
    if problem is None:
        try:
            folded, replayed = replay_rows(events)
            state = structure(loads(text), State, what=f"the current state of {stream}")
        except (UnreadableDataError, ValueError) as error:
            problem = str(error)
        else:
            if (state.release, state.attempt, state.attention) != (
                folded.release,
                folded.attempt,
                folded.attention,
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
