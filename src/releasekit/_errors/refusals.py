"""Refusals: an actor who may not act, a promotion or data operation refused, no way back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._errors.base import ReleaseKitError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from releasekit._rules.verdicts import Blocker

__all__ = [
    "DataOperationRefusedError",
    "NotPermittedError",
    "NothingToRollBackError",
    "PromotionRefusedError",
    "UnknownPersonError",
]


class NotPermittedError(ReleaseKitError, PermissionError):
    """The actor may not perform this action.

    Attributes:
        actor: Who tried.
        action: What they tried, e.g. ``"promote"``.
        allowed: Who may do it instead.
    """

    def __init__(self, message: str, *, actor: str, action: str, allowed: Sequence[str]) -> None:
        super().__init__(message)
        self.actor = actor
        self.action = action
        self.allowed = tuple(allowed)

    def __str__(self) -> str:  # PermissionError would show (errno, strerror)
        return str(self.args[0])


class PromotionRefusedError(ReleaseKitError):
    """A release may not move to its next environment now.

    Carries every blocker at once, so one refusal tells the whole story.

    Attributes:
        release_id: The release that was refused.
        source: The environment the release is in.
        target: The environment it was to move to.
        blockers: Every unmet guard, as structured blockers.
    """

    def __init__(
        self,
        *,
        release_id: str,
        source: str,
        target: str,
        blockers: Sequence[Blocker],
    ) -> None:
        self.release_id = release_id
        self.source = source
        self.target = target
        self.blockers = tuple(blockers)
        reasons = "; ".join(b.message for b in self.blockers)
        count = len(self.blockers)
        noun = "reason" if count == 1 else "reasons"
        super().__init__(
            f"release {release_id} may not move from {source} to {target} "
            f"({count} {noun}): {reasons}"
        )


class DataOperationRefusedError(NotPermittedError):
    """A step of a data operation (request, verify, execute, restore, …) is refused.

    Nothing was recorded: the operation is exactly as it was.

    Attributes:
        reason: A stable code saying why, e.g. ``"requester-verifies"``,
            ``"not-operator"``, ``"not-verified"``, ``"direction"``.
        operation_id: The operation, or ``None`` if it was never created.
        environment: The environment whose data would change.
        actor: Who tried.
        action: What they tried, e.g. ``"verify a data adjustment"``.
        allowed: Who may do it instead (empty if nobody may, or anyone else).
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        operation_id: str | None,
        environment: str,
        actor: str,
        action: str,
        allowed: Sequence[str] = (),
    ) -> None:
        super().__init__(message, actor=actor, action=action, allowed=allowed)
        self.reason = reason
        self.operation_id = operation_id
        self.environment = environment


#: How many people of the roster an :class:`UnknownPersonError` lists when it suggests no one.
_LISTED_PEOPLE = 10


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


class UnknownPersonError(NotPermittedError):
    """A name is on nobody's entry of the policy's roster: no one of the team is called that.

    Raised, with a roster, for whoever acts (``by``, ``--actor``), the author of
    evidence and every other name given for a person. Nothing was recorded.

    Attributes:
        actor: The name that was given, as an identity.
        field: The argument or field it was given as, e.g. ``"by"``, ``"actor"``.
        suggestions: The people of the roster whose name or alias is close to it.
        allowed: Everyone on the roster, by name.
        action: Always ``"act"``: no one off the roster may do anything.
    """

    def __init__(
        self,
        *,
        actor: str,
        field: str,
        suggestions: Sequence[str],
        allowed: Sequence[str],
        given_as: str | None = None,
    ) -> None:
        """Say *actor* is on no one's entry; *given_as* says where it came from (``--actor``)."""
        where = given_as or field
        how = f"{where}: a person is named by a name or alias listed under [people] in the policy"
        if suggestions:
            message = (
                f"no one called {actor!r} is on the roster; did you mean {_either(suggestions)}? "
                f"({how})"
            )
        else:
            listed = ", ".join(allowed[:_LISTED_PEOPLE])
            more = ", ..." if len(allowed) > _LISTED_PEOPLE else ""
            message = (
                f"no one called {actor!r} is on the roster ({listed}{more}); give the name of "
                f"someone on it, or add them there ({how})"
            )
        super().__init__(message, actor=actor, action="act", allowed=allowed)
        self.field = field
        self.suggestions = tuple(suggestions)


class NothingToRollBackError(ReleaseKitError, LookupError):
    """An environment has no earlier version to roll back to.

    Attributes:
        environment: The environment that was to be rolled back.
        current: The release running there, or ``None`` if none ever reached it.
    """

    def __init__(self, *, environment: str, current: str | None) -> None:
        if current is None:
            message = (
                f"nothing runs in {environment} yet, so there is nothing to roll back; "
                f"promote a release to {environment} first"
            )
        else:
            message = (
                f"release {current} runs in {environment} and no earlier release is left to go "
                "back to (rolled-back releases do not count); fix it forward with a hotfix "
                "release instead"
            )
        super().__init__(message)
        self.environment = environment
        self.current = current

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])
