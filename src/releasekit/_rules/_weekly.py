"""The arithmetic behind :class:`~releasekit.Window`: a week of local seconds.

A window's spans merge into ``[begin, end)`` intervals of the *local week*,
counted in seconds from Monday 00:00. An instant's local week second is
``(posix + offset + 3 days) mod 1 week`` (the Unix epoch fell on a
Thursday), so whether the window is open is one addition and one bisection.
While the zone's UTC offset stays the same, local time moves second for
second with UTC, and the next opening or closing is a subtraction.

Offsets change only at the zone's transitions. A zone with one fixed offset
(``UTC``, ``Etc/UTC``) has none. For the others, a search finds the changes
between the instant and its arithmetic answer; when one comes first, the
membership right at the change is read with the new offset, and the search
goes on from there. Every answer is therefore exact across daylight saving
time, and no search looks at more than the changes it crosses.

The changes of one day of one zone are found once — offsets compared six
hours apart (no zone changes its offset twice within six hours), then a
bisection to the second — and kept in a small bounded cache keyed by the
zone and the day: a tool asking about the same week again (a bot,
``status`` over many releases) finds them there.

Instants here are whole POSIX seconds (``int``); an instant between two whole
seconds is passed as the second before it, which changes no answer because
every edge falls on a whole second.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import zoneinfo
from typing import Final, TypeAlias

DAY: Final = 86_400
WEEK: Final = 7 * DAY
#: Monday 00:00 is this many seconds before the Unix epoch (a Thursday).
_THURSDAY: Final = 3 * DAY
#: Offsets are compared this far apart when looking for clock changes; no
#: zone changes its UTC offset twice within six hours.
_PROBE: Final = 6 * 3600
_ONE_SECOND: Final = dt.timedelta(seconds=1)
#: Offset changes a search may cross before giving up. A window that is not
#: always open opens and closes within any fortnight, and no zone changes its
#: offset more than a few times in one, so this bound is never reached.
_MAX_CHANGES: Final = 32
#: Days of offset changes kept: a month of one zone, or a week of several.
_CACHED_DAYS: Final = 256

#: An offset change: the first second with the new offset, the offset before
#: it and the offset from then on, in seconds east of UTC.
Change: TypeAlias = tuple[int, int, int]


class SearchExhaustedError(RuntimeError):
    """No opening or closing was found where one must be: a bug in releasekit."""

    def __init__(self, second: int) -> None:
        super().__init__(
            f"no opening or closing found after crossing {_MAX_CHANGES} clock changes from "
            f"POSIX second {second}; this is a releasekit bug, please report it"
        )


def _offset(zone: zoneinfo.ZoneInfo, second: int) -> int:
    offset = dt.datetime.fromtimestamp(second, zone).utcoffset()
    assert offset is not None  # noqa: S101  # a ZoneInfo always answers for an aware instant
    return offset // _ONE_SECOND


@functools.lru_cache(maxsize=_CACHED_DAYS)
def _changes_on(zone: zoneinfo.ZoneInfo, day: int) -> tuple[Change, ...]:
    """Return every change of *zone*'s offset in ``(day * DAY, (day + 1) * DAY]``."""
    changes = []
    before = day * DAY
    offset = _offset(zone, before)
    for after in range(before + _PROBE, before + DAY + 1, _PROBE):
        offset_after = _offset(zone, after)
        if offset_after != offset:
            same, changed = before, after  # bisect to the first second with the new offset
            while changed - same > 1:
                middle = (same + changed) // 2
                if _offset(zone, middle) == offset:
                    same = middle
                else:
                    changed = middle
            changes.append((changed, offset, offset_after))
        before, offset = after, offset_after
    return tuple(changes)


class LocalWeek:
    """Merged intervals of the local week, read in one time zone.

    Args:
        intervals: Sorted, merged, non-empty ``[begin, end)`` seconds of the
            local week.
        timezone: The IANA name of the zone.
    """

    __slots__ = ("_begins", "_ends", "_fixed", "_wraps", "_zone", "always_open")

    def __init__(self, intervals: tuple[tuple[int, int], ...], timezone: str) -> None:
        self._begins = tuple(begin for begin, _ in intervals)
        self._ends = tuple(end for _, end in intervals)
        self.always_open = intervals == ((0, WEEK),)
        #: Whether the opening at the end of the week goes on into Monday.
        self._wraps = not self.always_open and self._begins[0] == 0 and self._ends[-1] == WEEK
        self._zone = zoneinfo.ZoneInfo(timezone)
        fixed = self._zone.utcoffset(None)  # None unless the zone never changes its offset
        self._fixed = None if fixed is None else fixed // _ONE_SECOND

    def offset_at(self, second: int) -> int:
        """Return the zone's UTC offset during the POSIX *second*, in seconds."""
        if self._fixed is not None:
            return self._fixed
        return _offset(self._zone, second)

    def is_open(self, second: int, offset: int) -> bool:
        """Return whether the window is open during the POSIX *second*, at *offset*."""
        return self._holds(self._local(second, offset))

    def next_change(self, second: int, offset: int, *, to_open: bool) -> int:
        """Return the first whole second after *second* at which the window opens (or closes).

        The window must be closed (or open) during *second* itself, where the
        zone's offset is *offset*.
        """
        for _ in range(_MAX_CHANGES):
            local = self._local(second, offset)
            arrival = second + (self._to_begin(local) if to_open else self._to_end(local))
            change = self._next_offset_change(second, arrival)
            if change is None:
                return arrival
            second, _, offset = change
            if self._holds(self._local(second, offset)) is to_open:
                return second
        raise SearchExhaustedError(second)  # pragma: no cover

    def opened_at(self, second: int, offset: int) -> int:
        """Return the whole second at which the opening holding *second* began.

        The window must be open during *second*, where the zone's offset is
        *offset*, and not always open.
        """
        for _ in range(_MAX_CHANGES):
            local = self._local(second, offset)
            began = second - self._from_begin(local)
            change = self._last_offset_change(second, began)
            if change is None:
                return began
            changed, offset, _ = change
            second = changed - 1
            if not self._holds(self._local(second, offset)):
                return changed
        raise SearchExhaustedError(second)  # pragma: no cover

    # Membership and distances within the local week.

    @staticmethod
    def _local(second: int, offset: int) -> int:
        return (second + offset + _THURSDAY) % WEEK

    def _holds(self, local: int) -> bool:
        index = bisect.bisect_right(self._begins, local) - 1
        return index >= 0 and local < self._ends[index]

    def _to_begin(self, local: int) -> int:
        """Seconds from *local*, outside every interval, to the next begin."""
        index = bisect.bisect_right(self._begins, local)
        if index < len(self._begins):
            return self._begins[index] - local
        return self._begins[0] + WEEK - local

    def _to_end(self, local: int) -> int:
        """Seconds from *local*, inside an interval, to where the opening ends."""
        index = bisect.bisect_right(self._begins, local) - 1
        end = self._ends[index]
        if self._wraps and end == WEEK:
            end += self._ends[0]
        return end - local

    def _from_begin(self, local: int) -> int:
        """Seconds from where the opening holding *local* began to *local*."""
        index = bisect.bisect_right(self._begins, local) - 1
        begin = self._begins[index]
        if self._wraps and begin == 0:
            begin = self._begins[-1] - WEEK
        return local - begin

    # The zone's offsets.

    def _next_offset_change(self, after: int, until: int) -> Change | None:
        """Return the first change in ``(after, until]``, if any."""
        if self._fixed is not None:
            return None
        for day in range(after // DAY, (until - 1) // DAY + 1):
            for change in _changes_on(self._zone, day):
                if after < change[0] <= until:
                    return change
        return None

    def _last_offset_change(self, until: int, since: int) -> Change | None:
        """Return the last change in ``[since, until]``, if any."""
        if self._fixed is not None:
            return None
        for day in range((until - 1) // DAY, (since - 1) // DAY - 1, -1):
            for change in reversed(_changes_on(self._zone, day)):
                if since <= change[0] <= until:
                    return change
        return None
