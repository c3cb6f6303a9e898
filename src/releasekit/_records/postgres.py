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

from releasekit._records import postgres_schema as sql
from releasekit._records.checks import (
    check_expected,
    check_history_name,
    check_holder,
    check_page,
    check_stream,
    check_token,
    wrong_previous,
)
from releasekit._records.events import (
    EVENT_COLUMNS,
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
    check_ttl,
    decide_lease,
    decide_renewal,
    decide_take_over,
    new_token,
)
from releasekit._records.postgres_schema import migrate, read_events
from releasekit._records.rows import (
    StoredRelease,
    check_release_chain,
    release_conflict,
    sealed_write,
)
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

    import pendulum
    import psycopg

    from releasekit._records.values import ReleaseRow

__all__ = ["PostgresStore"]


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
            changed = conn.execute(sql.ADVANCE_RELEASE if expected else sql.CREATE_RELEASE, params)
            if changed.fetchone() != (1,):
                found = sql.read_release(conn, stream)
                raise release_conflict(
                    None if found is None else found.row,
                    stream=stream,
                    expected=expected,
                    previous=previous,
                    evidence_before=evidence_before,
                    moves_before=moves_before,
                )
        return event

    def read_release(
        self, release_id: str, *, with_state: str | None = None
    ) -> StoredRelease | None:
        """Return a release's rows and the state digest its last event recorded, or ``None``.

        One statement: one consistent view of the row, the evidence, the moves
        (and the state of *with_state*).
        """
        with self._use("read") as conn:
            return sql.read_release(conn, release_id, with_state)

    def list_releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseRow]:
        """Return release rows in the order of their ids."""
        check_page(after, limit)
        with self._use("read") as conn:
            rows = conn.execute(
                sql.LIST_ACTIVE if active else sql.LIST_ALL, ("" if after is None else after, limit)
            ).fetchall()
        return [sql.release_row(values) for values in rows]

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
                row = conn.execute(sql.SELECT_HEAD, (stream,)).fetchone()
                if row is None or row[0] != expected:
                    actual = row[0] if row else 0
                    raise ConflictError(stream=stream, expected=expected, actual=actual)
                previous = row[1]
            _event, columns = seal(
                stream, seq=expected + 1, previous=previous, draft=draft, state_digest=digest(text)
            )
            params = dict(zip(EVENT_COLUMNS, columns, strict=True))
            written = conn.execute(
                sql.ADVANCE if expected else sql.CREATE,
                {**params, "expected": expected, "snapshot": text},
            )
            if written.rowcount != 1:  # someone else wrote first, or the head was wrong
                found = conn.execute(sql.SELECT_HEAD, (stream,)).fetchone()
                actual = found[0] if found else 0
                if actual == expected:
                    raise wrong_previous(stream, expected=expected, previous=previous)
                raise ConflictError(stream=stream, expected=expected, actual=actual)
        return _event

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of *stream* without reading its history, or ``None``."""
        with self._use("read") as conn:
            row = conn.execute(sql.SELECT_STATE, (stream,)).fetchone()
        return stored_snapshot(stream, row)

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
            head = conn.execute(sql.SELECT_HEAD_AND_STATE, (stream,)).fetchone()
            events = read_events(conn, stream)
            stored = sql.read_release(conn, stream)
        if head is None:
            return check_release_chain(stream, events, stored)
        return check_chain(stream, events, revision=head[0], head=head[1], state=head[2])

    # -- leases ------------------------------------------------------------------

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token."""
        check_stream(name, field="name")
        check_holder(holder)
        token = new_token()
        moment, expires = _span(now, ttl)
        params = {"name": name, "token": token, "holder": holder, "now": moment, "expires": expires}
        with self._use("take a lease in") as conn:
            return self._lease_write(
                conn,
                sql.ACQUIRE,
                params,
                lambda held: decide_lease(
                    held, name=name, holder=holder, token=token, now=moment, ttl=ttl
                ),
            )

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``."""
        check_token(token)
        moment, expires = _span(now, ttl)
        params = {"name": name, "old": token, "now": moment, "expires": expires}
        with self._use("renew a lease in") as conn:
            return self._lease_write(
                conn,
                sql.RENEW,
                params,
                lambda held: decide_renewal(held, name=name, token=token, now=moment, ttl=ttl),
            )

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may."""
        check_token(token)
        with self._use("give a lease back in") as conn:
            return self._lease_write(
                conn,
                sql.RELEASE,
                {"name": name, "old": token},
                lambda held: check_release(held, name=name, token=token),
            )

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        """Hand the lease *name* held by *token* to *holder*, under a new token."""
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
                sql.TAKE_OVER,
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


def _lease(conn: psycopg.Connection[Any], name: str) -> Lease | None:
    row = conn.execute(sql.SELECT_LEASE, (name,)).fetchone()
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
