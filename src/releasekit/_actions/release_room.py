"""The release lifecycle: a release is started, gathers evidence, and may be abandoned.

Moving a release on is a step (:mod:`~releasekit._actions.step_room`); what
happens here writes one event each and runs no executor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions.room import Room
from releasekit._rules.evidence import TestsWritten
from releasekit._rules.release import ReleaseKind
from releasekit.exceptions import ConflictError, InvalidInputError

if TYPE_CHECKING:
    from releasekit._records.values import Record
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.release import Artifact

__all__ = ["ReleaseRoom"]

#: How many ids derived from a version are tried before giving up.
_MAX_ID_TRIES = 100


@attrs.define(eq=False)
class ReleaseRoom(Room):
    """Start releases, add evidence to them, abandon them."""

    def start(
        self,
        version: str,
        *,
        by: str,
        kind: ReleaseKind | str = ReleaseKind.NORMAL,
        artifact: Artifact | None = None,
        release_id: str | None = None,
    ) -> Record:
        """Start a release of *version* in the first environment of its flow.

        Args:
            version: The version to release.
            by: Who starts it; they must be allowed to act in the first environment.
            kind: ``normal`` or ``hotfix``.
            artifact: What the release ships.
            release_id: An id of your own; by default the version, made unique
                with a suffix (``2.4.0``, ``2.4.0-2``, …).

        Raises:
            NotPermittedError: *by* may not act in the first environment.
            ConflictError: *release_id* was given and is taken.
            InvalidInputError: A value cannot be used, e.g. a version the policy
                does not accept (:meth:`Policy.check_version`).
        """
        by = self.person(by)
        self.policy.check_version(version)
        now = self.clock.now()
        candidates = (
            [release_id]
            if release_id is not None
            else [version, *(f"{version}-{n}" for n in range(2, _MAX_ID_TRIES))]
        )
        for candidate in candidates:
            if release_id is None and self.ledger.find(candidate) is not None:
                continue
            release = self.engine.start(
                release_id=candidate, version=version, kind=kind, by=by, now=now, artifact=artifact
            )
            try:
                return self.ledger.start(release)
            except ConflictError:
                if release_id is not None:
                    raise
        raise InvalidInputError(  # pragma: no cover  # a hundred releases of one version
            f"{_MAX_ID_TRIES} releases of {version} exist; pass release_id=... to name a new one",
            field="version",
            value=version,
        )

    def add_evidence(self, release_id: str, *evidence: Evidence, by: str | None = None) -> Record:
        """Add evidence to a release after checking it belongs there.

        In an environment with owners, both the evidence's author and whoever
        records it must be owners.

        Args:
            release_id: The release.
            *evidence: The evidence, each saying who produced it.
            by: Who records it, if not its author (e.g. a bot).

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The evidence is for another version or environment,
                or dated in the future (beyond :data:`~releasekit.CLOCK_SKEW_TOLERANCE`).
            NotPermittedError: Its author (or *by*) may not act where it was
                produced, or (:class:`~releasekit.exceptions.UnknownPersonError`)
                the policy has a roster and no one on it goes by that name.
            ConflictError: Someone else changed the release meanwhile; retry.
        """
        by = None if by is None else self.policy.person(by, field="by")
        if not evidence:
            raise InvalidInputError(
                "record() needs at least one piece of evidence", field="evidence", value=()
            )
        evidence = tuple(self.policy.credited(item) for item in evidence)
        record = self.load(release_id)
        now = self.clock.now()
        self.engine.add_evidence(record.release, *evidence, now=now)
        recorder = by if by is not None else evidence[0].by
        for item in evidence:
            where = (
                record.release.origin
                if isinstance(item, TestsWritten)
                else getattr(item, "environment", None)
            )
            if where is not None:
                self.engine.require_actor(where, recorder, action=f"record a {type(item).__name__}")
        return self.ledger.add_evidence(record, *evidence, by=recorder, at=now)

    def abandon(self, release_id: str, *, by: str, reason: str = "") -> Record:
        """Give the release up; it takes no further step.

        Raises:
            ReleaseEndedError: The release already finished its flow, or has ended.
            AttemptInProgressError: A step is in flight: abandon it first.
            NotPermittedError: The release is in an environment *by* may not act in.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="abandon it")
        self.require_actor_at(record.release, by, action="abandon a release")
        moved = self.engine.abandon(record.release, by=by, now=self.clock.now())
        return self.ledger.abandon(record, moved.moves[-1], reason=reason)
