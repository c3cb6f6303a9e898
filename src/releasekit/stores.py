"""Where releases and their histories live: stores, the ledger, events.

A :class:`Store` keeps hash-chained histories with their current state, and
exclusive leases: each release as one small row plus a row per piece of
evidence and per move, and other histories (``kind:name``) with one JSON
snapshot each. Three stores pass one contract:

- :class:`MemoryStore` — in this process, for tests and simulations;
- :class:`SqliteStore` — one file on one machine, the embedded default;
- :class:`PostgresStore` — one database for tools on several hosts (needs
  ``pip install 'releasekit[postgres]'``; psycopg is imported only when one is
  opened).

A :class:`Ledger` keeps releases in any store: one :class:`Event` and the
release's new rows per action, every write checked against the revision the
caller loaded; :meth:`Ledger.releases` lists them as :class:`ReleaseSummary`
rows. :func:`replay` rebuilds a record from its history.
"""

from __future__ import annotations

from releasekit._records.events import Action, Draft, Event, Verification
from releasekit._records.fold import NOTES, replay
from releasekit._records.leases import Lease
from releasekit._records.ledger import Ledger
from releasekit._records.memory import MemoryStore
from releasekit._records.postgres import PostgresStore
from releasekit._records.processes import HostProcess
from releasekit._records.rows import Fact, StoredRelease
from releasekit._records.sqlite import SqliteStore
from releasekit._records.store import Snapshot, Store
from releasekit._records.values import Attempt, Attention, Record, ReleaseRow, ReleaseSummary

__all__ = [
    "NOTES",
    "Action",
    "Attempt",
    "Attention",
    "Draft",
    "Event",
    "Fact",
    "HostProcess",
    "Lease",
    "Ledger",
    "MemoryStore",
    "PostgresStore",
    "Record",
    "ReleaseRow",
    "ReleaseSummary",
    "Snapshot",
    "SqliteStore",
    "Store",
    "StoredRelease",
    "Verification",
    "replay",
]
