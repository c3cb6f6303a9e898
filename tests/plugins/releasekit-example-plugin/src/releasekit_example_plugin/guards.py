"""An example custom guard: a release ships at most ``limit`` functions.

The entry point ``releasekit.guards: max-functions`` names :class:`MaxFunctions`;
a policy file uses it as ``{ type = "custom", guard = "max-functions", limit = 3 }``.
"""

from __future__ import annotations

import attrs

from releasekit import Verdict
from releasekit.guards import GuardContext, GuardKind

__all__ = ["MaxFunctions"]


@attrs.frozen(kw_only=True)
class MaxFunctions:
    """The artifact ships at most ``limit`` functions (a team's rule of thumb).

    Attributes:
        limit: The most functions one release may change.
        code: The guard's code in blockers.
    """

    limit: int = attrs.field(validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)])
    code: str = attrs.field(default="max-functions", validator=attrs.validators.instance_of(str))

    @property
    def kind(self) -> GuardKind:
        """An evidence guard: it reads the artifact."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when the artifact has at most ``limit`` functions."""
        count = len(context.release.artifact.functions)
        if count <= self.limit:
            return Verdict.ok()
        return Verdict.blocked(
            context.blocker(
                self,
                reason="too-big",
                message=f"{count} functions change at once; the limit is {self.limit}",
                hint="split the release",
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"at most {self.limit} functions"

    def environments(self) -> frozenset[str]:
        """Names no environment."""
        return frozenset()
