"""Property tests for releasekit._rules.windows, against a brute-force reference.

Windows answer by arithmetic on seconds; two references check them: the
exhaustive search they answered with before (``window_oracle``), which must
agree exactly for every window and instant, and a plain minute-by-minute scan
of the rule itself. Instants are drawn anywhere, and close to the clock
changes of the window's own zone, where arithmetic is most likely to slip.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import zoneinfo
from typing import TYPE_CHECKING

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from releasekit._rules import _weekly
from releasekit._rules._weekly import LocalWeek
from releasekit._rules.windows import Window
from releasekit.testing.strategies import TIMEZONES, aware_datetimes, timezones, windows
from window_oracle import Search

if TYPE_CHECKING:
    import random

    from releasekit._rules.windows import Opening

MINUTE = dt.timedelta(minutes=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
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


# ---------------------------------------------------------------------------
# Arithmetic against the exhaustive search and a minute-by-minute scan
# ---------------------------------------------------------------------------


@functools.cache
def clock_changes(timezone: str, year: int) -> tuple[dt.datetime, ...]:
    """Return every instant of *year* at which *timezone*'s offset changes, found by the oracle."""
    search = Search(production_window_in(timezone))
    low = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    return tuple(search.offset_changes(low, low.replace(year=year + 1)))


def production_window_in(timezone: str) -> Window:
    """Return the reference production window's hours, read in *timezone*."""
    return Window.weekends(start="09:00", end="12:00", timezone=timezone)


@st.composite
def near_clock_changes(
    draw: st.DrawFn, timezone: str, *, first_year: int = 2000, last_year: int = 2040
) -> dt.datetime:
    """Draw an instant within nine days of a change of *timezone*'s offset, in any zone.

    Zones without changes in the drawn year give any instant of that year.
    The distance is drawn to the minute or to the microsecond, and shrinks
    towards the change itself.
    """
    year = draw(st.integers(first_year, last_year))
    changes = clock_changes(timezone, year)
    if changes:
        centre = draw(st.sampled_from(changes))
    else:
        centre = dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            minutes=draw(st.integers(0, 365 * 24 * 60))
        )
    reach = 9 * 24 * 60
    shift = draw(
        st.one_of(
            st.integers(-reach, reach).map(lambda minutes: dt.timedelta(minutes=minutes)),
            st.integers(-reach * 60_000_000, reach * 60_000_000).map(
                lambda micros: dt.timedelta(microseconds=micros)
            ),
        )
    )
    shown_in = draw(timezones())
    return (centre + shift).astimezone(zoneinfo.ZoneInfo(shown_in))


@st.composite
def windows_and_instants(
    draw: st.DrawFn, *, first_year: int = 2000, last_year: int = 2040, minute_aligned: bool = False
) -> tuple[Window, dt.datetime]:
    """Draw a window and an instant: anywhere, or close to a clock change of its zone."""
    window = draw(windows())
    anywhere = st.datetimes(
        min_value=dt.datetime(first_year, 1, 1),  # noqa: DTZ001  # Hypothesis bounds are naive
        max_value=dt.datetime(last_year, 12, 31),  # noqa: DTZ001  # Hypothesis bounds are naive
        timezones=timezones().map(zoneinfo.ZoneInfo),
    )
    moment = draw(
        st.one_of(
            near_clock_changes(window.timezone, first_year=first_year, last_year=last_year),
            anywhere,
        )
    )
    if minute_aligned:
        moment = moment.astimezone(dt.UTC).replace(second=0, microsecond=0)
    return window, moment


def exactly(value: dt.datetime | Opening | None) -> object:
    """Return what must match exactly: the type, the text and the value of each instant."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return type(value).__name__, value.isoformat(), value.tzinfo is pendulum.UTC
    return exactly(value.start), exactly(value.end)


@given(case=windows_and_instants(first_year=1850, last_year=2100))
def test_answers_match_the_search_they_replace(case: tuple[Window, dt.datetime]) -> None:
    """Every answer is exactly the exhaustive search's, across clock changes, 1850 to 2100."""
    window, moment = case
    search = Search(window)
    assert search.contains(moment) == window.contains(moment)
    assert exactly(search.next_opening(moment)) == exactly(window.next_opening(moment))
    assert [exactly(o) for o in search.next_openings(moment, 3)] == [
        exactly(o) for o in window.next_openings(moment, 3)
    ]
    assert exactly(search.current_opening(moment)) == exactly(window.current_opening(moment))


def reference_next(window: Window, moment: dt.datetime, *, to_open: bool) -> dt.datetime:
    """Return the first whole minute from *moment* (itself, if it qualifies) open, or closed.

    Steps minute by minute, which finds every edge: spans, offsets and clock
    changes all fall on whole minutes in the zones and years drawn.
    """
    if reference_contains(window, moment) is to_open:
        return moment
    step = moment.replace(second=0, microsecond=0) + MINUTE
    while reference_contains(window, step) is not to_open:
        step += MINUTE
    return step


def reference_opened(window: Window, moment: dt.datetime) -> dt.datetime:
    """Return the first minute of the stretch of open minutes holding *moment*."""
    start = moment.replace(second=0, microsecond=0)
    while reference_contains(window, start - MINUTE):
        start -= MINUTE
    return start


@given(case=windows_and_instants(minute_aligned=True))
def test_answers_match_a_minute_by_minute_scan(case: tuple[Window, dt.datetime]) -> None:
    """Openings found by arithmetic are where a plain scan, minute by minute, finds them."""
    window, moment = case
    opening = window.next_openings(moment, 1)[0]
    if opening.end is None:
        return  # always open: there is no edge to find
    if reference_contains(window, moment):
        start = reference_opened(window, moment)
    else:
        start = reference_next(window, moment, to_open=True)
    assert (start, reference_next(window, start, to_open=False)) == (opening.start, opening.end)
    assert reference_next(window, moment, to_open=True) == window.next_opening(moment)


# ---------------------------------------------------------------------------
# How much a question costs: instants read and offsets looked up
# ---------------------------------------------------------------------------


def counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count membership readings and offset lookups from now on."""
    counts = {"readings": 0, "offsets": 0}
    holds, offset = LocalWeek._holds, _weekly._offset

    def counted_holds(self: LocalWeek, local: int) -> bool:
        counts["readings"] += 1
        return holds(self, local)

    def counted_offset(zone: zoneinfo.ZoneInfo, second: int) -> int:
        counts["offsets"] += 1
        return offset(zone, second)

    monkeypatch.setattr(LocalWeek, "_holds", counted_holds)
    monkeypatch.setattr(_weekly, "_offset", counted_offset)
    return counts


FIXED_ZONES = tuple(zone for zone in TIMEZONES if zone in {"UTC", "GMT"})


@given(window=windows(), after=aware_datetimes(), zone=st.sampled_from(FIXED_ZONES))
def test_a_fixed_offset_zone_is_answered_in_a_handful_of_readings(
    window: Window, after: dt.datetime, zone: str
) -> None:
    """In UTC a search reads membership at most twice and never looks up an offset."""
    window = attrs.evolve(window, timezone=zone)
    with pytest.MonkeyPatch.context() as monkeypatch:
        counts = counting(monkeypatch)
        window.next_opening(after)
        next_opening = dict(counts)
        window.current_opening(after)
    assert next_opening["readings"] <= 2
    assert 0 == counts["offsets"]
    assert counts["readings"] <= 4


def test_the_reference_window_reads_one_instant_where_the_search_read_46() -> None:
    """Asking the production window when it next opens on a Friday evening reads one instant.

    The search it replaces built 44 candidate instants, read membership at
    two of them, and looked up the zone's offset 33 times.
    """
    window = production_window_in("UTC")
    friday = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")
    search = Search(window)
    search.next_opening(friday)
    with pytest.MonkeyPatch.context() as monkeypatch:
        counts = counting(monkeypatch)
        window.next_opening(friday)
    assert (46, 33) == (search.probes, search.offsets)
    assert {"readings": 1, "offsets": 0} == counts


@pytest.mark.parametrize(
    ("after", "offsets"),
    [
        # A Friday in July, far from any change: the offset now, then a week of cached days.
        (pendulum.datetime(2026, 7, 3, 18, 0, tz="UTC"), 1),
        # The Friday before the clocks go back: the same, and the change is crossed on Sunday.
        (pendulum.datetime(2026, 10, 23, 18, 0, tz="UTC"), 1),
    ],
)
def test_a_zone_with_summer_time_looks_its_changes_up_once(
    after: pendulum.DateTime, offsets: int
) -> None:
    """In Europe/London the zone's changes are found once; asking again costs one offset lookup."""
    window = Window.weekly(days="Sun", start="09:00", end="12:00", timezone="Europe/London")
    first = window.next_opening(after)
    with pytest.MonkeyPatch.context() as monkeypatch:
        counts = counting(monkeypatch)
        again = window.next_opening(after)
    assert first == again
    assert offsets == counts["offsets"]
    assert counts["readings"] <= 3
