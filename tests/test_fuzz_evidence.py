"""Fuzzing evidence: any value in any field gives valid evidence or a releasekit error.

Evidence is built by tools and people and read back from stores that may have
been edited by hand. Whatever arrives — through the constructors or through
the converter — the outcome is a piece of evidence whose every field has its
declared type, or an :class:`InvalidInputError` (constructors) or a
:class:`UnreadableDataError` (stored JSON): never a ``TypeError``, never ``"false"``
counted as true.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

import releasekit as rk
from releasekit._records.converter import (
    dumps,
    iso,
    loads,
    parse_instant,
    structure,
    unstructure,
)
from releasekit._rules.evidence import EVIDENCE_TYPES
from releasekit.exceptions import InvalidInputError, UnreadableDataError

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")

#: A valid value for every field of every evidence type, to start from.
VALID: dict[type[Any], dict[str, Any]] = {
    rk.TestsWritten: {"by": "anton", "at": FRIDAY, "covers": ("chart",), "tests": ("t",)},
    rk.TestRun: {
        "environment": "tests",
        "version": "2.4.0",
        "passed": True,
        "at": FRIDAY,
        "by": "ci",
        "scheduled": False,
        "summary": "ok",
    },
    rk.SignOff: {
        "by": "maria",
        "at": FRIDAY,
        "environment": "stage",
        "note": "",
        "old_app_versions": ("2.3",),
    },
    rk.LogReview: {
        "by": "ivan",
        "at": FRIDAY,
        "environments": frozenset({"stage"}),
        "verdict": "clean",
        "note": "",
    },
    rk.MigrationRun: {
        "environment": "stage",
        "version": "2.4.0",
        "migrations": ("0042",),
        "succeeded": True,
        "at": FRIDAY,
        "by": "ci",
        "output": "",
    },
    rk.ChangeReview: {"by": "ivan", "at": FRIDAY, "version": "2.4.0", "note": ""},
    rk.Attestation: {"name": "ticket", "by": "lea", "at": FRIDAY, "environment": None, "note": ""},
}

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(["false", "true", "0", "1", "clean", "CLEAN", "", "-x", "tests", "2.4.0"])
)
#: JSON-ish values: scalars, lists and mappings of them.
JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
#: What a Python caller might pass besides: datetimes (naive, aware, at the edges), tuples, sets.
PYTHON = (
    JSON
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.datetimes(  # the first day of year 1, which some zones push out of range in UTC
        min_value=dt.datetime(1, 1, 1),  # noqa: DTZ001  # Hypothesis' bounds are naive
        max_value=dt.datetime(1, 1, 2),  # noqa: DTZ001  # the zones come from timezones=
        timezones=st.timezones(),
    )
    | st.lists(st.text(max_size=5), max_size=3).map(tuple)
    | st.frozensets(st.text(max_size=5), max_size=3)
    | st.sampled_from(list(rk.LogVerdict))
    | st.binary(max_size=4)
)


def _has_its_type(value: object, kind: Any) -> bool:
    """Whether *value* is of the field type *kind* (str, bool, enums, tuples/sets of str, ...)."""
    options = (
        get_args(kind) if get_args(kind) and kind.__class__.__name__ == "UnionType" else (kind,)
    )
    for option in options:
        if option is type(None) and value is None:
            return True
        origin = getattr(option, "__origin__", None)
        if origin in {tuple, frozenset}:
            if isinstance(value, origin) and all(item.__class__ is str for item in value):
                return True
        elif option is bool:
            if value is True or value is False:
                return True
        elif option is pendulum.DateTime:
            if isinstance(value, pendulum.DateTime) and value.tzinfo is not None:
                return True
        elif isinstance(option, type) and isinstance(value, option):
            return True
    return False


def _valid(item: object) -> bool:
    """Whether every field of *item* holds a value of its declared type."""
    kind: Any = type(item)
    attrs.resolve_types(kind)
    return all(_has_its_type(getattr(item, field.name), field.type) for field in attrs.fields(kind))


@st.composite
def constructor_calls(draw: st.DrawFn) -> tuple[type[Any], dict[str, Any]]:
    """An evidence type and its keyword arguments, some of them replaced by anything at all."""
    kind = draw(st.sampled_from(EVIDENCE_TYPES))
    fields = dict(VALID[kind])
    for name in draw(st.sets(st.sampled_from(sorted(fields)), min_size=1)):
        fields[name] = draw(PYTHON)
    if draw(st.booleans()):
        fields.pop(draw(st.sampled_from(sorted(fields))))
    return kind, fields


@given(constructor_calls())
def test_building_evidence_from_any_values_gives_evidence_or_invalid_input(
    call: tuple[type[Any], dict[str, Any]],
) -> None:
    """Every field is checked by type: the result is well-typed evidence, or InvalidInputError."""
    kind, fields = call
    try:
        item = kind(**fields)
    except InvalidInputError:
        return
    except TypeError as error:  # only a missing required argument may end so
        assert "required keyword-only argument" in str(error)  # noqa: PT017
        return

    assert (True, item) == (_valid(item), read_back(item))


def read_back(item: object) -> object:
    """Write *item* as a store does (JSON text) and read it back."""
    return structure(loads(dumps(unstructure(item, rk.Evidence))), rk.Evidence)


@st.composite
def stored_evidence(draw: st.DrawFn) -> object:
    """Stored JSON of evidence: valid JSON of some kind, some fields (or the whole) anything."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    kind = draw(st.sampled_from(EVIDENCE_TYPES))
    data: dict[str, Any] = unstructure(kind(**VALID[kind]), rk.Evidence)
    for name in draw(st.sets(st.sampled_from(sorted(data)), min_size=1)):
        if draw(st.booleans()):
            data[name] = draw(JSON)
        else:
            del data[name]
    return data


def _as_read(data: dict[str, Any]) -> dict[str, Any]:
    """*data* as releasekit writes what it read: sets sorted, instants in UTC."""
    shown = dict(data)
    if isinstance(shown.get("environments"), list):
        shown["environments"] = sorted(shown["environments"])
    if "at" in shown:
        shown["at"] = iso(parse_instant(shown["at"]))
    return shown


@given(stored_evidence())
def test_reading_any_stored_json_gives_evidence_or_a_record_error(data: object) -> None:
    """The converter reads exactly what was stored, well typed, or raises UnreadableDataError."""
    try:
        item = structure(data, rk.Evidence)
    except UnreadableDataError:
        return
    assert isinstance(data, dict)  # only an object can describe evidence
    written = unstructure(item, rk.Evidence)

    assert (True, item, _as_read(data)) == (
        _valid(item),
        read_back(item),
        {key: written[key] for key in data},
    )
