"""A process killed mid-step (SIGKILL) leaves a release that says so, and loses nothing.

The child is this file run as a script (see ``child`` at the bottom): it
records that a step starts, tells the test, and "runs" the step; the test
kills it with SIGKILL, reopens the store and finds the interrupted attempt,
which it then finishes or abandons explicitly.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pendulum
import pytest

import releasekit as rk
from releasekit.stores import Attempt, Ledger, PostgresStore, SqliteStore, Store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Backend

AT = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
LATER = AT.add(minutes=30)


def open_store(kind: str, location: str) -> Store:
    """Open the store the child was told to use."""
    return SqliteStore(location) if kind == "sqlite" else PostgresStore(location)


@contextlib.contextmanager
def child_running(backend: Backend, task: str) -> Iterator[subprocess.Popen[str]]:
    """Run the child on *task* until its first line of output, then hand it over."""
    with subprocess.Popen(  # noqa: S603  # this very file, run by this very interpreter
        [sys.executable, __file__, backend.kind, backend.location, task],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent,
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate()


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL: no cleanup, no atexit, no flush — like a power cut for the process."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert -signal.SIGKILL == process.returncode


@pytest.fixture
def started(durable_backend: Backend) -> Backend:
    """A release r1, started in anton's sandbox."""
    release = rk.Engine(rk.reference_policy()).start(
        release_id="r1", version="2.4.0", kind="normal", by="anton", now=AT
    )
    Ledger(durable_backend.open()).start(release)
    return durable_backend


def interrupted(backend: Backend) -> tuple[Store, str]:
    """Let the child begin a deploy, kill it mid-step; return a fresh store and the attempt id."""
    with child_running(backend, "deploy") as process:
        assert process.stdout is not None
        assert process.stderr is not None
        line = process.stdout.readline().split()
        assert ["started"] == line[:1], process.stderr.read()
        kill(process)
    return open_store(backend.kind, backend.location), line[1]


def test_a_killed_step_is_found_interrupted_and_blocks_new_steps(started: Backend) -> None:
    """After the kill, the release shows the attempt in flight, and nothing else starts on it."""
    store, attempt_id = interrupted(started)
    ledger = Ledger(store)
    record = ledger.load("r1")

    assert (
        Attempt(
            id=attempt_id,
            capability="deploy",
            environment="tests",
            started_at=AT.add(minutes=1),
            by="deploy-bot",
            target="tests",
            detail="dt deploy tests 2.4.0",
        ),
        "sandbox-anton",
        True,
    ) == (record.attempt, record.state, ledger.verify("r1").ok)
    with pytest.raises(rk.exceptions.AttemptInProgressError, match="resume it or abandon it"):
        ledger.begin_attempt(record, capability="deploy", by="anton", at=LATER)
    store.close()


def test_an_interrupted_step_is_resumed(started: Backend) -> None:
    """Once checked (or re-run), the step is finished: the release moves on, as an event."""
    store, attempt_id = interrupted(started)
    ledger = Ledger(store)

    record = ledger.finish_attempt(
        ledger.load("r1"), attempt_id, by="anton", at=LATER, reason="deploy checked by hand"
    )

    assert ("tests", None) == (record.state, record.attempt)
    assert ["started", "step-started", "step-finished"] == [
        event.action.value for event in ledger.history("r1")
    ]
    store.close()


def test_an_interrupted_step_is_abandoned(started: Backend) -> None:
    """Or it is given up explicitly: the release stays, free for the next step, as an event."""
    store, attempt_id = interrupted(started)
    ledger = Ledger(store)

    record = ledger.abandon_attempt(
        ledger.load("r1"), attempt_id, by="anton", at=LATER, reason="host died mid-deploy"
    )

    assert ("sandbox-anton", None) == (record.state, record.attempt)
    assert ("step-abandoned", "host died mid-deploy") == (
        ledger.history("r1")[-1].action.value,
        ledger.history("r1")[-1].reason,
    )
    store.close()


def test_a_kill_in_the_middle_of_writing_loses_nothing_committed(started: Backend) -> None:
    """Killed while writing as fast as it can, the store holds whole events and their state."""
    with child_running(started, "write") as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert "writing" == process.stdout.readline().strip(), process.stderr.read()
        time.sleep(0.3)
        kill(process)

    store = open_store(started.kind, started.location)
    ledger = Ledger(store)
    record = ledger.load("r1")
    assert record.revision > 2
    assert (record.revision, True) == (len(ledger.history("r1")), ledger.verify("r1").ok)
    store.close()


# ---------------------------------------------------------------------------
# The child
# ---------------------------------------------------------------------------


def child(kind: str, location: str, task: str) -> None:
    """Begin a deploy and hang in it (*task* "deploy"), or write without end ("write")."""
    ledger = Ledger(open_store(kind, location))
    record = ledger.load("r1")
    if task == "deploy":
        record = ledger.begin_attempt(
            record,
            capability="deploy",
            by="deploy-bot",
            at=AT.add(minutes=1),
            environment="tests",
            target="tests",
            detail="dt deploy tests 2.4.0",
        )
        assert record.attempt is not None
        print("started", record.attempt.id, flush=True)  # noqa: T201  # tell the test
        time.sleep(60)  # "running the executor" until the test kills us
        return
    at = AT
    while True:
        at = at.add(seconds=1)
        record = ledger.note(record, action="lease-taken", by="ci", at=at, data={"n": at.second})
        if record.revision == 3:  # the first write went through
            print("writing", flush=True)  # noqa: T201  # tell the test


if __name__ == "__main__":
    child(*sys.argv[1:4])
