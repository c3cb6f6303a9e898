"""When every time rule of a step allows it: the search behind forecasts.

A step may have several time guards — a window it must be inside, freezes it
must be outside of. Each can say, for any instant, the first instant at or
after it when *that* guard passes. The first instant when *all* pass is found
by alternation: ask every guard from the current candidate, move to the latest
answer, and ask again until no guard moves it.

The answer is exact whenever each guard's own answer is: every candidate is
at or before the true answer (the true answer passes each guard, so no guard
can move a candidate past it), and the search stops only at an instant every
guard passes. It ends because each round moves the candidate strictly forward,
and looks no further ahead than :data:`HORIZON`: a step that no instant within
it allows gets ``None`` — "not in sight".

Nothing here reads the clock: the instant to start from is an argument.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, Protocol

import attrs
import pendulum

if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["HORIZON", "Push", "earliest", "trace"]

#: How far ahead a forecast looks: two years, so a yearly freeze is always seen whole.
HORIZON: Final = dt.timedelta(days=2 * 366)


class _Timed(Protocol):
    @property
    def code(self) -> str: ...

    def earliest(self, after: pendulum.DateTime) -> pendulum.DateTime | None: ...


@attrs.frozen(kw_only=True)
class Push:
    """One move of the search: a guard that did not pass at *start*, and passes from *until*.

    Attributes:
        guard: The guard.
        start: The candidate it refused.
        until: The first instant from *start* on at which it passes.
    """

    guard: object
    start: pendulum.DateTime
    until: pendulum.DateTime


def earliest(guards: Iterable[_Timed], after: pendulum.DateTime) -> pendulum.DateTime | None:
    """Return the first instant at or after *after* that every guard passes, within :data:`HORIZON`.

    Args:
        guards: Time guards, each with ``earliest(after)``.
        after: An aware instant in UTC.
    """
    return trace(guards, after)[0]


def trace(
    guards: Iterable[_Timed], after: pendulum.DateTime
) -> tuple[pendulum.DateTime | None, tuple[Push, ...]]:
    """Return what :func:`earliest` returns, with every move the search made to find it."""
    timed = tuple(guards)
    limit = after + HORIZON
    moment = after
    pushes: list[Push] = []
    while True:
        latest = moment
        for guard in timed:
            candidate = guard.earliest(moment)
            if candidate is None:
                return None, tuple(pushes)
            if candidate > moment:
                pushes.append(Push(guard=guard, start=moment, until=candidate))
                latest = max(latest, candidate)
        if latest == moment:
            return moment, tuple(pushes)
        if latest > limit:
            return None, tuple(pushes)
        moment = latest
