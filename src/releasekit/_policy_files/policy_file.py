"""Policy files: a team's whole process written down in TOML.

A policy file lists the environments in promotion order, each with the facts
about it and the ``gate`` of guards for entering it, named time windows, one
flow per kind of release, and optionally the team's people (``[people]``: a
table per person, under their name, with ``aliases`` and ``roles``). It is
read with :mod:`tomllib` and structured by releasekit's converter; every value
must have the type its key asks for, and every mistake is reported at once,
each with the path of the value at fault and what to write instead::

    environments[0].owners: "anton" is a string, not a list; write a list of
    strings in brackets, e.g. owners = ["anton"]

A policy file is data: reading or checking one never imports or runs code. A
custom guard is named by the name an installed package registered it under
(entry-point group ``releasekit.guards``); only loading a policy for use
(:func:`load_policy`, :func:`loads_policy`) builds it.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from releasekit._policy_files import _policy_read
from releasekit._policy_files._guard_plugins import CustomGuard, GuardCatalogue, RegisteredGuard
from releasekit._policy_files._policy_freezes import read_freezes
from releasekit._policy_files._policy_structure import (
    BROKEN_WINDOW,
    Named,
    converter,
    messages,
    say,
)
from releasekit._policy_files._policy_values import Problem, key, kind_of, shown
from releasekit._rules import guards as _guards
from releasekit._rules.environments import Environment
from releasekit._rules.identity import identity
from releasekit._rules.policy import Flow, Gate, Policy
from releasekit._rules.release import ReleaseKind
from releasekit._rules.roster import Person, Roster
from releasekit._rules.windows import Window
from releasekit.exceptions import InvalidInputError, PolicyError, PolicyFileError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from releasekit._rules.freezes import Freeze

__all__ = [
    "PolicyCheck",
    "check_policy",
    "check_policy_text",
    "load_policy",
    "loads_policy",
    "reference_policy_file",
]

_TOP_LEVEL = (
    "name",
    "description",
    "version_pattern",
    "people",
    "freeze_declarers",
    "windows",
    "environments",
    "freezes",
    "flows",
)


# -- reading a document --------------------------------------------------------------


@attrs.define
class _Reader:
    """Reads one policy document, collecting every problem with its path.

    With *load*, custom guards are built from their installed packages; without
    it, they are only looked up in the packages' metadata.
    """

    load: bool
    directory: Path | None = None
    problems: list[str] = attrs.field(factory=list)
    used: dict[str, RegisteredGuard] = attrs.field(factory=dict)
    _catalogue: GuardCatalogue | None = None

    def structure(self, data: object, cls: Any, path: str) -> Any:  # noqa: ANN401  # the type follows cls
        try:
            return converter().structure(data, cls)
        except Exception as error:  # noqa: BLE001  # every problem is collected and reported together
            self.problems.extend(message.removeprefix(".") for message in messages(error, path))
            return None

    def text(self, data: dict[str, Any], name: str, default: str) -> str:
        read: str | None = self.structure(data.get(name, default), str, name)
        return default if read is None else read

    def windows(self, data: dict[str, Any]) -> None:
        tables = data.get("windows", {})
        if not isinstance(tables, dict):
            self.problems.append(
                f"windows: {shown(tables)} is {kind_of(tables)}; write named windows as tables, "
                "e.g. [windows.production]"
            )
            tables = {}
        found: dict[str, Window | None] = {}
        for name, table in tables.items():
            path = f"windows.{key(name)}"
            if not isinstance(table, dict):
                self.problems.append(
                    f"{path}: {shown(table)} is {kind_of(table)}; a window is a table with "
                    f'a timezone and spans, e.g. [{path}] timezone = "UTC"'
                )
                found[name] = None
                continue
            table.setdefault("name", name)
            found[name] = self.structure(table, Window, path)
        self.resolve_windows(data, found)

    def resolve_windows(self, data: dict[str, Any], found: Mapping[str, Window | None]) -> None:
        environments = data.get("environments")
        for index, environment in enumerate(environments if isinstance(environments, list) else []):
            gate = environment.get("gate") if isinstance(environment, dict) else None
            for position, guard in enumerate(gate if isinstance(gate, list) else []):
                if not isinstance(guard, dict) or not isinstance(guard.get("window"), str):
                    continue
                name = guard["window"]
                window = found.get(name)
                guard["window"] = BROKEN_WINDOW if window is None else window
                if name not in found:
                    known = ", ".join(key(defined) for defined in sorted(found)) or "none"
                    self.problems.append(
                        f"environments[{index}].gate[{position}].window: there is no window "
                        f"{name!r}; define [windows.{key(name)}] (defined: {known})"
                    )
                elif window is not None and guard.get("type") == "window":
                    guard.setdefault("code", f"{name}-window")

    def people(self, data: dict[str, Any]) -> Roster | None:
        """Read ``[people]``: a table per person, under their name, with aliases and roles."""
        if "people" not in data:
            return None
        tables = data["people"]
        if not isinstance(tables, dict):
            self.problems.append(
                f"people: {shown(tables)} is {kind_of(tables)}; list each person as a table "
                'under their name, e.g. [people.maria] roles = ["team"]'
            )
            return None
        people: list[Person] = []
        broken = False
        for name, table in tables.items():
            path = f"people.{key(name)}"
            if not isinstance(table, dict):
                self.problems.append(
                    f"{path}: {shown(table)} is {kind_of(table)}; a person is a table with "
                    f'aliases and roles, e.g. [{path}] roles = ["team"]'
                )
                broken = True
                continue
            if "name" in table:
                self.problems.append(
                    f"{path}.name: unknown key; the person's name is the key of their table "
                    f"([{path}]), other names are aliases"
                )
                broken = True
                continue
            try:
                Person(name=name)
            except InvalidInputError as error:
                self.problems.append(f"{path}: {error}")
                broken = True
                continue
            person = self.structure({**table, "name": name}, Person, path)
            broken = broken or person is None
            people.append(person)
        if broken:
            return None
        try:
            return Roster(people=people)
        except PolicyError as error:
            self.problems.extend(f"people: {problem}" for problem in error.problems)
            return None

    def declarers(self, data: dict[str, Any]) -> tuple[str, ...]:
        """Read ``freeze_declarers``: the people (or ``@roles``) who may declare freezes."""
        labels: tuple[str, ...] | None = self.structure(
            data.get("freeze_declarers", []), tuple[str, ...], "freeze_declarers"
        )
        for index, label in enumerate(labels or ()):
            try:
                identity(label, field="freeze_declarers")
            except InvalidInputError as error:
                self.problems.append(f"freeze_declarers[{index}]: {error}")
                return ()
        return labels or ()

    def environments(self, data: dict[str, Any]) -> tuple[list[Environment], list[Gate]]:
        environments: list[Environment] = []
        gates: list[Gate] = []
        raw_environments = data.get("environments")
        if not isinstance(raw_environments, list) or not raw_environments:
            written = (
                ""
                if raw_environments is None or raw_environments == []
                else f"{shown(raw_environments)} is {kind_of(raw_environments)}; "
            )
            self.problems.append(
                f"environments: {written}list the environments in promotion order "
                "([[environments]])"
            )
            return environments, gates
        for index, raw in enumerate(raw_environments):
            path = f"environments[{index}]"
            if not isinstance(raw, dict):
                self.problems.append(
                    f"{path}: {shown(raw)} is {kind_of(raw)}; an environment is a table with "
                    "at least a name"
                )
                continue
            fields = {key: item for key, item in raw.items() if key != "gate"}
            environment = self.structure(fields, Environment, path)
            guards = self.structure(raw.get("gate", []), tuple[_guards.Guard, ...], f"{path}.gate")
            built = [
                self.guard(guard, f"{path}.gate[{at}]") for at, guard in enumerate(guards or ())
            ]
            if environment is not None:
                environments.append(environment)
                kept = [guard for guard in built if guard is not None]
                if kept and len(kept) == len(built):
                    gates.append(Gate(environment=environment.name, guards=kept))
        return environments, gates

    def guard(self, guard: _guards.Guard | Named, path: str) -> _guards.Guard | None:
        if not isinstance(guard, Named):
            return guard
        if self._catalogue is None:
            self._catalogue = GuardCatalogue.installed()
        try:
            registered = self._catalogue.find(guard.name)
            self.used.setdefault(registered.name, registered)
            if BROKEN_WINDOW in guard.parameters.values():
                return None  # its window's problems are reported where it is defined
            if self.load:
                return self._catalogue.build(registered, guard.parameters)
            return CustomGuard(registered=registered, parameters=guard.parameters)
        except Problem as problem:
            sentence = say(problem, path)
            self.problems.extend([sentence] if sentence else [])
            return None

    def flows(self, data: dict[str, Any]) -> tuple[Flow, ...]:
        raw_flows = data.get("flows")
        if not isinstance(raw_flows, list) or not raw_flows:
            written = (
                ""
                if raw_flows is None or raw_flows == []
                else f"{shown(raw_flows)} is {kind_of(raw_flows)}; "
            )
            self.problems.append(
                f"flows: {written}define at least the normal flow ([[flows]] kind = 'normal')"
            )
            return ()
        flows: tuple[Flow, ...] = self.structure(raw_flows, tuple[Flow, ...], "flows") or ()
        return flows

    def read(self, data: dict[str, Any], source: str) -> Policy:
        """Build the policy *data* describes, or raise every problem found."""
        for unknown in sorted(set(data) - set(_TOP_LEVEL)):
            close = difflib.get_close_matches(unknown, _TOP_LEVEL, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.problems.append(
                f"{key(unknown)}: unknown top-level key; {hint}use {', '.join(_TOP_LEVEL)}"
            )
        name = self.text(data, "name", "policy")
        description = self.text(data, "description", "")
        version_pattern: str | None = None
        if "version_pattern" in data:
            version_pattern = self.structure(data["version_pattern"], str, "version_pattern")
        roster = self.people(data)
        declarers = self.declarers(data)
        self.windows(data)
        environments, gates = self.environments(data)
        freezes: tuple[Freeze, ...] = ()
        if "freezes" in data:
            freezes, problems = read_freezes(data["freezes"], self.directory)
            self.problems.extend(problems)
        flows = self.flows(data)
        if self.problems:
            raise PolicyFileError(source=source, problems=self.problems)
        try:
            return Policy(
                name=name,
                description=description,
                environments=environments,
                gates=gates,
                flows=flows,
                version_pattern=version_pattern,
                freezes=freezes,
                roster=roster,
                freeze_declarers=declarers,
            )
        except PolicyError as error:
            raise PolicyFileError(source=source, problems=error.problems) from None


def _read(
    text: str, *, source: str, load: bool, directory: str | Path | None
) -> tuple[Policy, tuple[RegisteredGuard, ...]]:
    data = _policy_read.parse(text, source=source)
    reader = _Reader(load=load, directory=None if directory is None else Path(directory))
    policy = reader.read(data, source)
    return policy, tuple(reader.used.values())


# -- the public functions ----------------------------------------------------------


def loads_policy(
    text: str, *, source: str = "<string>", directory: str | Path | None = None
) -> Policy:
    """Build a policy from the text of a policy file.

    Custom guards the text names are loaded from the installed packages that
    register them (entry-point group ``releasekit.guards``) and built.

    Args:
        text: The TOML text.
        source: Where the text came from, for error messages.
        directory: Where the calendar files the text names (``ics = ...``) are
            read from; by default, the working directory.

    Raises:
        PolicyFileError: With every problem found, each naming its path.
    """
    return _read(text, source=source, load=True, directory=directory)[0]


def load_policy(path: str | Path) -> Policy:
    """Build a policy from a policy file (``releasekit.toml``).

    Custom guards the file names are loaded from the installed packages that
    register them (entry-point group ``releasekit.guards``) and built.

    Raises:
        PolicyFileError: The file cannot be read, or holds mistakes (all of them listed).
    """
    return loads_policy(_policy_read.read(path), source=str(path), directory=Path(path).parent)


@attrs.frozen(kw_only=True)
class PolicyCheck:
    """What checking a policy file found: it is valid, and this is what it describes.

    Attributes:
        source: The file (or other source) checked.
        name: The policy's name.
        environments: Its environments, in promotion order.
        kinds: The kinds of release it has a flow for.
        guards: The installed guards it names, each with the package that
            registers it: the code that loading the policy will run.
        guards_loaded: Whether those guards were loaded and built as well
            (``load_guards=True``), or only looked up in the packages' metadata.
        people: The names of the people on its roster (``[people]``), in order;
            empty when it has none.
    """

    source: str
    name: str
    environments: tuple[str, ...]
    kinds: tuple[ReleaseKind, ...]
    guards: tuple[RegisteredGuard, ...] = ()
    guards_loaded: bool = False
    people: tuple[str, ...] = ()


def check_policy_text(
    text: str,
    *,
    source: str = "<string>",
    load_guards: bool = False,
    directory: str | Path | None = None,
) -> PolicyCheck:
    """Check the text of a policy file without running any code.

    Everything is checked that can be without importing anything: the TOML,
    every key and the type of every value, the policy as a whole, and that each
    custom guard the text names is registered by exactly one installed package
    (read from the packages' metadata). Calendar files its freezes name
    (``ics = ...``) are read, as data, from *directory* (by default, the
    working directory). A custom guard's parameters, code and
    kind are known only once it is built: pass *load_guards* to build them too,
    which imports and runs the code of the packages that register them.

    Args:
        text: The TOML text, e.g. from a pull request.
        source: Where the text came from, for error messages.
        load_guards: Also load and build the custom guards (runs installed code).
        directory: Where the calendar files the text names are read from.

    Raises:
        PolicyFileError: With every problem found, each naming its path.
    """
    policy, used = _read(text, source=source, load=load_guards, directory=directory)
    return PolicyCheck(
        source=source,
        name=policy.name,
        environments=policy.environment_names,
        kinds=policy.kinds,
        guards=used,
        guards_loaded=load_guards,
        people=() if policy.roster is None else policy.roster.names,
    )


def check_policy(path: str | Path, *, load_guards: bool = False) -> PolicyCheck:
    """Check a policy file without running any code (see :func:`check_policy_text`).

    Raises:
        PolicyFileError: The file cannot be read, or holds mistakes (all of them listed).
    """
    text = _policy_read.read(path)
    return check_policy_text(
        text, source=str(path), load_guards=load_guards, directory=Path(path).parent
    )


def read_policy_text(path: str | Path) -> str:
    """Return the text of a policy file, read as :func:`load_policy` reads it.

    Raises:
        PolicyFileError: It cannot be read, is too large, or is not UTF-8.
    """
    return _policy_read.read(path)


def reference_policy_file() -> str:
    """Return the text of the reference policy as a policy file: a starting point for a team."""
    return resources.files("releasekit").joinpath("reference.toml").read_text(encoding="utf-8")
