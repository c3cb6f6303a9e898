"""The actor guard: only an environment's owners act in it."""

from __future__ import annotations

import attrs

from releasekit._rules.guards.base import (
    GuardContext,
    GuardKind,
    names,
)
from releasekit._rules.verdicts import Verdict

__all__ = ["ActorAllowed"]


@attrs.frozen(kw_only=True)
class ActorAllowed:
    """Only an environment's owners may act in it (on either side of a step).

    Policies add this guard to every step themselves; it cannot be lifted.
    """

    code: str = "owner-only"

    @property
    def kind(self) -> GuardKind:
        """An actor guard."""
        return GuardKind.ACTOR

    def check(self, context: GuardContext) -> Verdict:
        """Pass unless the actor is not an owner of the source or target environment."""
        if context.actor is None:
            return Verdict.ok()
        blockers = []
        for name in (context.source, context.target):
            environment = context.policy.environment(name)
            if not environment.may_act(context.actor):
                owners = tuple(sorted(environment.owners))
                blockers.append(
                    context.blocker(
                        self,
                        reason="not-owner",
                        message=f"{context.actor} may not act in {name}: only "
                        f"{names(environment.owners)} may",
                        hint=f"ask {names(environment.owners)} to do this step",
                        unblocked_by=owners,
                    )
                )
        return Verdict.blocked(*blockers)

    def describe(self) -> str:
        """Say what the guard requires."""
        return "only owners act in owned environments"

    def environments(self) -> frozenset[str]:
        """Refers to no environment by name."""
        return frozenset()
