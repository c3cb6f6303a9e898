"""Real processes racing for the same release and the same lease: exactly one wins.

Each racer is this file run as a script (see ``race`` at the bottom). It opens
the store, reads what it needs, reports ``ready`` and waits for a file to
appear; the test creates that file once every racer is ready, so they really
act at the same moment.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum

import pgserver
import releasekit as rk
from releasekit._interfaces.cli import main
from releasekit.stores import Action, Ledger, PostgresStore, SqliteStore, Store

if TYPE_CHECKING:
    from conftest import Backend

#: How many processes race.
RACERS = 4
AT = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")


def open_store(kind: str, location: str) -> Store:
    """Open the store a racer was told to use."""
    return SqliteStore(location) if kind == "sqlite" else PostgresStore(location)


def start_release(store: Store, release_id: str, *, by: str = "anton") -> None:
    """Start a release and promote it once, so it stands at revision 2."""
    engine = rk.Engine(rk.reference_policy())
    release = engine.start(release_id=release_id, version="2.4.0", kind="normal", by=by, now=AT)
    ledger = Ledger(store)
    record = ledger.start(release)
    ledger.promote(
        record, rk.Move(source="sandbox-anton", target="tests", at=AT.add(minutes=5), by=by)
    )


def run_race(backend: Backend, task: str, tmp_path: Path) -> list[dict[str, Any]]:
    """Start RACERS processes on *task*, let them go at once, and return what each reports."""
    go = tmp_path / "go"
    return race_processes(
        [[backend.kind, backend.location, task, str(go), f"racer{n}"] for n in range(RACERS)], go
    )


def race_processes(arguments: list[list[str]], go: Path) -> list[dict[str, Any]]:
    """Run this file once per argument list; when all are ready, let them go; return reports."""
    with contextlib.ExitStack() as stack:
        racers = [
            stack.enter_context(
                subprocess.Popen(  # noqa: S603  # this very file, run by this very interpreter
                    [sys.executable, __file__, *argv],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=Path(__file__).parent,
                )
            )
            for argv in arguments
        ]
        stack.callback(_stop, racers)
        for racer in racers:
            assert racer.stdout is not None
            assert racer.stderr is not None
            assert "ready" == racer.stdout.readline().strip(), racer.stderr.read()
        go.touch()
        reports = []
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert 0 == racer.returncode, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def _stop(racers: list[subprocess.Popen[str]]) -> None:
    for racer in racers:
        if racer.poll() is None:
            racer.kill()
            racer.communicate()


def outcomes(reports: list[dict[str, Any]]) -> list[str]:
    return sorted(report["outcome"] for report in reports)


def test_one_process_wins_a_step_on_a_release(durable_backend: Backend, tmp_path: Path) -> None:
    """N processes start one step at once: one succeeds, the others conflict on what they saw."""
    start_release(durable_backend.open(), "r1")

    reports = run_race(durable_backend, "begin-step", tmp_path)

    assert ["conflict"] * (RACERS - 1) + ["won"] == outcomes(reports)
    conflicts = [report for report in reports if report["outcome"] == "conflict"]
    assert [("r1", 2, 3)] * (RACERS - 1) == [
        (report["stream"], report["expected"], report["actual"]) for report in conflicts
    ]
    winner = next(report["racer"] for report in reports if report["outcome"] == "won")
    record = Ledger(durable_backend.open()).load("r1")
    assert (3, winner) == (record.revision, record.attempt.by if record.attempt else None)


def test_one_process_creates_a_release(durable_backend: Backend, tmp_path: Path) -> None:
    """N processes start the same release at once: one creates it, the others learn it exists."""
    reports = run_race(durable_backend, "create", tmp_path)

    assert ["conflict"] * (RACERS - 1) + ["won"] == outcomes(reports)
    assert {(0, 1)} == {
        (report["expected"], report["actual"])
        for report in reports
        if report["outcome"] == "conflict"
    }
    winner = next(report["racer"] for report in reports if report["outcome"] == "won")
    ledger = Ledger(durable_backend.open())
    assert (f"2.4.0+{winner}", 1) == (ledger.load("r2").release.version, len(ledger.history("r2")))


def test_one_process_takes_a_lease(durable_backend: Backend, tmp_path: Path) -> None:
    """N processes take the tests lease at once: one holds it, the others learn who does."""
    reports = run_race(durable_backend, "lease", tmp_path)

    assert ["held"] * (RACERS - 1) + ["won"] == outcomes(reports)
    winner = next(report["racer"] for report in reports if report["outcome"] == "won")
    assert {winner} == {report["holder"] for report in reports if report["outcome"] == "held"}
    held = durable_backend.open().current("tests", now=AT)
    assert winner == (held.holder if held else None)


def test_one_process_takes_a_lease_all_ask_for_under_one_name(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """N processes take the tests lease at once as the same holder: still only one holds it."""
    reports = run_race(durable_backend, "lease-as-ci", tmp_path)

    assert ["held"] * (RACERS - 1) + ["won"] == outcomes(reports)
    (winner,) = [report for report in reports if report["outcome"] == "won"]
    held = durable_backend.open().current("tests", now=AT)
    assert ("ci", winner["token"]) == ((held.holder, held.token) if held else None)


#: How many bots race to promote one release from the command line.
BOTS = 8


def test_bots_racing_to_promote_move_the_release_once(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """8 `releasekit promote 2.4.0 --to tests` at once: one moves it, 7 exit 3 writing nothing."""
    db = durable_backend.location
    if durable_backend.kind == "postgres":
        db = pgserver.url(db)
    with contextlib.redirect_stdout(io.StringIO()):
        assert 0 == main(["--db", db, "--actor", "anton", "start", "2.4.0"])
    go = tmp_path / "go"

    reports = race_processes([["bot", db, str(go), f"bot{n}"] for n in range(BOTS)], go)

    events = Ledger(durable_backend.open()).history("2.4.0")
    into_tests = [
        event
        for event in events
        if event.action in {Action.PROMOTED, Action.ATTEMPT_FINISHED}
        and (event.source, event.target) == ("sandbox-anton", "tests")
    ]
    assert [0] + [3] * (BOTS - 1) == sorted(report["code"] for report in reports)
    assert 1 == len(into_tests)
    assert [] == [event.seq for event in events if event.action is Action.REFUSED]
    assert "tests" == Ledger(durable_backend.open()).load("2.4.0").state
    (won,) = [report["reply"] for report in reports if report["code"] == 0]
    assert ("promoted", "sandbox-anton", "tests", into_tests[0].seq) == (
        won["outcome"],
        won["source"],
        won["target"],
        won["seq"],
    )
    assert [("sandbox-anton", "tests")] == [
        (move["source"], move["target"]) for move in won["release"]["moves"]
    ]
    lost = [report["reply"]["error"] for report in reports if report["code"] != 0]
    assert {3} == {error["exit_code"] for error in lost}
    assert {"ConflictError", "AttemptInProgressError"} >= {error["type"] for error in lost}
    assert {"tests"} >= {error["expected_target"] for error in lost if error.get("expected_target")}


# ---------------------------------------------------------------------------
# The racer
# ---------------------------------------------------------------------------


def race(kind: str, location: str, task: str, go: str, name: str) -> dict[str, Any]:
    """Prepare *task*, report ready, wait for *go* to exist, act, and return what happened."""
    store = open_store(kind, location)
    ledger = Ledger(store)
    record = ledger.load("r1") if task == "begin-step" else None
    print("ready", flush=True)  # noqa: T201  # the racer's report to the test
    while not os.path.exists(go):  # noqa: PTH110  # the barrier: as cheap as possible
        time.sleep(0.0005)
    report: dict[str, Any] = {"racer": name}
    try:
        if task == "begin-step":
            assert record is not None
            ledger.begin_attempt(record, capability="deploy", by=name, at=AT, target="sandbox")
        elif task == "create":
            engine = rk.Engine(rk.reference_policy())
            release = engine.start(
                release_id="r2", version=f"2.4.0+{name}", kind="normal", by="anton", now=AT
            )
            ledger.start(release)
        else:
            holder = "ci" if task == "lease-as-ci" else name
            lease = store.acquire("tests", holder=holder, now=AT, ttl=dt.timedelta(minutes=30))
            report["token"] = lease.token
        report["outcome"] = "won"
    except rk.exceptions.ConflictError as conflict:
        report.update(
            outcome="conflict",
            stream=conflict.stream,
            expected=conflict.expected,
            actual=conflict.actual,
        )
    except rk.exceptions.LeaseHeldError as held:
        report.update(outcome="held", holder=held.holder)
    finally:
        store.close()
    return report


def promote_bot(db: str, go: str, name: str) -> dict[str, Any]:
    """Run `releasekit --json promote 2.4.0 --to tests` once *go* exists; report its answer."""
    from releasekit._interfaces import _cli_commands  # noqa: F401, PLC0415  # loaded before the race

    if db.startswith("postgresql://"):
        import releasekit._records.postgres  # noqa: F401, PLC0415  # loaded before the race
    print("ready", flush=True)  # noqa: T201  # the racer's report to the test
    while not os.path.exists(go):  # noqa: PTH110  # the barrier: as cheap as possible
        time.sleep(0.0005)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--db", db, "--actor", "anton", "--json", "promote", "2.4.0", "--to", "tests"])
    return {"racer": name, "code": code, "reply": json.loads(out.getvalue())}


if __name__ == "__main__":
    report = promote_bot(*sys.argv[2:5]) if sys.argv[1] == "bot" else race(*sys.argv[1:6])
    print(json.dumps(report), flush=True)  # noqa: T201  # the racer's report
