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
operations in its data room, :attr:`Desk.data` — adjustments that need
verifications and their one operator, and restores between environments. An
environment with owners
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

from typing import TYPE_CHECKING

import attrs

from releasekit._actions.data import STREAM_PREFIX
from releasekit._actions.data_room import DataRoom
from releasekit._actions.executors.recording import dry_run
from releasekit._actions.executors.registry import Registry
from releasekit._actions.log_room import LogRoom
from releasekit._actions.release_room import ReleaseRoom
from releasekit._actions.resume_room import ResumeRoom
from releasekit._actions.rollback_room import RollbackRoom
from releasekit._actions.room import Room
from releasekit._actions.run_room import RunRoom
from releasekit._actions.step_room import StepRoom
from releasekit._records.ledger import Ledger
from releasekit._records.memory import MemoryStore
from releasekit._records.store import SEPARATOR, Store
from releasekit._rules.clock import Clock, SystemClock
from releasekit._rules.engine import Engine
from releasekit._rules.policy import Policy
from releasekit._rules.release import Kind
from releasekit.exceptions import InvalidInputError, UnknownReleaseError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from releasekit._actions.deployments import Deployment, Rollback
    from releasekit._actions.executors.requests import Progress
    from releasekit._actions.logs import LogCheck, LogReport, Monitoring
    from releasekit._records.events import Event, Verification
    from releasekit._records.values import Record, ReleaseSummary
    from releasekit._rules.engine import Explanation, Plan
    from releasekit._rules.evidence import Evidence, LogVerdict
    from releasekit._rules.release import Artifact, Release

__all__ = ["Desk"]


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
    #: The data room: adjustments by hand and restores between environments.
    data: DataRoom = attrs.field(init=False, repr=False)
    _engine: Engine = attrs.field(init=False, repr=False)
    _ledger: Ledger = attrs.field(init=False, repr=False)
    _releases: ReleaseRoom = attrs.field(init=False, repr=False)
    _steps: StepRoom = attrs.field(init=False, repr=False)
    _runs: RunRoom = attrs.field(init=False, repr=False)
    _logs: LogRoom = attrs.field(init=False, repr=False)
    _rollbacks: RollbackRoom = attrs.field(init=False, repr=False)
    _resumes: ResumeRoom = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._engine = Engine(self.policy)
        self._ledger = Ledger(self.store, policy=self.policy)
        room = Room(
            policy=self.policy,
            store=self.store,
            executors=self.executors,
            clock=self.clock,
            engine=self._engine,
            ledger=self._ledger,
        )
        self.data = room.beside(DataRoom)
        self._releases = room.beside(ReleaseRoom)
        self._steps = room.beside(StepRoom)
        self._runs = room.beside(RunRoom)
        self._logs = room.beside(LogRoom)
        self._rollbacks = room.beside(RollbackRoom)
        self._resumes = room.beside(ResumeRoom)

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
            return self.data.verify(stream.removeprefix(STREAM_PREFIX))
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
        return self._releases.start(
            version, by=by, kind=kind, artifact=artifact, release_id=release_id
        ).release

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
        return self._releases.record(release_id, *evidence, by=by).release

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
        return self._steps.promote(
            release_id, by=by, to=to, revision=revision, progress=progress
        ).release

    def abandon(self, release_id: str, *, by: str, reason: str = "") -> Release:
        """Give the release up; it takes no further step.

        Raises:
            ReleaseEndedError: The release already finished its flow, or has ended.
            StepInProgressError: A step is in flight: abandon it first.
            NotPermittedError: The release is in an environment *by* may not act in.
        """
        return self._releases.abandon(release_id, by=by, reason=reason).release

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
        return self._resumes.resume(release_id, by=by, progress=progress, force=force).release

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
        return self._resumes.abandon_step(release_id, by=by, reason=reason, force=force).release

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
        return self._runs.run_tests(
            release_id, by=by, environment=environment, notify=notify, progress=progress
        ).release

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
        return self._runs.migrate(
            release_id, by=by, environment=environment, progress=progress
        ).release

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
        return self._logs.collect_logs(release_id, since=since, progress=progress)

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
        return self._logs.review_logs(release_id, report, by=by, verdict=verdict, note=note).release

    # -- production monitoring -------------------------------------------------

    def deployments(self, environment: str | None = None) -> tuple[Deployment, ...]:
        """Return every release's stay in an environment (production by default), oldest first.

        The one whose :attr:`~Deployment.running` is true runs there now.
        """
        return self._rollbacks.deployments(environment)

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
        return self._logs.monitoring(release_id, environment=environment, limit=limit)

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
        return self._logs.check_production(
            release_id, by=by, environment=environment, progress=progress
        )

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
        return self._logs.clear_attention(release_id, key, by=by, reason=reason).release

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
        return self._rollbacks.roll_back(
            by=by, reason=reason, environment=environment, release_id=release_id, progress=progress
        )

    def _at_end(self, release: ReleaseSummary) -> bool:
        """Whether a listed release is at the end of its flow, as this desk's policy says."""
        if release.kind not in self.policy.kinds:
            return False
        return release.state == self.policy.flow(release.kind).path[-1]
