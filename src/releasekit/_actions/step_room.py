"""Running steps: promotions, and how every executor attempt is begun, run and ended.

An executor attempt is recorded as started before it runs and as finished (or
failed) after, so a crash in between leaves an interrupted attempt on the release
that the desk's ``resume`` or ``abandon_attempt`` deals with explicitly
(:mod:`~releasekit._actions.resume_room`). Every room that runs an executor for
a release — a deployment, a test run, a migration, a rollback — runs it through
the :class:`StepRoom` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions import interrupted
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.outcomes import Status
from releasekit._actions.executors.requests import DeployRequest
from releasekit._actions.processes import this_process
from releasekit._actions.room import Room
from releasekit.exceptions import (
    ConflictError,
    ExecutorError,
    InvalidInputError,
    PromotionRefusedError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import pendulum

    from releasekit._actions.executors.outcomes import Outcome
    from releasekit._actions.executors.protocols import Deployer
    from releasekit._actions.executors.requests import ChildHook, Progress
    from releasekit._records.store import Lease
    from releasekit._records.values import Record
    from releasekit._rules.evidence import Evidence

__all__ = ["StepRoom"]

#: How often the end of a step is written again when other events came first.
_END_TRIES = 5


@attrs.define(eq=False)
class StepRoom(Room):
    """Promote releases, and begin, run and end the executor attempts of every room."""

    def promote(
        self,
        release_id: str,
        *,
        by: str,
        to: str | None = None,
        revision: int | None = None,
        progress: Progress | None = None,
    ) -> Record:
        """Move the release to its next environment, deploying it there.

        Name the step you mean: *to*, the environment the release is to enter,
        and *revision*, the :attr:`Record.revision <releasekit.stores.Record.revision>`
        you decided on, if you have one. If the release has moved on since (its
        next step enters another environment, or it is at another revision),
        your view is stale: a :class:`~releasekit.exceptions.ConflictError`
        says what you expected and what is there, and nothing is written — not
        even a refusal. Tools that act for someone else (bots, CI jobs) must
        pass *to*: without it, a promotion that arrives twice moves the
        release twice.

        The guards are checked first; a refusal is recorded in the history
        (against the revision it was decided on) and raised with every
        blocker. Then the deployment is recorded as started, run through the
        deploy executor of the target environment, and recorded as finished
        (the release moves) or failed (it stays).

        Args:
            release_id: The release.
            by: Who promotes it.
            to: The environment the release is to enter.
            revision: The revision of the release the decision was made on.
            progress: Receives each line of the deployment's output.

        Returns:
            The release's record as the promotion left it: the last move of its
            release is the one written, and its revision the one to name next.

        Raises:
            ConflictError: The release is not where the caller thought (*to*,
                *revision*), or someone else changed it meanwhile; nothing was written.
            PromotionRefusedError: With every blocker of the step.
            ReleaseEndedError: The release has ended or finished its flow (and
                the caller named no *to* or *revision* it contradicts).
            AttemptInProgressError: A step of this release is in flight or was interrupted.
            ExecutorNotFoundError: No executor deploys to the target.
            ExecutorFailedError: The deployment failed; the release did not move.
            ExecutorTimeoutError: The deployment timed out; the release did not move.
            InvalidInputError: *to* names no environment, or *revision* is not a revision.
        """
        by = self.person(by)
        record, engine = self.deciding(release_id)
        self._require_view(record, to=to, revision=revision)
        self.engine.require_open(record.release, action="promote it")
        record.require_idle()
        now = self.clock.now()
        try:
            moved = engine.promote(record.release, by=by, now=now, to=to)
        except PromotionRefusedError as refusal:
            self.ledger.refuse(record, refusal, by=by, at=now)
            raise
        target = moved.state
        deployer = self.executors.deployer(target)
        record = self.ledger.begin_attempt(
            record,
            capability=Capability.DEPLOY.value,
            by=by,
            at=now,
            environment=target,
            target=target,
            detail=f"deploy {record.release.version} to {target}",
            runner=this_process(),
        )
        return self.deploy(record, deployer, by=by, progress=progress)

    def _require_view(self, record: Record, *, to: str | None, revision: int | None) -> None:
        """Refuse a promotion whose caller saw the release elsewhere, or at another revision."""
        given: object = revision  # checked at run time: callers are not always type-checked
        if given is not None and (
            isinstance(given, bool) or not isinstance(given, int) or given < 1
        ):
            raise InvalidInputError(
                f"revision must be the revision of the release you saw (a whole number of 1 or "
                f"more, as status shows it), got {revision!r}",
                field="revision",
                value=revision,
            )
        step = None
        if to is not None:
            try:
                step = self.engine.require_step(record.release, to=to)
            except ConflictError as stale:
                raise ConflictError(
                    stream=record.id,
                    expected=revision,
                    actual=record.revision,
                    expected_target=to,
                    actual_target=stale.actual_target,
                    state=record.state,
                ) from None
        if revision is not None and revision != record.revision:
            if step is None:
                step = self.engine.next_step(record.release)
            raise ConflictError(
                stream=record.id,
                expected=revision,
                actual=record.revision,
                expected_target=to,
                actual_target=None if step is None else step.target,
                state=record.state,
            )

    def deploy(
        self, record: Record, deployer: Deployer, *, by: str, progress: Progress | None
    ) -> Record:
        """Run the deployment begun on *record*; the release moves if it succeeds.

        Raises:
            ExecutorFailedError: The deployment failed (recorded); the release did not move.
            ExecutorTimeoutError: The deployment timed out (recorded likewise).
        """
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # begun by the caller
        assert attempt.target is not None  # noqa: S101  # a deploy always has a target
        request = DeployRequest(
            release_id=record.id,
            version=record.release.version,
            environment=attempt.target,
            artifact=record.release.artifact,
            progress=progress,
            child_started=self.child_hook(record, by),
        )
        outcome = self.run(record, lambda: deployer.deploy(request), by=by)
        ended = self.clock.now()
        write = self.ledger.finish_attempt if outcome.ok else self.ledger.fail_attempt
        record = self.end(
            record,
            lambda current: write(
                current,
                attempt.id,
                by=by,
                at=ended,
                output=outcome.output,
                reason=outcome.summary,
            ),
        )
        if outcome.ok:
            return record
        outcome.raise_for_status(Capability.DEPLOY.value, attempt.target)
        raise AssertionError  # pragma: no cover  # raise_for_status raised

    def begin_unless_resumed(
        self,
        record: Record,
        capability: Capability,
        environment: str,
        *,
        by: str,
        at: pendulum.DateTime,
        detail: str,
        lease: Lease | None = None,
    ) -> Record:
        """Record the step as started, unless *record* holds it already (it is being resumed).

        The step records the lease taken for it and this process, which runs it.
        """
        if record.attempt is not None:
            return record
        return self.ledger.begin_attempt(
            record,
            capability=capability.value,
            by=by,
            at=at,
            environment=environment,
            detail=detail,
            lease=lease,
            runner=this_process(),
        )

    def child_hook(self, record: Record, by: str) -> ChildHook:
        """Return the callback noting each program the executor starts for the attempt in flight."""
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # every caller began or resumed the step
        return interrupted.child_recorder(
            self.ledger, record.id, attempt.id, by=by, clock=self.clock
        )

    def end_step(
        self,
        record: Record,
        outcome: Outcome,
        capability: Capability,
        environment: str,
        *,
        result: Evidence,
        by: str,
        at: pendulum.DateTime,
        reason: str,
    ) -> Record:
        """Record how a step that produces evidence ended, and raise if it produced none.

        A run that succeeded or failed is a result — the evidence says which;
        a run that timed out or was killed is not, and is raised after it is
        recorded as a failed step.
        """
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # the step being ended
        if outcome.status in {Status.SUCCEEDED, Status.FAILED}:
            write = self.ledger.finish_attempt if outcome.ok else self.ledger.fail_attempt
            return self.end(
                record,
                lambda current: write(
                    current,
                    attempt.id,
                    by=by,
                    at=at,
                    evidence=(result,),
                    output=outcome.output,
                    reason=reason,
                ),
            )
        self.end(
            record,
            lambda current: self.ledger.fail_attempt(
                current, attempt.id, by=by, at=at, reason=reason, output=outcome.output
            ),
        )
        outcome.raise_for_status(capability.value, environment)
        raise AssertionError  # pragma: no cover  # raise_for_status raised

    def run(self, record: Record, call: Callable[[], Outcome], *, by: str) -> Outcome:
        """Run an executor call for the attempt in flight on *record*, and return its outcome.

        If nothing could run, the step is recorded as failed and the error re-raised.
        """
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # every caller began an attempt
        try:
            return call()
        except BaseException as error:
            reason = (
                str(error)
                if isinstance(error, ExecutorError)
                else f"the executor raised {type(error).__name__}: {error}"
            )
            at = self.clock.now()
            self.end(
                record,
                lambda current: self.ledger.fail_attempt(
                    current, attempt.id, by=by, at=at, reason=reason
                ),
            )
            raise

    def end(self, record: Record, write: Callable[[Record], Record]) -> Record:
        """Write how a step ended on the *record* it began with, reading it again only if needed.

        A long step may see other events meanwhile (an hourly log check, a
        note, the programs its executor started): the write then finds the
        release at another revision, and the release is read again and the
        write made on top of what is there. The happy path reads nothing.
        """
        for _ in range(_END_TRIES):
            try:
                return write(record)
            except ConflictError:
                record = self.load(record.id)
        return write(record)
