"""A brute-force reference for windows and freezes together, for the property tests.

It restates the rules as plainly as possible and shares no code with
releasekit's arithmetic:

* a local wall-clock time S becomes the first instant at which the zone's
  clock shows S or later, found by stepping through UTC minutes;
* a window is open when the local weekday and time fall in one of its spans;
* a freeze holds when any of its stretches holds the instant (nothing merged);
* the earliest allowed instant is found by trying every candidate in order:
  the instant asked about, every quarter hour after it, and every edge of a
  frozen interval (the only edges that may fall off the quarter hour).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from releasekit import Freeze, Window

MINUTE = dt.timedelta(minutes=1)
QUARTER = dt.timedelta(minutes=15)


def first_showing(zone: zoneinfo.ZoneInfo, local: dt.datetime) -> dt.datetime:
    """Return the first UTC minute at which *zone*'s clock shows *local* or a later time."""
    # Read as UTC with either offset around the time, the answer lies within three hours after.
    moment = local.replace(tzinfo=zone, fold=1).astimezone(dt.UTC) - dt.timedelta(hours=3)
    moment = moment.replace(minute=0)
    while moment.astimezone(zone).replace(tzinfo=None) < local:
        moment += QUARTER
    moment -= QUARTER
    while moment.astimezone(zone).replace(tzinfo=None) < local:
        moment += MINUTE
    return moment


def window_open(window: Window, moment: dt.datetime) -> bool:
    """Say whether *window* is open at *moment*, from its spans as they read."""
    local = moment.astimezone(zoneinfo.ZoneInfo(window.timezone))
    day, clock = local.weekday(), local.time()
    for span in window.spans:
        if span.start < span.end:
            if day in span.days and span.start <= clock < span.end:
                return True
        else:
            if day in span.days and clock >= span.start:
                return True
            if (day - 1) % 7 in span.days and clock < span.end:
                return True
    return False


def stretches(freeze: Freeze, years: range) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return every stretch of *freeze* in *years*, unmerged, as UTC instants."""
    zone = zoneinfo.ZoneInfo(freeze.timezone)
    midnight = dt.time(0)
    found = []
    for dates in freeze.dates:
        start = dt.datetime.combine(dates.first, midnight)
        end = dt.datetime.combine(dates.last + dt.timedelta(days=1), midnight)
        found.append((first_showing(zone, start), first_showing(zone, end)))
    for yearly in freeze.yearly:
        for year in years:
            start = dt.datetime(year, *yearly.first)  # noqa: DTZ001  # local wall-clock time
            last_year = year + 1 if yearly.last < yearly.first else year
            end = dt.datetime(last_year, *yearly.last) + dt.timedelta(days=1)  # noqa: DTZ001  # local
            found.append((first_showing(zone, start), first_showing(zone, end)))
    for interval in freeze.intervals:
        end = interval.end.replace(microsecond=0)
        end += dt.timedelta(seconds=1) if interval.end.microsecond else dt.timedelta()
        found.append((interval.start.replace(microsecond=0), end))
    return found


class Reference:
    """Windows and freezes, answered by trying candidates one by one."""

    def __init__(self, windows: list[Window], freezes: list[Freeze], around: dt.datetime) -> None:
        years = range(around.year - 1, around.year + 2)
        self.windows = windows
        self.frozen = [stretch for freeze in freezes for stretch in stretches(freeze, years)]

    def frozen_at(self, moment: dt.datetime) -> bool:
        """Say whether any freeze holds at *moment*."""
        return any(start <= moment < end for start, end in self.frozen)

    def allowed(self, moment: dt.datetime) -> bool:
        """Say whether every window is open and no freeze holds at *moment*."""
        return not self.frozen_at(moment) and all(window_open(w, moment) for w in self.windows)

    def earliest(self, after: dt.datetime, within: dt.timedelta) -> dt.datetime | None:
        """Return the first allowed instant from *after* on, trying every candidate within reach."""
        start = after.astimezone(dt.UTC)
        quarter = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
        candidates = {start}
        moment = quarter + QUARTER
        while moment <= start + within:
            candidates.add(moment)
            moment += QUARTER
        candidates.update(edge for stretch in self.frozen for edge in stretch if edge > start)
        for candidate in sorted(candidates):
            if candidate <= start + within and self.allowed(candidate):
                return candidate
        return None

    def thaws(self, after: dt.datetime, within: dt.timedelta) -> dt.datetime | None:
        """Return the first instant from *after* on that no freeze holds."""
        start = after.astimezone(dt.UTC)
        if not self.frozen_at(start):
            return start
        for edge in sorted(end for _, end in self.frozen if end > start):
            if edge <= start + within and not self.frozen_at(edge):
                return edge
        return None
