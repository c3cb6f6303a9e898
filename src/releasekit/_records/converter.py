"""releasekit's one private cattrs converter.

Every record type is (de)structured here and nowhere else; the global cattrs
converter is never touched. Instants are kept as aware UTC values and written
as ISO 8601 strings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pendulum
from cattrs.preconf.json import make_converter

from releasekit._rules._time import instant

if TYPE_CHECKING:
    import cattrs

__all__ = ["converter"]


def _structure_instant(value: object, _type: object) -> pendulum.DateTime:
    if isinstance(value, dt.datetime):
        return instant(value, field="time")
    if not isinstance(value, str):
        msg = f"expected an ISO 8601 date and time with a zone, got {value!r}"
        raise TypeError(msg)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        msg = f"{value!r} is not an ISO 8601 date and time"
        raise TypeError(msg) from None
    return instant(parsed, field="time")


def _unstructure_instant(value: dt.datetime) -> str:
    return instant(value, field="time").isoformat()


def _structure_duration(value: object, _type: object) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.timedelta(seconds=value)
    msg = f"expected a duration in seconds, got {value!r}"
    raise TypeError(msg)


def _make() -> cattrs.Converter:
    made = make_converter()
    made.register_structure_hook(pendulum.DateTime, _structure_instant)
    made.register_unstructure_hook(pendulum.DateTime, _unstructure_instant)
    made.register_structure_hook(dt.timedelta, _structure_duration)
    made.register_unstructure_hook(dt.timedelta, dt.timedelta.total_seconds)
    return made


#: The converter every part of releasekit uses; extend it with ``register_*_hook``.
converter: cattrs.Converter = _make()
