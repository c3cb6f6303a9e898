"""A store written by an earlier releasekit, for the tests that it still loads and verifies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: A SQLite store at schema 2: its events record no digest of their state.
SCHEMA_2 = Path(__file__).parent / "data" / "store-schema-2.sql"


def write_schema_2_store(path: Path) -> Path:
    """Write the schema-2 store to *path* (a new file) and return *path*."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(SCHEMA_2.read_text(encoding="utf-8"))
    finally:
        conn.close()
    return path
