"""Ended releases: what may still be done with a release that went as far as it goes.

A release **has ended** when it was abandoned or rolled back: from then on it
can only be read (its record, status, history, verification, an explanation or
a plan saying it is finished). Every other action on it is refused.

A release **has finished its flow** when it reached the last environment of
its flow (production): no evidence, test run, migration, promotion or
abandoning concerns it any more, but the operations of that environment do —
monitoring, log checks, attention items and the rollback.

Either way the refusal is one :class:`~releasekit.exceptions.ReleaseEndedError`
naming the release, where it is and the action refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit.exceptions import ReleaseEndedError

if TYPE_CHECKING:
    from releasekit._rules.policy import Policy
    from releasekit._rules.release import Release

__all__ = ["ABANDONED", "ENDED_STATES", "ROLLED_BACK", "has_ended", "require_open"]

#: The state of a release that was given up before reaching the end of its flow.
ABANDONED = "abandoned"

#: The state of a release taken out of the last environment by a rollback.
ROLLED_BACK = "rolled-back"

#: The states of a release that has ended.
ENDED_STATES = frozenset({ABANDONED, ROLLED_BACK})


def has_ended(release: Release) -> bool:
    """Whether the release was abandoned or rolled back."""
    return release.state in ENDED_STATES


def require_open(policy: Policy, release: Release, *, action: str, at_end: bool = False) -> None:
    """Refuse *action* on a release that has ended — or finished its flow, unless *at_end*.

    Args:
        policy: The policy the release follows.
        release: The release acted on.
        action: What is asked, for the message, e.g. ``"record evidence"``.
        at_end: Whether the action concerns the last environment itself (a
            production log check, an attention item, a rollback), and so is
            allowed on a release that finished its flow there.

    Raises:
        ReleaseEndedError: The release was abandoned or rolled back; or it is in
            the last environment of its flow and *at_end* is false.
    """
    if release.state in ENDED_STATES:
        raise ReleaseEndedError(
            release_id=release.id, state=release.state, action=action, ended=True
        )
    if not at_end and release.state == policy.flow(release.kind).path[-1]:
        raise ReleaseEndedError(
            release_id=release.id, state=release.state, action=action, ended=False
        )
