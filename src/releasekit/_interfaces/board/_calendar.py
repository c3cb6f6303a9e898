"""The windows page's calendar: weeks of days, each with the openings and freezes it holds.

Built from the ``windows`` document (the openings of the last environment's
time windows, each with the stretches freezes remove, and every freeze's
periods) in a zone of the reader's choice: UTC, or the viewer's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import pendulum

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Day", "Slot", "instant", "weeks"]


@attrs.frozen(kw_only=True)
class Slot:
    """Part of one opening that falls on one day.

    Attributes:
        code: The window's code.
        start: When it opens that day, as ``HH:mm`` in the calendar's zone.
        end: When it closes that day (``24:00`` when it goes on past midnight), or
            ``""`` when the opening's end is not known.
        frozen: The codes of the freezes that remove part of the opening.
    """

    code: str
    start: str
    end: str
    frozen: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Day:
    """A day of the calendar.

    Attributes:
        date: The day, in the calendar's zone, ISO (``2026-11-28``).
        label: How it is shown, e.g. ``Sat 28 Nov``.
        past: Whether it ended before the calendar's first instant.
        today: Whether the calendar's first instant falls on it.
        slots: The openings on it.
        freezes: The codes of the freezes holding at some time that day.
    """

    date: str
    label: str
    past: bool
    today: bool
    slots: tuple[Slot, ...]
    freezes: tuple[str, ...]


def instant(text: object) -> pendulum.DateTime | None:
    """Read an instant a document holds (ISO 8601 text), or ``None``."""
    if not isinstance(text, str):
        return None
    parsed = pendulum.parse(text)
    return parsed if isinstance(parsed, pendulum.DateTime) else None


def _spans(
    items: Iterable[Mapping[str, Any]], start: str, end: str, horizon: pendulum.DateTime
) -> list[tuple[pendulum.DateTime, pendulum.DateTime, Mapping[str, Any]]]:
    """Return each item's (start, end, item); an open end reaches the *horizon*."""
    found = []
    for item in items:
        begins, stops = instant(item.get(start)), instant(item.get(end))
        if begins is not None:
            found.append((begins, stops or horizon, item))
    return found


def weeks(document: Mapping[str, Any], *, zone: str, count: int = 4) -> list[list[Day]]:
    """Return *count* weeks, Monday first, from the week of the document's ``after``, in *zone*.

    Args:
        document: A ``windows`` document.
        zone: An IANA time zone, e.g. ``UTC`` or ``Europe/Berlin``.
        count: How many weeks.
    """
    after = (instant(document.get("after")) or pendulum.now("UTC")).in_timezone(zone)
    first = after.start_of("week")
    horizon = first.add(weeks=count)
    openings = [
        (window["code"], begins, stops, opening)
        for window in document.get("windows", [])
        for begins, stops, opening in _spans(window.get("openings", []), "start", "end", horizon)
    ]
    periods = [
        (freeze["code"], begins, stops)
        for freeze in document.get("freezes", [])
        for begins, stops, _ in _spans(freeze.get("periods", []), "start", "end", horizon)
    ]
    calendar: list[list[Day]] = []
    for week in range(count):
        days = []
        for offset in range(7):
            day = first.add(weeks=week, days=offset)
            ends = day.add(days=1)
            slots = []
            for code, begins, stops, opening in openings:
                if begins < ends and stops > day:
                    shown_start = max(begins, day).in_timezone(zone)
                    shown_end = "" if opening.get("end") is None else _clock(min(stops, ends), ends)
                    frozen = tuple(dict.fromkeys(cut["code"] for cut in opening.get("frozen", [])))
                    slots.append(
                        Slot(
                            code=code,
                            start=shown_start.format("HH:mm"),
                            end=shown_end,
                            frozen=frozen,
                        )
                    )
            freezes = tuple(
                dict.fromkeys(
                    code for code, begins, stops in periods if begins < ends and stops > day
                )
            )
            days.append(
                Day(
                    date=day.to_date_string(),
                    label=day.format("ddd D MMM"),
                    past=ends <= after,
                    today=day <= after < ends,
                    slots=tuple(slots),
                    freezes=freezes,
                )
            )
        calendar.append(days)
    return calendar


def _clock(moment: pendulum.DateTime, midnight: pendulum.DateTime) -> str:
    """Return ``HH:mm`` of *moment*, or ``24:00`` if it is the *midnight* that ends the day."""
    return (
        "24:00"
        if moment == midnight
        else moment.in_timezone(midnight.timezone_name or "UTC").format("HH:mm")
    )
