"""The PostgreSQL store's schema: its tables, forward migrations, statements, and reading a release.

The tables are the SQLite store's, prefixed ``releasekit_`` (in the
connection's ``search_path``); the schema version is kept in
``releasekit_meta``. Opening a store migrates it forward (:func:`migrate`) in
one transaction, under an advisory lock, so two tools opening one database
at once migrate it once; a database written by a newer releasekit is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.converter import iso
from releasekit._records.rows import ROW_COLUMNS, Fact, StoredRelease, numbered, row_from
from releasekit._records.store import read_event, stored_snapshot
from releasekit._records.verifying import migrated_release
from releasekit.exceptions import SchemaVersionError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import psycopg

    from releasekit._records.events import Event
    from releasekit._records.values import ReleaseRow

__all__ = ["MIGRATIONS", "migrate", "read_events", "read_release", "release_row"]

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
    for stream, revision, head, text in states:
        events = read_events(conn, stream)
        migrated = migrated_release(stream, revision=revision, head=head, text=text, events=events)
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


# ---------------------------------------------------------------------------
# The statements the store runs on the tables
# ---------------------------------------------------------------------------

SELECT_HEAD = "SELECT revision, head FROM releasekit_streams WHERE stream = %s"
#: The event a step inserts once its history's state changed (``changed``).
_EVENT = """
    INSERT INTO releasekit_events
        (stream, seq, at, actor, action, source, target, reason, data, previous, digest,
         state_digest)
    SELECT %(stream)s, %(seq)s, %(at)s, %(actor)s, %(action)s, %(source)s::text,
           %(target)s::text, %(reason)s, %(data)s::json, %(previous)s, %(digest)s,
           %(state_digest)s::text
    FROM changed
"""
_STREAM_CREATED = """
    WITH changed AS (
        INSERT INTO releasekit_streams (stream, revision, head, snapshot)
        VALUES (%(stream)s, %(seq)s, %(digest)s, %(snapshot)s::json)
        ON CONFLICT (stream) DO NOTHING
        RETURNING 1
    )
"""
_STREAM_ADVANCED = """
    WITH changed AS (
        UPDATE releasekit_streams
        SET revision = %(seq)s, head = %(digest)s, snapshot = %(snapshot)s::json
        WHERE stream = %(stream)s AND revision = %(expected)s AND head = %(previous)s
        RETURNING 1
    )
"""
CREATE = _STREAM_CREATED + _EVENT
ADVANCE = _STREAM_ADVANCED + _EVENT
#: What a release's step writes once its row changed (``changed``): the event and its rows.
_EVENT_OPENED = "event AS ("
_FACT_ROWS = """),
    evidence AS (
        INSERT INTO releasekit_evidence (release, seq, n, body)
        SELECT %(id)s, %(seq)s, item.n - 1, item.body::json
        FROM changed, unnest(%(evidence)s::text[]) WITH ORDINALITY AS item (body, n)
    ),
    moves AS (
        INSERT INTO releasekit_moves (release, seq, n, body)
        SELECT %(id)s, %(seq)s, item.n - 1, item.body::json
        FROM changed, unnest(%(moves)s::text[]) WITH ORDINALITY AS item (body, n)
    )
    SELECT count(*) FROM changed
"""
_RELEASE_ROWS = _EVENT_OPENED + _EVENT + _FACT_ROWS
_CREATED = """
    WITH changed AS (
        INSERT INTO releasekit_releases
            (id, version, kind, state, revision, head, created_at, created_by, updated_at,
             finished_at, artifact, attempt, attention, evidence_digest, moves_digest, legacy)
        VALUES (%(id)s, %(version)s, %(kind)s, %(state)s, %(seq)s, %(digest)s,
                %(created_at)s::timestamptz, %(created_by)s, %(updated_at)s::timestamptz,
                %(finished_at)s::timestamptz, %(artifact)s::json, %(attempt)s::json,
                %(attention)s::json, %(evidence_digest)s, %(moves_digest)s, %(legacy)s::json)
        ON CONFLICT (id) DO NOTHING
        RETURNING 1
    ),
"""
CREATE_RELEASE = _CREATED + _RELEASE_ROWS
ADVANCE_RELEASE = (
    """
    WITH changed AS (
        UPDATE releasekit_releases SET
            revision = %(seq)s, head = %(digest)s, version = %(version)s, kind = %(kind)s,
            state = %(state)s, created_at = %(created_at)s::timestamptz,
            created_by = %(created_by)s, updated_at = %(updated_at)s::timestamptz,
            finished_at = %(finished_at)s::timestamptz, artifact = %(artifact)s::json,
            attempt = %(attempt)s::json, attention = %(attention)s::json,
            evidence_digest = %(evidence_digest)s, moves_digest = %(moves_digest)s,
            legacy = NULL
        WHERE id = %(id)s AND revision = %(expected)s AND head = %(previous)s
          AND evidence_digest = %(evidence_before)s AND moves_digest = %(moves_before)s
        RETURNING 1
    ),
    """
    + _RELEASE_ROWS
)
#: The columns of a release row, in the order of ReleaseRow's fields (JSON read as its text).
COLUMNS = ", ".join(
    f"r.{name}::text" if name in {"artifact", "attempt", "attention"} else f"r.{name}"
    for name in ROW_COLUMNS
)
#: The columns of a release row holding instants (timestamptz, read back as datetimes).
INSTANTS = {ROW_COLUMNS.index(name) for name in ("created_at", "updated_at", "finished_at")}
#: What a release's read selects: its row, the digests of the event at its revision, its
#: evidence and its moves.
_RELEASE_READ = (
    f"SELECT {COLUMNS}, r.legacy::text, e.digest, e.state_digest, "  # noqa: S608  # constant names
    "ARRAY(SELECT seq FROM releasekit_evidence WHERE release = r.id ORDER BY seq, n), "
    "ARRAY(SELECT body::text FROM releasekit_evidence WHERE release = r.id ORDER BY seq, n), "
    "ARRAY(SELECT seq FROM releasekit_moves WHERE release = r.id ORDER BY seq, n), "
    "ARRAY(SELECT body::text FROM releasekit_moves WHERE release = r.id ORDER BY seq, n)"
)
_RELEASE_FROM = (
    "FROM releasekit_releases AS r LEFT JOIN releasekit_events AS e "
    "ON e.stream = r.id AND e.seq = r.revision"
)
SELECT_RELEASE = f"{_RELEASE_READ} {_RELEASE_FROM} WHERE r.id = %s"
LIST_ACTIVE = (
    f"SELECT {COLUMNS} FROM releasekit_releases AS r "  # noqa: S608  # constant names
    'WHERE r.finished_at IS NULL AND r.id COLLATE "C" > %s ORDER BY r.id COLLATE "C" LIMIT %s'
)
LIST_ALL = (
    f"SELECT {COLUMNS} FROM releasekit_releases AS r "  # noqa: S608  # constant names
    'WHERE r.id COLLATE "C" > %s ORDER BY r.id COLLATE "C" LIMIT %s'
)
#: A stream's state, with the digests of the event at its revision, and the seq of its last
#: event (a state deleted while its history remains is found by the same statement).
SELECT_STATE = (
    "SELECT s.revision, s.head, s.snapshot::text, e.digest, e.state_digest, "
    "(SELECT max(seq) FROM releasekit_events WHERE stream = q.name) "
    "FROM (SELECT %s::text AS name) AS q "
    "LEFT JOIN releasekit_streams AS s ON s.stream = q.name "
    "LEFT JOIN releasekit_events AS e ON e.stream = s.stream AND e.seq = s.revision"
)
#: A release's read with the state of another history (its name first, then the release's id).
SELECT_RELEASE_AND_STATE = (
    f"{_RELEASE_READ}, state.* {_RELEASE_FROM} CROSS JOIN ({SELECT_STATE}) AS state WHERE r.id = %s"
)
SELECT_HEAD_AND_STATE = (
    "SELECT revision, head, snapshot::text FROM releasekit_streams WHERE stream = %s"
)
ACQUIRE = """
    INSERT INTO releasekit_leases AS held (name, token, holder, since, expires)
    VALUES (%(name)s, %(token)s, %(holder)s, %(now)s, %(expires)s)
    ON CONFLICT (name) DO UPDATE SET
        token = excluded.token,
        holder = excluded.holder,
        since = excluded.since,
        expires = excluded.expires
    WHERE held.expires <= excluded.since
    RETURNING token, holder, since, expires
"""
RENEW = """
    UPDATE releasekit_leases SET expires = %(expires)s
    WHERE name = %(name)s AND token = %(old)s AND expires > %(now)s
    RETURNING token, holder, since, expires
"""
RELEASE = """
    DELETE FROM releasekit_leases WHERE name = %(name)s AND token = %(old)s
    RETURNING token, holder, since, expires
"""
TAKE_OVER = """
    UPDATE releasekit_leases
    SET token = %(token)s, holder = %(holder)s, since = %(now)s, expires = %(expires)s
    WHERE name = %(name)s AND token = %(old)s
    RETURNING token, holder, since, expires
"""
SELECT_LEASE = "SELECT token, holder, since, expires FROM releasekit_leases WHERE name = %s"


def release_row(values: Sequence[Any]) -> ReleaseRow:
    """Build a release row from its columns (``COLUMNS``), instants written by :func:`iso`."""
    return row_from(
        [
            iso(value) if place in INSTANTS and value is not None else value
            for place, value in enumerate(values)
        ]
    )


def read_release(
    conn: psycopg.Connection[Any], release_id: str, with_state: str | None = None
) -> StoredRelease | None:
    """Read a release's rows, with what its last event recorded, in one statement.

    With *with_state*, the state of that history too (see ``Store.read_release``).
    """
    if with_state is None:
        found = conn.execute(SELECT_RELEASE, (release_id,)).fetchone()
    else:
        found = conn.execute(SELECT_RELEASE_AND_STATE, (with_state, release_id)).fetchone()
    if found is None:
        return None
    row = release_row(found[:15])
    last_digest, last_state_digest = found[16], found[17]
    return StoredRelease(
        row=row,
        evidence=tuple(map(Fact, found[18], found[19])),
        moves=tuple(map(Fact, found[20], found[21])),
        recorded_digest=last_state_digest if last_digest == row.head else "",
        legacy=found[15],
        state=None if with_state is None else stored_snapshot(with_state, found[22:]),
    )
