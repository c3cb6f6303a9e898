"""The processes that run a step, as recorded with it.

A step records the releasekit process that began it and each program its
executor started, so that a later process on the same host can tell whether
one of them still runs — and not start the step a second time beside it. A
process is named by its host and pid, and by what its host's operating system
says about when it started, which tells it from a later process given the
same pid. Reading that from the operating system is the actions layer's job
(:mod:`releasekit._actions.processes`); this module only keeps the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import instant
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["HostProcess"]


def _pid(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInputError(
            f"{attribute.name} must be a process id (a whole number above 0), got {value!r}",
            field=attribute.name,
            value=value,
        )


def _started_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    return None if value is None else instant(value, field="started_at")


@attrs.frozen(kw_only=True)
class HostProcess:
    """A process on a host, recorded so that a later process can tell whether it still runs.

    Attributes:
        host: The name of the host it runs on.
        pid: Its process id there.
        name: Its program's name, for people (e.g. ``"dt"``); empty if unknown.
        started_at: When it started, as its host tells; ``None`` if the host
            does not say.
        start: What the host's operating system says about when it started,
            exactly as read (on Linux, the boot and the clock tick): with the
            pid, it tells this process from a later one given the same pid.
            Empty if the operating system does not say.
    """

    host: str = attrs.field(validator=_validate.text)
    pid: int = attrs.field(validator=_pid)
    name: str = ""
    started_at: pendulum.DateTime | None = attrs.field(default=None, converter=_started_at)
    start: str = ""

    def __str__(self) -> str:
        """Name the process as a person looks for it: ``dt (pid 1240) on ci-7``."""
        named = f"{self.name} (pid {self.pid})" if self.name else f"process {self.pid}"
        return f"{named} on {self.host}"
