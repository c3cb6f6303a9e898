"""The values of a policy file, read strictly: each of the type it must be, or a problem.

A policy file is written by people, and TOML lets them write anything anywhere.
Where a list of names belongs, a string is refused (it is never split into
letters); where ``true`` or ``false`` belongs, the string ``"false"`` and the
number ``1`` are refused; where a whole number belongs, ``true`` is refused.
Every refusal is a :class:`Problem` that says what was found and what to write
instead, e.g. ``"anton" is a string, not a list; write a list, e.g.
owners = ["anton"]``. The policy-file reader puts the path in front.

The hooks here are registered on the policy-file dialect of releasekit's
converter, so every field of every class a file builds is read through them,
whatever its name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING, Any, Final, get_args, get_origin

import attrs
from cattrs.errors import IterableValidationError, IterableValidationNote

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "MAX_COUNT",
    "MAX_DURATION",
    "Problem",
    "count",
    "duration",
    "flag",
    "is_listed",
    "key",
    "kind_of",
    "listed",
    "shown",
    "table",
    "text",
    "time_of_day",
]

#: The largest whole number a policy file may hold: every number in one counts people.
MAX_COUNT: Final = 1000

#: The longest duration a policy file may hold; anything longer is a slip of the keyboard.
MAX_DURATION: Final = dt.timedelta(days=366)

_DURATION: Final = re.compile(
    r"^\s*(?:(\d{1,12})\s*d)?\s*(?:(\d{1,12})\s*h)?\s*(?:(\d{1,12})\s*m)?\s*(?:(\d{1,12})\s*s)?\s*$"
)
_CLOCK: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_SHOWN: Final = 40
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


class Problem(Exception):  # noqa: N818  # a carrier the policy-file reader turns into a sentence
    """A value of a policy file that cannot be used, and what to write instead.

    Attributes:
        message: What is wrong and what to do, without the path.
        suffix: The path below the value being read, e.g. ``".factory"``.
        example: A value to show after the message as ``e.g. <key> = <example>``.
    """

    def __init__(self, message: str, *, suffix: str = "", example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suffix = suffix
        self.example = example


#: The TOML types, in the order they must be told apart (a bool is an int, a datetime a date).
_KINDS: Final = (
    (bool, "a boolean"),
    (int, "a whole number"),
    (float, "a number with a fraction"),
    (str, "a string"),
    (list | tuple, "a list"),
    (dict, "a table"),
    (dt.datetime, "a date and time"),
    (dt.date, "a date"),
    (dt.time, "a time of day"),
)

#: How many items of a list or table :func:`shown` writes out.
_ITEMS_SHOWN: Final = 3


def kind_of(value: object) -> str:
    """Name the TOML type of *value* the way a person would: ``a string``, ``a list``."""
    for kind, name in _KINDS:
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"


def _toml(value: object) -> str:  # noqa: PLR0911  # one return per TOML type
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return (
            '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'
        )
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list | tuple):
        more = ", ...]" if len(value) > _ITEMS_SHOWN else "]"
        return "[" + ", ".join(_toml(item) for item in value[:_ITEMS_SHOWN]) + more
    if isinstance(value, dict):
        items = [f"{key} = {_toml(item)}" for key, item in list(value.items())[:_ITEMS_SHOWN]]
        return "{ " + ", ".join(items) + (", ... }" if len(value) > _ITEMS_SHOWN else " }")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return repr(value)


def key(name: object) -> str:
    """Write a key of a file as TOML would: bare when it can be, else quoted and escaped."""
    text = str(name)
    return text if _BARE_KEY.fullmatch(text) else shown(text)


def shown(value: object) -> str:
    """Show *value* as it is written in TOML, cut to a readable length."""
    written = _toml(value)
    return written if len(written) <= _SHOWN else f"{written[: _SHOWN - 3]}..."


def _quoted(value: object) -> str:
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return _toml(" ".join(value))
    if isinstance(value, bool | int | float | dt.date | dt.time):
        return _toml(_toml(value))
    return '"..."'


def text(value: object, _type: object = None) -> str:
    """Read a string; anything else (a number, a list, ``true``) is refused."""
    if isinstance(value, str):
        return value
    message = f"{shown(value)} is {kind_of(value)}, not a string; write it in quotes"
    raise Problem(message, example=_quoted(value))


_TRUE: Final = frozenset({"true", "yes", "on", "1"})


def flag(value: object, _type: object = None) -> bool:
    """Read ``true`` or ``false``; the string ``"false"`` and the number ``1`` are refused."""
    if isinstance(value, bool):
        return value
    said = str(value).strip().lower()
    example = "true" if said in _TRUE or value == 1 else "false"
    message = (
        f"{shown(value)} is {kind_of(value)}, not true or false; write true or false without quotes"
    )
    raise Problem(message, example=example)


def count(value: object, _type: object = None) -> int:
    """Read a whole number from 0 to :data:`MAX_COUNT`; ``true``, ``"2"``, ``2.0`` are refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= MAX_COUNT:
            return value
        message = f"{value} is out of range; write a whole number from 0 to {MAX_COUNT}"
        raise Problem(message)
    digits = value.strip() if isinstance(value, str) else ""
    example = digits if digits.isdecimal() and len(digits) < 5 else "2"  # noqa: PLR2004  # a plausible count
    how = "without quotes" if isinstance(value, str) else "such as 2"
    message = f"{shown(value)} is {kind_of(value)}, not a whole number; write a whole number {how}"
    raise Problem(message, example=example)


def duration(value: object, _type: object = None) -> dt.timedelta:
    """Read a duration: ``"4h"``, ``"1h30m"``, ``"90s"``, ``"2d"``, or a number of seconds.

    Durations are positive or zero and at most :data:`MAX_DURATION`.
    """
    found: dt.timedelta | None = None
    if isinstance(value, dt.timedelta):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value) and 0 <= value <= MAX_DURATION.total_seconds():
            found = dt.timedelta(seconds=value)
        elif math.isfinite(value) and value > 0:
            found = MAX_DURATION + MAX_DURATION  # too long: refused below
    elif isinstance(value, str) and value.strip() and (match := _DURATION.match(value)):
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        found = (
            dt.timedelta(seconds=total)
            if total <= MAX_DURATION.total_seconds()
            else MAX_DURATION + MAX_DURATION
        )
    if found is not None and found > MAX_DURATION:
        message = (
            f"{shown(value)} is longer than {MAX_DURATION.days} days; write a shorter duration"
        )
        raise Problem(message, example='"4h"')
    if (
        found is None
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < 0
    ):
        message = f"{shown(value)} is negative; write a duration of zero or more"
        raise Problem(message, example='"4h"')
    if found is None:
        message = (
            f"{shown(value)} is not a duration; write it in quotes like '30m', '4h', '1h30m' "
            "or '2d', or as a number of seconds"
        )
        raise Problem(message, example='"4h"')
    return found


def time_of_day(value: object, _type: object = None) -> dt.time:
    """Read a wall-clock time: ``"09:00"``, ``"09:00:30"`` or a TOML local time; no zone."""
    if isinstance(value, dt.time) and not value.tzinfo and not value.microsecond:
        return value
    if isinstance(value, str) and (match := _CLOCK.fullmatch(value.strip())):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:  # noqa: PLR2004  # clock limits
            return dt.time(hour, minute, second)
    message = (
        f"{shown(value)} is not a time of day; write 24-hour HH:MM in quotes, without a zone "
        "(the timezone key says where the clock is read)"
    )
    raise Problem(message, example='"00:00"')


def is_listed(kind: object) -> bool:
    """Whether *kind* is a homogeneous tuple or a frozenset: a TOML list in a file."""
    origin = get_origin(kind)
    arguments = get_args(kind)
    if origin is tuple:
        return len(arguments) == 2 and arguments[1] is Ellipsis  # noqa: PLR2004  # tuple[X, ...]
    return origin in {frozenset, set} and len(arguments) == 1


def _list_example(value: object, item: object) -> str:
    if item is str:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return f"[{_toml(str(value))}]"
        return '["..."]'
    written = _toml(value)
    if isinstance(value, dict) and len(written) <= _SHOWN + _SHOWN:
        return f"[{written}]"
    return "[{ ... }]"


def listed(
    kind: Any,  # noqa: ANN401  # any tuple[X, ...] or frozenset[X]
    structure_item: Callable[[object, Any], object],
) -> Callable[[object, object], object]:
    """Return a hook that reads a TOML list of *kind*'s items, each through *structure_item*.

    A value that is not a list is refused (a string is never split into
    letters); every item that cannot be read is reported with its index.
    """
    origin = get_origin(kind)
    item = get_args(kind)[0]
    build: Callable[[list[object]], object] = tuple if origin is tuple else frozenset

    def read(value: object, _type: object) -> object:
        if not isinstance(value, list):
            what = "a list of strings" if item is str else "a list of tables"
            message = f"{shown(value)} is {kind_of(value)}, not a list; write {what} in brackets"
            raise Problem(message, example=_list_example(value, item))
        errors: list[Exception] = []
        result: list[object] = []
        for index, element in enumerate(value):
            try:
                result.append(structure_item(element, item))
            except Exception as error:  # noqa: BLE001  # every item's problem is reported
                error.add_note(IterableValidationNote(f"@ index {index}", index, item))
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {kind!r}", errors, kind)
        return build(result)

    return read


def table(cls: type[Any], read: Callable[[Any, Any], object]) -> Callable[[object, Any], object]:
    """Return a hook that refuses anything but a TOML table before *read* builds a *cls*."""
    keys = [field.alias for field in attrs.fields(cls) if field.init]

    def structure(value: object, kind: Any) -> object:  # noqa: ANN401  # any attrs class
        if not isinstance(value, dict):
            message = (
                f"{shown(value)} is {kind_of(value)}, not a table; write a table in braces "
                f"with the keys {', '.join(keys)}"
            )
            raise Problem(message, example=f"{{ {keys[0]} = ... }}" if keys else "{ }")
        return read(value, kind)

    return structure
