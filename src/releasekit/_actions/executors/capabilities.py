"""Capabilities: the kinds of work an executor can do."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from releasekit.exceptions import InvalidInputError

__all__ = ["ByCapability", "Capability"]

_V = TypeVar("_V")


class Capability(enum.StrEnum):
    """One kind of work a step may need done.

    A rollback is a :attr:`DEPLOY` of the previously deployed version.

    Example:
        >>> Capability("run-tests") is Capability.RUN_TESTS
        True
    """

    DEPLOY = "deploy"
    RUN_TESTS = "run-tests"
    COLLECT_LOGS = "collect-logs"
    MIGRATE = "migrate"
    NOTIFY = "notify"
    ADJUST_DATA = "adjust-data"
    RESTORE_DATA = "restore-data"

    @classmethod
    def parse(cls, value: object, *, field: str = "capability") -> Capability:
        """Return the capability named by *value*, refusing unknown names.

        Args:
            value: A :class:`Capability` or its name, e.g. ``"deploy"``.
            field: The name used in the error if *value* is refused.

        Raises:
            InvalidInputError: *value* names no capability.
        """
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                pass
        known = ", ".join(member.value for member in cls)
        raise InvalidInputError(
            f"{value!r} is not a capability; use one of {known}", field=field, value=value
        )


#: A mapping keyed by capability, written with members or their names (both are strings).
ByCapability = Mapping[str, _V]
