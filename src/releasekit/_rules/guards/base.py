"""What every guard is made of: its kind, its context, its protocol, and shared helpers.

Each guard lives in the module of what it reads (:mod:`.runs`, :mod:`.reviews`,
:mod:`.actors`, :mod:`.windows`, :mod:`.custom`); :mod:`releasekit._rules.guards`
gathers them.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

import attrs
import pendulum

from releasekit._rules import _forecast, _time
from releasekit._rules.evidence import (
    MigrationRun,
    TestRun,
)
from releasekit._rules.identity import actor_identity
from releasekit._rules.release import Release
from releasekit._rules.verdicts import Blocker, Verdict
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    # The policy imports the guards; a guard context is never (de)serialized.
    from releasekit._rules.policy import Policy  # noqa: TC004

__all__ = [
    "Guard",
    "GuardContext",
    "GuardKind",
    "TimeGuard",
    "latest_run",
    "names",
    "not_deployed",
    "when",
]


class GuardKind(enum.StrEnum):
    """What a guard reads, which decides whether a flow may lift it."""

    EVIDENCE = "evidence"
    ACTOR = "actor"
    TIME = "time"


@attrs.frozen(kw_only=True)
class GuardContext:
    """Everything a guard may look at.

    Attributes:
        release: The release asking to move.
        policy: The policy in force.
        now: The instant the question is asked for (aware, UTC).
        source: The environment the release would leave.
        target: The environment it would enter.
        actor: Who asks, when known, as an :func:`~releasekit.identity`;
            actor guards pass when it is ``None``.
    """

    release: Release
    policy: Policy
    now: pendulum.DateTime
    source: str
    target: str
    actor: str | None = attrs.field(default=None, converter=actor_identity)

    def allowed_from(self, guard: TimeGuard) -> pendulum.DateTime | None:
        """Return the first instant from :attr:`now` on when every time guard of the step passes.

        Those are the time guards of the policy's step from :attr:`source` for
        the release's kind (windows, freezes, a team's own) when *guard* is one
        of them, else *guard* alone: what a time guard's blocker gives as its
        ``earliest``. ``None`` when no instant in the next two years passes them all.
        """
        try:
            step = self.policy.step_from(self.release.kind, self.source)
        except InvalidInputError:  # the policy has no flow for the release's kind
            step = None
        timed: list[TimeGuard] = [guard]
        if step is not None and step.target == self.target:
            of_step = [g for g in step.time_guards if isinstance(g, TimeGuard)]
            timed = of_step if guard in of_step else timed
        return _forecast.earliest(timed, self.now)

    def blocker(
        self,
        guard: Guard,
        *,
        reason: str,
        message: str,
        hint: str,
        unblocked_by: tuple[str, ...] = (),
        earliest: pendulum.DateTime | None = None,
        evidence: str | None = None,
        people: Iterable[str] | None = None,
    ) -> Blocker:
        """Build a blocker for this step on behalf of *guard*.

        *evidence* names the kind of evidence that clears it (``"sign-off"``,
        see :attr:`~releasekit.Blocker.evidence`), if recording some can.
        With a roster in the policy, the blocker names the *people* who can
        clear it: by default everyone *unblocked_by* names (:meth:`Policy.who
        <releasekit.Policy.who>`).
        """
        return Blocker(
            code=guard.code,
            reason=reason,
            message=message,
            hint=hint,
            unblocked_by=unblocked_by,
            people=self.policy.who(unblocked_by) if people is None else tuple(people),
            earliest=earliest,
            source=self.source,
            target=self.target,
            evidence=evidence,
        )


@runtime_checkable
class Guard(Protocol):
    """The interface every guard provides."""

    @property
    def code(self) -> str:
        """A stable code, unique within a step, e.g. ``"tests-passed"``."""
        ...

    @property
    def kind(self) -> GuardKind:
        """What the guard reads; only ``TIME`` guards may be lifted by a flow."""
        ...

    def check(self, context: GuardContext) -> Verdict:
        """Decide whether the step may happen."""
        ...

    def describe(self) -> str:
        """Say in a few words what the guard requires, for diagrams and plans."""
        ...

    def environments(self) -> frozenset[str]:
        """Name every environment the guard refers to, so a policy can validate it."""
        ...


@runtime_checkable
class TimeGuard(Guard, Protocol):
    """A guard that depends only on time, and can say when it will pass."""

    def earliest(self, after: pendulum.DateTime) -> pendulum.DateTime | None:
        """Return the earliest instant at or after *after* when the guard passes."""
        ...


def when(moment: pendulum.DateTime) -> str:
    """Format an instant for messages: ``Sat 2026-11-28 09:00 UTC``."""
    return _time.when(moment)


def names(items: tuple[str, ...] | frozenset[str]) -> str:
    ordered = sorted(items) if isinstance(items, frozenset) else list(items)
    return ", ".join(ordered)


def not_deployed(guard: Guard, context: GuardContext, environment: str) -> Verdict:
    version = context.release.version
    return Verdict.blocked(
        context.blocker(
            guard,
            reason="not-deployed",
            message=f"{version} has not reached {environment} yet",
            hint=f"promote the release to {environment} first",
            unblocked_by=("team",),
        )
    )


Run = TypeVar("Run", TestRun, MigrationRun)


def latest_run(kind: type[Run], context: GuardContext, environment: str) -> Run | None:
    """Return the latest run of *kind* that counts: this version, there, since it got there."""
    release = context.release
    entered = release.entered_at(environment)
    runs = [
        run
        for run in release.evidence_of(kind)
        if run.environment == environment
        and run.version == release.version
        and entered is not None
        and entered <= run.at <= context.now
    ]
    return max(runs, key=lambda run: run.at) if runs else None
