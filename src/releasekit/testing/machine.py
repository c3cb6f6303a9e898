"""A rule-based state machine that property-tests a policy against releasekit's invariants.

A team subclasses :class:`PolicyMachine`, names its policy, and lets
Hypothesis drive random releases through it: starting releases, recording
evidence (helpful and useless), letting time pass, jumping to the next window,
promoting as random people, abandoning. At every step it checks that

- every release is in a state of its flow;
- releases move through their flow one environment at a time, none skipped;
- every step a release took held every guard of that step when it was taken
  (so windows were respected, except where the flow lifts them);
- a refused promotion or a refused piece of evidence changes nothing;
- a release that finished its flow, was abandoned or rolled back takes no
  more evidence.

::

    import releasekit as rk
    from releasekit.testing import PolicyMachine

    class OurPolicy(PolicyMachine):
        policy = rk.load_policy("releasekit.toml")

    TestOurPolicy = OurPolicy.TestCase

For a team's own guard types, override :meth:`PolicyMachine.evidence_for` to
return the evidence that satisfies them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import attrs
import pendulum
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from releasekit._rules import guards
from releasekit._rules.clock import FixedClock
from releasekit._rules.ended import ABANDONED, ROLLED_BACK
from releasekit._rules.engine import Engine
from releasekit._rules.evidence import (
    Attestation,
    ChangeReview,
    LogReview,
    LogVerdict,
    MigrationRun,
    SignOff,
    TestRun,
    TestsWritten,
)
from releasekit._rules.release import Artifact, Release, ReleaseKind
from releasekit.exceptions import (
    InvalidInputError,
    NotPermittedError,
    PromotionRefusedError,
    ReleaseEndedError,
)
from releasekit.testing import strategies

if TYPE_CHECKING:
    import datetime as dt

    from releasekit._rules.evidence import Evidence
    from releasekit._rules.policy import Policy, Step
    from releasekit._rules.verdicts import Blocker

__all__ = ["PolicyMachine", "satisfying_evidence"]

_OUTSIDER = "someone-else"
_CURRENT = "current-version"
_ENDS = frozenset({ABANDONED, ROLLED_BACK})


def _actor_in(policy: Policy, environment: str | None) -> str:
    """Return someone allowed to act in *environment*."""
    return _people(policy, environment)[0]


#: Who acts where nobody is named: stand-ins when the policy has no roster.
_STAND_INS = ("tester", "reviewer", "second-reviewer", "third-reviewer")


def _people(
    policy: Policy,
    environment: str | None,
    *,
    count: int = 1,
    barred: str | None = None,
) -> tuple[str, ...]:
    """Return *count* different people who may act in *environment*, none of them *barred*.

    The environment's owners come first, then the roster's people (with a
    roster, only they may be named), then stand-ins.
    """
    owners = sorted(policy.environment(environment).owners) if environment is not None else []
    others = policy.roster.names if policy.roster is not None else _STAND_INS
    chosen: dict[str, str] = {}
    for name in (*owners, *others):
        person = policy.same_person(name)
        if person != barred and person not in chosen:
            chosen[person] = name
    return tuple(chosen.values())[:count] or (_STAND_INS[0],)


def _reviewers(
    policy: Policy,
    release: Release,
    environment: str | None,
    min_people: int,
    not_by: frozenset[str],
) -> tuple[str, ...]:
    """Return the people whose sign-offs or reviews count for a gate asking *min_people*."""
    barred = policy.same_person(release.created_by) if "author" in not_by else None
    return _people(policy, environment, count=min_people, barred=barred)


def satisfying_evidence(
    guard: guards.Guard, release: Release, policy: Policy, now: pendulum.DateTime
) -> tuple[Evidence, ...]:
    """Return evidence that makes a built-in evidence guard pass for *release* at *now*.

    Returns an empty tuple for guards evidence cannot satisfy: time and actor
    guards, forbidden functions, and guard types releasekit does not know.
    """
    version = release.version
    result: tuple[Evidence, ...] = ()
    if isinstance(guard, guards.NewTestsWritten):
        result = (
            TestsWritten(
                by=_actor_in(policy, release.origin),
                at=now,
                covers=release.artifact.new_functionality,
            ),
        )
    elif isinstance(guard, guards.TestsPassed):
        result = (
            TestRun(
                environment=guard.environment,
                version=version,
                passed=True,
                at=now,
                by=_actor_in(policy, guard.environment),
            ),
        )
    elif isinstance(guard, guards.SignedOff):
        result = tuple(
            SignOff(
                by=person,
                at=now,
                environment=guard.environment,
                old_app_versions=("0.9.0",) if guard.require_old_app_versions else (),
            )
            for person in _reviewers(
                policy, release, guard.environment, guard.min_people, guard.not_by
            )
        )
    elif isinstance(guard, guards.LogsReviewed):
        result = (
            LogReview(
                by=_people(policy, None, count=2)[-1],
                at=now,
                environments=policy.environment_names,
                verdict=LogVerdict.CLEAN,
            ),
        )
    elif isinstance(guard, guards.MigrationsSucceeded):
        result = (
            MigrationRun(
                environment=guard.environment,
                version=version,
                migrations=release.artifact.migrations,
                succeeded=True,
                at=now,
                by=_actor_in(policy, guard.environment),
            ),
        )
    elif isinstance(guard, guards.ChangesReviewed):
        result = tuple(
            ChangeReview(by=person, at=now, version=version)
            for person in _reviewers(policy, release, None, guard.min_people, guard.not_by)
        )
    elif isinstance(guard, guards.AttestationPresent):
        result = (
            Attestation(
                name=guard.name,
                by=_actor_in(policy, guard.environment),
                at=now,
                environment=guard.environment,
            ),
        )
    return result


class PolicyMachine(RuleBasedStateMachine):
    """Random releases through :attr:`policy`, checked against the invariants at every step.

    Attributes:
        policy: The policy under test; set it in a subclass.
        start: Where the simulated clock starts.
        max_releases: How many releases may be in play at once.
    """

    policy: ClassVar[Policy]
    start: ClassVar[dt.datetime] = pendulum.datetime(2026, 1, 5, 9, 0, tz="UTC")
    max_releases: ClassVar[int] = 3

    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(self.policy)
        self.clock = FixedClock(self.start)
        self.releases: dict[str, Release] = {}
        #: Every release as it was just before each of its successful moves.
        self.before_moves: dict[str, list[Release]] = {}
        self._counter = 0
        self._noise = strategies.evidence(
            environments=st.sampled_from(self.policy.environment_names),
            version=st.sampled_from([_CURRENT, "0.0.1"]),
            people=st.sampled_from(self.people()),
        )

    # -- extension points ---------------------------------------------------

    def evidence_for(
        self, guard: guards.Guard, release: Release, now: pendulum.DateTime
    ) -> tuple[Evidence, ...]:
        """Return evidence that satisfies *guard*; override for a team's own guard types."""
        return satisfying_evidence(guard, release, self.policy, now)

    def people(self) -> tuple[str, ...]:
        """Return who may try to promote: every owner, plus someone who owns nothing."""
        owners = {owner for env in self.policy.environments for owner in env.owners}
        return (*sorted(owners), _OUTSIDER)

    # -- rules --------------------------------------------------------------

    def _pick(self, data: st.DataObject) -> Release:
        return self.releases[data.draw(st.sampled_from(sorted(self.releases)), label="release")]

    @precondition(lambda self: len(self.releases) < self.max_releases)
    @rule(data=st.data())
    def start_release(self, data: st.DataObject) -> None:
        """Start a release of a kind the policy knows, as someone allowed to."""
        self._counter += 1
        kind = data.draw(st.sampled_from(self.policy.kinds), label="kind")
        functions = data.draw(
            st.one_of(
                st.just(("main",)),
                strategies.artifacts().map(lambda artifact: artifact.functions),
            ),
            label="functions",
        )
        artifact = Artifact(
            functions=functions,
            migrations=data.draw(st.sampled_from([(), ("0001_init",)]), label="migrations"),
            new_functionality=data.draw(st.sampled_from([(), ("feature",)]), label="new"),
        )
        release = self.engine.start(
            release_id=f"r{self._counter}",
            version=f"1.{self._counter}.0",
            kind=ReleaseKind(kind),
            by=_actor_in(self.policy, self.policy.flow(kind).path[0]),
            now=self.clock.now(),
            artifact=artifact,
        )
        self.releases[release.id] = release

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def record_helpful_evidence(self, data: st.DataObject) -> None:
        """Add evidence that satisfies some guards of a release's next step."""
        release = self._pick(data)
        step = self.engine.next_step(release)
        if step is None:
            return
        chosen = data.draw(
            st.one_of(st.just(step.guards), st.lists(st.sampled_from(step.guards), min_size=1)),
            label="guards",
        )
        items = [
            item for guard in chosen for item in self.evidence_for(guard, release, self.clock.now())
        ]
        if items:
            self.releases[release.id] = self.engine.add_evidence(
                release, *items, now=self.clock.now()
            )

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def record_random_evidence(self, data: st.DataObject) -> None:
        """Record arbitrary evidence; when refused, nothing changes; an ended release takes none."""
        release = self._pick(data)
        item = attrs.evolve(data.draw(self._noise, label="evidence"), at=self.clock.now())
        if isinstance(item, TestRun | MigrationRun | ChangeReview) and item.version == _CURRENT:
            item = attrs.evolve(item, version=release.version)
        ended = self.engine.next_step(release) is None
        refusal: Exception | None = None
        try:
            self.releases[release.id] = self.engine.add_evidence(
                release, item, now=self.clock.now()
            )
        except (InvalidInputError, NotPermittedError) as error:
            refusal = error
        if refusal is not None:
            assert release == self.releases[release.id]  # noqa: S101  # an invariant
        assert not ended or isinstance(refusal, ReleaseEndedError)  # noqa: S101  # an invariant

    @rule(minutes=st.one_of(st.integers(1, 90), st.integers(60, 4 * 24 * 60)))
    def let_time_pass(self, minutes: int) -> None:
        """Let minutes to days pass."""
        self.clock.advance(minutes=minutes)

    @precondition(lambda self: self.releases)
    @rule(data=st.data(), extra=st.integers(0, 180))
    def wait_for_the_next_window(self, data: st.DataObject, extra: int) -> None:
        """Jump to when the time guards of a release's next step open, give or take."""
        step = self.engine.next_step(self._pick(data))
        if step is None:
            return
        plan_time = self.clock.now()
        for guard in step.guards:
            if isinstance(guard, guards.TimeGuard):
                opening = guard.earliest(plan_time)
                if opening is not None:
                    plan_time = max(plan_time, opening)
        self.clock.set(plan_time.add(minutes=extra))

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def promote(self, data: st.DataObject) -> None:
        """Try to promote a release as someone; check the outcome against the guards."""
        actor = data.draw(st.sampled_from(self.people()), label="actor")
        self._try_promote(self._pick(data), actor)

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def record_everything_and_promote(self, data: st.DataObject) -> None:
        """Record what every guard of the next step wants, then promote as an allowed person."""
        release = self._pick(data)
        step = self.engine.next_step(release)
        if step is None:
            return
        now = self.clock.now()
        items = [item for guard in step.guards for item in self.evidence_for(guard, release, now)]
        release = self.engine.add_evidence(release, *items, now=now)
        self.releases[release.id] = release
        self._try_promote(release, _actor_in(self.policy, step.source))

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def abandon(self, data: st.DataObject) -> None:
        """Abandon a release still on its way."""
        release = self._pick(data)
        if self.engine.next_step(release) is not None:
            self.releases[release.id] = self.engine.abandon(
                release, by=_actor_in(self.policy, None), now=self.clock.now()
            )

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def roll_back(self, data: st.DataObject) -> None:
        """Roll a release back out of the last environment, when it got there."""
        release = self._pick(data)
        if release.state == self.policy.flow(release.kind).path[-1]:
            self.releases[release.id] = self.engine.roll_back(
                release, by=_actor_in(self.policy, release.state), now=self.clock.now()
            )

    def _try_promote(self, release: Release, actor: str) -> None:
        step = self.engine.next_step(release)
        if step is None:
            return
        now = self.clock.now()
        expected = _blockers(step, release, self.policy, now, actor)
        try:
            moved = self.engine.promote(release, by=actor, now=now)
        except PromotionRefusedError as refusal:
            refused: tuple[Blocker, ...] = refusal.blockers
        else:
            refused = ()
        if refused:
            assert expected == list(refused)  # noqa: S101  # an invariant
            assert release == self.releases[release.id]  # noqa: S101  # an invariant
            return
        assert [] == expected  # noqa: S101  # an invariant
        assert step.target == moved.state  # noqa: S101  # an invariant
        if currently_in_test_context():
            event(f"entered {moved.state}")
        self.before_moves.setdefault(release.id, []).append(release)
        self.releases[release.id] = moved

    # -- invariants ---------------------------------------------------------

    @invariant()
    def releases_are_in_a_state_of_their_flow(self) -> None:
        """Every release is in an environment of its flow, or abandoned."""
        for release in self.releases.values():
            allowed = (*self.policy.flow(release.kind).path, ABANDONED, ROLLED_BACK)
            assert release.state in allowed  # noqa: S101  # an invariant

    @invariant()
    def releases_skip_no_step(self) -> None:
        """Moves follow the flow's path one environment at a time."""
        for release in self.releases.values():
            path = self.policy.flow(release.kind).path
            targets = [move.target for move in release.moves if move.target not in _ENDS]
            assert list(path[1 : len(targets) + 1]) == targets  # noqa: S101  # an invariant

    @invariant()
    def every_step_held_its_guards_when_taken(self) -> None:
        """Replaying each move on the release as it was, every guard of its step held."""
        for release in self.releases.values():
            moves = [move for move in release.moves if move.target not in _ENDS]
            befores = self.before_moves.get(release.id, [])
            assert len(moves) == len(befores)  # noqa: S101  # an invariant
            for move, before in zip(moves, befores, strict=True):
                assert before.moves == release.moves[: len(before.moves)]  # noqa: S101
                step = self.policy.step_from(release.kind, move.source)
                assert step is not None  # noqa: S101  # an invariant
                assert [] == _blockers(step, before, self.policy, move.at, move.by)  # noqa: S101

    @invariant()
    def windows_were_open_unless_lifted(self) -> None:
        """Every time guard a flow does not lift contained the instant of each move it gates."""
        for release in self.releases.values():
            for move in release.moves:
                step = self.policy.step_from(release.kind, move.source)
                if step is None or move.target in _ENDS:
                    continue
                for guard in step.guards:
                    if isinstance(guard, guards.InsideWindow):
                        assert guard.window.contains(move.at)  # noqa: S101  # an invariant


def _blockers(
    step: Step, release: Release, policy: Policy, now: pendulum.DateTime, actor: str
) -> list[Blocker]:
    context = guards.GuardContext(
        release=release, policy=policy, now=now, source=step.source, target=step.target, actor=actor
    )
    return [blocker for guard in step.guards for blocker in guard.check(context).blockers]
