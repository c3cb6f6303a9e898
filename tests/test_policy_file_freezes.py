"""[[freezes]] in policy files, holiday calendars read from .ics files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import icalendar
import pendulum
import pytest
import recurring_ical_events  # type: ignore[import-untyped]  # no types shipped

import releasekit as rk
from releasekit import calendars

DATA = Path(__file__).parent / "data"
HOLIDAYS = DATA / "uk-holidays.ics"

POLICY = """
name = "holiday team"

[windows.release]
timezone = "UTC"
days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
start = "09:00"
end = "17:00"

[[environments]]
name = "dev"

[[environments]]
name = "live"
gate = [{ type = "window", window = "release" }]

[[freezes]]
name = "christmas"
reason = "the office is closed"
timezone = "Europe/London"
yearly = [{ first = "12-24", last = "12-26" }]

[[freezes]]
name = "quarter-end"
reason = "the books close"
timezone = "Europe/London"
kinds = ["normal"]
recurrences = [
  { rule = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-7", start = 2026-01-01, duration = "7d" },
]

[[freezes]]
name = "bank-holidays"
reason = "nobody is on call"
timezone = "Europe/London"
ics = "uk-holidays.ics"
dates = [{ first = 2027-05-03 }]
intervals = [{ start = 2027-01-15T18:00:00Z, end = 2027-01-18T06:00:00Z }]

[[flows]]
kind = "normal"
path = ["dev", "live"]

[[flows]]
kind = "hotfix"
path = ["dev", "live"]
lifts = ["release-window", "christmas-freeze"]
"""


def utc(year: int, month: int, day: int, hour: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, tz="UTC")


def test_a_policy_file_holds_freezes_of_every_kind(tmp_path: Path) -> None:
    """Yearly dates, rules, a calendar beside the file, dates and intervals all freeze."""
    shutil.copy(HOLIDAYS, tmp_path / "uk-holidays.ics")
    (tmp_path / "releasekit.toml").write_text(POLICY, encoding="utf-8")

    policy = rk.load_policy(tmp_path / "releasekit.toml")

    christmas, quarter, holidays = policy.freezes
    assert (True, True, True, True, True) == (
        christmas.contains(utc(2026, 12, 25, 12)),
        quarter.contains(utc(2027, 3, 30, 12)),
        holidays.contains(utc(2027, 3, 29, 12)),  # Easter Monday, from the calendar
        holidays.contains(utc(2027, 5, 3, 12)),  # the one date written in the file
        holidays.contains(utc(2027, 1, 16, 12)),  # the interval
    )
    assert (["normal"], ["christmas-freeze"]) == (
        [kind.value for kind in quarter.kinds or ()],
        [g.code for g in policy.steps("hotfix")[0].lifted if g.code.endswith("freeze")],
    )


def test_checking_a_file_reads_its_calendar_and_nothing_else(tmp_path: Path) -> None:
    """policy check reads the calendar beside the file; a missing one is a problem with its path."""
    (tmp_path / "releasekit.toml").write_text(POLICY, encoding="utf-8")

    with pytest.raises(rk.exceptions.PolicyFileError) as refused:
        rk.check_policy(tmp_path / "releasekit.toml")

    assert 1 == len(refused.value.problems)
    assert refused.value.problems[0].startswith("freezes[2].ics: cannot read the calendar file")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            'name = "x"\nreason = "r"\ntimezone = "UTC"\nyearly = { first = "12-24" }',
            "freezes[0].yearly: {",
        ),
        (
            'name = "x"\nreason = "r"\ntimezone = "UTC"\ndates = [{ first = "2026-12-24" }]',
            (
                'freezes[0].dates[0].first: "2026-12-24" is a string, not a date; write a TOML '
                "date without quotes, e.g. first = 2026-12-24"
            ),
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC"\n'
                "intervals = [{ start = 2026-12-24T18:00:00, end = 2026-12-25T18:00:00Z }]"
            ),
            "freezes[0].intervals[0].start: 2026-12-24T18:00:00 is a date and time, not an instant",
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC+1"\nyearly = [{ first = "12-24", '
                'last = "12-26" }]'
            ),
            "freezes[0].timezone: timezone 'UTC+1' is a fixed UTC offset",
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC"\nyearly = [{ first = "24 Dec", '
                'last = "12-26" }]'
            ),
            "freezes[0].yearly[0].first: first '24 Dec' is not a day of the year",
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC"\n'
                'recurrences = [{ rule = "FREQ=HOURLY", start = 2026-01-01, duration = "1h" }]'
            ),
            "freezes[0].recurrences[0].rule: rule 'FREQ=HOURLY' must recur",
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC"\nyearly = [{ first = "12-24", '
                'last = "12-26" }]\nenvironment = ["live"]'
            ),
            "freezes[0].environment: unknown key; did you mean 'environments'?",
        ),
        (
            'name = "x"\ntimezone = "UTC"\nyearly = [{ first = "12-24", last = "12-26" }]',
            "freezes[0].reason: this key is required",
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC"\nyearly = [{ first = "12-24", '
                'last = "12-26" }]\nenvironments = "live"'
            ),
            'freezes[0].environments: "live" is a string, not a list',
        ),
        (
            (
                'name = "x"\nreason = "r"\ntimezone = "UTC"\nyearly = [{ first = "12-24", '
                'last = "12-26" }]\nenvironments = ["nowhere"]'
            ),
            "freeze 'x' closes 'nowhere', which is not an environment",
        ),
    ],
)
def test_a_freeze_written_wrong_is_reported_with_its_path(table: str, problem: str) -> None:
    """Each mistake in a [[freezes]] table names its path and what to write instead."""
    text = (
        '[[environments]]\nname = "dev"\n\n[[environments]]\nname = "live"\n\n'
        f"[[freezes]]\n{table}\n\n"
        '[[flows]]\nkind = "normal"\npath = ["dev", "live"]\n'
    )

    with pytest.raises(rk.exceptions.PolicyFileError) as refused:
        rk.loads_policy(text)

    assert [True] == [p.startswith(problem) for p in refused.value.problems]


def test_the_calendar_freezes_exactly_what_recurring_ical_events_expands() -> None:
    """Every all-day occurrence of 2026-2028 recurring-ical-events gives is frozen; no other day."""
    freeze = calendars.freeze_from_ics(
        HOLIDAYS, name="bank-holidays", reason="holidays", timezone="Europe/London"
    )
    query = recurring_ical_events.of(icalendar.Calendar.from_ical(HOLIDAYS.read_text()))
    days: set[dt.date] = set()
    for event in query.between(dt.date(2026, 1, 1), dt.date(2029, 1, 1)):
        start = event["DTSTART"].dt
        if isinstance(start, dt.datetime) or event.get("STATUS") == "CANCELLED":
            continue
        days.update(start + dt.timedelta(days=n) for n in range((event["DTEND"].dt - start).days))

    frozen = {
        day
        for day in (dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(3 * 366))
        if freeze.contains(pendulum.datetime(day.year, day.month, day.day, 12, tz="Europe/London"))
    }

    assert sorted(days) == sorted(frozen - {dt.date(2027, 7, 3), dt.date(2027, 7, 4)})
    assert {dt.date(2026, 12, 25), dt.date(2027, 8, 30), dt.date(2028, 8, 28)} <= frozen
    assert dt.date(2027, 6, 1) not in frozen  # the cancelled event


def test_a_timed_calendar_event_is_frozen_in_its_own_zone() -> None:
    """The office move, 18:00 London on 2 July to 06:00 on 5 July, is read in BST."""
    freeze = calendars.freeze_from_ics(
        HOLIDAYS, name="bank-holidays", reason="holidays", timezone="UTC"
    )

    period = freeze.current_period(utc(2027, 7, 3, 12))

    assert rk.FrozenPeriod(start=utc(2027, 7, 2, 17), end=utc(2027, 7, 5, 5)) == period


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (
            b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:nonsense\nEND:VEVENT\nEND:VCALENDAR\n",
            "not an iCalendar file",
        ),
        (b"hello", "BEGIN:VCALENDAR"),
    ],
)
def test_a_calendar_file_that_cannot_be_used_is_refused(
    tmp_path: Path, content: bytes, words: str
) -> None:
    """A file that is not UTF-8 or not iCalendar is refused with a sentence, never a traceback."""
    path = tmp_path / "holidays.ics"
    path.write_bytes(content)

    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        calendars.read_ics(path)

    assert ("ics", True) == (refused.value.field, words in str(refused.value))
