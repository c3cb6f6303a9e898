"""Holiday calendars: iCalendar (``.ics``) files read into freezes.

A team that does not release on bank holidays keeps them in a calendar file,
exported from its calendar or published by its government, and commits it
beside its policy. :func:`read_ics` reads one into an
:class:`~releasekit.IcsCalendar`; :func:`freeze_from_ics` makes it a whole
:class:`~releasekit.Freeze`::

    holidays = calendars.freeze_from_ics(
        "holidays.ics", name="bank-holidays", reason="nobody is in", timezone="Europe/London"
    )

A policy file names the file with ``ics = "holidays.ics"`` in a
``[[freezes]]`` table, relative to the policy file. Nothing is ever
downloaded: the file is read once, when the policy is, and its events are
expanded when a question is asked (by icalendar and recurring-ical-events, the
``calendars`` extra: ``pip install 'releasekit[calendars]'``).
"""

from __future__ import annotations

from pathlib import Path as _Path
from typing import TYPE_CHECKING
from typing import Final as _Final

from releasekit._rules.freezes import Freeze as _Freeze
from releasekit._rules.recurrences import IcsCalendar as _IcsCalendar
from releasekit.exceptions import InvalidInputError as _InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from releasekit._rules.release import ReleaseKind

__all__ = ["MAX_SIZE", "freeze_from_ics", "read_ics"]

#: The largest calendar file read, in bytes: a country's holidays for decades fit in far less.
MAX_SIZE: _Final = 4 * 1024 * 1024


def read_ics(path: str | _Path) -> _IcsCalendar:
    """Read the calendar file at *path*.

    Raises:
        InvalidInputError: It cannot be read, is larger than :data:`MAX_SIZE`,
            is not UTF-8 text, or is not an iCalendar file (``field`` is
            ``"ics"``); or the ``calendars`` extra is not installed.
    """
    file = _Path(path)
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_SIZE + 1)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise _InvalidInputError(
            f"cannot read the calendar file {str(file)!r} ({reason})", field="ics", value=str(file)
        ) from None
    if len(data) > MAX_SIZE:
        raise _InvalidInputError(
            f"the calendar file {str(file)!r} is larger than {MAX_SIZE // (1024 * 1024)} MiB; "
            "is it the right file?",
            field="ics",
            value=str(file),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _InvalidInputError(
            f"the calendar file {str(file)!r} is not UTF-8 text (byte 0x{data[error.start]:02x} "
            f"at offset {error.start}); export it as UTF-8",
            field="ics",
            value=str(file),
        ) from None
    try:
        return _IcsCalendar(text=text, source=file.name)
    except _InvalidInputError as error:
        raise _InvalidInputError(str(error), field="ics", value=str(file)) from None


def freeze_from_ics(
    path: str | _Path,
    *,
    name: str,
    reason: str,
    timezone: str,
    environments: Iterable[str] | None = None,
    kinds: Iterable[ReleaseKind | str] | None = None,
) -> _Freeze:
    """Return a freeze over every event of the calendar file at *path*.

    Args:
        path: The ``.ics`` file.
        name: The freeze's name; its guard's code is ``<name>-freeze``.
        reason: Why there is no release on those days.
        timezone: The IANA zone all-day events (and times without a zone) are read in.
        environments: The environments it closes (default: the policy's last).
        kinds: The kinds of release it holds for (default: all).

    Raises:
        InvalidInputError: The file cannot be read or used, or a value is refused.
    """
    return _Freeze(
        name=name,
        reason=reason,
        timezone=timezone,
        calendars=(read_ics(path),),
        environments=None if environments is None else frozenset(environments),
        kinds=None if kinds is None else frozenset(kinds),
    )
