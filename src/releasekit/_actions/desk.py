"""The desk: the one object a tool uses to run its team's release process.

A :class:`Desk` holds the policy, the store, the executors and the clock. Every
action goes the same way: read the release from the store, ask the rules, run
the executor, record what happened — one event per fact, each write checked
against the revision that was read. An executor step is recorded as started
before it runs and as finished (or failed) after, so a crash in between leaves
an interrupted step that :meth:`Desk.resume` or :meth:`Desk.abandon_step`
deals with explicitly. Nothing is half-done silently.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.outcomes import Outcome, Status
from releasekit._actions.executors.recording import dry_run
from releasekit._actions.executors.registry import Registry
from releasekit._actions.executors.requests import DeployRequest, MigrationRequest, TestRequest
from releasekit._records.ledger import Ledger, Record
from releasekit._records.memory import MemoryStore
from releasekit._records.store import Store
from releasekit._rules import guards
from releasekit._rules.clock import Clock, SystemClock
from releasekit._rules.engine import Engine, Explanation, Plan
from releasekit._rules.evidence import MigrationRun, TestRun
from releasekit._rules.policy import Policy
from releasekit._rules.release import Artifact, Kind, Release
from releasekit.exceptions import (
    ConflictError,
    ExecutorError,
    InvalidInputError,
    PromotionRefusedError,
    ScheduleConflictError,
    StepInProgressError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from releasekit._actions.executors.protocols import Deployer
    from releasekit._actions.executors.requests import Progress
    from releasekit._records.events import Event, Verification
    from releasekit._rules.evidence import Evidence

__all__ = ["Desk"]

#: How many ids derived from a version are tried before giving up.
_MAX_ID_TRIES = 100
#: Extra time a lease is held beyond the executor's own time limit.
_LEASE_MARGIN = dt.timedelta(minutes=5)
#: How long a test run lease lasts when the executor states no time limit.
_DEFAULT_LEASE = dt.timedelta(hours=2)


@attrs.define
class Desk:
    """Run releases through a policy with real executors, a shared store and a clock.

    Args:
        policy: The team's process.
        store: Where releases and their histories live; an in-memory store by default.
        executors: Who does the work; a dry run that only records calls by default.
        clock: Where "now" comes from; the system clock by default.

    Example:
        >>> import pendulum, releasekit as rk
        >>> desk = rk.Desk(rk.reference_policy(),
        ...                clock=rk.FixedClock(pendulum.datetime(2026, 11, 27, 18, tz="UTC")))
        >>> desk.start("2.4.0", by="anton").state
        'sandbox-anton'
    """

    policy: Policy
    store: Store = attrs.field(factory=MemoryStore)
    executors: Registry = attrs.field(factory=dry_run)
    clock: Clock = attrs.field(factory=SystemClock)
    _engine: Engine = attrs.field(init=False, repr=False)
    _ledger: Ledger = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._engine = Engine(self.policy)
        self._ledger = Ledger(self.store)

    @property
    def engine(self) -> Engine:
        """The engine the desk asks."""
        return self._engine

    @property
    def ledger(self) -> Ledger:
        """The ledger the desk records in."""
        return self._ledger

    # -- reading ------------------------------------------------------------

    def get(self, release_id: str) -> Record:
        """Return the release's current record.

        Raises:
            UnknownReleaseError: No release has that id.
        """
        return self._ledger.load(release_id)

    def releases(self) -> list[Record]:
        """Return every release, in the order of their ids."""
        return [self._ledger.load(name) for name in self._ledger.releases()]

    def history(self, release_id: str) -> list[Event]:
        """Return every event of the release, oldest first."""
        self._ledger.load(release_id)
        return self._ledger.history(release_id)

    def verify(self, release_id: str) -> Verification:
        """Check the release's history against its hash chain and its current state."""
        return self._ledger.verify(release_id)

    def explain(self, release_id: str, *, actor: str | None = None) -> Explanation:
        """Return every blocker of the release's next step now (for *actor*, if given)."""
        return self._engine.explain(self.get(release_id).release, now=self.clock.now(), actor=actor)

    def plan(self, release_id: str) -> Plan:
        """Return the remaining steps, their blockers, and the earliest production time."""
        return self._engine.plan(self.get(release_id).release, now=self.clock.now())

    # -- the release lifecycle ---------------------------------------------

    def start(
        self,
        version: str,
        *,
        by: str,
        kind: Kind | str = Kind.NORMAL,
        artifact: Artifact | None = None,
        release_id: str | None = None,
    ) -> Release:
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
            InvalidInputError: A value cannot be used.
        """
        now = self.clock.now()
        candidates = (
            [release_id]
            if release_id is not None
            else [version, *(f"{version}-{n}" for n in range(2, _MAX_ID_TRIES))]
        )
        for candidate in candidates:
            if release_id is None and self._ledger.find(candidate) is not None:
                continue
            release = self._engine.start(
                release_id=candidate, version=version, kind=kind, by=by, now=now, artifact=artifact
            )
            try:
                return self._ledger.start(release).release
            except ConflictError:
                if release_id is not None:
                    raise
        raise InvalidInputError(  # pragma: no cover  # a hundred releases of one version
            f"{_MAX_ID_TRIES} releases of {version} exist; pass release_id=... to name a new one",
            field="version",
            value=version,
        )

    def record(self, release_id: str, *evidence: Evidence, by: str | None = None) -> Release:
        """Record evidence on a release after checking it belongs there.

        Args:
            release_id: The release.
            *evidence: The evidence, each saying who produced it.
            by: Who records it, if not its author (e.g. a bot).

        Raises:
            InvalidInputError: The evidence is for another version or environment.
            NotPermittedError: Its author may not act where it was produced.
            ConflictError: Someone else changed the release meanwhile; retry.
        """
        if not evidence:
            raise InvalidInputError(
                "record() needs at least one piece of evidence", field="evidence", value=()
            )
        record = self.get(release_id)
        self._engine.record(record.release, *evidence)
        recorder = by if by is not None else evidence[0].by
        return self._ledger.record_evidence(
            record, *evidence, by=recorder, at=self.clock.now()
        ).release

    def promote(self, release_id: str, *, by: str, progress: Progress | None = None) -> Release:
        """Move the release to its next environment, deploying it there.

        The guards are checked first; a refusal is recorded in the history and
        raised with every blocker. Then the deployment is recorded as started,
        run through the deploy executor of the target environment, and
        recorded as finished (the release moves) or failed (it stays).

        Raises:
            PromotionRefusedError: With every blocker of the step.
            StepInProgressError: A step of this release is in flight or was interrupted.
            ExecutorNotFoundError: No executor deploys to the target.
            ExecutorFailedError: The deployment failed; the release did not move.
            ExecutorTimeoutError: The deployment timed out; the release did not move.
            ConflictError: Someone else changed the release meanwhile; retry.
        """
        record = self.get(release_id)
        _require_idle(record)
        now = self.clock.now()
        try:
            moved = self._engine.promote(record.release, by=by, now=now)
        except PromotionRefusedError as refusal:
            self._ledger.refuse(record, refusal, by=by, at=now)
            raise
        target = moved.state
        deployer = self.executors.deployer(target)
        record = self._ledger.begin_attempt(
            record,
            capability=Capability.DEPLOY.value,
            by=by,
            at=now,
            environment=target,
            target=target,
            detail=f"deploy {record.release.version} to {target}",
        )
        return self._deploy(record, deployer, by=by, progress=progress)

    def abandon(self, release_id: str, *, by: str, reason: str = "") -> Release:
        """Give the release up; it takes no further step.

        Raises:
            InvalidInputError: The release already finished its flow or was abandoned.
            StepInProgressError: A step is in flight: abandon it first.
        """
        record = self.get(release_id)
        moved = self._engine.abandon(record.release, by=by, now=self.clock.now())
        return self._ledger.abandon(record, moved.moves[-1], reason=reason).release

    def resume(self, release_id: str, *, by: str, progress: Progress | None = None) -> Release:
        """Run an interrupted step again, e.g. after the process running it died.

        Raises:
            InvalidInputError: The release has no unfinished step.
        """
        record = self.get(release_id)
        attempt = record.attempt
        if attempt is None:
            raise InvalidInputError(
                f"release {release_id} has no unfinished step to resume",
                field="release_id",
                value=release_id,
            )
        if attempt.capability == Capability.DEPLOY.value and attempt.target is not None:
            return self._deploy(
                record, self.executors.deployer(attempt.target), by=by, progress=progress
            )
        if attempt.capability == Capability.RUN_TESTS.value and attempt.environment is not None:
            return self._run_tests(
                record, attempt.environment, by=by, notify=True, progress=progress
            )
        if attempt.capability == Capability.MIGRATE.value and attempt.environment is not None:
            return self._migrate(record, attempt.environment, by=by, progress=progress)
        raise InvalidInputError(  # pragma: no cover  # every step the desk starts is resumable
            f"the {attempt.capability} step of {release_id} cannot be resumed; abandon it",
            field="release_id",
            value=release_id,
        )

    def abandon_step(self, release_id: str, *, by: str, reason: str) -> Release:
        """Give up a release's unfinished step explicitly; the release stays where it is.

        Raises:
            InvalidInputError: The release has no unfinished step.
        """
        record = self.get(release_id)
        if record.attempt is None:
            raise InvalidInputError(
                f"release {release_id} has no unfinished step to abandon",
                field="release_id",
                value=release_id,
            )
        return self._ledger.abandon_attempt(
            record, record.attempt.id, by=by, at=self.clock.now(), reason=reason
        ).release

    # -- environment operations ----------------------------------------------

    def run_tests(
        self,
        release_id: str,
        *,
        by: str,
        environment: str | None = None,
        notify: bool = True,
        progress: Progress | None = None,
    ) -> Release:
        """Run the automatic tests for the release on its tests environment; record the run.

        The environment defaults to the one the next step's tests guard reads.
        Where the policy says test runs must not overlap, the run takes the
        environment's lease in the store first, and a run that would overlap
        the daily scheduled run is refused up front. The result becomes the
        :class:`~releasekit.TestRun` evidence the promotion guard reads —
        passed or not; a run that timed out or was killed records no result.

        Raises:
            InvalidInputError: The release is not in that environment.
            LeaseHeldError: Another test run holds the environment.
            ScheduleConflictError: The run would overlap the daily scheduled run.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
            ExecutorFailedError: The run was killed (recorded as a failed step).
        """
        record = self.get(release_id)
        _require_idle(record)
        where = environment or self._evidence_environment(record.release, guards.TestsPassed)
        self._require_in(record.release, where, action="run the tests")
        return self._run_tests(record, where, by=by, notify=notify, progress=progress)

    def migrate(
        self,
        release_id: str,
        *,
        by: str,
        environment: str | None = None,
        progress: Progress | None = None,
    ) -> Release:
        """Run the release's migrations on an environment (stage by default) and record them.

        Raises:
            InvalidInputError: The release is not in that environment, or has no migrations.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
        """
        record = self.get(release_id)
        _require_idle(record)
        where = environment or self._evidence_environment(
            record.release, guards.MigrationsSucceeded
        )
        self._require_in(record.release, where, action="run migrations")
        if not record.release.artifact.migrations:
            raise InvalidInputError(
                f"release {release_id} brings no migrations; there is nothing to run",
                field="release_id",
                value=release_id,
            )
        return self._migrate(record, where, by=by, progress=progress)

    # -- internals ---------------------------------------------------------------

    def _deploy(
        self, record: Record, deployer: Deployer, *, by: str, progress: Progress | None
    ) -> Release:
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # begun by the caller
        assert attempt.target is not None  # noqa: S101  # a deploy always has a target
        request = DeployRequest(
            release_id=record.id,
            version=record.release.version,
            environment=attempt.target,
            artifact=record.release.artifact,
            progress=progress,
        )
        outcome = self._run(record, lambda: deployer.deploy(request), by=by)
        if outcome.ok:
            return self._ledger.finish_attempt(
                record,
                attempt.id,
                by=by,
                at=self.clock.now(),
                output=outcome.output,
                reason=outcome.summary,
            ).release
        self._ledger.fail_attempt(
            record,
            attempt.id,
            by=by,
            at=self.clock.now(),
            reason=outcome.summary,
            output=outcome.output,
        )
        outcome.raise_for_status(Capability.DEPLOY.value, attempt.target)
        raise AssertionError  # pragma: no cover  # raise_for_status raised

    def _run_tests(
        self,
        record: Record,
        environment: str,
        *,
        by: str,
        notify: bool,
        progress: Progress | None,
    ) -> Release:
        env = self.policy.environment(environment)
        runner = self.executors.test_runner(environment)
        now = self.clock.now()
        if record.attempt is None and env.scheduled_test_run is not None:
            length = env.scheduled_test_run.duration
            conflict = env.scheduled_test_run.first_conflict(now, length)
            if conflict is not None:
                raise ScheduleConflictError(
                    environment=environment,
                    reserved_from=conflict[0],
                    reserved_until=conflict[1],
                    next_free=env.scheduled_test_run.next_free(now, length),
                )
        lease = f"test-run:{environment}"
        holder = f"{by} ({record.id})"
        if env.exclusive_test_runs:
            self.store.acquire(lease, owner=holder, now=now, ttl=self._lease_ttl(runner))
        try:
            if record.attempt is None:
                record = self._ledger.begin_attempt(
                    record,
                    capability=Capability.RUN_TESTS.value,
                    by=by,
                    at=now,
                    environment=environment,
                    detail=f"run the automatic tests of {record.release.version} on {environment}",
                )
            attempt = record.attempt
            assert attempt is not None  # noqa: S101  # begun above or interrupted before
            request = TestRequest(
                environment=environment,
                version=record.release.version,
                release_id=record.id,
                notify=notify,
                progress=progress,
            )
            outcome = self._run(record, lambda: runner.run_tests(request), by=by)
            finished = self.clock.now()
            erased = " (its data was erased by the run)" if env.data.erased_by_test_runs else ""
            if outcome.status in {Status.SUCCEEDED, Status.FAILED}:
                run = TestRun(
                    environment=environment,
                    version=record.release.version,
                    passed=outcome.ok,
                    at=finished,
                    by=by,
                    summary=outcome.summary,
                )
                write = self._ledger.finish_attempt if outcome.ok else self._ledger.fail_attempt
                return write(
                    record,
                    attempt.id,
                    by=by,
                    at=finished,
                    evidence=(run,),
                    output=outcome.output,
                    reason=f"{outcome.summary}{erased}",
                ).release
            self._ledger.fail_attempt(
                record,
                attempt.id,
                by=by,
                at=finished,
                reason=f"{outcome.summary}{erased}",
                output=outcome.output,
            )
            outcome.raise_for_status(Capability.RUN_TESTS.value, environment)
            raise AssertionError  # pragma: no cover  # raise_for_status raised
        finally:
            if env.exclusive_test_runs:
                self.store.release(lease, owner=holder)

    def _migrate(
        self, record: Record, environment: str, *, by: str, progress: Progress | None
    ) -> Release:
        migrator = self.executors.migrator(environment)
        now = self.clock.now()
        if record.attempt is None:
            record = self._ledger.begin_attempt(
                record,
                capability=Capability.MIGRATE.value,
                by=by,
                at=now,
                environment=environment,
                detail=f"run the migrations of {record.release.version} on {environment}",
            )
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # begun above or interrupted before
        release = record.release
        request = MigrationRequest(
            environment=environment,
            version=release.version,
            migrations=release.artifact.migrations,
            release_id=record.id,
            progress=progress,
        )
        outcome = self._run(record, lambda: migrator.migrate(request), by=by)
        finished = self.clock.now()
        if outcome.status in {Status.SUCCEEDED, Status.FAILED}:
            run = MigrationRun(
                environment=environment,
                version=release.version,
                migrations=release.artifact.migrations,
                succeeded=outcome.ok,
                at=finished,
                by=by,
                output=outcome.summary,
            )
            write = self._ledger.finish_attempt if outcome.ok else self._ledger.fail_attempt
            return write(
                record,
                attempt.id,
                by=by,
                at=finished,
                evidence=(run,),
                output=outcome.output,
                reason=outcome.summary,
            ).release
        self._ledger.fail_attempt(
            record, attempt.id, by=by, at=finished, reason=outcome.summary, output=outcome.output
        )
        outcome.raise_for_status(Capability.MIGRATE.value, environment)
        raise AssertionError  # pragma: no cover  # raise_for_status raised

    def _run(self, record: Record, call: Callable[[], Outcome], *, by: str) -> Outcome:
        """Run an executor call; if nothing could run, record the step as failed and re-raise."""
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # every caller began an attempt
        try:
            return call()
        except ExecutorError as error:
            self._ledger.fail_attempt(
                record, attempt.id, by=by, at=self.clock.now(), reason=str(error)
            )
            raise
        except BaseException as error:
            self._ledger.fail_attempt(
                record,
                attempt.id,
                by=by,
                at=self.clock.now(),
                reason=f"the executor raised {type(error).__name__}: {error}",
            )
            raise

    def _lease_ttl(self, runner: object) -> dt.timedelta:
        timeouts = getattr(runner, "timeouts", None)
        limit = timeouts.get(Capability.RUN_TESTS) if isinstance(timeouts, dict) else None
        return (limit + _LEASE_MARGIN) if isinstance(limit, dt.timedelta) else _DEFAULT_LEASE

    def _evidence_environment(self, release: Release, guard_type: type[object]) -> str:
        step = self._engine.next_step(release)
        if step is not None:
            for guard in step.guards:
                if isinstance(guard, guard_type):
                    return str(getattr(guard, "environment", release.state))
        return release.state

    def _require_in(self, release: Release, environment: str, *, action: str) -> None:
        self.policy.environment(environment)
        if release.state != environment:
            raise InvalidInputError(
                f"release {release.id} is in {release.state}, not {environment}; promote it "
                f"to {environment} before you {action} there",
                field="environment",
                value=environment,
            )


def _require_idle(record: Record) -> None:
    attempt = record.attempt
    if attempt is not None:
        raise StepInProgressError(
            release_id=record.id,
            attempt_id=attempt.id,
            capability=attempt.capability,
            started_at=attempt.started_at,
        )
