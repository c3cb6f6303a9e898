"""Checking a history against its state: one consistent look at both, retried across writes.

A store checks a history's chain and that its state is the one its last event
recorded (:meth:`Store.verify <releasekit.stores.Store.verify>`). Beyond that,
a history's kind may replay its events and compare the result with the stored
state (a :data:`Replay`): releases and data operations do. :func:`check_history`
does both, reading the state and the events again if a write came between the
reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import attrs

from releasekit._records.events import Event, Verification
from releasekit._records.rows import StoredRelease
from releasekit._records.store import Snapshot, Store
from releasekit.exceptions import HistoryTamperedError

__all__ = ["MISMATCH", "Replay", "check_history", "tampered"]

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
