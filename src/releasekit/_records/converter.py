"""releasekit's one private cattrs converter.

Every record type is (de)structured here and nowhere else; the global cattrs
converter is never touched. Instants are kept as aware UTC values and written
as ISO 8601 strings; enums are written as their values; evidence is a tagged
union (``{"type": "TestRun", ...}``); frozensets are written as sorted lists,
so the same value always gives the same JSON.

Bad data is refused with a :class:`~releasekit.exceptions.RecordError` that
lists every problem with its path, e.g. ``$.evidence[2].at`` (built with
:func:`cattrs.transform_error`).

Other parts of releasekit (policy files, executors) add their own hooks with
:func:`extend`, once, at import time.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring_ascii
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, overload

import attrs
import cattrs
import pendulum
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
)
from cattrs.preconf.json import make_converter
from cattrs.v import format_exception

from releasekit._rules._time import instant
from releasekit._rules.evidence import EVIDENCE_TYPES, Evidence
from releasekit.exceptions import InvalidInputError, RecordError, ReleaseKitError

__all__ = [
    "EVIDENCE_TAG",
    "TextCache",
    "at_utc",
    "compact",
    "converter",
    "dumps",
    "extend",
    "iso",
    "loads",
    "parse_instant",
    "problems_of",
    "structure",
    "unstructure",
    "utc",
]

_T = TypeVar("_T")

#: The key that names the kind of a piece of evidence in its JSON form.
EVIDENCE_TAG = "type"

_UTC = pendulum.UTC


class _Explained(ValueError):  # noqa: N818  # internal: a problem whose text is the explanation
    """A structuring problem whose message is already a full explanation."""


# ---------------------------------------------------------------------------
# Instants
# ---------------------------------------------------------------------------


def utc(value: dt.datetime, *, field: str = "time") -> pendulum.DateTime:
    """Return *value* as an aware pendulum instant in UTC (no work if it is one already).

    Raises:
        NaiveDatetimeError: *value* carries no time zone.
        InvalidInputError: *value* is not a datetime.
    """
    if value.__class__ is pendulum.DateTime and value.tzinfo is _UTC:
        return value
    return instant(value, field=field)


def at_utc(value: dt.datetime) -> pendulum.DateTime:
    """Convert an ``at`` field (see :func:`utc`)."""
    return utc(value, field="at")


def iso(value: dt.datetime) -> str:
    """Return *value* as an ISO 8601 string in UTC, e.g. ``2026-11-28T09:00:00+00:00``.

    This is the one textual form of an instant releasekit writes, and the one
    event digests are computed over.

    Raises:
        NaiveDatetimeError: *value* carries no time zone.
    """
    if value.tzinfo is not _UTC:
        value = instant(value, field="time")
    # Formatting by hand is four times faster than isoformat(), whose utcoffset()
    # call goes through pendulum's Python-level time zone.
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text = f"{text}.{value.microsecond:06d}"
    return f"{text}+00:00"


def parse_instant(value: object) -> pendulum.DateTime:
    """Read an instant written by :func:`iso` (or any aware ISO 8601 string).

    Raises:
        NaiveDatetimeError: The string carries no time zone.
        InvalidInputError: *value* is not an ISO 8601 date and time.
    """
    if isinstance(value, dt.datetime):
        return utc(value)
    if not isinstance(value, str):
        raise InvalidInputError(
            f"expected an ISO 8601 date and time with a zone, got {value!r}",
            field="time",
            value=value,
        )
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(
            f"{value!r} is not an ISO 8601 date and time", field="time", value=value
        ) from None
    if parsed.tzinfo is dt.UTC:  # what iso() writes: build the pendulum value directly
        return pendulum.DateTime(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=_UTC,
        )
    return instant(parsed, field="time")


def _structure_instant(value: object, _type: object) -> pendulum.DateTime:
    return parse_instant(value)


def _structure_duration(value: object, _type: object) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.timedelta(seconds=value)
    msg = f"expected a duration in seconds, got {value!r}"
    raise TypeError(msg)


def _is_str_set(kind: object) -> bool:
    return kind in _STR_SETS


_STR_SETS = (frozenset[str], set[str])


def _unstructure_str_set(value: frozenset[str] | set[str]) -> list[str]:
    return sorted(value)


# ---------------------------------------------------------------------------
# Evidence: a tagged union
# ---------------------------------------------------------------------------


def _configure_evidence(made: cattrs.Converter) -> None:
    """Write each piece of evidence with its kind under ``"type"``; read it back by that tag."""
    by_class = {kind: made.get_unstructure_hook(kind) for kind in EVIDENCE_TYPES}
    by_tag = {kind.__name__: (kind, made.get_structure_hook(kind)) for kind in EVIDENCE_TYPES}
    tags = ", ".join(by_tag)

    def unstructure_evidence(value: Evidence) -> dict[str, Any]:
        try:
            hook = by_class[value.__class__]
        except KeyError:
            raise InvalidInputError(
                f"{value!r} is not evidence; use one of {tags}", field="evidence", value=value
            ) from None
        return {EVIDENCE_TAG: value.__class__.__name__, **hook(value)}

    def structure_evidence(value: object, _type: object) -> Evidence:
        if not isinstance(value, Mapping):
            msg = f"evidence must be a mapping with a {EVIDENCE_TAG!r} key, got {value!r}"
            raise _Explained(msg)
        tag = value.get(EVIDENCE_TAG)
        if tag not in by_tag:
            msg = f"evidence {EVIDENCE_TAG} must be one of {tags}, got {tag!r}"
            raise _Explained(msg)
        kind, hook = by_tag[tag]
        fields = {key: item for key, item in value.items() if key != EVIDENCE_TAG}
        result: Evidence = hook(fields, kind)
        return result

    made.register_unstructure_hook(Evidence, unstructure_evidence)
    made.register_structure_hook(Evidence, structure_evidence)
    for kind in EVIDENCE_TYPES:
        # Evidence values unstructured by their own class carry the tag as well,
        # so a list of them reads back the same way.
        made.register_unstructure_hook(kind, unstructure_evidence)


def _make() -> cattrs.Converter:
    made = make_converter()
    made.register_structure_hook(pendulum.DateTime, _structure_instant)
    made.register_unstructure_hook(pendulum.DateTime, iso)
    made.register_structure_hook(dt.datetime, _structure_instant)
    made.register_unstructure_hook(dt.datetime, iso)
    made.register_structure_hook(dt.timedelta, _structure_duration)
    made.register_unstructure_hook(dt.timedelta, dt.timedelta.total_seconds)
    made.register_unstructure_hook_func(_is_str_set, _unstructure_str_set)
    _configure_evidence(made)
    return made


#: The converter every part of releasekit uses; extend it with :func:`extend`.
converter: cattrs.Converter = _make()


def extend(configure: Callable[[cattrs.Converter], None]) -> None:
    """Let *configure* register extra hooks on the project's converter.

    Meant for other parts of releasekit (policy files, executors' records): they
    call this once, at import time, with a function that registers their hooks.

    Args:
        configure: Receives the converter and registers hooks on it.
    """
    configure(converter)


# ---------------------------------------------------------------------------
# Structuring with errors a person can act on
# ---------------------------------------------------------------------------


def _note_init_errors(error: BaseException) -> None:
    """Give errors raised by an attrs ``__init__`` the path of the field they name.

    cattrs notes the attribute of every error raised while structuring a field,
    but an error raised by the class's own validators comes out of ``__init__``
    without one and would be reported at the object's path. releasekit's
    validators name their field, so the note can be added here.
    """
    if isinstance(error, ClassValidationError):
        for sub in error.exceptions:
            notes = getattr(sub, "__notes__", ())
            if isinstance(sub, InvalidInputError) and not any(
                isinstance(note, AttributeValidationNote) for note in notes
            ):
                sub.add_note(AttributeValidationNote(sub.field, sub.field, None))
    if isinstance(error, ClassValidationError | IterableValidationError):
        for sub in error.exceptions:
            _note_init_errors(sub)


def _describe(error: BaseException, kind: type | None) -> str:
    if isinstance(error, ReleaseKitError | _Explained):
        return str(error)
    return format_exception(error, kind)


def problems_of(error: BaseException) -> tuple[str, ...]:
    """Return every problem inside a structuring error, each ending in ``@ $.path``."""
    _note_init_errors(error)
    return tuple(cattrs.transform_error(error, path="$", format_exception=_describe))


@overload
def structure(data: object, kind: type[_T], *, what: str | None = None) -> _T: ...


@overload
def structure(data: object, kind: Any, *, what: str | None = None) -> Any: ...  # noqa: ANN401  # a union


def structure(data: object, kind: Any, *, what: str | None = None) -> Any:
    """Build a *kind* from its JSON form, or say precisely what is wrong with it.

    Args:
        data: The JSON form (mappings, lists, strings, numbers).
        kind: The type to build.
        what: What the data is, for the error, e.g. ``"the snapshot of r1"``.

    Raises:
        RecordError: *data* does not describe a *kind*; lists every problem.
    """
    try:
        return converter.structure(data, kind)
    except (ClassValidationError, IterableValidationError, ValueError, TypeError) as error:
        name = getattr(kind, "__name__", repr(kind))
        raise RecordError(what=what or f"a {name}", problems=problems_of(error)) from error


def unstructure(value: object, unstructure_as: Any = None) -> Any:  # noqa: ANN401  # JSON
    """Return the JSON form of *value* (mappings, lists, strings, numbers)."""
    return converter.unstructure(value, unstructure_as=unstructure_as)


# ---------------------------------------------------------------------------
# JSON text
# ---------------------------------------------------------------------------

#: Compact, key-sorted, ASCII-only JSON: the same value always gives the same text,
#: and the text survives every database and terminal. NaN and infinities are refused.
_encode = json.JSONEncoder(
    ensure_ascii=True, allow_nan=False, sort_keys=True, separators=(",", ":")
).encode
_decode = json.JSONDecoder().decode


def dumps(value: object) -> str:
    """Return the canonical JSON text of *value* (compact, sorted keys, ASCII).

    Raises:
        InvalidInputError: *value* holds something JSON cannot represent
            (an object, NaN, an infinity).
    """
    try:
        return _encode(value)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"the value cannot be written as JSON: {error}; pass only mappings, lists, "
            "strings, numbers, booleans and None",
            field="data",
            value=value,
        ) from None


def loads(text: str | bytes) -> Any:  # noqa: ANN401  # JSON
    """Parse JSON text."""
    return _decode(text if isinstance(text, str) else text.decode())


#: Compact JSON in the order given, for states (which are not digested).
_compact = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode


def compact(value: object) -> str:
    """Return compact JSON text of *value*, keys in their given order (ASCII).

    Raises:
        InvalidInputError: *value* holds something JSON cannot represent.
    """
    try:
        return _compact(value)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"the value cannot be written as JSON: {error}; pass only mappings, lists, "
            "strings, numbers, booleans and None",
            field="snapshot",
            value=value,
        ) from None


# ---------------------------------------------------------------------------
# Writing states fast: JSON texts of immutable parts, remembered by identity
# ---------------------------------------------------------------------------


class TextCache:
    """Writes frozen attrs values as JSON text, reusing the text of parts seen before.

    A release's state is rewritten on every action, but most of it (the
    artifact, each piece of evidence, each move) is the very same immutable
    object as in the state before. The classes in *assembled* (the ones
    rebuilt on every action) are written field by field; every other attrs
    value, alone or inside a tuple, is written once with the converter and
    its text remembered by identity. The text equals the converter's output.

    Args:
        assembled: The classes to write field by field.
        limit: How many texts to remember before starting afresh.
    """

    def __init__(self, *assembled: type, limit: int = 16384) -> None:
        for kind in assembled:
            attrs.resolve_types(kind)
        self._fields: dict[type, tuple[tuple[str, str, int, Any], ...]] = {
            kind: tuple(
                (field.name, _compact(field.name), *_mode(field.type, assembled))
                for field in attrs.fields(kind)
            )
            for kind in assembled
        }
        self._memo: dict[int, tuple[object, str]] = {}
        self._limit = limit

    def text(self, value: object) -> str:
        """Return the JSON text of *value*, an instance of one of the assembled classes."""
        parts = []
        for name, key, mode, kind in self._fields[value.__class__]:
            item = getattr(value, name)
            if item is None:
                parts.append(f"{key}:null")
            elif mode == _VALUE:
                parts.append(f"{key}:{self._remembered(item, kind)}")
            elif mode == _VALUES:
                parts.append(f"{key}:{self._listed(item, kind)}")
            elif mode == _ASSEMBLED:
                parts.append(f"{key}:{self.text(item)}")
            else:
                parts.append(f"{key}:{_scalar(item, kind)}")
        return "{" + ",".join(parts) + "}"

    def _listed(self, values: tuple[object, ...], kind: Any) -> str:  # noqa: ANN401  # any type
        """Return the JSON list of *values*; a tuple kept from the state before costs nothing."""
        memo = self._memo
        found = memo.get(id(values))
        if found is not None and found[0] is values:
            return found[1]
        text = "[" + ",".join([self._remembered(value, kind) for value in values]) + "]"
        if len(memo) >= self._limit:
            memo.clear()
        memo[id(values)] = (values, text)
        return text

    def _remembered(self, value: object, kind: Any) -> str:  # noqa: ANN401  # any type
        memo = self._memo
        found = memo.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text = compact(converter.unstructure(value, kind))
        if len(memo) >= self._limit:
            memo.clear()
        memo[id(value)] = (value, text)  # holding value keeps its id from being reused
        return text


_SCALAR, _VALUE, _VALUES, _ASSEMBLED = range(4)


def _members(kind: Any) -> tuple[Any, ...]:  # noqa: ANN401  # any type
    """Return the members of a union (without ``None``), or ``(kind,)``."""
    if get_origin(kind) in {Union, UnionType}:
        return tuple(member for member in get_args(kind) if member is not type(None))
    return (kind,)


def _mode(kind: Any, assembled: tuple[type, ...]) -> tuple[int, Any]:  # noqa: ANN401  # any type
    """Decide how a field of type *kind* is written, and with which type."""
    members = _members(kind)
    if all(member in assembled for member in members):
        return _ASSEMBLED, kind
    if all(attrs.has(member) for member in members):
        return _VALUE, kind
    if get_origin(kind) is tuple and get_args(kind)[1:] == (...,):
        item = get_args(kind)[0]
        if all(attrs.has(member) for member in _members(item)):
            return _VALUES, item
    return _SCALAR, kind


def _scalar(value: object, kind: Any) -> str:  # noqa: ANN401  # any type
    """Return the JSON text of a plain field value, short-cutting the common kinds."""
    if value.__class__ is str:
        return encode_basestring_ascii(value)
    if isinstance(value, enum.Enum) and isinstance(value.value, str):
        return encode_basestring_ascii(value.value)
    if value.__class__ is pendulum.DateTime and value.tzinfo is _UTC:
        return f'"{iso(value)}"'
    return compact(converter.unstructure(value, kind))
