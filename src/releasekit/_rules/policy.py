"""Policies: environments in promotion order, the flows through them, the guards of each step.

A :class:`Policy` is validated completely when it is built. Every problem is
collected and reported at once in a :class:`~releasekit.exceptions.PolicyError`,
so a broken policy fails when it is loaded — never halfway through a release.

Its parts — :class:`Gate`, :class:`Flow`, :class:`Step` — are
:mod:`~releasekit._rules.flows`; the checks of the parts against each other are
:mod:`~releasekit._rules.policy_problems`. This module puts them together and
answers questions about the whole: who a name is, which step comes next.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs

from releasekit._rules.environments import Environment
from releasekit._rules.flows import Flow, Gate, Step, _kind
from releasekit._rules.freezes import Freeze, OutsideFreeze
from releasekit._rules.guards import ActorAllowed
from releasekit._rules.identity import identities, identity
from releasekit._rules.policy_problems import _problems
from releasekit._rules.release import ReleaseKind
from releasekit._rules.roster import (
    Roster,
    declarer_problems,
    resolve_environments,
    unblocker_problems,
)
from releasekit._rules.versions import check_version, compile_version_pattern
from releasekit.exceptions import InvalidInputError, PolicyError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from releasekit._rules.evidence import Evidence

__all__ = ["Flow", "Gate", "Policy", "Step"]


def _environments(value: Iterable[Environment]) -> tuple[Environment, ...]:
    return tuple(value)


def _gates(value: Iterable[Gate]) -> tuple[Gate, ...]:
    return tuple(value)


def _flows(value: Iterable[Flow]) -> tuple[Flow, ...]:
    return tuple(value)


def _freezes(value: Iterable[Freeze]) -> tuple[Freeze, ...]:
    return tuple(value)


def _declarers(value: str | Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(identities(value, field="freeze_declarers")))


@attrs.frozen(kw_only=True)
class Policy:
    """A team's whole release process, validated when built.

    Attributes:
        name: What the policy is called.
        environments: Every environment, in promotion order.
        gates: The guards of entering each environment.
        flows: One flow per kind of release.
        description: One sentence on whose process this is.
        version_pattern: The regular expression every version of a release
            started under this policy must match as a whole, e.g.
            ``[0-9]+[.][0-9]+[.][0-9]+``; by default (``None``) versions are those
            PEP 440 or SemVer 2.0 write. Either way a version starts with a letter or
            digit and holds no white space or control character.
        freezes: Periods no release may enter the environments they close
            (production, by default): each adds a time guard, coded
            ``<name>-freeze``, to every step of the flows it holds for, which a
            flow may lift as it lifts a window.
        roster: The people of the team, their aliases and roles, if the policy
            lists them (``None``: anyone may be named, as typed). With a roster,
            every name given for a person resolves to the person (:meth:`person`),
            the environments' owners and data operators are kept as the names of
            the people they are (``@role`` naming everyone who holds it), and
            blockers name the people who can clear them.
        freeze_declarers: Who may declare a freeze on the spot and lift one
            (``desk.freezes``, ``releasekit freeze``): with a roster, each
            label names a person by name or alias, or else everyone holding a
            role (``"@operator"`` or ``"operator"``); without one, each names a
            person. Empty (the default): nobody may.

    Raises:
        PolicyError: With every problem found, when the parts do not fit together
            — with a roster, an owner, a data operator, an ``unblocked_by``
            label or a freeze declarer that names no one on it as well.
    """

    name: str = "policy"
    environments: tuple[Environment, ...] = attrs.field(converter=_environments)
    gates: tuple[Gate, ...] = attrs.field(default=(), converter=_gates)
    flows: tuple[Flow, ...] = attrs.field(converter=_flows)
    description: str = ""
    version_pattern: str | None = None
    freezes: tuple[Freeze, ...] = attrs.field(default=(), converter=_freezes)
    roster: Roster | None = None
    freeze_declarers: tuple[str, ...] = attrs.field(default=(), converter=_declarers)
    _steps: dict[ReleaseKind, tuple[Step, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )
    _versions: re.Pattern[str] | None = attrs.field(
        init=False, repr=False, eq=False, hash=False, default=None
    )
    _by_name: dict[str, Environment] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        problems = _problems(self.environments, self.gates, self.flows, self.freezes)
        problems.extend(self._roster_problems())
        if self.version_pattern is not None:
            try:
                object.__setattr__(self, "_versions", compile_version_pattern(self.version_pattern))
            except InvalidInputError as error:
                problems.append(str(error))
        if problems:
            raise PolicyError(problems)
        self._by_name.update((env.name, env) for env in self.environments)
        gate_of = {gate.environment: gate for gate in self.gates}
        last = self.environments[-1].name
        for flow in self.flows:
            steps = []
            for source, target in zip(flow.path, flow.path[1:], strict=False):
                gate = gate_of.get(target)
                declared = (
                    *(gate.guards if gate else ()),
                    *(
                        OutsideFreeze(freeze=freeze)
                        for freeze in self.freezes
                        if freeze.closes(target, last=last) and freeze.holds_for(flow.kind)
                    ),
                )
                kept = tuple(g for g in declared if g.code not in flow.lifts)
                lifted = tuple(g for g in declared if g.code in flow.lifts)
                steps.append(
                    Step(
                        kind=flow.kind,
                        source=source,
                        target=target,
                        guards=(ActorAllowed(), *kept),
                        lifted=lifted,
                    )
                )
            self._steps[flow.kind] = tuple(steps)

    def _roster_problems(self) -> list[str]:
        """Check what the policy names against its roster; keep its environments resolved."""
        roster: object = self.roster  # anything may arrive from a caller
        if roster is not None and not isinstance(roster, Roster):
            return [f"roster {roster!r} is not a Roster; build one from Person values"]
        resolved, problems = resolve_environments(self.environments, self.roster)
        if self.roster is not None:
            problems.extend(unblocker_problems(self.gates, self.roster))
        problems.extend(declarer_problems(self.freeze_declarers, self.roster))
        if not problems:
            object.__setattr__(self, "environments", resolved)
        return problems

    def person(self, name: str, *, field: str = "by") -> str:
        """Return who *name* is: with a roster, the person's name; without, its identity.

        Example:
            >>> import releasekit as rk
            >>> rk.reference_policy().person(" Maria ")
            'maria'
            >>> team = rk.Roster(people=[
            ...     rk.Person(name="maria", aliases=["mk"], roles=["team", "developer"])
            ... ])
            >>> rk.reference_policy(roster=team, owner="maria", data_operator="maria").person("MK")
            'maria'

        Args:
            name: A person's name or, with a roster, one of their aliases.
            field: What *name* was given as, for the error (``"by"``, ``"actor"``).

        Raises:
            UnknownPersonError: The policy has a roster and no one on it goes by *name*.
            InvalidInputError: *name* is not a name (see :func:`~releasekit.identity`).
        """
        if self.roster is None:
            return identity(name, field=field)
        return self.roster.person(name, field=field)

    def credited(self, item: Evidence) -> Evidence:
        """Return *item* with its author (``by``) resolved to the person they are.

        Raises:
            UnknownPersonError: The policy has a roster and no one on it goes by the author's name.
        """
        by = self.person(item.by, field="by")
        return item if by == item.by else attrs.evolve(item, by=by)

    def who(self, labels: Iterable[str]) -> tuple[str, ...]:
        """Return the people *labels* (people or roles, as in ``unblocked_by``) name.

        Empty without a roster: the policy does not know who holds a role.
        """
        return () if self.roster is None else self.roster.who(labels)

    @property
    def declarers(self) -> tuple[str, ...]:
        """The people :attr:`freeze_declarers` names, each once, in order.

        With a roster, a label naming a role stands for everyone holding it;
        without one, the labels are the people.
        """
        if self.roster is None:
            return self.freeze_declarers
        return self.roster.who(self.freeze_declarers)

    def same_person(self, name: str) -> str:
        """Return the person a stored name (an identity) stands for: an alias is its person.

        Never refuses: a name on nobody's entry (evidence added before the
        roster listed its author), or any name without a roster, stands for itself.
        """
        return name if self.roster is None else self.roster.canonical(name)

    @property
    def environment_names(self) -> tuple[str, ...]:
        """The environment names in promotion order."""
        return tuple(env.name for env in self.environments)

    @property
    def kinds(self) -> tuple[ReleaseKind, ...]:
        """The kinds of release this policy has a flow for."""
        return tuple(flow.kind for flow in self.flows)

    @property
    def first(self) -> Environment:
        """The environment every release starts in."""
        return self.environments[0]

    @property
    def last(self) -> Environment:
        """The environment every flow ends in (production)."""
        return self.environments[-1]

    def environment(self, name: str) -> Environment:
        """Return the environment called *name*.

        Raises:
            InvalidInputError: No environment has that name.
        """
        given: object = name  # checked at run time: callers are not always type-checked
        found = self._by_name.get(name) if isinstance(given, str) else None
        if found is not None:
            return found
        raise InvalidInputError(
            f"environment {name!r} is not part of policy {self.name!r}; it has "
            + ", ".join(self.environment_names),
            field="environment",
            value=name,
        )

    def flow(self, kind: ReleaseKind | str) -> Flow:
        """Return the flow for releases of *kind*.

        Raises:
            InvalidInputError: The policy has no flow for that kind.
        """
        wanted = kind if kind.__class__ is ReleaseKind else _kind(kind)
        for flow in self.flows:
            if flow.kind is wanted:
                return flow
        raise InvalidInputError(
            f"policy {self.name!r} has no {wanted.value} flow; it has "
            + ", ".join(k.value for k in self.kinds),
            field="kind",
            value=kind,
        )

    def steps(self, kind: ReleaseKind | str) -> tuple[Step, ...]:
        """Return every step of the flow for *kind*, in order."""
        return self._steps[self.flow(kind).kind]

    def step_from(self, kind: ReleaseKind | str, source: str) -> Step | None:
        """Return the step leaving *source* in the flow for *kind*, or ``None`` at the end."""
        for step in self.steps(kind):
            if step.source == source:
                return step
        return None

    def remaining_steps(self, kind: ReleaseKind | str, source: str) -> tuple[Step, ...]:
        """Return the steps from *source* to the end of the flow for *kind*."""
        steps = self.steps(kind)
        for index, step in enumerate(steps):
            if step.source == source:
                return steps[index:]
        return ()

    def check_version(self, version: str) -> str:
        """Return *version* if a release may be started with it under this policy.

        Raises:
            InvalidInputError: The version does not follow the policy's
                ``version_pattern`` (or, by default, PEP 440 or SemVer), starts
                with ``-`` or holds white space or a control character.
        """
        return check_version(version, self._versions)

    def with_environments(self, environments: Iterable[Environment]) -> Policy:
        """Return a copy with *environments* replaced (validated again)."""
        return attrs.evolve(self, environments=tuple(environments))
