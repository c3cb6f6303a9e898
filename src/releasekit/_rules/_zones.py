"""Time zone names: a window or a freeze is read in a place, named as IANA names it.

A zone is always spelled out as an IANA name (``"UTC"``, ``"Europe/London"``):
fixed offsets such as ``"+01:00"`` never follow daylight saving time and are
refused, with a sentence saying what to write instead, and a misspelt name is
answered with the closest one the time zone database knows.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from typing import TYPE_CHECKING, Any, Final

from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import attrs

_FIXED_OFFSET: Final = re.compile(
    r"(?:UTC|GMT)?\s*[+\-\u2212][0-9]{1,2}(?::?[0-9]{2})?|Z|Etc/GMT[+-][0-9]{1,2}",
    re.IGNORECASE,
)
#: Names the time zone database answers to that do not name a place.
_NOT_PLACES: Final = frozenset({"localtime", "posixrules", "Factory"})
_EXAMPLE_ZONES: Final = "use a name such as 'UTC' or 'Europe/London'"


def _check_timezone(_instance: object, _attribute: attrs.Attribute[Any], name: object) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            f"timezone must be an IANA time zone name, not {name!r}; {_EXAMPLE_ZONES}",
            field="timezone",
            value=name,
        )
    if _FIXED_OFFSET.fullmatch(name.strip()):
        inverted = " (and Etc/GMT names invert the sign)" if name.startswith("Etc/") else ""
        raise InvalidInputError(
            f"timezone {name!r} is a fixed UTC offset, which never follows daylight saving "
            f"time{inverted}; use an IANA time zone name such as 'UTC' (the same all year) "
            f"or 'Europe/London' (which follows British Summer Time)",
            field="timezone",
            value=name,
        )
    if not _is_zone_name(name):
        raise InvalidInputError(
            f"timezone {name!r} is not an IANA time zone name; {_EXAMPLE_ZONES}"
            f"{_suggest_zone(name)}",
            field="timezone",
            value=name,
        )


def _is_zone_name(name: str) -> bool:
    if name in _NOT_PLACES:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _suggest_zone(name: str) -> str:
    known = {zone.lower(): zone for zone in zoneinfo.available_timezones() - _NOT_PLACES}
    close = known.get(name.strip().lower())
    if close is None:
        matches = difflib.get_close_matches(name.strip().lower(), known, n=1, cutoff=0.8)
        close = known[matches[0]] if matches else None
    return "" if close is None else f" (did you mean {close!r}?)"
