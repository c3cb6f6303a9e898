"""Rollback: the last environment goes back to the version deployed there before.

The release running there is the one that entered it last and was not rolled
back (:func:`~releasekit._actions.deployments.live`); the previous version is
that of the one before it. The previous version is deployed again through the
environment's deployer, as a step of the running release, which then moves to
``rolled-back``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions.deployments import Deployment, Rollback, live
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.requests import DeployRequest
from releasekit._actions.processes import this_process
from releasekit._actions.room import Room
from releasekit._actions.step_room import StepRoom
from releasekit.exceptions import InvalidInputError, NothingToRollBackError

if TYPE_CHECKING:
    from releasekit._actions.executors.requests import Progress
    from releasekit._records.values import Record

__all__ = ["RollbackRoom"]


@attrs.define(eq=False)
class RollbackRoom(Room):
    """Roll production back to the version deployed there before."""

    _steps: StepRoom = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._steps = self.beside(StepRoom)

    def roll_back(
        self,
        *,
        by: str,
        reason: str,
        environment: str | None = None,
        release_id: str | None = None,
        progress: Progress | None = None,
    ) -> Rollback:
        """Roll the last environment (production) back to the version deployed there before.

        The release running there is the one that entered it last and was not
        rolled back; the previous version is that of the one before it. The
        previous version is deployed through the environment's deployer (a
        ``DeployRequest`` with ``rollback_of`` set), recorded as a step of the
        running release, which then moves to ``rolled-back``. A failed deploy
        leaves everything as it was, the failed step recorded.

        Args:
            by: Who rolls back.
            reason: Why, in words; kept in the history.
            environment: The environment; the policy's last (production) by default.
            release_id: The release you expect to roll back, as a safeguard: the
                rollback is refused if another one runs there.
            progress: Receives each line of the deploy's output as it arrives.

        Raises:
            NothingToRollBackError: Nothing, or only one release, was ever
                deployed there.
            ReleaseEndedError: *release_id* was abandoned or rolled back already.
            InvalidInputError: The environment is not the last one, *release_id*
                does not run there, or *reason* is empty.
            NotPermittedError: *by* may not act in the environment.
            AttemptInProgressError: The running release has an attempt in flight.
            ExecutorFailedError: The deploy failed; nothing was rolled back.
            ExecutorTimeoutError: The deploy timed out; nothing was rolled back.
        """
        by = self.person(by)
        name = self.policy.environment(environment or self.policy.last.name).name
        if name != self.policy.last.name:
            raise InvalidInputError(
                f"only {self.policy.last.name} can be rolled back; {name} runs what was "
                f"promoted there last, so promote a fixed release instead",
                field="environment",
                value=name,
            )
        if not reason.strip():
            raise InvalidInputError(
                "a rollback needs a reason; say what went wrong", field="reason", value=reason
            )
        self.engine.require_actor(name, by, action="roll back")
        named = self.load(release_id) if release_id is not None else None
        if named is not None:
            self.engine.require_open(named.release, action="roll it back", at_end=True)
        current, previous = self._pair(name)
        if release_id is not None and release_id != current.release.id:
            raise InvalidInputError(
                f"release {release_id} does not run in {name}: {current.release.id} "
                f"({current.release.version}) does; check what runs there before rolling back",
                field="release_id",
                value=release_id,
            )
        record = named if named is not None else self.load(current.release.id)
        record.require_idle()
        self.executors.deployer(name)
        record = self.ledger.begin_attempt(
            record,
            capability=Capability.DEPLOY.value,
            by=by,
            at=self.clock.now(),
            environment=name,
            detail=f"roll {name} back from {current.release.version} to "
            f"{previous.release.version} (release {previous.release.id})",
            runner=this_process(),
        )
        return self.roll_back_begun(record, name, by=by, reason=reason, progress=progress)

    def _pair(self, environment: str) -> tuple[Deployment, Deployment]:
        """Return the deployment running in *environment* and the one a rollback restores."""
        stack = live(self.deployments(environment))
        if len(stack) < 2:  # noqa: PLR2004  # the running one and the one before it
            raise NothingToRollBackError(
                environment=environment, current=stack[-1].release.id if stack else None
            )
        return stack[-1], stack[-2]

    def roll_back_begun(
        self,
        record: Record,
        environment: str,
        *,
        by: str,
        reason: str,
        progress: Progress | None,
    ) -> Rollback:
        """Deploy the previous version for the rollback step begun (or resumed) on *record*."""
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # begun by the caller, or interrupted
        current, previous = self._pair(environment)
        if current.release.id != record.id:  # pragma: no cover  # only after a manual repair
            raise InvalidInputError(
                f"release {record.id} no longer runs in {environment}; abandon its rollback step",
                field="release_id",
                value=record.id,
            )
        deployer = self.executors.deployer(environment)
        request = DeployRequest(
            release_id=previous.release.id,
            version=previous.release.version,
            environment=environment,
            artifact=previous.release.artifact,
            rollback_of=record.release.version,
            progress=progress,
            child_started=self._steps.child_hook(record, by),
        )
        outcome = self._steps.run(record, lambda: deployer.deploy(request), by=by)
        finished = self.clock.now()
        write = self.ledger.finish_attempt if outcome.ok else self.ledger.fail_attempt
        record = self._steps.end(
            record,
            lambda current: write(
                current,
                attempt.id,
                by=by,
                at=finished,
                output=outcome.output,
                reason=outcome.summary,
            ),
        )
        if not outcome.ok:
            outcome.raise_for_status(Capability.DEPLOY.value, environment)
        moved = self.engine.roll_back(record.release, by=by, now=finished)
        record = self.ledger.roll_back(record, moved.moves[-1], reason=reason)
        return Rollback(
            environment=environment,
            rolled_back=record.release,
            restored=previous.release,
            at=finished,
            by=by,
            summary=outcome.summary,
        )
