"""The desk: the one object a tool uses to run its team's release process.

A :class:`Desk` holds the policy, the store, the executors and the clock. Every
action goes the same way: read the release from the store, ask the rules, run
the executor, record what happened — one event per fact, each write checked
against the revision that was read. An executor step is recorded as started
before it runs and as finished (or failed) after, so a crash in between leaves
an interrupted step that :meth:`Desk.resume` or :meth:`Desk.abandon_step`
deals with explicitly. Nothing is half-done silently.

Beyond moving releases, the desk runs the environment operations of the
process: the log review before stage (:meth:`Desk.collect_logs`,
:meth:`Desk.review_logs`), production monitoring (:meth:`Desk.monitoring`,
:meth:`Desk.check_production`), rollback (:meth:`Desk.roll_back`), and data
operations — adjustments that need verifications and their one operator
(:meth:`Desk.request_data_adjustment` and the methods after it) and restores
between environments (:meth:`Desk.restore_data`). An environment with owners
accepts every one of these actions from its owners only.

Whoever acts (``by``) is compared and recorded as the person they are
(:meth:`Policy.person <releasekit.Policy.person>`): their
:func:`~releasekit.identity` — ``"Ivan"``, ``" ivan "`` and ``"IVAN"`` are one
person — and, with a roster in the policy, the name the roster lists them
under (an alias is its person). A name that is empty or holds a control
character, or with a roster a name no one on it goes by
(:class:`~releasekit.exceptions.UnknownPersonError`), is refused before anything
is asked or written; so is evidence whose author is no one on the roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from releasekit._actions import data, data_history, interrupted
from releasekit._actions.data import (
    STREAM_PREFIX,
    DataOperation,
    DataOperationKind,
    DataOperationStatus,
    DataVerification,
)
from releasekit._actions.deployments import Deployment, Rollback, deployments, live
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.command import CommandExecutor, show_command
from releasekit._actions.executors.outcomes import Outcome, Status
from releasekit._actions.executors.recording import RecordingExecutor, dry_run
from releasekit._actions.executors.registry import Registry
from releasekit._actions.executors.requests import (
    AdjustmentRequest,
    DeployRequest,
    LogRequest,
    MigrationRequest,
    Notice,
    RestoreRequest,
    TestRequest,
)
from releasekit._actions.logs import (
    LogCheck,
    LogGap,
    LogReport,
    Monitoring,
    attention_key,
    schedule,
    unlisted,
)
from releasekit._actions.processes import this_process
from releasekit._records.converter import iso, structure
from releasekit._records.events import Action
from releasekit._records.ledger import Ledger
from releasekit._records.memory import MemoryStore
from releasekit._records.store import SEPARATOR, Store
from releasekit._rules import guards
from releasekit._rules._time import instant
from releasekit._rules.clock import Clock, SystemClock
from releasekit._rules.engine import Engine, Explanation, Plan
from releasekit._rules.evidence import LogReview, LogVerdict, MigrationRun, TestRun, TestsWritten
from releasekit._rules.policy import Policy
from releasekit._rules.release import Artifact, Kind, Release
from releasekit.exceptions import (
    ConflictError,
    ExecutorError,
    ExecutorNotAllowedError,
    InvalidInputError,
    NothingToRollBackError,
    PromotionRefusedError,
    ScheduleConflictError,
    StepStillRunningError,
    UnknownDataOperationError,
    UnknownReleaseError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import pendulum

    from releasekit._actions.executors.outcomes import LogBatch
    from releasekit._actions.executors.protocols import Deployer
    from releasekit._actions.executors.requests import ChildHook, Progress
    from releasekit._records.events import Event, Verification
    from releasekit._records.store import Lease
    from releasekit._records.values import Attempt, Record, ReleaseSummary
    from releasekit._rules.environments import Environment, LogMonitoring
    from releasekit._rules.evidence import Evidence

__all__ = ["Desk"]

#: How many ids derived from a version are tried before giving up.
_MAX_ID_TRIES = 100
#: Extra time a lease is held beyond the executor's own time limit.
_LEASE_MARGIN = dt.timedelta(minutes=5)
#: How long a test run lease lasts when the executor states no time limit.
_DEFAULT_LEASE = dt.timedelta(hours=2)
#: How often the end of a step is written again when other events came first.
_END_TRIES = 5
#: How far back a log report reaches when neither an instant nor a release is given.
DEFAULT_LOG_WINDOW = dt.timedelta(hours=24)


@attrs.define
class Desk:
    """Run releases through a policy with real executors, a shared store and a clock.

    Build it as ``Desk(policy, store=..., executors=..., clock=...)``.

    Attributes:
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
        self._ledger = Ledger(self.store, policy=self.policy)

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

    def releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseSummary]:
        """Return releases as listed — their rows, no evidence, no history — in id order.

        Reading rows only, this costs the same however many releases the store
        holds beyond the ones returned.

        Args:
            active: Only releases in flight: not ended (abandoned, rolled back)
                and not at the end of their flow. All of them if false.
            after: Only ids after this one: pass the last id of the page before.
            limit: At most this many; all of them if ``None``.

        Raises:
            InvalidInputError: *after* is not an id, or *limit* not at least 1.
        """
        found: list[ReleaseSummary] = []
        while True:
            wanted = None if limit is None else limit - len(found)
            page = self._ledger.releases(active=active, after=after, limit=wanted)
            # A release that reached the end of its flow before releases recorded
            # when they finished is not marked finished: its state says so.
            found.extend(item for item in page if not active or not self._at_end(item))
            if not page or wanted is None or len(page) < wanted or len(found) == limit:
                return found
            after = page[-1].id

    def records(self, releases: Iterable[str | ReleaseSummary]) -> list[Record]:
        """Return the full record of each release listed, e.g. one page of :meth:`releases`.

        Raises:
            UnknownReleaseError: One of them does not exist.
            HistoryTamperedError: The stored state of one does not match its history.
        """
        return self._ledger.records(releases)

    def history(self, release_id: str) -> list[Event]:
        """Return every event of the release, oldest first (its state need not verify).

        Raises:
            UnknownReleaseError: No release has that id.
        """
        events = self._ledger.history(release_id)
        if not events and self.store.read_release(release_id) is None:
            raise UnknownReleaseError(release_id)
        return events

    def verify(self, release_id: str) -> Verification:
        """Check the release's history against its hash chain and its current state."""
        return self._ledger.verify(release_id)

    def verify_data_operation(self, operation_id: str) -> Verification:
        """Check a data operation's history against its chain, and its state against its replay.

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        stream = f"{STREAM_PREFIX}{_operation_id(operation_id)}"
        verification = self._ledger.verify_history(stream, replay=data_history.replay_problem)
        if verification.ok and not verification.events:
            raise UnknownDataOperationError(operation_id)
        return verification

    def verify_all(self) -> list[Verification]:
        """Check every history the store holds, one result per history, in name order.

        Releases and data operations are checked against their hash chains and
        their states against the replay of their events; any other history
        (``kind:name``) against its chain and the state its last event recorded.
        A history whose state was deleted is listed, and reported.
        """
        return [self.verify_history(name) for name in self._ledger.histories()]

    def verify_history(self, stream: str) -> Verification:
        """Check one history by its name: a release id, ``data:<id>``, or any ``kind:name``.

        Raises:
            UnknownReleaseError: There is no such release.
            UnknownDataOperationError: There is no such data operation.
            InvalidInputError: There is no other history of that name.
        """
        if SEPARATOR not in stream:
            return self.verify(stream)
        if stream.startswith(STREAM_PREFIX):
            return self.verify_data_operation(stream.removeprefix(STREAM_PREFIX))
        verification = self._ledger.verify_history(stream)
        if verification.ok and not verification.events:
            raise InvalidInputError(
                f"the store holds no history named {stream!r}; `releasekit verify` lists them all",
                field="stream",
                value=stream,
            )
        return verification

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
            InvalidInputError: A value cannot be used, e.g. a version the policy
                does not accept (:meth:`Policy.check_version`).
        """
        by = self.policy.person(by, field="by")
        self.policy.check_version(version)
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
        record = self.get(release_id)
        now = self.clock.now()
        self._engine.record(record.release, *evidence, now=now)
        recorder = by if by is not None else evidence[0].by
        for item in evidence:
            where = (
                record.release.origin
                if isinstance(item, TestsWritten)
                else getattr(item, "environment", None)
            )
            if where is not None:
                self._engine.require_actor(
                    where, recorder, action=f"record a {type(item).__name__}"
                )
        return self._ledger.record_evidence(record, *evidence, by=recorder, at=now).release

    def promote(
        self,
        release_id: str,
        *,
        by: str,
        to: str | None = None,
        revision: int | None = None,
        progress: Progress | None = None,
    ) -> Release:
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
            The release as the promotion left it: its last move is the one written.

        Raises:
            ConflictError: The release is not where the caller thought (*to*,
                *revision*), or someone else changed it meanwhile; nothing was written.
            PromotionRefusedError: With every blocker of the step.
            ReleaseEndedError: The release has ended or finished its flow (and
                the caller named no *to* or *revision* it contradicts).
            StepInProgressError: A step of this release is in flight or was interrupted.
            ExecutorNotFoundError: No executor deploys to the target.
            ExecutorFailedError: The deployment failed; the release did not move.
            ExecutorTimeoutError: The deployment timed out; the release did not move.
            InvalidInputError: *to* names no environment, or *revision* is not a revision.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._require_view(record, to=to, revision=revision)
        self._engine.require_open(record.release, action="promote it")
        record.require_idle()
        now = self.clock.now()
        try:
            moved = self._engine.promote(record.release, by=by, now=now, to=to)
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
            runner=this_process(),
        )
        return self._deploy(record, deployer, by=by, progress=progress)

    def abandon(self, release_id: str, *, by: str, reason: str = "") -> Release:
        """Give the release up; it takes no further step.

        Raises:
            ReleaseEndedError: The release already finished its flow, or has ended.
            StepInProgressError: A step is in flight: abandon it first.
            NotPermittedError: The release is in an environment *by* may not act in.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="abandon it")
        self._require_actor_at(record.release, by, action="abandon a release")
        moved = self._engine.abandon(record.release, by=by, now=self.clock.now())
        return self._ledger.abandon(record, moved.moves[-1], reason=reason).release

    def resume(
        self,
        release_id: str,
        *,
        by: str,
        progress: Progress | None = None,
        force: bool = False,
    ) -> Release:
        """Run an interrupted step again, e.g. after the process running it died.

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
            InvalidInputError: The release has no unfinished step.
            NotPermittedError: *by* may not act where the step runs.
            StepStillRunningError: A process of the step still runs on this
                host, or ran on another (without *force*).
            LeaseHeldError: Another run holds the environment's lease now.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="resume a step", at_end=True)
        attempt = record.attempt
        if attempt is None:
            raise InvalidInputError(
                f"release {release_id} has no unfinished step to resume",
                field="release_id",
                value=release_id,
            )
        self._require_actor_at(record.release, by, action=f"resume a {attempt.capability} step")
        if attempt.environment is not None:
            self._engine.require_actor(
                attempt.environment, by, action=f"resume a {attempt.capability} step"
            )
        sightings = interrupted.look_for(attempt)
        interrupted.require_ended(record, sightings, force=force, running_ok=False)
        now = self.clock.now()
        lease, took = self._resumed_lease(record, attempt, by=by, now=now)
        try:
            told = "; ".join(filter(None, [took, interrupted.described(sightings, forced=force)]))
            record = self._ledger.resume_attempt(
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

    def _resumed_lease(
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
            name=_test_lease(attempt.environment),
            holder=f"{by} ({record.id})",
            now=now,
            ttl=self._lease_ttl(self.executors.test_runner(attempt.environment)),
        )

    def _run_resumed(
        self,
        record: Record,
        attempt: Attempt,
        *,
        by: str,
        progress: Progress | None,
        lease: Lease | None,
    ) -> Release:
        """Run the step *attempt* again, now that its resumption is recorded on *record*."""
        rollback = attempt.capability == Capability.DEPLOY.value and attempt.target is None
        if rollback and attempt.environment is not None:
            return self._roll_back(
                record,
                attempt.environment,
                by=by,
                reason=f"resumed: {attempt.detail}",
                progress=progress,
            ).rolled_back
        if attempt.capability == Capability.DEPLOY.value and attempt.target is not None:
            return self._deploy(
                record, self.executors.deployer(attempt.target), by=by, progress=progress
            )
        if attempt.capability == Capability.RUN_TESTS.value and attempt.environment is not None:
            return self._run_tests(
                record, attempt.environment, by=by, notify=True, progress=progress, lease=lease
            )
        if attempt.capability == Capability.MIGRATE.value and attempt.environment is not None:
            return self._migrate(record, attempt.environment, by=by, progress=progress)
        raise InvalidInputError(  # pragma: no cover  # every step the desk starts is resumable
            f"the {attempt.capability} step of {record.id} cannot be resumed; abandon it",
            field="release_id",
            value=record.id,
        )

    def abandon_step(
        self, release_id: str, *, by: str, reason: str, force: bool = False
    ) -> Release:
        """Give up a release's unfinished step explicitly; the release stays where it is.

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
            InvalidInputError: The release has no unfinished step.
            NotPermittedError: *by* may not act where the step runs.
            StepStillRunningError: A process of the step may still run (without *force*).
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="abandon a step", at_end=True)
        attempt = record.attempt
        if attempt is None:
            raise InvalidInputError(
                f"release {release_id} has no unfinished step to abandon",
                field="release_id",
                value=release_id,
            )
        self._require_actor_at(record.release, by, action="abandon a step")
        if attempt.environment is not None:
            self._engine.require_actor(attempt.environment, by, action="abandon a step")
        sightings = interrupted.look_for(attempt)
        try:
            interrupted.require_ended(record, sightings, force=force, running_ok=force)
        except StepStillRunningError as busy:
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
        return self._ledger.abandon_attempt(
            record,
            attempt.id,
            by=by,
            at=self.clock.now(),
            reason=f"{reason} ({told})" if told else reason,
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
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The release is not in that environment.
            LeaseHeldError: Another test run holds the environment.
            ScheduleConflictError: The run would overlap the daily scheduled run.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
            ExecutorFailedError: The run was killed (recorded as a failed step).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="run the tests")
        record.require_idle()
        where = environment or self._evidence_environment(record.release, guards.TestsPassed)
        self._require_in(record.release, where, action="run the tests")
        self._engine.require_actor(where, by, action="run the tests")
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
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The release is not in that environment, or has no migrations.
            ExecutorTimeoutError: The run timed out (recorded as a failed step).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="run migrations")
        record.require_idle()
        where = environment or self._evidence_environment(
            record.release, guards.MigrationsSucceeded
        )
        self._require_in(record.release, where, action="run migrations")
        self._engine.require_actor(where, by, action="run migrations")
        if not record.release.artifact.migrations:
            raise InvalidInputError(
                f"release {release_id} brings no migrations; there is nothing to run",
                field="release_id",
                value=release_id,
            )
        return self._migrate(record, where, by=by, progress=progress)

    # -- log review ------------------------------------------------------------

    def collect_logs(
        self,
        release_id: str | None = None,
        *,
        since: dt.datetime | None = None,
        progress: Progress | None = None,
    ) -> LogReport:
        """Collect the error logs of every environment of the policy into one report.

        Each environment's logs come from its ``collect-logs`` executor. An
        environment whose logs cannot be collected — no executor, a failed
        collection, an executor that raised — or whose output was cut short is
        listed in the report's :attr:`~LogReport.gaps` with the reason; the
        others are :attr:`~LogReport.covered`. Nothing is recorded: hand the
        report to :meth:`review_logs` with the reviewer's verdict.

        Reading an environment's logs is not acting in it: anyone may collect
        them, owned environments included.

        Args:
            release_id: The release the review is for, if any.
            since: The earliest instant of interest; by default the release's
                last move (when it reached where it is), or
                :data:`DEFAULT_LOG_WINDOW` (24 h) ago without a release.
            progress: Receives each line of output as it arrives.

        Raises:
            UnknownReleaseError: *release_id* names no release.
            NaiveDatetimeError: *since* has no time zone.
        """
        record = self.get(release_id) if release_id is not None else None
        if since is not None:
            start = instant(since, field="since")
        elif record is not None:
            start = record.release.last_moved_at
        else:
            start = self.clock.now() - DEFAULT_LOG_WINDOW
        batches: list[LogBatch] = []
        gaps: list[LogGap] = []
        for name in self.policy.environment_names:
            request = LogRequest(environment=name, since=start, progress=progress)
            try:
                batch = self.executors.log_collector(name).collect_logs(request)
            except ExecutorError as error:
                gaps.append(LogGap(environment=name, reason=str(error)))
                continue
            except Exception as error:  # noqa: BLE001  # one broken plug-in must not hide the rest
                gaps.append(
                    LogGap(
                        environment=name,
                        reason=f"the log collector raised {type(error).__name__}: {error}",
                    )
                )
                continue
            if not batch.ok:
                gaps.append(
                    LogGap(
                        environment=name, reason=f"the collection failed: {batch.outcome.summary}"
                    )
                )
                continue
            batches.append(batch)
            if not batch.complete:
                gaps.append(
                    LogGap(
                        environment=name,
                        reason=f"the output was too long: only the head and tail of "
                        f"{batch.error_count} entries were kept; read the logs in full",
                    )
                )
        return LogReport(
            environments=self.policy.environment_names,
            since=start,
            collected_at=self.clock.now(),
            release_id=release_id,
            batches=batches,
            gaps=gaps,
        )

    def review_logs(
        self,
        release_id: str,
        report: LogReport,
        *,
        by: str,
        verdict: LogVerdict | str,
        note: str = "",
    ) -> Release:
        """Record a reviewer's verdict on a log report as the release's LogReview evidence.

        The review covers exactly the environments whose logs the report holds
        completely; when some are missing, its note says which, and the
        ``logs-reviewed`` guard goes on asking for them. The review holds for
        the instant the logs were collected, so a report collected before the
        release's last move, or longer ago than the guard's maximum age, does
        not count.

        Args:
            release_id: The release.
            report: The report from :meth:`collect_logs`.
            by: The reviewer.
            verdict: ``clean`` if the logs look good, ``problems`` if not.
            note: What the reviewer saw.

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The report was made for another release, or holds
                no environment's logs completely.
            ConflictError: Someone else changed the release meanwhile; retry.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="record a review of the logs")
        if report.release_id is not None and report.release_id != release_id:
            raise InvalidInputError(
                f"this log report was collected for release {report.release_id}, not "
                f"{release_id}; collect the logs for {release_id}",
                field="report",
                value=report.release_id,
            )
        covered = report.covered
        if not covered:
            raise InvalidInputError(
                "the report holds no environment's logs completely, so there is nothing to "
                "review; fix the log collectors and collect the logs again",
                field="report",
                value=report.uncovered,
            )
        missing = report.uncovered
        text = note.strip()
        if missing:
            gap = f"not covered: the logs of {', '.join(missing)} could not be collected completely"
            text = f"{text} ({gap})" if text else gap
        review = LogReview(
            by=by,
            at=report.collected_at,
            environments=covered,
            verdict=verdict,
            note=text,
        )
        now = self.clock.now()
        self._engine.record(record.release, review, now=now)
        order = [name for name in report.environments if name in covered]
        return self._ledger.record_evidence(
            record,
            review,
            by=by,
            at=now,
            reason=f"{review.verdict.value} review of the logs of {', '.join(order)}",
        ).release

    # -- production monitoring -------------------------------------------------

    def deployments(self, environment: str | None = None) -> tuple[Deployment, ...]:
        """Return every release's stay in an environment (production by default), oldest first.

        The one whose :attr:`~Deployment.running` is true runs there now.
        """
        name = self.policy.environment(environment or self.policy.last.name).name
        every = self.records(self.releases(active=False))
        return deployments((record.release for record in every), name)

    def monitoring(
        self, release_id: str, *, environment: str | None = None, limit: int | None = None
    ) -> Monitoring:
        """Return which log checks the release calls for where its logs are monitored.

        Pure arithmetic from when the release began running there (it entered,
        or a newer release was rolled back to it), the checks recorded since,
        and the clock: the checks done, the one due, those overdue, the next.
        Once a newer release replaces it, no further check falls due.

        Args:
            release_id: The release.
            environment: The monitored environment; by default the last one the
                release reached whose logs are monitored (production).
            limit: List only the latest *limit* checks that fell due; the others
                are counted in :attr:`~Monitoring.earlier` (a release that ran
                for a year unchecked calls for thousands).

        Raises:
            InvalidInputError: The environment's logs are not monitored, or the
                release never reached it.
        """
        record = self.get(release_id)
        name, rule = self._monitored(record.release, environment)
        deployment = self._deployment_of(record.release, name)
        checks = self._log_checks(release_id, name, since=deployment.live_since)
        now = self.clock.now()
        since, until = deployment.live_since, deployment.until
        earlier, missed = (
            (0, 0)
            if limit is None
            else unlisted(rule, since=since, checks=checks, now=now, until=until, limit=limit)
        )
        return Monitoring(
            release_id=release_id,
            environment=name,
            every=rule.every,
            since=deployment.live_since,
            until=deployment.until,
            at=now,
            checks=schedule(rule, since=since, checks=checks, now=now, until=until, limit=limit),
            last_checked_at=max(checks, default=None),
            earlier=earlier,
            earlier_overdue=missed,
        )

    def check_production(
        self,
        release_id: str,
        *,
        by: str,
        environment: str | None = None,
        progress: Progress | None = None,
    ) -> LogCheck:
        """Check the logs of the monitored environment the release runs in, and react.

        The logs since the last check (or since the release began running
        there) are collected through the environment's ``collect-logs``
        executor, and a ``logs-checked`` note is recorded. A bad check —
        errors in the logs, or logs that could not be collected — raises the
        attention item :func:`attention_key` on the release (clear it with
        :meth:`clear_attention` once dealt with) and, where the environment's
        monitoring says to react immediately, notifies the team at once
        through its ``notify`` executor, recorded as a ``notified`` note.

        Args:
            release_id: The release running in the environment.
            by: Who or what checks, e.g. ``"log-monitor"``.
            environment: The monitored environment; production by default.
            progress: Receives each line of output as it arrives.

        Returns:
            The check's result; :attr:`LogCheck.bad` says whether it went bad.

        Raises:
            ReleaseEndedError: The release was abandoned or rolled back.
            InvalidInputError: The release does not run in a monitored environment
                (it never reached it, or was replaced).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._engine.require_open(record.release, action="check its logs", at_end=True)
        name, rule = self._monitored(record.release, environment)
        self._engine.require_actor(name, by, action="check the logs")
        deployment = self._deployment_of(record.release, name)
        if not deployment.running:
            instead = (
                f"{deployment.replaced_by} replaced it"
                if deployment.replaced_by is not None
                else "it was rolled back"
            )
            ended = deployment.until.isoformat() if deployment.until is not None else "?"
            raise InvalidInputError(
                f"release {release_id} no longer runs in {name}: {instead} at {ended}; "
                f"check the release that runs in {name} now",
                field="release_id",
                value=release_id,
            )
        checks = self._log_checks(release_id, name, since=deployment.live_since)
        since = max(checks, default=deployment.live_since)
        batch, problem = self._collect_for_check(name, since, progress)
        now = self.clock.now()
        record = self.get(release_id)  # the collection may have taken a while
        record = self._ledger.note(
            record,
            action=Action.LOGS_CHECKED,
            by=by,
            at=now,
            reason=problem or f"no errors in the logs of {name} since {guards.when(since)}",
            data={
                "environment": name,
                "since": iso(since),
                "collected": batch is not None and batch.ok,
                "errors": batch.error_count if batch is not None else 0,
                "complete": batch.complete if batch is not None else False,
                "problem": problem,
            },
        )
        check = LogCheck(
            release_id=release_id, environment=name, since=since, at=now, by=by, batch=batch
        )
        if not problem:
            return check
        key = attention_key(name)
        message = f"{record.release.version} in {name}: {problem}"
        record = self._ledger.raise_attention(record, key=key, message=message, by=by, at=now)
        notice = None
        if rule.react_immediately:
            notice = self._notify(Notice(message=message, environment=name, release_id=release_id))
            self._ledger.note(
                record,
                action=Action.NOTIFIED,
                by=by,
                at=self.clock.now(),
                reason=notice.summary,
                data={"message": message, "status": notice.status.value, "attention": key},
            )
        return attrs.evolve(check, problem=problem, notice=notice, attention_key=key)

    def clear_attention(self, release_id: str, key: str, *, by: str, reason: str) -> Release:
        """Record that the attention item *key* of the release was dealt with.

        Args:
            release_id: The release.
            key: The item, e.g. ``"log-check:production"`` (see :attr:`Record.attention`).
            by: Who dealt with it.
            reason: What was done.

        Raises:
            InvalidInputError: The release has no open item *key*.
            NotPermittedError: The release is in an environment *by* may not act in.
        """
        by = self.policy.person(by, field="by")
        record = self.get(release_id)
        self._require_actor_at(record.release, by, action="clear an attention item")
        return self._ledger.clear_attention(
            record, key, by=by, at=self.clock.now(), reason=reason
        ).release

    # -- rollback --------------------------------------------------------------

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
            StepInProgressError: The running release has a step in flight.
            ExecutorFailedError: The deploy failed; nothing was rolled back.
            ExecutorTimeoutError: The deploy timed out; nothing was rolled back.
        """
        by = self.policy.person(by, field="by")
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
        self._engine.require_actor(name, by, action="roll back")
        if release_id is not None:
            self._engine.require_open(
                self.get(release_id).release, action="roll it back", at_end=True
            )
        current, previous = self._rollback_pair(name)
        if release_id is not None and release_id != current.release.id:
            raise InvalidInputError(
                f"release {release_id} does not run in {name}: {current.release.id} "
                f"({current.release.version}) does; check what runs there before rolling back",
                field="release_id",
                value=release_id,
            )
        record = self.get(current.release.id)
        record.require_idle()
        self.executors.deployer(name)
        record = self._ledger.begin_attempt(
            record,
            capability=Capability.DEPLOY.value,
            by=by,
            at=self.clock.now(),
            environment=name,
            detail=f"roll {name} back from {current.release.version} to "
            f"{previous.release.version} (release {previous.release.id})",
            runner=this_process(),
        )
        return self._roll_back(record, name, by=by, reason=reason, progress=progress)

    # -- data operations ---------------------------------------------------------

    def data_operation(self, operation_id: str) -> DataOperation:
        """Return the data operation as it stands.

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        return self._load_data(operation_id)[0]

    def data_operations(self, *, environment: str | None = None) -> list[DataOperation]:
        """Return every data operation (on *environment*, if given), oldest request first."""
        found = [
            self._load_data(name.removeprefix(STREAM_PREFIX))[0]
            for name in self.store.streams(prefix=STREAM_PREFIX)
        ]
        return sorted(
            (op for op in found if environment is None or op.environment == environment),
            key=lambda op: (op.requested_at, op.id),
        )

    def data_history(self, operation_id: str) -> list[Event]:
        """Return every event of the data operation, oldest first (its state need not verify).

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        stream = f"{STREAM_PREFIX}{_operation_id(operation_id)}"
        events = self.store.events(stream)
        if not events and self.store.snapshot(stream) is None:
            raise UnknownDataOperationError(operation_id)
        return events

    def request_data_adjustment(
        self,
        environment: str,
        operation: str,
        arguments: Iterable[str] = (),
        *,
        by: str,
        reason: str,
        operation_id: str | None = None,
    ) -> DataOperation:
        """Ask for a data adjustment by hand; it runs once verified, by the operator.

        Only environments whose policy has a :class:`~releasekit.DataAdjustmentRule`
        accept adjustments (production, in the reference policy); any other is
        refused. The adjustment gets its own history, ``data:<id>``.

        Args:
            environment: Whose data to adjust.
            operation: The operation's name as the team's tool knows it.
            arguments: Its arguments, each passed as one argument.
            by: Who asks.
            reason: Why, in words.
            operation_id: An id of your own; by default ``adjustment-<n>``.

        Raises:
            DataOperationRefusedError: The policy does not allow adjusting data
                there by hand (reason ``"not-adjustable"``).
            NotPermittedError: *by* may not act in the environment.
            InvalidInputError: A value cannot be used.
            ConflictError: *operation_id* is taken.
        """
        by = self.policy.person(by, field="by")
        action = "request a data adjustment"
        env = self.policy.environment(environment)
        data.adjustment_rule(env, actor=by, action=action)
        self._engine.require_actor(env.name, by, action=action)
        now = self.clock.now()

        def build(new_id: str) -> DataOperation:
            return DataOperation(
                id=new_id,
                kind=DataOperationKind.ADJUSTMENT,
                environment=env.name,
                operation=operation,
                arguments=arguments,
                requested_by=by,
                requested_at=now,
                reason=reason,
                status=DataOperationStatus.REQUESTED,
            )

        return self._create_data(
            build,
            operation_id,
            kind=DataOperationKind.ADJUSTMENT,
            by=by,
            at=now,
            step="requested",
        )

    def amend_data_adjustment(
        self,
        operation_id: str,
        *,
        by: str,
        arguments: Iterable[str],
        operation: str | None = None,
        reason: str = "",
    ) -> DataOperation:
        """Change an adjustment's arguments (or operation); every earlier verification is voided.

        The voided verifications stay in the history, marked void; the
        adjustment needs its verifications again.

        Args:
            operation_id: The adjustment.
            by: Who amends it: its requester.
            arguments: The new arguments.
            operation: A new operation name, if it changes.
            reason: Why, in words.

        Raises:
            DataOperationRefusedError: *by* is not the requester (``"not-requester"``),
                or the adjustment already ran, runs or was cancelled.
            InvalidInputError: The amendment changes nothing.
        """
        by = self.policy.person(by, field="by")
        action = "amend a data adjustment"
        current, revision = self._load_adjustment(operation_id)
        env = self.policy.environment(current.environment)
        data.adjustment_rule(env, actor=by, action=action)
        amended = attrs.evolve(
            current,
            operation=operation if operation is not None else current.operation,
            arguments=arguments,
            status=DataOperationStatus.REQUESTED,
            verifications=tuple(attrs.evolve(item, voided=True) for item in current.verifications),
        )
        data.check_amend(current, actor=by, new_fingerprint=amended.fingerprint)
        self._engine.require_actor(env.name, by, action=action)
        voided = sum(1 for item in current.verifications if not item.voided)
        return self._write_data(
            current,
            expected=revision,
            by=by,
            at=self.clock.now(),
            step="amended",
            reason=reason or f"amended to {amended.describe()}",
            details={
                "operation": amended.operation,
                "arguments": list(amended.arguments),
                "fingerprint": amended.fingerprint,
                "voided": voided,
            },
        )

    def verify_data_adjustment(
        self,
        operation_id: str,
        *,
        by: str,
        fingerprint: str | None = None,
        note: str = "",
    ) -> DataOperation:
        """Record that *by* checked the adjustment as it stands and vouches for it.

        A verification counts for the exact operation: it stores the
        operation's :attr:`~DataOperation.fingerprint`, and an amendment voids
        it. Pass the fingerprint you were shown to make sure you verify what you
        read: if the adjustment was amended meanwhile, the verification is refused.

        Args:
            operation_id: The adjustment.
            by: Who verifies: neither its requester nor the operator.
            fingerprint: The fingerprint of the operation as *by* read it.
            note: What they checked.

        Raises:
            DataOperationRefusedError: With ``reason`` ``"requester-verifies"``,
                ``"operator-verifies"``, ``"already-verified"``,
                ``"enough-verifications"`` (the policy's maximum is reached),
                ``"changed"`` (*fingerprint* is not the operation's), or a closed status.
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.policy.person(by, field="by")
        action = "verify a data adjustment"
        current, revision = self._load_adjustment(operation_id)
        env = self.policy.environment(current.environment)
        rule = data.adjustment_rule(env, actor=by, action=action)
        data.check_verification(current, rule, actor=by, seen=fingerprint)
        self._engine.require_actor(env.name, by, action=action)
        now = self.clock.now()
        verification = DataVerification(by=by, at=now, fingerprint=current.fingerprint, note=note)
        verified = attrs.evolve(current, verifications=(*current.verifications, verification))
        count = len(verified.verifiers)
        return self._write_data(
            current,
            expected=revision,
            by=by,
            at=now,
            step="verified",
            reason=note or f"verification {count} of {rule.min_verifications}",
            details={"fingerprint": verification.fingerprint, "note": note, "counted": count},
        )

    def execute_data_adjustment(
        self, operation_id: str, *, by: str, progress: Progress | None = None
    ) -> DataOperation:
        """Run a verified adjustment — only its operator, only through the policy's tool.

        The environment's ``adjust-data`` executor must be a
        :class:`~releasekit.executors.CommandExecutor` (a ``DtExecutor``, say)
        whose program is the rule's ``tool`` (``dt``): a dry run or any other
        executor is refused. The run is recorded as started before it runs and
        as executed (or failed) after; a failed adjustment may be run again.

        Args:
            operation_id: The adjustment.
            by: The operator.
            progress: Receives each line of output as it arrives.

        Raises:
            DataOperationRefusedError: *by* is not the operator (``"not-operator"``),
                it has too few verifications (``"not-verified"``), or it already
                ran, runs or was cancelled.
            ExecutorNotAllowedError: The executor is not the policy's tool.
            ExecutorNotFoundError: No executor adjusts data there.
            ExecutorFailedError: The run failed (recorded; the operation is ``failed``).
            ExecutorTimeoutError: The run timed out (recorded likewise).
        """
        by = self.policy.person(by, field="by")
        action = "run a data adjustment"
        current, revision = self._load_adjustment(operation_id)
        env = self.policy.environment(current.environment)
        rule = data.adjustment_rule(env, actor=by, action=action)
        data.check_execution(current, rule, actor=by)
        self._engine.require_actor(env.name, by, action=action)
        executor = self.executors.lookup(Capability.ADJUST_DATA, env.name)
        if not isinstance(executor, CommandExecutor) or Path(executor.program).name != rule.tool:
            raise ExecutorNotAllowedError(
                capability=Capability.ADJUST_DATA.value,
                environment=env.name,
                executor=_describe_executor(executor),
                required=f"`{rule.tool}`",
            )
        request = AdjustmentRequest(
            environment=env.name,
            operation=current.operation,
            arguments=current.arguments,
            operator=by,
            progress=progress,
        )
        command = executor.command_for(request)
        started = self._write_data(
            current,
            expected=revision,
            by=by,
            at=self.clock.now(),
            step="started",
            reason=f"run `{show_command(command)}`",
            details={
                "fingerprint": current.fingerprint,
                "verifiers": list(current.verifiers),
                "command": list(command),
            },
        )
        return self._run_data(
            started,
            lambda: executor.adjust_data(request),
            by=by,
            capability=Capability.ADJUST_DATA,
        )

    def cancel_data_operation(self, operation_id: str, *, by: str, reason: str) -> DataOperation:
        """Give a data operation up: one still waiting, one that failed, or one whose run died.

        Args:
            operation_id: The operation.
            by: Its requester, or the environment's operator.
            reason: Why, in words.

        Raises:
            DataOperationRefusedError: *by* may not cancel it (``"not-requester"``),
                or it already ran or was cancelled.
        """
        by = self.policy.person(by, field="by")
        current, revision = self._load_data(operation_id)
        env = self.policy.environment(current.environment)
        data.check_cancel(current, env.data_adjustments, actor=by)
        self._engine.require_actor(env.name, by, action="cancel a data operation")
        now = self.clock.now()
        return self._write_data(
            current,
            expected=revision,
            by=by,
            at=now,
            step="cancelled",
            reason=reason,
            details={},
        )

    def restore_data(
        self,
        source: str,
        target: str,
        *,
        by: str,
        reason: str,
        operation_id: str | None = None,
        progress: Progress | None = None,
    ) -> DataOperation:
        """Replace *target*'s data with a copy of *source*'s, if the policy allows that direction.

        *target*'s ``data.restorable_from`` must name *source* (production →
        sandbox-anton, yes; anything → production, never), and *by* must be
        allowed to act in *target*. The restore runs through *target*'s
        ``restore-data`` executor and gets its own history, ``data:<id>``:
        started, then executed or failed.

        Args:
            source: Where the data comes from.
            target: Whose data is replaced.
            by: Who restores.
            reason: Why, in words.
            operation_id: An id of your own; by default ``restore-<n>``.
            progress: Receives each line of output as it arrives.

        Raises:
            DataOperationRefusedError: The direction is not allowed (``"direction"``).
            NotPermittedError: *by* may not act in *target* (it has other owners).
            ExecutorNotFoundError: No executor restores data into *target*.
            ExecutorFailedError: The restore failed (recorded; the operation is ``failed``).
            ExecutorTimeoutError: The restore timed out (recorded likewise).
        """
        by = self.policy.person(by, field="by")
        action = "restore data"
        origin = self.policy.environment(source)
        into = self.policy.environment(target)
        data.check_restore(origin, into, actor=by)
        self._engine.require_actor(into.name, by, action=action)
        restorer = self.executors.data_restorer(into.name)
        now = self.clock.now()
        request = RestoreRequest(source=origin.name, target=into.name, progress=progress)

        def build(new_id: str) -> DataOperation:
            return DataOperation(
                id=new_id,
                kind=DataOperationKind.RESTORE,
                environment=into.name,
                source=origin.name,
                operation="restore",
                requested_by=by,
                requested_at=now,
                reason=reason,
                status=DataOperationStatus.RUNNING,
                executed_by=by,
            )

        started = self._create_data(
            build, operation_id, kind=DataOperationKind.RESTORE, by=by, at=now, step="started"
        )
        return self._run_data(
            started,
            lambda: restorer.restore_data(request),
            by=by,
            capability=Capability.RESTORE_DATA,
        )

    # -- internals ---------------------------------------------------------------

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
                step = self._engine.require_step(record.release, to=to)
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
                step = self._engine.next_step(record.release)
            raise ConflictError(
                stream=record.id,
                expected=revision,
                actual=record.revision,
                expected_target=to,
                actual_target=None if step is None else step.target,
                state=record.state,
            )

    def _require_actor_at(self, release: Release, actor: str, *, action: str) -> None:
        """Refuse *actor* if the release is in an environment they may not act in."""
        if release.state in self.policy.environment_names:
            self._engine.require_actor(release.state, actor, action=action)

    # -- monitoring and rollback internals

    def _monitored(self, release: Release, environment: str | None) -> tuple[str, LogMonitoring]:
        monitored = [env for env in self.policy.environments if env.log_monitoring is not None]
        listed = ", ".join(env.name for env in monitored) or "none"
        if environment is not None:
            chosen: Environment | None = self.policy.environment(environment)
            assert chosen is not None  # noqa: S101  # environment() raises instead
            if chosen.log_monitoring is None:
                raise InvalidInputError(
                    f"the logs of {chosen.name} are not monitored (monitored: {listed})",
                    field="environment",
                    value=environment,
                )
        else:
            reached = [env for env in monitored if release.has_visited(env.name)]
            chosen = reached[-1] if reached else None
        if chosen is None or not release.has_visited(chosen.name):
            where = chosen.name if chosen is not None else listed
            raise InvalidInputError(
                f"release {release.id} has not reached {where}, whose logs are monitored; "
                "its checks begin once it is deployed there",
                field="release_id",
                value=release.id,
            )
        assert chosen.log_monitoring is not None  # noqa: S101  # checked above
        return chosen.name, chosen.log_monitoring

    def _deployment_of(self, release: Release, environment: str) -> Deployment:
        for deployment in self.deployments(environment):
            if deployment.release.id == release.id:
                return deployment
        raise InvalidInputError(  # pragma: no cover  # _monitored checked it reached there
            f"release {release.id} was never deployed to {environment}",
            field="release_id",
            value=release.id,
        )

    def _log_checks(
        self, release_id: str, environment: str, *, since: dt.datetime
    ) -> list[pendulum.DateTime]:
        """Return when the release's logs in *environment* were checked, from *since* on."""
        return [
            event.at
            for event in self._ledger.history(release_id)
            if event.action is Action.LOGS_CHECKED
            and event.data.get("environment") == environment
            and event.at >= since
        ]

    def _collect_for_check(
        self, environment: str, since: dt.datetime, progress: Progress | None
    ) -> tuple[LogBatch | None, str]:
        """Collect the logs of a monitoring check; return them and what is wrong ("" if nothing)."""
        request = LogRequest(environment=environment, since=since, progress=progress)
        try:
            batch = self.executors.log_collector(environment).collect_logs(request)
        except ExecutorError as error:
            return None, f"the logs could not be collected: {error}"
        if not batch.ok:
            return batch, f"the logs could not be collected: {batch.outcome.summary}"
        if batch.error_count:
            count = batch.error_count
            noun = "error" if count == 1 else "errors"
            first = f", the first: {batch.entries[0]}" if batch.entries else ""
            return batch, f"{count} {noun} in the logs since {guards.when(request.since)}{first}"
        return batch, ""

    def _notify(self, notice: Notice) -> Outcome:
        """Send *notice*; a notifier that is missing or cannot run gives a failed outcome."""
        try:
            return self.executors.notifier(notice.environment).notify(notice)
        except ExecutorError as error:
            return Outcome.failure(f"the team could not be notified: {error}")

    def _rollback_pair(self, environment: str) -> tuple[Deployment, Deployment]:
        """Return the deployment running in *environment* and the one a rollback restores."""
        stack = live(self.deployments(environment))
        if len(stack) < 2:  # noqa: PLR2004  # the running one and the one before it
            raise NothingToRollBackError(
                environment=environment, current=stack[-1].release.id if stack else None
            )
        return stack[-1], stack[-2]

    def _roll_back(
        self,
        record: Record,
        environment: str,
        *,
        by: str,
        reason: str,
        progress: Progress | None,
    ) -> Rollback:
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # begun by the caller, or interrupted
        current, previous = self._rollback_pair(environment)
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
            child_started=self._child_hook(record, by),
        )
        outcome = self._run(record, lambda: deployer.deploy(request), by=by)
        finished = self.clock.now()
        write = self._ledger.finish_attempt if outcome.ok else self._ledger.fail_attempt
        record = self._end(
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
        moved = self._engine.roll_back(record.release, by=by, now=finished)
        record = self._ledger.roll_back(record, moved.moves[-1], reason=reason)
        return Rollback(
            environment=environment,
            rolled_back=record.release,
            restored=previous.release,
            at=finished,
            by=by,
            summary=outcome.summary,
        )

    # -- data operation internals

    def _load_data(self, operation_id: str) -> tuple[DataOperation, int]:
        """Return the operation and the revision of its history, checked against each other.

        A data operation's history is short: it is verified and replayed on
        every read, so a state edited behind releasekit's back (a forged
        verifier, say) is refused before any rule reads it.

        Raises:
            UnknownDataOperationError: No data operation has that id.
            HistoryTamperedError: The history does not verify, or the state is
                not its replay.
        """
        stream = f"{STREAM_PREFIX}{_operation_id(operation_id)}"
        snapshot = self._ledger.checked_snapshot(stream, replay=data_history.replay_problem)
        if snapshot is None:
            raise UnknownDataOperationError(operation_id)
        operation = structure(snapshot.data, DataOperation, what=f"the current state of {stream}")
        return operation, snapshot.revision

    def _load_adjustment(self, operation_id: str) -> tuple[DataOperation, int]:
        operation, revision = self._load_data(operation_id)
        if operation.kind is not DataOperationKind.ADJUSTMENT:
            raise InvalidInputError(
                f"{operation_id} is a {operation.kind.value}, not a data adjustment",
                field="operation_id",
                value=operation_id,
            )
        return operation, revision

    def _create_data(
        self,
        build: Callable[[str], DataOperation],
        operation_id: str | None,
        *,
        kind: DataOperationKind,
        by: str,
        at: dt.datetime,
        step: str,
    ) -> DataOperation:
        """Start the history of a new operation, numbering it unless *operation_id* is given."""
        if operation_id is not None:
            candidates: Iterable[str] = [operation_id]
        else:
            first = len(self.store.streams(prefix=f"{STREAM_PREFIX}{kind.value}-")) + 1
            candidates = (f"{kind.value}-{n}" for n in range(first, first + _MAX_ID_TRIES))
        for candidate in candidates:
            requested = build(candidate)  # checks what was asked for
            details = _event_data(requested, step, _content(requested))
            operation = data_history.apply(
                None, operation_id=candidate, actor=by, at=at, reason=requested.reason, data=details
            ).operation  # what the history says: the state written, and what a replay gives
            try:
                self._ledger.append(
                    operation.stream,
                    expected=0,
                    action=Action.DATA_OPERATION,
                    by=by,
                    at=at,
                    snapshot=operation,
                    data=details,
                    reason=operation.reason,
                    target=operation.status.value,
                )
            except ConflictError:
                if operation_id is not None:
                    raise
                continue
            return operation
        raise InvalidInputError(  # pragma: no cover  # a hundred concurrent requests
            "no free data operation id was found; pass operation_id=... to name it",
            field="operation_id",
            value=None,
        )

    def _write_data(
        self,
        before: DataOperation,
        *,
        expected: int,
        by: str,
        at: dt.datetime,
        step: str,
        reason: str,
        details: dict[str, Any],
    ) -> DataOperation:
        """Record one step of *before*'s history; return the operation it leaves.

        The new state is the step folded into *before* (:func:`data_history.apply`),
        the very fold ``verify`` replays.
        """
        event_data = _event_data(before, step, details)
        after = data_history.apply(
            data_history.Folded(operation=before),
            operation_id=before.id,
            actor=by,
            at=at,
            reason=reason,
            data=event_data,
        ).operation
        self._ledger.append(
            after.stream,
            expected=expected,
            action=Action.DATA_OPERATION,
            by=by,
            at=at,
            snapshot=after,
            data=event_data,
            reason=reason,
            source=before.status.value,
            target=after.status.value,
        )
        return after

    def _run_data(
        self,
        started: DataOperation,
        call: Callable[[], Outcome],
        *,
        by: str,
        capability: Capability,
    ) -> DataOperation:
        """Run a data operation's executor; record it as executed or failed."""

        def end(outcome: Outcome, status: DataOperationStatus, reason: str) -> DataOperation:
            now = self.clock.now()
            # Whatever was recorded while it ran (a cancellation), the outcome is the truth.
            latest, revision = self._load_data(started.id)
            return self._write_data(
                latest,
                expected=revision,
                by=by,
                at=now,
                step=status.value,
                reason=reason,
                details={
                    "status": outcome.status.value,
                    "output": outcome.output[-4000:],
                    "summary": outcome.summary,
                    "command": list(outcome.command or started.command),
                },
            )

        try:
            outcome = call()
        except BaseException as error:
            end(
                Outcome.failure(f"the executor raised {type(error).__name__}: {error}"),
                DataOperationStatus.FAILED,
                str(error) or type(error).__name__,
            )
            raise
        if outcome.ok:
            return end(outcome, DataOperationStatus.EXECUTED, outcome.summary)
        end(outcome, DataOperationStatus.FAILED, outcome.summary)
        outcome.raise_for_status(capability.value, started.environment)
        raise AssertionError  # pragma: no cover  # raise_for_status raised

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
            child_started=self._child_hook(record, by),
        )
        outcome = self._run(record, lambda: deployer.deploy(request), by=by)
        ended = self.clock.now()
        write = self._ledger.finish_attempt if outcome.ok else self._ledger.fail_attempt
        record = self._end(
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
            return record.release
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
        lease: Lease | None = None,
    ) -> Release:
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
                _test_lease(environment),
                holder=f"{by} ({record.id})",
                now=now,
                ttl=self._lease_ttl(runner),
            )
        try:
            record = self._begin_unless_resumed(
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
                child_started=self._child_hook(record, by),
            )
            outcome = self._run(record, lambda: runner.run_tests(request), by=by)
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
            return self._end_step(
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

    def _migrate(
        self, record: Record, environment: str, *, by: str, progress: Progress | None
    ) -> Release:
        migrator = self.executors.migrator(environment)
        now = self.clock.now()
        record = self._begin_unless_resumed(
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
            child_started=self._child_hook(record, by),
        )
        outcome = self._run(record, lambda: migrator.migrate(request), by=by)
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
        return self._end_step(
            record,
            outcome,
            Capability.MIGRATE,
            environment,
            result=run,
            by=by,
            at=finished,
            reason=outcome.summary,
        )

    def _begin_unless_resumed(
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
        return self._ledger.begin_attempt(
            record,
            capability=capability.value,
            by=by,
            at=at,
            environment=environment,
            detail=detail,
            lease=lease,
            runner=this_process(),
        )

    def _child_hook(self, record: Record, by: str) -> ChildHook:
        """Return the callback recording each program the executor starts for the step in flight."""
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # every caller began or resumed the step
        return interrupted.child_recorder(
            self._ledger, record.id, attempt.id, by=by, clock=self.clock
        )

    def _end_step(
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
    ) -> Release:
        """Record how a step that produces evidence ended, and raise if it produced none.

        A run that succeeded or failed is a result — the evidence says which;
        a run that timed out or was killed is not, and is raised after it is
        recorded as a failed step.
        """
        attempt = record.attempt
        assert attempt is not None  # noqa: S101  # the step being ended
        if outcome.status in {Status.SUCCEEDED, Status.FAILED}:
            write = self._ledger.finish_attempt if outcome.ok else self._ledger.fail_attempt
            return self._end(
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
            ).release
        self._end(
            record,
            lambda current: self._ledger.fail_attempt(
                current, attempt.id, by=by, at=at, reason=reason, output=outcome.output
            ),
        )
        outcome.raise_for_status(capability.value, environment)
        raise AssertionError  # pragma: no cover  # raise_for_status raised

    def _run(self, record: Record, call: Callable[[], Outcome], *, by: str) -> Outcome:
        """Run an executor call for the step in flight on *record*, and return its outcome.

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
            self._end(
                record,
                lambda current: self._ledger.fail_attempt(
                    current, attempt.id, by=by, at=at, reason=reason
                ),
            )
            raise

    def _end(self, record: Record, write: Callable[[Record], Record]) -> Record:
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
                record = self.get(record.id)
        return write(record)

    def _lease_ttl(self, runner: object) -> dt.timedelta:
        timeouts = getattr(runner, "timeouts", None)
        limit = timeouts.get(Capability.RUN_TESTS) if isinstance(timeouts, Mapping) else None
        return (limit + _LEASE_MARGIN) if isinstance(limit, dt.timedelta) else _DEFAULT_LEASE

    def _evidence_environment(self, release: Release, guard_type: type[object]) -> str:
        step = self._engine.next_step(release)
        if step is not None:
            for guard in step.guards:
                if isinstance(guard, guard_type):
                    return str(getattr(guard, "environment", release.state))
        return release.state

    def _at_end(self, release: ReleaseSummary) -> bool:
        """Whether a listed release is at the end of its flow, as this desk's policy says."""
        if release.kind not in self.policy.kinds:
            return False
        return release.state == self.policy.flow(release.kind).path[-1]

    def _require_in(self, release: Release, environment: str, *, action: str) -> None:
        self.policy.environment(environment)
        if release.state != environment:
            raise InvalidInputError(
                f"release {release.id} is in {release.state}, not {environment}; promote it "
                f"to {environment} before you {action} there",
                field="environment",
                value=environment,
            )


def _test_lease(environment: str) -> str:
    """Return the name of the lease test runs on *environment* hold."""
    return f"test-run:{environment}"


def _operation_id(operation_id: object) -> str:
    """Return *operation_id* if it can name a data operation."""
    if not isinstance(operation_id, str) or not operation_id.strip():
        raise InvalidInputError(
            f"a data operation id must be a non-empty string, got {operation_id!r}",
            field="operation_id",
            value=operation_id,
        )
    return operation_id


def _event_data(operation: DataOperation, step: str, details: dict[str, Any]) -> dict[str, Any]:
    """Return what a data operation's event records: the step, the operation, the details."""
    return {
        "step": step,
        "kind": operation.kind.value,
        "environment": operation.environment,
        **details,
    }


def _describe_executor(executor: object) -> str:
    """Say what an executor is, for a refusal: its class, and its program or dry-run nature."""
    kind = type(executor).__name__
    if isinstance(executor, RecordingExecutor):
        return f"{kind} (a dry run that runs nothing)"
    if isinstance(executor, CommandExecutor):
        return f"{kind} running {executor.program}"
    return f"{type(executor).__module__}.{type(executor).__qualname__}"


def _content(operation: DataOperation) -> dict[str, Any]:
    """Return what a new operation's first event records of its content."""
    if operation.kind is DataOperationKind.RESTORE:
        return {"source": operation.source}
    return {
        "operation": operation.operation,
        "arguments": list(operation.arguments),
        "fingerprint": operation.fingerprint,
    }
