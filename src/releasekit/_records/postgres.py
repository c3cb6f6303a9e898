"""The PostgreSQL store: one truth for tools that run on several hosts.

Needs psycopg 3 (``pip install 'releasekit[postgres]'``), imported only when a
:class:`PostgresStore` is opened, so ``import releasekit`` works without it.

The schema is the SQLite one, in tables prefixed ``releasekit_``, migrated
forward on open (:mod:`releasekit._records.postgres_schema`). A
release's step is one statement: its row is updated only if it is still at the
revision, head and digests the writer saw (or created only if it does not
exist), and the event and its evidence and move rows are inserted only if that
happened — so two writers can never both win, and a refused write leaves
nothing behind; loading a release is one statement too. Each lease change is
one statement that writes only where the rule allows it: a new acquisition
only over a free or lapsed lease, a renewal, release or take-over only under
the token that holds it.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Self

import attrs

from releasekit._records import postgres_leases as leases
from releasekit._records.converter import iso
from releasekit._records.events import (
    EVENT_COLUMNS,
    Draft,
    Event,
    Verification,
    check_chain,
    digest,
    seal,
)
from releasekit._records.postgres_schema import migrate, read_events
from releasekit._records.rows import (
    ROW_COLUMNS,
    Fact,
    ReleaseRow,
    StoredRelease,
    check_release_chain,
    check_write,
    release_conflict,
    row_from,
)
from releasekit._records.store import (
    Snapshot,
    check_expected,
    check_history_name,
    check_page,
    check_release_id,
    check_stream,
    snapshot_text,
    stored_snapshot,
    wrong_previous,
)
from releasekit._rules._time import instant
from releasekit.exceptions import (
    ConflictError,
    ReleaseKitError,
    StoreError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator, Mapping, Sequence
    from types import TracebackType

    import psycopg

    from releasekit._records.leases import Lease

__all__ = ["PostgresStore"]

_SELECT_HEAD = "SELECT revision, head FROM releasekit_streams WHERE stream = %s"
#: The event a step inserts once its history's state changed (``changed``).
_EVENT = """
    INSERT INTO releasekit_events
        (stream, seq, at, actor, action, source, target, reason, data, previous, digest,
         state_digest)
    SELECT %(stream)s, %(seq)s, %(at)s, %(actor)s, %(action)s, %(source)s::text,
           %(target)s::text, %(reason)s, %(data)s::json, %(previous)s, %(digest)s,
           %(state_digest)s::text
    FROM changed
"""
_STREAM_CREATED = """
    WITH changed AS (
        INSERT INTO releasekit_streams (stream, revision, head, snapshot)
        VALUES (%(stream)s, %(seq)s, %(digest)s, %(snapshot)s::json)
        ON CONFLICT (stream) DO NOTHING
        RETURNING 1
    )
"""
_STREAM_ADVANCED = """
    WITH changed AS (
        UPDATE releasekit_streams
        SET revision = %(seq)s, head = %(digest)s, snapshot = %(snapshot)s::json
        WHERE stream = %(stream)s AND revision = %(expected)s AND head = %(previous)s
        RETURNING 1
    )
"""
_CREATE = _STREAM_CREATED + _EVENT
_ADVANCE = _STREAM_ADVANCED + _EVENT
#: What a release's step writes once its row changed (``changed``): the event and its rows.
_EVENT_OPENED = "event AS ("
_FACT_ROWS = """),
    evidence AS (
        INSERT INTO releasekit_evidence (release, seq, n, body)
        SELECT %(id)s, %(seq)s, item.n - 1, item.body::json
        FROM changed, unnest(%(evidence)s::text[]) WITH ORDINALITY AS item (body, n)
    ),
    moves AS (
        INSERT INTO releasekit_moves (release, seq, n, body)
        SELECT %(id)s, %(seq)s, item.n - 1, item.body::json
        FROM changed, unnest(%(moves)s::text[]) WITH ORDINALITY AS item (body, n)
    )
    SELECT count(*) FROM changed
"""
_RELEASE_ROWS = _EVENT_OPENED + _EVENT + _FACT_ROWS
_CREATED = """
    WITH changed AS (
        INSERT INTO releasekit_releases
            (id, version, kind, state, revision, head, created_at, created_by, updated_at,
             finished_at, artifact, attempt, attention, evidence_digest, moves_digest, legacy)
        VALUES (%(id)s, %(version)s, %(kind)s, %(state)s, %(seq)s, %(digest)s,
                %(created_at)s::timestamptz, %(created_by)s, %(updated_at)s::timestamptz,
                %(finished_at)s::timestamptz, %(artifact)s::json, %(attempt)s::json,
                %(attention)s::json, %(evidence_digest)s, %(moves_digest)s, %(legacy)s::json)
        ON CONFLICT (id) DO NOTHING
        RETURNING 1
    ),
"""
_CREATE_RELEASE = _CREATED + _RELEASE_ROWS
_ADVANCE_RELEASE = (
    """
    WITH changed AS (
        UPDATE releasekit_releases SET
            revision = %(seq)s, head = %(digest)s, version = %(version)s, kind = %(kind)s,
            state = %(state)s, created_at = %(created_at)s::timestamptz,
            created_by = %(created_by)s, updated_at = %(updated_at)s::timestamptz,
            finished_at = %(finished_at)s::timestamptz, artifact = %(artifact)s::json,
            attempt = %(attempt)s::json, attention = %(attention)s::json,
            evidence_digest = %(evidence_digest)s, moves_digest = %(moves_digest)s,
            legacy = NULL
        WHERE id = %(id)s AND revision = %(expected)s AND head = %(previous)s
          AND evidence_digest = %(evidence_before)s AND moves_digest = %(moves_before)s
        RETURNING 1
    ),
    """
    + _RELEASE_ROWS
)
#: The columns of a release row, in the order of ReleaseRow's fields (JSON read as its text).
_COLUMNS = ", ".join(
    f"r.{name}::text" if name in {"artifact", "attempt", "attention"} else f"r.{name}"
    for name in ROW_COLUMNS
)
#: The columns of a release row holding instants (timestamptz, read back as datetimes).
_INSTANTS = {ROW_COLUMNS.index(name) for name in ("created_at", "updated_at", "finished_at")}
#: A release's row, the digests of the event at its revision, its evidence and its moves.
_SELECT_RELEASE = (
    f"SELECT {_COLUMNS}, r.legacy::text, e.digest, e.state_digest, "  # noqa: S608  # constant names
    "ARRAY(SELECT seq FROM releasekit_evidence WHERE release = r.id ORDER BY seq, n), "
    "ARRAY(SELECT body::text FROM releasekit_evidence WHERE release = r.id ORDER BY seq, n), "
    "ARRAY(SELECT seq FROM releasekit_moves WHERE release = r.id ORDER BY seq, n), "
    "ARRAY(SELECT body::text FROM releasekit_moves WHERE release = r.id ORDER BY seq, n) "
    "FROM releasekit_releases AS r LEFT JOIN releasekit_events AS e "
    "ON e.stream = r.id AND e.seq = r.revision WHERE r.id = %s"
)
_LIST_ACTIVE = (
    f"SELECT {_COLUMNS} FROM releasekit_releases AS r "  # noqa: S608  # constant names
    'WHERE r.finished_at IS NULL AND r.id COLLATE "C" > %s ORDER BY r.id COLLATE "C" LIMIT %s'
)
_LIST_ALL = (
    f"SELECT {_COLUMNS} FROM releasekit_releases AS r "  # noqa: S608  # constant names
    'WHERE r.id COLLATE "C" > %s ORDER BY r.id COLLATE "C" LIMIT %s'
)
#: A stream's state, with the digests of the event at its revision (one lookup by key).
_SELECT_STATE = (
    "SELECT s.revision, s.head, s.snapshot::text, e.digest, e.state_digest "
    "FROM releasekit_streams AS s LEFT JOIN releasekit_events AS e "
    "ON e.stream = s.stream AND e.seq = s.revision WHERE s.stream = %s"
)
_SELECT_HEAD_AND_STATE = (
    "SELECT revision, head, snapshot::text FROM releasekit_streams WHERE stream = %s"
)


def _psycopg() -> Any:  # noqa: ANN401  # the module, imported lazily
    try:
        import psycopg  # noqa: PLC0415  # optional: only PostgresStore needs it
    except ImportError:  # pragma: no cover  # the test environment has psycopg
        msg = (
            "PostgresStore needs psycopg 3, which is not installed; "
            "install it with: pip install 'releasekit[postgres]'"
        )
        raise StoreError(msg) from None
    return psycopg


def _location(dsn: str) -> str:
    """Return where *dsn* points, without its password."""
    pg = _psycopg()
    try:
        parts = pg.conninfo.conninfo_to_dict(dsn)
    except pg.ProgrammingError as error:
        msg = f"the PostgreSQL connection string is malformed: {error}"
        raise StoreError(msg) from None
    host = parts.get("host", "localhost")
    port = parts.get("port", "5432")
    dbname = parts.get("dbname", parts.get("user", ""))
    return f"postgresql://{host}:{port}/{dbname}"


@attrs.define(eq=False)
class PostgresStore:
    """A store in a PostgreSQL database, shared by tools on several hosts.

    Each method does what :class:`~releasekit.stores.Store` says; any failure of the
    database itself is a :class:`~releasekit.exceptions.StoreError`.

    Args:
        dsn: A libpq connection string or URI, e.g.
            ``"postgresql://releasekit@db.internal/releases"``. It is never shown
            in messages or ``repr()`` (it may hold a password).
        timeout: How long, in seconds, a write waits for another writer's lock
            (``lock_timeout``) before giving up with a
            :class:`~releasekit.exceptions.StoreError`; also the connect timeout.

    Raises:
        StoreError: psycopg is missing, or the database cannot be reached.
        SchemaVersionError: The database was written by a newer releasekit.
    """

    _dsn: str = attrs.field(repr=False, alias="dsn")
    timeout: float = 30.0
    location: str = attrs.field(init=False)
    # A psycopg.Connection; typed Any here because psycopg is optional at run time.
    _conn: Any = attrs.field(init=False, repr=False)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock, repr=False)
    _closed: bool = attrs.field(init=False, default=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self.location = _location(self._dsn)
        self._conn = self._connect()
        try:
            self._migrate()
        except BaseException:
            self._conn.close()
            self._closed = True
            raise

    # -- connection --------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        pg = _psycopg()
        try:
            conn = pg.connect(
                self._dsn, autocommit=True, connect_timeout=max(1, round(self.timeout))
            )
            conn.execute("SET TIME ZONE 'UTC'")
            conn.execute(f"SET lock_timeout = {int(self.timeout * 1000)}")
        except pg.Error as error:
            raise self._error("connect to", error) from error
        connection: psycopg.Connection[Any] = conn
        return connection

    def _migrate(self) -> None:
        try:
            migrate(self._conn, location=self.location)
        except _psycopg().Error as error:
            raise self._error("prepare", error) from error

    @contextlib.contextmanager
    def _use(self, doing: str) -> Iterator[psycopg.Connection[Any]]:
        pg = _psycopg()
        with self._lock:
            if self._closed:
                msg = f"this PostgresStore ({self.location}) was closed; open a new one"
                raise StoreError(msg)
            if self._conn.broken or self._conn.closed:
                self._conn = self._connect()
            try:
                yield self._conn
            except ReleaseKitError:
                raise
            except pg.Error as error:
                raise self._error(doing, error) from error

    def _error(self, doing: str, error: Exception) -> StoreError:
        pg = _psycopg()
        if isinstance(error, pg.errors.LockNotAvailable):
            return StoreError(
                f"could not {doing} {self.location}: another writer held the lock for more "
                f"than {self.timeout:g} s; retry, or raise the store's timeout"
            )
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return StoreError(f"could not {doing} the PostgreSQL store {self.location}: {first_line}")

    # -- histories ---------------------------------------------------------------

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
        """Append one event to a release's history and write its rows, in one statement."""
        stream = check_release_id(row.id)
        check_expected(expected)
        check_write(row, before=(evidence_before, moves_before), evidence=evidence, moves=moves)
        event, columns = seal(
            stream,
            seq=expected + 1,
            previous=previous,
            draft=draft,
            state_digest=digest(row.text()),
        )
        params = {
            **attrs.asdict(row, recurse=False),
            **dict(zip(EVENT_COLUMNS, columns, strict=True)),
            "legacy": None,
            "expected": expected,
            "evidence_before": evidence_before,
            "moves_before": moves_before,
            "evidence": list(evidence),
            "moves": list(moves),
        }
        with self._use("write to") as conn:
            changed = conn.execute(_ADVANCE_RELEASE if expected else _CREATE_RELEASE, params)
            if changed.fetchone() != (1,):
                found = _stored(conn, stream)
                raise release_conflict(
                    None if found is None else found.row,
                    stream=stream,
                    expected=expected,
                    previous=previous,
                    evidence_before=evidence_before,
                    moves_before=moves_before,
                )
        return event

    def read_release(self, release_id: str) -> StoredRelease | None:
        """Return a release's rows and the state digest its last event recorded, or ``None``.

        One statement: one consistent view of the row, the evidence and the moves.
        """
        with self._use("read") as conn:
            return _stored(conn, release_id)

    def list_releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseRow]:
        """Return release rows in the order of their ids."""
        check_page(after, limit)
        with self._use("read") as conn:
            rows = conn.execute(
                _LIST_ACTIVE if active else _LIST_ALL, ("" if after is None else after, limit)
            ).fetchall()
        return [_release_row(values) for values in rows]

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any],
        previous: str | None = None,
    ) -> Event:
        """Append one event to *stream* and replace its snapshot, in one statement."""
        check_history_name(stream)
        check_expected(expected)
        text = snapshot_text(snapshot)
        if expected == 0:
            previous = ""
        with self._use("write to") as conn:
            if previous is None:  # one more round trip: read the head
                row = conn.execute(_SELECT_HEAD, (stream,)).fetchone()
                if row is None or row[0] != expected:
                    actual = row[0] if row else 0
                    raise ConflictError(stream=stream, expected=expected, actual=actual)
                previous = row[1]
            _event, columns = seal(
                stream, seq=expected + 1, previous=previous, draft=draft, state_digest=digest(text)
            )
            params = dict(zip(EVENT_COLUMNS, columns, strict=True))
            written = conn.execute(
                _ADVANCE if expected else _CREATE,
                {**params, "expected": expected, "snapshot": text},
            )
            if written.rowcount != 1:  # someone else wrote first, or the head was wrong
                found = conn.execute(_SELECT_HEAD, (stream,)).fetchone()
                actual = found[0] if found else 0
                if actual == expected:
                    raise wrong_previous(stream, expected=expected, previous=previous)
                raise ConflictError(stream=stream, expected=expected, actual=actual)
        return _event

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of *stream* without reading its history, or ``None``."""
        with self._use("read") as conn:
            row = conn.execute(_SELECT_STATE, (stream,)).fetchone()
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
            return read_events(conn, stream, after)

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every history other than a release starting with *prefix*."""
        with self._use("read") as conn:
            rows = conn.execute(
                "SELECT stream FROM releasekit_streams WHERE starts_with(stream, %s) "
                'ORDER BY stream COLLATE "C"',
                (prefix,),
            ).fetchall()
        return [row[0] for row in rows]

    def histories(self) -> list[str]:
        """Return the names of every stream with a state or events, sorted: what verify walks.

        Unlike :meth:`streams`, this reads the history table too (to find a
        history whose state was deleted), so it costs a walk of its index.
        """
        with self._use("read") as conn:
            rows = conn.execute(
                "SELECT stream FROM (SELECT stream FROM releasekit_streams UNION "
                "SELECT id FROM releasekit_releases UNION "
                'SELECT stream FROM releasekit_events) AS held ORDER BY stream COLLATE "C"'
            ).fetchall()
        return [row[0] for row in rows]

    def verify(self, stream: str) -> Verification:
        """Check the history of *stream* against its hash chain and its state."""
        check_stream(stream)
        with self._use("read") as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            head = conn.execute(_SELECT_HEAD_AND_STATE, (stream,)).fetchone()
            events = read_events(conn, stream)
            stored = _stored(conn, stream)
        if head is None:
            return check_release_chain(stream, events, stored)
        return check_chain(stream, events, revision=head[0], head=head[1], state=head[2])

    # -- leases ------------------------------------------------------------------

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token."""
        with self._use("take a lease in") as conn:
            return leases.acquire(conn, self.location, name, holder=holder, now=now, ttl=ttl)

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``."""
        with self._use("renew a lease in") as conn:
            return leases.renew(conn, self.location, name, token=token, now=now, ttl=ttl)

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may."""
        with self._use("give a lease back in") as conn:
            return leases.release(conn, self.location, name, token=token)

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        """Hand the lease *name* held by *token* to *holder*, under a new token."""
        with self._use("take a lease over in") as conn:
            return leases.take_over(
                conn, self.location, name, token=token, holder=holder, now=now, ttl=ttl
            )

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        """Return the lease *name* if someone holds it at *now*, else ``None``."""
        moment = instant(now, field="now")
        with self._use("read") as conn:
            lease = leases.read(conn, name)
        return lease if lease is not None and lease.held_at(moment) else None

    # -- lifetime ----------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
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


def _release_row(values: Sequence[Any]) -> ReleaseRow:
    """Build a release row from its columns (``_COLUMNS``), instants as :func:`iso` writes them."""
    return row_from(
        [
            iso(value) if place in _INSTANTS and value is not None else value
            for place, value in enumerate(values)
        ]
    )


def _stored(conn: psycopg.Connection[Any], release_id: str) -> StoredRelease | None:
    """Read a release's rows, with what its last event recorded, in one statement."""
    found = conn.execute(_SELECT_RELEASE, (release_id,)).fetchone()
    if found is None:
        return None
    row = _release_row(found[:15])
    last_digest, last_state_digest = found[16], found[17]
    return StoredRelease(
        row=row,
        evidence=tuple(map(Fact, found[18], found[19])),
        moves=tuple(map(Fact, found[20], found[21])),
        recorded_digest=last_state_digest if last_digest == row.head else "",
        legacy=found[15],
    )
