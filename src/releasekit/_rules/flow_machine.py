"""The definition of a flow's state machine, shared by the engine and the diagram.

The states are the flow's environments and the two ends (abandoned, rolled
back); a ``promote`` trigger takes each step, ``abandon`` and ``roll_back``
end a release. The engine builds its machine from this definition with
conditions that check each step's guards; the diagram draws the same
definition with conditions that name them, so the picture cannot drift from
the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from releasekit._rules.ended import ABANDONED, ROLLED_BACK

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from releasekit._rules.policy import Policy, Step
    from releasekit._rules.release import ReleaseKind

__all__ = ["ABANDON", "PROMOTE", "ROLL_BACK", "definition"]

#: The trigger that takes a release one step along its flow.
PROMOTE = "promote"
#: The trigger that ends a release before the last environment.
ABANDON = "abandon"
#: The trigger that takes a release in the last environment back out of it.
ROLL_BACK = "roll_back"


def definition(
    policy: Policy,
    kind: ReleaseKind,
    *,
    conditions: Callable[[Step], Sequence[Callable[..., bool]]],
) -> dict[str, Any]:
    """Return the keyword arguments of a :class:`transitions.Machine` for the flow of *kind*.

    Args:
        policy: The policy whose flow it is.
        kind: Which flow.
        conditions: The conditions of each step's ``promote`` transition.
    """
    flow = policy.flow(kind)
    transitions: list[dict[str, Any]] = [
        {
            "trigger": PROMOTE,
            "source": step.source,
            "dest": step.target,
            "conditions": list(conditions(step)),
        }
        for step in policy.steps(kind)
    ]
    transitions.append({"trigger": ABANDON, "source": list(flow.path[:-1]), "dest": ABANDONED})
    transitions.append({"trigger": ROLL_BACK, "source": flow.path[-1], "dest": ROLLED_BACK})
    return {
        "states": [*flow.path, ABANDONED, ROLLED_BACK],
        "transitions": transitions,
        "initial": flow.path[0],
    }
