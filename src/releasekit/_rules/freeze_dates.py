"""What a freeze covers by the calendar: whole local dates, yearly dates, aware intervals.

Each part answers one question for its :class:`~releasekit.Freeze`: which
stretches of frozen time, in whole POSIX seconds, overlap ``[low, high)``,
read in the freeze's zone (see ``_local`` for how a local time becomes an
instant).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import attrs
import pendulum

from releasekit._rules import _local
from releasekit._rules._time import instant, posix_second, when
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import zoneinfo
    from collections.abc import Iterator

__all__ = ["FreezeDates", "FreezeInterval", "YearlyDates"]

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _first_date(value: dt.date | str) -> dt.date:
    return _local.date(value, "first")


def _last_date(value: dt.date | str) -> dt.date:
    return _local.date(value, "last")


def _day_text(day: dt.date) -> str:
    return day.isoformat()


@attrs.frozen(kw_only=True)
class FreezeDates:
    """Whole local dates, from *first* to *last*, both included.

    Attributes:
        first: The first frozen date (a :class:`datetime.date`, or ``"YYYY-MM-DD"``).
        last: The last frozen date; the freeze ends at the local midnight after it.
    """

    first: dt.date = attrs.field(converter=_first_date)
    last: dt.date = attrs.field(converter=_last_date)

    @last.validator
    def _check_last(self, _attribute: attrs.Attribute[Any], value: dt.date) -> None:
        if value < self.first:
            raise InvalidInputError(
                f"last {value.isoformat()} is before first {self.first.isoformat()}; "
                "the dates run from first to last, both included",
                field="last",
                value=value,
            )

    def stretches(self, zone: zoneinfo.ZoneInfo, low: int, high: int) -> Iterator[_local.Stretch]:
        """Yield the frozen stretch if it overlaps ``[low, high)``."""
        start = _local.at_local(zone, _local.midnight(self.first))
        end = _local.at_local(zone, _local.midnight(self.last + _local.ONE_DAY))
        if start < high and end > low:
            yield start, end

    def describe(self) -> str:
        """Say which dates, e.g. ``2026-12-24 to 2026-12-26``."""
        if self.first == self.last:
            return _day_text(self.first)
        return f"{_day_text(self.first)} to {_day_text(self.last)}"


def _aware_start(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="start")


def _aware_end(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="end")


@attrs.frozen(kw_only=True)
class FreezeInterval:
    """Aware instants, from *start* to *end* (excluded), to the second.

    Attributes:
        start: The first frozen instant (aware; kept in UTC). A fraction of a
            second is rounded down.
        end: The first instant no longer frozen (aware; kept in UTC). A
            fraction of a second is rounded up.
    """

    start: pendulum.DateTime = attrs.field(converter=_aware_start)
    end: pendulum.DateTime = attrs.field(converter=_aware_end)

    @end.validator
    def _check_end(self, _attribute: attrs.Attribute[Any], value: pendulum.DateTime) -> None:
        if value <= self.start:
            raise InvalidInputError(
                f"end {value.isoformat()} is not after start {self.start.isoformat()}; "
                "a frozen interval ends after it starts",
                field="end",
                value=value,
            )

    def stretches(self, _zone: zoneinfo.ZoneInfo, low: int, high: int) -> Iterator[_local.Stretch]:
        """Yield the frozen stretch if it overlaps ``[low, high)``."""
        start = posix_second(self.start)
        end = posix_second(self.end) + (1 if self.end.microsecond else 0)  # rounded up
        if start < high and end > low:
            yield start, end

    def describe(self) -> str:
        """Say which instants, e.g. ``Sat 2026-12-26 09:00 UTC until Sun ...``."""
        return f"{when(self.start)} until {when(self.end)}"


def _month_day(value: object, field: str) -> tuple[int, int]:
    text = value.strip() if isinstance(value, str) else None
    parts = text.removeprefix("--").split("-") if text else []
    pair: object = value
    if len(parts) == 2 and all(part.isdecimal() and len(part) <= 2 for part in parts):  # noqa: PLR2004
        pair = (int(parts[0]), int(parts[1]))
    if (
        isinstance(pair, tuple)
        and len(pair) == 2  # noqa: PLR2004  # a month and a day
        and all(isinstance(part, int) and not isinstance(part, bool) for part in pair)
    ):
        month, day = pair
        try:
            dt.date(2001, month, day)  # not a leap year: 29 February is refused below
        except ValueError:
            pass
        else:
            return month, day
        if (month, day) == (2, 29):
            raise InvalidInputError(
                f"{field} 29 February exists only in leap years; a yearly freeze names a date "
                "every year has, such as '02-28' or '03-01'",
                field=field,
                value=value,
            )
    raise InvalidInputError(
        f"{field} {value!r} is not a day of the year; write it as MM-DD, e.g. '12-24' "
        "for 24 December",
        field=field,
        value=value,
    )


def _first_month_day(value: tuple[int, int] | str) -> tuple[int, int]:
    return _month_day(value, "first")


def _last_month_day(value: tuple[int, int] | str) -> tuple[int, int]:
    return _month_day(value, "last")


def _month_day_text(pair: tuple[int, int]) -> str:
    return f"{pair[1]} {_MONTHS[pair[0] - 1]}"


@attrs.frozen(kw_only=True)
class YearlyDates:
    """The same whole local dates each year, from *first* to *last*, both included.

    When *last* comes before *first* in the year the freeze runs across New
    Year: ``first="12-20", last="01-02"`` freezes 20 December to 2 January.

    Attributes:
        first: The first frozen day, as ``(month, day)`` or ``"MM-DD"``.
        last: The last frozen day, as ``(month, day)`` or ``"MM-DD"``.
    """

    first: tuple[int, int] = attrs.field(converter=_first_month_day)
    last: tuple[int, int] = attrs.field(converter=_last_month_day)

    @property
    def crosses_new_year(self) -> bool:
        """Whether the dates run from one year into the next."""
        return self.last < self.first

    def stretches(self, zone: zoneinfo.ZoneInfo, low: int, high: int) -> Iterator[_local.Stretch]:
        """Yield every yearly stretch that overlaps ``[low, high)``, in order."""
        first_year = max(_local.FIRST_DATE.year, _local.local(zone, low).year - 1)
        last_year = min(_local.LAST_DATE.year - 1, _local.local(zone, high).year)
        for year in range(first_year, last_year + 1):
            begins = dt.date(year, *self.first)
            ends = dt.date(year + 1 if self.crosses_new_year else year, *self.last) + _local.ONE_DAY
            start = _local.at_local(zone, _local.midnight(begins))
            end = _local.at_local(zone, _local.midnight(ends))
            if start < high and end > low:
                yield start, end

    def describe(self) -> str:
        """Say which days, e.g. ``24 Dec to 26 Dec each year``."""
        if self.first == self.last:
            return f"{_month_day_text(self.first)} each year"
        return f"{_month_day_text(self.first)} to {_month_day_text(self.last)} each year"
