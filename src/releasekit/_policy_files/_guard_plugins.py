"""Custom guards from installed packages, found through the ``releasekit.guards`` entry points.

A policy file never names code: it names a guard a package registered, by the
name it registered it under::

    gate = [{ type = "custom", guard = "max-functions", limit = 3 }]

and the package declares, in its ``pyproject.toml``::

    [project.entry-points."releasekit.guards"]
    max-functions = "team_guards:max_functions"

Finding a registered guard reads only the installed packages' metadata: nothing
is imported. Only building a policy for use loads the entry point and calls it
with the other keys of the table.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping  # attrs reads the annotations
from importlib.metadata import EntryPoint  # attrs reads the annotations
from typing import TYPE_CHECKING

import attrs

from releasekit._policy_files._policy_values import Problem, key, shown
from releasekit._rules.guards import Guard, GuardKind
from releasekit.guards import ENTRY_POINT_GROUP

if TYPE_CHECKING:
    from releasekit._rules.guards import GuardContext
    from releasekit._rules.verdicts import Verdict

__all__ = ["CustomGuard", "GuardCatalogue", "RegisteredGuard"]


#: How much of an error raised by a package's code is repeated in a problem.
_ERROR_SHOWN = 300


def _error(error: Exception) -> str:
    """``Type: message`` of an error raised by a package's code, cut to a readable length."""
    arguments = error.args
    # attrs' validators raise TypeError(message, attribute, type, value): the message says it.
    said = arguments[0] if len(arguments) > 1 and isinstance(arguments[0], str) else str(error)
    said = said if len(said) <= _ERROR_SHOWN else f"{said[: _ERROR_SHOWN - 3]}..."
    return f"{type(error).__name__}: {said}"


@attrs.frozen(kw_only=True)
class RegisteredGuard:
    """A guard an installed package registered, as its metadata describes it.

    Attributes:
        name: The name it is registered under, which a policy file writes as
            ``guard = "<name>"``.
        value: What the entry point points at, ``module:callable``: the code
            that runs when a policy naming it is loaded.
        distribution: The installed package that registers it, if known.
        version: That package's version, if known.
    """

    name: str
    value: str
    distribution: str | None = None
    version: str | None = None

    def describe(self) -> str:
        """Say where the guard comes from: ``'max-functions' (team-guards 1.2)``."""
        origin = " ".join(part for part in (self.distribution, self.version) if part)
        return f"{self.name!r} ({origin or self.value})"


@attrs.frozen(kw_only=True)
class CustomGuard:
    """A custom guard named in a policy file, not built: what ``policy check`` sees.

    It stands in for the registered guard while a file is checked, so the rest
    of the policy can be validated without running any code. It has the code
    given by the table's ``code`` key (else the registered name) and counts as
    a time guard, so a flow may lift it; loading the policy decides for real.
    It never lets a release pass.

    Attributes:
        registered: The registered guard it names.
        parameters: The other keys of its table.
    """

    registered: RegisteredGuard
    parameters: Mapping[str, object] = attrs.field(factory=dict, eq=False)

    @property
    def code(self) -> str:
        """The ``code`` key of the table, else the registered name."""
        given = self.parameters.get("code")
        return given if isinstance(given, str) else self.registered.name

    @property
    def kind(self) -> GuardKind:
        """Unknown until the guard is built; treated as a time guard meanwhile."""
        return GuardKind.TIME

    def check(self, context: GuardContext) -> Verdict:
        """Refuse: an unbuilt guard can pass nothing."""
        from releasekit._rules.verdicts import Verdict  # noqa: PLC0415  # only if ever called

        return Verdict.blocked(
            context.blocker(
                self,
                reason="not-loaded",
                message=f"the guard {self.registered.describe()} was checked, not loaded",
                hint="load the policy with load_policy() to use it",
            )
        )

    def describe(self) -> str:
        """Name the registered guard."""
        return f"the installed guard {self.registered.describe()}"

    def environments(self) -> frozenset[str]:
        """Unknown until the guard is built."""
        return frozenset()


@attrs.define
class GuardCatalogue:
    """The guards installed packages register, read from their metadata once.

    Reading the catalogue imports nothing; :meth:`build` loads one entry point
    and calls it.
    """

    _points: dict[str, list[EntryPoint]]

    @classmethod
    def installed(cls, *, group: str = ENTRY_POINT_GROUP) -> GuardCatalogue:
        """Read the entry points of *group* from every installed package's metadata."""
        from importlib import metadata  # noqa: PLC0415  # only where a file names a custom guard

        points: dict[str, list[EntryPoint]] = {}
        for point in metadata.entry_points(group=group):
            points.setdefault(point.name, []).append(point)
        return cls(points)

    @staticmethod
    def _registered(point: EntryPoint) -> RegisteredGuard:
        dist = point.dist
        return RegisteredGuard(
            name=point.name,
            value=point.value,
            distribution=None if dist is None else dist.name,
            version=None if dist is None else dist.version,
        )

    def registered(self) -> tuple[RegisteredGuard, ...]:
        """Every registered guard, by name."""
        return tuple(
            self._registered(point) for name in sorted(self._points) for point in self._points[name]
        )

    def find(self, name: object) -> RegisteredGuard:
        """Return the one guard registered as *name*.

        Raises:
            Problem: *name* is not a string, no package registers it, or several do.
        """
        known = sorted(self._points)
        if not isinstance(name, str):
            message = (
                f"{shown(name)} is not the name of an installed guard; write its name in quotes"
            )
            raise Problem(message, suffix=".guard", example=f'"{known[0]}"' if known else None)
        points = self._points.get(name)
        if not points:
            listed = ", ".join(self._registered(self._points[key][0]).describe() for key in known)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            installed = f"the installed guards are {listed}" if known else "no guards are installed"
            message = (
                f"no installed package registers a guard {shown(name)}; {hint}{installed}; "
                f"install the package that provides it (entry-point group {ENTRY_POINT_GROUP})"
            )
            raise Problem(message, suffix=".guard")
        if len(points) > 1:
            packages = ", ".join(sorted(self._registered(point).describe() for point in points))
            message = (
                f"several installed packages register a guard {name!r}: {packages}; "
                "uninstall all but one, so the policy means one piece of code"
            )
            raise Problem(message, suffix=".guard")
        return self._registered(points[0])

    def build(self, registered: RegisteredGuard, parameters: Mapping[str, object]) -> Guard:
        """Load the entry point of *registered* and call it with *parameters*.

        Raises:
            Problem: It cannot be imported, is not callable, refuses the
                parameters, or returns something that is not a guard.
        """
        (point,) = self._points[registered.name]
        origin = registered.describe()
        try:
            factory = point.load()
        except Exception as error:  # noqa: BLE001  # whatever the package raises, it is reported
            message = (
                f"the guard {origin} could not be loaded from {registered.value} "
                f"({_error(error)}); reinstall or uninstall its package"
            )
            raise Problem(message, suffix=".guard") from None
        if not callable(factory):
            message = (
                f"the guard {origin} points at {registered.value}, which is not callable; its "
                "entry point must name a function or class that returns a guard"
            )
            raise Problem(message, suffix=".guard")
        try:
            guard = factory(**parameters)
        except Exception as error:  # noqa: BLE001  # whatever the package raises, it is reported
            given = ", ".join(key(name) for name in sorted(parameters)) or "none"
            message = f"the guard {origin} refused its parameters ({given}): {_error(error)}"
            raise Problem(message) from None
        if not isinstance(guard, Guard):
            message = (
                f"the guard {origin} returned {shown(guard)}, which is not a guard (it needs "
                "code, kind, check(), describe() and environments()); fix or uninstall its package"
            )
            raise Problem(message, suffix=".guard")
        return guard
