"""A plan's timeline: when each remaining step can happen at the earliest, and what it still owes.

For each step, in order, the release is assumed to arrive in the step's source
as early as the step before allows (now, for the next step). From there:

* a test run the step still needs, on an environment with a daily scheduled
  run, starts at the first moment a run of the usual length fits outside the
  run's reservation (a manual run may not start inside it) and takes that long;
* then the step waits for every time rule to allow it — its windows, its
  freezes, a team's own time guards — found exactly (see ``_forecast``);
* the evidence the step still needs is read at that instant on the release
  as it will be by then, so a log review that is fresh now but will be too
  old by the time a window opens is owed again, from ``max_age`` before.

Nothing here reads the clock: the plan is made for an instant passed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._rules import _forecast
from releasekit._rules.freezes import OutsideFreeze
from releasekit._rules.guards import (
    GuardContext,
    GuardKind,
    InsideWindow,
    LogsReviewed,
    TestsPassed,
    TimeGuard,
    when,
)
from releasekit._rules.release import Move

if TYPE_CHECKING:
    from releasekit._rules.policy import Policy, Step
    from releasekit._rules.release import Release
    from releasekit._rules.verdicts import Blocker

__all__ = ["Owed", "Timed", "Wait", "timeline"]


@attrs.frozen(kw_only=True)
class Owed:
    """Evidence a step still needs, who can give it, and from when it counts.

    Attributes:
        code: The guard that asks for it.
        evidence: The kind of evidence, as ``releasekit record`` names it
            (``"sign-off"``); ``None`` when no evidence clears it.
        unblocked_by: Who can give it: people or roles.
        message: What is missing, as the guard says it.
        people: With a roster in the policy, the people who can give it (as
            :attr:`Blocker.people <releasekit.Blocker.people>`); empty without one.
        counts_from: The earliest instant it may be gathered and still count
            for the step on the timeline: once the release is where it must
            be, outside a test run's reservation, and within a log review's
            ``max_age`` of the step.
    """

    code: str
    evidence: str | None
    unblocked_by: tuple[str, ...]
    message: str
    counts_from: pendulum.DateTime
    people: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Wait:
    """A time rule holding a step back on the timeline.

    Attributes:
        code: The guard (``"production-window"``, ``"christmas-freeze"``), or
            ``"scheduled-test-run"`` for a daily run's reservation.
        reason: ``"closed"`` (a window), ``"frozen"`` (a freeze),
            ``"reserved"`` (the daily test run), or ``"time"`` (another time guard).
        start: When it began to hold the step back.
        until: When it lets go.
        message: What it is, for people.
    """

    code: str
    reason: str
    start: pendulum.DateTime
    until: pendulum.DateTime
    message: str


@attrs.frozen(kw_only=True)
class Timed:
    """One step on the timeline, before it becomes a :class:`~releasekit.StepPlan`."""

    arrives: pendulum.DateTime | None
    earliest: pendulum.DateTime | None
    owed: tuple[Owed, ...]
    waits: tuple[Wait, ...]


def _check(step: Step, context: GuardContext) -> list[tuple[object, Blocker]]:
    return [(guard, blocker) for guard in step.guards for blocker in guard.check(context).blockers]


def _wait(guard: object, start: pendulum.DateTime, until: pendulum.DateTime) -> Wait:
    code = str(getattr(guard, "code", "time"))
    if isinstance(guard, InsideWindow):
        message = f"{guard.window.describe()}: closed until {when(until)}"
        return Wait(code=code, reason="closed", start=start, until=until, message=message)
    if isinstance(guard, OutsideFreeze):
        freeze = guard.freeze
        message = f"the {freeze.name} freeze ({freeze.reason}) holds until {when(until)}"
        return Wait(code=code, reason="frozen", start=start, until=until, message=message)
    describe = getattr(guard, "describe", None)
    said = describe() if callable(describe) else code
    message = f"{said}: not before {when(until)}"
    return Wait(code=code, reason="time", start=start, until=until, message=message)


def timeline(
    policy: Policy, release: Release, steps: tuple[Step, ...], now: pendulum.DateTime
) -> list[Timed]:
    """Return when each of *steps* can happen at the earliest, from *now*, and what it owes."""
    timed: list[Timed] = []
    planned = release
    moment: pendulum.DateTime | None = now
    for step in steps:
        if moment is None:
            timed.append(Timed(arrives=None, earliest=None, owed=(), waits=()))
            continue
        arrives = moment
        waits: list[Wait] = []
        ready = arrives
        run_from: dict[str, pendulum.DateTime] = {}
        context = _context(policy, planned, step, arrives)
        for guard, _ in _check(step, context):
            if not isinstance(guard, TestsPassed) or guard.code in run_from:
                continue
            reached = arrives
            schedule = policy.environment(guard.environment).scheduled_test_run
            if schedule is None:
                run_from[guard.code] = reached
                continue
            starts = schedule.next_free(reached, schedule.duration)
            run_from[guard.code] = starts
            if starts > reached:
                waits.append(
                    Wait(
                        code="scheduled-test-run",
                        reason="reserved",
                        start=reached,
                        until=starts,
                        message=f"the daily test run reserves {guard.environment}: a test run "
                        f"fits from {when(starts)}",
                    )
                )
            ready = max(ready, starts + schedule.duration)
        guards = [g for g in step.guards if g.kind is GuardKind.TIME and isinstance(g, TimeGuard)]
        earliest, pushes = _forecast.trace(guards, ready)
        waits.extend(_wait(push.guard, push.start, push.until) for push in pushes)
        at = earliest if earliest is not None else ready
        owed = tuple(
            _owed(guard, blocker, arrives, at, run_from)
            for guard, blocker in _check(step, _context(policy, planned, step, at))
            if getattr(guard, "kind", None) is GuardKind.EVIDENCE
        )
        timed.append(Timed(arrives=arrives, earliest=earliest, owed=owed, waits=tuple(waits)))
        if earliest is not None:
            planned = planned.moved(
                Move(source=step.source, target=step.target, at=earliest, by=release.created_by)
            )
        moment = earliest
    return timed


def _context(policy: Policy, release: Release, step: Step, at: pendulum.DateTime) -> GuardContext:
    return GuardContext(
        release=release, policy=policy, now=at, source=step.source, target=step.target
    )


def _owed(
    guard: object,
    blocker: Blocker,
    arrives: pendulum.DateTime,
    at: pendulum.DateTime,
    run_from: dict[str, pendulum.DateTime],
) -> Owed:
    counts_from = arrives
    if isinstance(guard, TestsPassed):
        counts_from = run_from.get(guard.code, arrives)
    elif isinstance(guard, LogsReviewed):
        counts_from = max(arrives, at - guard.max_age)
    return Owed(
        code=blocker.code,
        evidence=blocker.evidence,
        unblocked_by=blocker.unblocked_by,
        message=blocker.message,
        counts_from=counts_from,
        people=blocker.people,
    )
