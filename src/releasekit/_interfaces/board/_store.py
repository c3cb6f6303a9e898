"""Where the board reads: the command's store, opened so that nothing is ever written to it.

A :class:`StoreSource` opens the store the command names (``--db``,
``$RELEASEKIT_DB``, ``./releasekit.db``) and hands it out wrapped in a
:class:`ReadOnlyStore`, which answers every read and refuses every write. A
SQLite file that does not exist yet reads as an empty store until a command
creates it; one written by an older releasekit is refused rather than migrated,
since migrating is writing.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Self

import attrs

from releasekit._actions.opening import open_store, sqlite_file
from releasekit._records.store import Store
from releasekit.exceptions import StoreError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence
    from types import TracebackType

    from releasekit._records.events import Draft, Event, Verification
    from releasekit._records.rows import StoredRelease
    from releasekit._records.store import Lease, Snapshot
    from releasekit._records.values import ReleaseRow

__all__ = ["ReadOnlyStore", "StoreSource"]


def _refuse(doing: str) -> NoReturn:
    msg = f"the board only reads the store: it may not {doing}"
    raise StoreError(msg)


@attrs.define
class ReadOnlyStore:
    """A store that answers every read of the store it wraps and refuses every write.

    Every write (an event, a lease) raises :class:`~releasekit.exceptions.StoreError`
    before it reaches the store. Closing it leaves the wrapped store open: the
    board closes that one when it stops.

    Args:
        store: The store read.
    """

    _store: Store

    def append_release(  # the Store protocol documents each method
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
        del row, expected, previous, evidence_before, moves_before, draft, evidence, moves
        _refuse("write a release")

    def read_release(
        self, release_id: str, *, with_state: str | None = None
    ) -> StoredRelease | None:
        return self._store.read_release(release_id, with_state=with_state)

    def list_releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseRow]:
        return self._store.list_releases(active=active, after=after, limit=limit)

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any],
        previous: str | None = None,
    ) -> Event:
        del expected, draft, snapshot, previous
        _refuse(f"append to the history {stream}")

    def snapshot(self, stream: str) -> Snapshot | None:
        return self._store.snapshot(stream)

    def events(self, stream: str, *, after: int = 0) -> list[Event]:
        return self._store.events(stream, after=after)

    def streams(self, *, prefix: str = "") -> list[str]:
        return self._store.streams(prefix=prefix)

    def histories(self) -> list[str]:
        return self._store.histories()

    def verify(self, stream: str) -> Verification:
        return self._store.verify(stream)

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        del holder, now, ttl
        _refuse(f"take the lease {name}")

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        del token, now, ttl
        _refuse(f"renew the lease {name}")

    def release(self, name: str, *, token: str) -> Lease:
        del token
        _refuse(f"give back the lease {name}")

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        del token, holder, now, ttl
        _refuse(f"take over the lease {name}")

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        return self._store.current(name, now=now)

    def close(self) -> None:
        """Do nothing: the board closes the store it reads when it stops."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del exc_type, exc, tb


@attrs.define
class StoreSource:
    """The store the board reads, opened once it exists; closed by :meth:`close`.

    Args:
        location: What names the store, as ``--db`` takes it: a SQLite file's
            path or ``sqlite:///path``, or a ``postgresql://`` URL.
    """

    location: str
    _opened: Store | None = attrs.field(default=None, init=False)
    _empty: Store | None = attrs.field(default=None, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def store(self) -> ReadOnlyStore:
        """Return the store, read-only; an empty one while the SQLite file does not exist.

        Raises:
            InvalidInputError: The location names no store.
            StoreError: The store cannot be opened, or the SQLite file was
                written by an older releasekit and would have to be migrated.
            SchemaVersionError: It was written by a newer releasekit.
        """
        with self._lock:
            if self._opened is None:
                self._opened = self._open()
            if self._opened is not None:
                return ReadOnlyStore(self._opened)
            if self._empty is None:
                from releasekit._records.memory import MemoryStore  # noqa: PLC0415  # on use

                self._empty = MemoryStore()
            return ReadOnlyStore(self._empty)

    def stamp(self) -> str | None:
        """Return what changes whenever anything is written to the SQLite file; else ``None``.

        Every commit to a file in WAL mode writes its ``-wal`` file, and every
        checkpoint the file itself: their sizes and modification times change
        with every write, and reading them opens nothing, however many releases
        the file holds. (A checkpoint alone changes them too: a page then
        reads the same again, no more.)
        """
        file = sqlite_file(self.location)
        if file is None:
            return None
        parts = []
        for path in (Path(file), Path(f"{file}-wal")):
            try:
                found = path.stat()
            except OSError:
                parts.append("-")
            else:
                parts.append(f"{found.st_size}:{found.st_mtime_ns}")
        return " ".join(parts)

    def _open(self) -> Store | None:
        file = sqlite_file(self.location)  # None: a PostgreSQL database, or one in memory
        if file is not None and (not Path(file).is_file() or _unwritten(file)):
            return None
        return open_store(self.location)

    def close(self) -> None:
        """Close the store, if it was opened."""
        with self._lock:
            for store in (self._opened, self._empty):
                if store is not None:
                    store.close()
            self._opened = self._empty = None


def _unwritten(location: str) -> bool:
    """Whether the SQLite file holds no store yet; refuse one that opening would migrate.

    Opening an empty file would write the schema into it, and opening a file of
    an older releasekit would migrate it: the board does neither. A file of
    another application, or of a newer releasekit, is left for the store to
    refuse in its own words.

    Raises:
        StoreError: The file was written by an older releasekit.
    """
    from releasekit._records.sqlite_probe import (  # noqa: PLC0415  # on use
        APPLICATION_ID,
        SCHEMA_VERSION,
    )

    try:
        conn = sqlite3.connect(f"{Path(location).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False  # the store says what is wrong with the file
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    if application_id not in {0, APPLICATION_ID} or version >= SCHEMA_VERSION:
        return False
    if version == 0:
        return bool(tables == 0)
    msg = (
        f"{location} was written by an older releasekit, and the board does not migrate a "
        "store (that would be writing to it); run any releasekit command on it first, "
        f"e.g. `releasekit --db {location} status`"
    )
    raise StoreError(msg)
