"""The PostgreSQL store: one truth for tools that run on several hosts.

Needs psycopg 3 (``pip install 'releasekit[postgres]'``), imported only when a
:class:`PostgresStore` is opened, so ``import releasekit`` works without it.

The schema is the SQLite one, in tables prefixed ``releasekit_`` (in the
connection's ``search_path``), with a schema version in ``releasekit_meta``
migrated forward on open under an advisory lock. An append is one statement:
the snapshot row is updated only if it is still at the expected revision (or
created only if it does not exist), and the event is inserted only if that
happened — so two writers can never both win, and a refused write leaves
nothing behind. Each lease change is one statement that writes only where the
rule allows it: a new acquisition only over a free or lapsed lease, a renewal,
release or take-over only under the token that holds it.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Self

import attrs

from releasekit._records.events import (
    Action,
    Draft,
    Event,
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
    check_ttl,
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
    from collections.abc import Callable, Iterator, Mapping
    from types import TracebackType

    import pendulum
    import psycopg

__all__ = ["MIGRATIONS", "PostgresStore"]

#: Any number: the advisory lock held while the schema is migrated.
_SCHEMA_LOCK = 0x524B6974

#: The schema, as an ordered list of forward migrations; append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # 1: histories, their current state and leases; history rows cannot be
        # changed or deleted through SQL (verify() catches it if they are anyway).
        """
        CREATE TABLE releasekit_streams (
            stream   text   NOT NULL PRIMARY KEY,
            revision bigint NOT NULL CHECK (revision > 0),
            head     text   NOT NULL,
            snapshot json   NOT NULL
        )
        """,
        """
        CREATE TABLE releasekit_events (
            stream   text        NOT NULL,
            seq      bigint      NOT NULL CHECK (seq > 0),
            at       timestamptz NOT NULL,
            actor    text        NOT NULL,
            action   text        NOT NULL,
            source   text,
            target   text,
            reason   text        NOT NULL,
            data     json        NOT NULL,
            previous text        NOT NULL,
            digest   text        NOT NULL,
            PRIMARY KEY (stream, seq)
        )
        """,
        """
        CREATE FUNCTION releasekit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'releasekit histories are append-only (% refused)', TG_OP;
        END
        $$
        """,
        """
        CREATE TRIGGER releasekit_events_append_only
        BEFORE UPDATE OR DELETE ON releasekit_events
        FOR EACH ROW EXECUTE FUNCTION releasekit_append_only()
        """,
        """
        CREATE TRIGGER releasekit_events_no_truncate
        BEFORE TRUNCATE ON releasekit_events
        FOR EACH STATEMENT EXECUTE FUNCTION releasekit_append_only()
        """,
        """
        CREATE TABLE releasekit_leases (
            name    text        NOT NULL PRIMARY KEY,
            owner   text        NOT NULL,
            since   timestamptz NOT NULL,
            expires timestamptz NOT NULL
        )
        """,
    ),
    (
        # 2: a lease is held by a token unique to one acquisition, the holder's
        # name kept only to be shown. A lease taken before this schema stays in
        # force until it lapses, under a random token nobody knows.
        "ALTER TABLE releasekit_leases RENAME COLUMN owner TO holder",
        "ALTER TABLE releasekit_leases ADD COLUMN token text",
        "UPDATE releasekit_leases SET token = replace(gen_random_uuid()::text, '-', '')",
        "ALTER TABLE releasekit_leases ALTER COLUMN token SET NOT NULL",
        "ALTER TABLE releasekit_leases ADD CONSTRAINT releasekit_leases_token CHECK (token <> '')",
    ),
    (
        # 3: each event records the digest of the state written with it (the
        # json column keeps the state's text exactly as written). Events written
        # before have none (NULL).
        "ALTER TABLE releasekit_events ADD COLUMN state_digest text",
    ),
)

_SELECT_HEAD = "SELECT revision, head FROM releasekit_streams WHERE stream = %s"
_CREATE = """
    WITH changed AS (
        INSERT INTO releasekit_streams (stream, revision, head, snapshot)
        VALUES (%(stream)s, %(seq)s, %(digest)s, %(snapshot)s::json)
        ON CONFLICT (stream) DO NOTHING
        RETURNING 1
    )
    INSERT INTO releasekit_events
        (stream, seq, at, actor, action, source, target, reason, data, previous, digest,
         state_digest)
    SELECT %(stream)s, %(seq)s, %(at)s, %(actor)s, %(action)s, %(source)s::text,
           %(target)s::text, %(reason)s, %(data)s::json, %(previous)s, %(digest)s,
           %(state_digest)s::text
    FROM changed
"""
_ADVANCE = """
    WITH changed AS (
        UPDATE releasekit_streams
        SET revision = %(seq)s, head = %(digest)s, snapshot = %(snapshot)s::json
        WHERE stream = %(stream)s AND revision = %(expected)s AND head = %(previous)s
        RETURNING 1
    )
    INSERT INTO releasekit_events
        (stream, seq, at, actor, action, source, target, reason, data, previous, digest,
         state_digest)
    SELECT %(stream)s, %(seq)s, %(at)s, %(actor)s, %(action)s, %(source)s::text,
           %(target)s::text, %(reason)s, %(data)s::json, %(previous)s, %(digest)s,
           %(state_digest)s::text
    FROM changed
"""
_SELECT_EVENTS = (
    "SELECT seq, at, actor, action, source, target, reason, data::text, previous, digest, "
    "state_digest FROM releasekit_events WHERE stream = %s AND seq > %s ORDER BY seq"
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
_ACQUIRE = """
    INSERT INTO releasekit_leases AS held (name, token, holder, since, expires)
    VALUES (%(name)s, %(token)s, %(holder)s, %(now)s, %(expires)s)
    ON CONFLICT (name) DO UPDATE SET
        token = excluded.token,
        holder = excluded.holder,
        since = excluded.since,
        expires = excluded.expires
    WHERE held.expires <= excluded.since
    RETURNING token, holder, since, expires
"""
_RENEW = """
    UPDATE releasekit_leases SET expires = %(expires)s
    WHERE name = %(name)s AND token = %(old)s AND expires > %(now)s
    RETURNING token, holder, since, expires
"""
_RELEASE = """
    DELETE FROM releasekit_leases WHERE name = %(name)s AND token = %(old)s
    RETURNING token, holder, since, expires
"""
_TAKE_OVER = """
    UPDATE releasekit_leases
    SET token = %(token)s, holder = %(holder)s, since = %(now)s, expires = %(expires)s
    WHERE name = %(name)s AND token = %(old)s
    RETURNING token, holder, since, expires
"""
_SELECT_LEASE = "SELECT token, holder, since, expires FROM releasekit_leases WHERE name = %s"


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
        pg = _psycopg()
        conn = self._conn
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS releasekit_meta "
                    "(key text PRIMARY KEY, value text NOT NULL)"
                )
                row = conn.execute(
                    "SELECT value FROM releasekit_meta WHERE key = 'schema_version'"
                ).fetchone()
                version = int(row[0]) if row else 0
                if version > len(MIGRATIONS):
                    raise SchemaVersionError(
                        location=self.location, found=version, supported=len(MIGRATIONS)
                    )
                for statements in MIGRATIONS[version:]:
                    for statement in statements:
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO releasekit_meta (key, value) VALUES ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(len(MIGRATIONS)),),
                )
        except pg.Error as error:
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

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any] | JSONText,
        previous: str | None = None,
    ) -> Event:
        """Append one event to *stream* and replace its snapshot, in one statement.

        Raises:
            ConflictError: The stream is not at *expected*; nothing was written.
            InvalidInputError: The snapshot or the draft's data is not JSON, or
                *previous* is not the head at *expected*.
            StoreError: The database could not be written.
        """
        check_stream(stream)
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
            state = digest_state(text)
            sealed = seal(
                stream, seq=expected + 1, previous=previous, draft=draft, state_digest=state
            )
            event = sealed.event
            _write(
                conn,
                _ADVANCE if expected else _CREATE,
                (
                    stream,
                    event.seq,
                    event.at,
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

    def _commit(self, row: tuple[Any, ...], _action: Action, at: pendulum.DateTime) -> None:
        """Append an event sealed by the ledger, given as its row (see SqliteStore).

        The row is the event's columns (its instant as text, its state digest
        last), then the snapshot; the instant itself is *at*.
        """
        with self._use("write to") as conn:
            _write(conn, _ADVANCE, (*row[:2], at, *row[3:]))

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
            rows = conn.execute(_SELECT_EVENTS, (stream, after)).fetchall()
        return [_event(stream, row) for row in rows]

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every stream starting with *prefix*, sorted."""
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
                'SELECT stream FROM releasekit_events) AS held ORDER BY stream COLLATE "C"'
            ).fetchall()
        return [row[0] for row in rows]

    def verify(self, stream: str) -> Verification:
        """Check the history of *stream* against its hash chain and its snapshot."""
        with self._use("read") as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            head = conn.execute(_SELECT_HEAD_AND_STATE, (stream,)).fetchone()
            rows = conn.execute(_SELECT_EVENTS, (stream, 0)).fetchall()
        return check_chain(
            stream,
            (_event(stream, row) for row in rows),
            revision=head[0] if head else None,
            head=head[1] if head else None,
            state=head[2] if head else None,
        )

    # -- leases ------------------------------------------------------------------

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token.

        Raises:
            LeaseHeldError: It is held and has not lapsed; nothing changed.
        """
        check_stream(name, field="name")
        check_holder(holder)
        token = new_token()
        moment, expires = _span(now, ttl)
        params = {"name": name, "token": token, "holder": holder, "now": moment, "expires": expires}
        with self._use("take a lease in") as conn:
            return self._lease_write(
                conn,
                _ACQUIRE,
                params,
                lambda held: decide_lease(
                    held, name=name, holder=holder, token=token, now=moment, ttl=ttl
                ),
            )

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* does not hold it, or it lapsed; nothing changed.
        """
        check_token(token)
        moment, expires = _span(now, ttl)
        params = {"name": name, "old": token, "now": moment, "expires": expires}
        with self._use("renew a lease in") as conn:
            return self._lease_write(
                conn,
                _RENEW,
                params,
                lambda held: decide_renewal(held, name=name, token=token, now=moment, ttl=ttl),
            )

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may.

        Raises:
            LeaseNotHeldError: *token* does not hold it; nothing changed.
        """
        check_token(token)
        with self._use("give a lease back in") as conn:
            return self._lease_write(
                conn,
                _RELEASE,
                {"name": name, "old": token},
                lambda held: check_release(held, name=name, token=token),
            )

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
        moment, expires = _span(now, ttl)
        params = {
            "name": name,
            "old": token,
            "token": new,
            "holder": holder,
            "now": moment,
            "expires": expires,
        }
        with self._use("take a lease over in") as conn:
            return self._lease_write(
                conn,
                _TAKE_OVER,
                params,
                lambda held: decide_take_over(
                    held, name=name, token=token, holder=holder, new=new, now=moment, ttl=ttl
                ),
            )

    def _lease_write(
        self,
        conn: psycopg.Connection[Any],
        statement: str,
        params: dict[str, Any],
        decide: Callable[[Lease | None], Lease],
    ) -> Lease:
        """Run *statement*, which writes a lease only where the rule *decide* allows it.

        The statement checks the rule in SQL, so two writers never both win.
        When it writes nothing, the rule is asked of the lease as it is now and
        raises the error that explains why — or, if the lease changed hands in
        between, the statement is tried again.
        """
        name = params["name"]
        for _ in range(3):
            row = conn.execute(statement, params).fetchone()
            if row is not None:
                return _lease_of(name, row)
            decide(_lease(conn, name))  # raises, unless it changed hands meanwhile
        msg = f"could not change {name} in {self.location}: it kept changing hands; retry"
        raise StoreError(msg)

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        """Return the lease *name* if someone holds it at *now*, else ``None``."""
        moment = instant(now, field="now")
        with self._use("read") as conn:
            lease = _lease(conn, name)
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


def _write(conn: psycopg.Connection[Any], statement: str, row: tuple[Any, ...]) -> None:
    """Run *statement* (``_CREATE`` or ``_ADVANCE``) for the event and snapshot in *row*.

    Raises:
        ConflictError: Someone else wrote first; nothing was written.
        InvalidInputError: The stream is at the revision, but its head is not the
            event's ``previous``.
    """
    stream, seq, at, actor, action, source, target, reason, data, previous, digest = row[:11]
    state_digest, text = row[11:]
    expected = seq - 1
    cursor = conn.execute(
        statement,
        {
            "stream": stream,
            "expected": expected,
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "source": source,
            "target": target,
            "reason": reason,
            "data": data,
            "previous": previous,
            "digest": digest,
            "state_digest": state_digest,
            "snapshot": text,
        },
    )
    if cursor.rowcount != 1:  # someone else wrote first, or the head was wrong
        now = conn.execute(_SELECT_HEAD, (stream,)).fetchone()
        actual = now[0] if now else 0
        if actual == expected:
            raise wrong_previous(stream, expected=expected, previous=previous)
        raise ConflictError(stream=stream, expected=expected, actual=actual)


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


def _lease(conn: psycopg.Connection[Any], name: str) -> Lease | None:
    row = conn.execute(_SELECT_LEASE, (name,)).fetchone()
    return None if row is None else _lease_of(name, row)


def _lease_of(name: str, row: tuple[Any, ...]) -> Lease:
    """Build the lease *name* from its row: token, holder, since, expires."""
    token, holder, since, expires = row
    return Lease(
        name=name,
        token=token,
        holder=holder,
        since=instant(since, field="since"),
        expires=instant(expires, field="expires"),
    )


def _span(now: dt.datetime, ttl: dt.timedelta) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """Return *now* as an instant, and ``now + ttl``, refusing naive times and bad durations."""
    moment = instant(now, field="now")
    return moment, moment + check_ttl(ttl)
