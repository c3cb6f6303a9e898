"""Evidence admitted to a release: checked against the release, the policy and the clock.

Before the engine records evidence, each item must be dated no later than the
instant it is recorded (give or take :data:`~releasekit.CLOCK_SKEW_TOLERANCE`),
be for the release's version, name environments of the policy, and come from
someone who may act in the environment it concerns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from releasekit._rules.evidence import (
    CLOCK_SKEW_TOLERANCE,
    ChangeReview,
    LogReview,
    MigrationRun,
    TestRun,
    TestsWritten,
)
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt

    import pendulum

    from releasekit._rules.evidence import Evidence
    from releasekit._rules.policy import Policy
    from releasekit._rules.release import Release

__all__ = ["RequireActor", "check_evidence"]


class RequireActor(Protocol):
    """Refuses *actor* unless they may act in *environment*: :meth:`Engine.require_actor`."""

    def __call__(self, environment: str, actor: str, *, action: str) -> None:
        """Raise if *actor* may not act in *environment*."""


def check_evidence(
    policy: Policy,
    release: Release,
    item: Evidence,
    now: pendulum.DateTime,
    *,
    require_actor: RequireActor,
) -> None:
    """Refuse *item* unless it may be recorded on *release* at *now*.

    Args:
        policy: The policy the release follows.
        release: The release the evidence is for.
        item: The evidence, its author already credited as the person they are.
        now: The instant it is recorded.
        require_actor: Refuses an author who may not act in an environment.

    Raises:
        InvalidInputError: The evidence is dated in the future, names another
            version or an unknown environment.
        NotPermittedError: Its author may not act in the environment it concerns.
    """
    if item.at > now + CLOCK_SKEW_TOLERANCE:
        raise InvalidInputError(
            f"this {type(item).__name__} is dated {item.at.isoformat()}, after the instant "
            f"it is recorded ({now.isoformat()}) by more than the "
            f"{_minutes(CLOCK_SKEW_TOLERANCE)} allowed for clock skew; record evidence once "
            "it has happened, dated when it happened",
            field="at",
            value=item.at,
        )
    version = getattr(item, "version", release.version)
    if isinstance(item, TestRun | MigrationRun | ChangeReview) and version != release.version:
        raise InvalidInputError(
            f"this {type(item).__name__} is for version {version}, but release {release.id} "
            f"is {release.version}; record it on the release of {version}",
            field="version",
            value=version,
        )
    if isinstance(item, LogReview):
        for name in sorted(item.environments):
            policy.environment(name)
        return
    if isinstance(item, TestsWritten):
        where: str | None = release.origin
    else:
        where = getattr(item, "environment", None)
    if where is not None:
        policy.environment(where)
        require_actor(where, item.by, action=f"record a {type(item).__name__}")


def _minutes(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
