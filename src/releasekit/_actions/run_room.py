"""Test runs and migrations: the steps whose result is evidence on the release.

A test run produces the :class:`~releasekit.TestRun` the promotion out of the
tests environment reads; a migration run the :class:`~releasekit.MigrationRun`
the promotion to production reads. Where the policy says test runs must not
overlap, a run holds the environment's lease in the store while it runs, and a
run that would overlap the daily scheduled run is refused before it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from releasekit._actions import interrupted
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.requests import MigrationRequest, TestRequest
from releasekit._actions.room import Room
from releasekit._actions.step_room import StepRoom
from releasekit._rules import guards
from releasekit._rules.evidence import MigrationRun, TestRun
from releasekit.exceptions import InvalidInputError, ScheduleConflictError

if TYPE_CHECKING:
    import pendulum

    from releasekit._actions.executors.requests import Progress
    from releasekit._records.store import Lease
    from releasekit._records.values import Attempt, Record

__all__ = ["RunRoom", "test_lease"]

#: Extra time a lease is held beyond the executor's own time limit.
_LEASE_MARGIN = dt.timedelta(minutes=5)
#: How long a test run lease lasts when the executor states no time limit.
_DEFAULT_LEASE = dt.timedelta(hours=2)


def test_lease(environment: str) -> str:
    """Return the name of the lease test runs on *environment* hold."""
    return f"test-run:{environment}"


@attrs.define(eq=False)
class RunRoom(Room):
    """Run the automatic tests and the migrations of a release, and record their results."""

    _steps: StepRoom = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._steps = self.beside(StepRoom)

    def run_tests(
        self,
        release_id: str,
        *,
        by: str,
        environment: str | None = None,
        notify: bool = True,
        progress: Progress | None = None,
    ) -> Record:
        """Run the automatic tests for the release on its tests environment; record the run.

        The environment defaults to the one the next step's tests guard reads.
        Where the policy says test runs must not overlap, the run takes the
        environment's lease in the store first, and a run that would overlap
        the daily scheduled run is refused up front. The result becomes the
        :class:`~releasekit.TestRun` evidence the promotion guard reads —
        passed or not; a run that timed out or was killed records no result.

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The release is not in that environment.
            LeaseHeldError: Another test run holds the environment.
            ScheduleConflictError: The run would overlap the daily scheduled run.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
            ExecutorFailedError: The run was killed (recorded as a failed step).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="run the tests")
        record.require_idle()
        where = environment or self.evidence_environment(record.release, guards.TestsPassed)
        self.require_in(record.release, where, action="run the tests")
        self.engine.require_actor(where, by, action="run the tests")
        return self.run_tests_of(record, where, by=by, notify=notify, progress=progress)

    def migrate(
        self,
        release_id: str,
        *,
        by: str,
        environment: str | None = None,
        progress: Progress | None = None,
    ) -> Record:
        """Run the release's migrations on an environment (stage by default) and record them.

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The release is not in that environment, or has no migrations.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="run migrations")
        record.require_idle()
        where = environment or self.evidence_environment(record.release, guards.MigrationsSucceeded)
        self.require_in(record.release, where, action="run migrations")
        self.engine.require_actor(where, by, action="run migrations")
        if not record.release.artifact.migrations:
            raise InvalidInputError(
                f"release {release_id} brings no migrations; there is nothing to run",
                field="release_id",
                value=release_id,
            )
        return self.run_migrations_of(record, where, by=by, progress=progress)

    def resumed_lease(
        self, record: Record, attempt: Attempt, *, by: str, now: pendulum.DateTime
    ) -> tuple[Lease | None, str]:
        """Take the lease a resumed step needs, if any; return it and what was done."""
        if attempt.capability != Capability.RUN_TESTS.value or attempt.environment is None:
            return None, ""
        if not self.policy.environment(attempt.environment).exclusive_test_runs:
            return None, ""
        return interrupted.take_over(
            self.store,
            attempt,
            name=test_lease(attempt.environment),
            holder=f"{by} ({record.id})",
            now=now,
            ttl=self._lease_ttl(self.executors.test_runner(attempt.environment)),
        )

    def run_tests_of(
        self,
        record: Record,
        environment: str,
        *,
        by: str,
        notify: bool,
        progress: Progress | None,
        lease: Lease | None = None,
    ) -> Record:
        """Run the tests; a new run takes the environment's lease first, a resumed one has it.

        The lease is given back at the end, by its token, only if this process
        took it (or took it over): a run refused its lease never touches it.
        """
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
        if record.attempt is None and env.exclusive_test_runs:
            lease = self.store.acquire(
                test_lease(environment),
                holder=f"{by} ({record.id})",
                now=now,
                ttl=self._lease_ttl(runner),
            )
        try:
            record = self._steps.begin_unless_resumed(
                record,
                Capability.RUN_TESTS,
                environment,
                by=by,
                at=now,
                detail=f"run the automatic tests of {record.release.version} on {environment}",
                lease=lease,
            )
            request = TestRequest(
                environment=environment,
                version=record.release.version,
                release_id=record.id,
                notify=notify,
                progress=progress,
                child_started=self._steps.child_hook(record, by),
            )
            outcome = self._steps.run(record, lambda: runner.run_tests(request), by=by)
            finished = self.clock.now()
            erased = " (its data was erased by the run)" if env.data.erased_by_test_runs else ""
            run = TestRun(
                environment=environment,
                version=record.release.version,
                passed=outcome.ok,
                at=finished,
                by=by,
                summary=outcome.summary,
            )
            return self._steps.end_step(
                record,
                outcome,
                Capability.RUN_TESTS,
                environment,
                result=run,
                by=by,
                at=finished,
                reason=f"{outcome.summary}{erased}",
            )
        finally:
            if lease is not None:
                self.store.release(lease.name, token=lease.token)

    def run_migrations_of(
        self, record: Record, environment: str, *, by: str, progress: Progress | None
    ) -> Record:
        """Run the release's migrations on *environment*; a resumed run has its step begun."""
        migrator = self.executors.migrator(environment)
        now = self.clock.now()
        record = self._steps.begin_unless_resumed(
            record,
            Capability.MIGRATE,
            environment,
            by=by,
            at=now,
            detail=f"run the migrations of {record.release.version} on {environment}",
        )
        release = record.release
        request = MigrationRequest(
            environment=environment,
            version=release.version,
            migrations=release.artifact.migrations,
            release_id=record.id,
            progress=progress,
            child_started=self._steps.child_hook(record, by),
        )
        outcome = self._steps.run(record, lambda: migrator.migrate(request), by=by)
        finished = self.clock.now()
        run = MigrationRun(
            environment=environment,
            version=release.version,
            migrations=release.artifact.migrations,
            succeeded=outcome.ok,
            at=finished,
            by=by,
            output=outcome.summary,
        )
        return self._steps.end_step(
            record,
            outcome,
            Capability.MIGRATE,
            environment,
            result=run,
            by=by,
            at=finished,
            reason=outcome.summary,
        )

    def _lease_ttl(self, runner: object) -> dt.timedelta:
        timeouts = getattr(runner, "timeouts", None)
        limit = timeouts.get(Capability.RUN_TESTS) if isinstance(timeouts, Mapping) else None
        return (limit + _LEASE_MARGIN) if isinstance(limit, dt.timedelta) else _DEFAULT_LEASE
