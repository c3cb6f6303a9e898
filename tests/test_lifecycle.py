"""The reference policy, driven by releasekit.testing's PolicyMachine."""

import pendulum
from hypothesis import settings
from hypothesis.stateful import invariant

import releasekit as rk
from builders import THURSDAY, evidence_for
from releasekit.testing import PolicyMachine

WINDOW = rk.production_window()


class ReferenceLifecycle(PolicyMachine):
    """Random releases through the reference policy, with its own invariants added."""

    policy = rk.reference_policy()
    start = THURSDAY

    @invariant()
    def normal_releases_entered_production_inside_the_window(self) -> None:
        """Every move of a normal release into production happened inside the window."""
        for release in self.releases.values():
            for move in release.moves:
                if move.target == "production" and release.kind is rk.ReleaseKind.NORMAL:
                    assert WINDOW.contains(move.at)

    @invariant()
    def hotfixes_passed_every_environment(self) -> None:
        """A hotfix in production went through all five environments."""
        for release in self.releases.values():
            if release.kind is rk.ReleaseKind.HOTFIX and release.state == "production":
                assert ["tests", "sandbox", "stage", "production"] == [
                    m.target for m in release.moves
                ]


TestReferenceLifecycle = ReferenceLifecycle.TestCase
TestReferenceLifecycle.settings = settings(TestReferenceLifecycle.settings, stateful_step_count=60)


def test_the_lifecycle_machine_can_reach_production() -> None:
    """A directed run of the machine's own parts gets a normal release into production."""
    machine = ReferenceLifecycle()
    release = rk.Engine(rk.reference_policy()).start(
        release_id="r1", version="2.4.0", kind="normal", by="anton", now=machine.clock.now()
    )
    machine.releases[release.id] = release

    for _ in range(4):
        release = machine.releases["r1"]
        step = machine.engine.next_step(release)
        assert step is not None
        machine.releases["r1"] = machine.engine.add_evidence(
            release,
            *evidence_for(release, step.target, machine.clock.now()),
            now=machine.clock.now(),
        )
        if step.target == "production":
            machine.clock.set(pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC"))
        machine.clock.advance(minutes=5)
        machine._try_promote(machine.releases["r1"], "anton")
    machine.releases_skip_no_step()
    machine.every_step_held_its_guards_when_taken()
    machine.normal_releases_entered_production_inside_the_window()

    assert "production" == machine.releases["r1"].state
