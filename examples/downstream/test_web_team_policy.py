"""A team's own tests of its release policy, using only releasekit's pytest plugin and kit.

Run them from this directory with ``pytest``; the plugin's fixtures load the
policy named in ``pytest.ini``.
"""

import pytest

import releasekit as rk
from releasekit.testing import PolicyMachine


def test_a_friday_evening_release_waits_for_tuesday(
    releasekit_engine: rk.Engine, releasekit_clock: rk.FixedClock
) -> None:
    """Planned on Friday evening, a normal release reaches live on Tuesday 14:00 Berlin time."""
    release = releasekit_engine.start(
        release_id="r1", version="3.1.0", kind="normal", by="lea", now=releasekit_clock.now()
    )

    plan = releasekit_engine.plan(release, now=releasekit_clock.now())

    assert plan.earliest_production is not None
    assert "2026-12-01T13:00:00+00:00" == plan.earliest_production.isoformat()


def test_only_lea_may_start_a_release(
    releasekit_engine: rk.Engine, releasekit_clock: rk.FixedClock
) -> None:
    """Nobody but lea may start a release in dev, which she owns."""
    with pytest.raises(rk.exceptions.NotPermittedError) as caught:
        releasekit_engine.start(
            release_id="r1", version="3.1.0", kind="normal", by="max", now=releasekit_clock.now()
        )

    assert ("lea",) == caught.value.allowed


def test_a_deploy_failure_leaves_the_release_in_dev(
    releasekit_desk: rk.Desk,
    releasekit_executors: rk.executors.DryRunExecutor,
    releasekit_clock: rk.FixedClock,
) -> None:
    """With the dry run told to fail, a promotion records the failure and the release stays."""
    release = releasekit_desk.start("3.1.0", by="lea")
    passed = rk.TestRun(
        environment="dev", version="3.1.0", passed=True, at=releasekit_clock.now(), by="lea"
    )
    releasekit_desk.add_evidence(release.id, passed)
    releasekit_executors.fail("deploy", "staging is down")

    with pytest.raises(rk.exceptions.ExecutorFailedError):
        releasekit_desk.promote(release.id, by="lea")

    assert "dev" == releasekit_desk.get(release.id).state


class WebTeamPolicy(PolicyMachine):
    """Random releases through the web team's policy, checked against the invariants."""

    policy = rk.load_policy("releasekit.toml")


TestWebTeamPolicy = WebTeamPolicy.TestCase
