"""Which process runs a step, and whether a recorded one still runs: all the OS probing.

On Linux a process is told from a later one given the same pid by its start
— the boot it belongs to (``/proc/sys/kernel/random/boot_id``) and the clock
tick it started at (``/proc/<pid>/stat``) — so a reused pid does not pass for
the process that was recorded. Elsewhere on POSIX only the pid is known, and
a live pid counts as the recorded process still running: the careful answer.
A process recorded on another host cannot be checked from this one at all.
"""

from __future__ import annotations

import enum
import functools
import os
import socket
from pathlib import Path

import pendulum

from releasekit._records.processes import HostProcess

__all__ = ["Liveness", "describe", "liveness", "this_host", "this_process"]

_PROC = Path("/proc")
#: The states of ``/proc/<pid>/stat`` of a process that ended (zombie, dead).
_ENDED_STATES = frozenset("ZXx")
#: Where ``starttime`` is among the fields after the program's name in ``/proc/<pid>/stat``.
_START_FIELD = 19
#: Where ``pgrp`` (the process group) is among those fields.
_GROUP_FIELD = 2


class Liveness(enum.Enum):
    """Whether a recorded process still runs, as far as this host can tell."""

    #: It runs (or, where the OS cannot tell one process from a later one with
    #: its pid, a process with its pid runs).
    RUNNING = "running"
    #: It ended: its pid is gone, taken by a later process, or the host rebooted.
    ENDED = "ended"
    #: It was recorded on another host: from here, nobody can tell.
    UNKNOWN = "unknown"


@functools.cache
def this_host() -> str:
    """Return the name of this host, as processes are recorded with it."""
    return socket.gethostname() or "localhost"


@functools.cache
def _boot() -> str:
    """Return this boot's id on Linux, or ``""``."""
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


@functools.cache
def _booted_at() -> float | None:
    """Return when this host booted, in seconds since the epoch, on Linux."""
    try:
        lines = (_PROC / "stat").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("btime "):
            return float(line.split()[1])
    return None  # pragma: no cover  # every Linux /proc/stat has btime


def _stat(pid: int) -> tuple[str, str, int] | None:
    """Return the program name, state and start tick of *pid* from ``/proc``, if it is there."""
    try:
        raw = (_PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    text = raw.decode("utf-8", errors="replace")
    head, _, tail = text.rpartition(")")  # the name may hold spaces and parentheses
    fields = tail.split()
    if len(fields) <= _START_FIELD:  # pragma: no cover  # a kernel with another layout
        return None
    return head.partition("(")[2], fields[0], int(fields[_START_FIELD])


def describe(pid: int) -> HostProcess:
    """Return the process *pid* of this host as a step records it (its start, where known)."""
    stat = _stat(pid)
    if stat is None:
        return HostProcess(host=this_host(), pid=pid)
    name, _state, ticks = stat
    booted = _booted_at()
    started_at = (
        pendulum.from_timestamp(booted + ticks / os.sysconf("SC_CLK_TCK"), tz="UTC")
        if booted is not None
        else None
    )
    return HostProcess(
        host=this_host(), pid=pid, name=name, started_at=started_at, start=f"{_boot()}:{ticks}"
    )


def this_process() -> HostProcess:
    """Return the process running this code, as a step records it."""
    return _this_process(os.getpid())


@functools.cache
def _this_process(pid: int) -> HostProcess:  # by pid: a forked child is another process
    return describe(pid)


def liveness(process: HostProcess, *, group: bool = False) -> Liveness:
    """Tell whether *process*, recorded earlier, still runs.

    Only a process of this host can be checked; on Linux its start is compared
    too, so a later process that got the same pid counts as the recorded one
    having ended.

    Args:
        process: The process as recorded.
        group: Count the programs it started in its process group too: a
            program an executor started leads a group of its own, and its
            work may go on in processes of that group after it exited.
    """
    if process.host != this_host() or os.name != "posix":
        return Liveness.UNKNOWN
    if not _PROC.joinpath("self", "stat").exists():  # pragma: no cover  # POSIX without /proc
        return _pid_liveness(process.pid)
    return Liveness.RUNNING if _runs(process, group=group) else Liveness.ENDED


def _runs(process: HostProcess, *, group: bool) -> bool:
    """Whether *process* (or, with *group*, a process of its group) runs, read from ``/proc``."""
    if process.start and process.start.rpartition(":")[0] != _boot():
        return False  # the host restarted since
    stat = _stat(process.pid)
    if stat is not None and process.start and process.start != f"{_boot()}:{stat[2]}":
        # Another process has the pid now; while a group of the recorded one was
        # left, the pid could not have been given out again: none is.
        return False
    if stat is not None and stat[1] not in _ENDED_STATES:
        return True
    return group and _group_runs(process.pid)


def _group_runs(group: int) -> bool:
    """Whether a process of the process group *group* runs (not counting ended ones)."""
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_bytes()
        except OSError:  # it ended while we looked
            continue
        fields = raw.decode("utf-8", errors="replace").rpartition(")")[2].split()
        member = len(fields) > _GROUP_FIELD and fields[_GROUP_FIELD] == str(group)
        if member and fields[0] not in _ENDED_STATES:
            return True
    return False


def _pid_liveness(pid: int) -> Liveness:  # pragma: no cover  # macOS and the BSDs: the pid alone
    """Tell whether a process with *pid* runs, where the OS cannot say which process it is."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return Liveness.ENDED
    except PermissionError:  # it runs, as another user
        return Liveness.RUNNING
    return Liveness.RUNNING
