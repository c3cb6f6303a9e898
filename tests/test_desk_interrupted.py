"""An interrupted attempt's lease and processes: noted when it begins, checked before it runs again.

Steps here are interrupted by hand (``Ledger.begin_attempt``, as a process that
died would have left them); ``test_exclusive_runs`` kills real processes.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import TYPE_CHECKING

import attrs
import pendulum
import pytest

import releasekit as rk
from releasekit import executors
from releasekit._actions.processes import describe, this_host, this_process
from releasekit.stores import Attempt, HostProcess

if TYPE_CHECKING:
    from collections.abc import Iterator

    from releasekit.stores import Lease

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
LEASE = "test-run:tests"
ELSEWHERE = "ci-7.example"


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@attrs.define
class WatchingRunner:
    """A test runner that notes the attempt in flight, as the desk recorded it, while it runs."""

    desk: rk.Desk | None = None
    seen: list[Attempt | None] = attrs.Factory(list)

    def run_tests(self, request: executors.TestRequest, /) -> executors.Outcome:
        """Note the attempt in flight, and pass."""
        assert self.desk is not None
        assert request.release_id is not None
        self.seen.append(self.desk.get(request.release_id).attempt)
        return executors.Outcome.success("12 passed")


@pytest.fixture(name="runner")
def fixture_runner() -> WatchingRunner:
    return WatchingRunner()


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock, runner: WatchingRunner) -> rk.Desk:
    registry = executors.dry_run()
    registry.register("run-tests", runner)
    desk = rk.Desk(rk.reference_policy(), executors=registry, clock=clock)
    runner.desk = desk
    return desk


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process of this host that runs until the test ends."""
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as process:
        try:
            yield process
        finally:
            process.kill()


def in_tests(desk: rk.Desk, version: str = "2.4.0") -> str:
    release = desk.start(version, by="anton")
    return desk.promote(release.id, by="anton").id


def interrupted(desk: rk.Desk, *, runner: HostProcess | None) -> Lease:
    """Leave a test run of 2.4.0 as a process that died would: begun, holding the lease."""
    release_id = in_tests(desk)
    lease = desk.store.acquire(
        LEASE, holder=f"ci ({release_id})", now=FRIDAY, ttl=dt.timedelta(hours=2)
    )
    desk.ledger.begin_attempt(
        desk.get(release_id),
        capability="run-tests",
        by="ci",
        at=FRIDAY,
        environment="tests",
        detail="run the automatic tests of 2.4.0 on tests",
        lease=lease,
        runner=runner,
    )
    return lease


def elsewhere(pid: int = 4242) -> HostProcess:
    """A releasekit process recorded on another host."""
    return HostProcess(host=ELSEWHERE, pid=pid, name="python", start="boot:1")


def actions(desk: rk.Desk, release_id: str = "2.4.0") -> list[str]:
    return [event.action.value for event in desk.history(release_id)]


def test_a_test_run_records_its_lease_and_its_process_with_the_step(
    desk: rk.Desk, runner: WatchingRunner
) -> None:
    """While the tests run, the step names the lease it holds and the process running it."""
    release_id = in_tests(desk)

    desk.run_tests(release_id, by="ci")

    (attempt,) = runner.seen
    assert attempt is not None
    assert attempt.lease is not None
    assert (LEASE, "ci (2.4.0)", this_process()) == (
        attempt.lease.name,
        attempt.lease.holder,
        attempt.runner,
    )
    assert desk.store.current(LEASE, now=FRIDAY) is None


def test_a_run_refused_the_lease_leaves_it_as_it_was(desk: rk.Desk) -> None:
    """A second run as the same actor is refused before it begins; the lease stays the first's."""
    release_id = in_tests(desk)
    first = desk.store.acquire(
        LEASE, holder=f"ci ({release_id})", now=FRIDAY, ttl=dt.timedelta(hours=2)
    )
    before = desk.get(release_id)

    with pytest.raises(rk.exceptions.LeaseHeldError, match=r"held by ci \(2.4.0\)"):
        desk.run_tests(release_id, by="ci")

    assert (first, before) == (desk.store.current(LEASE, now=FRIDAY), desk.get(release_id))


def test_a_step_begun_on_another_host_is_resumed_only_when_forced(
    desk: rk.Desk, runner: WatchingRunner
) -> None:
    """From here nobody can tell whether it still runs there: a person checks, then forces."""
    dead = interrupted(desk, runner=elsewhere(4242))
    before = desk.get("2.4.0")

    with pytest.raises(rk.exceptions.AttemptStillRunningError) as refused:
        desk.resume("2.4.0", by="anton")

    assert (ELSEWHERE, 4242, "releasekit", False) == (
        refused.value.host,
        refused.value.pid,
        refused.value.role,
        refused.value.running,
    )
    assert f"check on {ELSEWHERE} that process 4242 ended" in str(refused.value)
    assert "--force" in str(refused.value)
    assert (before, dead) == (desk.get("2.4.0"), desk.store.current(LEASE, now=FRIDAY))

    resumed = desk.resume("2.4.0", by="anton", force=True)

    (attempt,) = runner.seen
    assert attempt is not None
    assert attempt.lease is not None
    assert ("anton (2.4.0)", this_process(), True) == (
        attempt.lease.holder,
        attempt.runner,
        attempt.lease.token != dead.token,
    )
    assert (
        "resumed 2.4.0/4: took over the lease test-run:tests from the interrupted run; "
        f"releasekit python (pid 4242) on {ELSEWHERE} cannot be checked from {this_host()} "
        "(forced)"
    ) == desk.history("2.4.0")[-2].reason
    assert (True, None) == (
        resumed.release.evidence_of(rk.TestRun)[-1].passed,
        desk.store.current(LEASE, now=FRIDAY),
    )


def test_a_step_whose_process_runs_on_this_host_is_not_resumed_even_forced(
    desk: rk.Desk, sleeper: subprocess.Popen[bytes], runner: WatchingRunner
) -> None:
    """Force is for what cannot be checked: a process seen running here is never run beside."""
    interrupted(desk, runner=describe(sleeper.pid))

    for force in (False, True):
        with pytest.raises(
            rk.exceptions.AttemptStillRunningError, match=f"{sleeper.pid} on .* still runs"
        ):
            desk.resume("2.4.0", by="anton", force=force)

    assert [] == runner.seen


def test_a_process_that_got_the_recorded_pid_later_does_not_block(
    desk: rk.Desk, sleeper: subprocess.Popen[bytes], runner: WatchingRunner
) -> None:
    """The recorded process ended and its pid went to another one: the step is resumed."""
    now = describe(sleeper.pid)
    interrupted(desk, runner=attrs.evolve(now, start=now.start.rpartition(":")[0] + ":7"))

    desk.resume("2.4.0", by="anton")

    assert 1 == len(runner.seen)


def test_resume_leaves_a_lease_another_run_took_since(
    desk: rk.Desk, clock: rk.FixedClock, runner: WatchingRunner
) -> None:
    """The dead run's lease lapsed and went to another run: resume is refused, writes nothing."""
    interrupted(desk, runner=None)
    clock.advance(hours=3)
    other = desk.store.acquire(
        LEASE, holder="nightly (2.3.9)", now=clock.now(), ttl=dt.timedelta(hours=2)
    )
    before = desk.get("2.4.0")

    with pytest.raises(rk.exceptions.LeaseHeldError, match=r"held by nightly \(2.3.9\)"):
        desk.resume("2.4.0", by="anton")

    assert (before, other, []) == (
        desk.get("2.4.0"),
        desk.store.current(LEASE, now=clock.now()),
        runner.seen,
    )


def test_resume_takes_afresh_a_lease_that_was_given_back(
    desk: rk.Desk, runner: WatchingRunner
) -> None:
    """If the dead run's lease is free, the resumed run takes it anew, and says so."""
    dead = interrupted(desk, runner=None)
    desk.store.release(LEASE, token=dead.token)

    desk.resume("2.4.0", by="anton")

    assert (
        "resumed 2.4.0/4: took the lease test-run:tests afresh: the interrupted run no longer "
        "held it"
    ) == desk.history("2.4.0")[-2].reason
    assert 1 == len(runner.seen)


def test_abandon_attempt_gives_the_lease_back_by_its_token(desk: rk.Desk) -> None:
    """Giving up a dead run frees the tests environment at once, and the history says so."""
    interrupted(desk, runner=None)

    desk.abandon_attempt("2.4.0", by="anton", reason="ci was killed")

    assert desk.store.current(LEASE, now=FRIDAY) is None
    assert (
        "ci was killed (gave back the lease test-run:tests, held by ci (2.4.0) since "
        "2026-11-27T10:00:00+00:00)"
    ) == desk.history("2.4.0")[-1].reason


def test_abandon_attempt_leaves_alone_a_lease_another_run_took(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """Only the dead run's token gives its lease back: one another run took since stays."""
    interrupted(desk, runner=None)
    clock.advance(hours=3)
    other = desk.store.acquire(
        LEASE, holder="nightly (2.3.9)", now=clock.now(), ttl=dt.timedelta(hours=2)
    )

    desk.abandon_attempt("2.4.0", by="anton", reason="ci was killed")

    assert other == desk.store.current(LEASE, now=clock.now())
    assert (
        "ci was killed (its lease test-run:tests was no longer held by it: nightly (2.3.9) "
        "holds it now)"
    ) == desk.history("2.4.0")[-1].reason


def test_abandon_attempt_of_a_run_on_another_host_needs_force(desk: rk.Desk) -> None:
    """Giving up a step that may still run elsewhere would free its lease: a person checks first."""
    dead = interrupted(desk, runner=elsewhere())

    with pytest.raises(rk.exceptions.AttemptStillRunningError, match="cannot tell") as refused:
        desk.abandon_attempt("2.4.0", by="anton", reason="ci-7 is gone")
    assert dead == desk.store.current(LEASE, now=FRIDAY)

    desk.abandon_attempt("2.4.0", by="anton", reason="ci-7 is gone", force=True)

    assert ["abandon-step --force (force=True) gives the step up even so and frees its lease"] == (
        refused.value.__notes__
    )
    assert (None, "step-abandoned") == (
        desk.store.current(LEASE, now=FRIDAY),
        actions(desk)[-1],
    )
