"""Policies: environments in promotion order, the flows through them, the guards of each step.

A :class:`Policy` is validated completely when it is built. Every problem is
collected and reported at once in a :class:`~releasekit.exceptions.PolicyError`,
so a broken policy fails when it is loaded — never halfway through a release.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import attrs

from releasekit._rules import _validate
from releasekit._rules.environments import Environment
from releasekit._rules.freezes import Freeze, OutsideFreeze
from releasekit._rules.guards import ActorAllowed, Guard, GuardKind
from releasekit._rules.identity import identities, identity
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


def _kind(value: ReleaseKind | str) -> ReleaseKind:
    try:
        return ReleaseKind(value)
    except ValueError:
        raise InvalidInputError(
            f"kind {value!r} is not a release kind; use one of "
            + ", ".join(repr(k.value) for k in ReleaseKind),
            field="kind",
            value=value,
        ) from None


def _guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(value)


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
class Gate:
    """The guards a release must pass to enter an environment.

    Attributes:
        environment: The environment being entered.
        guards: The guards checked, in order.
    """

    environment: str
    guards: tuple[Guard, ...] = attrs.field(converter=_guards)


@attrs.frozen(kw_only=True)
class Flow:
    """One path through the environments, for releases of one kind.

    Attributes:
        kind: The kind of release that follows this flow.
        path: The environments visited, in order, from the first to the last.
        lifts: Codes of time guards this flow does not apply (a hotfix lifts
            ``"production-window"``). Evidence guards can never be lifted.
        description: One sentence on when to use the flow.
    """

    kind: ReleaseKind = attrs.field(converter=_kind)
    path: tuple[str, ...] = attrs.field(converter=_validate.str_tuple)
    lifts: frozenset[str] = attrs.field(default=frozenset(), converter=_validate.str_frozenset)
    description: str = ""


@attrs.frozen(kw_only=True)
class Step:
    """One step of a flow, with the guards that apply to it.

    Attributes:
        kind: The flow the step belongs to.
        source: The environment a release leaves.
        target: The environment it enters.
        guards: The guards that must pass, in order (lifted guards excluded).
        lifted: The guards of the target's gate that this flow lifts.
    """

    kind: ReleaseKind
    source: str
    target: str
    guards: tuple[Guard, ...]
    lifted: tuple[Guard, ...] = ()

    @property
    def name(self) -> str:
        """``source -> target``."""
        return f"{self.source} -> {self.target}"

    @property
    def time_guards(self) -> tuple[Guard, ...]:
        """The time guards that apply to the step."""
        return tuple(guard for guard in self.guards if guard.kind is GuardKind.TIME)


def _problems(
    environments: tuple[Environment, ...],
    gates: tuple[Gate, ...],
    flows: tuple[Flow, ...],
    freezes: tuple[Freeze, ...],
) -> list[str]:
    if not environments:
        return ["it has no environments; list them in promotion order"]
    names = [env.name for env in environments]
    problems = _environment_problems(environments)
    problems.extend(_gate_problems(gates, names))
    problems.extend(_freeze_problems(freezes, gates, names))
    declared: tuple[object, ...] = freezes  # anything may arrive from a caller
    valid = tuple(freeze for freeze in declared if isinstance(freeze, Freeze))
    if not flows:
        problems.append("it has no flows; define at least the normal flow")
    problems.extend(
        f"kind {kind.value!r} has {count} flows; give each kind of release one flow"
        for kind, count in Counter(flow.kind for flow in flows).items()
        if count > 1
    )
    gate_of = {gate.environment: gate for gate in gates}
    reached: set[str] = set()
    for flow in flows:
        problems.extend(_flow_problems(flow, names, gate_of, valid))
        reached.update(flow.path)
    if flows:
        problems.extend(
            f"environment {name!r} is on no flow, so no release can ever reach it"
            for name in names
            if name not in reached
        )
    return problems


def _environment_problems(environments: tuple[Environment, ...]) -> list[str]:
    names = [env.name for env in environments]
    known = set(names)
    problems: list[str] = []
    problems.extend(
        f"environment {name!r} is defined {count} times; names must be unique"
        for name, count in Counter(names).items()
        if count > 1
    )
    for env in environments:
        unknown = sorted(env.data.restorable_from - known)
        problems.extend(
            f"environment {env.name!r} may be restored from {name!r}, which is not an environment"
            for name in unknown
        )
        if env.name in env.data.restorable_from:
            problems.append(f"environment {env.name!r} may not be restored from itself")
    return problems


def _gate_problems(gates: tuple[Gate, ...], names: list[str]) -> list[str]:
    known = set(names)
    problems: list[str] = []
    gate_names = [gate.environment for gate in gates]
    problems.extend(
        f"the gate of {name!r} is defined {count} times; give each environment one gate"
        for name, count in Counter(gate_names).items()
        if count > 1
    )
    for gate in gates:
        if gate.environment not in known:
            problems.append(f"a gate names environment {gate.environment!r}, which is not defined")
        elif gate.environment == names[0]:
            problems.append(f"the gate of {gate.environment!r} can never run: releases start there")
        declared: tuple[object, ...] = gate.guards  # anything may arrive from a file
        valid = [guard for guard in declared if isinstance(guard, Guard)]
        codes = [guard.code for guard in valid]
        problems.extend(
            f"guard code {code!r} appears {count} times in the gate of {gate.environment!r}; "
            "give each guard of a gate its own code"
            for code, count in Counter(codes).items()
            if count > 1
        )
        problems.extend(
            f"the gate of {gate.environment!r} holds {guard!r}, which is not a guard "
            "(it needs code, kind, check(), describe() and environments())"
            for guard in declared
            if not isinstance(guard, Guard)
        )
        for guard in valid:
            problems.extend(
                f"guard {guard.code!r} of the gate of {gate.environment!r} names environment "
                f"{name!r}, which is not defined"
                for name in sorted(guard.environments() - known)
            )
    return problems


def _freeze_problems(
    freezes: tuple[Freeze, ...], gates: tuple[Gate, ...], names: list[str]
) -> list[str]:
    problems: list[str] = []
    declared: tuple[object, ...] = freezes  # anything may arrive from a caller
    problems.extend(
        f"freezes holds {freeze!r}, which is not a Freeze"
        for freeze in declared
        if not isinstance(freeze, Freeze)
    )
    valid = [freeze for freeze in declared if isinstance(freeze, Freeze)]
    problems.extend(
        f"freeze {name!r} is defined {count} times; give each freeze its own name"
        for name, count in Counter(freeze.name for freeze in valid).items()
        if count > 1
    )
    codes = {gate.environment: {getattr(g, "code", None) for g in gate.guards} for gate in gates}
    for freeze in valid:
        for name in sorted(freeze.environments or ()):
            if name not in names:
                problems.append(
                    f"freeze {freeze.name!r} closes {name!r}, which is not an environment"
                )
            elif name == names[0]:
                problems.append(
                    f"freeze {freeze.name!r} closes {name!r}, where releases start: "
                    "no step enters it"
                )
        problems.extend(
            f"freeze {freeze.name!r} has the code {freeze.code!r}, which a guard of the "
            f"gate of {name!r} has too; rename the freeze or the guard"
            for name in sorted(freeze.environments or {names[-1]})
            if freeze.code in codes.get(name, ())
        )
    return problems


def _flow_problems(
    flow: Flow, names: list[str], gate_of: dict[str, Gate], freezes: tuple[Freeze, ...]
) -> list[str]:
    label = f"the {flow.kind.value} flow"
    problems: list[str] = []
    unknown = [name for name in flow.path if name not in names]
    problems.extend(f"{label} visits {name!r}, which is not an environment" for name in unknown)
    if unknown:
        return problems
    if len(flow.path) < 2:  # noqa: PLR2004  # a step needs two ends
        return [*problems, f"{label} needs at least two environments"]
    if len(set(flow.path)) != len(flow.path):
        problems.append(f"{label} visits an environment twice; a flow only moves forward")
    positions = [names.index(name) for name in flow.path]
    if positions != sorted(positions):
        problems.append(
            f"{label} goes {' -> '.join(flow.path)}, against the promotion order "
            f"{' -> '.join(names)}"
        )
    if flow.path[0] != names[0]:
        problems.append(f"{label} starts at {flow.path[0]!r}; every flow starts at {names[0]!r}")
    if flow.path[-1] != names[-1]:
        problems.append(f"{label} ends at {flow.path[-1]!r}; every flow ends at {names[-1]!r}")
    declared: list[object] = [
        guard for target in flow.path[1:] if target in gate_of for guard in gate_of[target].guards
    ]
    guards = {guard.code: guard for guard in declared if isinstance(guard, Guard)}
    guards.update(
        (freeze.code, OutsideFreeze(freeze=freeze))
        for freeze in freezes
        if freeze.holds_for(flow.kind)
        and any(freeze.closes(target, last=names[-1]) for target in flow.path[1:])
    )
    for code in sorted(flow.lifts):
        guard = guards.get(code)
        if guard is None:
            problems.append(f"{label} lifts guard {code!r}, which none of its steps has")
        elif guard.kind is not GuardKind.TIME:
            problems.append(
                f"{label} lifts guard {code!r}, a {guard.kind.value} guard; "
                "a flow may lift only time guards"
            )
    return problems


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
