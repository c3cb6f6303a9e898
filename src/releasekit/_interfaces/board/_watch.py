"""Noticing that the store changed, so an open page can update itself.

The store's *token* changes whenever a tool writes an event. For a SQLite file
it is read from the file's and its write-ahead log's sizes and times
(:meth:`StoreSource.stamp`), which costs the same however many releases the file
holds; for another store it is a digest of the head of every history it keeps
— each release's row and each other history's state. One :class:`Watcher` per
board reads it at most once per interval, however many pages are open, and only
while a page asks.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import TYPE_CHECKING

import attrs

from releasekit._interfaces.board._store import StoreSource
from releasekit.exceptions import ReleaseKitError

if TYPE_CHECKING:
    from releasekit._interfaces.board._store import ReadOnlyStore

__all__ = ["Watcher", "token"]

_log = logging.getLogger("releasekit.board")

#: The token of a store that cannot be read.
_UNREADABLE = "unreadable"
#: How many release rows are read at a time.
_PAGE = 1000


def token(store: ReadOnlyStore) -> str:
    """Return a digest that changes whenever any history in *store* gains an event."""
    digest = hashlib.sha256()
    after: str | None = None
    while True:
        rows = store.list_releases(active=False, after=after, limit=_PAGE)
        for row in rows:
            digest.update(f"{row.id}\x00{row.revision}\x00{row.head}\x00".encode())
        if len(rows) < _PAGE:
            break
        after = rows[-1].id
    for stream in store.streams():
        snapshot = store.snapshot(stream)
        if snapshot is not None:
            digest.update(f"{stream}\x00{snapshot.revision}\x00{snapshot.head}\x00".encode())
    return digest.hexdigest()[:24]


@attrs.define
class Watcher:
    """Reads the store's token for every open page, at most once per *interval* seconds.

    Args:
        source: The board's store.
        interval: How long a token read stays fresh, in seconds.
    """

    source: StoreSource
    interval: float
    _token: str = attrs.field(default="", init=False)
    _read_at: float | None = attrs.field(default=None, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def current(self) -> str:
        """Return the store's token, read again if the last read is older than the interval.

        A store that cannot be read has the token ``unreadable``: the pages say why.
        """
        with self._lock:
            now = time.monotonic()
            if self._read_at is None or now - self._read_at >= self.interval:
                try:
                    stamp = self.source.stamp()
                    self._token = (
                        token(self.source.store())
                        if stamp is None
                        else hashlib.sha256(stamp.encode()).hexdigest()[:24]
                    )
                except ReleaseKitError as error:
                    _log.warning("releasekit board: cannot read the store: %s", error)
                    self._token = _UNREADABLE
                self._read_at = now
            return self._token
