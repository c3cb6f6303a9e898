"""The SQLite store: releasekit's embedded default, one file on one machine.

The file is opened in WAL mode with ``synchronous=FULL``, so a commit that
returned survives a crash or a power cut, and readers never wait for the
writer. Every write takes the write lock for one transaction — a
``BEGIN IMMEDIATE`` one, or a single statement: a release's next step is one
insert into the ``release_appends`` view, whose trigger advances the release
row, appends the event and adds its evidence and move rows — so several
processes can share one file: they queue for the write lock (up to
``timeout`` seconds) and the revision check inside the transaction decides who
wins. The schema carries a version (``PRAGMA user_version``) and is migrated
forward when the file is opened, in one transaction; a file written by a
newer releasekit is refused.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any, Self, TypeVar

import attrs

from releasekit._records.converter import dumps, iso, parse_instant
from releasekit._records.events import Draft, Event, Verification, check_chain, digest, seal
from releasekit._records.rows import (
    ROW_COLUMNS,
    Fact,
    ReleaseRow,
    StoredRelease,
    check_release_chain,
    check_write,
    numbered,
    release_conflict,
    row_from,
)
from releasekit._records.sqlite_probe import APPLICATION_ID
from releasekit._records.store import (
    Lease,
    Snapshot,
    check_expected,
    check_history_name,
    check_holder,
    check_page,
    check_release,
    check_release_id,
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
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from types import TracebackType

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SqliteStore"]

_T = TypeVar("_T")


#: How long a process opening a new file waits before trying WAL mode again, in seconds.
_WAL_RETRY = 0.005

#: What the ``release_appends`` trigger says when the release moved on (SQLite's error text).
_STALE = "releasekit: the release is not at the revision the writer saw"

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
    (
        # 5: a release is one small row with the columns tools filter and list by,
        # plus a row per piece of evidence and per move, each added by the event
        # that brought it; a step appends rows and rewrites the one release row.
        # Releases move out of `streams` (see _rows_of_releases); `streams` keeps
        # the other histories (kind:name).
        """
        CREATE TABLE releases (
            id              TEXT    NOT NULL PRIMARY KEY,
            version         TEXT    NOT NULL,
            kind            TEXT    NOT NULL,
            state           TEXT    NOT NULL,
            revision        INTEGER NOT NULL CHECK (revision > 0),
            head            TEXT    NOT NULL,
            created_at      TEXT    NOT NULL,
            created_by      TEXT    NOT NULL,
            updated_at      TEXT    NOT NULL,
            finished_at     TEXT,
            artifact        TEXT    NOT NULL,
            attempt         TEXT,
            attention       TEXT    NOT NULL,
            evidence_digest TEXT    NOT NULL,
            moves_digest    TEXT    NOT NULL,
            legacy          TEXT
        ) WITHOUT ROWID
        """,
        "CREATE INDEX releases_active ON releases (id) WHERE finished_at IS NULL",
        *(
            statement
            for table in ("release_evidence", "release_moves")
            for statement in (
                f"""
                CREATE TABLE {table} (
                    release TEXT    NOT NULL,
                    seq     INTEGER NOT NULL CHECK (seq > 0),
                    n       INTEGER NOT NULL CHECK (n >= 0),
                    body    TEXT    NOT NULL,
                    PRIMARY KEY (release, seq, n)
                ) WITHOUT ROWID
                """,
                f"""
                CREATE TRIGGER {table}_are_append_only_on_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
                """,
                f"""
                CREATE TRIGGER {table}_are_append_only_on_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
                """,
            )
        ),
        """
        CREATE VIEW release_appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason, e.data,
               e.previous, e.digest, e.state_digest, r.version, r.kind, r.state, r.created_at,
               r.created_by, r.updated_at, r.finished_at, r.artifact, r.attempt, r.attention,
               r.evidence_digest, r.moves_digest, r.evidence_digest AS evidence_before,
               r.moves_digest AS moves_before, r.attention AS evidence, r.attention AS moves
        FROM events AS e JOIN releases AS r ON r.id = e.stream
        """,
        """
        CREATE TRIGGER release_appends_advance INSTEAD OF INSERT ON release_appends
        BEGIN
            UPDATE releases SET
                revision = NEW.seq, head = NEW.digest, version = NEW.version, kind = NEW.kind,
                state = NEW.state, created_at = NEW.created_at, created_by = NEW.created_by,
                updated_at = NEW.updated_at, finished_at = NEW.finished_at,
                artifact = NEW.artifact, attempt = NEW.attempt, attention = NEW.attention,
                evidence_digest = NEW.evidence_digest, moves_digest = NEW.moves_digest,
                legacy = NULL
            WHERE id = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous
              AND evidence_digest = NEW.evidence_before AND moves_digest = NEW.moves_before;
            SELECT RAISE(ABORT, 'releasekit: the release is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest, state_digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest,
                    NEW.state_digest);
            INSERT INTO release_evidence (release, seq, n, body)
            SELECT NEW.stream, NEW.seq, key, value FROM json_each(NEW.evidence);
            INSERT INTO release_moves (release, seq, n, body)
            SELECT NEW.stream, NEW.seq, key, value FROM json_each(NEW.moves);
        END
        """,
    ),
)

#: The columns of a release row, in the order of ReleaseRow's fields.
_COLUMNS = ", ".join(ROW_COLUMNS)
_SELECT_HEAD = "SELECT revision, head FROM streams WHERE stream = ?"
_SELECT_HEAD_AND_STATE = "SELECT revision, head, snapshot FROM streams WHERE stream = ?"
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
#: A release's row, with the digests of the event at its revision (one lookup by key).
_SELECT_RELEASE = (
    f"SELECT {', '.join(f'r.{name}' for name in ROW_COLUMNS)}, r.legacy, e.digest, "  # noqa: S608  # constant names
    "e.state_digest FROM releases AS r "
    "LEFT JOIN events AS e ON e.stream = r.id AND e.seq = r.revision WHERE r.id = ?"
)
#: A release's evidence, and its moves, oldest first (in the order of their keys).
_SELECT_EVIDENCE = "SELECT seq, body FROM release_evidence WHERE release = ? ORDER BY seq, n"
_SELECT_MOVES = "SELECT seq, body FROM release_moves WHERE release = ? ORDER BY seq, n"
_APPEND_RELEASE = (
    "INSERT INTO release_appends (stream, seq, at, actor, action, source, target, reason, "
    "data, previous, digest, state_digest, version, kind, state, created_at, created_by, "
    "updated_at, finished_at, artifact, attempt, attention, evidence_digest, moves_digest, "
    "evidence_before, moves_before, evidence, moves) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CREATE_RELEASE = (  # built from the constant column names above, as are the two below
    f"INSERT INTO releases ({_COLUMNS}, legacy) "  # noqa: S608
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)
_INSERT_EVIDENCE = "INSERT INTO release_evidence (release, seq, n, body) VALUES (?, ?, ?, ?)"
_INSERT_MOVE = "INSERT INTO release_moves (release, seq, n, body) VALUES (?, ?, ?, ?)"
_LIST_ACTIVE = (
    f"SELECT {_COLUMNS} FROM releases "  # noqa: S608
    "WHERE finished_at IS NULL AND id > ? ORDER BY id LIMIT ?"
)
_LIST_ALL = f"SELECT {_COLUMNS} FROM releases WHERE id > ? ORDER BY id LIMIT ?"  # noqa: S608


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
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            after = _AFTER.get(number)
            if after is not None:
                after(conn)
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
        stream = check_release_id(row.id)
        check_expected(expected)
        check_write(row, before=(evidence_before, moves_before), evidence=evidence, moves=moves)
        state_digest = digest(row.text())
        event, at_text, data_text = seal(
            stream, seq=expected + 1, previous=previous, draft=draft, state_digest=state_digest
        )
        columns = (
            stream,
            event.seq,
            at_text,
            event.actor,
            event.action.value,
            event.source,
            event.target,
            event.reason,
            data_text,
            previous,
            event.digest,
            state_digest,
        )
        with self._use("write to") as conn:
            if expected == 0:
                with self._write():
                    if not _insert_release(
                        conn,
                        attrs.evolve(row, revision=1, head=event.digest),
                        evidence=[Fact(1, body) for body in evidence],
                        moves=[Fact(1, body) for body in moves],
                    ):
                        actual = _revision(conn, stream)
                        raise ConflictError(stream=stream, expected=0, actual=actual)
                    conn.execute(_INSERT_EVENT, columns)
                return event
            try:
                conn.execute(
                    _APPEND_RELEASE,
                    (
                        *columns,
                        row.version,
                        row.kind,
                        row.state,
                        row.created_at,
                        row.created_by,
                        row.updated_at,
                        row.finished_at,
                        row.artifact,
                        row.attempt,
                        row.attention,
                        row.evidence_digest,
                        row.moves_digest,
                        evidence_before,
                        moves_before,
                        dumps(list(evidence)) if evidence else "[]",
                        dumps(list(moves)) if moves else "[]",
                    ),
                )
            except sqlite3.IntegrityError as error:
                if _STALE not in str(error):
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

    def read_release(self, release_id: str) -> StoredRelease | None:
        """Return a release's rows and the state digest its last event recorded, or ``None``."""
        with self._use("read") as conn:
            return self._read(lambda: _stored(conn, release_id))

    def list_releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseRow]:
        """Return release rows in the order of their ids."""
        check_page(after, limit)
        with self._use("read") as conn:
            rows = conn.execute(
                _LIST_ACTIVE if active else _LIST_ALL,
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
            row = conn.execute(_SELECT_HEAD, (stream,)).fetchone()
            actual, head = row if row is not None else (0, "")
            if actual != expected:
                raise ConflictError(stream=stream, expected=expected, actual=actual)
            if previous is not None and previous != head:
                raise wrong_previous(stream, expected=expected, previous=previous)
            event, at_text, data_text = seal(
                stream, seq=expected + 1, previous=head, draft=draft, state_digest=digest(text)
            )
            if expected == 0:
                conn.execute(_CREATE_STREAM, (stream, event.seq, event.digest, text))
            else:
                conn.execute(_UPDATE_STREAM, (event.seq, event.digest, text, stream, expected))
            conn.execute(
                _INSERT_EVENT,
                (
                    stream,
                    event.seq,
                    at_text,
                    event.actor,
                    event.action.value,
                    event.source,
                    event.target,
                    event.reason,
                    data_text,
                    event.previous,
                    event.digest,
                    event.state_digest,
                ),
            )
        return event

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
        with self._use("read") as conn:
            return _events(conn, stream, after)

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
            head, rows, stored = self._read(
                lambda: (
                    conn.execute(_SELECT_HEAD_AND_STATE, (stream,)).fetchone(),
                    conn.execute(_SELECT_EVENTS, (stream, 0)).fetchall(),
                    _stored(conn, stream),
                )
            )
        events = (read_event(stream, row) for row in rows)
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


def _insert_release(
    conn: sqlite3.Connection,
    row: ReleaseRow,
    *,
    legacy: str | None = None,
    evidence: Sequence[Fact] = (),
    moves: Sequence[Fact] = (),
) -> bool:
    """Write a release's row and its evidence and move rows, unless it exists; say if it did."""
    if conn.execute(_CREATE_RELEASE, (*attrs.astuple(row, recurse=False), legacy)).rowcount != 1:
        return False
    for statement, facts in ((_INSERT_EVIDENCE, evidence), (_INSERT_MOVE, moves)):
        conn.executemany(statement, [(row.id, f.seq, n, f.body) for n, f in numbered(facts)])
    return True


def _stored(
    conn: sqlite3.Connection, release_id: str, *, with_facts: bool = True
) -> StoredRelease | None:
    """Read a release's row (and its evidence and moves), with what its last event recorded."""
    found = conn.execute(_SELECT_RELEASE, (release_id,)).fetchone()
    if found is None:
        return None
    row = row_from(found[:15])
    evidence = conn.execute(_SELECT_EVIDENCE, (release_id,)).fetchall() if with_facts else ()
    moves = conn.execute(_SELECT_MOVES, (release_id,)).fetchall() if with_facts else ()
    last_digest, last_state_digest = found[16], found[17]
    return StoredRelease(
        row=row,
        evidence=tuple(Fact(*fact) for fact in evidence),
        moves=tuple(Fact(*fact) for fact in moves),
        recorded_digest=last_state_digest if last_digest == row.head else "",
        legacy=found[15],
    )


def _rows_of_releases(conn: sqlite3.Connection) -> None:
    """Move every release out of ``streams`` into its rows (the Python half of migration 5).

    Each release's state is checked against its history first: one that does
    not match refuses the whole migration, and the file stays as it was.
    """
    states = conn.execute(
        "SELECT stream, revision, head, snapshot FROM streams WHERE instr(stream, ':') = 0"
    ).fetchall()
    if states:  # a new file has none: it is created without loading the fold
        from releasekit._records.fold import migrated_releases  # noqa: PLC0415

        for migrated in migrated_releases(states, lambda stream: _events(conn, stream)):
            rows = (migrated.row, migrated.evidence, migrated.moves)
            _insert_release(conn, rows[0], legacy=migrated.legacy, evidence=rows[1], moves=rows[2])
    conn.execute("DELETE FROM streams WHERE instr(stream, ':') = 0")


def _events(conn: sqlite3.Connection, stream: str, after: int = 0) -> list[Event]:
    return [read_event(stream, row) for row in conn.execute(_SELECT_EVENTS, (stream, after))]


#: Python steps of migrations, run after the statements of the migration they follow.
_AFTER: dict[int, Callable[[sqlite3.Connection], None]] = {5: _rows_of_releases}


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
