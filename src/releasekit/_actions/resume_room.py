"""Interrupted attempts: resumed, or given up, once no process of theirs still runs.

A step whose process died stays on its release as its
:attr:`~releasekit.stores.Record.attempt`. Before anything is done with it,
the processes recorded with it are looked for (:mod:`~releasekit._actions.interrupted`):
the step is resumed or abandoned only when none of them still runs on this
host, or when a person who checked another host says so (``force``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions import interrupted
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.processes import this_process
from releasekit._actions.rollback_room import RollbackRoom
from releasekit._actions.room import Room
from releasekit._actions.run_room import RunRoom
from releasekit._actions.step_room import StepRoom
from releasekit.exceptions import AttemptStillRunningError, InvalidInputError

if TYPE_CHECKING:
    from releasekit._actions.executors.requests import Progress
    from releasekit._records.store import Lease
    from releasekit._records.values import Attempt, Record

__all__ = ["ResumeRoom"]


@attrs.define(eq=False)
class ResumeRoom(Room):
    """Resume an interrupted attempt, or give it up."""

    _steps: StepRoom = attrs.field(init=False)
    _runs: RunRoom = attrs.field(init=False)
    _rollbacks: RollbackRoom = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._steps = self.beside(StepRoom)
        self._runs = self.beside(RunRoom)
        self._rollbacks = self.beside(RollbackRoom)

    def resume(
        self,
        release_id: str,
        *,
        by: str,
        progress: Progress | None = None,
        force: bool = False,
    ) -> Record:
        """Run an interrupted attempt again, e.g. after the process running it died.

        First the processes recorded with the step are looked for: while the
        releasekit process that ran it, or a program its executor started,
        still runs on this host, the step is not interrupted and is refused.
        Processes recorded on another host cannot be checked from here: the
        step is refused unless a person checked them and passes *force*. A
        test run then takes over the interrupted run's lease by its recorded
        token (or takes the lease afresh if that token no longer holds it).
        All of it is recorded in a ``step-resumed`` event before the step runs.

        An interrupted rollback is resumed too: the previous version is
        deployed again and the release is then rolled back.

        Args:
            release_id: The release.
            by: Who resumes it.
            progress: Receives each line of output as it arrives.
            force: Go on although processes of the step ran on another host,
                which a person checked have ended.

        Raises:
            ReleaseEndedError: The release was abandoned or rolled back.
            InvalidInputError: The release has no unfinished attempt.
            NotPermittedError: *by* may not act where the step runs.
            AttemptStillRunningError: A process of the step still runs on this
                host, or ran on another (without *force*).
            LeaseHeldError: Another run holds the environment's lease now.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="resume a step", at_end=True)
        attempt = record.attempt
        if attempt is None:
            raise InvalidInputError(
                f"release {release_id} has no unfinished attempt to resume",
                field="release_id",
                value=release_id,
            )
        self.require_actor_at(record.release, by, action=f"resume a {attempt.capability} step")
        if attempt.environment is not None:
            self.engine.require_actor(
                attempt.environment, by, action=f"resume a {attempt.capability} step"
            )
        sightings = interrupted.look_for(attempt)
        interrupted.require_ended(record, sightings, force=force, running_ok=False)
        now = self.clock.now()
        lease, took = self._runs.resumed_lease(record, attempt, by=by, now=now)
        try:
            told = "; ".join(filter(None, [took, interrupted.described(sightings, forced=force)]))
            record = self.ledger.resume_attempt(
                record,
                attempt.id,
                by=by,
                at=now,
                reason=f"resumed {attempt.id}" + (f": {told}" if told else ""),
                lease=lease,
                runner=this_process(),
            )
        except BaseException:
            if lease is not None:
                self.store.release(lease.name, token=lease.token)
            raise
        return self._run_resumed(record, attempt, by=by, progress=progress, lease=lease)

    def _run_resumed(
        self,
        record: Record,
        attempt: Attempt,
        *,
        by: str,
        progress: Progress | None,
        lease: Lease | None,
    ) -> Record:
        """Run the step *attempt* again, now that its resumption is recorded on *record*."""
        rollback = attempt.capability == Capability.DEPLOY.value and attempt.target is None
        if rollback and attempt.environment is not None:
            self._rollbacks.roll_back_begun(
                record,
                attempt.environment,
                by=by,
                reason=f"resumed: {attempt.detail}",
                progress=progress,
            )
            return self.load(record.id)
        if attempt.capability == Capability.DEPLOY.value and attempt.target is not None:
            return self._steps.deploy(
                record, self.executors.deployer(attempt.target), by=by, progress=progress
            )
        if attempt.capability == Capability.RUN_TESTS.value and attempt.environment is not None:
            return self._runs.run_tests_of(
                record, attempt.environment, by=by, notify=True, progress=progress, lease=lease
            )
        if attempt.capability == Capability.MIGRATE.value and attempt.environment is not None:
            return self._runs.run_migrations_of(
                record, attempt.environment, by=by, progress=progress
            )
        raise InvalidInputError(  # pragma: no cover  # every step the desk starts is resumable
            f"the {attempt.capability} step of {record.id} cannot be resumed; abandon it",
            field="release_id",
            value=record.id,
        )

    def abandon_attempt(
        self, release_id: str, *, by: str, reason: str, force: bool = False
    ) -> Record:
        """Give up a release's unfinished attempt explicitly; the release stays where it is.

        The processes recorded with the step are looked for first, as by
        :meth:`resume`: one still running on this host, or one recorded on
        another host, refuses it — unless *force* says a person checked, or
        chose to give the step up anyway. The step's lease is then given back
        by its recorded token (if that still holds it), so the environment is
        free at once. What was done is said in the ``step-abandoned`` event.

        Args:
            release_id: The release.
            by: Who gives the step up.
            reason: Why, for the history.
            force: Go on although a process of the step still runs on this
                host (stop it yourself), or ran on another host.

        Raises:
            ReleaseEndedError: The release was abandoned or rolled back.
            InvalidInputError: The release has no unfinished attempt.
            NotPermittedError: *by* may not act where the step runs.
            AttemptStillRunningError: A process of the step may still run (without *force*).
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="abandon a step", at_end=True)
        attempt = record.attempt
        if attempt is None:
            raise InvalidInputError(
                f"release {release_id} has no unfinished attempt to abandon",
                field="release_id",
                value=release_id,
            )
        self.require_actor_at(record.release, by, action="abandon a step")
        if attempt.environment is not None:
            self.engine.require_actor(attempt.environment, by, action="abandon a step")
        sightings = interrupted.look_for(attempt)
        try:
            interrupted.require_ended(record, sightings, force=force, running_ok=force)
        except AttemptStillRunningError as busy:
            busy.add_note(
                "abandon-step --force (force=True) gives the step up even so and frees its lease"
            )
            raise
        told = "; ".join(
            filter(
                None,
                [
                    interrupted.give_back(self.store, attempt),
                    interrupted.described(sightings, forced=force),
                ],
            )
        )
        return self.ledger.abandon_attempt(
            record,
            attempt.id,
            by=by,
            at=self.clock.now(),
            reason=f"{reason} ({told})" if told else reason,
        )
