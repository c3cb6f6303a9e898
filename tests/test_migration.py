"""Stores written before release rows migrate on open: nothing lost, every history verifies.

The fixtures in ``tests/data`` were written by the releasekit before release
rows (see ``write_store_fixtures.py``): a SQLite file at schema 4 and a dump of
a PostgreSQL schema at version 3, with what that releasekit read from them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pendulum
import psycopg
import pytest

import releasekit as rk
from releasekit._records.converter import unstructure
from releasekit.stores import PostgresStore, SqliteStore

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pgserver

DATA = Path(__file__).parent / "data"
#: When the fixtures were read back.
THURSDAY = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")


@attrs.define
class Old:
    """A copy of a store an earlier releasekit wrote, not opened yet.

    Attributes:
        kind: ``"sqlite"`` or ``"postgres"``.
        where: The file, or the DSN of the schema.
    """

    kind: str
    where: str
    _opened: list[rk.stores.Store] = attrs.field(factory=list)

    @property
    def expected(self) -> dict[str, Any]:
        """What the releasekit that wrote it read from it."""
        name = "store-schema-4.json" if self.kind == "sqlite" else "store-postgres-schema-3.json"
        read: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
        return read

    def open(self) -> rk.stores.Store:
        """Open it (and so migrate it)."""
        store = SqliteStore(self.where) if self.kind == "sqlite" else PostgresStore(self.where)
        self._opened.append(store)
        return store

    def sql(self, sqlite: str, postgres: str) -> list[tuple[Any, ...]]:
        """Run a statement on it behind releasekit's back; return the rows it gave."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.where, isolation_level=None)
            try:
                return conn.execute(sqlite).fetchall()
            finally:
                conn.close()
        with psycopg.connect(self.where, autocommit=True) as database:
            cursor = database.execute(postgres.encode())
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        """Close every store opened on it."""
        for store in self._opened:
            store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Old]:
    """A copy of the fixture of the parameter's kind."""
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        shutil.copy(DATA / "store-schema-4.db", path)
        copy = Old(kind="sqlite", where=str(path))
    else:
        server: pgserver.PgServer = request.getfixturevalue("postgres")
        copy = Old(kind="postgres", where=server.schema_dsn())
        copy.sql("", (DATA / "store-postgres-schema-3.sql").read_text(encoding="utf-8"))
    yield copy
    copy.close()


def schema_version(old: Old) -> int:
    """The version of the schema the store is at."""
    (version,) = old.sql(
        "PRAGMA user_version",
        "SELECT value::int FROM releasekit_meta WHERE key = 'schema_version'",
    )[0]
    return int(version)


def desk_on(store: rk.stores.Store) -> rk.Desk:
    return rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(THURSDAY))


def test_every_release_and_operation_loads_as_before(old: Old) -> None:
    """Each release and data operation loads equal to what the earlier releasekit loaded."""
    desk = desk_on(old.open())

    for name, expected in old.expected["releases"].items():
        record = unstructure(desk.get(name))
        assert expected == {key: record[key] for key in expected}, name
    for name, expected in old.expected["data_operations"].items():
        assert expected == unstructure(desk.data.get(name.removeprefix("data:"))), name
    assert {"sqlite": 5, "postgres": 4}[old.kind] == schema_version(old)


def test_every_history_is_kept_and_verifies(old: Old) -> None:
    """The histories are the very events they were, and every one of them verifies."""
    store = old.open()
    desk = desk_on(store)
    names = sorted(old.expected["histories"])

    assert names == store.histories()
    assert old.expected["histories"] == {name: unstructure(store.events(name)) for name in names}
    assert [(name, True) for name in names] == [
        (verification.stream, verification.ok) for verification in desk.verify_all()
    ]


def test_the_lease_held_then_is_still_held(old: Old) -> None:
    """A lease taken before the migration is held as it was, under its token."""
    store = old.open()

    assert old.expected["leases"]["test-run:tests"] == unstructure(
        store.current("test-run:tests", now=THURSDAY)
    )


def test_releases_that_ended_are_finished_and_listed_only_with_all(old: Old) -> None:
    """Abandoned and rolled-back releases are finished; the one in production is not active."""
    desk = desk_on(old.open())

    assert (["2.5.0", "2.7.0"], ["2.3.0", "2.4.0", "2.5.0", "2.6.0", "2.7.0"]) == (
        [summary.id for summary in desk.releases()],
        [summary.id for summary in desk.releases(active=False)],
    )
    assert {
        "2.4.0": pendulum.datetime(2026, 11, 28, 11, 10, tz="UTC"),
        "2.6.0": pendulum.datetime(2026, 12, 4, 18, 5, tz="UTC"),
    } == {
        summary.id: summary.finished_at
        for summary in desk.releases(active=False)
        if summary.finished_at is not None
    }


def test_a_row_edited_before_its_next_event_is_refused(old: Old) -> None:
    """A migrated release is checked against the state its last event recorded, as before."""
    old.open().close()
    old.sql(
        "UPDATE releases SET state = 'production' WHERE id = '2.5.0'",
        "UPDATE releasekit_releases SET state = 'production' WHERE id = '2.5.0'",
    )
    desk = desk_on(old.open())

    with pytest.raises(rk.exceptions.HistoryTamperedError) as raised:
        desk.get("2.5.0")

    assert ("2.5.0", "its row is not the state its last event recorded") == (
        raised.value.stream,
        raised.value.detail,
    )
    assert not desk.verify("2.5.0").ok


def test_the_next_event_of_a_migrated_release_records_its_row(old: Old) -> None:
    """A migrated release goes on: its next event records the row, and it verifies."""
    store = old.open()
    desk = desk_on(store)
    assert desk.get("2.7.0").attempt is not None

    desk.abandon_attempt("2.7.0", by="anton", reason="the runner died", force=True)

    stored = store.read_release("2.7.0")
    assert stored is not None
    assert (None, None, None) == (stored.legacy, stored.problem(), desk.get("2.7.0").attempt)
    assert desk.verify("2.7.0").ok


def test_a_state_that_does_not_match_its_history_refuses_the_migration(old: Old) -> None:
    """One release edited by hand: the store is not migrated, and stays exactly as it was."""
    old.sql(
        "UPDATE streams SET snapshot = json_set(snapshot, '$.release.state', 'production') "
        "WHERE stream = '2.5.0'",
        "UPDATE releasekit_streams SET snapshot = jsonb_set(snapshot::jsonb, "
        "'{release,state}', '\"production\"')::json WHERE stream = '2.5.0'",
    )
    before = old.sql(
        "SELECT stream, revision, snapshot FROM streams ORDER BY stream",
        "SELECT stream, revision, snapshot::text FROM releasekit_streams ORDER BY stream",
    )

    with pytest.raises(
        rk.exceptions.StoreError, match=r"the stored state of 2\.5\.0 does not match its"
    ):
        old.open()

    assert {"sqlite": 4, "postgres": 3}[old.kind] == schema_version(old)
    assert before == old.sql(
        "SELECT stream, revision, snapshot FROM streams ORDER BY stream",
        "SELECT stream, revision, snapshot::text FROM releasekit_streams ORDER BY stream",
    )
