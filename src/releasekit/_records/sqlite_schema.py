"""The SQLite store's schema: its tables, their forward migrations, and opening a file.

A releasekit file carries its schema version (``PRAGMA user_version``) and
marks itself as a releasekit store (``PRAGMA application_id``). Opening a file
(:func:`prepare`) puts it in WAL mode with ``synchronous=FULL`` and migrates it
forward in one transaction: a migration that fails leaves the file as it was,
and a file written by a newer releasekit is refused.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

import attrs

from releasekit._records.rows import ROW_COLUMNS, numbered
from releasekit._records.sqlite_probe import APPLICATION_ID
from releasekit._records.store import read_event
from releasekit.exceptions import SchemaVersionError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from releasekit._records.events import Event
    from releasekit._records.rows import Fact
    from releasekit._records.values import ReleaseRow

__all__ = ["APPLICATION_ID", "MIGRATIONS", "insert_release", "prepare", "read_events"]

#: How long a process opening a new file waits before trying WAL mode again, in seconds.
_WAL_RETRY = 0.005

#: The schema, as an ordered list of forward migrations. Migration *n* (1-based)
#: brings a file from ``user_version`` *n - 1* to *n*. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # 1: histories, their current state and leases; history rows cannot be
        # changed or deleted through SQL (verify() catches it if they are anyway).
        """
        CREATE TABLE streams (
            stream   TEXT    NOT NULL PRIMARY KEY,
            revision INTEGER NOT NULL CHECK (revision > 0),
            head     TEXT    NOT NULL,
            snapshot TEXT    NOT NULL
        )
        """,
        """
        CREATE TABLE events (
            stream   TEXT    NOT NULL,
            seq      INTEGER NOT NULL CHECK (seq > 0),
            at       TEXT    NOT NULL,
            actor    TEXT    NOT NULL,
            action   TEXT    NOT NULL,
            source   TEXT,
            target   TEXT,
            reason   TEXT    NOT NULL,
            data     TEXT    NOT NULL,
            previous TEXT    NOT NULL,
            digest   TEXT    NOT NULL,
            PRIMARY KEY (stream, seq)
        )
        """,
        """
        CREATE TRIGGER events_are_append_only_on_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
        """,
        """
        CREATE TRIGGER events_are_append_only_on_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
        """,
        """
        CREATE TABLE leases (
            name    TEXT NOT NULL PRIMARY KEY,
            owner   TEXT NOT NULL,
            since   TEXT NOT NULL,
            expires TEXT NOT NULL
        )
        """,
    ),
    (
        # 2: a release's next step in one statement: inserting into `appends`
        # advances the stream if it is still at the revision and head the writer
        # saw, and appends the event; otherwise nothing is written.
        """
        CREATE VIEW appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason,
               e.data, e.previous, e.digest, s.snapshot
        FROM events AS e JOIN streams AS s ON s.stream = e.stream
        """,
        """
        CREATE TRIGGER appends_advance INSTEAD OF INSERT ON appends
        BEGIN
            UPDATE streams SET revision = NEW.seq, head = NEW.digest, snapshot = NEW.snapshot
            WHERE stream = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous;
            SELECT RAISE(ABORT, 'releasekit: the stream is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest);
        END
        """,
    ),
    (
        # 3: a lease is held by a token unique to one acquisition, the holder's
        # name kept only to be shown. A lease taken before this schema stays in
        # force until it lapses, under a random token nobody knows.
        """
        CREATE TABLE leases_by_token (
            name    TEXT NOT NULL PRIMARY KEY,
            token   TEXT NOT NULL CHECK (token <> ''),
            holder  TEXT NOT NULL,
            since   TEXT NOT NULL,
            expires TEXT NOT NULL
        )
        """,
        """
        INSERT INTO leases_by_token (name, token, holder, since, expires)
        SELECT name, lower(hex(randomblob(16))), owner, since, expires FROM leases
        """,
        "DROP TABLE leases",
        "ALTER TABLE leases_by_token RENAME TO leases",
    ),
    (
        # 4: each event records the digest of the state written with it, so a
        # state can be checked against its history at the cost of one hash.
        # Events written before have none (NULL).
        "ALTER TABLE events ADD COLUMN state_digest TEXT",
        "DROP TRIGGER appends_advance",
        "DROP VIEW appends",
        """
        CREATE VIEW appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason,
               e.data, e.previous, e.digest, e.state_digest, s.snapshot
        FROM events AS e JOIN streams AS s ON s.stream = e.stream
        """,
        """
        CREATE TRIGGER appends_advance INSTEAD OF INSERT ON appends
        BEGIN
            UPDATE streams SET revision = NEW.seq, head = NEW.digest, snapshot = NEW.snapshot
            WHERE stream = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous;
            SELECT RAISE(ABORT, 'releasekit: the stream is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest, state_digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest,
                    NEW.state_digest);
        END
        """,
    ),
    (
        # 5: a release is one small row with the columns tools filter and list by,
        # plus a row per piece of evidence and per move, each added by the event
        # that brought it; a step appends rows and rewrites the one release row.
        # Releases move out of `streams` (see _rows_of_releases); `streams` keeps
        # the other histories (kind:name).
        """
        CREATE TABLE releases (
            id              TEXT    NOT NULL PRIMARY KEY,
            version         TEXT    NOT NULL,
            kind            TEXT    NOT NULL,
            state           TEXT    NOT NULL,
            revision        INTEGER NOT NULL CHECK (revision > 0),
            head            TEXT    NOT NULL,
            created_at      TEXT    NOT NULL,
            created_by      TEXT    NOT NULL,
            updated_at      TEXT    NOT NULL,
            finished_at     TEXT,
            artifact        TEXT    NOT NULL,
            attempt         TEXT,
            attention       TEXT    NOT NULL,
            evidence_digest TEXT    NOT NULL,
            moves_digest    TEXT    NOT NULL,
            legacy          TEXT
        ) WITHOUT ROWID
        """,
        "CREATE INDEX releases_active ON releases (id) WHERE finished_at IS NULL",
        *(
            statement
            for table in ("release_evidence", "release_moves")
            for statement in (
                f"""
                CREATE TABLE {table} (
                    release TEXT    NOT NULL,
                    seq     INTEGER NOT NULL CHECK (seq > 0),
                    n       INTEGER NOT NULL CHECK (n >= 0),
                    body    TEXT    NOT NULL,
                    PRIMARY KEY (release, seq, n)
                ) WITHOUT ROWID
                """,
                f"""
                CREATE TRIGGER {table}_are_append_only_on_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
                """,
                f"""
                CREATE TRIGGER {table}_are_append_only_on_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END
                """,
            )
        ),
        """
        CREATE VIEW release_appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason, e.data,
               e.previous, e.digest, e.state_digest, r.version, r.kind, r.state, r.created_at,
               r.created_by, r.updated_at, r.finished_at, r.artifact, r.attempt, r.attention,
               r.evidence_digest, r.moves_digest, r.evidence_digest AS evidence_before,
               r.moves_digest AS moves_before, r.attention AS evidence, r.attention AS moves
        FROM events AS e JOIN releases AS r ON r.id = e.stream
        """,
        """
        CREATE TRIGGER release_appends_advance INSTEAD OF INSERT ON release_appends
        BEGIN
            UPDATE releases SET
                revision = NEW.seq, head = NEW.digest, version = NEW.version, kind = NEW.kind,
                state = NEW.state, created_at = NEW.created_at, created_by = NEW.created_by,
                updated_at = NEW.updated_at, finished_at = NEW.finished_at,
                artifact = NEW.artifact, attempt = NEW.attempt, attention = NEW.attention,
                evidence_digest = NEW.evidence_digest, moves_digest = NEW.moves_digest,
                legacy = NULL
            WHERE id = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous
              AND evidence_digest = NEW.evidence_before AND moves_digest = NEW.moves_before;
            SELECT RAISE(ABORT, 'releasekit: the release is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest, state_digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest,
                    NEW.state_digest);
            INSERT INTO release_evidence (release, seq, n, body)
            SELECT NEW.stream, NEW.seq, key, value FROM json_each(NEW.evidence);
            INSERT INTO release_moves (release, seq, n, body)
            SELECT NEW.stream, NEW.seq, key, value FROM json_each(NEW.moves);
        END
        """,
    ),
)

_SELECT_EVENTS = (
    "SELECT seq, at, actor, action, source, target, reason, data, previous, digest, "
    "state_digest FROM events WHERE stream = ? AND seq > ? ORDER BY seq"
)
_CREATE_RELEASE = (  # built from the constant column names of a release row
    f"INSERT INTO releases ({', '.join(ROW_COLUMNS)}, legacy) "  # noqa: S608
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)
_INSERT_FACTS = {
    table: f"INSERT INTO {table} (release, seq, n, body) VALUES (?, ?, ?, ?)"  # noqa: S608
    for table in ("release_evidence", "release_moves")
}


def prepare(conn: sqlite3.Connection, *, path: str, timeout: float) -> None:
    """Set the file up for releasekit: WAL, ``synchronous=FULL``, the current schema.

    Raises:
        StoreError: The file belongs to another application.
        SchemaVersionError: The file was written by a newer releasekit.
        sqlite3.Error: The file could not be read or written.
    """
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    if conn.execute("PRAGMA application_id").fetchone()[0] not in {0, APPLICATION_ID}:
        raise _foreign(path)
    _to_wal(conn, timeout)
    conn.execute("PRAGMA synchronous = FULL")
    if conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        _migrate(conn, path)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _to_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Put the file in WAL mode, waiting (up to *timeout*) for others doing the same.

    Switching a new file to WAL takes an exclusive lock, and SQLite refuses
    it at once, without waiting, to a connection that holds a shared lock
    while another is switching: processes opening one new file together
    take turns here instead.
    """
    waited = 0.0
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or waited >= timeout:
                raise
            time.sleep(_WAL_RETRY)
            waited += _WAL_RETRY
        else:
            return


def _migrate(conn: sqlite3.Connection, path: str) -> None:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise SchemaVersionError(location=path, found=version, supported=len(MIGRATIONS))
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        # A releasekit file at version 0 is empty: migrations are transactional.
        raise _foreign(path)
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in statements:
            conn.execute(statement)
        after = _AFTER.get(number)
        if after is not None:
            after(conn)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _foreign(path: str) -> StoreError:
    return StoreError(
        f"{path} is a SQLite database of another application, not a releasekit store; give "
        "releasekit a file of its own"
    )


def insert_release(
    conn: sqlite3.Connection,
    row: ReleaseRow,
    *,
    legacy: str | None = None,
    evidence: Sequence[Fact] = (),
    moves: Sequence[Fact] = (),
) -> bool:
    """Write a release's row and its evidence and move rows, unless it exists; say if it did."""
    if conn.execute(_CREATE_RELEASE, (*attrs.astuple(row, recurse=False), legacy)).rowcount != 1:
        return False
    for table, facts in (("release_evidence", evidence), ("release_moves", moves)):
        conn.executemany(
            _INSERT_FACTS[table], [(row.id, f.seq, n, f.body) for n, f in numbered(facts)]
        )
    return True


def read_events(conn: sqlite3.Connection, stream: str, after: int = 0) -> list[Event]:
    """Read the events of *stream* after position *after*, oldest first."""
    return [read_event(stream, row) for row in conn.execute(_SELECT_EVENTS, (stream, after))]


def _rows_of_releases(conn: sqlite3.Connection) -> None:
    """Move every release out of ``streams`` into its rows (the Python half of migration 5).

    Each release's state is checked against its history first: one that does
    not match refuses the whole migration, and the file stays as it was.
    """
    states = conn.execute(
        "SELECT stream, revision, head, snapshot FROM streams WHERE instr(stream, ':') = 0"
    ).fetchall()
    if states:  # a new file has none: it is created without loading the replay
        from releasekit._records.verifying import migrated_release  # noqa: PLC0415  # on use
    for stream, revision, head, text in states:
        events = read_events(conn, stream)
        migrated = migrated_release(stream, revision=revision, head=head, text=text, events=events)
        insert_release(
            conn,
            migrated.row,
            legacy=migrated.legacy,
            evidence=migrated.evidence,
            moves=migrated.moves,
        )
    conn.execute("DELETE FROM streams WHERE instr(stream, ':') = 0")


#: Python steps of migrations, run after the statements of the migration they follow.
_AFTER: dict[int, Callable[[sqlite3.Connection], None]] = {5: _rows_of_releases}
