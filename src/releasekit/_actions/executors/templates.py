"""Argument-list templates: how a request becomes the arguments of a command.

A template is a tuple of strings, one per argument. Placeholders in
``str.format`` style name attributes of the request:

- **text** fields (``{version}``, ``{environment}``, …) may stand alone or
  inside a larger argument (``--since={since}``); each yields exactly one
  argument, whatever characters the value holds — no shell ever sees it;
- **optional** fields (``{release_id}`` of a test run, ``{rollback_of}``, …)
  drop the whole argument they appear in when the request has no value;
- **list** fields (``{arguments}``, ``{migrations}``, ``{functions}``) must
  stand alone and expand to as many arguments as the value holds, maybe none;
- **switch** fields (``{notify}``) must stand alone and become ``--notify``
  when true, nothing when false.

Templates are checked when an executor is built: an unknown placeholder, a
shell string instead of a tuple, or a list field inside a larger argument is
refused then, never in the middle of a release.

Example:
    >>> from releasekit._actions.executors.requests import AdjustmentRequest
    >>> template = check(Capability.ADJUST_DATA, ("data", "adjust", "{operation}", "{arguments}"))
    >>> request = AdjustmentRequest(
    ...     environment="production", operation="fix-prices", arguments=("AAPL", "1; rm -rf /"),
    ...     operator="olga")
    >>> render(template, values(request))
    ('data', 'adjust', 'fix-prices', 'AAPL', '1; rm -rf /')
"""

from __future__ import annotations

import enum
import string
import types
from typing import TYPE_CHECKING

from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.requests import (
    AdjustmentRequest,
    DeployRequest,
    LogRequest,
    MigrationRequest,
    Notice,
    Request,
    RestoreRequest,
    TestRequest,
)
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["FIELDS", "FieldKind", "Template", "Value", "check", "render", "values"]

#: A checked template: one string per argument.
Template = tuple[str, ...]
#: What a placeholder stands for.
Value = str | None | tuple[str, ...] | bool

_FORMATTER = string.Formatter()


class FieldKind(enum.Enum):
    """How a placeholder expands."""

    TEXT = "text"
    OPTIONAL = "optional"
    LIST = "list"
    SWITCH = "switch"


_T, _O, _L, _S = FieldKind.TEXT, FieldKind.OPTIONAL, FieldKind.LIST, FieldKind.SWITCH

#: The placeholders each capability's template may use, and how they expand.
FIELDS: Mapping[Capability, Mapping[str, FieldKind]] = types.MappingProxyType(
    {
        Capability.DEPLOY: types.MappingProxyType(
            {
                "release_id": _T,
                "version": _T,
                "environment": _T,
                "rollback_of": _O,
                "functions": _L,
                "migrations": _L,
            }
        ),
        Capability.RUN_TESTS: types.MappingProxyType(
            {"environment": _T, "version": _T, "release_id": _O, "notify": _S}
        ),
        Capability.COLLECT_LOGS: types.MappingProxyType({"environment": _T, "since": _T}),
        Capability.MIGRATE: types.MappingProxyType(
            {"environment": _T, "version": _T, "release_id": _O, "migrations": _L}
        ),
        Capability.NOTIFY: types.MappingProxyType(
            {"message": _T, "environment": _O, "release_id": _O}
        ),
        Capability.ADJUST_DATA: types.MappingProxyType(
            {"environment": _T, "operation": _T, "arguments": _L, "operator": _T}
        ),
        Capability.RESTORE_DATA: types.MappingProxyType({"source": _T, "target": _T}),
    }
)


def _refuse(capability: Capability, template: object, problem: str) -> InvalidInputError:
    return InvalidInputError(
        f"the {capability} template {template!r} {problem}",
        field=f"templates[{capability.value!r}]",
        value=template,
    )


def check(capability: Capability, template: Iterable[str]) -> Template:
    """Return *template* as a tuple once every argument and placeholder is known good.

    Raises:
        InvalidInputError: The template is a string rather than a tuple, holds
            something other than strings, has unbalanced braces, or uses a
            placeholder the capability does not have or in a way it cannot be used.
    """
    if isinstance(template, str | bytes):
        raise _refuse(
            capability,
            template,
            "is a single string; give one string per argument, e.g. "
            "('deploy', '{environment}', '{version}') — templates never go through a shell",
        )
    items = tuple(template)
    known = FIELDS[capability]
    listed = ", ".join(f"{{{name}}}" for name in known)
    for item in items:
        if not isinstance(item, str):
            raise _refuse(capability, items, f"holds {item!r}; every argument must be a string")
        try:
            parsed = list(_FORMATTER.parse(item))
        except ValueError as error:
            raise _refuse(
                capability, items, f"cannot be read at {item!r} ({error}); write {{{{ for {{"
            ) from None
        for _literal, name, spec, conversion in parsed:
            if name is None:
                continue
            if name not in known:
                raise _refuse(
                    capability,
                    items,
                    f"uses the unknown placeholder {{{name}}} in {item!r}; "
                    f"{capability} knows {listed}",
                )
            if spec or conversion:
                raise _refuse(
                    capability,
                    items,
                    f"formats {{{name}}} in {item!r}; placeholders take no conversion or "
                    f"format spec, write {{{name}}}",
                )
            if known[name] in {_L, _S} and item != f"{{{name}}}":
                raise _refuse(
                    capability,
                    items,
                    f"puts {{{name}}} inside {item!r}; it expands to several arguments "
                    f"(or none), so it must be an argument of its own: '{{{name}}}'",
                )
    return items


def values(request: Request) -> dict[str, Value]:  # noqa: PLR0911  # one return per request type
    """Return what each placeholder of *request*'s capability stands for."""
    match request:
        case DeployRequest():
            return {
                "release_id": request.release_id,
                "version": request.version,
                "environment": request.environment,
                "rollback_of": request.rollback_of,
                "functions": request.artifact.functions,
                "migrations": request.artifact.migrations,
            }
        case TestRequest():
            return {
                "environment": request.environment,
                "version": request.version,
                "release_id": request.release_id,
                "notify": request.notify,
            }
        case LogRequest():
            return {"environment": request.environment, "since": request.since.isoformat()}
        case MigrationRequest():
            return {
                "environment": request.environment,
                "version": request.version,
                "release_id": request.release_id,
                "migrations": request.migrations,
            }
        case Notice():
            return {
                "message": request.message,
                "environment": request.environment,
                "release_id": request.release_id,
            }
        case AdjustmentRequest():
            return {
                "environment": request.environment,
                "operation": request.operation,
                "arguments": request.arguments,
                "operator": request.operator,
            }
        case RestoreRequest():
            return {"source": request.source, "target": request.target}


def render(template: Template, fields: Mapping[str, Value]) -> tuple[str, ...]:
    """Return the arguments *template* yields for *fields*.

    *template* must have passed :func:`check` for the capability *fields*
    belong to.
    """
    arguments: list[str] = []
    for item in template:
        parsed = list(_FORMATTER.parse(item))
        names = [name for _literal, name, _spec, _conversion in parsed if name is not None]
        if len(names) == 1 and item == f"{{{names[0]}}}":
            value = fields[names[0]]
            if isinstance(value, bool):
                arguments.extend((f"--{names[0].replace('_', '-')}",) if value else ())
                continue
            if isinstance(value, tuple):
                arguments.extend(value)
                continue
        if any(fields[name] is None for name in names):
            continue
        arguments.append(
            "".join(
                literal + ("" if name is None else str(fields[name]))
                for literal, name, _spec, _conversion in parsed
            )
        )
    return tuple(arguments)
