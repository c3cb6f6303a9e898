"""How the board's pages show what the documents hold: instants, durations, evidence, events.

The documents hold instants as ISO 8601 text in UTC; a page shows them as the
command line does (``Sat 2026-11-28 09:00 UTC``), in another zone on request,
and as a distance from the page's own instant (``in 21 h``). Each is a Jinja
filter (:data:`FILTERS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from releasekit._interfaces._cli_render import EVIDENCE_NAMES
from releasekit._interfaces.board._calendar import fully_frozen, instant

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "FILTERS",
    "distance",
    "duration",
    "either",
    "event_reason",
    "event_step",
    "evidence_text",
    "reached",
    "when",
]


def when(text: object, zone: str = "UTC") -> str:
    """Return an instant as people read it, ``Sat 2026-11-28 09:00 UTC``; ``-`` for none."""
    moment = instant(text)
    if moment is None:
        return "-"
    shown = moment.in_timezone(zone)
    name = "UTC" if zone == "UTC" else shown.format("zz") or zone
    return f"{shown.format('ddd YYYY-MM-DD HH:mm')} {name}"


#: Seconds in a minute, minutes in an hour, hours in a day.
_MINUTE = 60
_HOUR = 60
_DAY = 24


def _span(seconds: float) -> str:
    minutes = round(seconds / _MINUTE)
    if minutes < 1:
        return "less than a minute"
    if minutes < _HOUR:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, _HOUR)
    if hours < _DAY:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, _DAY)
    return f"{days} d {hours} h" if hours else f"{days} d"


def distance(text: object, now: object) -> str:
    """Return how far an instant is from *now*: ``in 21 h``, ``3 d 2 h ago``, or ``now``."""
    moment, start = instant(text), instant(now)
    if moment is None or start is None:
        return ""
    seconds = (moment - start).total_seconds()
    if abs(seconds) < _MINUTE:
        return "now"
    return f"in {_span(seconds)}" if seconds > 0 else f"{_span(-seconds)} ago"


def reached(text: object, now: object) -> bool:
    """Whether the instant *text* is at or before *now*."""
    moment, start = instant(text), instant(now)
    return moment is not None and start is not None and moment <= start


def duration(seconds: object) -> str:
    """Return a number of seconds as ``1 h`` or ``30 min``."""
    return _span(float(seconds)) if isinstance(seconds, int | float) else ""


def _join(values: object) -> str:
    return ", ".join(str(value) for value in values) if isinstance(values, list) else ""


def evidence_text(item: Mapping[str, Any]) -> str:  # noqa: PLR0911  # one return per kind
    """Return what a piece of evidence says, as ``status RELEASE`` shows it."""
    kind = item.get("type")
    match kind:
        case "tests-written":
            return f"covers {_join(item.get('covers')) or 'nothing new'}"
        case "test-run":
            outcome = "passed" if item.get("passed") else "FAILED"
            return f"on {item.get('environment')}: {outcome}"
        case "sign-off" if item.get("old_app_versions"):
            versions = _join(item.get("old_app_versions"))
            return f"on {item.get('environment')}, with old app versions {versions}"
        case "sign-off":
            return f"on {item.get('environment')}"
        case "log-review":
            return f"of {_join(item.get('environments'))}: {item.get('verdict')}"
        case "migration-run":
            outcome = "succeeded" if item.get("succeeded") else "FAILED"
            ran = _join(item.get("migrations")) or "none"
            return f"on {item.get('environment')}: {outcome} ({ran})"
        case "change-review":
            return f"of {item.get('version')}"
        case _:
            where = f" on {item['environment']}" if item.get("environment") else ""
            return f"{item.get('name', '')!r}{where}"


def event_step(event: Mapping[str, Any]) -> str:
    """Return where an event happened: ``stage -> production``, or one environment."""
    source, target = event.get("source"), event.get("target")
    if source and target and source != target:
        return f"{source} → {target}"
    return str(target or source or "")


def event_reason(event: Mapping[str, Any]) -> str:
    """Return why an event happened; for evidence added, which kinds were added."""
    if event.get("reason"):
        return str(event["reason"])
    data = event.get("data")
    recorded = data.get("evidence") if isinstance(data, dict) else None
    if isinstance(recorded, list):
        kinds = [
            _TAGGED.get(str(item.get("type")), str(item.get("type")))
            for item in recorded
            if isinstance(item, dict)
        ]
        return f"recorded {', '.join(kinds)}"
    return ""


#: The names of evidence types as the stored event data tags them (``"SignOff"``).
_TAGGED = EVIDENCE_NAMES


def either(names: object) -> str:
    """Name one of *names* to ask: ``maria``, ``maria or ivan``, ``anton, maria or ivan``."""
    if not isinstance(names, list) or not names:
        return ""
    shown = [str(name) for name in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


#: The filters the board's templates use.
FILTERS: Mapping[str, Callable[..., object]] = {
    "reached": reached,
    "fully_frozen": fully_frozen,
    "when": when,
    "distance": distance,
    "duration": duration,
    "evidence": evidence_text,
    "event_step": event_step,
    "event_reason": event_reason,
    "either": either,
}
