"""What the engine answers about a release: why it may or may not move now, and its road ahead.

An :class:`Explanation` holds every blocker of a release's next step at one
instant; a :class:`Plan` holds every remaining step of its flow, each a
:class:`StepPlan` with its blockers, the earliest instant the policy's time
rules allow it and the evidence it still owes. The :class:`~releasekit.Engine`
builds them; they are plain values a tool shows or serialises as it likes.
"""

from __future__ import annotations

import attrs
import pendulum

from releasekit._rules.flows import Step
from releasekit._rules.release import ReleaseKind
from releasekit._rules.timeline import Owed, Wait
from releasekit._rules.verdicts import Blocker

__all__ = ["Explanation", "Plan", "StepPlan"]


@attrs.frozen(kw_only=True)
class Explanation:
    """Why a release may or may not take its next step now.

    Attributes:
        release_id: The release explained.
        state: Where it is.
        step: The next step, or ``None`` at the end of its flow (or abandoned).
        blockers: Every reason the next step may not happen now.
        lifted: Codes of guards the release's flow lifts for this step.
        at: The instant the explanation holds for.
    """

    release_id: str
    state: str
    step: Step | None
    blockers: tuple[Blocker, ...]
    lifted: tuple[str, ...]
    at: pendulum.DateTime

    @property
    def allowed(self) -> bool:
        """Whether the next step may happen now."""
        return self.step is not None and not self.blockers

    @property
    def finished(self) -> bool:
        """Whether there is no next step."""
        return self.step is None

    @property
    def earliest(self) -> pendulum.DateTime | None:
        """The latest of the blockers' earliest times, if only time blocks the step."""
        times = [b.earliest for b in self.blockers]
        if not times or any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)


@attrs.frozen(kw_only=True)
class StepPlan:
    """One remaining step of a plan.

    Attributes:
        step: The step.
        blockers: What blocks it as things stand now.
        earliest: The earliest instant the policy's time rules allow it, not
            before the earliest of the steps before it: its windows and
            freezes, and a test run it still needs (which starts outside the
            daily run's reservation and takes the run's usual time).
        arrives: The earliest instant the release can be in the step's
            source: now for the next step, else the earliest of the one before.
        owed: The evidence it still needs at its earliest instant, who can
            give it, and from when it counts (a log review too old by then is
            owed again).
        waits: The time rules that hold it back from *arrives* to
            *earliest*, in the order they were met.
    """

    step: Step
    blockers: tuple[Blocker, ...]
    earliest: pendulum.DateTime | None
    arrives: pendulum.DateTime | None = None
    owed: tuple[Owed, ...] = ()
    waits: tuple[Wait, ...] = ()


@attrs.frozen(kw_only=True)
class Plan:
    """The road from where a release is to the end of its flow.

    Attributes:
        release_id: The release planned.
        kind: Its flow.
        state: Where it is.
        steps: Every remaining step, in order.
        at: The instant the plan was made for.
        earliest_production: The earliest instant the last step's time rules
            allow, given those of the steps before it — assuming every piece
            of missing evidence arrives in time. ``None`` if no instant in the
            next two years can.
    """

    release_id: str
    kind: ReleaseKind
    state: str
    steps: tuple[StepPlan, ...]
    at: pendulum.DateTime
    earliest_production: pendulum.DateTime | None
