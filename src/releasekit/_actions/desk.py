"""The desk: the one object a tool uses to run its team's release process.

A :class:`Desk` holds the policy, the store, the executors and the clock, and
coordinates one room per concern, each a module of its own:

- ``release_room``: a release is started, gathers evidence, is abandoned;
- ``history_room``: releases listed, histories read and checked against their chains;
- ``step_room``: promotions, and how every executor attempt is begun, run and ended;
- ``run_room``: the automatic tests (under the tests environment's lease) and migrations;
- ``log_room``: the log review before stage, and production's log monitoring;
- ``rollback_room``: production back to the version deployed there before;
- ``resume_room``: an interrupted attempt resumed, or given up;
- ``data_room``: data adjustments and restores — the desk's :attr:`Desk.data`.

Every action goes the same way: read the release from the store, ask the rules,
run the executor, record what happened — one event per fact, each write checked
against the revision that was read. An executor attempt is recorded as started
before it runs and as finished (or failed) after, so a crash in between leaves
an interrupted attempt that :meth:`Desk.resume` or :meth:`Desk.abandon_attempt`
deals with explicitly. Nothing is half-done silently. An environment with
owners accepts every action from its owners only.

Whoever acts (``by``) is compared and recorded as the person they are, in every
room alike (see :mod:`~releasekit._actions.room`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions.data_room import DataRoom
from releasekit._actions.executors.recording import dry_run
from releasekit._actions.executors.registry import Registry
from releasekit._actions.freeze_room import DeskEngine, FreezeRoom
from releasekit._actions.history_room import HistoryRoom
from releasekit._actions.log_room import LogRoom
from releasekit._actions.opening import (
    check_clock,
    check_executors,
    check_policy,
    check_store,
    open_parts,
    validator,
)
from releasekit._actions.release_room import ReleaseRoom
from releasekit._actions.resume_room import ResumeRoom
from releasekit._actions.rollback_room import RollbackRoom
from releasekit._actions.room import Room
from releasekit._actions.run_room import RunRoom
from releasekit._actions.step_room import StepRoom
from releasekit._records.ledger import Ledger
from releasekit._records.memory import MemoryStore
from releasekit._records.store import Store
from releasekit._rules.clock import Clock, SystemClock
from releasekit._rules.policy import Policy
from releasekit._rules.release import ReleaseKind

if TYPE_CHECKING:
    import datetime as dt
    import os
    from collections.abc import Iterable
    from types import TracebackType
    from typing import Self

    from releasekit._actions.deployments import Deployment, Rollback
    from releasekit._actions.executors.requests import Progress
    from releasekit._actions.logs import LogCheck, LogReport, Monitoring
    from releasekit._records.events import Event, Verification
    from releasekit._records.values import Record, ReleaseSummary
    from releasekit._rules.engine import Engine, Explanation, Plan
    from releasekit._rules.evidence import Evidence, LogVerdict
    from releasekit._rules.release import Artifact

__all__ = ["Desk"]


@attrs.define
class Desk:
    """Run releases through a policy with real executors, a shared store and a clock.

    Open one from what a script names — a policy file, a database path or URL,
    a choice of executors — with :meth:`open`, in a ``with`` block that closes
    the store it opened; or build it from parts: ``Desk(policy, store=...,
    executors=..., clock=...)``. A part of the wrong kind is refused at once,
    naming what to pass instead; no part can be replaced once the desk is built.

    Each method hands its call to the room of its concern, where the call is
    documented in full; the data operations are a room of their own,
    :attr:`data`. Every call about one release answers with its
    :class:`~releasekit.stores.Record`, as :meth:`get` does.

    Attributes:
        policy: The team's process.
        store: Where releases and their histories live; an in-memory store by default.
        executors: Who does the work; a dry run that only records calls by default.
        clock: Where "now" comes from; the system clock by default.

    Example:
        >>> import pendulum, releasekit as rk
        >>> with rk.Desk.open(store=":memory:",
        ...                   clock=rk.FixedClock(pendulum.datetime(2026, 11, 27, 18, tz="UTC"))
        ...                   ) as desk:
        ...     desk.start("2.4.0", by="anton").state
        'sandbox-anton'
    """

    policy: Policy = attrs.field(validator=validator(check_policy), on_setattr=attrs.setters.frozen)
    store: Store = attrs.field(
        factory=MemoryStore, validator=validator(check_store), on_setattr=attrs.setters.frozen
    )
    executors: Registry = attrs.field(
        factory=dry_run, validator=validator(check_executors), on_setattr=attrs.setters.frozen
    )
    clock: Clock = attrs.field(
        factory=SystemClock, validator=validator(check_clock), on_setattr=attrs.setters.frozen
    )
    #: The store :meth:`open` opened, which :meth:`close` closes.
    _opened: Store | None = attrs.field(default=None, init=False, repr=False)
    _data: DataRoom = attrs.field(init=False, repr=False)
    _freezes: FreezeRoom = attrs.field(init=False, repr=False)
    _engine: DeskEngine = attrs.field(init=False, repr=False)
    _ledger: Ledger = attrs.field(init=False, repr=False)
    _histories: HistoryRoom = attrs.field(init=False, repr=False)
    _releases: ReleaseRoom = attrs.field(init=False, repr=False)
    _steps: StepRoom = attrs.field(init=False, repr=False)
    _runs: RunRoom = attrs.field(init=False, repr=False)
    _logs: LogRoom = attrs.field(init=False, repr=False)
    _rollbacks: RollbackRoom = attrs.field(init=False, repr=False)
    _resumes: ResumeRoom = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._engine = DeskEngine(self.policy)  # obeys the freezes declared in the store
        self._ledger = Ledger(self.store, policy=self.policy)
        self._freezes = FreezeRoom(self.policy, self._ledger, self.clock, self._engine)
        self._engine.obey(self._freezes)
        room = Room(
            policy=self.policy,
            store=self.store,
            executors=self.executors,
            clock=self.clock,
            engine=self._engine,
            ledger=self._ledger,
        )
        self._data = room.beside(DataRoom)
        self._histories = room.beside(HistoryRoom)
        self._releases = room.beside(ReleaseRoom)
        self._steps = room.beside(StepRoom)
        self._runs = room.beside(RunRoom)
        self._logs = room.beside(LogRoom)
        self._rollbacks = room.beside(RollbackRoom)
        self._resumes = room.beside(ResumeRoom)

    @classmethod
    def open(
        cls,
        *,
        policy: Policy | str | os.PathLike[str] | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        executors: Registry | str | None = None,
        clock: Clock | None = None,
    ) -> Self:
        """Open a desk from a policy, a store and executors, each named or given as an object.

        The same resolution the ``releasekit`` command uses for its ``--policy``,
        ``--db`` and ``--executors``. What the desk opens, :meth:`close` closes
        (a ``with`` block calls it); what you pass as an object stays yours.

        Args:
            policy: A :class:`~releasekit.Policy`, or the path of a policy file;
                the reference policy if ``None``.
            store: A store, or the path or URL of one (see :func:`~releasekit.open_store`:
                a SQLite file, ``sqlite:///path``, ``postgresql://…``, ``:memory:``);
                a store in memory if ``None``.
            executors: A :class:`~releasekit.executors.Registry`, or ``"dry-run"``,
                ``"dt"`` (the ``dt`` on the ``PATH``) or ``"plugins"``; a dry run if ``None``.
            clock: Where "now" comes from; the system clock if ``None``.

        Raises:
            PolicyFileError: The policy file cannot be read or is no valid policy.
            InvalidInputError: A part is of the wrong kind, or names nothing
                releasekit knows; nothing was opened.
            StoreError: The store cannot be opened.
            PluginLoadError: An executor plug-in failed to load.
        """
        desk: Self
        desk, opened = open_parts(cls, policy=policy, store=store, executors=executors, clock=clock)
        desk._opened = opened  # noqa: SLF001  # this class's own field, once the desk is built
        return desk

    def close(self) -> None:
        """Close the store :meth:`open` opened; a store passed in as an object stays open."""
        if self._opened is not None:
            self._opened.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def data(self) -> DataRoom:
        """The data room: data adjustments by hand, and restores between environments."""
        return self._data

    @property
    def freezes(self) -> FreezeRoom:
        """The freeze room: freezes declared on the spot, declared, listed and lifted."""
        return self._freezes

    @property
    def engine(self) -> Engine:
        """The engine the desk asks: the policy's, obeying the freezes declared in the store."""
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

        In full: [HistoryRoom.releases][releasekit._actions.history_room.HistoryRoom.releases].
        """
        return self._histories.releases(active=active, after=after, limit=limit)

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
        return self._histories.history(release_id)

    def verify(self, release_id: str) -> Verification:
        """Check the release's history against its hash chain and its current state."""
        return self._ledger.verify(release_id)

    def verify_all(self) -> list[Verification]:
        """Check every history the store holds, one result per history, in name order.

        In full: [HistoryRoom.verify_all][releasekit._actions.history_room.HistoryRoom.verify_all].
        """
        return self._histories.verify_all()

    def verify_history(self, stream: str) -> Verification:
        """Check one history by its name: a release id, ``data:<id>``, or any ``kind:name``.

        In full:
        [HistoryRoom.verify_history][releasekit._actions.history_room.HistoryRoom.verify_history].
        """
        return self._histories.verify_history(stream)

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
        kind: ReleaseKind | str = ReleaseKind.NORMAL,
        artifact: Artifact | None = None,
        release_id: str | None = None,
    ) -> Record:
        """Start a release of *version* in the first environment of its flow.

        In full: [ReleaseRoom.start][releasekit._actions.release_room.ReleaseRoom.start].
        """
        return self._releases.start(
            version, by=by, kind=kind, artifact=artifact, release_id=release_id
        )

    def add_evidence(self, release_id: str, *evidence: Evidence, by: str | None = None) -> Record:
        """Add evidence to a release after checking it belongs there.

        In full:
        [ReleaseRoom.add_evidence][releasekit._actions.release_room.ReleaseRoom.add_evidence].
        """
        return self._releases.add_evidence(release_id, *evidence, by=by)

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

        In full: [StepRoom.promote][releasekit._actions.step_room.StepRoom.promote].
        """
        return self._steps.promote(release_id, by=by, to=to, revision=revision, progress=progress)

    def abandon(self, release_id: str, *, by: str, reason: str = "") -> Record:
        """Give the release up; it takes no further step.

        In full: [ReleaseRoom.abandon][releasekit._actions.release_room.ReleaseRoom.abandon].
        """
        return self._releases.abandon(release_id, by=by, reason=reason)

    def resume(
        self,
        release_id: str,
        *,
        by: str,
        progress: Progress | None = None,
        force: bool = False,
    ) -> Record:
        """Run an interrupted attempt again, e.g. after the process running it died.

        In full: [ResumeRoom.resume][releasekit._actions.resume_room.ResumeRoom.resume].
        """
        return self._resumes.resume(release_id, by=by, progress=progress, force=force)

    def abandon_attempt(
        self, release_id: str, *, by: str, reason: str, force: bool = False
    ) -> Record:
        """Give up a release's unfinished attempt explicitly; the release stays where it is.

        In full:
        [ResumeRoom.abandon_attempt][releasekit._actions.resume_room.ResumeRoom.abandon_attempt].
        """
        return self._resumes.abandon_attempt(release_id, by=by, reason=reason, force=force)

    # -- environment operations ----------------------------------------------

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

        *scheduled* says this is the daily scheduled run, at its time;
        *expected*, how long a run started by hand holds the environment.

        In full: [RunRoom.run_tests][releasekit._actions.run_room.RunRoom.run_tests].
        """
        return self._runs.run_tests(
            release_id,
            by=by,
            environment=environment,
            notify=notify,
            scheduled=scheduled,
            expected=expected,
            progress=progress,
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

        In full: [RunRoom.migrate][releasekit._actions.run_room.RunRoom.migrate].
        """
        return self._runs.migrate(release_id, by=by, environment=environment, progress=progress)

    # -- log review ------------------------------------------------------------

    def collect_logs(
        self,
        release_id: str | None = None,
        *,
        since: dt.datetime | None = None,
        progress: Progress | None = None,
    ) -> LogReport:
        """Collect the error logs of every environment of the policy into one report.

        In full: [LogRoom.collect_logs][releasekit._actions.log_room.LogRoom.collect_logs].
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
    ) -> Record:
        """Record a reviewer's verdict on a log report as the release's LogReview evidence.

        In full: [LogRoom.review_logs][releasekit._actions.log_room.LogRoom.review_logs].
        """
        return self._logs.review_logs(release_id, report, by=by, verdict=verdict, note=note)

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

        In full: [LogRoom.monitoring][releasekit._actions.log_room.LogRoom.monitoring].
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

        In full: [LogRoom.check_production][releasekit._actions.log_room.LogRoom.check_production].
        """
        return self._logs.check_production(
            release_id, by=by, environment=environment, progress=progress
        )

    def clear_attention(self, release_id: str, key: str, *, by: str, reason: str) -> Record:
        """Record that the attention item *key* of the release was dealt with.

        In full: [LogRoom.clear_attention][releasekit._actions.log_room.LogRoom.clear_attention].
        """
        return self._logs.clear_attention(release_id, key, by=by, reason=reason)

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

        In full: [RollbackRoom.roll_back][releasekit._actions.rollback_room.RollbackRoom.roll_back].
        """
        return self._rollbacks.roll_back(
            by=by, reason=reason, environment=environment, release_id=release_id, progress=progress
        )
