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
import pendulum

from releasekit._actions import interrupted
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.outcomes import human_duration
from releasekit._actions.executors.requests import MigrationRequest, TestRequest
from releasekit._actions.room import Room
from releasekit._actions.step_room import StepRoom
from releasekit._rules import guards
from releasekit._rules.evidence import MigrationRun, TestRun
from releasekit.exceptions import InvalidInputError, ScheduleConflictError

if TYPE_CHECKING:
    from releasekit._actions.executors.requests import Progress
    from releasekit._records.store import Lease
    from releasekit._records.values import Attempt, Record
    from releasekit._rules.environments import Environment

__all__ = ["RunRoom", "lease_for_tests"]

#: Extra time a lease is held beyond the executor's own time limit.
_LEASE_MARGIN = dt.timedelta(minutes=5)
#: How long a test run lease lasts when neither the executor nor the run states a time.
_DEFAULT_LEASE = dt.timedelta(hours=2)
#: The length of a run that only starts: a scheduled run's start must fall in its reservation.
_INSTANT = dt.timedelta(microseconds=1)


def lease_for_tests(environment: str) -> str:
    """Return the name of the lease every test run on *environment* holds while it runs.

    Where the policy says test runs must not overlap
    (:attr:`Environment.exclusive_test_runs <releasekit.Environment.exclusive_test_runs>`),
    ``run_tests`` takes this lease in the store before it starts the run and
    gives it back when the run ends. A runner outside releasekit — a nightly
    job that runs the tests itself — joins the same rule by taking the same
    lease in the same store (:meth:`Store.acquire <releasekit.stores.Store.acquire>`)
    while it runs: then neither starts while the other holds the environment.

    Example:
        >>> lease_for_tests("tests")
        'test-run:tests'
    """
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
        scheduled: bool = False,
        expected: dt.timedelta | None = None,
        progress: Progress | None = None,
    ) -> Record:
        """Run the automatic tests for the release on its tests environment; record the run.

        The environment defaults to the one the next step's tests guard reads.
        Where the policy says test runs must not overlap, the run takes the
        environment's lease in the store first (:func:`lease_for_tests`) and
        gives it back when it ends. Where the environment has a daily scheduled
        run, a run that would overlap the period reserved for it is refused up
        front — unless it *is* the scheduled run (*scheduled*), which must then
        start within the drift of its scheduled time. The result becomes the
        :class:`~releasekit.TestRun` evidence the promotion guard reads —
        passed or not; a run that timed out or was killed records no result.

        Args:
            release_id: The release.
            by: Who runs the tests (a person, or ``"ci"``).
            environment: Where; the one the next step's tests guard reads by default.
            notify: Whether the tests tool notifies the team of the result.
            scheduled: This is the daily scheduled run, started at its time
                (from 23:30 to 00:30 UTC in the reference policy), which its own
                reservation does not refuse.
            expected: How long the run is expected to hold the environment: it
                may start when a run of this length ends before the next
                reservation (by default the scheduled run's usual duration),
                and if the process running it dies, its lease lapses after
                this long (plus five minutes) when the executor states no time
                limit of its own.
            progress: Receives each line of output as it arrives.

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The release is not in that environment; *expected*
                is not a positive duration; or *scheduled* where no run is
                scheduled, or outside the time it starts.
            LeaseHeldError: Another test run holds the environment.
            ScheduleConflictError: The run would overlap the daily scheduled run.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
            ExecutorFailedError: The run was killed (recorded as a failed step).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.person(by)
        length = _expected(expected)
        if not isinstance(scheduled, bool):
            raise InvalidInputError(
                f"scheduled must be True or False, got {scheduled!r}",
                field="scheduled",
                value=scheduled,
            )
        record = self.load(release_id)
        self.engine.require_open(record.release, action="run the tests")
        record.require_idle()
        where = environment or self.evidence_environment(record.release, guards.TestsPassed)
        self.require_in(record.release, where, action="run the tests")
        self.engine.require_actor(where, by, action="run the tests")
        return self.run_tests_of(
            record,
            where,
            by=by,
            notify=notify,
            progress=progress,
            stated=_Run(scheduled=scheduled, expected=length),
        )

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
            name=lease_for_tests(attempt.environment),
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
        stated: _Run | None = None,
    ) -> Record:
        """Run the tests; a new run takes the environment's lease first, a resumed one has it.

        The lease is given back at the end, by its token, only if this process
        took it (or took it over): a run refused its lease never touches it.
        """
        stated = stated if stated is not None else _Run()
        env = self.policy.environment(environment)
        runner = self.executors.test_runner(environment)
        now = self.clock.now()
        if record.attempt is None:
            _require_free(env, now, stated)
        if record.attempt is None and env.exclusive_test_runs:
            lease = self.store.acquire(
                lease_for_tests(environment),
                holder=f"{by} ({record.id})",
                now=now,
                ttl=self._lease_ttl(runner, stated.expected),
            )
        try:
            record = self._steps.begin_unless_resumed(
                record,
                Capability.RUN_TESTS,
                environment,
                by=by,
                at=now,
                detail=f"run the {'scheduled' if stated.scheduled else 'automatic'} tests of "
                f"{record.release.version} on {environment}{stated.said()}",
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

    def _lease_ttl(self, runner: object, expected: dt.timedelta | None = None) -> dt.timedelta:
        """How long a run's lease lasts: the executor's time limit, else *expected*, plus a margin.

        The lease is given back when the run ends; this is how long it holds
        the environment if the process running it dies.
        """
        timeouts = getattr(runner, "timeouts", None)
        limit = timeouts.get(Capability.RUN_TESTS) if isinstance(timeouts, Mapping) else None
        if isinstance(limit, dt.timedelta):
            return limit + _LEASE_MARGIN
        return expected + _LEASE_MARGIN if expected is not None else _DEFAULT_LEASE


@attrs.frozen(kw_only=True)
class _Run:
    """What a new test run says of itself: whether it is the scheduled one, how long it takes."""

    scheduled: bool = False
    expected: dt.timedelta | None = None

    def said(self) -> str:
        """The run's stated length, for its step's detail (``""`` if none was stated)."""
        return (
            "" if self.expected is None else f", expected to take {human_duration(self.expected)}"
        )


def _expected(value: object) -> dt.timedelta | None:
    """Return a run's stated length, if it is a positive duration."""
    if value is None:
        return None
    if not isinstance(value, dt.timedelta) or value <= dt.timedelta(0):
        raise InvalidInputError(
            f"expected must be how long the run takes, a positive datetime.timedelta, "
            f"got {value!r}",
            field="expected",
            value=value,
        )
    return value


def _require_free(env: Environment, now: pendulum.DateTime, run: _Run) -> None:
    """Refuse a new run that would overlap the daily scheduled run, or a scheduled one off its time.

    Raises:
        InvalidInputError: *run* says it is the scheduled run, and *env* has
            none, or it is not the time it starts.
        ScheduleConflictError: The run would overlap the period reserved for the
            scheduled run.
    """
    daily = env.scheduled_test_run
    if daily is None:
        if run.scheduled:
            raise InvalidInputError(
                f"{env.name} has no scheduled test run, so no run there is the scheduled one; "
                f"run the tests without scheduled",
                field="scheduled",
                value=True,
            )
        return
    if run.scheduled:
        reserved = daily.first_conflict(now, _INSTANT)
        if reserved is None or now > reserved[0] + 2 * daily.drift:
            zone = pendulum.timezone(daily.timezone)
            at = pendulum.instance(now).in_timezone(zone)
            raise InvalidInputError(
                f"the scheduled test run on {env.name} starts within {human_duration(daily.drift)} "
                f"of {daily.at.strftime('%H:%M')} {daily.timezone}; it is "
                f"{at.strftime('%H:%M')} {daily.timezone}, so this is no scheduled run: run the "
                f"tests without scheduled",
                field="scheduled",
                value=True,
            )
        return
    length = run.expected if run.expected is not None else daily.duration
    conflict = daily.first_conflict(now, length)
    if conflict is not None:
        raise ScheduleConflictError(
            environment=env.name,
            reserved_from=conflict[0],
            reserved_until=conflict[1],
            next_free=daily.next_free(now, length),
        )
