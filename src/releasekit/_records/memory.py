"""An in-memory store: for tests, simulations and one-off scripts."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Self

import attrs

from releasekit._records.converter import loads
from releasekit._records.events import (
    Action,
    Draft,
    Event,
    Verification,
    build_event,
    check_chain,
    digest_state,
    seal,
)
from releasekit._records.store import (
    JSONText,
    Lease,
    Snapshot,
    check_expected,
    check_holder,
    check_release,
    check_stream,
    check_token,
    decide_lease,
    decide_renewal,
    decide_take_over,
    new_token,
    snapshot_text,
    stored_snapshot,
    wrong_previous,
)
from releasekit._rules._time import instant
from releasekit.exceptions import ConflictError, StoreError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping
    from types import TracebackType

    import pendulum

__all__ = ["MemoryStore"]


@attrs.frozen
class _Row:
    revision: int
    head: str
    snapshot: str


@attrs.define(eq=False)
class MemoryStore:
    """A store that keeps everything in this process's memory, and loses it at exit.

    It behaves exactly like the durable stores (same conflicts, same digests,
    same JSON round trips), so code tested against it runs unchanged on SQLite
    or PostgreSQL. Safe to share between threads.
    """

    _rows: dict[str, _Row] = attrs.field(init=False, factory=dict, repr=False)
    _history: dict[str, list[Event]] = attrs.field(init=False, factory=dict, repr=False)
    _leases: dict[str, Lease] = attrs.field(init=False, factory=dict, repr=False)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock, repr=False)
    _closed: bool = attrs.field(init=False, default=False, repr=False)

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any] | JSONText,
        previous: str | None = None,
    ) -> Event:
        """Append one event to *stream* and replace its snapshot, all or nothing.

        Raises:
            ConflictError: The stream is not at *expected*; nothing was written.
            InvalidInputError: The snapshot or the draft's data is not JSON, or
                *previous* is not the head at *expected*.
        """
        check_stream(stream)
        check_expected(expected)
        text = snapshot_text(snapshot)
        with self._lock:
            head = self._head(stream, expected, previous)
            event = seal(
                stream,
                seq=expected + 1,
                previous=head,
                draft=draft,
                state_digest=digest_state(text),
            ).event
            self._put(event, text)
            return event

    def _commit(self, row: tuple[Any, ...], action: Action, at: pendulum.DateTime) -> None:
        """Append an event sealed by the ledger, given as its row (see SqliteStore)."""
        stream, seq, _at, actor, _action, source, target, reason, data, previous, digest = row[:11]
        state, text = row[11:]
        event = build_event(
            stream,
            seq,
            at,
            actor,
            action,
            source,
            target,
            reason,
            loads(data),
            previous,
            digest,
            state,
        )
        with self._lock:
            self._head(stream, seq - 1, previous)
            self._put(event, text)

    def _head(self, stream: str, expected: int, previous: str | None) -> str:
        """Return the head of *stream*, checking that it is at *expected* (and *previous*)."""
        self._check_open()
        row = self._rows.get(stream)
        actual = row.revision if row else 0
        if actual != expected:
            raise ConflictError(stream=stream, expected=expected, actual=actual)
        head = row.head if row else ""
        if previous is not None and previous != head:
            raise wrong_previous(stream, expected=expected, previous=previous)
        return head

    def _put(self, event: Event, text: str) -> None:
        self._history.setdefault(event.stream, []).append(event)
        self._rows[event.stream] = _Row(revision=event.seq, head=event.digest, snapshot=text)

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of *stream*, or ``None`` if it does not exist."""
        with self._lock:
            self._check_open()
            row = self._rows.get(stream)
            history = self._history.get(stream, ())
            last = history[row.revision - 1] if row and 0 < row.revision <= len(history) else None
        if row is None:
            return None
        return stored_snapshot(
            stream,
            revision=row.revision,
            head=row.head,
            text=row.snapshot,
            last_digest=last.digest if last is not None and last.seq == row.revision else None,
            last_state_digest=last.state_digest if last is not None else None,
        )

    def events(self, stream: str, *, after: int = 0) -> list[Event]:
        """Return the events of *stream* after position *after*, oldest first."""
        with self._lock:
            self._check_open()
            return [event for event in self._history.get(stream, ()) if event.seq > after]

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every stream starting with *prefix*, sorted."""
        with self._lock:
            self._check_open()
            return sorted(name for name in self._rows if name.startswith(prefix))

    def histories(self) -> list[str]:
        """Return the names of every stream with a state or events, sorted: what verify walks."""
        with self._lock:
            self._check_open()
            return sorted({*self._rows, *self._history})

    def verify(self, stream: str) -> Verification:
        """Check the history of *stream* against its hash chain and its snapshot."""
        with self._lock:
            self._check_open()
            events = list(self._history.get(stream, ()))
            row = self._rows.get(stream)
        return check_chain(
            stream,
            events,
            revision=row.revision if row else None,
            head=row.head if row else None,
            state=row.snapshot if row else None,
        )

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token.

        Raises:
            LeaseHeldError: It is held and has not lapsed; nothing changed.
        """
        check_stream(name, field="name")
        check_holder(holder)
        with self._lock:
            self._check_open()
            lease = decide_lease(
                self._leases.get(name),
                name=name,
                holder=holder,
                token=new_token(),
                now=now,
                ttl=ttl,
            )
            self._leases[name] = lease
            return lease

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* does not hold it, or it lapsed; nothing changed.
        """
        check_token(token)
        with self._lock:
            self._check_open()
            lease = decide_renewal(self._leases.get(name), name=name, token=token, now=now, ttl=ttl)
            self._leases[name] = lease
            return lease

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may.

        Raises:
            LeaseNotHeldError: *token* does not hold it; nothing changed.
        """
        check_token(token)
        with self._lock:
            self._check_open()
            held = check_release(self._leases.get(name), name=name, token=token)
            del self._leases[name]
            return held

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        """Hand the lease *name* held by *token* to *holder*, under a new token.

        Raises:
            LeaseNotHeldError: *token* no longer holds it; nothing changed.
        """
        check_token(token)
        check_holder(holder)
        with self._lock:
            self._check_open()
            lease = decide_take_over(
                self._leases.get(name),
                name=name,
                token=token,
                holder=holder,
                new=new_token(),
                now=now,
                ttl=ttl,
            )
            self._leases[name] = lease
            return lease

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        """Return the lease *name* if someone holds it at *now*, else ``None``."""
        moment = instant(now, field="now")
        with self._lock:
            self._check_open()
            lease = self._leases.get(name)
        return lease if lease is not None and lease.held_at(moment) else None

    def close(self) -> None:
        """Forget everything; the store cannot be used afterwards."""
        with self._lock:
            self._closed = True
            self._rows.clear()
            self._history.clear()
            self._leases.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            msg = "this MemoryStore was closed; make a new one"
            raise StoreError(msg)
