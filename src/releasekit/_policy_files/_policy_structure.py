"""The policy-file dialect of releasekit's converter, and the sentences its errors become.

Every value of a policy file is structured here: strict types for every field
(see :mod:`._policy_values`), windows written by name or inline, spans written
as people write them, guards by their ``type``, custom guards by their
registered name (never built here). A structuring error is turned into one
sentence per problem, each starting with the path of the value at fault.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from typing import TYPE_CHECKING, Any, NewType

import attrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, override

from releasekit._policy_files import _policy_values as values
from releasekit._policy_files._policy_values import Problem, kind_of, shown
from releasekit._rules import guards as _guards
from releasekit._rules._zones import _check_timezone
from releasekit._rules.environments import ScheduledTestRun
from releasekit._rules.windows import Span, Window
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import cattrs

__all__ = ["BROKEN_WINDOW", "GUARD_TYPES", "Named", "converter", "messages", "say"]

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
_KNOWN_TYPES = ", ".join(sorted({*GUARD_TYPES, "custom"}))

#: Stands in for a window whose own problems are reported where it is defined.
BROKEN_WINDOW = object()


@attrs.frozen(kw_only=True)
class Named:
    """A ``type = "custom"`` guard as written: the registered name and the other keys."""

    name: object
    parameters: dict[str, object]


# -- structuring hooks -------------------------------------------------------------


def _parts(value: dict[str, Any], readers: Mapping[str, Any], cls: type) -> dict[str, Any]:
    """Read each key of *value* with its reader; report every failure at once, by key."""
    read: dict[str, Any] = {}
    errors: list[Exception] = []
    for key, reader in readers.items():
        if key not in value:
            continue
        try:
            read[key] = reader(value[key])
        except Exception as error:  # noqa: BLE001  # every key's problem is reported
            error.add_note(AttributeValidationNote(f"@ {key}", key, object))
            errors.append(error)
    if errors:
        raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)
    return read


def _clock(value: object) -> object:
    if isinstance(value, str | dt.time):
        return value  # Span.of reads the text and says what is wrong with it
    message = (
        f"{shown(value)} is {kind_of(value)}, not a time of day; write 24-hour HH:MM in quotes"
    )
    raise Problem(message, example='"09:00"')


def _day(value: object, _type: object) -> str:
    if isinstance(value, str):
        return value  # Span.of reads the name and says what is wrong with it
    message = f"{shown(value)} is {kind_of(value)}, not a day; write a day name in quotes"
    raise Problem(message, example='"Sat"')


def _days(value: object) -> object:
    if isinstance(value, list):
        return values.listed(tuple[str, ...], _day)(value, tuple[str, ...])
    message = f"{shown(value)} is {kind_of(value)}, not a list; write a list of day names"
    raise Problem(message, example='["Sat", "Sun"]')


def _structure_span(value: object, _type: object) -> Span:
    if not isinstance(value, dict):
        message = f"{shown(value)} is {kind_of(value)}, not a span; a span is a table"
        raise Problem(message, example='{ days = ["Sat", "Sun"], start = "09:00", end = "12:00" }')
    extra = set(value) - {"days", "start", "end"}
    if extra:
        raise ForbiddenExtraKeysError("", Span, extra)
    missing = [key for key in ("days", "start", "end") if key not in value]
    if missing:
        raise Problem(f"{missing[0]} is missing", suffix=f".{missing[0]}")
    read = _parts(value, {"days": _days, "start": _clock, "end": _clock}, Span)
    return Span.of(days=read["days"], start=read["start"], end=read["end"])


def _structure_window(value: object, _type: object) -> Window:
    if isinstance(value, Window):  # a named window, structured already
        return value
    if value is BROKEN_WINDOW:
        raise Problem("")  # reported where the window is defined
    if not isinstance(value, dict):
        message = (
            f"{shown(value)} is {kind_of(value)}, not a window; write the name of a [windows] "
            "entry in quotes, or a table with a timezone and spans"
        )
        raise Problem(message, example='"production"')
    if "spans" not in value and {"days", "start", "end"} & set(value):
        shorthand = {key: value[key] for key in ("days", "start", "end") if key in value}
        try:
            span = _structure_span(shorthand, Span)
        except InvalidInputError as error:
            raise Problem(str(error), suffix=f".{error.field}") from None
        value = {key: item for key, item in value.items() if key not in shorthand}
        return converter().structure({**value, "spans": []}, _WindowFields).build((span,))
    return converter().structure(value, _WindowFields).build()


_Zone = NewType("_Zone", str)


def _structure_zone(value: object, _type: object) -> str:
    if not isinstance(value, str):
        message = (
            f"{shown(value)} is {kind_of(value)}, not an IANA time zone name; write it in quotes"
        )
        raise Problem(message, example='"UTC"')
    zone = value
    _check_timezone(None, None, zone)  # type: ignore[arg-type]  # only the value is read
    return zone


@attrs.frozen(kw_only=True)
class _WindowFields:
    timezone: _Zone
    spans: tuple[Span, ...]
    name: str = "window"

    def build(self, spans: tuple[Span, ...] = ()) -> Window:
        return Window(name=self.name, timezone=self.timezone, spans=spans or self.spans)


def _structure_guard(value: object, _type: object) -> object:
    if not isinstance(value, dict):
        message = f"{shown(value)} is {kind_of(value)}, not a guard; a guard is a table with a type"
        raise Problem(message, example='{ type = "tests-passed", environment = "tests" }')
    if "type" not in value:
        raise Problem(f"a guard needs a type, one of {_KNOWN_TYPES}", suffix=".type")
    kind = value["type"]
    fields = {key: item for key, item in value.items() if key != "type"}
    if kind == "custom":
        return _structure_custom(fields)
    cls = GUARD_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        quoted = "" if isinstance(kind, str) else " in quotes"
        close = difflib.get_close_matches(kind, GUARD_TYPES, n=1) if isinstance(kind, str) else []
        hint = f"did you mean {close[0]!r}? " if close else ""
        message = f"unknown guard type {shown(kind)}; {hint}write one of {_KNOWN_TYPES}{quoted}"
        raise Problem(message, suffix=".type")
    return converter().structure(fields, cls)


def _structure_custom(fields: dict[str, object]) -> Named:
    if "factory" in fields:
        message = (
            f"factory = {shown(fields['factory'])} is not read: a policy file never imports code; "
            "register the guard in its package's pyproject.toml under "
            '[project.entry-points."releasekit.guards"] and write guard = "<its registered name>" '
            "instead of factory"
        )
        raise Problem(message, suffix=".factory")
    if "guard" not in fields:
        message = "a custom guard names an installed guard by its registered name"
        raise Problem(message, suffix=".guard", example='"<name>"')
    parameters = {key: item for key, item in fields.items() if key != "guard"}
    return Named(name=fields["guard"], parameters=parameters)


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    choices = ", ".join(repr(member.value) for member in cls)
    if not isinstance(value, str):
        raise Problem(f"{shown(value)} is {kind_of(value)}; write one of {choices} in quotes")
    try:
        return cls(value)
    except ValueError:
        raise Problem(f"{value!r} is not allowed here; use one of {choices}") from None


#: Keys read with a hook of their own, by class.
_OVERRIDES: Mapping[type, Mapping[str, Any]] = {
    ScheduledTestRun: {"timezone": override(struct_hook=_structure_zone)},
}


_CACHE: list[cattrs.Converter] = []


def converter() -> cattrs.Converter:
    """The policy-file dialect of releasekit's converter: strict types, friendly spellings."""
    if not _CACHE:
        from releasekit._records.converter import converter as base  # noqa: PLC0415  # on first use

        made = base.copy(forbid_extra_keys=True, use_alias=True, detailed_validation=True)
        made.register_structure_hook(str, values.text)
        made.register_structure_hook(bool, values.flag)
        made.register_structure_hook(int, values.count)
        made.register_structure_hook(dt.timedelta, values.duration)
        made.register_structure_hook(dt.time, values.time_of_day)
        made.register_structure_hook_factory(
            values.is_listed, lambda kind: values.listed(kind, made.structure)
        )
        made.register_structure_hook_factory(
            attrs.has,
            lambda cls: values.table(
                cls, make_dict_structure_fn(cls, made, **_OVERRIDES.get(cls, {}))
            ),
        )
        made.register_structure_hook(Span, _structure_span)
        made.register_structure_hook(Window, _structure_window)
        made.register_structure_hook(_guards.Guard, _structure_guard)
        # Every enum, by its base class: a StrEnum is a str too, and must not be read as one.
        for choice in (enum.Enum, enum.StrEnum, enum.IntEnum):
            made.register_structure_hook(choice, _structure_enum)
        made.register_structure_hook(_Zone, _structure_zone)
        _CACHE.append(made)
    return _CACHE[0]


# -- reporting ---------------------------------------------------------------------


def _step(note: object, cls: object) -> str:
    name = getattr(note, "name", None)
    if name is not None:
        aliases = {field.name: field.alias for field in attrs.fields(cls)} if attrs.has(cls) else {}  # type: ignore[arg-type]  # attrs.has() says it is a class
        return f".{aliases.get(name, name)}"
    index = getattr(note, "index", None)
    return f"[{index}]" if isinstance(index, int) else f"[{index!r}]"


def messages(error: BaseException, path: str) -> Iterator[str]:
    """Yield ``path: message`` for every leaf problem inside *error*."""
    if isinstance(error, ClassValidationError | IterableValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            yield from messages(inner, f"{path}{_step(note, error.cl)}")
        for inner in without:
            yield from messages(inner, path)
    elif isinstance(error, ForbiddenExtraKeysError):
        known = [field.alias for field in attrs.fields(error.cl)] if attrs.has(error.cl) else []
        for extra in sorted(error.extra_fields):
            close = difflib.get_close_matches(extra, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use {', '.join(known)}"
            yield f"{path}.{values.key(extra)}: unknown key; {hint}"
    else:
        yield from _leaf(error, path)


def say(problem: Problem, path: str) -> str | None:
    """Return the sentence reporting *problem* at *path* (``None``: it is reported elsewhere)."""
    if not problem.message:
        return None
    where = f"{path}{problem.suffix}".removeprefix(".")
    example = ""
    if problem.example is not None:
        key = where.rpartition(".")[2]
        example = f", e.g. {problem.example}" if key.endswith("]") or not key else ""
        example = example or f", e.g. {key} = {problem.example}"
    return f"{where}: {problem.message}{example}"


def _leaf(error: BaseException, path: str) -> Iterator[str]:
    if isinstance(error, Problem):
        sentence = say(error, path)
        if sentence is not None:
            yield sentence
    elif isinstance(error, InvalidInputError):
        field = "" if path.endswith(f".{error.field}") else f".{error.field}"
        yield f"{path}{field}: {error}"
    elif isinstance(error, KeyError):
        yield f"{path}.{error.args[0]}: this key is required"
    else:
        yield f"{path}: {error}"
