"""The store contract: histories with a current state, and exclusive leases.

A store keeps append-only, hash-chained histories of
:class:`~releasekit._records.events.Event`, each with its current state,
written together in one transaction:

- a **release**'s state is a :class:`~releasekit._records.values.ReleaseRow`
  plus one row per piece of evidence and per move
  (:meth:`Store.append_release`, :meth:`Store.read_release`,
  :meth:`Store.list_releases`);
- any other history (a data operation, a team's own) is a *stream* named
  ``kind:name`` whose state is one JSON :class:`Snapshot` (:meth:`Store.append`).

Every write names the revision it was based on; a stale one is refused with
:class:`~releasekit.exceptions.ConflictError` and changes nothing. Stores also
keep named :class:`Lease` records for exclusive work, such as the test
environment's lock: each held by a token unique to one acquisition, which
alone renews, gives back or hands it over.

Time is always passed in (``now``): a store never reads a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

import attrs

from releasekit._records.checks import SEPARATOR
from releasekit._records.converter import dumps, loads, parse_instant
from releasekit._records.events import Action, Event
from releasekit._records.leases import Lease
from releasekit.exceptions import (
    HistoryTamperedError,
    InvalidInputError,
    UnreadableDataError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence
    from types import TracebackType

    from releasekit._records.events import Draft, Verification
    from releasekit._records.rows import StoredRelease
    from releasekit._records.values import ReleaseRow

__all__ = [
    "Lease",
    "Snapshot",
    "Store",
    "read_event",
    "snapshot_text",
    "stored_snapshot",
    "tampered_state",
]


@attrs.frozen(kw_only=True)
class Snapshot:
    """The current state of a stream, kept in step with its history.

    Attributes:
        stream: The stream.
        revision: How many events its history holds; the next append must name it.
        head: The digest of its last event.
        data: The current state, as JSON values.
        text: The current state's JSON text exactly as the store keeps it
            (``""`` if the store does not give it).
        recorded_digest: The digest its history recorded for the state: that of
            the event at *revision* whose digest is *head*. ``None`` if that
            event records none (it was written before releasekit recorded state
            digests) or the store does not say; ``""`` if the history holds no
            such event.
    """

    stream: str
    revision: int
    head: str
    data: Mapping[str, Any]
    text: str = ""
    recorded_digest: str | None = None


def tampered_state(stream: str, seq: int, detail: str) -> HistoryTamperedError:
    """Return the error refusing to read a state that does not match its history."""
    return HistoryTamperedError(
        stream=stream,
        seq=seq,
        detail=detail,
        message=f"the stored state of {stream} does not match its history ({detail}); run "
        f"`releasekit verify` to see what changed, and restore it from a backup",
    )


def snapshot_text(snapshot: Mapping[str, Any]) -> str:
    """Return the JSON text a store keeps for *snapshot* (canonical JSON).

    Raises:
        InvalidInputError: *snapshot* is not a mapping, or holds something JSON
            cannot represent.
    """
    if not isinstance(snapshot, Mapping):
        raise InvalidInputError(
            f"a snapshot must be a mapping of JSON values, got {type(snapshot).__name__}",
            field="snapshot",
            value=snapshot,
        )
    try:
        return dumps(snapshot)
    except InvalidInputError as error:
        raise InvalidInputError(str(error), field="snapshot", value=snapshot) from None


@runtime_checkable
class Store(Protocol):
    """What every store does: memory, SQLite and PostgreSQL pass one contract suite.

    Stores are context managers: ``with SqliteStore(path) as store: ...`` closes
    the store at the end.
    """

    def append_release(
        self,
        row: ReleaseRow,
        *,
        expected: int,
        previous: str,
        evidence_before: str,
        moves_before: str,
        draft: Draft,
        evidence: Sequence[str] = (),
        moves: Sequence[str] = (),
    ) -> Event:
        """Append one event to a release's history and write its rows, in one transaction.

        The release row becomes *row* (at the event's position, headed by its
        digest), the *evidence* and *moves* texts are added as rows of the
        event, and the event records the digest of ``row.text()``.

        Args:
            row: The release row after the event; its digests must be those of
                *evidence* and *moves* rolled onto *evidence_before* and
                *moves_before*.
            expected: The revision the writer based its change on; ``0``
                creates the release.
            previous: The head the writer saw at *expected* (``""`` to create).
            evidence_before: The rolling digest of the evidence the writer saw.
            moves_before: The rolling digest of the moves the writer saw.
            draft: What happened.
            evidence: The canonical JSON of each piece of evidence the event adds.
            moves: The canonical JSON of each move the event adds.

        Returns:
            The event as stored.

        Raises:
            ConflictError: The release is not at *expected* (someone else wrote
                first, or it already exists); nothing was written.
            InvalidInputError: *previous* or the digests before are not the
                release's at *expected*, the row's digests are not those of
                what is written with it, or the draft's data is not JSON.
            StoreError: The store could not be written.
        """
        ...

    def read_release(
        self, release_id: str, *, with_state: str | None = None
    ) -> StoredRelease | None:
        """Return a release's rows and the state digest its last event recorded, or ``None``.

        The history is not read beyond that one event: the cost does not grow
        with it. *with_state* names another history whose state is read in the
        same read, as :meth:`snapshot` reads it, into
        :attr:`StoredRelease.state <releasekit._records.rows.StoredRelease.state>`:
        what a decision needs beside the release (the freezes declared on the
        spot) costs no read of its own.

        Raises:
            HistoryTamperedError: The state of *with_state* was deleted while
                its history remains.
        """
        ...

    def list_releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseRow]:
        """Return release rows (no evidence, no history), in the order of their ids.

        Args:
            active: Only releases that have not finished (whose
                :attr:`~ReleaseRow.finished_at` is ``None``); all of them if false.
            after: Only ids after this one: the last id of the page before.
            limit: At most this many rows; all of them if ``None``.
        """
        ...

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any],
        previous: str | None = None,
    ) -> Event:
        """Append one event to the history *stream* and replace its snapshot, in one transaction.

        For histories other than releases, named ``kind:name``. The event
        records the digest of the snapshot's text
        (:attr:`Event.state_digest <releasekit.stores.Event.state_digest>`),
        and the store keeps that text exactly as written.

        Args:
            stream: The history to append to, named ``kind:name``.
            expected: The revision the writer based its change on; ``0`` creates
                the stream.
            draft: What happened.
            snapshot: The stream's state after the event, as JSON values.
            previous: The head digest the writer saw at *expected*, if it knows
                it: the store then need not read it.

        Returns:
            The event as stored, with its position and digests.

        Raises:
            ConflictError: The stream is not at *expected* (someone else wrote
                first, or it already exists); nothing was written.
            InvalidInputError: The name is not ``kind:name``, the snapshot or
                the draft's data is not JSON, or *previous* is not the head at
                *expected*.
            StoreError: The store could not be written.
        """
        ...

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of the history *stream*, or ``None``.

        Releases have rows, not snapshots (:meth:`read_release`): for a release id
        this is ``None``. The state comes with its text and the digest its last
        event recorded for it (:func:`stored_snapshot`), so a reader can check
        it at once.

        Raises:
            HistoryTamperedError: The state was deleted while the history's
                events remain (``verify`` reports the same).
        """
        ...

    def events(self, stream: str, *, after: int = 0) -> list[Event]:
        """Return the events of a history (a release's or another) after *after*, oldest first."""
        ...

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every history other than a release starting with *prefix*, sorted."""
        ...

    def histories(self) -> list[str]:
        """Return the name of every history, releases and others, sorted: what verify walks.

        A history whose state was deleted is listed too, as long as it has events.
        """
        ...

    def verify(self, stream: str) -> Verification:
        """Check the history *stream* (a release's or another) against its chain and its state.

        The state must be at the last event, and be the state that event
        recorded (if it recorded one); a release's evidence and move rows must
        be those its row records.
        """
        ...

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token.

        A lease that lapsed is taken over. A lease in force is refused to
        everyone — its own holder's name included — and left as it is.

        Returns:
            The lease, with the :attr:`~Lease.token` that alone renews, gives
            back or hands it over.

        Raises:
            LeaseHeldError: It is held and has not lapsed; nothing changed.
        """
        ...

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* does not hold it, or it lapsed; nothing changed.
        """
        ...

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may, lapsed or not.

        Returns:
            The lease as it was before it was given back.

        Raises:
            LeaseNotHeldError: *token* does not hold it; nothing changed.
        """
        ...

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        """Hand the lease *name* held by *token* to *holder*, under a new token, in one step.

        For a run that carries on the work of one that died: it succeeds only
        if *token* (the dead run's) still holds the lease, lapsed or not.

        Returns:
            The lease under its new token, taken ``now`` until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* no longer holds it; nothing changed.
        """
        ...

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        """Return the lease *name* if someone holds it at *now*, else ``None``."""
        ...

    def close(self) -> None:
        """Release the store's connections; it cannot be used afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def stored_snapshot(stream: str, row: Sequence[Any] | None) -> Snapshot | None:
    """Build the snapshot of a stored state row, read with its history's event at its revision.

    *row* holds ``revision, head, text`` of the state (its JSON text as stored;
    ``None`` if the stream has no state), the digest and state digest of the
    stored event at that revision (``None`` if there is none), and the seq of
    the stream's last event (``None`` if it has none). Returns ``None`` for a
    stream with neither state nor history, and for a release (whose state is
    its row).

    Raises:
        HistoryTamperedError: The state was deleted while its history remains:
            whoever acts on that history would act on nothing.
    """
    if row is None:
        return None
    revision, head, text, last_digest, last_state_digest, last_seq = row
    if revision is None:
        if last_seq is None or SEPARATOR not in stream:  # a release's history has no state
            return None
        detail = f"its state is gone while its history of {last_seq} events remains"
        raise tampered_state(stream, last_seq, detail)
    return Snapshot(
        stream=stream,
        revision=revision,
        head=head,
        data=loads(text),
        text=text,
        recorded_digest=last_state_digest if last_digest == head else "",
    )


def read_event(stream: str, row: Sequence[Any]) -> Event:
    """Build an event of *stream* from its stored row, refusing rows this releasekit cannot read.

    *row* holds the columns ``seq, at, actor, action, source, target, reason,
    data, previous, digest, state_digest``: the instant as ISO text or a
    datetime, the data as JSON text.

    Raises:
        UnreadableDataError: A value cannot be read (an unknown action, a bad instant).
    """
    seq, at, actor, action, source, target, reason, data, previous, digest, state_digest = row
    try:
        return Event(
            stream=stream,
            seq=seq,
            at=parse_instant(at),
            actor=actor,
            action=Action(action),
            source=source,
            target=target,
            reason=reason,
            data=loads(data),
            previous=previous,
            digest=digest,
            state_digest=state_digest,
        )
    except ValueError as error:
        raise UnreadableDataError(
            what=f"event {seq} of {stream}", problems=[f"{error} @ $"]
        ) from error
