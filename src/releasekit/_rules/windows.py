"""Time windows: weekly stretches of wall-clock time in a named place.

A :class:`Window` says when something may happen, such as deploying to
production, as weekly :class:`Span` s of *local wall-clock time* read in one
IANA time zone. The reference policy's production window is::

    Window.weekends(start="09:00", end="12:00", timezone="UTC")

Every instant handed in must be aware (a naive datetime raises
:class:`~releasekit.exceptions.NaiveDatetimeError`), and every instant handed
back is an aware :class:`pendulum.DateTime` in UTC. Nothing here reads the
clock: "now" is always an argument.

UTC, "GMT" and Europe/London are not the same window
-----------------------------------------------------
When the team's process says "GMT" it means UTC all year round. The zone a
window is written in decides which instants it covers:

* ``timezone="UTC"`` (or ``"GMT"``, the same thing): Saturday 09:00 is
  09:00 UTC in January *and* in July.
* ``timezone="Europe/London"``: Saturday 09:00 is 09:00 UTC in winter
  (GMT) but 08:00 UTC in summer (BST), an hour earlier.

Neither is wrong, but mixing them up moves a production window by an hour for
seven months of the year, so the zone is always spelled out: fixed offsets such
as ``"+01:00"`` are refused in favour of IANA names.

Daylight saving time
--------------------
Membership is decided by local wall time alone. When clocks go forward, a
start time that does not exist that day opens the window at the change itself
(the first instant whose local time is at or past the start); a span that lies
wholly in the skipped hour does not open that day. When clocks go back, a
local hour that happens twice is inside the window both times, so a span
over the repeated hour stays open for both of them.

Answers are worked out, not searched for: the spans become seconds of the
local week, and between two clock changes of the zone the next opening or
closing is a subtraction (see ``_weekly``). A zone's clock changes are looked
up once per day asked about, in a small bounded cache.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import functools
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any, Final

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import from_posix, instant, posix_second
from releasekit._rules._weekly import DAY, WEEK, LocalWeek
from releasekit.exceptions import InvalidInputError

__all__ = ["Opening", "Span", "Weekday", "Window"]

_CLOCK: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DAY_SEPARATORS: Final = re.compile(r"[\s,]+")
_FIXED_OFFSET: Final = re.compile(
    r"(?:UTC|GMT)?\s*[+\-\u2212][0-9]{1,2}(?::?[0-9]{2})?|Z|Etc/GMT[+-][0-9]{1,2}",
    re.IGNORECASE,
)
#: Names the time zone database answers to that do not name a place.
_NOT_PLACES: Final = frozenset({"localtime", "posixrules", "Factory"})
_EXAMPLE_ZONES: Final = "use a name such as 'UTC' or 'Europe/London'"


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


def _to_start(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="start")


def _to_end(value: dt.datetime | None) -> pendulum.DateTime | None:
    return None if value is None else instant(value, field="end")


@attrs.frozen(kw_only=True)
class Opening:
    """One contiguous period during which a window is open.

    Attributes:
        start: The first instant inside, aware and in UTC.
        end: The first instant outside again, aware and in UTC; ``None``
            only for a window that never closes.
    """

    start: pendulum.DateTime = attrs.field(converter=_to_start)
    end: pendulum.DateTime | None = attrs.field(converter=_to_end)

    @end.validator
    def _check_end(self, _attribute: attrs.Attribute[Any], value: pendulum.DateTime | None) -> None:
        if value is not None and value <= self.start:
            raise InvalidInputError(
                f"an opening must end after it starts, but it starts at {self.start} "
                f"and ends at {value}",
                field="end",
                value=value,
            )


def _check_timezone(_instance: object, _attribute: attrs.Attribute[Any], name: object) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            f"timezone must be an IANA time zone name, not {name!r}; {_EXAMPLE_ZONES}",
            field="timezone",
            value=name,
        )
    if _FIXED_OFFSET.fullmatch(name.strip()):
        inverted = " (and Etc/GMT names invert the sign)" if name.startswith("Etc/") else ""
        raise InvalidInputError(
            f"timezone {name!r} is a fixed UTC offset, which never follows daylight saving "
            f"time{inverted}; use an IANA time zone name such as 'UTC' (the same all year) "
            f"or 'Europe/London' (which follows British Summer Time)",
            field="timezone",
            value=name,
        )
    if not _is_zone_name(name):
        raise InvalidInputError(
            f"timezone {name!r} is not an IANA time zone name; {_EXAMPLE_ZONES}"
            f"{_suggest_zone(name)}",
            field="timezone",
            value=name,
        )


def _is_zone_name(name: str) -> bool:
    if name in _NOT_PLACES:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _suggest_zone(name: str) -> str:
    known = {zone.lower(): zone for zone in zoneinfo.available_timezones() - _NOT_PLACES}
    close = known.get(name.strip().lower())
    if close is None:
        matches = difflib.get_close_matches(name.strip().lower(), known, n=1, cutoff=0.8)
        close = known[matches[0]] if matches else None
    return "" if close is None else f" (did you mean {close!r}?)"


def _to_spans(value: Iterable[Span]) -> tuple[Span, ...]:
    given: object = value
    spans = tuple(given) if isinstance(given, Iterable) and not isinstance(given, str) else None
    if not spans:
        raise InvalidInputError(
            f"spans must be a non-empty collection of Span, not {given!r}; "
            f"a window needs at least one span, such as Span.of(days='Sat', "
            f"start='09:00', end='12:00')",
            field="spans",
            value=given,
        )
    for span in spans:
        if not isinstance(span, Span):
            raise InvalidInputError(
                f"spans must hold Span values only; {span!r} is not one",
                field="spans",
                value=given,
            )
    return spans


def _seconds(clock: dt.time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def _week_intervals(spans: Iterable[Span]) -> tuple[tuple[int, int], ...]:
    """Return the spans as merged ``[begin, end)`` seconds of the local week."""
    pieces = []
    for span in spans:
        start = _seconds(span.start)
        length = (_seconds(span.end) - start) % DAY or DAY
        for day in span.days:
            begin = day * DAY + start
            if begin + length <= WEEK:
                pieces.append((begin, begin + length))
            else:  # Sunday into Monday: split where the week wraps.
                pieces.extend([(begin, WEEK), (0, begin + length - WEEK)])
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(pieces):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return tuple(merged)


def _clock_text(clock: dt.time) -> str:
    return clock.strftime("%H:%M:%S" if clock.second else "%H:%M")


def _describe_span(span: Span) -> str:
    days = ", ".join(day.name[:3].title() for day in sorted(span.days))
    start = _clock_text(span.start)
    if span.end == dt.time(0):
        return f"{days} {start}\N{EN DASH}24:00"
    ends = "" if span.end > span.start else " (next day)"
    return f"{days} {start}\N{EN DASH}{_clock_text(span.end)}{ends}"


@attrs.frozen(kw_only=True)
class Window:
    """Weekly periods of local wall-clock time, read in one IANA time zone.

    The window is open whenever the local time in *timezone* falls inside any
    of its spans; spans may overlap or touch, and their union counts.

    The zone matters: when the team's process says "GMT" it means UTC all
    year, so write ``timezone="UTC"`` (``"GMT"`` is the same zone). A window
    written in ``"Europe/London"`` follows British Summer Time instead, and
    opens an hour earlier in UTC terms from late March to late October::

        >>> import pendulum
        >>> july = pendulum.datetime(2026, 7, 3, 18, tz="UTC")
        >>> str(Window.weekends(start="09:00", end="12:00").next_opening(july))
        '2026-07-04 09:00:00+00:00'
        >>> str(Window.weekends(
        ...     start="09:00", end="12:00", timezone="Europe/London"
        ... ).next_opening(july))
        '2026-07-04 08:00:00+00:00'

    Every instant given must be aware; every instant returned is an aware
    :class:`pendulum.DateTime` in UTC.

    Attributes:
        name: What the window is for, for people reading it.
        timezone: The IANA name of the zone whose wall clock the spans follow.
        spans: The weekly stretches during which the window is open.
    """

    name: str = attrs.field(default="window", validator=_validate.text)
    timezone: str = attrs.field(validator=_check_timezone)
    spans: tuple[Span, ...] = attrs.field(converter=_to_spans)

    @functools.cached_property
    def _week(self) -> LocalWeek:
        """The spans as merged seconds of the local week, with the zone they are read in."""
        return LocalWeek(_week_intervals(self.spans), self.timezone)

    @functools.cached_property
    def _description(self) -> str:
        spans = "; ".join(_describe_span(span) for span in self.spans)
        return f"{spans} ({self.timezone})"

    @classmethod
    def weekly(
        cls,
        *,
        days: str | Iterable[str | Weekday],
        start: str | dt.time,
        end: str | dt.time,
        timezone: str,
        name: str = "window",
    ) -> Window:
        """Build a window of one span, as :meth:`Span.of` reads it.

        Args:
            days: The days the span starts on, such as ``"Sat Sun"``.
            start: When it opens, such as ``"09:00"``.
            end: When it closes, such as ``"12:00"`` or ``"24:00"``.
            timezone: The IANA zone whose wall clock it follows.
            name: What the window is for.

        Raises:
            InvalidInputError: Any of the values cannot be used.
        """
        return cls(name=name, timezone=timezone, spans=(Span.of(days=days, start=start, end=end),))

    @classmethod
    def weekends(
        cls,
        *,
        start: str | dt.time,
        end: str | dt.time,
        timezone: str = "UTC",
        name: str = "weekend window",
    ) -> Window:
        """Build a window open on Saturdays and Sundays from *start* to *end*.

        Args:
            start: When it opens each day, such as ``"09:00"``.
            end: When it closes, such as ``"12:00"``.
            timezone: The IANA zone whose wall clock it follows; UTC unless given.
            name: What the window is for.

        Raises:
            InvalidInputError: Any of the values cannot be used.
        """
        return cls.weekly(
            days=(Weekday.SATURDAY, Weekday.SUNDAY),
            start=start,
            end=end,
            timezone=timezone,
            name=name,
        )

    def contains(self, at: dt.datetime) -> bool:
        """Return whether the window is open at *at*.

        Args:
            at: An aware instant.

        Raises:
            NaiveDatetimeError: *at* has no time zone.
        """
        second = posix_second(at, field="at")
        return self._week.is_open(second, self._week.offset_at(second))

    def next_opening(self, after: dt.datetime) -> pendulum.DateTime:
        """Return the earliest instant at or after *after* when the window is open.

        That is *after* itself when the window is open then.

        Args:
            after: An aware instant.

        Raises:
            NaiveDatetimeError: *after* has no time zone.
        """
        second = posix_second(after, field="after")
        week = self._week
        offset = week.offset_at(second)
        if week.is_open(second, offset):
            return instant(after, field="after")
        return from_posix(week.next_change(second, offset, to_open=True))

    def next_openings(self, after: dt.datetime, n: int) -> tuple[Opening, ...]:
        """Return the next *n* periods during which the window is open, in order.

        The first is the one open at *after*, if any, with its real start,
        which may lie before *after*. A window that never closes has a single
        opening, so fewer than *n* come back.

        Args:
            after: An aware instant.
            n: How many openings to return; at least 1.

        Raises:
            NaiveDatetimeError: *after* has no time zone.
            InvalidInputError: *n* is not a positive whole number.
        """
        second = posix_second(after, field="after")
        count: object = n
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidInputError(
                f"n must be a whole number of openings, 1 or more, not {count!r}",
                field="n",
                value=count,
            )
        week = self._week
        if week.always_open:
            return (Opening(start=instant(after, field="after"), end=None),)
        offset = week.offset_at(second)
        if week.is_open(second, offset):
            start = week.opened_at(second, offset)
        else:
            start = week.next_change(second, offset, to_open=True)
        openings: list[Opening] = []
        while True:
            end = week.next_change(start, week.offset_at(start), to_open=False)
            openings.append(Opening(start=from_posix(start), end=from_posix(end)))
            if len(openings) == n:
                return tuple(openings)
            start = week.next_change(end, week.offset_at(end), to_open=True)

    def current_opening(self, at: dt.datetime) -> Opening | None:
        """Return the period during which the window is open that contains *at*.

        Args:
            at: An aware instant.

        Returns:
            The opening, with its real start, or ``None`` when the window is
            closed at *at*. A window that never closes has no real start:
            its opening starts at *at*.

        Raises:
            NaiveDatetimeError: *at* has no time zone.
        """
        second = posix_second(at, field="at")
        week = self._week
        offset = week.offset_at(second)
        if not week.is_open(second, offset):
            return None
        if week.always_open:
            return Opening(start=instant(at, field="at"), end=None)
        return Opening(
            start=from_posix(week.opened_at(second, offset)),
            end=from_posix(week.next_change(second, offset, to_open=False)),
        )

    def describe(self) -> str:
        """Return the window as a person would write it.

        Days are abbreviated and the times joined by an en dash, as in
        ``Sat, Sun 09:00\N{EN DASH}12:00 (UTC)``; a span that crosses midnight
        says so, as in ``Fri 22:00\N{EN DASH}02:00 (next day) (Europe/London)``,
        and spans are separated by semicolons.
        """
        return self._description

    def __str__(self) -> str:
        return self._description
