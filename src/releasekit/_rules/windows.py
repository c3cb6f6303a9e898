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

A window's spans, and the way days and times of day are written, are
:mod:`~releasekit._rules.spans`; the check of a zone's name is ``_zones``,
which freezes share.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import from_posix, instant, posix_second
from releasekit._rules._weekly import DAY, WEEK, LocalWeek
from releasekit._rules._zones import _check_timezone
from releasekit._rules.spans import Span, Weekday, _describe_span
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["MAX_OPENINGS", "Opening", "Span", "Weekday", "Window"]

#: The most openings :meth:`Window.next_openings` returns at once (as ``--count`` allows).
MAX_OPENINGS = 1000


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
            n: How many openings to return; from 1 to 1,000.

        Raises:
            NaiveDatetimeError: *after* has no time zone.
            InvalidInputError: *n* is not a whole number from 1 to 1,000.
        """
        second = posix_second(after, field="after")
        count: object = n
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_OPENINGS:
            raise InvalidInputError(
                f"n must be a whole number of openings from 1 to {MAX_OPENINGS:,}, not "
                f"{count!r}; ask again after the last opening for more",
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
