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

A template may hold one literal ``"--"`` (:data:`END_OF_OPTIONS`): the usual
mark after which a program reads no more options. It is passed on as it is.
A value put in by a placeholder before it never starts with ``-``: filling
the template refuses such a value (an argument that starts with a
placeholder, or an item of a list field) with an
:class:`~releasekit.exceptions.InvalidInputError` before anything runs — the
program would read it as an option. After the ``--``, values starting with
``-`` are plain arguments and pass. Values releasekit takes in (versions,
release ids, operations, their arguments) are refused where they enter
already; this is the second line of defence, for values made elsewhere.

Templates are checked when an executor is built: an unknown placeholder, a
shell string instead of a tuple, a list field inside a larger argument, a
second ``"--"`` or a switch after it is refused then, never in the middle of
a release.

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

__all__ = [
    "END_OF_OPTIONS",
    "FIELDS",
    "FieldKind",
    "Template",
    "Value",
    "check",
    "render",
    "values",
]

#: A checked template: one string per argument.
Template = tuple[str, ...]
#: What a placeholder stands for.
Value = str | None | tuple[str, ...] | bool

_FORMATTER = string.Formatter()

#: The template item after which the program reads no more options.
END_OF_OPTIONS = "--"


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
            something other than strings, has unbalanced braces, uses a
            placeholder the capability does not have or in a way it cannot be
            used, or marks the end of options (``"--"``) twice or before a switch.
    """
    if isinstance(template, str | bytes):
        raise _refuse(
            capability,
            template,
            "is a single string; give one string per argument, e.g. "
            "('deploy', '{environment}', '{version}') — templates never go through a shell",
        )
    items = tuple(template)
    if items.count(END_OF_OPTIONS) > 1:
        raise _refuse(
            capability,
            items,
            f"holds {END_OF_OPTIONS!r} more than once; keep the one that ends the options",
        )
    ended = False
    for item in items:
        if not isinstance(item, str):
            raise _refuse(capability, items, f"holds {item!r}; every argument must be a string")
        if item == END_OF_OPTIONS:
            ended = True
            continue
        problem = _item_problem(capability, item, ended=ended)
        if problem is not None:
            raise _refuse(capability, items, problem)
    return items


def _item_problem(capability: Capability, item: str, *, ended: bool) -> str | None:
    """Say what is wrong with one argument of a template (after its ``--`` if *ended*)."""
    known = FIELDS[capability]
    try:
        parsed = list(_FORMATTER.parse(item))
    except ValueError as error:
        return f"cannot be read at {item!r} ({error}); write {{{{ for {{"
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in known:
            listed = ", ".join(f"{{{known_name}}}" for known_name in known)
            return (
                f"uses the unknown placeholder {{{name}}} in {item!r}; {capability} knows {listed}"
            )
        if spec or conversion:
            return (
                f"formats {{{name}}} in {item!r}; placeholders take no conversion or "
                f"format spec, write {{{name}}}"
            )
        if known[name] in {_L, _S} and item != f"{{{name}}}":
            return (
                f"puts {{{name}}} inside {item!r}; it expands to several arguments "
                f"(or none), so it must be an argument of its own: '{{{name}}}'"
            )
        if known[name] is _S and ended:
            return (
                f"puts the switch {{{name}}} after {END_OF_OPTIONS!r}, where the program "
                f"reads no options; put it before {END_OF_OPTIONS!r}"
            )
    return None


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


def _option_like(name: str, value: str, template: Template) -> InvalidInputError:
    return InvalidInputError(
        f"{{{name}}} would put {value!r} where the program reads options, and a value "
        f"starting with '-' would be read as one: nothing was run; give a value that does not "
        f"start with '-', or put {END_OF_OPTIONS!r} before {{{name}}} in the template "
        f"{template!r} if the program takes it as a plain argument there",
        field=name,
        value=value,
    )


def render(template: Template, fields: Mapping[str, Value]) -> tuple[str, ...]:
    """Return the arguments *template* yields for *fields*.

    *template* must have passed :func:`check` for the capability *fields*
    belong to.

    Raises:
        InvalidInputError: Before :data:`END_OF_OPTIONS` (or without one), a
            placeholder's value would begin an argument with ``-``.
    """
    arguments: list[str] = []
    ended = False
    for item in template:
        if item == END_OF_OPTIONS and not ended:
            arguments.append(item)
            ended = True
            continue
        expanded = _expand(item, fields)
        if not ended:
            for name, argument in expanded:
                if name is not None and argument.startswith("-"):
                    raise _option_like(name, argument, template)
        arguments.extend(argument for _name, argument in expanded)
    return tuple(arguments)


def _expand(item: str, fields: Mapping[str, Value]) -> list[tuple[str | None, str]]:
    """Return the arguments one template item yields, each with the placeholder it begins with.

    An argument that begins with literal text (``--since={since}``) or is all
    literal, or a switch the template asks for, comes with ``None``: the
    template wrote its start, not a value.
    """
    parsed = list(_FORMATTER.parse(item))
    names = [name for _literal, name, _spec, _conversion in parsed if name is not None]
    if len(names) == 1 and item == f"{{{names[0]}}}":
        value = fields[names[0]]
        if isinstance(value, bool):
            return [(None, f"--{names[0].replace('_', '-')}")] if value else []
        if isinstance(value, tuple):
            return [(names[0], part) for part in value]
    if any(fields[name] is None for name in names):
        return []
    argument = "".join(
        literal + ("" if name is None else str(fields[name]))
        for literal, name, _spec, _conversion in parsed
    )
    leading = parsed[0][1] if parsed and not parsed[0][0] else None
    return [(leading, argument)]
