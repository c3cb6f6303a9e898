"""The engine: releases driven through one shared state machine per flow.

The engine builds one :class:`transitions.Machine` per flow of a policy, with
the environments as states and a ``promote`` trigger for every step whose
condition evaluates the step's guards. Releases are plain immutable values:
the machine moves a throw-away cursor, never the release itself, so nothing is
attached to user objects and a refused step changes nothing.

Every method takes the instant it works for; the engine never reads a clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from transitions import Machine

from releasekit._rules._time import instant
from releasekit._rules.admission import check_evidence
from releasekit._rules.ended import ABANDONED, ROLLED_BACK, require_open
from releasekit._rules.explanations import Explanation, Plan, StepPlan
from releasekit._rules.flow_machine import ABANDON, PROMOTE, ROLL_BACK, definition
from releasekit._rules.guards import GuardContext
from releasekit._rules.policy import Policy, Step
from releasekit._rules.release import Artifact, Move, Release, ReleaseKind
from releasekit._rules.timeline import timeline
from releasekit.exceptions import (
    ConflictError,
    InvalidInputError,
    NotPermittedError,
    PromotionRefusedError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import pendulum
    from transitions.core import EventData

    from releasekit._rules.evidence import Evidence
    from releasekit._rules.verdicts import Blocker

__all__ = ["Engine", "Explanation", "Plan", "StepPlan"]


class _Cursor:
    """What the shared machine moves: a state and the context of one trigger."""

    __slots__ = ("blockers", "context", "state")

    def __init__(self, state: str) -> None:
        self.state = state
        self.context: GuardContext | None = None
        self.blockers: tuple[Blocker, ...] = ()


def _evaluate(step: Step, context: GuardContext) -> tuple[Blocker, ...]:
    blockers: list[Blocker] = []
    for guard in step.guards:
        blockers.extend(guard.check(context).blockers)
    return tuple(blockers)


def _condition(step: Step) -> Callable[[EventData], bool]:
    def guards_hold(event: EventData) -> bool:
        cursor = event.model
        assert isinstance(cursor, _Cursor)  # noqa: S101  # the machine only ever moves cursors
        assert cursor.context is not None  # noqa: S101  # set by Engine before every trigger
        cursor.blockers = _evaluate(step, cursor.context)
        return not cursor.blockers

    guards_hold.__name__ = " & ".join(g.code for g in step.guards[1:]) or "owner-only"
    return guards_hold


def _conditions(step: Step) -> list[Callable[[EventData], bool]]:
    return [_condition(step)]


@attrs.define
class Engine:
    """Drive releases through a policy: start, record, explain, plan, promote.

    Example:
        >>> import pendulum, releasekit as rk
        >>> engine = rk.Engine(rk.reference_policy())
        >>> friday = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")
        >>> release = engine.start(release_id="r1", version="2.4.0", kind="normal",
        ...                        by="anton", now=friday)
        >>> release.state
        'sandbox-anton'
    """

    policy: Policy
    _machines: dict[ReleaseKind, Machine] = attrs.field(init=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        for kind in self.policy.kinds:
            self._machines[kind] = Machine(
                model=None,
                auto_transitions=False,
                send_event=True,
                name=f"{self.policy.name}:{kind.value}",
                **definition(self.policy, kind, conditions=_conditions),
            )

    def start(
        self,
        *,
        release_id: str,
        version: str,
        kind: ReleaseKind | str,
        by: str,
        now: dt.datetime,
        artifact: Artifact | None = None,
    ) -> Release:
        """Return a new release in the first environment of its flow.

        The version must follow the policy's rule (:meth:`Policy.check_version`:
        PEP 440 or SemVer by default); the id, like the version, starts with a
        letter or digit and holds no white space or control character. *by* is
        kept as the person it names (:meth:`Policy.person`): an
        :func:`~releasekit.identity` (``"Anton"`` is ``anton``), and with a
        roster the person's name (an alias is its person).

        Raises:
            InvalidInputError: The policy has no flow for *kind*, the version is
                not one the policy accepts, or a value is malformed (*by* names
                nobody, or holds a control character).
            NotPermittedError: *by* may not act in the first environment
                (:class:`~releasekit.exceptions.UnknownPersonError`: the policy
                has a roster, and no one on it goes by *by*).
        """
        by = self.policy.person(by, field="by")
        self.policy.check_version(version)
        flow = self.policy.flow(kind)
        first = self.policy.environment(flow.path[0])
        self.require_actor(first.name, by, action="start a release")
        return Release(
            id=release_id,
            version=version,
            kind=flow.kind,
            artifact=artifact or Artifact(),
            state=first.name,
            created_at=instant(now, field="now"),
            created_by=by,
        )

    def next_step(self, release: Release) -> Step | None:
        """Return the step the release would take next, or ``None`` if there is none."""
        if release.state in {ABANDONED, ROLLED_BACK}:
            return None
        self._require_state(release)
        return self.policy.step_from(release.kind, release.state)

    def explain(
        self, release: Release, *, now: dt.datetime, actor: str | None = None
    ) -> Explanation:
        """Return every blocker of the release's next step at *now* (for *actor*, if given).

        Raises:
            InvalidInputError: *actor* is given and names nobody, or holds a control character.
            UnknownPersonError: The policy has a roster and no one on it goes by *actor*.
        """
        moment = instant(now, field="now")
        if actor is not None:
            actor = self.policy.person(actor, field="actor")
        step = self.next_step(release)
        if step is None:
            return Explanation(
                release_id=release.id,
                state=release.state,
                step=None,
                blockers=(),
                lifted=(),
                at=moment,
            )
        context = self._context(release, step, moment, actor)
        return Explanation(
            release_id=release.id,
            state=release.state,
            step=step,
            blockers=_evaluate(step, context),
            lifted=tuple(g.code for g in step.lifted),
            at=moment,
        )

    def promote(
        self, release: Release, *, by: str, now: dt.datetime, to: str | None = None
    ) -> Release:
        """Move the release to its next environment, or refuse with every reason at once.

        Args:
            release: The release as the caller knows it.
            by: Who promotes it.
            now: When.
            to: The environment the caller means the release to enter. Pass it
                whenever the release may have moved since the caller looked: a
                release whose next step enters another environment is refused
                with a :class:`~releasekit.exceptions.ConflictError`.

        Returns:
            A new release value in the next environment; *release* is unchanged.

        Raises:
            PromotionRefusedError: Carrying every blocker of the step.
            ConflictError: The release's next step does not enter *to* (it moved
                on, or ended, since the caller looked).
            ReleaseEndedError: Without *to*: the release has ended or finished its flow.
            InvalidInputError: *to* names no environment of the policy, or *by*
                is not a name.
            UnknownPersonError: The policy has a roster and no one on it goes by *by*.
        """
        by = self.policy.person(by, field="by")
        moment = instant(now, field="now")
        if to is not None:
            step: Step | None = self.require_step(release, to=to)
        else:
            self.require_open(release, action="promote it")
            step = self.next_step(release)
        assert step is not None  # noqa: S101  # refused above at the end of the flow
        cursor = _Cursor(release.state)
        cursor.context = self._context(release, step, moment, by)
        if not self._machines[release.kind].events[PROMOTE].trigger(cursor):
            raise PromotionRefusedError(
                release_id=release.id,
                source=step.source,
                target=step.target,
                blockers=cursor.blockers,
            )
        return release.moved(Move(source=step.source, target=cursor.state, at=moment, by=by))

    def require_step(self, release: Release, *, to: str) -> Step:
        """Return the release's next step if it enters *to*; else the caller's view is stale.

        Raises:
            ConflictError: The next step enters another environment, or there
                is none (the release moved on, or ended, since the caller looked).
            InvalidInputError: *to* names no environment of the policy.
        """
        given: object = to  # checked at run time: callers are not always type-checked
        if not isinstance(given, str) or given not in self.policy.environment_names:
            raise InvalidInputError(
                f"to={to!r} names no environment of policy {self.policy.name!r}; it has "
                + ", ".join(self.policy.environment_names),
                field="to",
                value=to,
            )
        step = self.next_step(release)
        if step is None or step.target != to:
            raise ConflictError(
                stream=release.id,
                expected=None,
                actual=None,
                expected_target=to,
                actual_target=None if step is None else step.target,
                state=release.state,
            )
        return step

    def abandon(self, release: Release, *, by: str, now: dt.datetime) -> Release:
        """Give the release up; it takes no further step.

        Raises:
            ReleaseEndedError: The release already finished its flow, or has ended.
            InvalidInputError: *by* is not a name.
            UnknownPersonError: The policy has a roster and no one on it goes by *by*.
        """
        by = self.policy.person(by, field="by")
        moment = instant(now, field="now")
        self.require_open(release, action="abandon it")
        self._require_state(release)
        cursor = _Cursor(release.state)
        self._machines[release.kind].events[ABANDON].trigger(cursor)
        return release.moved(Move(source=release.state, target=cursor.state, at=moment, by=by))

    def roll_back(self, release: Release, *, by: str, now: dt.datetime) -> Release:
        """Take the release out of the last environment: a newer one failed there, or it did.

        Returns:
            A new release value in ``rolled-back``; the rollback of what runs in
            the environment (deploying the previous version) is the caller's job.

        Raises:
            ReleaseEndedError: The release was abandoned or rolled back already.
            InvalidInputError: The release is not in the last environment of its
                flow, or *by* is not a name.
            UnknownPersonError: The policy has a roster and no one on it goes by *by*.
        """
        by = self.policy.person(by, field="by")
        moment = instant(now, field="now")
        self.require_open(release, action="roll it back", at_end=True)
        last = self.policy.flow(release.kind).path[-1]
        if release.state != last:
            raise InvalidInputError(
                f"release {release.id} is in {release.state}; only a release in {last} "
                "can be rolled back",
                field="release",
                value=release.id,
            )
        cursor = _Cursor(release.state)
        self._machines[release.kind].events[ROLL_BACK].trigger(cursor)
        return release.moved(Move(source=release.state, target=cursor.state, at=moment, by=by))

    def add_evidence(self, release: Release, *evidence: Evidence, now: dt.datetime) -> Release:
        """Return the release with *evidence* added, after checking it belongs to it.

        Evidence dated after *now* by more than :data:`CLOCK_SKEW_TOLERANCE`
        (five minutes, for clocks that drift) is refused: what has not happened
        yet cannot count. With a roster, each author is recorded as the person
        they are (:meth:`Policy.credited`): an alias becomes its person's name.

        Args:
            release: The release.
            *evidence: The evidence to add.
            now: The instant the evidence is added.

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: Evidence names another version or an unknown
                environment, or is dated in the future.
            NotPermittedError: Its author may not act in the environment it
                concerns, or (:class:`~releasekit.exceptions.UnknownPersonError`)
                is on nobody's entry of the policy's roster.
        """
        moment = instant(now, field="now")
        self.require_open(release, action="record evidence")
        credited = tuple(self.policy.credited(item) for item in evidence)
        for item in credited:
            check_evidence(self.policy, release, item, moment, require_actor=self.require_actor)
        return release.with_evidence(*credited)

    def require_open(self, release: Release, *, action: str, at_end: bool = False) -> None:
        """Refuse *action* on a release that has ended (or finished its flow, unless *at_end*).

        A release that was abandoned or rolled back can only be read. A release
        in the last environment of its flow takes only the actions that concern
        that environment (*at_end*): log checks, attention items, rollback.

        Args:
            release: The release acted on.
            action: What is asked, for the message, e.g. ``"run the tests"``.
            at_end: Whether the action concerns the last environment itself.

        Raises:
            ReleaseEndedError: The action is refused.
        """
        require_open(self.policy, release, action=action, at_end=at_end)

    def plan(self, release: Release, *, now: dt.datetime) -> Plan:
        """Return every remaining step with its blockers and the earliest production time."""
        moment = instant(now, field="now")
        steps: list[StepPlan] = []
        earliest: pendulum.DateTime | None = moment
        if release.state not in {ABANDONED, ROLLED_BACK}:
            self._require_state(release)
            remaining = self.policy.remaining_steps(release.kind, release.state)
            for step, timed in zip(
                remaining, timeline(self.policy, release, remaining, moment), strict=True
            ):
                context = self._context(release, step, moment, None)
                earliest = timed.earliest
                steps.append(
                    StepPlan(
                        step=step,
                        blockers=_evaluate(step, context),
                        earliest=earliest,
                        arrives=timed.arrives,
                        owed=timed.owed,
                        waits=timed.waits,
                    )
                )
        return Plan(
            release_id=release.id,
            kind=release.kind,
            state=release.state,
            steps=tuple(steps),
            at=moment,
            earliest_production=earliest if steps else None,
        )

    def diagram(self, kind: ReleaseKind | str, *, current: str | None = None) -> str:
        """Return a Mermaid state diagram of the flow for *kind*, marking *current* if given."""
        from releasekit._rules.diagram import mermaid  # noqa: PLC0415  # rarely needed

        return mermaid(self.policy, self.policy.flow(kind).kind, current=current)

    def _context(
        self, release: Release, step: Step, now: pendulum.DateTime, actor: str | None
    ) -> GuardContext:
        return GuardContext(
            release=release,
            policy=self.policy,
            now=now,
            source=step.source,
            target=step.target,
            actor=actor,
        )

    def _require_state(self, release: Release) -> None:
        flow = self.policy.flow(release.kind)
        if release.state not in flow.path:
            raise InvalidInputError(
                f"release {release.id} is in {release.state!r}, which is not on the "
                f"{flow.kind.value} flow ({' -> '.join(flow.path)})",
                field="state",
                value=release.state,
            )

    def require_actor(self, environment: str, actor: str, *, action: str) -> None:
        """Refuse *actor* unless they may act in *environment* (its owners, if it has any).

        *actor* is compared as the person it names (:meth:`Policy.person`):
        ``"ANTON"`` may act where ``anton`` owns the environment, and with a
        roster so may any of anton's aliases.

        Args:
            environment: Where the action happens.
            actor: Who wants to act.
            action: What they want to do, for the message, e.g. ``"run the tests"``.

        Raises:
            NotPermittedError: The environment has owners and *actor* is not one,
                or (:class:`~releasekit.exceptions.UnknownPersonError`) the
                policy has a roster and no one on it goes by *actor*.
            InvalidInputError: The policy has no such environment, or *actor*
                names nobody or holds a control or invisible character.
        """
        actor = self.policy.person(actor, field="actor")
        env = self.policy.environment(environment)
        if not env.may_act(actor):
            owners = sorted(env.owners)
            raise NotPermittedError(
                f"{actor} may not {action} in {environment}: only {', '.join(owners)} may act "
                "there; ask them to do it",
                actor=actor,
                action=action,
                allowed=owners,
            )
