"""Freezes: periods during which releases may not enter an environment, whatever the window says.

A :class:`Freeze` names a period a team does not release in — Christmas, the
last week of a quarter, an incident — and says why. What it covers is read in
one IANA time zone, as a window is (fixed offsets are refused the same way),
and may be any mix of:

* :class:`FreezeDates`: whole local dates, the last one included
  (24 to 26 December 2026);
* :class:`FreezeInterval`: aware instants, the end excluded (from now until
  Friday 18:00 UTC);
* :class:`YearlyDates`: the same dates each year, possibly across New Year
  (24 to 26 December, or 20 December to 2 January);
* :class:`Recurrence`: an RFC 5545 recurrence rule with a duration, such as
  the last seven days of each quarter;
* :class:`IcsCalendar`: every event of an iCalendar (``.ics``) file, such as
  a country's bank holidays.

A freeze closes the policy's last environment (production) unless it names
others, for releases of every kind unless it names some. A flow may lift it by
its code (``<name>-freeze``), exactly as a hotfix lifts the production window:
whether a hotfix goes through a freeze is the policy's choice.

Local dates and times become instants the way a person reads a wall clock: a
freeze from local time S to local time E covers the instants from the first
moment the zone's clock shows S (or a later time, when S is skipped as the
clocks go forward) to the first moment it shows E. So a freeze of whole days
starts and ends at local midnight all year round, exactly, across daylight
saving time; a day of 23 or 25 hours is frozen whole.

Recurrence rules are evaluated by python-dateutil and calendar files read by
icalendar and recurring-ical-events: the ``calendars`` extra
(``pip install 'releasekit[calendars]'``), imported only when a freeze needs
them. Nothing here reads the clock, the disk or the network: a calendar is
handed in as text.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs
import pendulum

from releasekit._rules import _forecast, _local, _validate
from releasekit._rules._time import from_posix, instant, optional_instant, posix_second, when
from releasekit._rules._weekly import DAY
from releasekit._rules._zones import _check_timezone
from releasekit._rules.freeze_dates import FreezeDates, FreezeInterval, YearlyDates
from releasekit._rules.guards import GuardContext, GuardKind
from releasekit._rules.identity import identity
from releasekit._rules.recurrences import IcsCalendar, Recurrence
from releasekit._rules.release import ReleaseKind
from releasekit._rules.verdicts import Verdict
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

__all__ = ["Freeze", "FrozenPeriod", "OutsideFreeze"]

#: How much of a freeze is read at once when following a long frozen stretch.
_CHUNK: Final = 7 * DAY


def _parts(value: object, cls: type, field: str) -> tuple[Any, ...]:
    items = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else None
    if items is None or not all(isinstance(item, cls) for item in items):
        raise InvalidInputError(
            f"{field} must be a collection of {cls.__name__} values, not {value!r}",
            field=field,
            value=value,
        )
    return items


# attrs converters, one per field (mypy's attrs plugin reads named functions only).


def _dates(value: Iterable[FreezeDates]) -> tuple[FreezeDates, ...]:
    return _parts(value, FreezeDates, "dates")


def _intervals(value: Iterable[FreezeInterval]) -> tuple[FreezeInterval, ...]:
    return _parts(value, FreezeInterval, "intervals")


def _yearly(value: Iterable[YearlyDates]) -> tuple[YearlyDates, ...]:
    return _parts(value, YearlyDates, "yearly")


def _recurrences(value: Iterable[Recurrence]) -> tuple[Recurrence, ...]:
    return _parts(value, Recurrence, "recurrences")


def _calendars(value: Iterable[IcsCalendar]) -> tuple[IcsCalendar, ...]:
    return _parts(value, IcsCalendar, "calendars")


def _kinds(value: Iterable[ReleaseKind | str] | None) -> frozenset[ReleaseKind] | None:
    if value is None:
        return None
    given: object = value
    if isinstance(given, str) or not isinstance(given, Iterable):
        raise InvalidInputError(
            f"kinds must be a collection of release kinds such as ['normal'], not {given!r}",
            field="kinds",
            value=given,
        )
    kinds = set()
    for item in given:
        try:
            kinds.add(ReleaseKind(item))
        except ValueError:
            raise InvalidInputError(
                f"kinds holds {item!r}, which is not a release kind; use "
                + ", ".join(repr(kind.value) for kind in ReleaseKind),
                field="kinds",
                value=given,
            ) from None
    if not kinds:
        raise InvalidInputError(
            "kinds is empty, so the freeze would hold for no release; leave it out to freeze "
            "every kind",
            field="kinds",
            value=given,
        )
    return frozenset(kinds)


def _environments(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    names = _validate.str_frozenset(value)
    if not names:
        raise InvalidInputError(
            "environments is empty, so the freeze would close nothing; leave it out to close "
            "the last environment",
            field="environments",
            value=value,
        )
    for name in names:
        if not name.strip():
            raise InvalidInputError(
                f"environments must hold environment names, not {name!r}",
                field="environments",
                value=value,
            )
    return names


def _declared_by(value: str | None) -> str | None:
    return None if value is None else identity(value, field="declared_by")


def _declared_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    return optional_instant(value, field="declared_at")


@attrs.frozen(kw_only=True)
class FrozenPeriod:
    """One contiguous stretch of time during which a freeze holds.

    Attributes:
        start: The first frozen instant, aware and in UTC.
        end: The first instant no longer frozen, aware and in UTC; ``None``
            when the freeze goes on beyond what a forecast looks at (two years).
    """

    start: pendulum.DateTime
    end: pendulum.DateTime | None


@attrs.frozen(kw_only=True)
class Freeze:
    """A period during which releases may not enter an environment, and why.

    Example:
        >>> christmas = Freeze(
        ...     name="christmas",
        ...     reason="the office is closed",
        ...     timezone="Europe/London",
        ...     yearly=[YearlyDates(first="12-24", last="12-26")],
        ... )
        >>> christmas.contains(pendulum.datetime(2026, 12, 25, 10, tz="UTC"))
        True
        >>> str(christmas.thaws(pendulum.datetime(2026, 12, 25, 10, tz="UTC")))
        '2026-12-27 00:00:00+00:00'

    Attributes:
        name: What the freeze is called; its guard's code is ``<name>-freeze``.
        reason: Why there is no release then, for people reading a blocker.
        timezone: The IANA zone whose wall clock its dates and local times follow.
        dates: One-off whole local dates.
        intervals: One-off stretches between aware instants.
        yearly: Dates frozen every year.
        recurrences: Recurrence rules, each with a duration.
        calendars: Calendar files whose events are frozen.
        environments: The environments it closes; ``None`` (the default)
            closes the policy's last environment, production.
        kinds: The kinds of release it holds for; ``None`` (the default): all.
            A flow may also lift it by its code.
        declared_by: Who declared it, as an identity; ``None`` for a freeze
            written in the policy itself.
        declared_at: When it was declared, if it was declared on the spot.
    """

    name: str = attrs.field(validator=_validate.name)
    reason: str = attrs.field(validator=_validate.text)
    timezone: str = attrs.field(validator=_check_timezone)
    dates: tuple[FreezeDates, ...] = attrs.field(default=(), converter=_dates)
    intervals: tuple[FreezeInterval, ...] = attrs.field(default=(), converter=_intervals)
    yearly: tuple[YearlyDates, ...] = attrs.field(default=(), converter=_yearly)
    recurrences: tuple[Recurrence, ...] = attrs.field(default=(), converter=_recurrences)
    calendars: tuple[IcsCalendar, ...] = attrs.field(default=(), converter=_calendars)
    environments: frozenset[str] | None = attrs.field(default=None, converter=_environments)
    kinds: frozenset[ReleaseKind] | None = attrs.field(default=None, converter=_kinds)
    declared_by: str | None = attrs.field(default=None, converter=_declared_by)
    declared_at: pendulum.DateTime | None = attrs.field(default=None, converter=_declared_at)

    def __attrs_post_init__(self) -> None:
        if not self._covers:
            raise InvalidInputError(
                f"freeze {self.name!r} covers no time; give it dates, intervals, yearly dates, "
                "recurrences or calendars",
                field="dates",
                value=(),
            )

    @functools.cached_property
    def _covers(self) -> tuple[Any, ...]:
        return (*self.dates, *self.intervals, *self.yearly, *self.recurrences, *self.calendars)

    @functools.cached_property
    def _zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def code(self) -> str:
        """The code of its guard, which a flow's ``lifts`` names: ``<name>-freeze``."""
        return f"{self.name}-freeze"

    def closes(self, environment: str, *, last: str) -> bool:
        """Whether it closes *environment*, in a policy whose last environment is *last*."""
        return environment in (self.environments or {last})

    def holds_for(self, kind: ReleaseKind) -> bool:
        """Whether it holds for releases of *kind* (before any flow lifts it)."""
        return self.kinds is None or kind in self.kinds

    # -- questions -------------------------------------------------------------------

    def contains(self, at: dt.datetime) -> bool:
        """Return whether the freeze holds at *at*.

        Raises:
            NaiveDatetimeError: *at* has no time zone.
        """
        second = posix_second(at, field="at")
        return self._holding(second) is not None

    def thaws(self, after: dt.datetime) -> pendulum.DateTime | None:
        """Return the first instant at or after *after* when the freeze does not hold.

        That is *after* itself when the freeze does not hold then; ``None``
        when it holds for longer than a forecast looks ahead (two years).

        Raises:
            NaiveDatetimeError: *after* has no time zone.
        """
        second = posix_second(after, field="after")
        end = self._stretch_end(second, second + _horizon())
        if end is None:
            return None
        return instant(after, field="after") if end == second else from_posix(end)

    def current_period(self, at: dt.datetime) -> FrozenPeriod | None:
        """Return the stretch of frozen time holding *at*, or ``None`` when it does not hold.

        Raises:
            NaiveDatetimeError: *at* has no time zone.
        """
        second = posix_second(at, field="at")
        if self._holding(second) is None:
            return None
        end = self._stretch_end(second, second + _horizon())
        start = self._stretch_start(second, second - _horizon())
        return FrozenPeriod(start=from_posix(start), end=None if end is None else from_posix(end))

    def periods(self, start: dt.datetime, end: dt.datetime) -> tuple[FrozenPeriod, ...]:
        """Return every stretch of frozen time that overlaps ``[start, end)``, in order.

        Each is given whole: the first may start before *start*, the last end after *end*.

        Raises:
            NaiveDatetimeError: *start* or *end* has no time zone.
        """
        low = posix_second(start, field="start")
        high = posix_second(end, field="end")
        found = []
        for begins, ends in _local.merged(self._stretches(low, high)):
            first = self._stretch_start(begins, begins - _horizon()) if begins <= low else begins
            last = self._stretch_end(ends, ends + _horizon()) if ends >= high else ends
            found.append(
                FrozenPeriod(
                    start=from_posix(first), end=None if last is None else from_posix(last)
                )
            )
        return tuple(found)

    def describe(self) -> str:
        """Say what the freeze covers, e.g. ``24 Dec to 26 Dec each year (Europe/London)``."""
        return f"{'; '.join(part.describe() for part in self._covers)} ({self.timezone})"

    def __str__(self) -> str:
        return f"{self.name}: {self.describe()}"

    # -- the arithmetic ---------------------------------------------------------------

    def _stretches(self, low: int, high: int) -> Iterator[_local.Stretch]:
        zone = self._zone
        for part in self._covers:
            yield from part.stretches(zone, low, high)

    def _holding(self, second: int) -> _local.Stretch | None:
        for stretch in _local.merged(self._stretches(second, second + 1)):
            if stretch[0] <= second < stretch[1]:
                return stretch
        return None

    def _stretch_end(self, second: int, limit: int) -> int | None:
        """Return the first second from *second* on that is not frozen, or ``None`` past *limit*."""
        end, chunk = second, _CHUNK
        while end < limit:
            high = min(end + chunk, limit)
            holding = next(
                (s for s in _local.merged(self._stretches(end, high)) if s[0] <= end < s[1]), None
            )
            if holding is None:
                return end
            if holding[1] < high:
                return holding[1]
            end, chunk = holding[1], chunk * 2
        return None

    def _stretch_start(self, second: int, limit: int) -> int:
        """Return where the frozen stretch holding *second* began (not before *limit*)."""
        start, chunk = second, _CHUNK
        while start > limit:
            low = max(start - chunk, limit)
            holding = next(
                (s for s in _local.merged(self._stretches(low, start + 1)) if s[0] <= start < s[1]),
                None,
            )
            if holding is None or holding[0] > low:
                return start if holding is None else holding[0]
            start, chunk = holding[0], chunk * 2
        return start


def _horizon() -> int:
    return _forecast.HORIZON // _local.ONE_SECOND


# -- the guard ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OutsideFreeze:
    """The step may not happen while a freeze holds.

    A policy adds this guard to every step entering an environment its
    freezes close; its code is the freeze's (``<name>-freeze``), which a flow's
    ``lifts`` may name.
    """

    freeze: Freeze

    @property
    def code(self) -> str:
        """The freeze's code, ``<name>-freeze``."""
        return self.freeze.code

    @property
    def kind(self) -> GuardKind:
        """A time guard: a flow may lift it."""
        return GuardKind.TIME

    def check(self, context: GuardContext) -> Verdict:
        """Pass outside the freeze; otherwise name it, why, who declared it and until when."""
        freeze = self.freeze
        period = freeze.current_period(context.now)
        if period is None:
            return Verdict.ok()
        allowed = context.allowed_from(self)
        until = "for more than two years" if period.end is None else f"until {when(period.end)}"
        wait = (
            f"wait until {when(allowed)}, the first moment every time rule of this step allows"
            if allowed is not None
            else "no moment in the next two years passes every time rule of this step"
        )
        spared = _spared(freeze, context)
        hint = f"{wait}, or start a {spared} release if this cannot wait" if spared else wait
        # A freeze declared on the spot is lifted early by the people the policy lets declare.
        lifters = context.policy.freeze_declarers if freeze.declared_by is not None else ()
        people = context.policy.declarers if lifters else ()
        if people:
            hint = f"{hint}; {_either(people)} may lift it early"
        return Verdict.blocked(
            context.blocker(
                self,
                reason="frozen",
                message=f"{context.target} is frozen at {when(context.now)} by the {freeze.name} "
                f"freeze ({freeze.reason}), declared {_declared(freeze, context)}, {until}",
                hint=hint,
                unblocked_by=lifters,
                people=people,
                earliest=allowed,
            )
        )

    def earliest(self, after: pendulum.DateTime) -> pendulum.DateTime | None:
        """Return the first instant at or after *after* outside the freeze."""
        return self.freeze.thaws(after)

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"outside the {self.freeze.name} freeze, {self.freeze.describe()}"

    def environments(self) -> frozenset[str]:
        """The environments the freeze names (none: the policy's last)."""
        return self.freeze.environments or frozenset()


def _declared(freeze: Freeze, context: GuardContext) -> str:
    if freeze.declared_by is None:
        return f"in policy {context.policy.name!r}"
    at = "" if freeze.declared_at is None else f" at {when(freeze.declared_at)}"
    return f"by {freeze.declared_by}{at}"


def _either(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _spared(freeze: Freeze, context: GuardContext) -> str:
    """Name the kinds of release the freeze does not hold back, as ``hotfix``."""
    kinds = [
        flow.kind.value
        for flow in context.policy.flows
        if freeze.code in flow.lifts or not freeze.holds_for(flow.kind)
    ]
    return " or ".join(kinds)
