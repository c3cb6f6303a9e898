"""Helpers that keep every instant aware and in pendulum's types."""

from __future__ import annotations

import datetime as dt

import pendulum

from releasekit.exceptions import InvalidInputError, NaiveDatetimeError

UTC = pendulum.UTC


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
    return pendulum.instance(value).in_timezone(UTC)


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
