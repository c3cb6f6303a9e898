"""The SQLite store: durable settings, schema versions, and tampering caught."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import TYPE_CHECKING

import pendulum
import pytest

import releasekit as rk
from builders import THURSDAY
from legacy import write_schema_2_store
from releasekit._records.events import STATE_CHANGED
from releasekit._records.sqlite_schema import APPLICATION_ID, MIGRATIONS
from releasekit.exceptions import (
    HistoryTamperedError,
    SchemaVersionError,
    StoreError,
    UnreadableDataError,
)
from releasekit.stores import Action, Draft, Ledger, Record, SqliteStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LATER = THURSDAY.add(minutes=10)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "releases.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path) as opened:
        yield opened


@pytest.fixture
def ledger(store: SqliteStore) -> Ledger:
    return Ledger(store)


@pytest.fixture
def record(ledger: Ledger) -> Record:
    """A release with four events: started, promoted, step started and finished."""
    release = rk.Engine(rk.reference_policy()).start(
        release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY
    )
    record = ledger.start(release)
    record = ledger.promote(
        record, rk.Move(source="sandbox-anton", target="tests", at=LATER, by="anton")
    )
    record = ledger.begin_attempt(record, capability="run-tests", by="ci", at=LATER)
    assert record.attempt is not None
    return ledger.finish_attempt(record, record.attempt.id, by="ci", at=LATER)


@contextlib.contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection, as someone editing the file behind releasekit's back."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def tamper(path: Path, *statements: str) -> None:
    """Run *statements* with the append-only triggers dropped, as a forger would."""
    with raw(path) as conn:
        conn.execute("DROP TRIGGER events_are_append_only_on_update")
        conn.execute("DROP TRIGGER events_are_append_only_on_delete")
        for statement in statements:
            conn.execute(statement)


# ---------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------


def test_the_file_is_durable_and_shared(store: SqliteStore) -> None:
    """WAL with synchronous=FULL: a returned commit survives a crash; readers never wait."""
    conn = store._conn

    assert ("wal", 2) == (
        conn.execute("PRAGMA journal_mode").fetchone()[0],
        conn.execute("PRAGMA synchronous").fetchone()[0],
    )


@pytest.mark.usefixtures("store")
def test_the_file_carries_its_schema_version(path: Path) -> None:
    """A new file is migrated to the newest schema and marked as releasekit's."""
    with raw(path) as conn:
        assert (len(MIGRATIONS), APPLICATION_ID) == (
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA application_id").fetchone()[0],
        )


def test_a_reopened_file_keeps_everything(path: Path, ledger: Ledger, record: Record) -> None:
    """Closing and reopening the file loses nothing, and migrates nothing again."""
    ledger.store.close()

    with SqliteStore(path) as reopened:
        assert record == Ledger(reopened).load("r1")
        assert 4 == len(reopened.events("r1"))


def test_an_empty_file_is_migrated(path: Path) -> None:
    """An existing, empty SQLite file is given the schema."""
    with raw(path) as conn:
        conn.execute("PRAGMA user_version = 0")

    with SqliteStore(path) as store:
        assert [] == store.streams()


def test_a_file_of_the_first_schema_is_migrated_and_keeps_its_releases(path: Path) -> None:
    """A file written at schema 1 gains what later schemas add, and its releases go on."""
    with raw(path) as conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    with SqliteStore(path) as old:  # migrated here, then written to
        first = Ledger(old).start(
            rk.Engine(rk.reference_policy()).start(
                release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY
            )
        )

    with SqliteStore(path) as store:
        ledger = Ledger(store)
        moved = ledger.promote(
            ledger.load("r1"),
            rk.Move(source="sandbox-anton", target="tests", at=LATER, by="anton"),
        )

        assert (2, first.head) == (moved.revision, store.events("r1")[-1].previous)
        assert ledger.verify("r1").ok
    with raw(path) as conn:
        assert len(MIGRATIONS) == conn.execute("PRAGMA user_version").fetchone()[0]


def test_a_lease_taken_before_tokens_stays_held_until_it_lapses(path: Path) -> None:
    """A file of schema 2 keeps its leases in force, each under a new token nobody knows."""
    with raw(path) as conn:
        for statements in MIGRATIONS[:2]:
            for statement in statements:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(
            "INSERT INTO leases (name, owner, since, expires) VALUES "
            "('test-run:tests', 'ci (r1)', '2026-11-26T10:00:00+00:00', "
            "'2026-11-26T12:00:00+00:00')"
        )

    with SqliteStore(path) as store:
        held = store.current("test-run:tests", now=THURSDAY)
        assert held is not None
        assert ("ci (r1)", THURSDAY, 32) == (held.holder, held.since, len(held.token))
        with pytest.raises(rk.exceptions.LeaseHeldError):
            store.acquire("test-run:tests", holder="ci (r1)", now=THURSDAY, ttl=LATER - THURSDAY)
        assert "ci (r1)" == store.release("test-run:tests", token=held.token).holder
    with raw(path) as conn:
        assert len(MIGRATIONS) == conn.execute("PRAGMA user_version").fetchone()[0]


def test_a_write_that_breaks_the_file_changes_nothing(path: Path, ledger: Ledger) -> None:
    """An event row already in the way (a damaged file) fails the step as a StoreError, whole."""
    record = ledger.start(
        rk.Engine(rk.reference_policy()).start(
            release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY
        )
    )
    with raw(path) as conn:  # a stray row where the next event goes
        conn.execute(
            "INSERT INTO events SELECT stream, 2, at, actor, action, source, target, reason, "
            "data, previous, digest, state_digest FROM events WHERE stream = 'r1'"
        )

    with pytest.raises(StoreError, match="could not write to the SQLite store") as raised:
        ledger.promote(
            record, rk.Move(source="sandbox-anton", target="tests", at=LATER, by="anton")
        )

    assert "UNIQUE" in str(raised.value)
    assert record == ledger.load("r1")  # the state was not advanced either


def test_a_newer_schema_is_refused(path: Path, store: SqliteStore) -> None:
    """A file written by a newer releasekit is not opened: upgrade first."""
    store.close()
    with raw(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")

    with pytest.raises(SchemaVersionError) as raised:
        SqliteStore(path)

    assert (str(path), len(MIGRATIONS) + 1, len(MIGRATIONS)) == (
        raised.value.location,
        raised.value.found,
        raised.value.supported,
    )
    assert "upgrade releasekit" in str(raised.value)


def test_another_applications_database_is_refused(path: Path) -> None:
    """A SQLite file with tables of its own is not taken over."""
    with raw(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")

    with pytest.raises(rk.exceptions.StoreError, match="another application"):
        SqliteStore(path)


def test_a_file_marked_by_another_application_is_refused(path: Path) -> None:
    """A file whose application id is not releasekit's is not opened."""
    with raw(path) as conn:
        conn.execute("PRAGMA application_id = 42")

    with pytest.raises(rk.exceptions.StoreError, match="another application"):
        SqliteStore(path)


def test_a_file_that_is_not_a_database_is_refused(path: Path) -> None:
    """Opening a text file says what went wrong, as a StoreError."""
    path.write_text("releases: none\n" * 100)

    with pytest.raises(rk.exceptions.StoreError, match="could not open the SQLite store"):
        SqliteStore(path)


def test_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    """A path in a directory that does not exist cannot be opened."""
    with pytest.raises(rk.exceptions.StoreError, match="could not open"):
        SqliteStore(tmp_path / "nowhere" / "releases.db")


def test_a_busy_file_gives_up_after_the_timeout(path: Path) -> None:
    """A write waits for another process's transaction, then fails and changes nothing."""
    with SqliteStore(path, timeout=0.1) as store, raw(path) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(
                rk.exceptions.StoreError, match=r"kept it busy for more than 0\.1 s"
            ):
                store.append(
                    "ops:r1",
                    expected=0,
                    draft=Draft(actor="a", action=Action.STARTED, at=LATER),
                    snapshot={},
                )
        finally:
            other.execute("ROLLBACK")

        assert [] == store.streams()


def test_processes_opening_a_new_file_together_take_turns(path: Path) -> None:
    """Opening a new file while another connection holds its write lock waits for it."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # a new file, still in rollback-journal mode
        threading.Timer(0.05, other.execute, ("ROLLBACK",)).start()

        with SqliteStore(path, timeout=5) as store:
            assert ([], "wal") == (
                store.streams(),
                store._conn.execute("PRAGMA journal_mode").fetchone()[0],
            )
    finally:
        other.close()


def test_a_new_file_locked_for_too_long_is_a_store_error(path: Path) -> None:
    """Someone holding a new file's write lock past the timeout: a StoreError, not a hang."""
    with raw(path) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match=r"busy for more than 0\.05 s"):
                SqliteStore(path, timeout=0.05)
        finally:
            other.execute("ROLLBACK")


def test_a_step_on_a_busy_file_gives_up_and_changes_nothing(path: Path) -> None:
    """A promotion waits for the write lock like any write, then fails whole."""
    with SqliteStore(path, timeout=0.1) as store, raw(path) as other:
        ledger = Ledger(store)
        record = ledger.start(
            rk.Engine(rk.reference_policy()).start(
                release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY
            )
        )
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(
                rk.exceptions.StoreError, match=r"kept it busy for more than 0\.1 s"
            ):
                ledger.promote(
                    record, rk.Move(source="sandbox-anton", target="tests", at=LATER, by="anton")
                )
        finally:
            other.execute("ROLLBACK")

        assert record == ledger.load("r1")


def test_a_closed_store_takes_no_step(ledger: Ledger, record: Record) -> None:
    """A promotion through a closed store is refused: open the file again."""
    ledger.store.close()

    with pytest.raises(StoreError, match="was closed"):
        ledger.promote(record, rk.Move(source="tests", target="sandbox", at=LATER, by="anton"))


# ---------------------------------------------------------------------------
# Nothing forged
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("record")
def test_history_rows_cannot_be_changed_through_sql(path: Path) -> None:
    """The file refuses an UPDATE or DELETE of an event outright."""
    with raw(path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events WHERE seq = 2")


@pytest.mark.usefixtures("record")
def test_verify_catches_an_edited_event(path: Path, ledger: Ledger) -> None:
    """An event edited in the file is reported as the first that does not match."""
    tamper(path, "UPDATE events SET actor = 'mallory' WHERE stream = 'r1' AND seq = 2")

    result = ledger.verify("r1")

    assert (2, False) == (result.seq, result.ok)
    with pytest.raises(rk.exceptions.HistoryTamperedError) as raised:
        result.raise_if_tampered()
    assert ("r1", 2) == (raised.value.stream, raised.value.seq)


@pytest.mark.usefixtures("record")
def test_verify_catches_edited_data(path: Path, ledger: Ledger) -> None:
    """Changing what an event says (its JSON data) is caught too."""
    tamper(path, "UPDATE events SET data = json_set(data, '$.move.by', 'mallory') WHERE seq = 2")

    assert 2 == ledger.verify("r1").seq


@pytest.mark.usefixtures("record")
def test_verify_catches_a_deleted_event(path: Path, ledger: Ledger) -> None:
    """A deleted event leaves a gap that is reported."""
    tamper(path, "DELETE FROM events WHERE stream = 'r1' AND seq = 3")

    result = ledger.verify("r1")

    assert (3, "the event is missing (the next stored event is 4)") == (result.seq, result.detail)


@pytest.mark.usefixtures("record")
def test_verify_catches_a_deleted_last_event(path: Path, ledger: Ledger) -> None:
    """Deleting the newest event is caught by the state pointing past the history."""
    tamper(path, "DELETE FROM events WHERE stream = 'r1' AND seq = 4")

    assert 4 == ledger.verify("r1").seq


@pytest.mark.usefixtures("record")
def test_verify_catches_reordered_events(path: Path, ledger: Ledger) -> None:
    """Swapping two events' positions breaks the chain where they were swapped."""
    tamper(
        path,
        "UPDATE events SET seq = 1000 WHERE stream = 'r1' AND seq = 2",
        "UPDATE events SET seq = 2 WHERE stream = 'r1' AND seq = 3",
        "UPDATE events SET seq = 3 WHERE stream = 'r1' AND seq = 1000",
    )

    assert 2 == ledger.verify("r1").seq


@pytest.mark.usefixtures("record")
def test_verify_catches_an_edited_current_state(path: Path, ledger: Ledger) -> None:
    """A state edited behind the ledger's back is not the one its last event recorded."""
    tamper(path, "UPDATE releases SET state = 'production' WHERE id = 'r1'")

    by_store, by_ledger = ledger.store.verify("r1"), ledger.verify("r1")

    assert [(4, STATE_CHANGED)] * 2 == [
        (by_store.seq, by_store.detail),
        (by_ledger.seq, by_ledger.detail),
    ]


@pytest.mark.usefixtures("record")
def test_an_edited_current_state_is_refused_before_it_is_read(path: Path, ledger: Ledger) -> None:
    """Loading a state edited by hand raises HistoryTamperedError, naming the release."""
    tamper(path, "UPDATE releases SET created_at = 'soon' WHERE id = 'r1'")

    with pytest.raises(HistoryTamperedError) as raised:
        ledger.load("r1")

    assert ("r1", 4) == (raised.value.stream, raised.value.seq)
    assert str(raised.value).startswith("the stored state of r1 does not match its history")


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("kind", "weekly", "'weekly' is no kind of release @ $.kind"),
        ("updated_at", "soon", "'soon' is not an ISO 8601 date and time @ $.updated_at"),
    ],
)
@pytest.mark.usefixtures("record")
def test_a_listed_row_that_cannot_be_read_names_its_release(
    path: Path, ledger: Ledger, column: str, value: str, problem: str
) -> None:
    """A listing meets a column edited into nonsense: an UnreadableDataError naming its release."""
    tamper(path, f"UPDATE releases SET {column} = '{value}' WHERE id = 'r1'")  # noqa: S608  # ours

    with pytest.raises(UnreadableDataError) as raised:
        ledger.releases()

    assert ("r1", (problem,)) == (raised.value.release_id, raised.value.problems)


def test_a_state_of_old_events_that_cannot_be_read_names_its_path(tmp_path: Path) -> None:
    """A damaged state whose events record no state digest is refused with the path."""
    path = write_schema_2_store(tmp_path / "old.db")
    with SqliteStore(path) as store:  # migrated to the current schema
        pass
    tamper(path, "UPDATE releases SET created_at = 'soon' WHERE id = '2.4.0'")

    with SqliteStore(path) as store, pytest.raises(UnreadableDataError) as raised:
        Ledger(store).load("2.4.0")

    assert ("'soon' is not an ISO 8601 date and time @ $.created_at",) == raised.value.problems


def test_an_edited_state_of_old_events_is_caught_by_replaying_them(tmp_path: Path) -> None:
    """Events without state digests: verify replays them and finds the edited state."""
    path = write_schema_2_store(tmp_path / "old.db")
    with SqliteStore(path):  # migrated to the current schema
        pass
    tamper(path, "UPDATE releases SET state = 'production' WHERE id = '2.4.0'")

    with SqliteStore(path) as store:
        by_store, by_ledger = store.verify("2.4.0"), Ledger(store).verify("2.4.0")

    assert (True, 7) == (by_store.ok, by_ledger.seq)
    assert by_ledger.detail.startswith("the current state does not match what the history says")


@pytest.mark.usefixtures("record")
def test_an_event_that_cannot_be_read_is_named(path: Path, ledger: Ledger) -> None:
    """An unknown action in a stored event is refused with the event's position."""
    tamper(path, "UPDATE events SET action = 'teleported' WHERE seq = 2")

    with pytest.raises(UnreadableDataError, match="event 2 of r1 cannot be read"):
        ledger.history("r1")


@pytest.mark.usefixtures("ledger", "record")
def test_time_is_stored_as_utc_text(path: Path) -> None:
    """Instants are kept as ISO 8601 text in UTC, readable by any tool."""
    with raw(path) as conn:
        at = conn.execute("SELECT at FROM events WHERE seq = 2").fetchone()[0]

    assert (LATER.isoformat(), LATER) == (at, pendulum.parse(at))
