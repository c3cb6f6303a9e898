"""Telling whether a recorded process still runs: on this host, by pid and start; elsewhere, not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import attrs
import pytest

import releasekit as rk
from releasekit._actions.processes import Liveness, describe, liveness, this_host, this_process
from releasekit.stores import HostProcess

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/stat"),  # noqa: PTH110  # what the module itself checks
    reason="a process's start is read from /proc (Linux)",
)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process of this host that runs until the test ends."""
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as process:
        try:
            yield process
        finally:
            process.kill()


def test_this_process_runs() -> None:
    """The process asking is running, on this host, and is the same each time it is asked."""
    me = this_process()

    assert (this_host(), os.getpid(), Liveness.RUNNING) == (me.host, me.pid, liveness(me))
    assert me is this_process()


def test_a_process_is_recorded_with_its_start(sleeper: subprocess.Popen[bytes]) -> None:
    """A process is recorded by host, pid, program name and when it started."""
    recorded = describe(sleeper.pid)

    assert (sleeper.pid, True, True) == (
        recorded.pid,
        recorded.name.startswith("python"),
        bool(recorded.start),
    )
    me = this_process()
    assert recorded.started_at is not None
    assert me.started_at is not None
    assert me.started_at <= recorded.started_at  # this process started the sleeper
    assert Liveness.RUNNING == liveness(recorded)


def test_a_process_that_ended_has_ended(sleeper: subprocess.Popen[bytes]) -> None:
    """Once the process exited and was waited for, it has ended."""
    recorded = describe(sleeper.pid)
    sleeper.kill()
    sleeper.wait()

    assert Liveness.ENDED == liveness(recorded)


def test_a_process_that_ended_unreaped_has_ended(sleeper: subprocess.Popen[bytes]) -> None:
    """A zombie — ended, but not waited for by its parent yet — is not running anything."""
    recorded = describe(sleeper.pid)
    sleeper.kill()
    os.waitid(os.P_PID, sleeper.pid, os.WEXITED | os.WNOWAIT)  # ended; left unreaped

    assert Liveness.ENDED == liveness(recorded)


def test_a_later_process_with_the_same_pid_is_not_the_recorded_one(
    sleeper: subprocess.Popen[bytes],
) -> None:
    """A pid reused by another process (another start) does not pass for the recorded process."""
    now = describe(sleeper.pid)
    earlier = attrs.evolve(now, start=now.start.rpartition(":")[0] + ":1")

    assert (Liveness.ENDED, Liveness.ENDED) == (
        liveness(earlier),
        liveness(earlier, group=True),
    )


def test_a_process_of_an_earlier_boot_has_ended(sleeper: subprocess.Popen[bytes]) -> None:
    """Once the host restarted, nothing recorded before runs, whatever has its pid now."""
    recorded = describe(sleeper.pid)
    ticks = recorded.start.rpartition(":")[2]

    assert Liveness.ENDED == liveness(attrs.evolve(recorded, start=f"an-earlier-boot:{ticks}"))


GROUP_LEADER = """\
import subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(worker.pid, flush=True)
sys.stdin.read()
"""


def test_a_program_whose_group_works_on_still_runs() -> None:
    """A program leading a group of its own runs on, for its group, while a process it left does."""
    with subprocess.Popen(  # noqa: S603  # this interpreter, running the script above
        [sys.executable, "-c", GROUP_LEADER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    ) as leader:
        assert leader.stdout is not None
        assert leader.stdin is not None
        worker = int(leader.stdout.readline())
        recorded = describe(leader.pid)
        leader.stdin.close()
        leader.wait()
        try:
            assert (Liveness.ENDED, Liveness.RUNNING) == (
                liveness(recorded),
                liveness(recorded, group=True),
            )
        finally:
            os.kill(worker, signal.SIGKILL)
        for _ in range(1000):  # the worker's new parent reaps it, or leaves it a zombie
            if liveness(recorded, group=True) is Liveness.ENDED:
                break
            time.sleep(0.01)
        assert Liveness.ENDED == liveness(recorded, group=True)


def test_a_process_of_another_host_cannot_be_checked() -> None:
    """From here, nobody can tell whether a process on another host still runs."""
    elsewhere = HostProcess(host=f"not-{this_host()}", pid=os.getpid())

    assert Liveness.UNKNOWN == liveness(elsewhere)


def test_a_process_reads_as_a_person_looks_for_it() -> None:
    """Its text names the program, the pid and the host."""
    assert "dt (pid 1240) on ci-7" == str(HostProcess(host="ci-7", pid=1240, name="dt"))
    assert "process 1240 on ci-7" == str(HostProcess(host="ci-7", pid=1240))


@pytest.mark.parametrize("pid", [0, -1, True, "1240", 1.5])
def test_a_pid_is_a_whole_number_above_zero(pid: object) -> None:
    """A recorded process needs a real process id."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="process id") as raised:
        HostProcess(host="ci-7", pid=pid)  # type: ignore[arg-type]

    assert "pid" == raised.value.field
