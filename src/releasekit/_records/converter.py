"""releasekit's one private cattrs converter.

Every record type is (de)structured here and nowhere else; the global cattrs
converter is never touched. Instants are kept as aware UTC values and written
as ISO 8601 strings; enums are written as their values; evidence is a tagged
union (``{"type": "TestRun", ...}``); frozensets are written as sorted lists,
so the same value always gives the same JSON.

Bad data is refused with a :class:`~releasekit.exceptions.UnreadableDataError` that
lists every problem with its path, e.g. ``$.evidence[2].at`` (built with
:func:`cattrs.transform_error`).

Other parts of releasekit (policy files, executors) add their own hooks with
:func:`extend`, once, at import time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

import attrs
import cattrs
import pendulum
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, override
from cattrs.preconf.json import make_converter
from cattrs.v import format_exception

from releasekit._rules._time import instant
from releasekit._rules.evidence import EVIDENCE_TYPES, Evidence
from releasekit._rules.release import Artifact
from releasekit.exceptions import InvalidInputError, ReleaseKitError, UnreadableDataError

__all__ = [
    "EVIDENCE_TAG",
    "converter",
    "dumps",
    "extend",
    "iso",
    "json_mapping",
    "loads",
    "parse_instant",
    "problems_of",
    "structure",
    "unstructure",
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


def iso(value: dt.datetime) -> str:
    """Return *value* as an ISO 8601 string in UTC, e.g. ``2026-11-28T09:00:00+00:00``.

    This is the one textual form of an instant releasekit writes, and the one
    event digests are computed over.

    It is ``isoformat()`` of the instant in UTC (a test holds them equal),
    written from its fields: ``isoformat()`` would ask the time zone for an
    offset known to be zero, which costs more than the rest.

    Raises:
        NaiveDatetimeError: *value* carries no time zone.
    """
    moment = instant(value)
    fields = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    # One %-format writes all six fields at once: a third cheaper than six format specs.
    if moment.microsecond:
        return "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (*fields, moment.microsecond)  # noqa: UP031
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % fields  # noqa: UP031


def parse_instant(value: object) -> pendulum.DateTime:
    """Read an instant written by :func:`iso` (or any aware ISO 8601 string).

    Raises:
        NaiveDatetimeError: The string carries no time zone.
        InvalidInputError: *value* is not an ISO 8601 date and time.
    """
    if value.__class__ is not str:
        if isinstance(value, dt.datetime):
            return instant(value)
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
    if parsed.tzinfo is not dt.UTC:
        return instant(parsed, field="time")
    # What iso() writes: the same fields, in pendulum's UTC.
    return pendulum.DateTime(
        parsed.year,
        parsed.month,
        parsed.day,
        parsed.hour,
        parsed.minute,
        parsed.second,
        parsed.microsecond,
        _UTC,
    )


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


def _as_is(types: tuple[type, ...], words: str) -> Callable[[object, object], object]:
    """Return a structure hook passing a JSON value of one of *types* through, refusing others.

    Evidence is read strictly: the converter's usual hooks would turn ``"false"``
    into ``True`` and ``5`` into ``"5"``. The evidence classes check the types
    of their fields themselves; this only says what the JSON should have held.
    """

    def as_is(value: object, _type: object) -> object:
        if value.__class__ not in types:
            msg = f"expected {words}, got {value!r}"
            raise _Explained(msg)
        return value

    return as_is


#: Field types of evidence, and the strict hook each is read with: a list is
#: passed on as it is, for the class to check its items and convert it.
_STRICT: dict[object, Callable[[object, object], object]] = {
    bool: _as_is((bool,), "true or false"),
    str: _as_is((str,), "a string"),
    str | None: _as_is((str, type(None)), "a string or null"),
    tuple[str, ...]: _as_is((list,), "a list of strings"),
    frozenset[str]: _as_is((list,), "a list of strings"),
}


def _strict_hook(made: cattrs.Converter, kind: type) -> Callable[[Any, Any], Any]:
    """Return the structure hook of a class, reading its plain fields strictly (as given)."""
    attrs.resolve_types(kind)
    overrides: dict[str, Any] = {
        field.name: override(struct_hook=_STRICT[field.type])
        for field in attrs.fields(kind)
        if field.type in _STRICT
    }
    return make_dict_structure_fn(kind, made, **overrides)


def _configure_evidence(made: cattrs.Converter) -> None:
    """Write each piece of evidence with its kind under ``"type"``; read it back by that tag."""
    by_class = {kind: made.get_unstructure_hook(kind) for kind in EVIDENCE_TYPES}
    by_tag = {kind.__name__: (kind, _strict_hook(made, kind)) for kind in EVIDENCE_TYPES}
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
        if value.__class__ is not dict and not isinstance(value, Mapping):
            msg = f"evidence must be a mapping with a {EVIDENCE_TAG!r} key, got {value!r}"
            raise _Explained(msg)
        tag = value.get(EVIDENCE_TAG)
        if tag not in by_tag:
            msg = f"evidence {EVIDENCE_TAG} must be one of {tags}, got {tag!r}"
            raise _Explained(msg)
        kind, hook = by_tag[tag]
        result: Evidence = hook(value, kind)  # it reads the fields of *kind* only, not the tag
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
    # An artifact's names are read as evidence's are: a list, checked by the class.
    made.register_structure_hook(Artifact, _strict_hook(made, Artifact))
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
        UnreadableDataError: *data* does not describe a *kind*; lists every problem.
    """
    try:
        return converter.structure(data, kind)
    except (ClassValidationError, IterableValidationError, ValueError, TypeError) as error:
        name = getattr(kind, "__name__", repr(kind))
        raise UnreadableDataError(what=what or f"a {name}", problems=problems_of(error)) from error


def unstructure(value: object, unstructure_as: Any = None) -> Any:  # noqa: ANN401  # JSON
    """Return the JSON form of *value* (mappings, lists, strings, numbers)."""
    return converter.unstructure(value, unstructure_as=unstructure_as)


# ---------------------------------------------------------------------------
# JSON text
# ---------------------------------------------------------------------------


#: The encoder of canonical JSON (one for the process: it holds its settings only).
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
)


def dumps(value: object) -> str:
    """Return the canonical JSON text of *value*: sorted keys, compact, ASCII only.

    The same value always gives the same text, and the text survives every
    database and terminal; it is what digests are computed over.

    Raises:
        InvalidInputError: *value* holds something JSON cannot represent
            (an object, NaN, an infinity).
    """
    try:
        return _CANONICAL.encode(value)
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidInputError(
            f"the value cannot be written as JSON: {error}; pass only mappings, lists, "
            "strings, numbers, booleans and None",
            field="data",
            value=value,
        ) from None


#: The decoder of JSON text (one for the process: it holds its settings only).
_DECODER = json.JSONDecoder()


def loads(text: str | bytes) -> Any:  # noqa: ANN401  # JSON
    """Parse JSON text.

    Raises:
        ValueError: *text* is not JSON (:class:`json.JSONDecodeError`).
    """
    if text.__class__ is str:  # one call for a text that is one JSON value, as stores keep them
        try:
            value, end = _DECODER.raw_decode(text)
        except ValueError:
            pass  # the full parse below says why
        else:
            if end == len(text):
                return value
    return json.loads(text)


def json_mapping(value: object, field: str) -> Mapping[str, Any]:
    """Return *value* — a mapping, an attrs value or ``None`` (an empty one) — as a JSON mapping.

    Raises:
        InvalidInputError: *value* is none of those.
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    result = unstructure(value)
    if not isinstance(result, Mapping):
        raise InvalidInputError(
            f"{field} must be a mapping or an attrs value, got {type(value).__name__}",
            field=field,
            value=value,
        )
    return result
