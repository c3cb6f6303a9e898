"""Whether a SQLite store file holds any release, read without opening the store.

Opening a store (:class:`~releasekit._records.sqlite.SqliteStore`) loads the
records layer — the converter, the rows, the events — and migrates an older
file first. A command that only needs to know whether there is anything to
show (``releasekit status`` in a folder without releases) asks
:func:`holds_releases` instead: the standard library alone reads a file at the
current schema. For any other file it cannot tell, and the command opens the
store as usual, which migrates the file or refuses it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "holds_releases"]

#: Marks a SQLite file as a releasekit store (``PRAGMA application_id``): "RKit".
APPLICATION_ID = 0x524B6974
#: The schema version of a file at the current schema: the number of the SQLite
#: store's migrations (a test holds them equal).
SCHEMA_VERSION = 5
#: How long to wait for a writer holding the file, in seconds, before not telling.
_TIMEOUT = 1.0


def holds_releases(path: str) -> bool | None:
    """Whether the SQLite store file at *path* holds a release; ``None`` if it cannot tell.

    A file that does not exist holds none. A releasekit file at the current
    schema is read, without being changed or created. Anything else — a file
    of an older schema (opening the store migrates it), of a newer one, not
    written by releasekit, not a database, or locked for longer than a
    second — cannot be told: open the store to find out.
    """
    location = Path(path)
    try:
        if not location.exists():
            return False
        # Read-write but never created: closing the last connection then removes the
        # files a reader of a WAL database makes beside it, as closing the store does.
        uri = f"{location.absolute().as_uri()}?mode=rw"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=_TIMEOUT)) as conn:
            marked = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if (marked, version) != (APPLICATION_ID, SCHEMA_VERSION):
                return None
            found = conn.execute("SELECT EXISTS (SELECT 1 FROM releases)").fetchone()[0]
    except (OSError, ValueError, sqlite3.Error):  # a name no file can have, a file that is none
        return None
    return bool(found)
