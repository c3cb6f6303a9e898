"""Releases: a version of the software on its way to production."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TypeVar

import attrs
import pendulum

from releasekit._rules import _validate, _values
from releasekit._rules._time import at_instant, created_at_instant
from releasekit._rules.evidence import EVIDENCE_TYPES, Evidence
from releasekit._rules.identity import by_identity, created_by_identity
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Artifact", "Move", "Release", "ReleaseKind"]

_E = TypeVar("_E", bound=Evidence)


def _functions(value: str | Iterable[str]) -> tuple[str, ...]:
    return _values.label_tuple(value, field="functions")


def _migrations(value: str | Iterable[str]) -> tuple[str, ...]:
    return _values.label_tuple(value, field="migrations")


def _new_functionality(value: str | Iterable[str]) -> tuple[str, ...]:
    return _values.label_tuple(value, field="new_functionality")


class ReleaseKind(enum.StrEnum):
    """Which flow a release follows."""

    NORMAL = "normal"
    HOTFIX = "hotfix"


@attrs.frozen(kw_only=True)
class Artifact:
    """What a release ships, as far as the rules need to know.

    Each name is plain text that does not start with ``-`` and holds no
    control character: names may reach the team's tools as arguments.

    Attributes:
        functions: Every function name in the artifact (the reference sandbox
            refuses names matching ``test*``).
        migrations: The database migrations it brings, in order.
        new_functionality: Names of the functionality it adds; each must be
            covered by new automatic tests before the release leaves the
            developer's sandbox.
    """

    functions: tuple[str, ...] = attrs.field(default=(), converter=_functions)
    migrations: tuple[str, ...] = attrs.field(default=(), converter=_migrations)
    new_functionality: tuple[str, ...] = attrs.field(default=(), converter=_new_functionality)


@attrs.frozen(kw_only=True)
class Move:
    """One step a release took from one environment to the next.

    Attributes:
        source: Where it was.
        target: Where it went.
        at: When.
        by: Who moved it.
    """

    source: str
    target: str
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    by: str = attrs.field(converter=by_identity)


def _evidence_tuple(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    items = tuple(value)
    for item in items:
        if not isinstance(item, EVIDENCE_TYPES):
            raise InvalidInputError(
                f"{item!r} is not evidence; use one of "
                + ", ".join(kind.__name__ for kind in EVIDENCE_TYPES),
                field="evidence",
                value=item,
            )
    return items


def _moves(value: Iterable[Move]) -> tuple[Move, ...]:
    return tuple(value)


def _kind(value: ReleaseKind | str) -> ReleaseKind:
    return value if value.__class__ is ReleaseKind else ReleaseKind(value)


@attrs.frozen(kw_only=True)
class Release:
    """A version on its way through the environments: a plain, immutable value.

    Moving a release or adding evidence returns a new ``Release``; the old one
    is unchanged. The engine and the stores hand these values around.

    The id and the version start with a letter or digit and hold no white
    space or control character; which versions a policy accepts when a
    release is started is :meth:`Policy.check_version`'s to say.

    Attributes:
        id: Unique id of the release.
        version: The version being released, e.g. ``"2.4.0"``.
        kind: ``normal`` or ``hotfix``.
        artifact: What the release ships.
        state: The environment the release is in (or ``"abandoned"``).
        created_at: When the release was started.
        created_by: Who started it.
        evidence: Every piece of evidence added so far, oldest first.
        moves: Every step taken so far, oldest first.
    """

    id: str = attrs.field(validator=_values.token)
    version: str = attrs.field(validator=_values.token)
    kind: ReleaseKind = attrs.field(converter=_kind)
    artifact: Artifact = Artifact()
    state: str = attrs.field(validator=_validate.text)
    created_at: pendulum.DateTime = attrs.field(converter=created_at_instant)
    created_by: str = attrs.field(converter=created_by_identity)
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence_tuple)
    moves: tuple[Move, ...] = attrs.field(default=(), converter=_moves)

    @property
    def origin(self) -> str:
        """The environment the release was started in."""
        return self.moves[0].source if self.moves else self.state

    @property
    def last_moved_at(self) -> pendulum.DateTime:
        """When the release last changed environment (or was started)."""
        return self.moves[-1].at if self.moves else self.created_at

    def entered_at(self, environment: str) -> pendulum.DateTime | None:
        """When the release last entered *environment*, or ``None`` if it never did."""
        for move in reversed(self.moves):
            if move.target == environment:
                return move.at
        if environment == self.origin:
            return self.created_at
        return None

    def has_visited(self, environment: str) -> bool:
        """Whether the release is or has been in *environment*."""
        return self.entered_at(environment) is not None

    def evidence_of(self, kind: type[_E]) -> tuple[_E, ...]:
        """Return the evidence of one type, oldest first."""
        return tuple(item for item in self.evidence if isinstance(item, kind))

    def with_evidence(self, *items: Evidence) -> Release:
        """Return a copy holding *items* as well."""
        evidence = (*self.evidence, *_evidence_tuple(items))
        if self.__class__ is not Release:
            return attrs.evolve(self, evidence=evidence)
        return _copy(self, self.state, evidence, self.moves)

    def moved(self, move: Move) -> Release:
        """Return a copy that has taken *move*."""
        if self.__class__ is not Release:
            return attrs.evolve(self, state=move.target, moves=(*self.moves, move))
        _validate.text(self, _STATE, move.target)
        return _copy(self, move.target, self.evidence, (*self.moves, move))


#: The ``state`` field, for its validator's message.
_STATE = attrs.fields(Release).state

#: Setters of the slots of a release, for :func:`_copy`.
_SLOTS = tuple(Release.__dict__[field.name].__set__ for field in attrs.fields(Release))


def _copy(
    release: Release, state: str, evidence: tuple[Evidence, ...], moves: tuple[Move, ...]
) -> Release:
    """Return *release* with a new state, evidence and moves, checked by the caller.

    The other fields were converted and validated when *release* was built, and
    a release is immutable: running ``__init__`` again (as :func:`attrs.evolve`
    does) would convert and check them all once more, which costs more than the
    rest of recording a promotion. This sets the slots as ``__init__`` does.
    """
    copy = object.__new__(Release)
    (
        set_id,
        set_version,
        set_kind,
        set_artifact,
        set_state,
        set_created_at,
        set_created_by,
        set_evidence,
        set_moves,
    ) = _SLOTS
    set_id(copy, release.id)
    set_version(copy, release.version)
    set_kind(copy, release.kind)
    set_artifact(copy, release.artifact)
    set_state(copy, state)
    set_created_at(copy, release.created_at)
    set_created_by(copy, release.created_by)
    set_evidence(copy, evidence)
    set_moves(copy, moves)
    return copy
