"""Unit tests for releasekit._rules.windows: weekly time windows."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from typing import TYPE_CHECKING

import pendulum
import pytest

from releasekit._rules.windows import Opening, Span, Weekday, Window
from releasekit.exceptions import InvalidInputError, NaiveDatetimeError

if TYPE_CHECKING:
    from collections.abc import Callable

LONDON = "Europe/London"
#: 2026's clock changes in Europe/London, both on Sundays at 01:00 UTC.
SPRING_FORWARD = dt.date(2026, 3, 29)
FALL_BACK = dt.date(2026, 10, 25)


def utc(  # noqa: PLR0917  reads like pendulum.datetime, which it wraps
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> pendulum.DateTime:
    """Return the instant at the given wall-clock time in UTC."""
    return pendulum.datetime(year, month, day, hour, minute, second, tz="UTC")


@pytest.fixture(name="reference_window")
def fixture_reference_window() -> Window:
    """The reference policy's production window: Sat and Sun 09:00-12:00 UTC."""
    return Window.weekends(start="09:00", end="12:00")


# Weekday


def test_weekday_numbers_match_datetime() -> None:
    """Weekday numbers days as datetime.date.weekday() does."""
    assert Weekday.SATURDAY == dt.date(2026, 6, 6).weekday()
    assert list(range(7)) == [day.value for day in Weekday]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sat", Weekday.SATURDAY),
        ("Saturday", Weekday.SATURDAY),
        ("SAT", Weekday.SATURDAY),
        (" sun ", Weekday.SUNDAY),
        ("Thurs", Weekday.THURSDAY),
        ("tue", Weekday.TUESDAY),
    ],
)
def test_weekday_parse_accepts_names_and_abbreviations(text: str, expected: Weekday) -> None:
    """Weekday.parse reads full names and abbreviations of three letters or more, any case."""
    assert expected is Weekday.parse(text)


@pytest.mark.parametrize("text", ["", "sa", "Sot", "Saturdays", "6"])
def test_weekday_parse_refuses_other_text(text: str) -> None:
    """Weekday.parse refuses text that names no single day."""
    with pytest.raises(InvalidInputError, match="is not a day of the week") as caught:
        Weekday.parse(text)
    assert "day" == caught.value.field
    assert text == caught.value.value


# Span


@pytest.mark.parametrize(
    "days",
    [
        "Sat Sun",
        "sat, sun",
        "Sun,Sat",
        ["saturday", "SUN"],
        [Weekday.SATURDAY, "sun"],
        (Weekday.SUNDAY, Weekday.SATURDAY),
    ],
)
def test_span_of_reads_days_in_many_spellings(days: str | list[str | Weekday]) -> None:
    """Span.of reads days as a spaced or comma list of names, or as names and Weekdays."""
    expected = Span(days={Weekday.SATURDAY, Weekday.SUNDAY}, start=dt.time(9), end=dt.time(12))
    assert expected == Span.of(days=days, start="09:00", end="12:00")


def test_span_of_reads_times() -> None:
    """Span.of reads HH:MM, H:MM and HH:MM:SS, and takes datetime.time as it is."""
    span = Span.of(days="Fri", start="9:05:30", end=dt.time(17, 45))
    assert dt.time(9, 5, 30) == span.start
    assert dt.time(17, 45) == span.end


def test_span_of_reads_24_00_as_midnight_at_the_end_of_the_day() -> None:
    """An end of '24:00' is stored as midnight, which ends the span at the day's end."""
    assert dt.time(0) == Span.of(days="Sat", start="09:00", end="24:00").end


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("25:00", "12:00", "start"),
        ("9am", "12:00", "start"),
        ("12:60", "13:00", "start"),
        ("24:00", "12:00", "start"),
        ("", "12:00", "start"),
        ("09:00", "24:01", "end"),
        ("09:00", "12:00:60", "end"),
        ("09:00", "noon", "end"),
    ],
)
def test_span_of_refuses_malformed_times(start: str, end: str, field: str) -> None:
    """Span.of refuses anything but a 24-hour HH:MM time, naming the field."""
    with pytest.raises(InvalidInputError, match="is not a time of day") as caught:
        Span.of(days="Sat", start=start, end=end)
    assert field == caught.value.field


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (dt.time(9, tzinfo=dt.UTC), "carries a time zone"),
        (dt.time(9, 0, 0, 500), "fraction of a second"),
        (dt.datetime(2026, 6, 6, 9, tzinfo=dt.UTC), "must be a time of day"),
        (900, "must be a time of day"),
    ],
)
def test_span_refuses_unusable_times(start: object, message: str) -> None:
    """A span's times must be naive wall-clock times to the second."""
    with pytest.raises(InvalidInputError, match=message) as caught:
        Span(days={Weekday.SATURDAY}, start=start, end=dt.time(12))  # type: ignore[arg-type]
    assert "start" == caught.value.field


@pytest.mark.parametrize("days", ["", " , ", []])
def test_span_refuses_empty_days(days: str | list[str]) -> None:
    """A span needs at least one day to start on."""
    with pytest.raises(InvalidInputError, match="days is empty") as caught:
        Span.of(days=days, start="09:00", end="12:00")
    assert "days" == caught.value.field


def test_span_of_refuses_unknown_day_names() -> None:
    """A misspelt day name is refused, naming the days field."""
    with pytest.raises(InvalidInputError, match="'Sot' is not a day of the week") as caught:
        Span.of(days="Sat Sot", start="09:00", end="12:00")
    assert "days" == caught.value.field


def test_span_of_refuses_days_that_are_not_a_collection() -> None:
    """Span.of refuses days given as neither names nor a collection."""
    with pytest.raises(InvalidInputError, match="days must be a collection") as caught:
        Span.of(days=5, start="09:00", end="12:00")  # type: ignore[arg-type]
    assert "days" == caught.value.field


@pytest.mark.parametrize("days", ["Sat Sun", [7], [None], 5])
def test_span_refuses_days_that_are_not_weekdays(days: object) -> None:
    """Span() itself takes Weekday members only, and points at Span.of for names."""
    with pytest.raises(InvalidInputError, match=r"Span\.of") as caught:
        Span(days=days, start=dt.time(9), end=dt.time(12))  # type: ignore[arg-type]
    assert "days" == caught.value.field


# Window construction


def test_weekends_is_saturday_and_sunday_in_utc_by_default(reference_window: Window) -> None:
    """Window.weekends builds one Sat+Sun span, in UTC unless told otherwise."""
    expected = Window(
        name="weekend window",
        timezone="UTC",
        spans=(Span.of(days="Sat Sun", start="09:00", end="12:00"),),
    )
    assert expected == reference_window


def test_weekly_builds_a_window_of_one_span() -> None:
    """Window.weekly builds a window of one span, named 'window' unless told otherwise."""
    window = Window.weekly(days="Fri", start="22:00", end="02:00", timezone=LONDON)
    assert "window" == window.name
    assert (Span.of(days="Fri", start="22:00", end="02:00"),) == window.spans


def test_equal_windows_are_equal_and_hash_alike() -> None:
    """Windows compare and hash by their name, zone and spans."""
    one = Window.weekends(start="09:00", end="12:00", timezone=LONDON)
    other = Window(name="weekend window", timezone=LONDON, spans=[one.spans[0]])
    assert one == other
    assert hash(one) == hash(other)


@pytest.mark.parametrize(
    ("timezone", "message"),
    [
        (
            "Europe/Londn",
            re.escape(
                "timezone 'Europe/Londn' is not an IANA time zone name; use a name such as "
                "'UTC' or 'Europe/London' (did you mean 'Europe/London'?)"
            ),
        ),
        ("utc", r"timezone 'utc' is not an IANA time zone name; .* \(did you mean 'UTC'\?\)"),
        ("localtime", "timezone 'localtime' is not an IANA time zone name"),
        ("Mars/Olympus_Mons", "is not an IANA time zone name"),
        ("Europe", "is not an IANA time zone name"),
        ("../UTC", "is not an IANA time zone name"),
        ("", "must be an IANA time zone name"),
        (1, "must be an IANA time zone name"),
        ("+01:00", "'\\+01:00' is a fixed UTC offset, .* such as 'UTC'"),
        ("UTC+1", "is a fixed UTC offset"),
        ("GMT-05:00", "is a fixed UTC offset"),
        ("Z", "is a fixed UTC offset"),
        ("Etc/GMT+1", "is a fixed UTC offset, .*invert the sign"),
    ],
)
def test_window_refuses_anything_but_an_iana_zone(timezone: object, message: str) -> None:
    """Only IANA zone names are accepted; misspellings and fixed offsets say what to use."""
    with pytest.raises(InvalidInputError, match=message) as caught:
        Window.weekends(start="09:00", end="12:00", timezone=timezone)  # type: ignore[arg-type]
    assert "timezone" == caught.value.field
    assert timezone == caught.value.value


@pytest.mark.parametrize("spans", [(), [], None, "Sat 09:00-12:00"])
def test_window_refuses_no_spans(spans: object) -> None:
    """A window needs at least one span."""
    with pytest.raises(InvalidInputError, match="at least one span") as caught:
        Window(timezone="UTC", spans=spans)  # type: ignore[arg-type]
    assert "spans" == caught.value.field


def test_window_refuses_spans_that_are_not_spans() -> None:
    """Every span of a window must be a Span."""
    with pytest.raises(InvalidInputError, match="Span values only") as caught:
        Window(timezone="UTC", spans=["Sat 09:00-12:00"])  # type: ignore[list-item]
    assert "spans" == caught.value.field


# The reference window: Sat and Sun 09:00-12:00 UTC


def test_friday_evening_waits_for_saturday_morning(reference_window: Window) -> None:
    """From Friday evening the next opening is Saturday 09:00 UTC."""
    assert utc(2026, 6, 6, 9) == reference_window.next_opening(utc(2026, 6, 5, 18))


def test_inside_the_window_the_next_opening_is_now(reference_window: Window) -> None:
    """Inside the window, the next opening is the instant asked about."""
    assert utc(2026, 6, 6, 10, 30, 15) == reference_window.next_opening(utc(2026, 6, 6, 10, 30, 15))


def test_the_start_is_inside(reference_window: Window) -> None:
    """The window's start is inside it."""
    assert reference_window.contains(utc(2026, 6, 6, 9))
    assert utc(2026, 6, 6, 9) == reference_window.next_opening(utc(2026, 6, 6, 9))


def test_the_end_is_outside(reference_window: Window) -> None:
    """The window's end is outside it, the microsecond before is inside."""
    assert reference_window.contains(utc(2026, 6, 6, 11, 59, 59).add(microseconds=999_999))
    assert not reference_window.contains(utc(2026, 6, 6, 12))


def test_at_saturday_noon_the_next_opening_is_sunday(reference_window: Window) -> None:
    """At 12:00 on Saturday exactly, the next opening is Sunday 09:00."""
    assert utc(2026, 6, 7, 9) == reference_window.next_opening(utc(2026, 6, 6, 12))


def test_at_sunday_noon_the_next_opening_is_next_saturday(reference_window: Window) -> None:
    """At 12:00 on Sunday, the next opening is the following Saturday 09:00."""
    assert utc(2026, 6, 13, 9) == reference_window.next_opening(utc(2026, 6, 7, 12))


def test_weekdays_are_outside(reference_window: Window) -> None:
    """Monday to Friday at 10:00 UTC are outside the weekend window."""
    assert [False] * 5 == [reference_window.contains(utc(2026, 6, d, 10)) for d in range(1, 6)]


def test_any_aware_datetime_is_accepted(reference_window: Window) -> None:
    """Instants in other zones, stdlib or pendulum, are compared as instants."""
    tokyo = dt.datetime(2026, 6, 6, 18, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert reference_window.contains(tokyo)  # 09:30 UTC
    assert not reference_window.contains(pendulum.datetime(2026, 6, 6, 14, tz="Europe/Berlin"))


def test_results_are_pendulum_instants_in_utc(reference_window: Window) -> None:
    """Every instant returned is an aware pendulum DateTime in UTC."""
    berlin = pendulum.datetime(2026, 6, 5, 20, tz="Europe/Berlin")
    opening = reference_window.next_openings(berlin, 1)[0]
    returned = [reference_window.next_opening(berlin), opening.start, opening.end]
    assert [("UTC", True)] * 3 == [
        (moment.timezone_name, isinstance(moment, pendulum.DateTime))
        for moment in returned
        if moment is not None
    ]


def test_current_opening_is_the_period_containing_the_instant(reference_window: Window) -> None:
    """current_opening gives the whole open period around an instant inside."""
    expected = Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 6, 12))
    assert expected == reference_window.current_opening(utc(2026, 6, 6, 11))


def test_current_opening_is_none_outside(reference_window: Window) -> None:
    """current_opening is None when the window is closed."""
    assert reference_window.current_opening(utc(2026, 6, 6, 12)) is None


# next_openings


def test_next_openings_are_the_next_n_in_order(reference_window: Window) -> None:
    """next_openings gives exactly n openings, earliest first."""
    expected = (
        Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 6, 12)),
        Opening(start=utc(2026, 6, 7, 9), end=utc(2026, 6, 7, 12)),
        Opening(start=utc(2026, 6, 13, 9), end=utc(2026, 6, 13, 12)),
        Opening(start=utc(2026, 6, 14, 9), end=utc(2026, 6, 14, 12)),
    )
    assert expected == reference_window.next_openings(utc(2026, 6, 5, 18), 4)


def test_next_openings_starts_with_the_current_opening(reference_window: Window) -> None:
    """Inside the window, the first opening is the current one, with its real start."""
    openings = reference_window.next_openings(utc(2026, 6, 6, 10, 30), 2)
    assert (
        Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 6, 12)),
        Opening(start=utc(2026, 6, 7, 9), end=utc(2026, 6, 7, 12)),
    ) == openings


@pytest.mark.parametrize("n", [0, -1, True, 1.5, "2"])
def test_next_openings_refuses_a_count_below_one(reference_window: Window, n: object) -> None:
    """The count n must be a whole number, 1 or more."""
    with pytest.raises(InvalidInputError, match="n must be a whole number") as caught:
        reference_window.next_openings(utc(2026, 6, 5), n)  # type: ignore[arg-type]
    assert "n" == caught.value.field


# Naive datetimes


NAIVE = dt.datetime(2026, 6, 6, 10)  # noqa: DTZ001  the point is that it is naive


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda window: window.contains(NAIVE), "at"),
        (lambda window: window.current_opening(NAIVE), "at"),
        (lambda window: window.next_opening(NAIVE), "after"),
        (lambda window: window.next_openings(NAIVE, 2), "after"),
    ],
    ids=["contains", "current_opening", "next_opening", "next_openings"],
)
def test_naive_datetimes_are_refused(
    reference_window: Window, call: Callable[[Window], object], field: str
) -> None:
    """Every method refuses a naive datetime, naming the argument."""
    with pytest.raises(NaiveDatetimeError) as caught:
        call(reference_window)
    assert field == caught.value.field
    assert NAIVE == caught.value.value


def test_non_datetimes_are_refused(reference_window: Window) -> None:
    """A string is not an instant."""
    with pytest.raises(InvalidInputError, match="at must be a datetime") as caught:
        reference_window.contains("2026-06-06T10:00Z")  # type: ignore[arg-type]
    assert "at" == caught.value.field


# Opening


def test_opening_keeps_instants_in_utc() -> None:
    """An Opening converts aware instants to pendulum UTC."""
    opening = Opening(
        start=dt.datetime(2026, 6, 6, 10, tzinfo=zoneinfo.ZoneInfo(LONDON)),
        end=pendulum.datetime(2026, 6, 6, 14, tz="Europe/Berlin"),
    )
    assert (utc(2026, 6, 6, 9), utc(2026, 6, 6, 12)) == (opening.start, opening.end)
    assert "UTC" == opening.start.timezone_name


def test_opening_refuses_naive_instants() -> None:
    """An Opening refuses naive instants, naming the field."""
    with pytest.raises(NaiveDatetimeError) as caught:
        Opening(start=NAIVE, end=None)
    assert "start" == caught.value.field


def test_opening_must_end_after_it_starts() -> None:
    """An Opening that ends at or before its start is refused."""
    with pytest.raises(InvalidInputError, match="must end after it starts") as caught:
        Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 6, 9))
    assert "end" == caught.value.field


# Crossing midnight, several spans, 24 hours, always open


def test_a_span_crossing_midnight_ends_the_next_day() -> None:
    """Fri 22:00-02:00 is open from Friday 22:00 to Saturday 02:00."""
    window = Window.weekly(days="Fri", start="22:00", end="02:00", timezone="UTC")
    assert [False, True, True, False] == [
        window.contains(moment)
        for moment in (
            utc(2026, 6, 5, 21, 59),
            utc(2026, 6, 5, 22),
            utc(2026, 6, 6, 1, 59),
            utc(2026, 6, 6, 2),
        )
    ]
    expected = Opening(start=utc(2026, 6, 5, 22), end=utc(2026, 6, 6, 2))
    assert expected == window.current_opening(utc(2026, 6, 6, 1))


def test_a_sunday_span_crossing_midnight_ends_on_monday() -> None:
    """A Sunday span crossing midnight carries over the end of the week into Monday."""
    window = Window.weekly(days="Sun", start="22:00", end="02:00", timezone="UTC")
    assert window.contains(utc(2026, 6, 8, 1))  # Monday
    assert not window.contains(utc(2026, 6, 8, 2))
    assert utc(2026, 6, 14, 22) == window.next_opening(utc(2026, 6, 8, 2))


def test_an_end_of_24_00_closes_at_midnight() -> None:
    """Sat 09:00-24:00 is open until Saturday ends."""
    window = Window.weekly(days="Sat", start="09:00", end="24:00", timezone="UTC")
    expected = Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 7))
    assert expected == window.current_opening(utc(2026, 6, 6, 23, 59))


def test_overlapping_and_touching_spans_make_one_opening() -> None:
    """Spans that overlap or touch are one opening."""
    window = Window(
        timezone="UTC",
        spans=(
            Span.of(days="Sat", start="09:00", end="12:00"),
            Span.of(days="Sat", start="11:00", end="14:00"),
            Span.of(days="Sat", start="14:00", end="15:00"),
        ),
    )
    expected = Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 6, 15))
    assert expected == window.current_opening(utc(2026, 6, 6, 14, 30))
    assert (expected,) == window.next_openings(utc(2026, 6, 5), 1)


def test_openings_of_several_spans_come_in_time_order() -> None:
    """Openings of different spans interleave in time order."""
    window = Window(
        timezone="UTC",
        spans=(
            Span.of(days="Sat", start="09:00", end="12:00"),
            Span.of(days="Wed", start="18:00", end="20:00"),
        ),
    )
    expected = (
        Opening(start=utc(2026, 6, 3, 18), end=utc(2026, 6, 3, 20)),
        Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 6, 12)),
        Opening(start=utc(2026, 6, 10, 18), end=utc(2026, 6, 10, 20)),
    )
    assert expected == window.next_openings(utc(2026, 6, 1), 3)


def test_whole_days_in_a_row_are_one_opening() -> None:
    """Saturday and Sunday 00:00-24:00 are one opening, from Saturday to Monday."""
    window = Window.weekends(start="00:00", end="24:00")
    expected = Opening(start=utc(2026, 6, 6), end=utc(2026, 6, 8))
    assert expected == window.current_opening(utc(2026, 6, 7, 12))


def test_a_span_from_a_time_to_the_same_time_lasts_24_hours() -> None:
    """Sat 09:00-09:00 is open from Saturday 09:00 to Sunday 09:00."""
    window = Window.weekly(days="Sat", start="09:00", end="09:00", timezone="UTC")
    expected = Opening(start=utc(2026, 6, 6, 9), end=utc(2026, 6, 7, 9))
    assert expected == window.current_opening(utc(2026, 6, 7, 8, 59))
    assert not window.contains(utc(2026, 6, 7, 9))


@pytest.mark.parametrize(("start", "end"), [("00:00", "24:00"), ("09:00", "09:00")])
def test_a_window_open_all_week_never_closes(start: str, end: str) -> None:
    """A window covering the whole week is always open: one opening, no end."""
    window = Window.weekly(
        days="Mon Tue Wed Thu Fri Sat Sun", start=start, end=end, timezone=LONDON
    )
    now = utc(2026, 3, 29, 0, 30)
    assert window.contains(now)
    assert now == window.next_opening(now)
    assert Opening(start=now, end=None) == window.current_opening(now)
    assert (Opening(start=now, end=None),) == window.next_openings(now, 3)


# UTC ("GMT" in the team's process) is not Europe/London


@pytest.mark.parametrize(
    ("timezone", "friday", "expected"),
    [
        ("UTC", utc(2026, 1, 9, 18), utc(2026, 1, 10, 9)),
        ("UTC", utc(2026, 7, 3, 18), utc(2026, 7, 4, 9)),
        ("GMT", utc(2026, 7, 3, 18), utc(2026, 7, 4, 9)),
        (LONDON, utc(2026, 1, 9, 18), utc(2026, 1, 10, 9)),
        (LONDON, utc(2026, 7, 3, 18), utc(2026, 7, 4, 8)),
    ],
    ids=["utc-winter", "utc-summer", "gmt-summer", "london-winter", "london-summer"],
)
def test_utc_stays_put_while_london_follows_summer_time(
    timezone: str, friday: pendulum.DateTime, expected: pendulum.DateTime
) -> None:
    """09:00 UTC (or GMT) is 09:00 UTC all year; 09:00 Europe/London is 08:00 UTC in summer."""
    window = Window.weekends(start="09:00", end="12:00", timezone=timezone)
    assert expected == window.next_opening(friday)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        (
            "UTC",
            (
                Opening(start=utc(2026, 3, 28, 9), end=utc(2026, 3, 28, 12)),
                Opening(start=utc(2026, 3, 29, 9), end=utc(2026, 3, 29, 12)),
                Opening(start=utc(2026, 10, 24, 9), end=utc(2026, 10, 24, 12)),
                Opening(start=utc(2026, 10, 25, 9), end=utc(2026, 10, 25, 12)),
            ),
        ),
        (
            LONDON,
            (
                Opening(start=utc(2026, 3, 28, 9), end=utc(2026, 3, 28, 12)),
                Opening(start=utc(2026, 3, 29, 8), end=utc(2026, 3, 29, 11)),
                Opening(start=utc(2026, 10, 24, 8), end=utc(2026, 10, 24, 11)),
                Opening(start=utc(2026, 10, 25, 9), end=utc(2026, 10, 25, 12)),
            ),
        ),
    ],
)
def test_the_weekend_window_on_the_2026_change_weekends(
    timezone: str, expected: tuple[Opening, ...]
) -> None:
    """On the 2026 change weekends the UTC window stays put; the London one moves on the Sunday."""
    window = Window.weekends(start="09:00", end="12:00", timezone=timezone)
    spring = window.next_openings(utc(2026, 3, 27, 18), 2)
    autumn = window.next_openings(utc(2026, 10, 23, 18), 2)
    assert expected == spring + autumn


@pytest.mark.parametrize(
    ("timezone", "day", "expected"),
    [
        ("UTC", SPRING_FORWARD, Opening(start=utc(2026, 3, 29, 0, 30), end=utc(2026, 3, 29, 3))),
        ("UTC", FALL_BACK, Opening(start=utc(2026, 10, 25, 0, 30), end=utc(2026, 10, 25, 3))),
        (LONDON, SPRING_FORWARD, Opening(start=utc(2026, 3, 29, 0, 30), end=utc(2026, 3, 29, 2))),
        (LONDON, FALL_BACK, Opening(start=utc(2026, 10, 24, 23, 30), end=utc(2026, 10, 25, 3))),
    ],
    ids=["utc-spring", "utc-autumn", "london-spring", "london-autumn"],
)
def test_a_window_across_the_2026_clock_changes(
    timezone: str, day: dt.date, expected: Opening
) -> None:
    """Sun 00:30-03:00 lasts 2.5 hours in UTC, but 1.5 (spring) or 3.5 (autumn) in London."""
    window = Window.weekly(days="Sun", start="00:30", end="03:00", timezone=timezone)
    saturday_noon = utc(day.year, day.month, day.day - 1, 12)
    assert (expected,) == window.next_openings(saturday_noon, 1)


# Daylight saving time: the spring gap and the autumn overlap


def test_a_start_in_the_spring_gap_opens_at_the_change() -> None:
    """A start time skipped by the spring change opens the window at the change itself."""
    window = Window.weekly(days="Sun", start="01:30", end="04:00", timezone=LONDON)
    assert not window.contains(utc(2026, 3, 29, 0, 59, 59))
    assert utc(2026, 3, 29, 1) == window.next_opening(utc(2026, 3, 28, 12))


def test_an_end_in_the_spring_gap_closes_at_the_change() -> None:
    """An end time skipped by the spring change closes the window at the change itself."""
    window = Window.weekly(days="Sun", start="01:45", end="02:15", timezone="Australia/Lord_Howe")
    # Lord Howe moves from +10:30 to +11:00 at 02:00 local on 4 October 2026.
    expected = Opening(start=utc(2026, 10, 3, 15, 15), end=utc(2026, 10, 3, 15, 30))
    assert (expected,) == window.next_openings(utc(2026, 10, 3), 1)


def test_a_span_wholly_in_the_spring_gap_skips_that_week() -> None:
    """A span that lies inside the skipped hour does not open that day."""
    window = Window.weekly(days="Sun", start="01:15", end="01:45", timezone=LONDON)
    assert utc(2026, 4, 5, 0, 15) == window.next_opening(utc(2026, 3, 22, 1, 45))


def test_an_opening_outlasts_a_week_when_its_only_gap_is_skipped() -> None:
    """Closed only Sun 01:15-01:45 London, the window stays open two weeks across 29 March."""
    window = Window(
        timezone=LONDON,
        spans=(
            Span.of(days="Mon Tue Wed Thu Fri", start="01:45", end="01:45"),
            Span.of(days="Sat Sun", start="01:45", end="01:15"),
            Span.of(days="Mon", start="01:15", end="01:45"),
        ),
    )
    expected = Opening(start=utc(2026, 3, 22, 1, 45), end=utc(2026, 4, 5, 0, 15))
    assert expected == window.current_opening(utc(2026, 3, 30, 12))


def test_the_repeated_autumn_hour_is_inside_both_times() -> None:
    """Sun 01:00-02:00 London covers both passes of the repeated hour, as one opening."""
    window = Window.weekly(days="Sun", start="01:00", end="02:00", timezone=LONDON)
    assert window.contains(utc(2026, 10, 25, 0, 30))  # 01:30 BST
    assert window.contains(utc(2026, 10, 25, 1, 30))  # 01:30 GMT
    expected = Opening(start=utc(2026, 10, 25), end=utc(2026, 10, 25, 2))
    assert (expected,) == window.next_openings(utc(2026, 10, 24, 12), 1)


def test_a_span_inside_the_repeated_hour_opens_twice() -> None:
    """Sun 01:30-01:45 London opens twice on the autumn change day."""
    window = Window.weekly(days="Sun", start="01:30", end="01:45", timezone=LONDON)
    expected = (
        Opening(start=utc(2026, 10, 25, 0, 30), end=utc(2026, 10, 25, 0, 45)),
        Opening(start=utc(2026, 10, 25, 1, 30), end=utc(2026, 10, 25, 1, 45)),
        Opening(start=utc(2026, 11, 1, 1, 30), end=utc(2026, 11, 1, 1, 45)),
    )
    assert expected == window.next_openings(utc(2026, 10, 24, 12), 3)


# Descriptions


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (Window.weekends(start="09:00", end="12:00"), "Sat, Sun 09:00\u201312:00 (UTC)"),
        (
            Window.weekly(days="Fri", start="22:00", end="02:00", timezone=LONDON),
            "Fri 22:00\u201302:00 (next day) (Europe/London)",
        ),
        (
            Window.weekly(days="Sat", start="09:00", end="09:00", timezone="UTC"),
            "Sat 09:00\u201309:00 (next day) (UTC)",
        ),
        (
            Window.weekly(days="Sat", start="09:00", end="24:00", timezone="UTC"),
            "Sat 09:00\u201324:00 (UTC)",
        ),
        (
            Window.weekly(days="Sun Mon", start="09:00:30", end="12:00", timezone="UTC"),
            "Mon, Sun 09:00:30\u201312:00 (UTC)",
        ),
        (
            Window(
                timezone="UTC",
                spans=(
                    Span.of(days="Sat", start="09:00", end="12:00"),
                    Span.of(days="Wed", start="18:00", end="20:00"),
                ),
            ),
            "Sat 09:00\u201312:00; Wed 18:00\u201320:00 (UTC)",
        ),
    ],
    ids=["reference", "crossing-midnight", "24-hours", "until-midnight", "seconds", "two-spans"],
)
def test_describe_reads_as_a_person_would_write_it(window: Window, expected: str) -> None:
    """describe() lists days, times and the zone, and marks spans ending the next day."""
    assert expected == window.describe()


def test_str_is_describe(reference_window: Window) -> None:
    """str() of a window is its description."""
    assert reference_window.describe() == str(reference_window)


@pytest.mark.parametrize("n", [0, -1, 1001, 10**7, True, 2.0, "3"])
def test_next_openings_takes_a_bounded_count(reference_window: Window, n: object) -> None:
    """A count of openings outside 1 to 1,000 is refused at once, never searched for minutes."""
    after = pendulum.datetime(2026, 6, 6, tz="UTC")

    with pytest.raises(InvalidInputError, match="from 1 to 1,000") as refused:
        reference_window.next_openings(after, n)  # type: ignore[arg-type]  # untyped callers

    assert ("n", n) == (refused.value.field, refused.value.value)


def test_next_openings_returns_up_to_the_bound(reference_window: Window) -> None:
    """The largest count allowed gives that many openings, each after the one before."""
    openings = reference_window.next_openings(pendulum.datetime(2026, 6, 6, tz="UTC"), 1000)

    assert 1000 == len(openings)
    assert all(a.end is not None and a.end <= b.start for a, b in itertools.pairwise(openings))
