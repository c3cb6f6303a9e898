"""A team whose operators declare freezes, and releases walked to stage, for the freeze tests."""

from __future__ import annotations

import datetime as dt

import pendulum

import releasekit as rk
from builders import ARTIFACT, evidence_for
from releasekit.testing import walk_to

#: Saturday 28 November 2026, 09:30 UTC: the production window is open.
SATURDAY = pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC")
#: Friday 27 November 2026, 18:00 UTC: production is closed.
FRIDAY = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")

#: The reference process with a roster on which maria is the operator who declares freezes.
POLICY = (
    'freeze_declarers = ["@operator"]\n\n'
    + rk.reference_policy_file().replace('operator = "data-operator"', 'operator = "olga"')
    + """
[people.maria]
aliases = ["mk"]
roles = ["operator", "team"]

[people.ivan]
roles = ["team"]

[people.anton]
roles = ["developer", "team"]

[people.olga]
roles = ["team"]

[people.ci]
roles = ["ci"]
"""
)


def team_policy() -> rk.Policy:
    """The policy :data:`POLICY` describes."""
    return rk.loads_policy(POLICY)


def to_stage(
    desk: rk.Desk,
    clock: rk.FixedClock,
    *,
    kind: str = "normal",
    version: str = "2.4.0",
) -> str:
    """Start a release by anton and walk it to stage with every piece of evidence production asks.

    The walk takes twenty minutes of the clock, from where it stands.
    """
    release = desk.start(version, by="anton", kind=kind, artifact=ARTIFACT)
    walked, moment = walk_to(desk, release, "stage", every=dt.timedelta(minutes=2, seconds=30))
    clock.set(moment + dt.timedelta(minutes=5))
    desk.add_evidence(release.id, *evidence_for(walked, "production", clock.now()))
    return release.id
