"""The ``[[freezes]]`` tables of a policy file, read strictly, every problem with its path.

A freeze is written as::

    [[freezes]]
    name = "christmas"
    reason = "the office is closed"
    timezone = "Europe/London"
    yearly = [{ first = "12-24", last = "12-26" }]
    dates = [{ first = 2027-04-02, last = 2027-04-05 }]
    intervals = [{ start = 2027-01-15T18:00:00Z, end = 2027-01-18T06:00:00Z }]
    recurrences = [
      { rule = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-7", start = 2026-01-01, duration = "7d" },
    ]
    ics = "holidays.ics"
    environments = ["production"]
    kinds = ["normal"]

Dates are TOML dates, instants TOML date-times with an offset, yearly days
``"MM-DD"`` strings. ``ics`` names a calendar file relative to the policy
file: the only thing reading a policy file reads besides the policy itself.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from releasekit import calendars
from releasekit._policy_files import _policy_values as values
from releasekit._policy_files._policy_values import Problem, key, kind_of, shown
from releasekit._rules._zones import _check_timezone
from releasekit._rules.freeze_dates import FreezeDates, FreezeInterval, YearlyDates
from releasekit._rules.freezes import Freeze
from releasekit._rules.recurrences import Recurrence
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["read_freezes"]

_KEYS: Final = (
    "name",
    "reason",
    "timezone",
    "dates",
    "intervals",
    "yearly",
    "recurrences",
    "ics",
    "environments",
    "kinds",
)
_PART_KEYS: Final = {
    "dates": ("first", "last"),
    "intervals": ("start", "end"),
    "yearly": ("first", "last"),
    "recurrences": ("rule", "start", "duration", "exceptions"),
}


class _Collector:
    """Collects the sentences of every problem, each after its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def read(self, path: str, reader: Callable[[object], Any], value: object) -> Any:  # noqa: ANN401  # what reader reads
        try:
            return reader(value)
        except Problem as problem:
            example = f", e.g. {path.rpartition('.')[2]} = {problem.example}"
            self.add(
                f"{path}{problem.suffix}", problem.message + (example if problem.example else "")
            )
        except InvalidInputError as error:
            self.add(path, str(error))
        return None

    def build(self, path: str, cls: Callable[..., Any], **fields: object) -> Any:  # noqa: ANN401  # a value of cls
        try:
            return cls(**fields)
        except InvalidInputError as error:
            self.add(f"{path}.{error.field}" if error.field in fields else path, str(error))
        return None


def _date(value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    written = f"{value.isoformat()}"[:10] if isinstance(value, dt.date) else "2026-12-24"
    message = f"{shown(value)} is {kind_of(value)}, not a date; write a TOML date without quotes"
    raise Problem(message, example=written)


def _local_start(value: object) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    message = (
        f"{shown(value)} is {kind_of(value)}, not a local date or date and time; write a TOML "
        "date or local date-time without quotes and without an offset (timezone says where)"
    )
    raise Problem(message, example="2026-01-01")


def _instant(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    message = (
        f"{shown(value)} is {kind_of(value)}, not an instant; write a TOML date-time with an "
        "offset, without quotes"
    )
    raise Problem(message, example="2026-12-24T18:00:00Z")


def _day_of_year(value: object) -> str:
    if isinstance(value, str):
        return value  # YearlyDates reads it and says what is wrong with it
    message = f"{shown(value)} is {kind_of(value)}, not a day of the year; write MM-DD in quotes"
    raise Problem(message, example='"12-24"')


def _zone(value: object) -> str:
    zone = values.text(value)
    _check_timezone(None, None, zone)  # type: ignore[arg-type]  # only the value is read
    return zone


def _names(value: object) -> tuple[str, ...]:
    read = values.listed(tuple[str, ...], values.text)
    return read(value, tuple[str, ...])  # type: ignore[return-value]  # a tuple of strings


def _exceptions(value: object) -> tuple[object, ...]:
    read = values.listed(tuple[object, ...], lambda item, _type: _local_start(item))
    return read(value, tuple[object, ...])  # type: ignore[return-value]  # a tuple, as asked


_READERS: Final[dict[str, dict[str, Callable[[object], Any]]]] = {
    "dates": {"first": _date, "last": _date},
    "intervals": {"start": _instant, "end": _instant},
    "yearly": {"first": _day_of_year, "last": _day_of_year},
    "recurrences": {
        "rule": values.text,
        "start": _local_start,
        "duration": values.duration,
        "exceptions": _exceptions,
    },
}
_CLASSES: Final[dict[str, type]] = {
    "dates": FreezeDates,
    "intervals": FreezeInterval,
    "yearly": YearlyDates,
    "recurrences": Recurrence,
}


def _unknown(found: _Collector, path: str, table: dict[str, Any], known: tuple[str, ...]) -> None:
    for extra in sorted(set(table) - set(known)):
        close = difflib.get_close_matches(str(extra), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use {', '.join(known)}"
        found.add(f"{path}.{key(extra)}", f"unknown key; {hint}")


def _part_list(found: _Collector, path: str, name: str, value: object) -> list[Any]:
    if not isinstance(value, list):
        found.add(
            f"{path}.{name}",
            f"{shown(value)} is {kind_of(value)}, not a list; write a list of tables in brackets, "
            f"e.g. {name} = [{{ {', '.join(f'{k} = ...' for k in _PART_KEYS[name][:2])} }}]",
        )
        return []
    parts = []
    for index, item in enumerate(value):
        where = f"{path}.{name}[{index}]"
        if not isinstance(item, dict):
            found.add(
                where, f"{shown(item)} is {kind_of(item)}, not a table; write a table in braces"
            )
            continue
        _unknown(found, where, item, _PART_KEYS[name])
        readers = _READERS[name]
        fields = {}
        for field, reader in readers.items():
            if field in item:
                fields[field] = found.read(f"{where}.{field}", reader, item[field])
            elif field == "last" and name == "dates" and "first" in item:
                fields[field] = fields.get("first")  # one date: first is last
            elif field != "exceptions":
                found.add(f"{where}.{field}", "this key is required")
        if all(item is not None for item in fields.values()) and len(fields) >= 2:  # noqa: PLR2004
            parts.append(found.build(where, _CLASSES[name], **fields))
    return parts


def _calendar(found: _Collector, path: str, value: object, directory: Path | None) -> list[Any]:
    name = found.read(path, values.text, value)
    if name is None:
        return []
    file = Path(name) if directory is None else directory / name
    try:
        return [calendars.read_ics(file)]
    except InvalidInputError as error:
        found.add(path, str(error))
        return []


def _freeze(found: _Collector, path: str, table: dict[str, Any], directory: Path | None) -> Any:  # noqa: ANN401  # a Freeze or None
    _unknown(found, path, table, _KEYS)
    before = len(found.problems)
    fields: dict[str, Any] = {}
    for field, reader in (("name", values.text), ("reason", values.text), ("timezone", _zone)):
        if field in table:
            fields[field] = found.read(f"{path}.{field}", reader, table[field])
        else:
            found.add(f"{path}.{field}", "this key is required")
    for field in ("environments", "kinds"):
        if field in table:
            fields[field] = found.read(f"{path}.{field}", _names, table[field])
    for field in _PART_KEYS:
        if field in table:
            fields[field] = tuple(_part_list(found, path, field, table[field]))
    if "ics" in table:
        fields["calendars"] = tuple(_calendar(found, f"{path}.ics", table["ics"], directory))
    if len(found.problems) > before:
        return None
    return found.build(path, Freeze, **fields)


def read_freezes(data: object, directory: Path | None) -> tuple[tuple[Freeze, ...], list[str]]:
    """Return the freezes of a policy file's ``freezes`` value, and every problem found.

    Args:
        data: What the file holds under ``freezes``.
        directory: Where file names (``ics``) are read from; ``None``: the working directory.
    """
    found = _Collector()
    if not isinstance(data, list):
        found.add(
            "freezes",
            f"{shown(data)} is {kind_of(data)}; write each freeze as a [[freezes]] table",
        )
        return (), found.problems
    freezes = []
    for index, table in enumerate(data):
        path = f"freezes[{index}]"
        if not isinstance(table, dict):
            found.add(path, f"{shown(table)} is {kind_of(table)}; a freeze is a table with a name")
            continue
        freeze = _freeze(found, path, table, directory)
        if freeze is not None:
            freezes.append(freeze)
    return tuple(freezes), found.problems
