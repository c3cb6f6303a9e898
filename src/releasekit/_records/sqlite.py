"""The SQLite store: releasekit's embedded default, one file on one machine.

The file is opened in WAL mode with ``synchronous=FULL``, so a commit that
returned survives a crash or a power cut, and readers never wait for the
writer. Every write takes the write lock for one transaction — a
``BEGIN IMMEDIATE`` one, or a single statement: a release's next step is one
insert into the ``release_appends`` view, whose trigger advances the release
row, appends the event and adds its evidence and move rows — so several
processes can share one file: they queue for the write lock (up to
``timeout`` seconds) and the revision check inside the transaction decides who
wins. The schema and its migrations are in :mod:`releasekit._records.sqlite_schema`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from typing import TYPE_CHECKING, Any, Self, TypeVar

import attrs

from releasekit._records import sqlite_statements as sql
from releasekit._records.checks import (
    check_expected,
    check_history_name,
    check_holder,
    check_page,
    check_stream,
    check_token,
    wrong_previous,
)
from releasekit._records.converter import dumps, iso, parse_instant
from releasekit._records.events import (
    Draft,
    Event,
    Verification,
    check_chain,
    digest,
    seal,
)
from releasekit._records.leases import (
    Lease,
    check_release,
    decide_lease,
    decide_renewal,
    decide_take_over,
    new_token,
)
from releasekit._records.rows import (
    Fact,
    StoredRelease,
    check_release_chain,
    release_conflict,
    row_from,
    sealed_write,
)
from releasekit._records.sqlite_schema import insert_release, prepare, read_events
from releasekit._records.store import Snapshot, snapshot_text, stored_snapshot
from releasekit._rules._time import instant
from releasekit.exceptions import (
    ConflictError,
    ReleaseKitError,
    StoreError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from types import TracebackType

    from releasekit._records.values import ReleaseRow

__all__ = ["SqliteStore"]

_T = TypeVar("_T")


def _path(value: str | os.PathLike[str]) -> str:
    return os.fspath(value)


@attrs.define(eq=False)
class SqliteStore:
    """A store in one SQLite file: durable, and safe for several processes at once.

    Example:
        >>> with SqliteStore(tmp / "releases.db") as store:  # doctest: +SKIP
        ...     ledger = Ledger(store)

    Each method does what :class:`~releasekit.stores.Store` says; any failure of the
    file itself is a :class:`~releasekit.exceptions.StoreError`.

    Args:
        path: The database file; created (with its schema) if it does not exist.
        timeout: How long, in seconds, to wait for another process's write
            before giving up with a :class:`~releasekit.exceptions.StoreError`.

    Raises:
        StoreError: The file cannot be opened, is not a releasekit store, or a
            migration failed.
        SchemaVersionError: The file was written by a newer releasekit.
    """

    path: str = attrs.field(converter=_path)
    timeout: float = 30.0
    _conn: sqlite3.Connection = attrs.field(init=False, repr=False)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock, repr=False)
    _closed: bool = attrs.field(init=False, default=False, repr=False)

    def __attrs_post_init__(self) -> None:
        try:
            self._conn = sqlite3.connect(
                self.path,
                timeout=self.timeout,
                isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock
            )
        except sqlite3.Error as error:
            raise self._error("open", error) from error
        try:
            prepare(self._conn, path=self.path, timeout=self.timeout)
        except BaseException as error:
            self._conn.close()
            self._closed = True
            if isinstance(error, sqlite3.Error):
                raise self._error("open", error) from error
            raise

    # -- transactions ----------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Hold the write lock (``BEGIN IMMEDIATE``) and commit, or roll back on any error."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _closed_error(self) -> StoreError:
        return StoreError(f"this SqliteStore ({self.path}) was closed; open the file again")

    @contextlib.contextmanager
    def _use(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise self._closed_error()
            try:
                yield self._conn
            except ReleaseKitError:
                raise
            except sqlite3.Error as error:
                raise self._error(doing, error) from error

    def _error(self, doing: str, error: sqlite3.Error) -> StoreError:
        text = str(error)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"could not {doing} {self.path}: another process kept it busy for more than "
                f"{self.timeout:g} s; retry, or raise the store's timeout"
            )
        return StoreError(f"could not {doing} the SQLite store {self.path}: {text}")

    # -- histories -------------------------------------------------------------

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
        """Append one event to a release's history and write its rows, in one transaction."""
        event, columns = sealed_write(
            row,
            expected=expected,
            previous=previous,
            before=(evidence_before, moves_before),
            draft=draft,
            evidence=evidence,
            moves=moves,
        )
        stream = event.stream
        with self._use("write to") as conn:
            if expected == 0:
                with self._write():
                    if not insert_release(
                        conn,
                        row.placed(1, event.digest),
                        evidence=[Fact(1, body) for body in evidence],
                        moves=[Fact(1, body) for body in moves],
                    ):
                        actual = _revision(conn, stream)
                        raise ConflictError(stream=stream, expected=0, actual=actual)
                    conn.execute(sql.INSERT_EVENT, columns)
                return event
            try:
                conn.execute(
                    sql.APPEND_RELEASE,
                    (
                        *columns,
                        *sql.ROW_VALUES(row),
                        evidence_before,
                        moves_before,
                        dumps(list(evidence)),
                        dumps(list(moves)),
                    ),
                )
            except sqlite3.IntegrityError as error:
                if sql.STALE not in str(error):
                    raise
                found = _stored(conn, stream, with_facts=False)
                raise release_conflict(
                    None if found is None else found.row,
                    stream=stream,
                    expected=expected,
                    previous=previous,
                    evidence_before=evidence_before,
                    moves_before=moves_before,
                ) from None
        return event

    def read_release(
        self, release_id: str, *, with_state: str | None = None
    ) -> StoredRelease | None:
        """Return a release's rows and the state digest its last event recorded, or ``None``."""
        with self._use("read") as conn:
            return self._read(lambda: _stored(conn, release_id, with_state=with_state))

    def list_releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseRow]:
        """Return release rows in the order of their ids."""
        check_page(after, limit)
        with self._use("read") as conn:
            rows = conn.execute(
                sql.LIST_ACTIVE if active else sql.LIST_ALL,
                ("" if after is None else after, -1 if limit is None else limit),
            ).fetchall()
        return [row_from(values) for values in rows]

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any],
        previous: str | None = None,
    ) -> Event:
        """Append one event to *stream* and replace its snapshot, in one transaction."""
        check_history_name(stream)
        check_expected(expected)
        text = snapshot_text(snapshot)
        with self._use("write to") as conn, self._write():
            row = conn.execute(sql.SELECT_HEAD, (stream,)).fetchone()
            actual, head = row if row is not None else (0, "")
            if actual != expected:
                raise ConflictError(stream=stream, expected=expected, actual=actual)
            if previous is not None and previous != head:
                raise wrong_previous(stream, expected=expected, previous=previous)
            event, columns = seal(
                stream, seq=expected + 1, previous=head, draft=draft, state_digest=digest(text)
            )
            if expected == 0:
                conn.execute(sql.CREATE_STREAM, (stream, event.seq, event.digest, text))
            else:
                conn.execute(sql.UPDATE_STREAM, (event.seq, event.digest, text, stream, expected))
            conn.execute(sql.INSERT_EVENT, columns)
        return event

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of *stream* without reading its history, or ``None``."""
        with self._use("read") as conn:
            return _state(conn, stream)

    def events(self, stream: str, *, after: int = 0) -> list[Event]:
        """Return the events of *stream* after position *after*, oldest first."""
        with self._use("read") as conn:
            return read_events(conn, stream, after)

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every history other than a release starting with *prefix*."""
        with self._use("read"):
            rows = self._conn.execute(
                "SELECT stream FROM streams WHERE substr(stream, 1, ?) = ? ORDER BY stream",
                (len(prefix), prefix),
            ).fetchall()
        return [row[0] for row in rows]

    def histories(self) -> list[str]:
        """Return the names of every history with a state or events, sorted: what verify walks.

        This reads the history table too (to find a history whose state was
        deleted), so it costs a walk of its index.
        """
        with self._use("read"):
            rows = self._conn.execute(
                "SELECT stream FROM streams UNION SELECT id FROM releases "
                "UNION SELECT stream FROM events ORDER BY 1"
            ).fetchall()
        return [row[0] for row in rows]

    def verify(self, stream: str) -> Verification:
        """Check the history of *stream* against its hash chain and its state."""
        check_stream(stream)
        with self._use("read") as conn:
            head, events, stored = self._read(
                lambda: (
                    conn.execute(sql.SELECT_HEAD_AND_STATE, (stream,)).fetchone(),
                    read_events(conn, stream),
                    _stored(conn, stream),
                )
            )
        if head is None:
            return check_release_chain(stream, events, stored)
        return check_chain(stream, events, revision=head[0], head=head[1], state=head[2])

    def _read(self, read: Callable[[], _T]) -> _T:
        """Run *read* in one read transaction: one consistent view of every row it reads."""
        conn = self._conn
        conn.execute("BEGIN")
        try:
            return read()
        finally:
            conn.execute("COMMIT")

    # -- leases ----------------------------------------------------------------

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token."""
        check_stream(name, field="name")
        check_holder(holder)
        token = new_token()
        with self._use("take a lease in"), self._write() as conn:
            lease = decide_lease(
                _lease(conn, name), name=name, holder=holder, token=token, now=now, ttl=ttl
            )
            _put_lease(conn, lease)
        return lease

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``."""
        check_token(token)
        with self._use("renew a lease in"), self._write() as conn:
            lease = decide_renewal(_lease(conn, name), name=name, token=token, now=now, ttl=ttl)
            _put_lease(conn, lease)
        return lease

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may."""
        check_token(token)
        with self._use("give a lease back in"), self._write() as conn:
            held = check_release(_lease(conn, name), name=name, token=token)
            conn.execute("DELETE FROM leases WHERE name = ? AND token = ?", (name, token))
        return held

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        """Hand the lease *name* held by *token* to *holder*, under a new token."""
        check_token(token)
        check_holder(holder)
        new = new_token()
        with self._use("take a lease over in"), self._write() as conn:
            lease = decide_take_over(
                _lease(conn, name),
                name=name,
                token=token,
                holder=holder,
                new=new,
                now=now,
                ttl=ttl,
            )
            _put_lease(conn, lease)
        return lease

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        """Return the lease *name* if someone holds it at *now*, else ``None``."""
        moment = instant(now, field="now")
        with self._use("read"):
            lease = _lease(self._conn, name)
        return lease if lease is not None and lease.held_at(moment) else None

    # -- lifetime --------------------------------------------------------------

    def close(self) -> None:
        """Close the file; the store cannot be used afterwards."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _stored(
    conn: sqlite3.Connection,
    release_id: str,
    *,
    with_facts: bool = True,
    with_state: str | None = None,
) -> StoredRelease | None:
    """Read a release's row (and its evidence and moves), with what its last event recorded.

    With *with_state*, the state of that history too (see ``Store.read_release``).
    """
    found = conn.execute(sql.SELECT_RELEASE, (release_id,)).fetchone()
    if found is None:
        return None
    row = row_from(found[:15])
    evidence = conn.execute(sql.SELECT_EVIDENCE, (release_id,)).fetchall() if with_facts else ()
    moves = conn.execute(sql.SELECT_MOVES, (release_id,)).fetchall() if with_facts else ()
    last_digest, last_state_digest = found[16], found[17]
    return StoredRelease(
        row=row,
        evidence=tuple(Fact(*fact) for fact in evidence),
        moves=tuple(Fact(*fact) for fact in moves),
        recorded_digest=last_state_digest if last_digest == row.head else "",
        legacy=found[15],
        state=None if with_state is None else _state(conn, with_state),
    )


def _state(conn: sqlite3.Connection, stream: str) -> Snapshot | None:
    """Read the state of the history *stream* (see ``Store.snapshot``)."""
    return stored_snapshot(stream, conn.execute(sql.SELECT_STATE, (stream,)).fetchone())


def _revision(conn: sqlite3.Connection, release_id: str) -> int:
    found = conn.execute("SELECT revision FROM releases WHERE id = ?", (release_id,)).fetchone()
    return 0 if found is None else int(found[0])


def _lease(conn: sqlite3.Connection, name: str) -> Lease | None:
    row = conn.execute(
        "SELECT token, holder, since, expires FROM leases WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        return None
    return Lease(
        name=name,
        token=row[0],
        holder=row[1],
        since=parse_instant(row[2]),
        expires=parse_instant(row[3]),
    )


def _put_lease(conn: sqlite3.Connection, lease: Lease) -> None:
    """Write *lease* as the one of its name, inside the caller's write transaction."""
    conn.execute(
        "INSERT INTO leases (name, token, holder, since, expires) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET token = excluded.token, holder = excluded.holder, "
        "since = excluded.since, expires = excluded.expires",
        (lease.name, lease.token, lease.holder, iso(lease.since), iso(lease.expires)),
    )
