"""Test runs on one environment never overlap, across real processes and crashes.

Each run is this file run as a script (see ``main`` at the bottom): a desk on
the shared store (SQLite or PostgreSQL) running the tests of a release through
a fake ``dt`` that waits until a file appears, so a run stays in progress for
as long as a test needs it to.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pendulum
import pytest

import releasekit as rk
from fake_dt import write_fake_dt
from releasekit import executors
from releasekit._actions.processes import Liveness, liveness, this_host
from releasekit.stores import Ledger, PostgresStore, SqliteStore, Store

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import Backend
    from releasekit.stores import HostProcess, Record

#: A Friday morning: far from the daily test run at midnight.
AT = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
LEASE = "test-run:tests"
#: How many processes race for the tests environment.
RACERS = 2
#: How long a test waits for a process to get somewhere, in seconds.
PATIENCE = 30.0


def open_store(kind: str, location: str) -> Store:
    """Open the store a run was told to use."""
    return SqliteStore(location) if kind == "sqlite" else PostgresStore(location)


def in_tests(store: Store, *release_ids: str) -> None:
    """Start each release and promote it to tests, as anton."""
    engine = rk.Engine(rk.reference_policy())
    ledger = Ledger(store)
    for release_id in release_ids:
        release = engine.start(
            release_id=release_id, version="2.4.0", kind="normal", by="anton", now=AT
        )
        ledger.promote(
            ledger.start(release),
            rk.Move(source="sandbox-anton", target="tests", at=AT.add(minutes=1), by="anton"),
        )


def desk_on(store: Store, tmp_path: Path) -> rk.Desk:
    """A desk in this process running the fake dt (which does not wait), the clock at AT."""
    runner = executors.DtExecutor(
        program=str(tmp_path / "dt"), env={"FAKE_DT_ARGV": str(tmp_path / "dt-calls")}, grace=1
    )
    return rk.Desk(
        rk.reference_policy(), store=store, executors=executors.dt(runner), clock=rk.FixedClock(AT)
    )


def wait_until(check: Callable[[], bool], what: str) -> None:
    """Poll *check* until it holds; fail, saying *what* was awaited, after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


@contextlib.contextmanager
def runs(
    backend: Backend, tmp_path: Path, task: str, *release_ids: str
) -> Iterator[list[subprocess.Popen[str]]]:
    """Start one run of *task* per release id, each a process; kill what is left at the end."""
    env = dict(os.environ, FAKE_DT_WAIT_FOR=str(tmp_path / "finish"))
    env["FAKE_DT_ARGV"] = str(tmp_path / "dt-calls")
    started = [
        subprocess.Popen(  # noqa: S603  # this very file, run by this very interpreter
            [sys.executable, __file__, backend.kind, backend.location, task, str(tmp_path), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent,
            env=env,
        )
        for name in release_ids
    ]
    try:
        yield started
    except BaseException:
        (tmp_path / "finish").touch()  # a failed test leaves no fake dt waiting
        raise
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.communicate()


def report(process: subprocess.Popen[str]) -> dict[str, Any]:
    """Wait for a run to end and return what it reported."""
    out, err = process.communicate(timeout=PATIENCE)
    assert 0 == process.returncode, err
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def dt_calls(tmp_path: Path) -> list[list[str]]:
    """Every call of the fake dt so far, as its arguments."""
    path = tmp_path / "dt-calls"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_racing_runs_as_the_same_actor_leave_the_winner_its_lease(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """Two processes run the tests of one release as ci at once: one runs, the other is held."""
    store = durable_backend.open()
    in_tests(store, "r1", "r2")
    write_fake_dt(tmp_path)

    with runs(durable_backend, tmp_path, "race", *["r1"] * RACERS) as racers:
        for racer in racers:
            assert racer.stdout is not None
            assert "ready" == racer.stdout.readline().strip()
        (tmp_path / "go").touch()
        wait_until(lambda: [racer.poll() for racer in racers].count(None) == 1, "the losers")
        losers = [report(racer) for racer in racers if racer.poll() is not None]
        (winner,) = [racer for racer in racers if racer.poll() is None]

        held = store.current(LEASE, now=AT)
        assert held is not None, "the winner's lease was given back by a loser"
        assert ["LeaseHeldError"] * (RACERS - 1) == [loser["error"] for loser in losers]
        step = Ledger(store).load("r1").attempt
        assert step is not None
        assert (held, winner.pid) == (step.lease, step.runner.pid if step.runner else None)
        third = desk_on(durable_backend.open(), tmp_path)
        with pytest.raises(rk.exceptions.LeaseHeldError) as refused:
            third.run_tests("r2", by="ci")
        assert "ci (r1)" == refused.value.holder
        assert [["test", "--notify"]] == dt_calls(tmp_path)

        (tmp_path / "finish").touch()
        assert {"outcome": "passed"} == report(winner)
    assert store.current(LEASE, now=AT) is None


@contextlib.contextmanager
def killed_mid_run(backend: Backend, tmp_path: Path) -> Iterator[Record]:
    """Run the tests of r1 as ci in a process, SIGKILL it while its dt runs; yield what it left.

    The dt it started lives on (the executor gives it a session of its own)
    until the test creates the file it waits for; at the end it is made to end.
    """
    store = backend.open()
    in_tests(store, "r1", "r2")
    write_fake_dt(tmp_path)
    with runs(backend, tmp_path, "run", "r1") as (run,):
        wait_until(lambda: _children(store) and bool(dt_calls(tmp_path)), "the run's dt to run")
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=PATIENCE)
    record = Ledger(store).load("r1")
    assert record.attempt is not None
    try:
        yield record
    finally:
        dt_ends(tmp_path, record.attempt.children[0])


def _children(store: Store) -> bool:
    attempt = Ledger(store).load("r1").attempt
    return attempt is not None and bool(attempt.children)


def dt_ends(tmp_path: Path, dt_process: HostProcess) -> None:
    """Let the orphaned dt finish, and wait until it has."""
    (tmp_path / "finish").touch()
    wait_until(lambda: Liveness.ENDED == liveness(dt_process), "the orphaned dt to end")


def test_a_killed_run_keeps_its_lease_and_resume_refuses_beside_its_dt(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """After a SIGKILL the lease stays with the dead run, and resume will not start a second dt."""
    with killed_mid_run(durable_backend, tmp_path) as left:
        store = durable_backend.open()
        desk = desk_on(store, tmp_path)
        assert left.attempt is not None
        (dt_process,) = left.attempt.children

        with pytest.raises(rk.exceptions.AttemptStillRunningError) as refused:
            desk.resume("r1", by="anton")
        with pytest.raises(rk.exceptions.LeaseHeldError):
            desk.run_tests("r2", by="ci")

        assert left.attempt.lease == store.current(LEASE, now=AT)
        assert (this_host(), dt_process.pid, "executor", True, "dt") == (
            refused.value.host,
            refused.value.pid,
            refused.value.role,
            refused.value.running,
            dt_process.name,
        )
        assert f"{dt_process.pid} on {this_host()} still runs" in str(refused.value)
        assert (left, 1) == (desk.get("r1"), len(dt_calls(tmp_path)))


def test_abandon_step_frees_the_lease_of_a_killed_run(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """Once the killed run's dt ended, abandon-step gives its lease back: tests are free at once."""
    with killed_mid_run(durable_backend, tmp_path) as left:
        assert left.attempt is not None
        dt_ends(tmp_path, left.attempt.children[0])
        desk = desk_on(durable_backend.open(), tmp_path)

        desk.abandon_attempt("r1", by="anton", reason="the CI runner was killed")

        assert desk.store.current(LEASE, now=AT) is None
        abandoned = desk.history("r1")[-1]
        assert ("step-abandoned", True) == (
            abandoned.action.value,
            abandoned.reason.startswith(
                "the CI runner was killed (gave back the lease test-run:tests, held by ci (r1)"
            ),
        )
        assert desk.run_tests("r2", by="ci").release.evidence_of(rk.TestRun)[-1].passed


def test_abandon_step_beside_a_running_dt_needs_force(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """Giving up a step whose dt still runs is refused, unless forced; the history says so."""
    with killed_mid_run(durable_backend, tmp_path) as left:
        desk = desk_on(durable_backend.open(), tmp_path)
        with pytest.raises(rk.exceptions.AttemptStillRunningError, match="still runs") as refused:
            desk.abandon_attempt("r1", by="anton", reason="giving up")
        assert left == desk.get("r1")

        desk.abandon_attempt("r1", by="anton", reason="giving up", force=True)

        assert "abandon-step --force" in refused.value.__notes__[0]
        assert desk.store.current(LEASE, now=AT) is None
        assert desk.history("r1")[-1].reason.endswith("still runs (forced))")


def test_resume_takes_the_lease_of_a_killed_run_over(
    durable_backend: Backend, tmp_path: Path
) -> None:
    """Resumed by another person, the killed run's lease is handed over, and the run completes."""
    with killed_mid_run(durable_backend, tmp_path) as left:
        assert left.attempt is not None
        assert left.attempt.lease is not None
        dt_ends(tmp_path, left.attempt.children[0])
        desk = desk_on(durable_backend.open(), tmp_path)

        resumed = desk.resume("r1", by="anton")

        (resumption,) = [e for e in desk.history("r1") if e.action.value == "step-resumed"]
        assert resumption.reason.startswith(
            f"resumed r1/3: took over the lease {LEASE} from the interrupted run; releasekit "
        )
        lease = resumption.data["lease"]
        assert ("anton (r1)", True) == (lease["holder"], lease["token"] != left.attempt.lease.token)
        assert (True, None) == (
            resumed.release.evidence_of(rk.TestRun)[-1].passed,
            desk.store.current(LEASE, now=AT),
        )
        assert 2 == len(dt_calls(tmp_path))


# ---------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------


@attrs.define
class _RacingClock:
    """A clock at AT whose first reading waits for the go file: every racer saw the release idle.

    A test run reads the clock first once it has read the release and checked
    it, just before it takes the lease.
    """

    go: Path
    _went: bool = False

    def now(self) -> pendulum.DateTime:
        if not self._went:
            self._went = True
            print("ready", flush=True)  # noqa: T201  # tell the test
            while not self.go.exists():
                time.sleep(0.0005)
        return AT


def main(kind: str, location: str, task: str, folder: str, release_id: str) -> None:
    """Run the tests of *release_id* as ci and print how it went, as JSON."""
    store = open_store(kind, location)
    runner = executors.DtExecutor(program=str(Path(folder) / "dt"), grace=1)
    clock = _RacingClock(Path(folder) / "go") if task == "race" else rk.FixedClock(AT)
    desk = rk.Desk(rk.reference_policy(), store=store, executors=executors.dt(runner), clock=clock)
    try:
        release = desk.run_tests(release_id, by="ci").release
        outcome: dict[str, Any] = {
            "outcome": "passed" if release.evidence_of(rk.TestRun)[-1].passed else "failed"
        }
    except rk.exceptions.ReleaseKitError as error:
        outcome = {"error": type(error).__name__, "message": str(error)}
    finally:
        store.close()
    print(json.dumps(outcome), flush=True)  # noqa: T201  # the run's report


if __name__ == "__main__":
    main(*sys.argv[1:6])
