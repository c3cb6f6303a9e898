"""A policy's parts checked against each other: every problem found, reported at once.

The :class:`~releasekit.Policy` hands its environments, gates, flows and
freezes here when it is built, and raises one
:class:`~releasekit.exceptions.PolicyError` with every sentence that comes back:
names defined twice, gates and freezes naming environments that do not exist,
flows that go backwards, skip an end or lift a guard they may not.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from releasekit._rules.freezes import Freeze, OutsideFreeze
from releasekit._rules.guards import Guard, GuardKind

if TYPE_CHECKING:
    from releasekit._rules.environments import Environment
    from releasekit._rules.flows import Flow, Gate


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
