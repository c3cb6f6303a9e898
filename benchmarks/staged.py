"""The release the benchmarks measure: 2.4.0, taken to stage with the evidence each step asks for.

Every benchmark script acts on this release (or on copies of it under other
ids), so their figures are about the same release: at stage it holds the seven
pieces of evidence the reference policy asks for on the way to production and
after it, and four moves.
"""

from __future__ import annotations

import pendulum

import releasekit as rk

#: When the release is started; each step takes ten minutes to gather its evidence, ten to move.
START = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
#: The reference flow of a normal release.
EVERYONE = ("sandbox-anton", "tests", "sandbox", "stage", "production")


def evidence_for(target: str, at: pendulum.DateTime) -> tuple[rk.Evidence, ...]:
    """The evidence the reference policy asks for before a release of 2.4.0 enters *target*."""
    wanted: dict[str, tuple[rk.Evidence, ...]] = {
        "tests": (rk.TestsWritten(by="anton", at=at, covers=("chart",)),),
        "sandbox": (rk.TestRun(environment="tests", version="2.4.0", passed=True, at=at, by="ci"),),
        "stage": (
            rk.SignOff(by="maria", at=at, environment="sandbox"),
            rk.LogReview(by="maria", at=at, environments=EVERYONE, verdict="clean"),
        ),
        "production": (
            rk.MigrationRun(
                environment="stage",
                version="2.4.0",
                migrations=("0042_add_index",),
                succeeded=True,
                at=at,
                by="ci",
            ),
            rk.SignOff(by="maria", at=at, environment="stage", old_app_versions=("2.3.1",)),
            rk.ChangeReview(by="ivan", at=at, version="2.4.0"),
        ),
    }
    return wanted.get(target, ())


def on_the_way(release_id: str = "bench") -> list[rk.Release]:
    """Return the release in sandbox-anton, tests, sandbox and stage, each with its evidence.

    The last one is at stage holding what production asks for.
    """
    engine = rk.Engine(rk.reference_policy())
    at = START
    release = engine.start(
        release_id=release_id,
        version="2.4.0",
        kind="normal",
        by="anton",
        now=at,
        artifact=rk.Artifact(
            functions=("quote", "chart"),
            migrations=("0042_add_index",),
            new_functionality=("chart",),
        ),
    )
    found = [release]
    for target in EVERYONE[1:]:
        at = at.add(minutes=10)
        release = engine.add_evidence(release, *evidence_for(target, at), now=at)
        if target == "production":
            found[-1] = release  # at stage, holding what production asks for
            break
        at = at.add(minutes=10)
        found.append(release := engine.promote(release, by="anton", now=at))
    return found


def staged_release(release_id: str = "bench") -> rk.Release:
    """Return the release at stage, holding every piece of evidence production asks for."""
    staged = on_the_way(release_id)[-1]
    assert staged.state == "stage"
    return staged
