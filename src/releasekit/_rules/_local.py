"""Local wall-clock time read as instants, for freezes: whole POSIX seconds.

A freeze from local time S to local time E covers the instants from the first
moment the zone's clock shows S (or a later time, when the clocks skip S going
forward) to the first moment it shows E. Instants here are whole POSIX seconds
(``int``), as in ``_weekly``; a stretch is ``[start, end)``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, TypeAlias

from releasekit._rules._weekly import DAY, _changes_on
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import zoneinfo
    from collections.abc import Iterable

EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_SECOND: Final = dt.timedelta(seconds=1)
ONE_DAY: Final = dt.timedelta(days=1)
#: The first and last dates a freeze may name: far enough for any plan.
FIRST_DATE: Final = dt.date(1900, 1, 1)
LAST_DATE: Final = dt.date(2199, 12, 31)
#: What installs the libraries that recurrences and calendar files need.
EXTRA: Final = "pip install 'releasekit[calendars]'"

#: A frozen stretch of POSIX seconds, ``[start, end)``.
Stretch: TypeAlias = tuple[int, int]


def posix(aware: dt.datetime) -> int:
    """Return the POSIX second *aware* falls in (rounded down)."""
    return (aware - EPOCH) // ONE_SECOND


def at_local(zone: zoneinfo.ZoneInfo, local: dt.datetime) -> int:
    """Return the first POSIX second at which *zone*'s clock shows *local* or a later time.

    A time shown twice (clocks going back) is taken the first time; a time the
    clocks skip (going forward) becomes the instant of the jump.
    """
    early = posix(local.replace(tzinfo=zone, fold=0))
    late = posix(local.replace(tzinfo=zone, fold=1))
    if early <= late:  # shown once, or twice: fold 0 is the first time
        return early
    # Skipped: fold 0 reads it with the offset before the jump, fold 1 with the one after.
    for day in range(late // DAY - 1, early // DAY + 1):
        for change, _, _ in _changes_on(zone, day):
            if late < change <= early:
                return change
    return early  # pragma: no cover  # a skipped time always lies across a change


def local(zone: zoneinfo.ZoneInfo, second: int) -> dt.datetime:
    """Return the naive wall-clock time *zone* shows at the POSIX *second*."""
    return (EPOCH + dt.timedelta(seconds=second)).astimezone(zone).replace(tzinfo=None)


def midnight(day: dt.date) -> dt.datetime:
    """Return the naive local midnight that starts *day*."""
    return dt.datetime.combine(day, dt.time(0))


def merged(stretches: Iterable[Stretch]) -> list[Stretch]:
    """Return *stretches* sorted, with those that overlap or touch made one."""
    joined: list[Stretch] = []
    for start, end in sorted(stretches):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def date(value: object, field: str) -> dt.date:
    """Return *value* as a date (or refuse it, naming *field*): a date, or ``YYYY-MM-DD``."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInputError(
                f"{field} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-24",
                field=field,
                value=value,
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInputError(
            f"{field} must be a date such as datetime.date(2026, 12, 24), not {value!r}; "
            "a freeze of whole days is read in its timezone",
            field=field,
            value=value,
        )
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InvalidInputError(
            f"{field} {value.isoformat()} lies outside the years "
            f"{FIRST_DATE.year} to {LAST_DATE.year}; give a date within them",
            field=field,
            value=value,
        )
    return value
