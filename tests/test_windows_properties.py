"""Property tests for releasekit._rules.windows, against a brute-force reference."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from releasekit.testing.strategies import aware_datetimes, windows

if TYPE_CHECKING:
    import random

    from releasekit._rules.windows import Window

MINUTE = dt.timedelta(minutes=1)
MICROSECOND = dt.timedelta(microseconds=1)
WEEK_MINUTES = 7 * 24 * 60
#: Random minutes of a week checked per example, besides every span boundary.
SAMPLES = 200


def reference_contains(window: Window, moment: dt.datetime) -> bool:
    """Say whether *window* is open at *moment*, restating the rule as plainly as possible.

    Independent of the implementation: stdlib zoneinfo gives the local wall
    time, and each span is checked as its definition reads.
    """
    local = moment.astimezone(zoneinfo.ZoneInfo(window.timezone))
    day, clock = local.weekday(), local.time()
    for span in window.spans:
        if span.start < span.end:  # the same day
            if day in span.days and span.start <= clock < span.end:
                return True
        else:  # crosses midnight, or lasts 24 hours
            if day in span.days and clock >= span.start:
                return True
            if (day - 1) % 7 in span.days and clock < span.end:
                return True
    return False


def boundary_instants(window: Window, around: dt.datetime) -> list[dt.datetime]:
    """Return every instant within a week of *around* at a span's start or end.

    Each local start and end is taken with fold 0 and fold 1, and with the
    microsecond before it, so both sides of every edge are checked.
    """
    zone = zoneinfo.ZoneInfo(window.timezone)
    first = around.astimezone(zone).date()
    clocks = {clock for span in window.spans for clock in (span.start, span.end)}
    instants = []
    for offset, clock, fold in itertools.product(range(8), clocks, (0, 1)):
        day = first + dt.timedelta(days=offset)
        local = dt.datetime.combine(day, clock, tzinfo=zone).replace(fold=fold)
        edge = local.astimezone(dt.UTC)
        instants.extend([edge, edge - MICROSECOND])
    return instants


@given(window=windows(), after=aware_datetimes())
def test_next_opening_is_inside(window: Window, after: dt.datetime) -> None:
    """next_opening(t) is inside the window, no earlier than t, and t itself when t is inside."""
    opening = window.next_opening(after)
    assert window.contains(opening)
    assert opening >= after
    # In UTC: an aware datetime in a repeated hour never equals one in another zone.
    assert window.contains(after) == (opening == after.astimezone(dt.UTC))


@given(window=windows(), after=aware_datetimes(minute_aligned=True))
def test_nothing_before_next_opening_is_inside(window: Window, after: dt.datetime) -> None:
    """Scanning minute by minute, no instant from t up to next_opening(t) is inside.

    The scan uses the reference rule, which is far cheaper than contains();
    test_contains_agrees_with_the_reference ties the two together.
    """
    opening = window.next_opening(after)
    # Offsets and span edges fall on whole minutes, so openings do too.
    assert (0, 0) == (opening.second, opening.microsecond)
    moment = after.astimezone(dt.UTC)
    while moment < opening:
        assert not reference_contains(window, moment), moment
        moment += MINUTE


@given(
    window=windows(),
    week_start=aware_datetimes(),
    chance=st.randoms(use_true_random=False),
)
def test_contains_agrees_with_the_reference(
    window: Window, week_start: dt.datetime, chance: random.Random
) -> None:
    """contains() agrees with the brute-force reference at random minutes and at every edge."""
    start = week_start.astimezone(dt.UTC)  # adding in local time could land in a skipped hour
    moments = [start + dt.timedelta(minutes=chance.randrange(WEEK_MINUTES)) for _ in range(SAMPLES)]
    moments += boundary_instants(window, week_start)
    assert [reference_contains(window, moment) for moment in moments] == [
        window.contains(moment) for moment in moments
    ]


@given(window=windows(), after=aware_datetimes())
def test_openings_are_ordered_and_bounded(window: Window, after: dt.datetime) -> None:
    """Each opening is inside from its start to its end, and they follow one another in order."""
    openings = window.next_openings(after, 3)
    assert len(openings) == 3 or openings[-1].end is None
    first = openings[0]
    if window.contains(after):
        assert first.start <= after
        assert first == window.current_opening(after)
    else:
        assert window.current_opening(after) is None
        assert window.next_opening(after) == first.start
    for opening in openings:
        assert window.contains(opening.start)
        if opening.end is None:  # only a window that is open all the time
            assert (first,) == openings
            continue
        assert not window.contains(opening.start - MICROSECOND)
        assert window.contains(opening.start + (opening.end - opening.start) / 2)
        assert window.contains(opening.end - MICROSECOND)
        assert not window.contains(opening.end)
    for earlier, later in itertools.pairwise(openings):
        assert earlier.end is not None
        assert earlier.end < later.start
        assert window.next_opening(earlier.end) == later.start
