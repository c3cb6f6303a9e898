"""The exhaustive search windows answered with before they answered by arithmetic.

Kept for the tests alone, as an oracle: for every window and instant, the
arithmetic must give exactly what this search gives. It looks at every
instant where membership may change — each span's start and end on every
local day, with fold 0 and fold 1, and every change of the zone's offset,
found by comparing offsets six hours apart — and reads membership at each,
in order. ``probes`` counts the instants it converts or reads membership at,
``offsets`` the offsets it looks up.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from releasekit._rules._time import instant
from releasekit._rules.windows import Opening

if TYPE_CHECKING:
    import pendulum

    from releasekit._rules.windows import Window

DAY = 86_400
WEEK = 7 * DAY
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_DAY = dt.timedelta(days=1)
ONE_SECOND = dt.timedelta(seconds=1)
SEARCH_STEP = dt.timedelta(days=8)
MAX_STEPS = 8
OFFSET_PROBE = 6 * 3600


def _seconds(clock: dt.time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


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


class Search:
    """One window, answered by the exhaustive search."""

    def __init__(self, window: Window) -> None:
        self.zone = zoneinfo.ZoneInfo(window.timezone)
        self.intervals = _week_intervals(window)
        self.boundaries = tuple(
            sorted({clock for span in window.spans for clock in (span.start, span.end)})
        )
        self.probes = 0
        self.offsets = 0

    # The public questions.

    def contains(self, at: dt.datetime) -> bool:
        """Return whether the window is open at *at*."""
        return self.is_open(_utc(instant(at)))

    def next_opening(self, after: dt.datetime) -> pendulum.DateTime:
        """Return the earliest instant at or after *after* inside the window."""
        moment = instant(after)
        utc = _utc(moment)
        if self.is_open(utc):
            return moment
        return instant(self.first_change_after(utc, to_open=True))

    def next_openings(self, after: dt.datetime, n: int) -> tuple[Opening, ...]:
        """Return the next *n* openings."""
        moment = _utc(instant(after))
        if self.is_open(moment):
            start = self.opening_start(moment)
        else:
            start = self.first_change_after(moment, to_open=True)
        openings: list[Opening] = []
        while True:
            end = self.opening_end(start)
            openings.append(Opening(start=start, end=end))
            if end is None or len(openings) == n:
                return tuple(openings)
            start = self.first_change_after(end, to_open=True)

    def current_opening(self, at: dt.datetime) -> Opening | None:
        """Return the opening holding *at*, if any."""
        moment = _utc(instant(at))
        if not self.is_open(moment):
            return None
        return Opening(start=self.opening_start(moment), end=self.opening_end(moment))

    # The search.

    @property
    def always_open(self) -> bool:
        """Whether the window never closes."""
        return self.intervals == ((0, WEEK),)

    def is_open(self, moment: dt.datetime) -> bool:
        """Read membership at *moment*: one probe."""
        self.probes += 1
        local = moment.astimezone(self.zone)
        second = local.weekday() * DAY + _seconds(local.time())
        index = bisect.bisect_right(self.intervals, (second, WEEK)) - 1
        return index >= 0 and second < self.intervals[index][1]

    def first_change_after(self, moment: dt.datetime, *, to_open: bool) -> dt.datetime:
        """Return the first candidate after *moment* whose membership is *to_open*."""
        low = moment
        for _ in range(MAX_STEPS):
            high = low + SEARCH_STEP
            for candidate in self.candidates(low, high):
                if self.is_open(candidate) is to_open:
                    return candidate
            low = high
        raise AssertionError(moment)

    def opening_end(self, moment: dt.datetime) -> dt.datetime | None:
        """Return where the opening holding *moment* ends."""
        if self.always_open:
            return None
        return self.first_change_after(moment, to_open=False)

    def opening_start(self, moment: dt.datetime) -> dt.datetime:
        """Return where the opening holding *moment* began."""
        if self.always_open:
            return moment
        start, high = moment, moment
        for _ in range(MAX_STEPS):
            low = high - SEARCH_STEP
            for candidate in reversed(self.candidates(low, high)):
                if not self.is_open(candidate):
                    return start
                start = candidate
            high = low
        raise AssertionError(moment)

    def candidates(self, low: dt.datetime, high: dt.datetime) -> list[dt.datetime]:
        """Return, sorted, every instant in ``(low, high]`` where membership may change."""
        found = set(self.offset_changes(low, high))
        day = low.astimezone(self.zone).date() - ONE_DAY
        last = high.astimezone(self.zone).date() + ONE_DAY
        while day <= last:
            for clock in self.boundaries:
                for fold in (0, 1):
                    self.probes += 1
                    local = dt.datetime.combine(day, clock, tzinfo=self.zone).replace(fold=fold)
                    candidate = local.astimezone(dt.UTC)
                    if low < candidate <= high:
                        found.add(candidate)
            day += ONE_DAY
        return sorted(found)

    def offset_changes(self, low: dt.datetime, high: dt.datetime) -> list[dt.datetime]:
        """Return every instant in ``(low, high]`` at which the zone's UTC offset changes."""
        first = (low - EPOCH) // ONE_SECOND
        last = -((EPOCH - high) // ONE_SECOND)
        changes = []
        before, offset = first, self.offset(first)
        while before < last:
            after = min(before + OFFSET_PROBE, last)
            offset_after = self.offset(after)
            if offset_after != offset:
                same, changed = before, after
                while changed - same > 1:
                    middle = (same + changed) // 2
                    if self.offset(middle) == offset:
                        same = middle
                    else:
                        changed = middle
                change = EPOCH + dt.timedelta(seconds=changed)
                if low < change <= high:
                    changes.append(change)
            before, offset = after, offset_after
        return changes

    def offset(self, posix_second: int) -> dt.timedelta | None:
        """Return the zone's offset at *posix_second*."""
        self.offsets += 1
        return dt.datetime.fromtimestamp(posix_second, self.zone).utcoffset()


def _week_intervals(window: Window) -> tuple[tuple[int, int], ...]:
    pieces = []
    for span in window.spans:
        start = _seconds(span.start)
        length = (_seconds(span.end) - start) % DAY or DAY
        for day in span.days:
            begin = day * DAY + start
            if begin + length <= WEEK:
                pieces.append((begin, begin + length))
            else:
                pieces.extend([(begin, WEEK), (0, begin + length - WEEK)])
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(pieces):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return tuple(merged)
