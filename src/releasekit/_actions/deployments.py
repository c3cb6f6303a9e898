"""Which release runs where: deployments read from the releases themselves.

An environment runs the release that entered it last — unless that release was
rolled back, in which case the one before it runs again, from the moment of
the rollback. :func:`deployments` works this out from plain
:class:`~releasekit.Release` values (their moves say when each entered and
left), so it is pure: no store, no clock. The desk uses it to find what a
rollback goes back to and when production monitoring of a release begins.

Example:
    >>> import pendulum, releasekit as rk
    >>> engine = rk.Engine(rk.reference_policy())
    >>> at = pendulum.datetime(2026, 11, 26, 10, tz="UTC")
    >>> release = engine.start(release_id="r1", version="2.4.0", kind="normal", by="anton", now=at)
    >>> [d.release.id for d in deployments([release], "sandbox-anton")]
    ['r1']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._rules.ended import ROLLED_BACK
from releasekit._rules.identity import by_identity
from releasekit._rules.release import Release

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Deployment", "Rollback", "deployments", "live"]


@attrs.frozen(kw_only=True)
class Deployment:
    """One release's stay in an environment.

    Attributes:
        release: The release.
        environment: The environment.
        entered_at: When the release entered it.
        live_since: Since when it has been running there without a break: when
            it entered, or when a newer release was rolled back to it.
        until: When it stopped running there (a newer release entered, or it
            was rolled back); ``None`` while it runs.
        replaced_by: The id of the release that took its place, if one did.
        rolled_back_at: When the release was rolled back out of the
            environment, if it was.
    """

    release: Release
    environment: str
    entered_at: pendulum.DateTime
    live_since: pendulum.DateTime
    until: pendulum.DateTime | None = None
    replaced_by: str | None = None
    rolled_back_at: pendulum.DateTime | None = None

    @property
    def running(self) -> bool:
        """Whether the release runs in the environment now."""
        return self.until is None

    @property
    def rolled_back(self) -> bool:
        """Whether the release was rolled back out of the environment."""
        return self.rolled_back_at is not None


@attrs.frozen(kw_only=True)
class Rollback:
    """What a rollback did.

    Attributes:
        environment: The environment rolled back.
        rolled_back: The release taken out, now in ``rolled-back``.
        restored: The release running there again.
        at: When the rollback finished.
        by: Who rolled back.
        summary: What the deploy of the restored version said.
    """

    environment: str
    rolled_back: Release
    restored: Release
    at: pendulum.DateTime
    by: str = attrs.field(converter=by_identity)
    summary: str = ""


def _rolled_back_at(release: Release, environment: str) -> pendulum.DateTime | None:
    for move in reversed(release.moves):
        if move.target == ROLLED_BACK and move.source == environment:
            return move.at
    return None


def deployments(releases: Iterable[Release], environment: str) -> tuple[Deployment, ...]:
    """Return every release's stay in *environment*, in the order they entered it.

    Releases that entered at the same instant are ordered by when they were
    started, then by id. A rollback at the same instant as an entry happened
    first (only the running release can be rolled back).

    Args:
        releases: Every release there is (others are ignored).
        environment: The environment.
    """
    entries = sorted(
        (
            (entered, release.created_at, release.id, release)
            for release in releases
            if (entered := release.entered_at(environment)) is not None
        ),
        key=lambda entry: entry[:3],
    )
    # (instant, 0 = rollback / 1 = entry, position) so rollbacks go first at an instant.
    happenings: list[tuple[pendulum.DateTime, int, int, Release]] = []
    for position, (entered, _created, _id, release) in enumerate(entries):
        happenings.append((entered, 1, position, release))
        rolled = _rolled_back_at(release, environment)
        if rolled is not None:
            happenings.append((rolled, 0, position, release))
    happenings.sort(key=lambda happening: happening[:3])

    since: dict[str, pendulum.DateTime] = {}
    until: dict[str, pendulum.DateTime] = {}
    replaced_by: dict[str, str] = {}
    stack: list[Release] = []
    for moment, kind, _position, release in happenings:
        if kind == 1:
            if stack:
                until[stack[-1].id] = moment
                replaced_by[stack[-1].id] = release.id
            stack.append(release)
            since[release.id] = moment
            until.pop(release.id, None)
            continue
        was_running = bool(stack) and stack[-1].id == release.id
        stack = [item for item in stack if item.id != release.id]
        until[release.id] = moment
        replaced_by.pop(release.id, None)
        if was_running and stack:
            since[stack[-1].id] = moment
            until.pop(stack[-1].id, None)
            replaced_by.pop(stack[-1].id, None)
    return tuple(
        Deployment(
            release=release,
            environment=environment,
            entered_at=entered,
            live_since=since[release.id],
            until=until.get(release.id),
            replaced_by=replaced_by.get(release.id),
            rolled_back_at=_rolled_back_at(release, environment),
        )
        for entered, _created, _id, release in entries
    )


def live(found: Iterable[Deployment]) -> tuple[Deployment, ...]:
    """Return the deployments an environment could run: not rolled back, oldest first.

    The last one runs now; the one before it is what a rollback goes back to.
    """
    return tuple(deployment for deployment in found if not deployment.rolled_back)
