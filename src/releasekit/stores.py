"""Where releases and their histories live: stores, the ledger, events.

A :class:`Store` keeps JSON histories (streams of hash-chained events, each
with its current state) and exclusive leases. Three stores pass one contract:

- :class:`MemoryStore` — in this process, for tests and simulations;
- :class:`SqliteStore` — one file on one machine, the embedded default;
- :class:`PostgresStore` — one database for tools on several hosts (needs
  ``pip install 'releasekit[postgres]'``; psycopg is imported only when one is
  opened).

A :class:`Ledger` keeps releases in any store: one :class:`Event` and one new
:class:`Record` per action, every write checked against the revision the
caller loaded. :func:`replay` rebuilds a record from its history.
"""

from __future__ import annotations

from releasekit._records.events import Action, Draft, Event, Verification
from releasekit._records.ledger import NOTES, Attempt, Attention, Ledger, Record, replay
from releasekit._records.memory import MemoryStore
from releasekit._records.postgres import PostgresStore
from releasekit._records.processes import HostProcess
from releasekit._records.sqlite import SqliteStore
from releasekit._records.store import JSONText, Lease, Snapshot, Store

__all__ = [
    "NOTES",
    "Action",
    "Attempt",
    "Attention",
    "Draft",
    "Event",
    "HostProcess",
    "JSONText",
    "Lease",
    "Ledger",
    "MemoryStore",
    "PostgresStore",
    "Record",
    "Snapshot",
    "SqliteStore",
    "Store",
    "Verification",
    "replay",
]
