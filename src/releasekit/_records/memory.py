"""An in-memory store: for tests, simulations and one-off scripts."""

from __future__ import annotations

import attrs

from releasekit._records.sqlite import SqliteStore
from releasekit.exceptions import StoreError

__all__ = ["MemoryStore"]


@attrs.define(eq=False, init=False, repr=False)
class MemoryStore(SqliteStore):
    """A store that keeps everything in this process's memory, and loses it when closed.

    It is the SQLite store on a database of its own in memory: the same
    schema, rows, statements and checks, without a file. Code tested against
    it runs unchanged on SQLite or PostgreSQL. Safe to share between threads.
    """

    def __init__(self) -> None:
        self.__attrs_init__(":memory:")

    def __repr__(self) -> str:
        return "MemoryStore()"

    def _closed_error(self) -> StoreError:
        return StoreError("this MemoryStore was closed; make a new one")
