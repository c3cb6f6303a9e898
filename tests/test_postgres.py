"""The PostgreSQL store: schema versions, locks, reconnection, and tampering caught."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

import releasekit as rk
from builders import THURSDAY
from releasekit._records.events import STATE_CHANGED
from releasekit._records.postgres_schema import MIGRATIONS
from releasekit.exceptions import HistoryTamperedError, SchemaVersionError
from releasekit.stores import Action, Ledger, PostgresStore, Record

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pgserver

LATER = THURSDAY.add(minutes=10)


@pytest.fixture
def dsn(postgres: pgserver.PgServer | pgserver.External) -> str:
    """A fresh schema on the session's server."""
    return postgres.schema_dsn()


@pytest.fixture
def store(dsn: str) -> Iterator[PostgresStore]:
    with PostgresStore(dsn) as opened:
        yield opened


@pytest.fixture
def ledger(store: PostgresStore) -> Ledger:
    return Ledger(store)


@pytest.fixture
def record(ledger: Ledger) -> Record:
    """A release with three events: started, promoted, evidence added."""
    release = rk.Engine(rk.reference_policy()).start(
        release_id="r1", version="2.4.0", kind="normal", by="anton", now=THURSDAY
    )
    record = ledger.start(release)
    record = ledger.promote(
        record, rk.Move(source="sandbox-anton", target="tests", at=LATER, by="anton")
    )
    return ledger.add_evidence(
        record,
        rk.TestRun(environment="tests", version="2.4.0", passed=True, at=LATER, by="ci"),
        by="ci",
        at=LATER,
    )


@contextlib.contextmanager
def raw(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain connection, as someone editing the database behind releasekit's back."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        yield conn


def tamper(dsn: str, *statements: str) -> None:
    """Run *statements* with the append-only triggers disabled, as a forger would."""
    with raw(dsn) as conn:
        conn.execute("ALTER TABLE releasekit_events DISABLE TRIGGER USER")
        for statement in statements:
            conn.execute(statement)


# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("store")
def test_the_database_carries_its_schema_version(dsn: str) -> None:
    """A new database is migrated to the newest schema, and says so."""
    with raw(dsn) as conn:
        row = conn.execute("SELECT value FROM releasekit_meta WHERE key = 'schema_version'")
        assert (str(len(MIGRATIONS)),) == row.fetchone()


@pytest.mark.usefixtures("ledger")
def test_a_reopened_database_keeps_everything(dsn: str, record: Record) -> None:
    """A second store on the same database sees every release; nothing is migrated again."""
    with PostgresStore(dsn) as again:
        assert record == Ledger(again).load("r1")
        assert 3 == len(again.events("r1"))


def test_a_database_of_the_first_schema_keeps_its_leases_in_force(dsn: str) -> None:
    """Schema 1 is migrated; its leases stay held until they lapse, each under a new token."""
    with raw(dsn) as conn:
        conn.execute("CREATE TABLE releasekit_meta (key text PRIMARY KEY, value text NOT NULL)")
        conn.execute("INSERT INTO releasekit_meta VALUES ('schema_version', '1')")
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO releasekit_leases (name, owner, since, expires) VALUES "
            "('test-run:tests', 'ci (r1)', %s, %s)",
            (THURSDAY, LATER),
        )

    with PostgresStore(dsn) as store:
        held = store.current("test-run:tests", now=THURSDAY)
        assert held is not None
        assert ("ci (r1)", THURSDAY, 32) == (held.holder, held.since, len(held.token))
        with pytest.raises(rk.exceptions.LeaseHeldError):
            store.acquire("test-run:tests", holder="ci (r1)", now=THURSDAY, ttl=LATER - THURSDAY)
        assert "ci (r1)" == store.release("test-run:tests", token=held.token).holder
    with raw(dsn) as conn:
        row = conn.execute("SELECT value FROM releasekit_meta WHERE key = 'schema_version'")
        assert (str(len(MIGRATIONS)),) == row.fetchone()


def test_a_newer_schema_is_refused(dsn: str, store: PostgresStore) -> None:
    """A database written by a newer releasekit is not used: upgrade first."""
    with raw(dsn) as conn:
        conn.execute("UPDATE releasekit_meta SET value = '99' WHERE key = 'schema_version'")

    with pytest.raises(SchemaVersionError) as raised:
        PostgresStore(dsn)

    assert (store.location, 99, len(MIGRATIONS)) == (
        raised.value.location,
        raised.value.found,
        raised.value.supported,
    )


def test_the_connection_string_is_never_shown(dsn: str) -> None:
    """A password in the DSN stays out of repr() and error messages."""
    secret = psycopg.conninfo.make_conninfo(dsn, password="hunter2")  # noqa: S106  # a test value

    with PostgresStore(secret) as store:
        assert "hunter2" not in repr(store)
        assert store.location.startswith("postgresql://127.0.0.1:")


def test_an_unreachable_server_is_a_store_error() -> None:
    """A server that cannot be reached is reported with where it was looked for."""
    with pytest.raises(rk.exceptions.StoreError) as raised:
        PostgresStore("host=127.0.0.1 port=1 user=x password=hunter2 dbname=db", timeout=2)

    assert "could not connect to the PostgreSQL store postgresql://127.0.0.1:1/db" in str(
        raised.value
    )
    assert "hunter2" not in str(raised.value)


def test_a_malformed_connection_string_is_a_store_error() -> None:
    """A DSN libpq cannot parse is refused before anything is tried."""
    with pytest.raises(rk.exceptions.StoreError, match="connection string is malformed"):
        PostgresStore("host=127.0.0.1 port")


def test_a_locked_release_gives_up_after_the_timeout(dsn: str, record: Record) -> None:
    """A write waits for another writer's lock, then fails and changes nothing."""
    with PostgresStore(dsn, timeout=0.2) as store, raw(dsn) as other, other.transaction():
        other.execute("SELECT * FROM releasekit_releases WHERE id = 'r1' FOR UPDATE")
        with pytest.raises(rk.exceptions.StoreError, match=r"held the lock for more than 0\.2 s"):
            Ledger(store).note(record, action=Action.LEASE_TAKEN, by="a", at=LATER)

    with PostgresStore(dsn) as store:
        assert 3 == len(store.events("r1"))


def test_a_lost_connection_is_reported_then_replaced(dsn: str, store: PostgresStore) -> None:
    """When the server drops the connection, the next call fails and the one after reconnects."""
    with raw(dsn) as admin:
        pid = store._conn.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with pytest.raises(rk.exceptions.StoreError, match="could not read the PostgreSQL store"):
        store.streams()

    assert [] == store.streams()


def test_import_does_not_need_psycopg() -> None:
    """releasekit imports without psycopg; only opening a PostgresStore asks for it."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["psycopg"] = None  # as if it were not installed
        import releasekit, releasekit.stores
        try:
            releasekit.stores.PostgresStore("host=localhost")
        except releasekit.exceptions.StoreError as error:
            print(error)
        """
    )

    result = subprocess.run(  # noqa: S603  # this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert (
        "PostgresStore needs psycopg 3, which is not installed; install it with: "
        "pip install 'releasekit[postgres]'"
    ) == result.stdout.strip()


# ---------------------------------------------------------------------------
# Nothing forged
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("record")
def test_history_rows_cannot_be_changed_through_sql(dsn: str) -> None:
    """The database refuses an UPDATE, DELETE or TRUNCATE of the history outright."""
    with raw(dsn) as conn:
        for statement in (
            "UPDATE releasekit_events SET actor = 'mallory'",
            "DELETE FROM releasekit_events",
            "TRUNCATE releasekit_events",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)


@pytest.mark.usefixtures("record")
def test_verify_catches_an_edited_event(dsn: str, ledger: Ledger) -> None:
    """An event edited in the database is reported as the first that does not match."""
    tamper(dsn, "UPDATE releasekit_events SET actor = 'mallory' WHERE stream = 'r1' AND seq = 2")

    result = ledger.verify("r1")

    assert (2, False) == (result.seq, result.ok)
    with pytest.raises(rk.exceptions.HistoryTamperedError, match="does not verify at event 2"):
        result.raise_if_tampered()


@pytest.mark.usefixtures("record")
def test_verify_catches_edited_data(dsn: str, ledger: Ledger) -> None:
    """Changing what an event says (its JSON data) is caught too."""
    tamper(
        dsn,
        "UPDATE releasekit_events SET data = jsonb_set(data::jsonb, '{move,by}', '\"mallory\"')"
        "::json WHERE seq = 2",
    )

    assert 2 == ledger.verify("r1").seq


@pytest.mark.usefixtures("record")
def test_verify_catches_a_moved_instant(dsn: str, ledger: Ledger) -> None:
    """Moving an event in time is caught: the time is part of the digest."""
    tamper(dsn, "UPDATE releasekit_events SET at = at - interval '1 hour' WHERE seq = 3")

    assert 3 == ledger.verify("r1").seq


@pytest.mark.usefixtures("record")
def test_verify_catches_a_deleted_event(dsn: str, ledger: Ledger) -> None:
    """A deleted event leaves a gap that is reported."""
    tamper(dsn, "DELETE FROM releasekit_events WHERE stream = 'r1' AND seq = 2")

    result = ledger.verify("r1")

    assert (2, "the event is missing (the next stored event is 3)") == (result.seq, result.detail)


@pytest.mark.usefixtures("record")
def test_verify_catches_reordered_events(dsn: str, ledger: Ledger) -> None:
    """Swapping two events' positions breaks the chain where they were swapped."""
    tamper(
        dsn,
        "UPDATE releasekit_events SET seq = 1000 WHERE stream = 'r1' AND seq = 2",
        "UPDATE releasekit_events SET seq = 2 WHERE stream = 'r1' AND seq = 3",
        "UPDATE releasekit_events SET seq = 3 WHERE stream = 'r1' AND seq = 1000",
    )

    assert 2 == ledger.verify("r1").seq


@pytest.mark.usefixtures("record")
def test_verify_catches_an_edited_current_state(dsn: str, ledger: Ledger) -> None:
    """A state edited behind the ledger's back is not the one its last event recorded."""
    tamper(dsn, "UPDATE releasekit_releases SET state = 'production' WHERE id = 'r1'")

    by_store, by_ledger = ledger.store.verify("r1"), ledger.verify("r1")

    assert [(3, STATE_CHANGED)] * 2 == [
        (by_store.seq, by_store.detail),
        (by_ledger.seq, by_ledger.detail),
    ]
    with pytest.raises(HistoryTamperedError, match="the stored state of r1 does not match"):
        ledger.load("r1")


@pytest.mark.usefixtures("record")
def test_time_is_stored_as_timestamptz(dsn: str) -> None:
    """Instants are kept as timestamptz, so SQL can query by time."""
    with raw(dsn) as conn:
        row = conn.execute("SELECT at FROM releasekit_events WHERE seq = 2").fetchone()

    assert (LATER,) == row


def test_without_a_server_ci_fails_rather_than_skips(tmp_path: Path) -> None:
    """No PostgreSQL binaries: in CI (CI=true) the tests that need them fail, never skip."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"CI", "RELEASEKIT_TEST_POSTGRES_DSN", "PYTEST_ADDOPTS"}
    }
    environment.update(CI="true", RELEASEKIT_PG_BIN=str(tmp_path))  # a directory without initdb

    result = subprocess.run(  # noqa: S603  # this interpreter running pytest on this file
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_the_database_carries_its_schema_version",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        cwd=Path(__file__).parent.parent,
    )

    assert (1, True) == (result.returncode, "1 error" in result.stdout), result.stdout
    assert "no PostgreSQL server binaries (initdb, pg_ctl) found" in result.stdout
