"""Histories and states edited behind releasekit's back: reported by verify, never acted on.

Every test edits a SQLite file or a PostgreSQL database by hand, as someone
with access to the database would, then asks releasekit to verify and to act.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import pendulum
import psycopg
import pytest

import releasekit as rk
from fake_dt import write_fake_dt
from legacy import write_schema_2_store
from releasekit import executors
from releasekit._records.events import STATE_CHANGED
from releasekit._records.rows import roll
from releasekit.stores import SqliteStore

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Backend
    from releasekit.stores import Event

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
ARGUMENTS = ("AAPL", "187.20")


def edit(backend: Backend, *, sqlite: str, postgres: str, values: tuple[Any, ...] = ()) -> None:
    """Run one hand-written statement on the backend's database, history triggers dropped."""
    if backend.kind == "sqlite":
        file = sqlite3.connect(backend.location, isolation_level=None)
        try:
            file.execute("DROP TRIGGER IF EXISTS events_are_append_only_on_update")
            file.execute(sqlite, values)
        finally:
            file.close()
        return
    with psycopg.connect(backend.location, autocommit=True) as database:
        database.execute("ALTER TABLE releasekit_events DISABLE TRIGGER USER")
        database.execute(postgres.encode(), values)


def forge_verifier(backend: Backend, operation: rk.DataOperation, *, by: str) -> None:
    """Add a verification by *by* to the operation's stored state, as a forger would."""
    forged = json.dumps(
        [{"by": by, "at": "2026-11-27T10:00:00+00:00", "fingerprint": operation.fingerprint,
          "note": "", "voided": False}]
    )  # fmt: skip
    edit(
        backend,
        sqlite="UPDATE streams SET snapshot = json_set(snapshot, '$.verifications', "
        "json_insert(json_extract(snapshot, '$.verifications'), '$[#]', json_extract(?, '$[0]'))) "
        "WHERE stream = ?",
        postgres="UPDATE releasekit_streams SET snapshot = jsonb_set(snapshot::jsonb, "
        "'{verifications}', (snapshot::jsonb -> 'verifications') || %s::jsonb)::json "
        "WHERE stream = %s",
        values=(forged, operation.stream),
    )


@pytest.fixture(name="dt_calls")
def fixture_dt_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake dt; each call's arguments are appended to the returned file."""
    write_fake_dt(tmp_path)
    calls = tmp_path / "argv.jsonl"
    monkeypatch.setenv("FAKE_DT_ARGV", str(calls))
    return calls


@pytest.fixture(name="desk")
def fixture_desk(durable_backend: Backend, dt_calls: Path) -> rk.Desk:
    """A desk on SQLite, then PostgreSQL, whose production adjustments run through a fake dt."""
    registry = executors.dry_run()
    program = str(dt_calls.parent / "dt")
    registry.register(
        "adjust-data", executors.DtExecutor(program=program), environment="production"
    )
    return rk.Desk(
        rk.reference_policy(),
        store=durable_backend.open(),
        executors=registry,
        clock=rk.FixedClock(FRIDAY),
    )


def requested(desk: rk.Desk, *verifiers: str) -> rk.DataOperation:
    operation = desk.data.request_adjustment(
        "production", "fix-close", ARGUMENTS, by="olga", reason="IEX sent a wrong close"
    )
    for person in verifiers:
        operation = desk.data.verify_adjustment(operation.id, by=person)
    return operation


def events_of(desk: rk.Desk, operation: rk.DataOperation) -> list[Event]:
    return desk.data.history(operation.id)


# ---------------------------------------------------------------------------
# Data operations
# ---------------------------------------------------------------------------


def test_a_forged_verifier_in_the_stored_state_is_never_run(
    desk: rk.Desk, durable_backend: Backend, dt_calls: Path
) -> None:
    """One real verification and a forged one: verify reports it, execute refuses, dt never runs."""
    operation = requested(desk, "ivan")
    forge_verifier(durable_backend, operation, by="mallory")
    before = events_of(desk, operation)

    with pytest.raises(rk.exceptions.HistoryTamperedError) as raised:
        desk.data.execute_adjustment(operation.id, by="data-operator")

    found = desk.data.verify(operation.id)
    assert (False, 2, STATE_CHANGED) == (found.ok, found.seq, found.detail)
    assert (operation.stream, 2) == (raised.value.stream, raised.value.seq)
    assert str(raised.value).startswith(f"the stored state of {operation.stream} does not match")
    assert before == events_of(desk, operation)
    assert not dt_calls.exists()


@pytest.mark.parametrize("action", ["verify", "amend", "cancel", "show"])
def test_every_action_on_a_forged_operation_is_refused(
    desk: rk.Desk, durable_backend: Backend, action: str
) -> None:
    """Verifying, amending, cancelling or reading a forged operation: refused, nothing written."""
    operation = requested(desk, "ivan")
    forge_verifier(durable_backend, operation, by="mallory")
    before = events_of(desk, operation)
    attempts = {
        "verify": lambda: desk.data.verify_adjustment(operation.id, by="maria"),
        "amend": lambda: desk.data.amend_adjustment(operation.id, by="olga", arguments=["MSFT"]),
        "cancel": lambda: desk.data.cancel(operation.id, by="olga", reason="stop"),
        "show": lambda: desk.data.get(operation.id),
    }

    with pytest.raises(rk.exceptions.HistoryTamperedError):
        attempts[action]()

    assert before == events_of(desk, operation)


def test_an_edited_verification_event_breaks_the_chain(
    desk: rk.Desk, durable_backend: Backend, dt_calls: Path
) -> None:
    """A verification whose note is rewritten in the history: verify names the event."""
    operation = requested(desk, "ivan", "maria")
    edit(
        durable_backend,
        sqlite="UPDATE events SET data = json_set(data, '$.note', 'forged') "
        "WHERE stream = ? AND seq = 2",
        postgres="UPDATE releasekit_events SET data = jsonb_set(data::jsonb, '{note}', "
        "'\"forged\"')::json WHERE stream = %s AND seq = 2",
        values=(operation.stream,),
    )

    found = desk.data.verify(operation.id)

    assert (False, 2) == (found.ok, found.seq)
    assert found.detail.startswith("its content does not match its digest")
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        desk.data.execute_adjustment(operation.id, by="data-operator")
    assert not dt_calls.exists()


def test_a_verified_operation_still_runs(desk: rk.Desk, dt_calls: Path) -> None:
    """Untouched, an operation verified twice runs, and its replay is its state at every step."""
    operation = requested(desk, "ivan", "maria")

    executed = desk.data.execute_adjustment(operation.id, by="data-operator")

    assert (rk.DataOperationStatus.EXECUTED, ("ivan", "maria")) == (
        executed.status,
        executed.verifiers,
    )
    assert dt_calls.exists()
    assert [True] == [item.ok for item in desk.verify_all()]


# ---------------------------------------------------------------------------
# Releases
# ---------------------------------------------------------------------------


#: A sign-off and a log review nobody gave, as evidence rows.
FORGED = (
    (
        '{"at":"2026-11-27T10:00:00+00:00","by":"maria","environment":"sandbox","note":"",'
        '"old_app_versions":[],"type":"SignOff"}'
    ),
    (
        '{"at":"2026-11-27T10:00:00+00:00","by":"maria","environments":["production",'
        '"sandbox","sandbox-anton","stage","tests"],"note":"","type":"LogReview",'
        '"verdict":"clean"}'
    ),
)


@pytest.mark.parametrize(
    ("forger", "detail"),
    [
        ("rows", "its evidence rows are not the evidence its row records"),
        ("rows and digest", STATE_CHANGED),
    ],
)
def test_a_forged_sign_off_is_refused_before_any_guard_reads_it(
    desk: rk.Desk, durable_backend: Backend, forger: str, detail: str
) -> None:
    """A release in sandbox given a sign-off and a log review by hand: promote refuses it.

    Whether the forger also rolls the release row's evidence digest over the
    forged rows or not, the rows are no longer what the last event recorded.
    """
    desk.start("2.4.0", by="anton")
    desk.promote("2.4.0", by="anton")
    desk.run_tests("2.4.0", by="ci")
    desk.promote("2.4.0", by="anton")
    stored = desk.store.read_release("2.4.0")
    assert stored is not None
    for n, body in enumerate(FORGED, start=7):
        edit(
            durable_backend,
            sqlite="INSERT INTO release_evidence (release, seq, n, body) VALUES ('2.4.0', 1, ?, ?)",
            postgres="INSERT INTO releasekit_evidence (release, seq, n, body) "
            "VALUES ('2.4.0', 1, %s, %s)",
            values=(n, body),
        )
    if forger == "rows and digest":
        edit(
            durable_backend,
            sqlite="UPDATE releases SET evidence_digest = ? WHERE id = '2.4.0'",
            postgres="UPDATE releasekit_releases SET evidence_digest = %s WHERE id = '2.4.0'",
            values=(roll(stored.row.evidence_digest, FORGED),),
        )
    before = desk.history("2.4.0")

    with pytest.raises(rk.exceptions.HistoryTamperedError) as raised:
        desk.promote("2.4.0", by="anton")

    assert ("2.4.0", len(before)) == (raised.value.stream, raised.value.seq)
    assert str(raised.value).startswith("the stored state of 2.4.0 does not match its history")
    assert before == desk.history("2.4.0")
    assert (False, detail) == (desk.verify("2.4.0").ok, desk.verify("2.4.0").detail)


def test_verify_all_lists_every_history_with_its_result(
    desk: rk.Desk, durable_backend: Backend
) -> None:
    """Two releases and an adjustment, one edited: every history listed, the edited one named."""
    desk.start("2.4.0", by="anton")
    desk.start("2.5.0", by="anton")
    operation = requested(desk, "ivan")
    forge_verifier(durable_backend, operation, by="mallory")

    found = desk.verify_all()

    assert [
        ("2.4.0", True, 1),
        ("2.5.0", True, 1),
        ("data:adjustment-1", False, 2),
    ] == [(item.stream, item.ok, item.events) for item in found]


def test_a_history_whose_state_was_deleted_is_reported(
    desk: rk.Desk, durable_backend: Backend
) -> None:
    """The state row of an operation deleted: verify still finds its history and reports it."""
    operation = requested(desk, "ivan")
    edit(
        durable_backend,
        sqlite="DELETE FROM streams WHERE stream = ?",
        postgres="DELETE FROM releasekit_streams WHERE stream = %s",
        values=(operation.stream,),
    )

    found = desk.verify_all()

    assert [("data:adjustment-1", False, 2)] == [(item.stream, item.ok, item.seq) for item in found]
    assert "no current state" in found[0].detail


# ---------------------------------------------------------------------------
# A store written before events recorded the digest of their state
# ---------------------------------------------------------------------------


@pytest.fixture(name="old_desk")
def fixture_old_desk(tmp_path: Path) -> rk.Desk:
    """A desk on a SQLite store at schema 2 (migrated when opened)."""
    store = SqliteStore(write_schema_2_store(tmp_path / "old.db"))
    return rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(FRIDAY.add(hours=1)))


def test_an_old_store_loads_verifies_and_goes_on(old_desk: rk.Desk) -> None:
    """Events without state digests verify; new events carry one; the whole still verifies."""
    histories = ["2.4.0", "data:adjustment-1", "data:adjustment-2", "data:restore-1"]
    assert [(name, True) for name in histories] == [
        (item.stream, item.ok) for item in old_desk.verify_all()
    ]

    old_desk.run_tests("2.4.0", by="ci")
    moved = old_desk.promote("2.4.0", by="anton")

    assert "sandbox" == moved.state
    assert [None] * 7 + [str] * 4 == [
        type(event.state_digest) if event.state_digest else None
        for event in old_desk.history("2.4.0")
    ]
    assert all(item.ok for item in old_desk.verify_all())


def test_a_forged_verifier_in_an_old_operation_is_caught_by_replaying_it(
    old_desk: rk.Desk, tmp_path: Path
) -> None:
    """No state digest to compare: the replay of its events finds the forged verifier."""
    operation = old_desk.data.get("adjustment-1")
    old_desk.store.close()
    forge_verifier(
        _sqlite_backend(tmp_path / "old.db"), operation, by="mallory"
    )  # the same statement as for a current store
    store = SqliteStore(tmp_path / "old.db")
    desk = rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(FRIDAY))

    found = desk.data.verify("adjustment-1")

    assert (False, 5) == (found.ok, found.seq)
    assert found.detail.startswith("the current state does not match what the history says")
    with pytest.raises(rk.exceptions.HistoryTamperedError):
        desk.data.get("adjustment-1")
    store.close()


def _sqlite_backend(path: Path) -> Backend:
    from conftest import Backend  # noqa: PLC0415  # only this test builds one by hand

    return Backend(kind="sqlite", location=str(path))
