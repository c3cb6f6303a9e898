"""Walking a release forward through its flow, for tests that need it somewhere.

A test about production wants a release in stage first, with the evidence
every step before asked for. :func:`walk_to` takes it there: at each step it
records what each guard wants (:func:`~releasekit.testing.satisfying_evidence`,
or a function of your own), waits for the step's windows and reservations to
open, and promotes as someone allowed to. It works on an :class:`Engine`
(values in, values out) and on a :class:`Desk` whose clock is a
:class:`FixedClock` (everything is written to its store, its clock moved on).
On a desk it can also run the tests and migrations a step asks for through the
desk's executors, as a team would, instead of recording their results.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, overload

from releasekit._rules import guards
from releasekit._rules._time import instant
from releasekit._rules.clock import FixedClock
from releasekit._rules.engine import Engine
from releasekit._rules.release import Release
from releasekit.exceptions import InvalidInputError
from releasekit.testing.machine import _actor_in, satisfying_evidence

if TYPE_CHECKING:
    import pendulum

    from releasekit._actions.desk import Desk
    from releasekit._records.values import Record
    from releasekit._rules.engine import Explanation
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.policy import Policy, Step

__all__ = ["EvidenceFor", "walk_to"]

#: How often a walk waits for a time guard to open before it gives up on a step.
_WAITS = 8


class EvidenceFor(Protocol):
    """What :func:`walk_to` asks for the evidence that satisfies one guard."""

    def __call__(
        self, guard: guards.Guard, release: Release, policy: Policy, now: pendulum.DateTime
    ) -> tuple[Evidence, ...]:
        """Return evidence that makes *guard* pass for *release* at *now* (or none)."""
        ...


@overload
def walk_to(
    engine: Engine,
    release: Release,
    target: str,
    *,
    now: dt.datetime,
    every: dt.timedelta = ...,
    evidence: EvidenceFor = ...,
) -> tuple[Release, pendulum.DateTime]: ...


@overload
def walk_to(
    engine: Desk,
    release: str | Record | Release,
    target: str,
    *,
    now: dt.datetime | None = ...,
    every: dt.timedelta = ...,
    evidence: EvidenceFor = ...,
    through_executors: bool = ...,
) -> tuple[Release, pendulum.DateTime]: ...


def walk_to(
    engine: Engine | Desk,
    release: Release | Record | str,
    target: str,
    *,
    now: dt.datetime | None = None,
    every: dt.timedelta = dt.timedelta(minutes=10),
    evidence: EvidenceFor = satisfying_evidence,
    through_executors: bool = False,
) -> tuple[Release, pendulum.DateTime]:
    """Take *release* step by step until it is in *target*; return it and the last step's time.

    Each step happens *every* after the one before: the evidence is added,
    and *every* later the release is promoted, by the first owner of the
    environment it leaves allowed to take the step (else of the one it
    enters, else whoever started the release). A step held by a window or a
    reservation waits for its earliest moment (evidence is recorded again
    there, so it is fresh).

    Args:
        engine: An :class:`Engine` (with *release* a :class:`Release` and *now*
            when the walk starts) or a :class:`Desk` (with *release* its id;
            the walk starts at the desk's clock unless *now* is given, and sets
            that :class:`FixedClock` as it goes).
        release: The release; on a desk its id, or the record
            :meth:`Desk.start` returned.
        target: An environment on the release's path, after where it is.
        now: When the walk starts.
        every: The time between recording evidence and promoting, and between
            steps; zero takes every step at one moment (waits still move it on).
        evidence: Evidence for one guard; :func:`satisfying_evidence` by default
            (override it for a team's own guard types).
        through_executors: On a desk, run the tests and the migrations a step
            asks for where the release is (:meth:`Desk.run_tests`,
            :meth:`Desk.migrate`, through the desk's executors) instead of
            recording a passing run. Each runs once a step, as someone allowed
            to act where it runs; what it records is what the guard reads.

    Raises:
        InvalidInputError: *target* is not ahead of the release on its path,
            a desk's clock is not a :class:`FixedClock`, or a step stays
            blocked by something evidence and waiting cannot clear (the
            error names its blockers), *every* is negative, or
            *through_executors* is asked of an engine.
    """
    if every < dt.timedelta(0):
        msg = f"a walk goes forward in time: every must not be negative, not {every}"
        raise InvalidInputError(msg, field="every", value=every)
    walker = _Walker.of(
        engine, release, now, every=every, evidence=evidence, through_executors=through_executors
    )
    path = walker.engine.policy.flow(walker.release.kind).path
    state = walker.release.state
    if target not in path or state not in path or path.index(target) <= path.index(state):
        msg = (
            f"{target!r} is not ahead of {walker.release.id} on its path "
            f"({' -> '.join(path)}; it is in {state!r})"
        )
        raise InvalidInputError(msg, field="target", value=target)
    while walker.release.state != target:
        walker.step()
    return walker.release, walker.now


class _Walker:
    """One walk: the release as it stands, the time, and where to write."""

    def __init__(
        self,
        engine: Engine,
        release: Release,
        now: pendulum.DateTime,
        *,
        every: dt.timedelta,
        evidence: EvidenceFor,
        desk: Desk | None,
        through_executors: bool = False,
    ) -> None:
        self.engine, self.release, self.now = engine, release, now
        self.every, self.evidence, self.desk = every, evidence, desk
        self.through_executors = through_executors

    @classmethod
    def of(
        cls,
        engine: Engine | Desk,
        release: Release | Record | str,
        now: dt.datetime | None,
        *,
        every: dt.timedelta,
        evidence: EvidenceFor,
        through_executors: bool,
    ) -> _Walker:
        if isinstance(engine, Engine):
            if through_executors:
                msg = "an engine has no executors: walk a desk to run tests and migrations"
                raise InvalidInputError(msg, field="through_executors", value=through_executors)
            if not isinstance(release, Release) or now is None:
                msg = "on an engine, walk a Release value from a given `now`"
                raise InvalidInputError(msg, field="release", value=release)
            return cls(engine, release, instant(now), every=every, evidence=evidence, desk=None)
        desk = engine
        if not isinstance(desk.clock, FixedClock):
            msg = "a walk on a desk moves its clock: build the desk with a FixedClock"
            raise InvalidInputError(msg, field="clock", value=type(desk.clock).__name__)
        release_id = release if isinstance(release, str) else release.id
        start = instant(now) if now is not None else desk.clock.now()
        return cls(
            desk.engine,
            desk.get(release_id).release,
            start,
            every=every,
            evidence=evidence,
            desk=desk,
            through_executors=through_executors,
        )

    def step(self) -> None:
        step = self.engine.next_step(self.release)
        if step is None:  # pragma: no cover  # walk_to checked the target is ahead
            msg = f"{self.release.id} has no next step"
            raise InvalidInputError(msg, field="target", value=self.release.state)
        self.now = self.now + self.every
        run = self._run(step)
        self._record(step, skip=run)
        for _ in range(_WAITS):
            explanation = self.engine.explain(self.release, now=self.now + self.every)
            waits = [blocker.earliest for blocker in explanation.blockers]
            if explanation.allowed or None in waits:
                break
            self.now = max(wait for wait in waits if wait is not None)
            self._record(step, skip=run)
        self.now = self.now + self.every
        self._promote(step)

    def _run(self, step: Step) -> tuple[guards.Guard, ...]:
        """Run through the desk's executors what they can do for *step*; return those guards."""
        if self.desk is None or not self.through_executors:
            return ()
        ran: list[guards.Guard] = []
        for guard in step.guards:
            if getattr(guard, "environment", None) != self.release.state:
                continue
            by = _actor_in(self.engine.policy, self.release.state)
            if isinstance(guard, guards.TestsPassed):
                self._set_clock(self.now)
                self.release = self.desk.run_tests(
                    self.release.id, by=by, environment=guard.environment
                ).release
            elif isinstance(guard, guards.MigrationsSucceeded) and self.release.artifact.migrations:
                self._set_clock(self.now)
                self.release = self.desk.migrate(
                    self.release.id, by=by, environment=guard.environment
                ).release
            else:
                continue
            ran.append(guard)
        return tuple(ran)

    def _record(self, step: Step, *, skip: tuple[guards.Guard, ...]) -> None:
        items = [
            item
            for guard in step.guards
            if guard not in skip
            for item in self.evidence(guard, self.release, self.engine.policy, self.now)
        ]
        if not items:
            return
        if self.desk is None:
            self.release = self.engine.add_evidence(self.release, *items, now=self.now)
            return
        self._set_clock(self.now)
        self.release = self.desk.add_evidence(self.release.id, *items).release

    def _promote(self, step: Step) -> None:
        policy = self.engine.policy
        candidates = (
            *sorted(policy.environment(step.source).owners),
            *sorted(policy.environment(step.target).owners),
            self.release.created_by,
        )
        refusals: list[Explanation] = []
        for by in dict.fromkeys(candidates):
            explanation = self.engine.explain(self.release, now=self.now, actor=by)
            if explanation.allowed:
                break
            refusals.append(explanation)
        else:
            reasons = "; ".join(blocker.message for blocker in refusals[0].blockers)
            msg = f"{self.release.id} cannot take {step.source} -> {step.target}: {reasons}"
            raise InvalidInputError(msg, field="target", value=step.target)
        if self.desk is None:
            self.release = self.engine.promote(self.release, by=by, now=self.now, to=step.target)
            return
        self._set_clock(self.now)
        self.release = self.desk.promote(self.release.id, by=by, to=step.target).release

    def _set_clock(self, moment: pendulum.DateTime) -> None:
        assert self.desk is not None  # noqa: S101  # only called on a desk
        clock = self.desk.clock
        assert isinstance(clock, FixedClock)  # noqa: S101  # checked when the walk began
        clock.set(moment)
