"""The PostgreSQL store's schema: its tables and their forward migrations.

The tables are the SQLite store's, prefixed ``releasekit_`` (in the
connection's ``search_path``); the schema version is kept in
``releasekit_meta``. Opening a store migrates it forward (:func:`migrate`) in
one transaction, under an advisory lock, so two tools opening one database
at once migrate it once; a database written by a newer releasekit is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.rows import numbered
from releasekit._records.store import read_event
from releasekit._records.verifying import migrated_releases
from releasekit.exceptions import SchemaVersionError

if TYPE_CHECKING:
    from collections.abc import Callable

    import psycopg

    from releasekit._records.events import Event

__all__ = ["MIGRATIONS", "migrate", "read_events"]

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
    (
        # 4: a release is one small row with the columns tools filter and list by,
        # plus a row per piece of evidence and per move, each added by the event
        # that brought it. Releases move out of releasekit_streams (see
        # _rows_of_releases), which keeps the other histories (kind:name).
        """
        CREATE TABLE releasekit_releases (
            id              text        NOT NULL PRIMARY KEY,
            version         text        NOT NULL,
            kind            text        NOT NULL,
            state           text        NOT NULL,
            revision        bigint      NOT NULL CHECK (revision > 0),
            head            text        NOT NULL,
            created_at      timestamptz NOT NULL,
            created_by      text        NOT NULL,
            updated_at      timestamptz NOT NULL,
            finished_at     timestamptz,
            artifact        json        NOT NULL,
            attempt         json,
            attention       json        NOT NULL,
            evidence_digest text        NOT NULL,
            moves_digest    text        NOT NULL,
            legacy          json
        )
        """,
        # Listing walks ids in byte order (as SQLite and Python sort them): these
        # indexes serve it, the active releases' alone and all of them.
        (
            'CREATE INDEX releasekit_releases_active ON releasekit_releases (id COLLATE "C") '
            "WHERE finished_at IS NULL"
        ),
        'CREATE INDEX releasekit_releases_by_id ON releasekit_releases (id COLLATE "C")',
        *(
            statement
            for table in ("releasekit_evidence", "releasekit_moves")
            for statement in (
                f"""
                CREATE TABLE {table} (
                    release text   NOT NULL,
                    seq     bigint NOT NULL CHECK (seq > 0),
                    n       int    NOT NULL CHECK (n >= 0),
                    body    json   NOT NULL,
                    PRIMARY KEY (release, seq, n)
                )
                """,
                f"""
                CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION releasekit_append_only()
                """,
                f"""
                CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION releasekit_append_only()
                """,
            )
        ),
    ),
)

_SELECT_EVENTS = (
    "SELECT seq, at, actor, action, source, target, reason, data::text, previous, digest, "
    "state_digest FROM releasekit_events WHERE stream = %s AND seq > %s ORDER BY seq"
)


def migrate(conn: psycopg.Connection[Any], *, location: str) -> None:
    """Bring the database's releasekit tables to the current schema, in one transaction.

    Raises:
        SchemaVersionError: The database was written by a newer releasekit.
        psycopg.Error: The database could not be read or written.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS releasekit_meta (key text PRIMARY KEY, value text NOT NULL)"
        )
        row = conn.execute(
            "SELECT value FROM releasekit_meta WHERE key = 'schema_version'"
        ).fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise SchemaVersionError(location=location, found=version, supported=len(MIGRATIONS))
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            after = _AFTER.get(number)
            if after is not None:
                after(conn)
        conn.execute(
            "INSERT INTO releasekit_meta (key, value) VALUES ('schema_version', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(len(MIGRATIONS)),),
        )


def _rows_of_releases(conn: psycopg.Connection[Any]) -> None:
    """Move every release out of the streams into its rows (the Python half of migration 4).

    Each release's state is checked against its history first: one that does
    not match refuses the whole migration, and the database stays as it was.
    """
    states = conn.execute(
        "SELECT stream, revision, head, snapshot::text FROM releasekit_streams "
        "WHERE strpos(stream, ':') = 0"
    ).fetchall()
    for migrated in migrated_releases(states, lambda stream: read_events(conn, stream)):
        row = migrated.row
        conn.execute(
            _INSERT_RELEASE,
            {**attrs.asdict(row, recurse=False), "legacy": migrated.legacy},
        )
        for statement, facts in (
            (_INSERT_EVIDENCE, migrated.evidence),
            (_INSERT_MOVE, migrated.moves),
        ):
            conn.cursor().executemany(
                statement, [(row.id, f.seq, n, f.body) for n, f in numbered(facts)]
            )
    conn.execute("DELETE FROM releasekit_streams WHERE strpos(stream, ':') = 0")


def read_events(conn: psycopg.Connection[Any], stream: str, after: int = 0) -> list[Event]:
    """Read the events of *stream* after position *after*, oldest first."""
    return [read_event(stream, row) for row in conn.execute(_SELECT_EVENTS, (stream, after))]


#: A migrated release's row, as :func:`_rows_of_releases` writes it.
_INSERT_RELEASE = """
    INSERT INTO releasekit_releases
        (id, version, kind, state, revision, head, created_at, created_by, updated_at,
         finished_at, artifact, attempt, attention, evidence_digest, moves_digest, legacy)
    VALUES (%(id)s, %(version)s, %(kind)s, %(state)s, %(revision)s, %(head)s,
            %(created_at)s::timestamptz, %(created_by)s, %(updated_at)s::timestamptz,
            %(finished_at)s::timestamptz, %(artifact)s::json, %(attempt)s::json,
            %(attention)s::json, %(evidence_digest)s, %(moves_digest)s, %(legacy)s::json)
"""
_INSERT_EVIDENCE = "INSERT INTO releasekit_evidence (release, seq, n, body) VALUES (%s, %s, %s, %s)"
_INSERT_MOVE = "INSERT INTO releasekit_moves (release, seq, n, body) VALUES (%s, %s, %s, %s)"

#: Python steps of migrations, run after the statements of the migration they follow.
_AFTER: dict[int, Callable[[psycopg.Connection[Any]], None]] = {4: _rows_of_releases}
