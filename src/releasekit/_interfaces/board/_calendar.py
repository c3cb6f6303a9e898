"""The windows page's calendar: weeks of days, each with the openings and freezes it holds.

Built from the ``windows`` document (the openings of the last environment's
time windows, each with the stretches freezes remove, and every freeze's
periods) in a zone of the reader's choice: UTC, or the viewer's own. An
opening a freeze takes part of is shown in pieces: what stays open, and what
the freeze removes.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Day", "Slot", "fully_frozen", "instant", "pieces", "weeks"]

#: A stretch of time: its start, its end, and the codes of the freezes holding in it.
Piece = tuple["pendulum.DateTime", "pendulum.DateTime", tuple[str, ...]]


@attrs.frozen(kw_only=True)
class Slot:
    """Part of one opening that falls on one day.

    Attributes:
        code: The window's code.
        start: When it begins that day, as ``HH:mm`` in the calendar's zone.
        end: When it ends that day (``24:00`` when it goes on past midnight), or
            ``""`` when the opening's end is not known.
        frozen: The codes of the freezes that take this part; empty if it is open.
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
        slots: The parts of openings on it, in order.
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


def _span(
    item: Mapping[str, Any], horizon: pendulum.DateTime
) -> tuple[pendulum.DateTime, pendulum.DateTime] | None:
    """Return an item's start and end; an open end reaches the *horizon*."""
    begins = instant(item.get("start"))
    if begins is None:
        return None
    return begins, instant(item.get("end")) or horizon


def pieces(opening: Mapping[str, Any], horizon: pendulum.DateTime) -> list[Piece]:
    """Split an opening into what stays open and what freezes take, in order.

    Args:
        opening: An opening of the ``windows`` document, with its ``frozen`` stretches.
        horizon: Where an opening or a stretch without an end stops.
    """
    span = _span(opening, horizon)
    if span is None:
        return []
    cuts = [
        (*stretch, str(cut.get("code", "")))
        for cut in opening.get("frozen", [])
        if (stretch := _span(cut, horizon)) is not None
    ]
    edges = sorted({*span, *(moment for begins, stops, _ in cuts for moment in (begins, stops))})
    found: list[Piece] = []
    for begins, stops in itertools.pairwise(edges):
        if not span[0] <= begins < stops <= span[1]:
            continue
        codes = tuple(
            dict.fromkeys(code for start, end, code in cuts if start <= begins and stops <= end)
        )
        if found and found[-1][2] == codes and found[-1][1] == begins:
            found[-1] = (found[-1][0], stops, codes)
        else:
            found.append((begins, stops, codes))
    return found


def fully_frozen(opening: Mapping[str, Any]) -> bool:
    """Whether freezes take the whole of an opening of the ``windows`` document."""
    begins = instant(opening.get("start"))
    if begins is None:
        return False
    parts = pieces(opening, begins.add(days=_FAR))
    return bool(parts) and all(codes for _, _, codes in parts)


#: How far an opening or a freeze without an end is followed, in days.
_FAR = 90


def _clock(moment: pendulum.DateTime, day_ends: pendulum.DateTime, zone: str) -> str:
    """Return ``HH:mm`` of *moment* in *zone*, or ``24:00`` at the midnight that ends the day."""
    return "24:00" if moment >= day_ends else moment.in_timezone(zone).format("HH:mm")


def _slots(
    openings: Iterable[tuple[str, bool, list[Piece]]],
    day: pendulum.DateTime,
    day_ends: pendulum.DateTime,
    zone: str,
) -> tuple[Slot, ...]:
    return tuple(
        Slot(
            code=code,
            start=_clock(max(begins, day), day_ends, zone),
            end=_clock(min(stops, day_ends), day_ends, zone) if ends_known else "",
            frozen=codes,
        )
        for code, ends_known, parts in openings
        for begins, stops, codes in parts
        if begins < day_ends and stops > day
    )


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
        (str(window.get("code", "")), opening.get("end") is not None, pieces(opening, horizon))
        for window in document.get("windows", [])
        for opening in window.get("openings", [])
    ]
    periods = [
        (str(freeze.get("code", "")), *span)
        for freeze in document.get("freezes", [])
        for period in freeze.get("periods", [])
        if (span := _span(period, horizon)) is not None
    ]
    calendar: list[list[Day]] = []
    for week in range(count):
        days = []
        for offset in range(7):
            day = first.add(weeks=week, days=offset)
            day_ends = day.add(days=1)
            holding = (code for code, begins, stops in periods if begins < day_ends and stops > day)
            days.append(
                Day(
                    date=day.to_date_string(),
                    label=day.format("ddd D MMM"),
                    past=day_ends <= after,
                    today=day <= after < day_ends,
                    slots=_slots(openings, day, day_ends, zone),
                    freezes=tuple(dict.fromkeys(holding)),
                )
            )
        calendar.append(days)
    return calendar
