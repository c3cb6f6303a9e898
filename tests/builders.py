"""Releases started under the reference policy, and the evidence each of its steps asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pendulum

import releasekit as rk

if TYPE_CHECKING:
    import datetime as dt

#: Thursday 26 November 2026, 10:00 UTC.
THURSDAY = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
#: Friday 27 November 2026, 18:00 UTC: production is closed.
FRIDAY_EVENING = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")
#: Saturday 28 November 2026, 09:00 UTC: the production window opens.
SATURDAY_OPENING = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")

ARTIFACT = rk.Artifact(
    functions=("quote", "chart"),
    migrations=("0042_add_index",),
    new_functionality=("chart",),
)


def start(
    engine: rk.Engine,
    *,
    kind: rk.ReleaseKind = rk.ReleaseKind.NORMAL,
    at: dt.datetime = THURSDAY,
    artifact: rk.Artifact = ARTIFACT,
    version: str = "2.4.0",
    by: str = "anton",
) -> rk.Release:
    """Start release r1, by anton unless *by* says who (an alias of his, say)."""
    return engine.start(
        release_id="r1", version=version, kind=kind, by=by, now=at, artifact=artifact
    )


def evidence_for(
    release: rk.Release, target: str, at: pendulum.DateTime
) -> tuple[rk.Evidence, ...]:
    """Return the evidence the reference policy wants before *release* enters *target*."""
    version = release.version
    if target == "tests":
        return (rk.TestsWritten(by="anton", at=at, covers=release.artifact.new_functionality),)
    if target == "sandbox":
        return (rk.TestRun(environment="tests", version=version, passed=True, at=at, by="ci"),)
    if target == "stage":
        return (
            rk.SignOff(by="maria", at=at, environment="sandbox"),
            rk.LogReview(
                by="maria",
                at=at,
                environments=("sandbox-anton", "tests", "sandbox", "stage", "production"),
                verdict="clean",
            ),
        )
    if target == "production":
        return (
            rk.MigrationRun(
                environment="stage",
                version=version,
                migrations=release.artifact.migrations,
                succeeded=True,
                at=at,
                by="ci",
            ),
            rk.SignOff(by="maria", at=at, environment="stage", old_app_versions=("2.3.1",)),
            rk.ChangeReview(by="ivan", at=at, version=version),
        )
    return ()
