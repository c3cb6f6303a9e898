"""Which release runs where, worked out from the releases' moves."""

import pendulum

import releasekit as rk
from releasekit._actions.deployments import deployments, live

THURSDAY = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")


def in_production(
    release_id: str, *, entered: pendulum.DateTime, created: pendulum.DateTime = THURSDAY
) -> rk.Release:
    """A hotfix that entered production at *entered*."""
    release = rk.Release(
        id=release_id,
        version=release_id,
        kind="hotfix",
        state="stage",
        created_at=created,
        created_by="anton",
    )
    return release.moved(rk.Move(source="stage", target="production", at=entered, by="maria"))


def rolled_back(release: rk.Release, at: pendulum.DateTime) -> rk.Release:
    return release.moved(rk.Move(source="production", target="rolled-back", at=at, by="olga"))


def test_the_last_release_to_enter_runs() -> None:
    """2.5.0 replaced 2.4.0 when it entered; it runs now."""
    old = in_production("2.4.0", entered=THURSDAY.add(hours=1))
    new = in_production("2.5.0", entered=THURSDAY.add(hours=2))

    found = deployments([new, old], "production")

    assert [("2.4.0", THURSDAY.add(hours=2), "2.5.0"), ("2.5.0", None, None)] == [
        (d.release.id, d.until, d.replaced_by) for d in found
    ]
    assert [False, True] == [d.running for d in found]


def test_a_rollback_makes_the_previous_release_run_again_from_then() -> None:
    """After 2.5.0 is rolled back, 2.4.0 runs again, live since the rollback."""
    old = in_production("2.4.0", entered=THURSDAY.add(hours=1))
    new = rolled_back(in_production("2.5.0", entered=THURSDAY.add(hours=2)), THURSDAY.add(hours=3))

    found = deployments([old, new], "production")

    assert [
        ("2.4.0", THURSDAY.add(hours=3), None, False),
        ("2.5.0", THURSDAY.add(hours=2), THURSDAY.add(hours=3), True),
    ] == [(d.release.id, d.live_since, d.until, d.rolled_back) for d in found]
    assert ["2.4.0"] == [d.release.id for d in live(found)]


def test_a_rollback_out_of_production_leaves_stage_alone() -> None:
    """Stage still runs 2.5.0 after it was rolled back out of production."""
    new = rolled_back(in_production("2.5.0", entered=THURSDAY.add(hours=2)), THURSDAY.add(hours=3))

    (found,) = deployments([new], "stage")

    assert (True, False, THURSDAY) == (found.running, found.rolled_back, found.entered_at)


def test_releases_entering_at_once_are_ordered_by_when_they_were_started() -> None:
    """Two entries at the same instant: the release started later counts as the later one."""
    at = THURSDAY.add(hours=1)
    late = in_production("b-late", entered=at, created=THURSDAY.add(minutes=5))
    early = in_production("z-early", entered=at, created=THURSDAY)

    found = deployments([late, early], "production")

    assert ["z-early", "b-late"] == [d.release.id for d in found]


def test_releases_that_never_entered_are_not_deployments() -> None:
    """A release still in stage has no deployment in production."""
    release = rk.Release(
        id="r1", version="1", kind="normal", state="stage", created_at=THURSDAY, created_by="anton"
    )

    assert () == deployments([release], "production")
