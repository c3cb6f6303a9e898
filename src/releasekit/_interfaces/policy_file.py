"""Policy files: a team's whole process written down in TOML.

A policy file lists the environments in promotion order, each with the facts
about it and the ``gate`` of guards for entering it, named time windows, and
one flow per kind of release. It is read with :mod:`tomllib` and structured by
releasekit's converter; every mistake is reported at once, each with the path
of the value at fault and what to do about it::

    environments[4].gate[3].window.spans[0].start: start '25:00' is not a time
    of day; use 24-hour HH:MM such as '09:00'
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NewType

import attrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from releasekit._rules import guards as _guards
from releasekit._rules.environments import Environment, Feed
from releasekit._rules.evidence import LogVerdict
from releasekit._rules.guards import GuardKind
from releasekit._rules.policy import Flow, Gate, Policy
from releasekit._rules.release import Kind
from releasekit._rules.windows import Span, Window, _check_timezone
from releasekit.exceptions import InvalidInputError, PolicyError, PolicyFileError

if TYPE_CHECKING:
    import enum
    from collections.abc import Callable, Iterator, Mapping

    import cattrs

__all__ = ["load_policy", "loads_policy", "reference_policy_file"]

_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")
_TOP_LEVEL = frozenset({"name", "description", "environments", "flows", "windows"})

#: Guard types a file may name, and the class each one builds.
GUARD_TYPES: Mapping[str, type[Any]] = {
    "new-tests-written": _guards.NewTestsWritten,
    "tests-passed": _guards.TestsPassed,
    "no-forbidden-functions": _guards.NoForbiddenFunctions,
    "signed-off": _guards.SignedOff,
    "logs-reviewed": _guards.LogsReviewed,
    "migrations-succeeded": _guards.MigrationsSucceeded,
    "changes-reviewed": _guards.ChangesReviewed,
    "window": _guards.InsideWindow,
    "attestation": _guards.AttestationPresent,
}


class _Problem(Exception):  # noqa: N818  # internal carrier, never escapes this module
    """A problem found while structuring, with the path below the current value."""

    def __init__(self, message: str, suffix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suffix = suffix


def parse_duration(value: object) -> dt.timedelta:
    """Read a duration: ``"4h"``, ``"1h30m"``, ``"90s"``, ``"2d"``, or a number of seconds."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return dt.timedelta(seconds=value)
    if isinstance(value, str) and value.strip() and (match := _DURATION.match(value)):
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    msg = f"{value!r} is not a duration; write it like '30m', '4h', '1h30m', '2d' or in seconds"
    raise _Problem(msg)


def _parse_time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    msg = f"{value!r} is not a time of day; use 24-hour HH:MM such as '00:00'"
    raise _Problem(msg)


def _structure_span(value: object, _type: object) -> Span:
    if not isinstance(value, dict):
        msg = "a span is a table: { days = ['Sat', 'Sun'], start = '09:00', end = '12:00' }"
        raise _Problem(msg)
    extra = sorted(set(value) - {"days", "start", "end"})
    if extra:
        msg = f"unknown keys {', '.join(extra)}; a span has days, start and end"
        raise _Problem(msg)
    missing = [key for key in ("days", "start", "end") if key not in value]
    if missing:
        raise _Problem(f"{missing[0]} is missing", f".{missing[0]}")
    return Span.of(days=value["days"], start=value["start"], end=value["end"])


def _structure_window(value: object, _type: object) -> Window:
    if isinstance(value, Window):  # a named window, structured already
        return value
    if not isinstance(value, dict):
        msg = "a window is a table with a timezone and spans, or the name of a [windows] entry"
        raise _Problem(msg)
    if "spans" not in value and {"days", "start", "end"} & set(value):
        shorthand = {key: value[key] for key in ("days", "start", "end") if key in value}
        try:
            span = _structure_span(shorthand, Span)
        except InvalidInputError as error:
            raise _Problem(str(error), f".{error.field}") from None
        value = {key: item for key, item in value.items() if key not in shorthand}
        return _converter().structure({**value, "spans": ()}, _WindowFields).build((span,))
    return _converter().structure(value, _WindowFields).build()


_Zone = NewType("_Zone", str)


def _structure_zone(value: object, _type: object) -> str:
    _check_timezone(None, None, value)  # type: ignore[arg-type]  # only the value is read
    return str(value)


@attrs.frozen(kw_only=True)
class _WindowFields:
    timezone: _Zone
    spans: tuple[Span, ...]
    name: str = "window"

    def build(self, spans: tuple[Span, ...] = ()) -> Window:
        return Window(name=self.name, timezone=self.timezone, spans=spans or self.spans)


def _structure_guard(value: object, _type: object) -> _guards.Guard:
    if not isinstance(value, dict) or "type" not in value:
        known = ", ".join(sorted({*GUARD_TYPES, "custom"}))
        msg = f"a guard is a table with a type, one of {known}"
        raise _Problem(msg)
    fields = {key: item for key, item in value.items() if key != "type"}
    kind = value["type"]
    if kind == "_skip":
        raise _Problem("")
    if kind == "custom":
        return _custom_guard(fields)
    cls = GUARD_TYPES.get(kind)
    if cls is None:
        known = ", ".join(sorted({*GUARD_TYPES, "custom"}))
        raise _Problem(f"unknown guard type {kind!r}; use one of {known}", ".type")
    guard: _guards.Guard = _converter().structure(fields, cls)
    return guard


def _custom_guard(fields: dict[str, Any]) -> _guards.Guard:
    reference = fields.pop("factory", None)
    if not isinstance(reference, str) or ":" not in reference:
        msg = "a custom guard needs factory = 'package.module:callable' returning a guard"
        raise _Problem(msg, ".factory")
    module_name, _, attribute = reference.partition(":")
    try:
        factory: Callable[..., object] = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        msg = f"cannot import {reference!r} ({error}); check the module is installed"
        raise _Problem(msg, ".factory") from None
    guard = factory(**fields)
    if not isinstance(guard, _guards.Guard):
        msg = f"{reference} returned {guard!r}, which is not a guard"
        raise _Problem(msg, ".factory")
    return guard


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in cls)
        raise _Problem(f"{value!r} is not allowed here; use one of {choices}") from None


_CACHE: list[cattrs.Converter] = []


def _converter() -> cattrs.Converter:
    """The policy-file dialect of releasekit's converter (human-friendly durations and times)."""
    if not _CACHE:
        from releasekit._records.converter import converter as base  # noqa: PLC0415  # on first use

        made = base.copy(forbid_extra_keys=True, use_alias=True, detailed_validation=True)
        made.register_structure_hook(dt.timedelta, lambda value, _: parse_duration(value))
        made.register_structure_hook(dt.time, lambda value, _: _parse_time(value))
        made.register_structure_hook(Span, _structure_span)
        made.register_structure_hook(Window, _structure_window)
        made.register_structure_hook(_guards.Guard, _structure_guard)
        for choice in (Feed, Kind, LogVerdict, GuardKind):
            made.register_structure_hook(choice, _structure_enum)
        made.register_structure_hook(_Zone, _structure_zone)
        _CACHE.append(made)
    return _CACHE[0]


def _step(note: object) -> str:
    name = getattr(note, "name", None)
    if name is not None:
        return f".{name}"
    index = getattr(note, "index", None)
    return f"[{index}]" if isinstance(index, int) else f"[{index!r}]"


def _messages(error: BaseException, path: str) -> Iterator[str]:
    """Yield ``path: message`` for every leaf problem inside *error*."""
    if isinstance(error, ClassValidationError | IterableValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            yield from _messages(inner, f"{path}{_step(note)}")
        for inner in without:
            yield from _messages(inner, path)
    elif isinstance(error, ForbiddenExtraKeysError):
        known = [field.alias for field in attrs.fields(error.cl)] if attrs.has(error.cl) else []
        for extra in sorted(error.extra_fields):
            close = difflib.get_close_matches(extra, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use {', '.join(known)}"
            yield f"{path}.{extra}: unknown key; {hint}"
    else:
        yield from _leaf(error, path)


def _leaf(error: BaseException, path: str) -> Iterator[str]:
    if isinstance(error, _Problem):
        if error.message:
            yield f"{path}{error.suffix}: {error.message}"
    elif isinstance(error, InvalidInputError):
        field = "" if path.endswith(f".{error.field}") else f".{error.field}"
        yield f"{path}{field}: {error}"
    elif isinstance(error, KeyError):
        yield f"{path}.{error.args[0]}: this key is required"
    else:
        yield f"{path}: {error}"


def _structure(data: object, cls: type[Any], path: str, problems: list[str]) -> Any:  # noqa: ANN401  # the type follows cls
    try:
        return _converter().structure(data, cls)
    except Exception as error:  # noqa: BLE001  # every problem is collected and reported together
        problems.extend(message.removeprefix(".") for message in _messages(error, path))
        return None


def _resolve_windows(
    data: dict[str, Any], windows: Mapping[str, Window | None], problems: list[str]
) -> None:
    for index, environment in enumerate(data.get("environments") or []):
        if not isinstance(environment, dict):
            continue
        for position, guard in enumerate(environment.get("gate") or []):
            if not isinstance(guard, dict) or not isinstance(guard.get("window"), str):
                continue
            name = guard["window"]
            if name in windows and windows[name] is None:
                guard.pop("window")  # its own problems are reported under [windows]
                guard["type"] = "_skip"
                continue
            if name not in windows:
                guard["type"] = "_skip"
                known = ", ".join(sorted(windows)) or "none"
                problems.append(
                    f"environments[{index}].gate[{position}].window: there is no window "
                    f"{name!r}; define [windows.{name}] (defined: {known})"
                )
                continue
            guard["window"] = windows[name]
            if guard.get("type") == "window":
                guard.setdefault("code", f"{name}-window")


def _read_windows(data: dict[str, Any], problems: list[str]) -> None:
    tables = data.get("windows") or {}
    if not isinstance(tables, dict):
        problems.append("windows: must be a table of named windows, e.g. [windows.production]")
        tables = {}
    windows: dict[str, Window | None] = {}
    for name, table in tables.items():
        if isinstance(table, dict):
            table.setdefault("name", name)
        windows[name] = _structure(table, Window, f"windows.{name}", problems)
    _resolve_windows(data, windows, problems)


def _read_environments(
    data: dict[str, Any], problems: list[str]
) -> tuple[list[Environment], list[Gate]]:
    environments: list[Environment] = []
    gates: list[Gate] = []
    raw_environments = data.get("environments")
    if not isinstance(raw_environments, list) or not raw_environments:
        problems.append("environments: list the environments in promotion order ([[environments]])")
        return environments, gates
    for index, raw in enumerate(raw_environments):
        path = f"environments[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{path}: an environment is a table with at least a name")
            continue
        fields = {key: item for key, item in raw.items() if key != "gate"}
        environment = _structure(fields, Environment, path, problems)
        guards = _structure(
            raw.get("gate", []), tuple[_guards.Guard, ...], f"{path}.gate", problems
        )
        if environment is not None:
            environments.append(environment)
            if guards:
                gates.append(Gate(environment=environment.name, guards=guards))
    return environments, gates


def _read_flows(data: dict[str, Any], problems: list[str]) -> tuple[Flow, ...]:
    raw_flows = data.get("flows")
    if not isinstance(raw_flows, list) or not raw_flows:
        problems.append("flows: define at least the normal flow ([[flows]] kind = 'normal')")
        return ()
    flows: tuple[Flow, ...] = _structure(raw_flows, tuple[Flow, ...], "flows", problems) or ()
    return flows


def loads_policy(text: str, *, source: str = "<string>") -> Policy:
    """Build a policy from the text of a policy file.

    Args:
        text: The TOML text.
        source: Where the text came from, for error messages.

    Raises:
        PolicyFileError: With every problem found, each naming its path.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyFileError(source=source, problems=[f"not valid TOML: {error}"]) from None
    problems: list[str] = [
        f"{key}: unknown top-level key; use name, description, windows, environments, flows"
        for key in sorted(set(data) - _TOP_LEVEL)
    ]
    _read_windows(data, problems)
    environments, gates = _read_environments(data, problems)
    flows = _read_flows(data, problems)
    if problems:
        raise PolicyFileError(source=source, problems=problems)
    try:
        return Policy(
            name=str(data.get("name", "policy")),
            description=str(data.get("description", "")),
            environments=environments,
            gates=gates,
            flows=flows,
        )
    except PolicyError as error:
        raise PolicyFileError(source=source, problems=error.problems) from None


def load_policy(path: str | Path) -> Policy:
    """Build a policy from a policy file (``releasekit.toml``).

    Raises:
        PolicyFileError: The file cannot be read, or holds mistakes (all of them listed).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyFileError(
            source=str(file), problems=[f"cannot read the file ({error.strerror})"]
        ) from None
    return loads_policy(text, source=str(file))


def reference_policy_file() -> str:
    """Return the text of the reference policy as a policy file: a starting point for a team."""
    return resources.files("releasekit").joinpath("reference.toml").read_text(encoding="utf-8")
