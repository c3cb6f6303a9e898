"""Clocks: where "now" comes from.

The rules never read the system clock. Whoever drives them — a coordinator, a
command, a test — asks a :class:`Clock` and passes the instant in. Production
code uses :class:`SystemClock`; tests and simulations use :class:`FixedClock`,
which only moves when told to.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

import attrs
import pendulum

from releasekit._rules._time import instant
from releasekit.exceptions import InvalidInputError


@runtime_checkable
class Clock(Protocol):
    """Anything that can say what time it is."""

    def now(self) -> pendulum.DateTime:
        """Return the current instant, aware and in UTC."""
        ...


@attrs.frozen
class SystemClock:
    """The real clock of the machine, in UTC."""

    def now(self) -> pendulum.DateTime:
        """Return the current instant, aware and in UTC."""
        return pendulum.now(pendulum.UTC)


def _now(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="now")


@attrs.define
class FixedClock:
    """A clock that stands still until it is moved: for tests and simulations.

    Example:
        >>> clock = FixedClock(pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC"))
        >>> clock.advance(hours=15).isoformat()
        '2026-11-28T09:00:00+00:00'
    """

    _now: pendulum.DateTime = attrs.field(converter=_now)

    def now(self) -> pendulum.DateTime:
        """Return the instant the clock is set to."""
        return self._now

    def set(self, to: dt.datetime) -> pendulum.DateTime:
        """Move the clock to *to*, which may not lie in its past.

        Raises:
            InvalidInputError: *to* is earlier than the clock's current time.
        """
        target = instant(to, field="to")
        if target < self._now:
            raise InvalidInputError(
                f"a clock cannot go back in time: it reads {self._now.isoformat()} and "
                f"{target.isoformat()} is earlier; build a new FixedClock instead",
                field="to",
                value=to,
            )
        self._now = target
        return self._now

    def advance(
        self,
        by: dt.timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> pendulum.DateTime:
        """Move the clock forward by a duration and return the new time.

        Raises:
            InvalidInputError: The duration is negative.
        """
        step = (by or dt.timedelta()) + dt.timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        if step < dt.timedelta():
            raise InvalidInputError(
                f"a clock only moves forward; {step} is negative",
                field="by",
                value=step,
            )
        self._now = self._now + step
        return self._now
