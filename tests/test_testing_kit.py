import os
import subprocess
import sys
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import releasekit as rk
from releasekit.testing import satisfying_evidence, strategies

DOWNSTREAM = Path(__file__).parent.parent / "examples" / "downstream"
_MONDAY = pendulum.datetime(2026, 1, 5, 9, 0, tz="UTC")


def test_a_downstream_test_suite_passes_with_only_the_plugin() -> None:
    """The sample team's tests, run by pytest in their own directory, pass."""
    result = subprocess.run(  # runs pytest on our own sample project
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=DOWNSTREAM,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "HYPOTHESIS_PROFILE": "", "PYTHONDONTWRITEBYTECODE": "1"},
    )

    assert 0 == result.returncode, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_the_clock_fixture_stands_on_a_friday_evening(releasekit_clock: rk.FixedClock) -> None:
    """The plugin's clock starts when the reference production window is closed."""
    assert not rk.production_window().contains(releasekit_clock.now())
    assert 4 == releasekit_clock.now().weekday()


def test_the_policy_fixture_is_the_reference_policy(releasekit_policy: rk.Policy) -> None:
    """Without an ini option, the policy under test is the reference policy."""
    assert rk.reference_policy() == releasekit_policy


def test_the_desk_fixture_wires_the_other_fixtures(
    releasekit_desk: rk.Desk,
    releasekit_store: rk.stores.MemoryStore,
    releasekit_executors: rk.executors.DryRunExecutor,
    releasekit_clock: rk.FixedClock,
) -> None:
    """The desk records in the store, runs the dry-run executors, and reads the clock."""
    release = releasekit_desk.start("1.0", by="anton")
    releasekit_desk.promote(release.id, by="anton")

    assert ["1.0"] == releasekit_store.histories()
    assert ["deploy"] == [call.capability.value for call in releasekit_executors.calls]
    assert releasekit_clock.now() == releasekit_desk.get("1.0").release.moves[0].at


def test_the_engine_fixture_drives_the_policy_fixture(
    releasekit_engine: rk.Engine, releasekit_policy: rk.Policy
) -> None:
    """The engine fixture is built on the policy fixture."""
    assert releasekit_policy is releasekit_engine.policy


@settings(max_examples=30)
@given(strategies.policies())
def test_drawn_policies_are_valid_and_explainable(policy: rk.Policy) -> None:
    """Every drawn policy builds, and a fresh release's plan covers its whole normal flow."""
    engine = rk.Engine(policy)
    first = policy.flow("normal").path[0]
    owner = min(policy.environment(first).owners or {"someone"})
    release = engine.start(release_id="r", version="1.0", kind="normal", by=owner, now=_MONDAY)

    plan = engine.plan(release, now=release.created_at)

    assert list(policy.flow("normal").path[1:]) == [s.step.target for s in plan.steps]


@settings(max_examples=30)
@given(strategies.releases(rk.reference_policy()))
def test_drawn_releases_fit_the_policy(release: rk.Release) -> None:
    """A release drawn for a policy is in one of its flows' states and can be explained."""
    engine = rk.Engine(rk.reference_policy())

    explanation = engine.explain(release, now=release.created_at)

    assert release.state in rk.reference_policy().flow(release.kind).path
    assert explanation.state == release.state


@pytest.mark.parametrize(
    "guard",
    [g for step in rk.reference_policy().steps("normal") for g in step.guards],
    ids=lambda g: g.code,
)
def test_satisfying_evidence_makes_evidence_guards_pass(guard: rk.guards.Guard) -> None:
    """For each built-in evidence guard of the reference policy, the kit's evidence satisfies it."""
    policy = rk.reference_policy()
    engine = rk.Engine(policy)
    release = engine.start(
        release_id="r",
        version="2.0",
        kind="hotfix",
        by="anton",
        now=_MONDAY,
        artifact=rk.Artifact(migrations=("0001",), new_functionality=("chart",)),
    )
    for target in policy.environment_names[1:]:
        release = release.moved(
            rk.Move(source=release.state, target=target, at=_MONDAY, by="anton")
        )
    later = _MONDAY.add(minutes=1)
    release = release.with_evidence(*satisfying_evidence(guard, release, policy, later))
    context = rk.guards.GuardContext(
        release=release, policy=policy, now=later, source="stage", target="production"
    )

    verdict = guard.check(context)

    if guard.kind is rk.guards.GuardKind.EVIDENCE:
        assert verdict.passed
    else:
        assert () == satisfying_evidence(guard, release, policy, later)


@given(st.data())
def test_windows_strategy_draws_usable_windows(data: st.DataObject) -> None:
    """A drawn window always has a next opening inside it."""
    window = data.draw(strategies.windows())
    moment = data.draw(strategies.aware_datetimes())

    assert window.contains(window.next_opening(moment))


def test_every_public_strategy_draws_and_says_what() -> None:
    """Each name strategies exports is a documented strategy, or a function returning one."""
    undocumented = []
    for name in strategies.__all__:
        value = getattr(strategies, name)
        if name == "TIMEZONES":
            continue
        drawn = value if isinstance(value, st.SearchStrategy) else value()
        assert isinstance(drawn, st.SearchStrategy), name
        if callable(value) and not value.__doc__:
            undocumented.append(name)

    assert [] == undocumented
