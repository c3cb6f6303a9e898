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
"""

from __future__ import annotations

import bisect
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
from releasekit._rules._time import instant
from releasekit.exceptions import InvalidInputError

__all__ = ["Opening", "Span", "Weekday", "Window"]

_DAY: Final = 86_400
_WEEK: Final = 7 * _DAY
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_DAY: Final = dt.timedelta(days=1)
_ONE_SECOND: Final = dt.timedelta(seconds=1)
#: How far one search step looks: a week and a day, so one step sees every
#: local wall time at least once.
_SEARCH_STEP: Final = dt.timedelta(days=8)
#: Search steps before giving up. A window that is not always open closes at
#: least once in any fortnight (a skipped hour can hide one week's occurrence
#: of a wall time, never two in a row), so this bound is never reached.
_MAX_STEPS: Final = 8
#: Offsets are compared this far apart when looking for clock changes; no
#: zone changes its UTC offset twice within six hours.
_OFFSET_PROBE: Final = 6 * 3600

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
        length = (_seconds(span.end) - start) % _DAY or _DAY
        for day in span.days:
            begin = day * _DAY + start
            if begin + length <= _WEEK:
                pieces.append((begin, begin + length))
            else:  # Sunday into Monday: split where the week wraps.
                pieces.extend([(begin, _WEEK), (0, begin + length - _WEEK)])
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(pieces):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return tuple(merged)


def _utc(moment: pendulum.DateTime) -> dt.datetime:
    return dt.datetime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=dt.UTC,
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
    def _zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @functools.cached_property
    def _intervals(self) -> tuple[tuple[int, int], ...]:
        """The spans as merged ``[begin, end)`` seconds of the local week."""
        return _week_intervals(self.spans)

    @functools.cached_property
    def _boundaries(self) -> tuple[dt.time, ...]:
        """Every local time at which a span starts or ends."""
        return tuple(sorted({clock for span in self.spans for clock in (span.start, span.end)}))

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
        return self._is_open(_utc(instant(at, field="at")))

    def next_opening(self, after: dt.datetime) -> pendulum.DateTime:
        """Return the earliest instant at or after *after* when the window is open.

        That is *after* itself when the window is open then.

        Args:
            after: An aware instant.

        Raises:
            NaiveDatetimeError: *after* has no time zone.
        """
        moment = instant(after, field="after")
        utc = _utc(moment)
        if self._is_open(utc):
            return moment
        return instant(self._first_change_after(utc, to_open=True))

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
        moment = _utc(instant(after, field="after"))
        count: object = n
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidInputError(
                f"n must be a whole number of openings, 1 or more, not {count!r}",
                field="n",
                value=count,
            )
        if self._is_open(moment):
            start = self._opening_start(moment)
        else:
            start = self._first_change_after(moment, to_open=True)
        openings: list[Opening] = []
        while True:
            end = self._opening_end(start)
            openings.append(Opening(start=start, end=end))
            if end is None or len(openings) == n:
                return tuple(openings)
            start = self._first_change_after(end, to_open=True)

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
        moment = _utc(instant(at, field="at"))
        if not self._is_open(moment):
            return None
        return Opening(start=self._opening_start(moment), end=self._opening_end(moment))

    def describe(self) -> str:
        """Return the window as a person would write it.

        Days are abbreviated and the times joined by an en dash, as in
        ``Sat, Sun 09:00\N{EN DASH}12:00 (UTC)``; a span that crosses midnight
        says so, as in ``Fri 22:00\N{EN DASH}02:00 (next day) (Europe/London)``,
        and spans are separated by semicolons.
        """
        return f"{'; '.join(_describe_span(span) for span in self.spans)} ({self.timezone})"

    def __str__(self) -> str:
        return self.describe()

    # How the answers are found. Membership depends only on local wall time, so
    # it can change only where the local time equals a span's start or end
    # (taken with fold 0 and fold 1) or where the zone's UTC offset changes.
    # Between two such candidates it is constant, so searching them is exact.

    @property
    def _always_open(self) -> bool:
        return self._intervals == ((0, _WEEK),)

    def _is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self._zone)
        second = local.weekday() * _DAY + _seconds(local.time())
        index = bisect.bisect_right(self._intervals, (second, _WEEK)) - 1
        return index >= 0 and second < self._intervals[index][1]

    def _first_change_after(self, moment: dt.datetime, *, to_open: bool) -> dt.datetime:
        low = moment
        for _ in range(_MAX_STEPS):
            high = low + _SEARCH_STEP
            for candidate in self._candidates(low, high):
                if self._is_open(candidate) is to_open:
                    return candidate
            low = high
        raise _search_exhausted(self, moment)  # pragma: no cover

    def _opening_end(self, moment: dt.datetime) -> dt.datetime | None:
        if self._always_open:
            return None
        return self._first_change_after(moment, to_open=False)

    def _opening_start(self, moment: dt.datetime) -> dt.datetime:
        if self._always_open:
            return moment
        start, high = moment, moment
        for _ in range(_MAX_STEPS):
            low = high - _SEARCH_STEP
            for candidate in reversed(self._candidates(low, high)):
                if not self._is_open(candidate):
                    return start
                start = candidate
            high = low
        raise _search_exhausted(self, moment)  # pragma: no cover

    def _candidates(self, low: dt.datetime, high: dt.datetime) -> list[dt.datetime]:
        """Return, sorted, every instant in ``(low, high]`` where membership may change."""
        found = set(self._offset_changes(low, high))
        day = low.astimezone(self._zone).date() - _ONE_DAY
        last = high.astimezone(self._zone).date() + _ONE_DAY
        while day <= last:
            for clock in self._boundaries:
                for fold in (0, 1):
                    local = dt.datetime.combine(day, clock, tzinfo=self._zone).replace(fold=fold)
                    candidate = local.astimezone(dt.UTC)
                    if low < candidate <= high:
                        found.add(candidate)
            day += _ONE_DAY
        return sorted(found)

    def _offset_changes(self, low: dt.datetime, high: dt.datetime) -> list[dt.datetime]:
        """Return every instant in ``(low, high]`` at which the zone's UTC offset changes."""
        first = (low - _EPOCH) // _ONE_SECOND
        last = -((_EPOCH - high) // _ONE_SECOND)
        changes = []
        before, offset = first, self._offset(first)
        while before < last:
            after = min(before + _OFFSET_PROBE, last)
            offset_after = self._offset(after)
            if offset_after != offset:
                same, changed = before, after  # bisect to the first second with the new offset
                while changed - same > 1:
                    middle = (same + changed) // 2
                    if self._offset(middle) == offset:
                        same = middle
                    else:
                        changed = middle
                change = _EPOCH + dt.timedelta(seconds=changed)
                if low < change <= high:
                    changes.append(change)
            before, offset = after, offset_after
        return changes

    def _offset(self, posix_second: int) -> dt.timedelta | None:
        return dt.datetime.fromtimestamp(posix_second, self._zone).utcoffset()


def _search_exhausted(window: Window, moment: dt.datetime) -> RuntimeError:  # pragma: no cover
    return RuntimeError(
        f"no change of {window.describe()} found within {_MAX_STEPS * _SEARCH_STEP.days} days "
        f"of {moment.isoformat()}; this is a releasekit bug, please report it"
    )
