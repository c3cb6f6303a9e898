"""What a freeze covers by rule: RFC 5545 recurrence rules and iCalendar files.

Recurrence rules are evaluated by python-dateutil, calendar files read by
icalendar and recurring-ical-events: the ``calendars`` extra
(``pip install 'releasekit[calendars]'``), imported only when a freeze needs
them, with an :class:`~releasekit.exceptions.InvalidInputError` saying how to
install them when they are missing. Nothing here reads a file: a calendar is
handed in as text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from releasekit._rules import _local
from releasekit._rules._time import posix_second
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import zoneinfo
    from collections.abc import Iterator

__all__ = ["IcsCalendar", "Recurrence"]

#: The longest a recurring freeze may last each time.
_LONGEST: Final = dt.timedelta(days=366)
#: Recurrence frequencies a freeze may use: a freeze recurs at most once a day.
_FREQUENCIES: Final = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _rrule_module() -> Any:  # noqa: ANN401  # the module, imported lazily
    try:
        from dateutil import rrule  # type: ignore[import-untyped]  # noqa: PLC0415  # optional: only recurrences need it
    except ImportError:  # pragma: no cover  # the test environment has the extra
        raise InvalidInputError(
            "a recurring freeze is read by python-dateutil, which is not installed; "
            f"install it with: {_local.EXTRA}",
            field="rule",
            value=None,
        ) from None
    return rrule


def _rule_text(value: str) -> str:
    given: object = value
    if not isinstance(given, str) or not given.strip():
        raise InvalidInputError(
            f"rule must be an RFC 5545 recurrence rule such as 'FREQ=YEARLY;BYMONTH=12;"
            f"BYMONTHDAY=24', not {given!r}",
            field="rule",
            value=given,
        )
    text = given.strip()
    return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text


def _local_start(value: dt.datetime | dt.date | str) -> dt.datetime:
    given: object = value
    if isinstance(given, str):
        with contextlib.suppress(ValueError):
            given = dt.datetime.fromisoformat(given.strip())
    if isinstance(given, dt.date) and not isinstance(given, dt.datetime):
        given = _local.midnight(given)
    if not isinstance(given, dt.datetime):
        raise InvalidInputError(
            f"start must be a local date or date and time such as 2026-01-01 or "
            f"2026-01-01T09:00, not {value!r}",
            field="start",
            value=value,
        )
    if given.tzinfo is not None:
        raise InvalidInputError(
            f"start {given.isoformat()} carries a time zone; give the local date and time "
            "without one: the freeze's timezone says where the clock is read",
            field="start",
            value=value,
        )
    _local.date(given.date(), "start")
    return given.replace(microsecond=0)


def _duration(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.timedelta) or not dt.timedelta() < value <= _LONGEST:
        raise InvalidInputError(
            f"duration must be a positive duration of at most {_LONGEST.days} days, not {value!r}",
            field="duration",
            value=value,
        )
    if value % _local.ONE_SECOND:
        raise InvalidInputError(
            f"duration {value} has a fraction of a second; give it to the second",
            field="duration",
            value=value,
        )


def _exceptions(value: Iterable[dt.datetime | dt.date | str]) -> frozenset[dt.datetime]:
    given: object = value
    if isinstance(given, str) or not isinstance(given, Iterable):
        raise InvalidInputError(
            f"exceptions must be a collection of local start times, not {given!r}",
            field="exceptions",
            value=given,
        )
    try:
        return frozenset(_local_start(item) for item in given)
    except InvalidInputError as error:
        raise InvalidInputError(
            str(error).replace("start", "an exception", 1), field="exceptions", value=given
        ) from None


@attrs.frozen(kw_only=True)
class Recurrence:
    """A freeze that recurs: an RFC 5545 recurrence rule, and how long each time lasts.

    The rule is read from *start*, a local date and time in the freeze's zone
    (the rule's ``DTSTART``), and each occurrence lasts *duration*: whole days
    of it as calendar days (local midnight to local midnight, however long the
    day), the rest as exact time, as RFC 5545 reads a duration. The last seven
    days of each quarter::

        Recurrence(
            rule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-7",
            start=dt.date(2026, 1, 1),
            duration=dt.timedelta(days=7),
        )

    ``BYMONTHDAY=-7`` is the seventh day from the end of the month: 25 March,
    24 June, 24 September and 25 December; seven days from each freeze the
    quarter's last seven days, up to the midnight that starts the next quarter.

    Frequencies from ``DAILY`` to ``YEARLY`` are accepted, with every rule part
    RFC 5545 defines for them (``INTERVAL``, ``COUNT``, ``UNTIL`` as a local
    time, ``BYDAY``, ``BYSETPOS``, ...); a rule that recurs more often than once
    a day is refused. Needs the ``calendars`` extra (python-dateutil).

    Attributes:
        rule: The rule, such as ``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"``
            (an ``RRULE:`` prefix is allowed).
        start: The local date and time of the first occurrence (``DTSTART``),
            without a time zone.
        duration: How long each occurrence lasts; at most 366 days.
        exceptions: Local start times of occurrences that do not happen (``EXDATE``).
    """

    rule: str = attrs.field(converter=_rule_text)
    start: dt.datetime = attrs.field(converter=_local_start)
    duration: dt.timedelta = attrs.field(validator=_duration)
    exceptions: frozenset[dt.datetime] = attrs.field(default=frozenset(), converter=_exceptions)

    def __attrs_post_init__(self) -> None:
        self._rule  # noqa: B018  # parsed now, so a bad rule fails when the freeze is built

    @functools.cached_property
    def _rule(self) -> Any:  # noqa: ANN401  # a dateutil rrule
        parts = {}
        for part in self.rule.split(";"):
            key, _, value = part.partition("=")
            parts[key.strip().upper()] = value.strip().upper()
        if "DTSTART" in parts or "\n" in self.rule:
            raise InvalidInputError(
                f"rule {self.rule!r} holds more than a recurrence rule; give the rule alone, "
                "and its first occurrence as start",
                field="rule",
                value=self.rule,
            )
        if parts.get("FREQ") not in _FREQUENCIES:
            raise InvalidInputError(
                f"rule {self.rule!r} must recur {', '.join(_FREQUENCIES)} (FREQ=...); "
                "a freeze recurs at most once a day",
                field="rule",
                value=self.rule,
            )
        rrule = _rrule_module()
        try:
            parsed = rrule.rrulestr(self.rule, dtstart=self.start, cache=True)
            first = parsed.after(self.start, inc=True)  # some mistakes show only when it is read
        except (ValueError, TypeError, OverflowError) as error:
            raise InvalidInputError(
                f"rule {self.rule!r} is not a recurrence rule releasekit can read ({error}); "
                "write it as RFC 5545 does, e.g. 'FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-7'",
                field="rule",
                value=self.rule,
            ) from None
        if first is None:
            raise InvalidInputError(
                f"rule {self.rule!r} never occurs from {self.start.isoformat()}; check its "
                "parts (BYMONTH is 1 to 12, BYMONTHDAY -31 to 31, UNTIL after start)",
                field="rule",
                value=self.rule,
            )
        return parsed

    def _end(self, zone: zoneinfo.ZoneInfo, local: dt.datetime) -> int:
        whole_days = dt.timedelta(days=self.duration.days)
        return _local.at_local(zone, local + whole_days) + self.duration.seconds

    def stretches(self, zone: zoneinfo.ZoneInfo, low: int, high: int) -> Iterator[_local.Stretch]:
        """Yield every occurrence that overlaps ``[low, high)``, in order."""
        margin = self.duration + 2 * _local.ONE_DAY  # local time runs at most a day from UTC
        since = max(_local.local(zone, low) - margin, self.start)
        until = _local.local(zone, high) + 2 * _local.ONE_DAY
        if since > until:
            return
        for local in self._rule.between(since, until, inc=True):
            if local in self.exceptions:
                continue
            start = _local.at_local(zone, local)
            end = self._end(zone, local)
            if start < high and end > low:
                yield start, end

    def describe(self) -> str:
        """Say what recurs, e.g. ``FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24 for 1 day from ...``."""
        days, seconds = self.duration.days, self.duration.seconds
        length = [f"{days} day{'s' if days != 1 else ''}"] if days else []
        if seconds:
            length.append(f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}")
        start = self.start.isoformat(sep=" ", timespec="minutes")
        return f"{self.rule} for {' '.join(length)} from {start}"


def _calendar_text(value: str) -> str:
    given: object = value
    if not isinstance(given, str) or "BEGIN:VCALENDAR" not in given.upper():
        raise InvalidInputError(
            "text must be the text of an iCalendar (.ics) file, starting BEGIN:VCALENDAR",
            field="text",
            value=given if not isinstance(given, str) else given[:40],
        )
    return given


def _calendar_modules() -> tuple[Any, Any]:
    try:
        import icalendar  # noqa: PLC0415  # optional: only calendar files need it
        import recurring_ical_events  # type: ignore[import-untyped]  # noqa: PLC0415  # no types shipped
    except ImportError:  # pragma: no cover  # the test environment has the extra
        raise InvalidInputError(
            "a holiday calendar is read by icalendar and recurring-ical-events, which are not "
            f"installed; install them with: {_local.EXTRA}",
            field="text",
            value=None,
        ) from None
    return icalendar, recurring_ical_events


@attrs.frozen(kw_only=True)
class IcsCalendar:
    """The events of an iCalendar (``.ics``) file, such as a country's bank holidays.

    Every event of the calendar is frozen, each of its occurrences from its
    start to its end: an all-day event from the local midnight that starts it
    to the one after its last day, read in the freeze's zone; an event at a
    time from its start to its end, in the zone it names (a time without a
    zone is read in the freeze's). Recurring events (``RRULE``, ``RDATE``,
    ``EXDATE``, moved occurrences) are expanded by recurring-ical-events;
    cancelled events are left out. Needs the ``calendars`` extra.

    The text is parsed when the value is built; use
    :func:`releasekit.calendars.read_ics` to read a file.

    Attributes:
        text: The text of the calendar.
        source: Where it came from, such as its file name, for people.
    """

    text: str = attrs.field(converter=_calendar_text, repr=False)
    source: str = "calendar"

    def __attrs_post_init__(self) -> None:
        self._query  # noqa: B018  # parsed now, so a broken file fails when the freeze is built

    @functools.cached_property
    def _query(self) -> Any:  # noqa: ANN401  # a recurring_ical_events query
        icalendar, recurring = _calendar_modules()
        try:
            calendar = icalendar.Calendar.from_ical(self.text)
            query = recurring.of(calendar)
            query.first  # noqa: B018  # a broken rule shows only when an event is read
        except IndexError:  # no event at all: nothing is frozen
            return query
        except Exception as error:  # noqa: BLE001  # the libraries raise many kinds for bad text
            raise InvalidInputError(
                f"{self.source} is not an iCalendar file releasekit can read: {error}",
                field="text",
                value=self.source,
            ) from None
        return query

    def stretches(self, zone: zoneinfo.ZoneInfo, low: int, high: int) -> Iterator[_local.Stretch]:
        """Yield every event occurrence that overlaps ``[low, high)``."""
        since = _local.local(zone, low) - 2 * _local.ONE_DAY
        until = _local.local(zone, high) + 2 * _local.ONE_DAY
        for event in self._query.between(since, until):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = _event_instant(zone, event["DTSTART"].dt)
            ends = event.get("DTEND")
            end = start if ends is None else _event_instant(zone, ends.dt)
            if end <= start:  # a point in time, or a date without an end: one day
                end = _event_instant(zone, event["DTSTART"].dt + _local.ONE_DAY)
            if start < high and end > low:
                yield start, end

    def describe(self) -> str:
        """Say where the events come from, e.g. ``the events of holidays.ics``."""
        return f"the events of {self.source}"


def _event_instant(zone: zoneinfo.ZoneInfo, value: dt.date) -> int:
    if not isinstance(value, dt.datetime):
        return _local.at_local(zone, _local.midnight(value))
    if value.tzinfo is None or value.utcoffset() is None:
        return _local.at_local(zone, value.replace(microsecond=0))
    return posix_second(value)
