"""What resuming or giving up an interrupted attempt does about its processes and its lease.

A step records the releasekit process running it and each program its
executor started. Before the step is run again (``resume``) or given up
(``abandon-step``), each is looked for: one that still runs on this host
means the step is not interrupted at all, and one recorded on another host
cannot be checked from here — a person must check and say so (``force``).

The step's lease is then handed on explicitly, by the token recorded with the
step: taken over by the run that resumes it, or given back when it is given
up — never left to lapse, and never touched if another run holds it now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions.processes import Liveness, describe, liveness, this_host, this_process
from releasekit._records.converter import iso
from releasekit._records.processes import HostProcess
from releasekit.exceptions import AttemptStillRunningError, ConflictError, LeaseNotHeldError

if TYPE_CHECKING:
    import datetime as dt

    from releasekit._actions.executors.requests import ChildHook
    from releasekit._records.ledger import Ledger
    from releasekit._records.store import Lease, Store
    from releasekit._records.values import Attempt, Record
    from releasekit._rules.clock import Clock

__all__ = [
    "Sighting",
    "child_recorder",
    "described",
    "give_back",
    "look_for",
    "require_ended",
    "take_over",
]

#: The role of the releasekit process that runs a step.
RUNNER = "releasekit"
#: The role of a program the executor started for a step.
CHILD = "executor"
#: How often recording a child is tried again when another write came first.
_TRIES = 5


@attrs.frozen(kw_only=True)
class Sighting:
    """A process recorded with a step, and whether it still runs.

    Attributes:
        process: The process.
        role: ``"releasekit"`` (it runs the step) or ``"executor"`` (the
            executor started it).
        liveness: Whether it still runs, as far as this host can tell.
    """

    process: HostProcess
    role: str
    liveness: Liveness

    def __str__(self) -> str:
        """Say it in words: ``executor dt (pid 1240) on ci-7 has ended``."""
        state = {
            Liveness.RUNNING: "still runs",
            Liveness.ENDED: "has ended",
            Liveness.UNKNOWN: f"cannot be checked from {this_host()}",
        }[self.liveness]
        return f"{self.role} {self.process} {state}"


def look_for(attempt: Attempt) -> tuple[Sighting, ...]:
    """Look for each process recorded with *attempt*: its runner first, then its children.

    A runner that is this very process is not running the step now (this
    process is asking), so it counts as ended; the programs it started are
    still looked for.
    """
    me = this_process()
    sightings = []
    if attempt.runner is not None:
        runner = attempt.runner
        itself = (runner.host, runner.pid, runner.start) == (me.host, me.pid, me.start)
        found = Liveness.ENDED if itself else liveness(runner)
        sightings.append(Sighting(process=runner, role=RUNNER, liveness=found))
    sightings.extend(
        Sighting(process=child, role=CHILD, liveness=liveness(child, group=True))
        for child in attempt.children
    )
    return tuple(sightings)


def require_ended(
    record: Record, sightings: tuple[Sighting, ...], *, force: bool, running_ok: bool
) -> None:
    """Refuse to go on while a process of the step may still run it.

    Args:
        record: The release, its attempt in flight.
        sightings: What :func:`look_for` found.
        force: A person checked the processes of other hosts: go on despite them.
        running_ok: Go on even past a process known to run (giving a step up
            may; running it again may not).

    Raises:
        AttemptStillRunningError: Naming the first process that may still run.
    """
    attempt = record.attempt
    assert attempt is not None  # noqa: S101  # the caller checked there is a step
    for sighting in sightings:
        running = sighting.liveness is Liveness.RUNNING
        if (running and not running_ok) or (sighting.liveness is Liveness.UNKNOWN and not force):
            raise AttemptStillRunningError(
                release_id=record.id,
                attempt_id=attempt.id,
                capability=attempt.capability,
                started_at=attempt.started_at,
                host=sighting.process.host,
                pid=sighting.process.pid,
                role=sighting.role,
                running=running,
            )


def described(sightings: tuple[Sighting, ...], *, forced: bool) -> str:
    """Say what became of each process, and that a person forced the way past any still there."""
    told = "; ".join(str(sighting) for sighting in sightings)
    if forced and any(sighting.liveness is not Liveness.ENDED for sighting in sightings):
        told += " (forced)"
    return told


def take_over(
    store: Store, attempt: Attempt, *, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta
) -> tuple[Lease, str]:
    """Take the lease *name* for the run resuming *attempt*; return it and what was done.

    The interrupted run's lease is handed over by its recorded token; if that
    token no longer holds it (it was given back, or lapsed and went to another
    run), the lease is taken afresh.

    Raises:
        LeaseHeldError: Another run holds it now; nothing changed.
    """
    recorded = attempt.lease
    if recorded is not None and recorded.name == name:
        try:
            lease = store.take_over(name, token=recorded.token, holder=holder, now=now, ttl=ttl)
        except LeaseNotHeldError:
            pass
        else:
            return lease, f"took over the lease {name} from the interrupted run"
    lease = store.acquire(name, holder=holder, now=now, ttl=ttl)
    if recorded is None:
        return lease, f"took the lease {name}"
    return lease, f"took the lease {name} afresh: the interrupted run no longer held it"


def give_back(store: Store, attempt: Attempt) -> str:
    """Give back the lease recorded with *attempt* if its token holds it; say what was done."""
    recorded = attempt.lease
    if recorded is None:
        return ""
    try:
        store.release(recorded.name, token=recorded.token)
    except LeaseNotHeldError as gone:
        now = f"{gone.holder} holds it now" if gone.holder is not None else "nobody holds it now"
        return f"its lease {recorded.name} was no longer held by it: {now}"
    return (
        f"gave back the lease {recorded.name}, held by {recorded.holder} since "
        f"{iso(recorded.since)}"
    )


def child_recorder(
    ledger: Ledger, release_id: str, attempt_id: str, *, by: str, clock: Clock
) -> ChildHook:
    """Return the callback that records each program the executor starts for the step.

    It runs in the thread that runs the step, before the executor waits for the
    program; if another tool wrote to the release meanwhile, it loads the
    release again and retries.
    """

    def add_child_process(pid: int) -> None:
        process = describe(pid)
        for remaining in reversed(range(_TRIES)):
            try:
                ledger.add_child_process(
                    ledger.load(release_id), attempt_id, process, by=by, at=clock.now()
                )
            except ConflictError:
                if not remaining:
                    raise
            else:
                return

    return add_child_process
