"""Helpers that keep every instant aware and in pendulum's types."""

from __future__ import annotations

import datetime as dt
from typing import Final

import pendulum

from releasekit.exceptions import InvalidInputError, NaiveDatetimeError

UTC = pendulum.UTC

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DAY: Final = _EPOCH.toordinal()
#: Day names as messages write them, whatever the locale: ``Sat``.
_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def instant(value: dt.datetime, *, field: str = "time") -> pendulum.DateTime:
    """Return *value* as an aware pendulum datetime in UTC.

    Args:
        value: Any aware datetime.
        field: The name used in the error if *value* is refused.

    Raises:
        NaiveDatetimeError: *value* carries no time zone.
        InvalidInputError: *value* is not a datetime at all.
    """
    if value.__class__ is pendulum.DateTime and value.tzinfo is UTC:
        return value  # already what the conversion below gives (values are immutable)
    if not isinstance(value, dt.datetime):
        raise InvalidInputError(
            f"{field} must be a datetime, not {type(value).__name__}",
            field=field,
            value=value,
        )
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(field=field, value=value)
    try:
        return pendulum.instance(value).in_timezone(UTC)
    except (OverflowError, ValueError):  # e.g. 0001-01-01 at +05:00 is before year 1 in UTC
        raise InvalidInputError(
            f"{field} {value.isoformat()} lies outside the years 1 to 9999 in UTC; "
            "give an instant within them",
            field=field,
            value=value,
        ) from None


def _utc(value: dt.datetime, field: str) -> dt.datetime:
    """Return *value* in UTC, converted as :func:`instant` converts it."""
    if value.__class__ is dt.datetime and value.tzinfo is dt.UTC:
        return value  # what instant() would give, without making a pendulum value
    return instant(value, field=field)


def posix_second(value: dt.datetime, *, field: str = "time") -> int:
    """Return the whole POSIX second *value* falls in (rounded down), as :func:`instant` reads it.

    Raises:
        NaiveDatetimeError: *value* carries no time zone.
        InvalidInputError: *value* is not a datetime at all.
    """
    moment = _utc(value, field)
    return (
        (moment.toordinal() - _EPOCH_DAY) * 86_400
        + moment.hour * 3600
        + moment.minute * 60
        + moment.second
    )


def from_posix(second: int) -> pendulum.DateTime:
    """Return the POSIX *second* as an aware pendulum datetime in UTC."""
    moment = _EPOCH + dt.timedelta(seconds=second)
    return pendulum.DateTime(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, tzinfo=UTC
    )


def when(moment: dt.datetime) -> str:
    """Format an aware instant for messages, in UTC: ``Sat 2026-11-28 09:00 UTC``.

    Day names are English whatever the locale, as the rest of the message is.

    Raises:
        NaiveDatetimeError: *moment* carries no time zone.
    """
    utc = moment if moment.tzinfo is UTC else _utc(moment, "time")
    return (
        f"{_DAY_NAMES[utc.weekday()]} {utc.year:d}-{utc.month:02d}-{utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d} UTC"
    )


def optional_instant(value: dt.datetime | None, *, field: str) -> pendulum.DateTime | None:
    """Like :func:`instant`, but passes ``None`` through."""
    return None if value is None else instant(value, field=field)


# attrs converters, one per field name so errors name the field (mypy's attrs
# plugin only understands named functions as converters).


def at_instant(value: dt.datetime) -> pendulum.DateTime:
    """Convert an ``at`` field: an aware instant, refusing naive values."""
    return instant(value, field="at")


def created_at_instant(value: dt.datetime) -> pendulum.DateTime:
    """Convert a ``created_at`` field: an aware instant, refusing naive values."""
    return instant(value, field="created_at")


def earliest_instant(value: dt.datetime | None) -> pendulum.DateTime | None:
    """Convert an optional ``earliest`` field."""
    return optional_instant(value, field="earliest")
