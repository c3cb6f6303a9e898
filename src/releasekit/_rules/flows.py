"""The parts of a policy: the gate of each environment, the flows through them, their steps.

A :class:`Gate` holds the guards of entering one environment; a :class:`Flow`
is the path one kind of release takes; a :class:`Step` is one move along a
flow with the guards that apply to it, as the :class:`~releasekit.Policy`
works them out from its gates, freezes and the flow's lifts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._rules import _validate
from releasekit._rules.guards import Guard, GuardKind
from releasekit._rules.release import ReleaseKind
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Flow", "Gate", "Step"]


def _kind(value: ReleaseKind | str) -> ReleaseKind:
    try:
        return ReleaseKind(value)
    except ValueError:
        raise InvalidInputError(
            f"kind {value!r} is not a release kind; use one of "
            + ", ".join(repr(k.value) for k in ReleaseKind),
            field="kind",
            value=value,
        ) from None


def _guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Gate:
    """The guards a release must pass to enter an environment.

    Attributes:
        environment: The environment being entered.
        guards: The guards checked, in order.
    """

    environment: str
    guards: tuple[Guard, ...] = attrs.field(converter=_guards)


@attrs.frozen(kw_only=True)
class Flow:
    """One path through the environments, for releases of one kind.

    Attributes:
        kind: The kind of release that follows this flow.
        path: The environments visited, in order, from the first to the last.
        lifts: Codes of time guards this flow does not apply (a hotfix lifts
            ``"production-window"``). Evidence guards can never be lifted.
        description: One sentence on when to use the flow.
    """

    kind: ReleaseKind = attrs.field(converter=_kind)
    path: tuple[str, ...] = attrs.field(converter=_validate.str_tuple)
    lifts: frozenset[str] = attrs.field(default=frozenset(), converter=_validate.str_frozenset)
    description: str = ""


@attrs.frozen(kw_only=True)
class Step:
    """One step of a flow, with the guards that apply to it.

    Attributes:
        kind: The flow the step belongs to.
        source: The environment a release leaves.
        target: The environment it enters.
        guards: The guards that must pass, in order (lifted guards excluded).
        lifted: The guards of the target's gate that this flow lifts.
    """

    kind: ReleaseKind
    source: str
    target: str
    guards: tuple[Guard, ...]
    lifted: tuple[Guard, ...] = ()

    @property
    def name(self) -> str:
        """``source -> target``."""
        return f"{self.source} -> {self.target}"

    @property
    def time_guards(self) -> tuple[Guard, ...]:
        """The time guards that apply to the step."""
        return tuple(guard for guard in self.guards if guard.kind is GuardKind.TIME)
