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

import _json
import datetime as dt
import enum
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from json.encoder import encode_basestring_ascii
from json.scanner import make_scanner
from operator import is_ as _is
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
from cattrs.gen import make_dict_structure_fn, override
from cattrs.preconf.json import make_converter
from cattrs.v import format_exception

from releasekit._rules._time import instant
from releasekit._rules.evidence import EVIDENCE_TYPES, Evidence
from releasekit.exceptions import InvalidInputError, RecordError, ReleaseKitError

__all__ = [
    "EVIDENCE_TAG",
    "Canonical",
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
    "read_parts",
    "read_state",
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
    global _last_iso  # noqa: PLW0603  # a one-entry cache, replaced as a whole
    last = _last_iso
    if last[0] is value:  # one write writes the same instant up to three times
        return last[1]
    read = _read_texts.get(id(value))
    if read is not None and read[0] is value:  # read from this very text
        return read[1]
    if value.tzinfo is not _UTC:
        value = instant(value, field="time")
    # Assembled by hand from two-digit strings: isoformat() goes through pendulum's
    # Python-level utcoffset(), and %-formatting each number costs more than the rest.
    pairs = _PAIRS
    year = value.year
    text = (
        f"{year if year >= 1000 else f'{year:04d}'}-{pairs[value.month]}-{pairs[value.day]}"  # noqa: PLR2004  # four digits
        f"T{pairs[value.hour]}:{pairs[value.minute]}:{pairs[value.second]}"
    )
    micro = value.microsecond
    text = f"{text}.{micro:06d}+00:00" if micro else f"{text}+00:00"
    _last_iso = (value, text)
    return text


#: "00" to "99".
_PAIRS = tuple(f"{number:02d}" for number in range(100))

#: The last instant :func:`iso` wrote, and its text (values are immutable).
_last_iso: tuple[object, str] = (None, "")

#: Instants :func:`parse_instant` read from text of exactly the form :func:`iso`
#: writes, with that text, by identity: a state read and written again need not
#: format its instants once more. Emptied when full.
_read_texts: dict[int, tuple[object, str]] = {}
_READ_LIMIT = 4096


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
        result = pendulum.DateTime(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=_UTC,
        )
        # Remember the text if it is exactly what iso() writes for the instant:
        # fromisoformat() reads fixed-width digits, so the punctuation and length
        # of YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00 tell (no week date, no comma, no
        # zero fraction that iso() would leave out).
        size = len(value)
        if (
            (size == 25 or (size == 32 and value[19] == "." and parsed.microsecond))  # noqa: PLR2004
            and value[4] == "-"
            and value[7] == "-"
            and value[10] == "T"
            and value[13] == ":"
            and value[16] == ":"
            and value.endswith("+00:00")
        ):
            if len(_read_texts) >= _READ_LIMIT:
                _read_texts.clear()
            _read_texts[id(result)] = (result, value)  # holding it keeps its id from reuse
        return result
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


#: The key and value the converter adds to the fields of each tagged class (e.g.
#: ``("type", "TestRun")``), for :class:`TextCache`, which writes them itself.
_TAGS: dict[type, tuple[str, str]] = {}


def _as_is(kind: str) -> Callable[[object, object], object]:
    """Return a structure hook passing a JSON scalar through if it is a *kind*, else refusing it.

    Evidence is read strictly: the converter's usual hooks would turn ``"false"``
    into ``True`` and ``5`` into ``"5"``. The evidence classes check the types
    of their fields themselves; this only says what the JSON should have held.
    """
    expected = {
        "bool": ((bool,), "true or false"),
        "str": ((str,), "a string"),
        "str | None": ((str, type(None)), "a string or null"),
    }
    types, words = expected[kind]

    def as_is(value: object, _type: object) -> object:
        if value.__class__ not in types:
            msg = f"expected {words}, got {value!r}"
            raise _Explained(msg)
        return value

    return as_is


def _strings(value: object, _type: object) -> list[object]:
    """Read a JSON list as it is, for an evidence class to check its items and convert it."""
    if value.__class__ is not list:
        msg = f"expected a list of strings, got {value!r}"
        raise _Explained(msg)
    return value


#: Field types of evidence, and the strict hook each is read with.
_STRICT: dict[object, Callable[[object, object], object]] = {
    bool: _as_is("bool"),
    str: _as_is("str"),
    str | None: _as_is("str | None"),
    tuple[str, ...]: _strings,
    frozenset[str]: _strings,
}


def _strict_hook(made: cattrs.Converter, kind: type) -> Callable[[Any, Any], Any]:
    """Return the structure hook of an evidence class, reading its plain fields strictly."""
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
    _TAGS.update({kind: (EVIDENCE_TAG, kind.__name__) for kind in EVIDENCE_TYPES})
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
_CANONICAL = json.JSONEncoder(
    ensure_ascii=True, allow_nan=False, sort_keys=True, separators=(",", ":")
)
_encode = _CANONICAL.encode
_DECODER = json.JSONDecoder()
_decode = _DECODER.decode

#: Compact JSON in the order given, for states (which are not digested).
_COMPACT = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))
_compact = _COMPACT.encode


def _unchecked(encoder: json.JSONEncoder) -> _json.make_encoder:
    """Return *encoder*'s C encoder, made once and without its check for cycles.

    ``JSONEncoder.encode`` builds a new C encoder, with a fresh dict for that
    check, on every call, which costs several times the encoding of a small
    value. Without the check a cycle ends in a :class:`RecursionError`; the
    callers then encode again with *encoder* itself, for its exact error.
    """
    return _json.make_encoder(
        None,
        encoder.default,
        encode_basestring_ascii,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )


_encode_fast = _unchecked(_CANONICAL)
_compact_fast = _unchecked(_COMPACT)
_scanstring = _json.scanstring
_scan = make_scanner(_DECODER)  # type: ignore[arg-type]  # a decoder is the scanner's context


def dumps(value: object) -> str:
    """Return the canonical JSON text of *value* (compact, sorted keys, ASCII).

    Raises:
        InvalidInputError: *value* holds something JSON cannot represent
            (an object, NaN, an infinity).
    """
    try:
        return "".join(_encode_fast(value, 0))
    except (TypeError, ValueError, RecursionError):
        pass  # encode it again below, for the error the checked encoder gives
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
    if not isinstance(text, str):
        text = text.decode()
    # What JSONDecoder.decode does for text without surrounding white space,
    # without its two regular-expression calls; anything else goes through it.
    try:
        value, end = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        pass
    else:
        if end == len(text):
            return value
    return _decode(text)


# ---------------------------------------------------------------------------
# Reading states: where the text of each part lies
# ---------------------------------------------------------------------------


class _NotCompact(ValueError):  # noqa: N818  # internal: not the compact form the walk reads
    """The text is not compact JSON (white space, or an unexpected character)."""


#: Where the text of one JSON value lies: its start, its end, and (for an object
#: or a list that was walked) where the text of each member lies.
Span = tuple[int, int, "dict[str, Span] | list[Span] | None"]

#: States read by :func:`read_state`, by the identity of the value returned:
#: the value, its text and where each part of the text lies. Emptied when full.
_read_states: dict[int, tuple[object, str, dict[str, Span]]] = {}
_READ_STATES_LIMIT = 256

#: How deep :func:`read_state` notes where parts lie: a state, its release, and
#: the items of the release's lists (evidence, moves).
_DEPTH = 2


def read_state(text: str) -> Any:  # noqa: ANN401  # JSON
    """Parse a stored state, noting where the text of each of its parts lies.

    The value is what :func:`loads` returns. A writer that gets the parts of
    the state back (:meth:`TextCache.recall`) can then copy their text instead
    of writing it again: a tool loads a release, and writes it back with one
    change. Text that is not compact JSON is simply parsed.
    """
    try:
        value, end, spans = _walk(text, 0, _DEPTH)
    except (ValueError, IndexError, StopIteration, RecursionError):
        return loads(text)  # its error, if it is not JSON at all
    if end != len(text):
        return loads(text)
    if isinstance(spans, dict):
        if len(_read_states) >= _READ_STATES_LIMIT:
            _read_states.clear()
        _read_states[id(value)] = (value, text, spans)  # holding it keeps its id from reuse
    return value


def read_parts(value: object) -> tuple[str, dict[str, Span]] | None:
    """Return the text *value* was read from by :func:`read_state`, and where its parts lie.

    Once: the value is a mutable mapping, so the text is handed to the first
    who asks, right after reading, and forgotten.
    """
    found = _read_states.pop(id(value), None)
    if found is None or found[0] is not value:
        return None
    return found[1], found[2]


def _walk(
    text: str, start: int, depth: int
) -> tuple[Any, int, dict[str, Span] | list[Span] | None]:
    """Parse the JSON value at *start*; for objects and lists, note where each member lies.

    Members are walked *depth* levels down; deeper values are parsed whole by
    the C scanner. Return the value, where it ends, and the members' spans.
    """
    first = text[start]
    if first == "{":
        return _walk_object(text, start + 1, depth)
    if first == "[":
        return _walk_list(text, start + 1, depth)
    value, end = _scan(text, start)
    return value, end, None


def _member(text: str, begin: int, depth: int) -> tuple[Any, int, Span]:
    """Parse the member at *begin*, walking it if *depth* allows; return it, its end, its span."""
    if depth:
        value, end, inner = _walk(text, begin, depth - 1)
    else:
        value, end = _scan(text, begin)
        inner = None
    return value, end, (begin, end, inner)


def _walk_object(text: str, at: int, depth: int) -> tuple[dict[str, Any], int, dict[str, Span]]:
    members: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    if text[at] == "}":
        return members, at + 1, spans
    while True:
        if text[at] != '"':
            raise _NotCompact
        key, at = _scanstring(text, at + 1)
        if text[at] != ":":
            raise _NotCompact
        members[key], at, spans[key] = _member(text, at + 1, depth)
        after = text[at]
        at += 1
        if after == "}":
            return members, at, spans
        if after != ",":
            raise _NotCompact


def _walk_list(text: str, at: int, depth: int) -> tuple[list[Any], int, list[Span]]:
    items: list[Any] = []
    places: list[Span] = []
    if text[at] == "]":
        return items, at + 1, places
    while True:
        item, at, place = _member(text, at, depth)
        items.append(item)
        places.append(place)
        after = text[at]
        at += 1
        if after == "]":
            return items, at, places
        if after != ",":
            raise _NotCompact


class Canonical(Mapping[str, Any]):
    """A JSON object read back from its canonical text, which it keeps: an immutable mapping.

    The ledger writes an event's data as canonical text (with a
    :class:`TextCache`, from the typed value) and hands the store this mapping
    as the draft's data, so sealing the event need not encode it once more.
    Build it only from the text :func:`dumps` or a :class:`TextCache` wrote.

    Args:
        text: The canonical JSON text of an object.
    """

    __slots__ = ("_value", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._value: dict[str, Any] = loads(text)

    def __getitem__(self, key: str) -> Any:  # noqa: ANN401  # JSON
        return self._value[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"Canonical({self.text!r})"

    def value(self) -> dict[str, Any]:
        """Return the object, as :func:`loads` of the text gives it (not a copy: keep it)."""
        return self._value


def compact(value: object) -> str:
    """Return compact JSON text of *value*, keys in their given order (ASCII).

    Raises:
        InvalidInputError: *value* holds something JSON cannot represent.
    """
    try:
        return "".join(_compact_fast(value, 0))
    except (TypeError, ValueError, RecursionError):
        pass  # encode it again below, for the error the checked encoder gives
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
    """Writes frozen attrs values as canonical JSON text, reusing the text of parts seen before.

    The text is exactly :func:`dumps` of the converter's output (sorted keys,
    compact, ASCII): the form event data is digested in, so the text of a
    value written for an event serves the state as well. A release's state is
    rewritten on every action, but most of it (the artifact, each piece of
    evidence, each move, often the whole release) is the very same immutable
    object as before: every attrs value and enum member inside the value
    written, alone or in a tuple, is written once and its text remembered by
    identity. The classes in *assembled* are written field by field, by a
    function generated once per class (the way attrs and cattrs generate
    theirs), other values with the converter.

    A cache made *beside* another looks up the texts the other wrote as well,
    while the other never sees this one's. The ledger writes event data, which
    is digested and must be canonical, with one cache, and states beside it
    with another: the parts of a state that were read from a store
    (:meth:`recall`) are copied as they were stored, which need only mean the
    same values.

    Args:
        assembled: The classes to write field by field: their converter hooks
            must be the default ones (every field under its name), or the
            tagged one of evidence.
        limit: How many texts to remember before starting afresh.
        beside: A cache whose texts this one may use.
    """

    def __init__(
        self, *assembled: type, limit: int = 16384, beside: TextCache | None = None
    ) -> None:
        for kind in assembled:
            attrs.resolve_types(kind)
        self._memo: dict[int, tuple[object, str]] = {}
        # Looked up first, inline in the generated code: the other cache's texts
        # (the parts a new event shares with the new state), or this one's own.
        self._first = beside._memo if beside is not None else self._memo  # noqa: SLF001  # same class
        # Tuples written (or read), by the identity of their last item: a tuple
        # made by adding one item to one of them is written from its text.
        self._tails: dict[int, tuple[tuple[object, ...], str]] = {}
        self._tail_maps = (self._tails,) if beside is None else (self._tails, beside._tails)  # noqa: SLF001  # same class
        self._limit = limit
        self._writers: dict[type, Callable[[Any], str]] = {}
        self._keys: dict[type, list[str]] = {}
        for kind in assembled:
            self._writers[kind] = self._writer(kind)

    @property
    def kinds(self) -> tuple[type, ...]:
        """The classes this cache writes field by field."""
        return tuple(self._writers)

    def text(self, value: object) -> str:
        """Return the canonical JSON text of *value*, an instance of an assembled class."""
        return self._writers[value.__class__](value)

    def recall(self, value: object, text: str, spans: dict[str, Span]) -> None:
        """Remember the text of the parts of *value*, read from *text* (see :func:`read_state`).

        *value* must be what *text* was structured into: every attrs value
        among its fields (walked as deep as *spans* go), and every tuple of
        them, is remembered with the text it was read from.
        """
        memo = self._memo
        if len(memo) >= self._limit:
            memo.clear()
        for name, (start, end, inner) in spans.items():
            part = getattr(value, name, None)
            if part is None:
                continue
            if part.__class__ is tuple and isinstance(inner, list) and len(inner) == len(part):
                memo[id(part)] = (part, text[start:end])
                if part:
                    self._tail(part, text[start:end])
                for item, (begin, finish, _inner) in zip(part, inner, strict=True):
                    if attrs.has(item.__class__):
                        memo[id(item)] = (item, text[begin:finish])
            elif attrs.has(part.__class__) and (
                not isinstance(inner, dict) or self.writes(part.__class__, inner)
            ):  # an object's text is kept only with the keys this cache writes, in order
                memo[id(part)] = (part, text[start:end])
                if isinstance(inner, dict):
                    self.recall(part, text, inner)

    def writes(self, kind: type, keys: Iterable[str]) -> bool:
        """Whether *keys* are exactly the keys this cache writes for a *kind*, in order."""
        return list(keys) == self._keys.get(kind)

    def known(self, value: object) -> str | None:
        """Return the text remembered for *value* (this very object), or ``None``."""
        key = id(value)
        found = self._memo.get(key)
        if found is None or found[0] is not value:
            found = self._first.get(key)
            if found is None or found[0] is not value:
                return None
        return found[1]

    def part(self, value: object) -> str:
        """Return the text of *value*, an immutable part of a state, remembering it."""
        return self._remembered(value, value.__class__)

    def remember(self, value: object, text: str) -> None:
        """Remember *text* as the text of *value*, an immutable value."""
        memo = self._memo
        if len(memo) >= self._limit:
            memo.clear()
        memo[id(value)] = (value, text)  # holding value keeps its id from being reused

    def _writer(self, kind: type) -> Callable[[Any], str]:
        """Generate the function writing a *kind* as canonical JSON, one field after the other.

        For each field, the generated code reads the value and turns it into
        text: strings, booleans, instants and lists of strings directly, values
        that never change through the memo (looked up inline: the common case),
        anything else with the converter. The fields are written in the order of
        their names, as sorted keys are.
        """
        scope: dict[str, Any] = {
            "_esc": encode_basestring_ascii,
            "_plain": str,
            "_instant": pendulum.DateTime,
            "_utc": _UTC,
            "_iso": iso,
            "_map": map,
            "_sorted": sorted,
            "_get": self._first.get,
            "_id": id,
            "_remembered": self._remembered,
            "_listed": self._listed,
            "_scalar": _scalar,
        }
        name = f"write_{kind.__name__}"
        lines = [f"def {name}(value):"]
        entries = []
        for number, field in enumerate(attrs.fields(kind)):
            item = f"x{number}"
            scope[f"kind{number}"] = field.type
            lines.append(f"    {item} = value.{field.name}")
            steps, direct = _field_text(item, number, field.type, scope)
            if direct and type(None) not in get_args(field.type):
                # None is rare here: the converter's path writes it, if ever.
                lines.extend(f"    {step}" for step in steps)
            else:
                lines.append(f"    if {item} is None:")
                lines.append(f'        {item} = "null"')
                lines.append("    else:")
                lines.extend(f"        {step}" for step in steps)
            entries.append((field.name, f"{dumps(field.name)}:{{{item}}}"))
        if kind in _TAGS:
            key, tag = _TAGS[kind]
            entries.append((key, f"{dumps(key)}:{dumps(tag)}"))
        self._keys[kind] = [key for key, _entry in sorted(entries)]
        body = ",".join(entry for _key, entry in sorted(entries))
        if any(character in body for character in "'\\"):  # pragma: no cover  # identifiers
            msg = f"cannot generate a writer for {kind.__name__}"
            raise TypeError(msg)
        lines.append(f"    return f'{{{{{body}}}}}'")
        exec("\n".join(lines), scope)  # noqa: S102  # source built above from attrs field names
        write: Callable[[Any], str] = scope[name]
        return write

    def _listed(self, values: tuple[object, ...], kind: Any) -> str:  # noqa: ANN401  # any type
        """Return the JSON list of *values*; a tuple kept from the state before costs nothing."""
        memo = self._memo
        found = memo.get(id(values))
        if found is not None and found[0] is values:
            return found[1]
        text = self._appended(values, kind) if len(values) > 1 else None
        if text is None:
            get = self._first.get
            remembered = self._remembered
            texts = []
            for value in values:
                found = get(id(value))
                texts.append(
                    found[1] if found is not None and found[0] is value else remembered(value, kind)
                )
            text = "[" + ",".join(texts) + "]"
        if len(memo) >= self._limit:
            memo.clear()
        memo[id(values)] = (values, text)
        if values:
            self._tail(values, text)
        return text

    def _tail(self, values: tuple[object, ...], text: str) -> None:
        tails = self._tails
        if len(tails) >= self._limit:
            tails.clear()
        tails[id(values[-1])] = (values, text)

    def _appended(self, values: tuple[object, ...], kind: Any) -> str | None:  # noqa: ANN401  # any type
        """Return the text of *values* from that of a tuple holding all but its last item.

        A release gains a move or a piece of evidence as a new tuple: the old one
        plus one item. Return ``None`` if no such tuple was written (or read).
        """
        key = id(values[-2])
        size = len(values) - 1
        for tails in self._tail_maps:
            found = tails.get(key)
            if found is not None:
                shorter, text = found
                if len(shorter) == size and all(map(_is, shorter, values)):
                    last = values[-1]
                    known = self._first.get(id(last))
                    item = (
                        known[1]
                        if known is not None and known[0] is last
                        else self._remembered(last, kind)
                    )
                    return f"{text[:-1]},{item}]"
        return None

    def _remembered(self, value: object, kind: Any) -> str:  # noqa: ANN401  # any type
        memo = self._memo
        found = memo.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        write = self._writers.get(value.__class__)
        text = write(value) if write is not None else _scalar(value, kind)
        if len(memo) >= self._limit:
            memo.clear()
        memo[id(value)] = (value, text)  # holding value keeps its id from being reused
        return text


def _field_text(item: str, number: int, kind: Any, scope: dict[str, Any]) -> tuple[list[str], bool]:  # noqa: ANN401, PLR0911  # any type; one return per kind of field
    """Return the generated statements turning *item*, a value of type *kind*, into text.

    Each fast path checks that the value is what its type says and leaves
    anything else to the converter (``_scalar``), so the text is the
    converter's. Also return whether they write ``None`` too (through that path).
    """
    members = _members(kind)
    fallback = f"_scalar({item}, kind{number})"
    if members == (str,):
        return [f"{item} = _esc({item}) if {item}.__class__ is _plain else {fallback}"], True
    if members == (bool,):
        return [
            f'{item} = "true" if {item} is True else ("false" if {item} is False else {fallback})'
        ], True
    if members == (pendulum.DateTime,):  # as cheap to write again as to look up
        return [
            f"if {item}.__class__ is _instant and {item}.tzinfo is _utc:",
            f"    {item} = '\"' + _iso({item}) + '\"'",
            "else:",
            f"    {item} = {fallback}",
        ], True
    if all(_immutable(member) for member in members):
        return _recalled(item, f"_remembered({item}, kind{number})"), False
    if _is_tuple_of_values(kind):
        scope[f"item{number}"] = get_args(kind)[0]
        return _recalled(item, f"_listed({item}, item{number})"), False
    if kind in {tuple[str, ...], frozenset[str]}:  # a JSON list (sorted for a set)
        items = f"_sorted({item})" if kind == frozenset[str] else item
        return [
            f"if {item}.__class__ is {kind.__origin__.__name__}:",
            "    try:",
            f'        {item} = "[" + ",".join(_map(_esc, {items})) + "]"',
            "    except TypeError:  # not strings after all",
            f"        {item} = {fallback}",
            "else:",
            f"    {item} = {fallback}",
        ], True
    return [f"{item} = {fallback}"], True


def _recalled(item: str, otherwise: str) -> list[str]:
    """Return the generated statements that take *item*'s text from the memo, or *otherwise*."""
    return [
        f"found = _get(_id({item}))",
        f"{item} = found[1] if found is not None and found[0] is {item} else {otherwise}",
    ]


def _is_tuple_of_values(kind: Any) -> bool:  # noqa: ANN401  # any type
    """Whether *kind* is ``tuple[X, ...]`` of attrs classes (or of a union of them)."""
    if get_origin(kind) is not tuple or get_args(kind)[1:] != (...,):
        return False
    return all(attrs.has(member) for member in _members(get_args(kind)[0]))


def _immutable(kind: Any) -> bool:  # noqa: ANN401  # any type
    """Whether values of *kind* never change, so their text can be remembered by identity."""
    return (
        attrs.has(kind)
        or kind is pendulum.DateTime
        or (isinstance(kind, type) and issubclass(kind, enum.Enum))
    )


def _members(kind: Any) -> tuple[Any, ...]:  # noqa: ANN401  # any type
    """Return the members of a union (without ``None``), or ``(kind,)``."""
    if get_origin(kind) in {Union, UnionType}:
        return tuple(member for member in get_args(kind) if member is not type(None))
    return (kind,)


def _scalar(value: object, kind: Any) -> str:  # noqa: ANN401  # any type
    """Return the JSON text of a plain field value, short-cutting the common kinds."""
    if value is None:
        return "null"
    if value.__class__ is str:
        return encode_basestring_ascii(value)
    if isinstance(value, enum.Enum) and isinstance(value.value, str):
        return encode_basestring_ascii(value.value)
    if value.__class__ is pendulum.DateTime and value.tzinfo is _UTC:
        return f'"{iso(value)}"'
    return dumps(converter.unstructure(value, kind))
