"""Policy documents of every wrong shape, for the policy-file fuzz tests.

:func:`documents` starts from the reference policy file read as TOML data and
changes it a few times: a value replaced by a value of another TOML type, a key
or an item dropped, an unknown key added, a value nested deeply, a scalar
wrapped in a list or a list unwrapped. :func:`write` turns the data back into
TOML text (a tiny writer: every value inline, every string escaped), so each
document is valid TOML — except where a value is nested so deeply that no TOML
reader should follow it, which is the point of that change.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import tomllib
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

import releasekit as rk

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["PEOPLE", "REFERENCE", "documents", "toml_values", "write"]

#: The reference policy file as TOML data: the start of every document.
REFERENCE: dict[str, Any] = tomllib.loads(rk.reference_policy_file())

#: A roster for the reference policy, which some documents start with too.
PEOPLE: dict[str, Any] = {
    "anton": {"aliases": ["toni"], "roles": ["developer", "team"]},
    "maria": {"aliases": ["mk"], "roles": ["team"]},
    "ci": {"roles": ["ci"]},
    "data-operator": {"roles": ["operator"]},
}

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

#: Stands for a value written as text nested *n* levels deep (``[[[...1...]]]``).
_DEEP = "\x00deep-{}\x00"


# -- writing TOML ------------------------------------------------------------------------


def _string(text: str) -> str:
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    escaped = []
    for char in text:
        if char in {'"', "\\"}:
            escaped.append("\\" + char)
        elif char.isprintable() and char != "\x7f":
            escaped.append(char)
        elif ord(char) <= 0xFFFF:  # the widest \u escape
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(f"\\U{ord(char):08x}")
    return '"' + "".join(escaped) + '"'


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: object) -> str:  # noqa: PLR0911  # one return per TOML type
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_key(key)} = {_value(item)}" for key, item in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    msg = f"not a TOML value: {value!r}"
    raise TypeError(msg)


def write(data: dict[str, Any]) -> str:
    """Write *data* as a TOML document, one ``key = value`` line per top-level key."""
    text = "".join(f"{_key(key)} = {_value(value)}\n" for key, value in data.items())
    return re.sub(
        r'"\\u0000deep-(\d+)\\u0000"',
        lambda match: "[" * int(match[1]) + "1" + "]" * int(match[1]),
        text,
    )


# -- TOML values ---------------------------------------------------------------------------

#: Strings a policy file means something by, so that changed documents reach deep checks.
_MEANINGFUL = (
    "",
    " ",
    "-x",
    "line\nbreak",
    "custom",
    "window",
    "tests-passed",
    "signed-off",
    "logs-reviewed",
    "attestation",
    "production",
    "stage",
    "sandbox-anton",
    "normal",
    "hotfix",
    "anton",
    "ANTON",
    "true",
    "false",
    "2",
    "09:00",
    "24:00",
    "25:00",
    "4h",
    "0s",
    "400d",
    "UTC",
    "UTC+3",
    "Europe/London",
    "Sat",
    "production-window",
)

toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 2, 3, -1, 1000, 1001]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(_MEANINGFUL),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.dates(),
    st.times(),
)

#: Any TOML value, small: scalars, and lists and tables of them.
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)
    ),
    max_leaves=4,
)


# -- changing a document ---------------------------------------------------------------------


def _places(value: object) -> list[tuple[Any, Any]]:
    """Every (container, key or index) inside *value*, parents before children."""
    found: list[tuple[Any, Any]] = []
    pending: list[object] = [value]
    while pending:
        container = pending.pop()
        items: list[tuple[Any, Any]] = []
        if isinstance(container, dict):
            items = list(container.items())
        elif isinstance(container, list):
            items = list(enumerate(container))
        for key, item in items:
            found.append((container, key))
            pending.append(item)
    return found


def _nested(value: object, depth: int, *, in_lists: bool) -> object:
    for _ in range(depth):
        value = [value] if in_lists else {"a": value}
    return value


@st.composite
def _change(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Change *data* in place once, somewhere."""
    places = _places(data)
    kind = draw(
        st.sampled_from(["replace", "drop", "add", "nest", "deep", "wrap", "unwrap", "add-top"])
    )
    if kind == "add-top" or not places:
        data[draw(st.text(min_size=1, max_size=8))] = draw(toml_values)
        return
    # An index, not sampled_from(places): labelling a list of containers costs more than the rest.
    container: Any
    key: Any
    container, key = places[draw(st.integers(0, len(places) - 1))]
    value = container[key]
    changes: dict[str, Callable[[], None]] = {
        "replace": lambda: container.__setitem__(key, draw(toml_values)),
        "drop": lambda: container.__delitem__(key),
        "add": lambda: _add(draw, container, value),
        "nest": lambda: container.__setitem__(
            key,
            _nested(value, draw(st.integers(1, 40)), in_lists=draw(st.booleans())),
        ),
        "deep": lambda: container.__setitem__(
            key, _DEEP.format(draw(st.sampled_from([33, 200, 5000])))
        ),
        "wrap": lambda: container.__setitem__(key, [value]),
        "unwrap": lambda: container.__setitem__(
            key, value[0] if isinstance(value, list) and value else value
        ),
    }
    changes[kind]()


def _add(draw: st.DrawFn, container: object, value: object) -> None:
    """Add an unknown key to the table *value* (or to *container*)."""
    target = value if isinstance(value, dict) else container
    if isinstance(target, dict):
        target[draw(st.text(min_size=1, max_size=8))] = draw(toml_values)
    elif isinstance(target, list):
        target.append(draw(toml_values))


@st.composite
def documents(draw: st.DrawFn) -> str:
    """The reference policy file (with its people, or not) changed zero to three times, as TOML."""
    data = copy.deepcopy(REFERENCE)
    if draw(st.booleans()):
        data["people"] = copy.deepcopy(PEOPLE)
    for _ in range(draw(st.integers(0, 3))):
        draw(_change(data))
    return write(data)
