"""The time guard of a window: a step happens only while it is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._rules.guards.base import (
    GuardContext,
    GuardKind,
    when,
)
from releasekit._rules.verdicts import Verdict
from releasekit._rules.windows import Window

if TYPE_CHECKING:
    import pendulum

__all__ = ["InsideWindow"]


@attrs.frozen(kw_only=True)
class InsideWindow:
    """The step may only happen while a time window is open (the production window)."""

    window: Window
    code: str = "production-window"

    @property
    def kind(self) -> GuardKind:
        """A time guard: the only kind a flow may lift."""
        return GuardKind.TIME

    def check(self, context: GuardContext) -> Verdict:
        """Pass inside the window; otherwise say when it next opens."""
        opens = self.window.next_opening(context.now)
        if opens == context.now:  # the next opening is now itself exactly when it is open
            return Verdict.ok()
        allowed = context.allowed_from(self)
        wait = (
            "no opening in the next two years is outside every freeze of this step"
            if allowed is None
            else f"wait until {when(allowed)}"
            + ("" if allowed == opens else ", the first moment every time rule of this step allows")
        )
        return Verdict.blocked(
            context.blocker(
                self,
                reason="closed",
                message=f"{context.target} is closed at {when(context.now)}; "
                f"its window, {self.window.describe()}, next opens {when(opens)}",
                hint=f"{wait}, or start a hotfix release if this cannot wait",
                earliest=allowed,
            )
        )

    def earliest(self, after: pendulum.DateTime) -> pendulum.DateTime | None:
        """Return the next instant at or after *after* inside the window."""
        return self.window.next_opening(after)

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"inside {self.window.describe()}"

    def environments(self) -> frozenset[str]:
        """Refers to no environment by name."""
        return frozenset()
