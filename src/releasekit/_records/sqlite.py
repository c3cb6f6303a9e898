"""The SQLite store: releasekit's embedded default, one file on one machine.

The file is opened in WAL mode with ``synchronous=FULL``, so a commit that
returned survives a crash or a power cut, and readers never wait for the
writer. Every write takes the write lock for one transaction — a
``BEGIN IMMEDIATE`` one, or a single statement: a release's next step is one
insert into the ``appends`` view, whose trigger does both writes — so several
processes can share one file: they queue for the write lock (up to
``timeout`` seconds) and the revision check inside the transaction decides who
wins. The schema carries a version (``PRAGMA user_version``) and is migrated
forward when the file is opened; a file written by a newer releasekit is
refused.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any, Self

import attrs

from releasekit._records.converter import iso, parse_instant
from releasekit._records.events import (
    Action,
    Draft,
    Event,
    Sealed,
    Verification,
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
    read_event,
    snapshot_text,
    stored_snapshot,
    wrong_previous,
)
from releasekit._rules._time import instant
from releasekit.exceptions import (
    ConflictError,
    ReleaseKitError,
    SchemaVersionError,
    StoreError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator, Mapping
    from types import TracebackType

    import pendulum

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SqliteStore"]


#: Marks a SQLite file as a releasekit store (``PRAGMA application_id``): "RKit".
APPLICATION_ID = 0x524B6974

#: How long a process opening a new file waits before trying WAL mode again, in seconds.
_WAL_RETRY = 0.005

#: What the ``appends`` trigger says when the stream moved on (SQLite's error text).
_STALE = "releasekit: the stream is not at the revision the writer saw"

#: The schema, as an ordered list of forward migrations. Migration *n* (1-based)
#: brings a file from ``user_version`` *n - 1* to *n*. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # 1: histories, their current state and leases; history rows cannot be
        # changed or deleted through SQL (verify() catches it if they are anyway).
        """
        CREATE TABLE streams (
            stream   TEXT    NOT NULL PRIMARY KEY,
            revision INTEGER NOT NULL CHECK (revision > 0),
            head     TEXT    NOT NULL,
            snapshot TEXT    NOT NULL
        )
        """,
        """
        CREATE TABLE events (
            stream   TEXT    NOT NULL,
            seq      INTEGER NOT NULL CHECK (seq > 0),
            at       TEXT    NOT NULL,
            actor    TEXT    NOT NULL,
            action   TEXT    NOT NULL,
            source   TEXT,
            target   TEXT,
            reason   TEXT    NOT NULL,
            data     TEXT    NOT NULL,
            previous TEXT    NOT NULL,
            digest   TEXT    NOT NULL,
            PRIMARY KEY (stream, seq)
        )
        """,
        """
        CREATE TRIGGER events_are_append_only_on_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
        """,
        """
        CREATE TRIGGER events_are_append_only_on_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
        """,
        """
        CREATE TABLE leases (
            name    TEXT NOT NULL PRIMARY KEY,
            owner   TEXT NOT NULL,
            since   TEXT NOT NULL,
            expires TEXT NOT NULL
        )
        """,
    ),
    (
        # 2: a release's next step in one statement: inserting into `appends`
        # advances the stream if it is still at the revision and head the writer
        # saw, and appends the event; otherwise nothing is written.
        """
        CREATE VIEW appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason,
               e.data, e.previous, e.digest, s.snapshot
        FROM events AS e JOIN streams AS s ON s.stream = e.stream
        """,
        """
        CREATE TRIGGER appends_advance INSTEAD OF INSERT ON appends
        BEGIN
            UPDATE streams SET revision = NEW.seq, head = NEW.digest, snapshot = NEW.snapshot
            WHERE stream = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous;
            SELECT RAISE(ABORT, 'releasekit: the stream is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest);
        END
        """,
    ),
    (
        # 3: a lease is held by a token unique to one acquisition, the holder's
        # name kept only to be shown. A lease taken before this schema stays in
        # force until it lapses, under a random token nobody knows.
        """
        CREATE TABLE leases_by_token (
            name    TEXT NOT NULL PRIMARY KEY,
            token   TEXT NOT NULL CHECK (token <> ''),
            holder  TEXT NOT NULL,
            since   TEXT NOT NULL,
            expires TEXT NOT NULL
        )
        """,
        """
        INSERT INTO leases_by_token (name, token, holder, since, expires)
        SELECT name, lower(hex(randomblob(16))), owner, since, expires FROM leases
        """,
        "DROP TABLE leases",
        "ALTER TABLE leases_by_token RENAME TO leases",
    ),
    (
        # 4: each event records the digest of the state written with it, so a
        # state can be checked against its history at the cost of one hash.
        # Events written before have none (NULL).
        "ALTER TABLE events ADD COLUMN state_digest TEXT",
        "DROP TRIGGER appends_advance",
        "DROP VIEW appends",
        """
        CREATE VIEW appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason,
               e.data, e.previous, e.digest, e.state_digest, s.snapshot
        FROM events AS e JOIN streams AS s ON s.stream = e.stream
        """,
        """
        CREATE TRIGGER appends_advance INSTEAD OF INSERT ON appends
        BEGIN
            UPDATE streams SET revision = NEW.seq, head = NEW.digest, snapshot = NEW.snapshot
            WHERE stream = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous;
            SELECT RAISE(ABORT, 'releasekit: the stream is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest, state_digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest,
                    NEW.state_digest);
        END
        """,
    ),
)

_SELECT_HEAD = "SELECT revision, head FROM streams WHERE stream = ?"
_SELECT_HEAD_AND_STATE = "SELECT revision, head, snapshot FROM streams WHERE stream = ?"
_APPEND = (
    "INSERT INTO appends (stream, seq, at, actor, action, source, target, reason, data, "
    "previous, digest, state_digest, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data, "
    "previous, digest, state_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CREATE_STREAM = (
    "INSERT INTO streams (stream, revision, head, snapshot) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (stream) DO NOTHING"
)
_UPDATE_STREAM = (
    "UPDATE streams SET revision = ?, head = ?, snapshot = ? WHERE stream = ? AND revision = ?"
)
_SELECT_EVENTS = (
    "SELECT seq, at, actor, action, source, target, reason, data, previous, digest, "
    "state_digest FROM events WHERE stream = ? AND seq > ? ORDER BY seq"
)
#: A stream's state, with the digests of the event at its revision (one lookup by key).
_SELECT_STATE = (
    "SELECT s.revision, s.head, s.snapshot, e.digest, e.state_digest FROM streams AS s "
    "LEFT JOIN events AS e ON e.stream = s.stream AND e.seq = s.revision WHERE s.stream = ?"
)


def _path(value: str | os.PathLike[str]) -> str:
    return os.fspath(value)


@attrs.define(eq=False)
class SqliteStore:
    """A store in one SQLite file: durable, and safe for several processes at once.

    Example:
        >>> with SqliteStore(tmp / "releases.db") as store:  # doctest: +SKIP
        ...     ledger = Ledger(store)

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
            self._prepare()
        except BaseException:
            self._conn.close()
            self._closed = True
            raise

    # -- opening -------------------------------------------------------------

    def _prepare(self) -> None:
        conn = self._conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if application_id not in {0, APPLICATION_ID}:
                self._refuse_foreign()
            self._to_wal()
            conn.execute("PRAGMA synchronous = FULL")
            if conn.execute("PRAGMA user_version").fetchone()[0] != len(MIGRATIONS):
                with self._write():
                    self._migrate()
        except sqlite3.Error as error:
            raise self._error("open", error) from error

    def _to_wal(self) -> None:
        """Put the file in WAL mode, waiting (up to ``timeout``) for others doing the same.

        Switching a new file to WAL takes an exclusive lock, and SQLite refuses
        it at once, without waiting, to a connection that holds a shared lock
        while another is switching: processes opening one new file together
        take turns here instead.
        """
        waited = 0.0
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or waited >= self.timeout:
                    raise
                time.sleep(_WAL_RETRY)
                waited += _WAL_RETRY
            else:
                return

    def _migrate(self) -> None:
        conn = self._conn
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise SchemaVersionError(location=self.path, found=version, supported=len(MIGRATIONS))
        if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            # A releasekit file at version 0 is empty: migrations are transactional.
            self._refuse_foreign()
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _refuse_foreign(self) -> None:
        msg = (
            f"{self.path} is a SQLite database of another application, not a releasekit "
            "store; give releasekit a file of its own"
        )
        raise StoreError(msg)

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

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any] | JSONText,
        previous: str | None = None,
    ) -> Event:
        """Append one event to *stream* and replace its snapshot, in one transaction.

        Raises:
            ConflictError: The stream is not at *expected*; nothing was written.
            InvalidInputError: The snapshot or the draft's data is not JSON, or
                *previous* is not the head at *expected*.
            StoreError: The file could not be written.
        """
        check_stream(stream)
        check_expected(expected)
        text = snapshot_text(snapshot)
        if expected == 0:
            previous = ""
        # Knowing the head, the event is sealed before the write lock is taken.
        state = digest_state(text)
        sealed = (
            None
            if previous is None
            else seal(stream, seq=expected + 1, previous=previous, draft=draft, state_digest=state)
        )
        if sealed is None or expected == 0:
            with self._use("write to"), self._write() as conn:
                return _append(conn, stream, expected, draft, text, sealed)
        event = sealed.event
        self._advance(
            (
                stream,
                event.seq,
                sealed.at_text,
                event.actor,
                event.action.value,
                event.source,
                event.target,
                event.reason,
                sealed.data_text,
                previous,
                event.digest,
                state,
                text,
            ),
        )
        return event

    def _commit(self, row: tuple[Any, ...], _action: Action, _at: pendulum.DateTime) -> None:
        """Append an event sealed by the ledger, given as its row (see :meth:`_advance`).

        What :meth:`append` does for a release's next step, without the
        :class:`Draft` and :class:`Event` values around it: the ledger checks
        and seals the event itself, and needs nothing back.
        """
        self._advance(row)

    def _advance(self, row: tuple[Any, ...]) -> None:
        """Append the event and advance its stream in one statement (``appends``'s trigger).

        *row* is the event's columns (its state digest last) then the snapshot. One statement is one
        transaction: it takes the write lock (waiting for it up to ``timeout``)
        and commits durably, or writes nothing.
        """
        with self._lock:
            if self._closed:
                raise self._closed_error()
            conn = self._conn
            try:
                conn.execute(_APPEND, row)
            except sqlite3.IntegrityError as error:
                if _STALE not in str(error):
                    raise self._error("write to", error) from error
                stream, expected, previous = row[0], row[1] - 1, row[9]
                try:
                    refusal = _conflict(conn, stream, expected, previous)
                except sqlite3.Error as again:  # pragma: no cover  # the file broke just now
                    raise self._error("read", again) from again
                raise refusal from None
            except sqlite3.Error as error:
                raise self._error("write to", error) from error

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of *stream* without reading its history, or ``None``."""
        with self._use("read"):
            row = self._conn.execute(_SELECT_STATE, (stream,)).fetchone()
        if row is None:
            return None
        return stored_snapshot(
            stream,
            revision=row[0],
            head=row[1],
            text=row[2],
            last_digest=row[3],
            last_state_digest=row[4],
        )

    def events(self, stream: str, *, after: int = 0) -> list[Event]:
        """Return the events of *stream* after position *after*, oldest first."""
        with self._use("read"):
            rows = self._conn.execute(_SELECT_EVENTS, (stream, after)).fetchall()
        return [_event(stream, row) for row in rows]

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every stream starting with *prefix*, sorted."""
        with self._use("read"):
            rows = self._conn.execute(
                "SELECT stream FROM streams WHERE substr(stream, 1, ?) = ? ORDER BY stream",
                (len(prefix), prefix),
            ).fetchall()
        return [row[0] for row in rows]

    def histories(self) -> list[str]:
        """Return the names of every stream with a state or events, sorted: what verify walks.

        Unlike :meth:`streams`, this reads the history table too (to find a
        history whose state was deleted), so it costs a walk of its index.
        """
        with self._use("read"):
            rows = self._conn.execute(
                "SELECT stream FROM streams UNION SELECT stream FROM events ORDER BY stream"
            ).fetchall()
        return [row[0] for row in rows]

    def verify(self, stream: str) -> Verification:
        """Check the history of *stream* against its hash chain and its snapshot."""
        with self._use("read"):
            conn = self._conn
            conn.execute("BEGIN")  # one consistent view of the history and the snapshot
            try:
                head = conn.execute(_SELECT_HEAD_AND_STATE, (stream,)).fetchone()
                rows = conn.execute(_SELECT_EVENTS, (stream, 0)).fetchall()
            finally:
                conn.execute("COMMIT")
        return check_chain(
            stream,
            (_event(stream, row) for row in rows),
            revision=head[0] if head else None,
            head=head[1] if head else None,
            state=head[2] if head else None,
        )

    # -- leases ----------------------------------------------------------------

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token.

        Raises:
            LeaseHeldError: It is held and has not lapsed; nothing changed.
        """
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
        """Extend the lease *name* held by *token* until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* does not hold it, or it lapsed; nothing changed.
        """
        check_token(token)
        with self._use("renew a lease in"), self._write() as conn:
            lease = decide_renewal(_lease(conn, name), name=name, token=token, now=now, ttl=ttl)
            _put_lease(conn, lease)
        return lease

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may.

        Raises:
            LeaseNotHeldError: *token* does not hold it; nothing changed.
        """
        check_token(token)
        with self._use("give a lease back in"), self._write() as conn:
            held = check_release(_lease(conn, name), name=name, token=token)
            conn.execute("DELETE FROM leases WHERE name = ? AND token = ?", (name, token))
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


def _append(  # noqa: PLR0917  # what append() was given
    conn: sqlite3.Connection,
    stream: str,
    expected: int,
    draft: Draft,
    text: str,
    sealed: Sealed | None,
) -> Event:
    """Do the writes of :meth:`append`, inside its transaction."""
    if sealed is None:  # read the head, under the write lock
        row = conn.execute(_SELECT_HEAD, (stream,)).fetchone()
        actual = row[0] if row else 0
        if actual != expected:
            raise ConflictError(stream=stream, expected=expected, actual=actual)
        sealed = seal(
            stream, seq=expected + 1, previous=row[1], draft=draft, state_digest=digest_state(text)
        )
        event = sealed.event
        conn.execute(_UPDATE_STREAM, (event.seq, event.digest, text, stream, expected))
    else:  # a new stream (the next step of one goes through SqliteStore._advance)
        event = sealed.event
        changed = conn.execute(_CREATE_STREAM, (stream, event.seq, event.digest, text))
        if changed.rowcount != 1:
            raise _conflict(conn, stream, expected, event.previous)
    conn.execute(
        _INSERT_EVENT,
        (
            stream,
            event.seq,
            sealed.at_text,
            event.actor,
            event.action.value,
            event.source,
            event.target,
            event.reason,
            sealed.data_text,
            event.previous,
            event.digest,
            event.state_digest,
        ),
    )
    return event


def _conflict(
    conn: sqlite3.Connection, stream: str, expected: int, previous: str
) -> ReleaseKitError:
    row = conn.execute(_SELECT_HEAD, (stream,)).fetchone()
    actual = row[0] if row else 0
    if actual == expected:
        return wrong_previous(stream, expected=expected, previous=previous)
    return ConflictError(stream=stream, expected=expected, actual=actual)


def _event(stream: str, row: tuple[Any, ...]) -> Event:
    seq, at, actor, action, source, target, reason, data, previous, digest, state_digest = row
    return read_event(
        stream,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        source=source,
        target=target,
        reason=reason,
        data=data,
        previous=previous,
        digest=digest,
        state_digest=state_digest,
    )


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
