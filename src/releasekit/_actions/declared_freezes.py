"""Freezes declared on the spot: what one is, who may declare it, and its history's fold.

A :class:`DeclaredFreeze` closes environments (production, unless it names
others) from one instant until another, for a reason, as a person declared —
an incident, a risky weekend. Unlike a freeze written in the policy it is not
known in advance: it lives in the store, in the history ``freezes:declared``,
whose state is every declared freeze not yet over when it was last written.

Each event of that history is a step of :func:`apply`: a freeze declared
(:attr:`Action.FREEZE_DECLARED <releasekit.stores.Action.FREEZE_DECLARED>`,
its data the freeze's name, instants, kinds and environments, its reason the
freeze's) or lifted (``FREEZE_LIFTED``, its data the name, its reason why);
who did it and when are the event's actor and instant. Every write drops the
freezes that ended by its instant. The writer folds each step into the state
it read, so the stored state is the replay of the history by construction;
:func:`replay_problem` says where it is not, for ``verify`` and before the
freezes are acted on.

:func:`with_declared` gives the rules a policy holding the declared freezes
as values: the rules never read a store. A declared freeze holds back the
kinds of release it names — normal releases, by default — and every other
flow *lifts* it by its code, exactly as a hotfix flow lifts the production
window: an incident stops normal releases and lets a hotfix through, unless
it is declared for hotfixes too.

Example:
    >>> import pendulum
    >>> incident = DeclaredFreeze(
    ...     name="incident-42",
    ...     reason="payments are failing",
    ...     start=pendulum.datetime(2026, 12, 26, 10, tz="UTC"),
    ...     until=pendulum.datetime(2026, 12, 26, 16, tz="UTC"),
    ...     declared_by="maria",
    ...     declared_at=pendulum.datetime(2026, 12, 26, 10, tz="UTC"),
    ... )
    >>> incident.freeze.code, incident.kinds
    ('incident-42-freeze', (<ReleaseKind.NORMAL: 'normal'>,))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import pendulum

from releasekit._records.converter import iso, parse_instant, structure, unstructure
from releasekit._records.events import Action
from releasekit._records.verifying import MISMATCH
from releasekit._rules import _validate
from releasekit._rules._time import instant, when
from releasekit._rules.freeze_dates import FreezeInterval
from releasekit._rules.freezes import Freeze, _environments, _kinds
from releasekit._rules.identity import identity
from releasekit._rules.release import ReleaseKind
from releasekit.exceptions import (
    InvalidInputError,
    NotPermittedError,
    PolicyError,
    ReleaseKitError,
    UnreadableDataError,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping, Sequence

    from releasekit._records.events import Event
    from releasekit._records.store import Snapshot
    from releasekit._rules.policy import Policy

__all__ = [
    "STREAM",
    "DeclaredFreeze",
    "apply",
    "draft",
    "event_data",
    "replay",
    "replay_problem",
    "require_declarer",
    "state_of",
    "structured",
    "with_declared",
]

#: The history every freeze declared on the spot is recorded in.
STREAM: Final = "freezes:declared"

#: Whom a declared freeze holds back unless it names kinds: normal releases (hotfixes go through).
DEFAULT_KINDS: Final = frozenset({ReleaseKind.NORMAL})


def _start(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="start")


def _until(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="until")


def _declared_at(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="declared_at")


def _declared_by(value: str) -> str:
    return identity(value, field="declared_by")


def _held_kinds(value: Iterable[ReleaseKind | str] | None) -> tuple[ReleaseKind, ...]:
    kinds = _kinds(value)
    return tuple(sorted(DEFAULT_KINDS if kinds is None else kinds))


def _closed(value: Iterable[str] | None) -> tuple[str, ...] | None:
    names = _environments(value)
    return None if names is None else tuple(sorted(names))


@attrs.frozen(kw_only=True)
class DeclaredFreeze:
    """A freeze a person declared on the spot: from when, until when, why, and for whom.

    Attributes:
        name: What it is called (``incident-42``); its guard's code is ``<name>-freeze``.
        reason: Why, for the people its blockers stop.
        start: The first instant it holds (aware; kept in UTC).
        until: The first instant it no longer holds (aware; kept in UTC).
        declared_by: Who declared it, as the person they are.
        declared_at: When.
        kinds: The kinds of release it holds back, sorted: normal releases
            unless declared otherwise. Every other flow lifts it.
        environments: The environments it closes, sorted; ``None`` (the
            default): the policy's last, production.

    Raises:
        InvalidInputError: A value cannot be used: a name that is not a
            lowercase name, an empty reason, a naive instant, *until* not after
            *start*, an empty or unknown kind.
    """

    name: str = attrs.field(validator=_validate.name)
    reason: str = attrs.field(validator=_validate.text)
    start: pendulum.DateTime = attrs.field(converter=_start)
    until: pendulum.DateTime = attrs.field(converter=_until)
    declared_by: str = attrs.field(converter=_declared_by)
    declared_at: pendulum.DateTime = attrs.field(converter=_declared_at)
    kinds: tuple[ReleaseKind, ...] = attrs.field(default=DEFAULT_KINDS, converter=_held_kinds)
    environments: tuple[str, ...] | None = attrs.field(default=None, converter=_closed)

    @until.validator
    def _check_until(self, _attribute: attrs.Attribute[Any], value: pendulum.DateTime) -> None:
        if value <= self.start:
            raise InvalidInputError(
                f"until {when(value)} is not after the freeze's start {when(self.start)}; "
                "a freeze ends after it starts",
                field="until",
                value=value,
            )

    @property
    def code(self) -> str:
        """The code of its guard, ``<name>-freeze``."""
        return f"{self.name}-freeze"

    @property
    def freeze(self) -> Freeze:
        """The freeze itself, as the rules read it: an interval in UTC, who declared it and when."""
        return Freeze(
            name=self.name,
            reason=self.reason,
            timezone="UTC",
            intervals=[FreezeInterval(start=self.start, end=self.until)],
            environments=self.environments,
            kinds=self.kinds,
            declared_by=self.declared_by,
            declared_at=self.declared_at,
        )

    def holds(self, at: dt.datetime) -> bool:
        """Whether it holds at *at* (after its start, before its end)."""
        moment = instant(at, field="at")
        return self.start <= moment < self.until

    def over(self, at: dt.datetime) -> bool:
        """Whether it ended at or before *at*."""
        return self.until <= instant(at, field="at")


def _order(freeze: DeclaredFreeze) -> tuple[pendulum.DateTime, str]:
    return freeze.start, freeze.name


# -- who may ---------------------------------------------------------------------------


def require_declarer(policy: Policy, by: str, *, action: str) -> str:
    """Return the person *by* is, if the policy lets them declare and lift freezes.

    Raises:
        UnknownPersonError: The policy has a roster, and no one on it goes by *by*.
        NotPermittedError: The policy's ``freeze_declarers`` do not name them
            (or name nobody).
        InvalidInputError: *by* is not a name.
    """
    person = policy.person(by, field="by")
    allowed = policy.declarers
    if person in allowed:
        return person
    if not allowed:
        message = (
            f"{person} may not {action}: policy {policy.name!r} lets nobody declare or lift "
            "freezes; name the people or roles who may in its freeze_declarers"
        )
    else:
        labels = ", ".join(policy.freeze_declarers)
        message = (
            f"{person} may not {action}: policy {policy.name!r} lets only {_either(allowed)} "
            f"declare or lift freezes (freeze_declarers: {labels}); ask one of them"
        )
    raise NotPermittedError(message, actor=person, action=action, allowed=allowed)


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


# -- declaring ---------------------------------------------------------------------------


def draft(
    policy: Policy,
    *,
    name: str,
    reason: str,
    until: dt.datetime,
    by: str,
    now: dt.datetime,
    start: dt.datetime | None = None,
    environments: Iterable[str] | None = None,
    kinds: Iterable[ReleaseKind | str] | None = None,
) -> DeclaredFreeze:
    """Return the freeze *by* would declare now, once every rule that needs no store allows it.

    Checks who declares it, its values, that it ends in the future and after
    it starts, and that it fits the policy (its environments exist and are
    entered by a step, its name is not one of the policy's own freezes).
    Whether a declared freeze already has its name is the store's to say.

    Raises:
        UnknownPersonError: As for :func:`require_declarer`.
        NotPermittedError: As for :func:`require_declarer`.
        NaiveDatetimeError: *until* or *start* carries no time zone.
        InvalidInputError: A value cannot be used, *until* is not in the
            future, or the freeze does not fit the policy.
    """
    person = require_declarer(policy, by, action="declare a freeze")
    moment = instant(now, field="now")
    begins = moment if start is None else instant(start, field="start")
    ends = instant(until, field="until")
    if ends <= moment:
        raise InvalidInputError(
            f"until {when(ends)} is not in the future (it is {when(moment)}); a freeze "
            "declared now must end later",
            field="until",
            value=until,
        )
    freeze = DeclaredFreeze(
        name=name,
        reason=reason,
        start=begins,
        until=ends,
        declared_by=person,
        declared_at=moment,
        kinds=kinds,
        environments=environments,
    )
    _require_fit(policy, freeze)
    return freeze


def _require_fit(policy: Policy, freeze: DeclaredFreeze) -> None:
    """Refuse a freeze that cannot join *policy*: a taken name, an environment it cannot close."""
    if any(item.name == freeze.name for item in policy.freezes):
        raise InvalidInputError(
            f"{freeze.name!r} is the name of a freeze of policy {policy.name!r}; give the "
            "declared freeze a name of its own",
            field="name",
            value=freeze.name,
        )
    names = policy.environment_names
    for environment in freeze.environments or ():
        if environment not in names:
            raise InvalidInputError(
                f"{environment!r} is not an environment of policy {policy.name!r}; it has "
                + ", ".join(names),
                field="environments",
                value=freeze.environments,
            )
        if environment == names[0]:
            raise InvalidInputError(
                f"{environment!r} is where releases start: no step enters it, so no freeze "
                f"can close it; name one of {', '.join(names[1:])}",
                field="environments",
                value=freeze.environments,
            )
    try:
        _joined(policy, [freeze])
    except PolicyError as error:
        raise InvalidInputError(
            f"the freeze {freeze.name!r} does not fit policy {policy.name!r}: "
            + "; ".join(error.problems),
            field="name",
            value=freeze.name,
        ) from None


def with_declared(policy: Policy, declared: Iterable[DeclaredFreeze]) -> Policy:
    """Return *policy* with the *declared* freezes among its freezes.

    Each becomes a freeze of the policy for every kind of release, and each
    flow whose kind it does not hold back lifts it by its code, as a hotfix
    lifts the production window: its blockers then say a hotfix is the way
    through, and a hotfix's explanation lists it as lifted.

    A declared freeze that does not fit *policy* — the policy changed since it
    was declared: an environment it names is gone, a freeze of the policy took
    its name — is left out.
    """
    taken = {freeze.name for freeze in policy.freezes}
    freezes = [item for item in declared if item.name not in taken]
    if not freezes:
        return policy
    try:
        return _joined(policy, freezes)
    except PolicyError:
        fitting: list[DeclaredFreeze] = []
        for item in freezes:
            try:
                _joined(policy, [*fitting, item])
            except PolicyError:
                continue  # it does not fit: left out
            fitting.append(item)
        return _joined(policy, fitting) if fitting else policy


def _joined(policy: Policy, declared: Sequence[DeclaredFreeze]) -> Policy:
    """Return *policy* with *declared* among its freezes, lifted by the flows they spare.

    Raises:
        PolicyError: They do not fit the policy.
    """
    last = policy.last.name
    lifts = {flow.kind: set(flow.lifts) for flow in policy.flows}
    freezes = []
    for item in declared:
        freeze = attrs.evolve(item.freeze, kinds=None)
        freezes.append(freeze)
        for flow in policy.flows:
            closes = any(freeze.closes(target, last=last) for target in flow.path[1:])
            if flow.kind not in item.kinds and closes:
                lifts[flow.kind].add(freeze.code)
    return attrs.evolve(
        policy,
        freezes=(*policy.freezes, *freezes),
        flows=tuple(attrs.evolve(flow, lifts=frozenset(lifts[flow.kind])) for flow in policy.flows),
    )


# -- the history -------------------------------------------------------------------------


def event_data(freeze: DeclaredFreeze) -> dict[str, Any]:
    """Return what a declaration's event records of the freeze (the rest is the event's own)."""
    return {
        "name": freeze.name,
        "start": iso(freeze.start),
        "until": iso(freeze.until),
        "kinds": [kind.value for kind in freeze.kinds],
        "environments": None if freeze.environments is None else list(freeze.environments),
    }


def state_of(freezes: Iterable[DeclaredFreeze]) -> dict[str, Any]:
    """Return the state of the history holding *freezes*, as JSON values."""
    return {"freezes": [unstructure(freeze) for freeze in freezes]}


def apply(
    before: Sequence[DeclaredFreeze],
    *,
    action: Action,
    actor: str,
    at: dt.datetime,
    reason: str,
    data: Mapping[str, Any],
) -> tuple[DeclaredFreeze, ...]:
    """Return the declared freezes after one step of their history, in the order they start.

    The freezes that ended by *at* are dropped first.

    Raises:
        ValueError: The step cannot follow *before* (a name declared twice, a
            freeze lifted that is not there) or its data does not describe it;
            :func:`replay` reports it as a :class:`~releasekit.exceptions.UnreadableDataError`.
    """
    moment = instant(at, field="at")
    kept = tuple(freeze for freeze in before if not freeze.over(moment))
    name = data.get("name")
    held = any(freeze.name == name for freeze in kept)
    if action is Action.FREEZE_DECLARED:
        if held:
            msg = f"the freeze {name!r} is declared while it is still declared"
            raise ValueError(msg)
        try:
            declared = DeclaredFreeze(
                name=name,  # type: ignore[arg-type]  # checked by its validator
                reason=reason,
                start=parse_instant(data["start"]),
                until=parse_instant(data["until"]),
                declared_by=actor,
                declared_at=moment,
                kinds=data["kinds"],
                environments=data["environments"],
            )
        except KeyError as missing:
            msg = f"the declaration records no {missing}"
            raise ValueError(msg) from None
        except (TypeError, ReleaseKitError) as error:
            raise ValueError(str(error)) from None
        return tuple(sorted((*kept, declared), key=_order))
    if action is Action.FREEZE_LIFTED:
        if not held:
            msg = f"the freeze {name!r} is lifted, but it is not declared"
            raise ValueError(msg)
        return tuple(freeze for freeze in kept if freeze.name != name)
    msg = f"{action.value} is not a step of the declared freezes' history"
    raise ValueError(msg)


def replay(events: Sequence[Event]) -> tuple[DeclaredFreeze, ...]:
    """Rebuild the declared freezes from their history, oldest event first.

    Raises:
        UnreadableDataError: An event does not describe a step that can follow the ones before.
    """
    freezes: tuple[DeclaredFreeze, ...] = ()
    for event in events:
        try:
            freezes = apply(
                freezes,
                action=event.action,
                actor=event.actor,
                at=event.at,
                reason=event.reason,
                data=event.data,
            )
        except ValueError as error:
            raise UnreadableDataError(
                what=f"event {event.seq} of {event.stream}", problems=[f"{error} @ $.data"]
            ) from None
    return freezes


def structured(snapshot: Snapshot) -> tuple[DeclaredFreeze, ...]:
    """Return the declared freezes a stored state holds.

    Raises:
        UnreadableDataError: It does not hold declared freezes.
    """
    what = f"the current state of {snapshot.stream}"
    data = snapshot.data.get("freezes") if isinstance(snapshot.data, dict) else None
    return tuple(structure(data, list[DeclaredFreeze], what=what))


def replay_problem(snapshot: Snapshot, events: Sequence[Event]) -> tuple[int, str] | None:
    """Return where and why the stored freezes are not the replay of their history, if not.

    Args:
        snapshot: The history's stored state.
        events: Its whole history, at the snapshot's revision.
    """
    try:
        replayed = replay(events)
    except UnreadableDataError as error:
        return (events[0].seq if events else 1), str(error)
    try:
        stored = structured(snapshot)
    except UnreadableDataError as error:
        return snapshot.revision, str(error)
    if replayed != stored:
        return snapshot.revision, MISMATCH
    return None
