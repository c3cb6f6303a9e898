"""A Hypothesis state machine: random releases, evidence, promotions and time."""

import datetime as dt

import attrs
import pendulum
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import releasekit as rk
from builders import THURSDAY, evidence_for
from releasekit import guards

POLICY = rk.reference_policy()
WINDOW = rk.production_window()
PEOPLE = ("anton", "maria", "ivan")


class ReleaseLifecycle(RuleBasedStateMachine):
    """Random sequences of actions on several releases, checked at every step."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = rk.Engine(POLICY)
        self.clock = rk.FixedClock(THURSDAY)
        self.releases: dict[str, rk.Release] = {}
        self.counter = 0

    def _pick(self, data: st.DataObject) -> rk.Release:
        return self.releases[data.draw(st.sampled_from(sorted(self.releases)))]

    @precondition(lambda self: len(self.releases) < 3)  # a few at a time
    @rule(kind=st.sampled_from(rk.Kind), new_functionality=st.booleans())
    def start(self, kind: rk.Kind, *, new_functionality: bool) -> None:
        """Start a release of either kind."""
        self.counter += 1
        artifact = rk.Artifact(
            functions=("quote",),
            migrations=("0001_init",),
            new_functionality=("chart",) if new_functionality else (),
        )
        release = self.engine.start(
            release_id=f"r{self.counter}",
            version=f"1.{self.counter}",
            kind=kind,
            by="anton",
            now=self.clock.now(),
            artifact=artifact,
        )
        self.releases[release.id] = release

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def record_next_evidence(self, data: st.DataObject) -> None:
        """Record the evidence the next step of a release asks for."""
        release = self._pick(data)
        step = self.engine.next_step(release)
        if step is None:
            return
        items = evidence_for(release, step.target, self.clock.now())
        if items:
            chosen = data.draw(
                st.one_of(
                    st.just(list(items)),
                    st.lists(st.sampled_from(items), min_size=1, unique=True),
                )
            )
            self.releases[release.id] = self.engine.record(release, *chosen)

    @precondition(lambda self: self.releases)
    @rule(data=st.data(), version=st.sampled_from(["0.9", "9.9"]))
    def record_evidence_for_another_version(self, data: st.DataObject, version: str) -> None:
        """Evidence for another version is refused and changes nothing."""
        release = self._pick(data)
        run = rk.TestRun(
            environment="tests", version=version, passed=True, at=self.clock.now(), by="ci"
        )
        try:
            self.engine.record(release, run)
        except rk.InvalidInputError:
            pass
        else:  # pragma: no cover - a failure of the property
            raise AssertionError("evidence for another version was accepted")
        assert release == self.releases[release.id]

    @rule(
        minutes=st.one_of(
            st.integers(min_value=1, max_value=90),
            st.integers(min_value=60, max_value=4 * 24 * 60),
        )
    )
    def advance_clock(self, minutes: int) -> None:
        """Let time pass: minutes to days."""
        self.clock.advance(minutes=minutes)

    @rule(minutes=st.integers(min_value=0, max_value=200))
    def wait_for_the_production_window(self, minutes: int) -> None:
        """Jump to the next opening of the production window, give or take."""
        self.clock.set(WINDOW.next_opening(self.clock.now()).add(minutes=minutes))

    @precondition(lambda self: self.releases)
    @rule(data=st.data(), by=st.sampled_from(PEOPLE))
    def promote(self, data: st.DataObject, by: str) -> None:
        """Try to promote a release; check what happened against the guards."""
        release = self._pick(data)
        now = self.clock.now()
        step = self.engine.next_step(release)
        if step is None:
            return
        context = guards.GuardContext(
            release=release,
            policy=POLICY,
            now=now,
            source=step.source,
            target=step.target,
            actor=by,
        )
        expected_blockers = [b for g in step.guards for b in g.check(context).blockers]
        try:
            moved = self.engine.promote(release, by=by, now=now)
        except rk.PromotionRefusedError as refusal:
            refused: tuple[rk.Blocker, ...] = refusal.blockers
        else:
            refused = ()
        if refused:
            assert expected_blockers == list(refused)
            assert release == self.releases[release.id]
            return
        assert [] == expected_blockers
        assert step.target == moved.state
        event(f"entered {moved.state}")
        assert attrs.evolve(release, state=moved.state, moves=release.moves) == attrs.evolve(
            moved, moves=release.moves
        )
        self.releases[release.id] = moved

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def record_everything_and_promote(self, data: st.DataObject) -> None:
        """Record all the evidence of the next step, then try to promote at once."""
        release = self._pick(data)
        step = self.engine.next_step(release)
        if step is None:
            return
        items = evidence_for(release, step.target, self.clock.now())
        self.releases[release.id] = self.engine.record(release, *items)
        self.promote(data, "anton")

    @precondition(lambda self: self.releases)
    @rule(data=st.data())
    def abandon_sometimes(self, data: st.DataObject) -> None:
        """Abandon a release still on its way."""
        release = self._pick(data)
        if self.engine.next_step(release) is None:
            return
        self.releases[release.id] = self.engine.abandon(release, by="anton", now=self.clock.now())

    @invariant()
    def every_release_is_in_a_state_of_its_flow(self) -> None:
        """A release is always in an environment of its flow, or abandoned."""
        for release in self.releases.values():
            assert release.state in (*POLICY.flow(release.kind).path, "abandoned")

    @invariant()
    def releases_move_through_every_environment_in_order(self) -> None:
        """Moves follow the flow's path one environment at a time: nothing is skipped."""
        for release in self.releases.values():
            path = POLICY.flow(release.kind).path
            targets = [m.target for m in release.moves if m.target != "abandoned"]
            assert list(path[1 : len(targets) + 1]) == targets

    @invariant()
    def normal_releases_enter_production_only_inside_the_window(self) -> None:
        """Every move of a normal release into production happened inside the window."""
        for release in self.releases.values():
            for move in release.moves:
                if move.target == "production" and release.kind is rk.Kind.NORMAL:
                    assert WINDOW.contains(move.at)

    @invariant()
    def every_step_taken_held_its_guards_when_taken(self) -> None:
        """Replaying each move, the guards of its step all held at that instant."""
        for release in self.releases.values():
            for index, move in enumerate(release.moves):
                if move.target == "abandoned":
                    continue
                before = attrs.evolve(release, state=move.source, moves=release.moves[:index])
                step = POLICY.step_from(release.kind, move.source)
                assert step is not None
                context = guards.GuardContext(
                    release=before,
                    policy=POLICY,
                    now=move.at,
                    source=move.source,
                    target=move.target,
                    actor=move.by,
                )
                assert all(g.check(context).passed for g in step.guards)


TestReleaseLifecycle = ReleaseLifecycle.TestCase
TestReleaseLifecycle.settings = settings(TestReleaseLifecycle.settings, stateful_step_count=80)


def test_the_lifecycle_machine_can_reach_production() -> None:
    """A directed run of the machine's own rules gets a normal release into production."""
    machine = ReleaseLifecycle()
    machine.start(kind=rk.Kind.NORMAL, new_functionality=True)
    (release_id,) = machine.releases

    for _ in range(4):
        release = machine.releases[release_id]
        step = machine.engine.next_step(release)
        assert step is not None
        machine.releases[release_id] = machine.engine.record(
            release, *evidence_for(release, step.target, machine.clock.now())
        )
        if step.target == "production":
            machine.clock.set(pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC"))
        machine.clock.advance(minutes=5)
        machine.releases[release_id] = machine.engine.promote(
            machine.releases[release_id], by="anton", now=machine.clock.now()
        )
    machine.releases_move_through_every_environment_in_order()
    machine.every_step_taken_held_its_guards_when_taken()
    machine.normal_releases_enter_production_only_inside_the_window()

    assert "production" == machine.releases[release_id].state
    assert dt.timedelta(0) < machine.clock.now() - THURSDAY
