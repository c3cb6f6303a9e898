"""Spans: the weekly stretches of wall-clock time a window is made of.

A :class:`Span` starts at a time of day on each of its :class:`Weekday` s and
ends at another, as people write it (``Span.of(days="Sat Sun", start="09:00",
end="12:00")``); this module reads days and times of day the way people write
them, checks them, and writes a span back as a person would. Which instants a
span covers depends on the zone its window is read in: see
:mod:`~releasekit._rules.windows`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import Any, Final

import attrs

from releasekit.exceptions import InvalidInputError

__all__ = ["Span", "Weekday"]

_CLOCK: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DAY_SEPARATORS: Final = re.compile(r"[\s,]+")


class Weekday(enum.IntEnum):
    """A day of the week, numbered as :meth:`datetime.date.weekday` numbers them."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6

    @classmethod
    def parse(cls, text: str) -> Weekday:
        """Return the day *text* names.

        Accepts the English name or any abbreviation of it of three letters or
        more, in any case: ``"sat"``, ``"Saturday"``, ``"SAT"``, ``"Thurs"``.

        Args:
            text: The name of a day.

        Raises:
            InvalidInputError: *text* names no day of the week.
        """
        return _parse_weekday(text, field="day")


def _parse_weekday(text: object, *, field: str) -> Weekday:
    word = text.strip().lower() if isinstance(text, str) else ""
    if len(word) >= 3:  # noqa: PLR2004  the shortest unambiguous abbreviation
        for day in Weekday:
            if day.name.lower().startswith(word):
                return day
    raise InvalidInputError(
        f"{text!r} is not a day of the week; use a name such as 'Sat' or 'Saturday'",
        field=field,
        value=text,
    )


def _to_days(value: Iterable[Weekday]) -> frozenset[Weekday]:
    given: object = value
    if isinstance(given, str) or not isinstance(given, Iterable):
        raise InvalidInputError(
            f"days must be a collection of Weekday members, not {given!r}; "
            f"to give day names such as 'Sat Sun', use Span.of",
            field="days",
            value=given,
        )
    days = set()
    for item in given:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < len(Weekday):
            raise InvalidInputError(
                f"days must hold Weekday members only; {item!r} is not one "
                f"(to give day names such as 'Sat Sun', use Span.of)",
                field="days",
                value=given,
            )
        days.add(Weekday(item))
    if not days:
        raise InvalidInputError(
            "days is empty; a span needs at least one day it starts on, such as 'Sat Sun'",
            field="days",
            value=given,
        )
    return frozenset(days)


def _parse_days(value: str | Iterable[str | Weekday]) -> Iterable[Weekday]:
    if isinstance(value, str):
        return [_parse_weekday(word, field="days") for word in _DAY_SEPARATORS.split(value) if word]
    given: object = value
    if not isinstance(given, Iterable):
        return value  # type: ignore[return-value]  # Span's converter refuses it with a sentence
    return [_parse_weekday(day, field="days") if isinstance(day, str) else day for day in value]


def _parse_clock(value: str | dt.time, *, field: str, end_of_day: bool) -> dt.time:
    if not isinstance(value, str):
        return value  # Span's validator checks everything else.
    match = _CLOCK.fullmatch(value.strip())
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if end_of_day and (hour, minute, second) == (24, 0, 0):
            return dt.time(0)
        if hour < 24 and minute < 60 and second < 60:  # noqa: PLR2004  clock limits
            return dt.time(hour, minute, second)
    example = "'12:00', or '24:00' for midnight at the end of the day" if end_of_day else "'09:00'"
    raise InvalidInputError(
        f"{field} {value!r} is not a time of day; use 24-hour HH:MM such as {example}",
        field=field,
        value=value,
    )


def _check_clock(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.name
    if not isinstance(value, dt.time):
        raise InvalidInputError(
            f"{name} must be a time of day such as datetime.time(9, 0) "
            f"(or, through Span.of, '09:00'), not {value!r}",
            field=name,
            value=value,
        )
    if value.tzinfo is not None:
        raise InvalidInputError(
            f"{name} {value.isoformat()} carries a time zone; give a wall-clock time without "
            f"tzinfo: the window's timezone says where the clock is read",
            field=name,
            value=value,
        )
    if value.microsecond:
        raise InvalidInputError(
            f"{name} {value.isoformat()} has a fraction of a second; "
            f"give a time to the minute or to the second",
            field=name,
            value=value,
        )


@attrs.frozen(kw_only=True)
class Span:
    """One weekly stretch of local wall-clock time.

    The stretch starts at *start* on each of *days* and ends at *end*: the same
    day when *end* is later than *start*, otherwise the next day (it crosses
    midnight). ``end == start`` means 24 hours, and an *end* of midnight
    (``"24:00"`` through :meth:`of`) means the end of the day. The start is
    inside the span, the end is not.

    Attributes:
        days: The days the span *starts* on; never empty.
        start: When it opens, as a naive wall-clock time.
        end: When it closes, as a naive wall-clock time.
    """

    days: frozenset[Weekday] = attrs.field(converter=_to_days)
    start: dt.time = attrs.field(validator=_check_clock)
    end: dt.time = attrs.field(validator=_check_clock)

    @classmethod
    def of(
        cls,
        *,
        days: str | Iterable[str | Weekday],
        start: str | dt.time,
        end: str | dt.time,
    ) -> Span:
        """Build a span from the way people write one.

        Args:
            days: Day names separated by spaces or commas (``"Sat Sun"``), or
                an iterable of names or :class:`Weekday` members.
            start: ``"HH:MM"`` or ``"HH:MM:SS"`` on a 24-hour clock, or a
                naive :class:`datetime.time`.
            end: Like *start*; ``"24:00"`` means midnight at the end of the day.

        Raises:
            InvalidInputError: A day, a time or the set of days cannot be used.
        """
        return cls(
            days=_parse_days(days),
            start=_parse_clock(start, field="start", end_of_day=False),
            end=_parse_clock(end, field="end", end_of_day=True),
        )


def _clock_text(clock: dt.time) -> str:
    return clock.strftime("%H:%M:%S" if clock.second else "%H:%M")


def _describe_span(span: Span) -> str:
    days = ", ".join(day.name[:3].title() for day in sorted(span.days))
    start = _clock_text(span.start)
    if span.end == dt.time(0):
        return f"{days} {start}\N{EN DASH}24:00"
    ends = "" if span.end > span.start else " (next day)"
    return f"{days} {start}\N{EN DASH}{_clock_text(span.end)}{ends}"
