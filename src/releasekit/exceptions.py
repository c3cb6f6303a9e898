"""The releasekit exception tree.

Every error releasekit raises on purpose derives from :class:`ReleaseKitError`.
Each carries structured attributes for tools and reads, through ``str()``, as a
sentence a person can act on. Where a built-in exception fits, it is mixed in,
so ``except ValueError`` keeps working for callers that already catch it::

    ReleaseKitError
    ├── InvalidInputError (ValueError)
    │   └── NaiveDatetimeError
    ├── PolicyError (ValueError)
    ├── UnknownReleaseError (LookupError)
    ├── NotPermittedError (PermissionError)
    └── PromotionRefusedError
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from releasekit._rules.verdicts import Blocker

__all__ = [
    "InvalidInputError",
    "NaiveDatetimeError",
    "NotPermittedError",
    "PolicyError",
    "PromotionRefusedError",
    "ReleaseKitError",
    "UnknownReleaseError",
]


class ReleaseKitError(Exception):
    """The base of every error releasekit raises on purpose."""


class InvalidInputError(ReleaseKitError, ValueError):
    """A value handed to releasekit cannot be used as it is.

    Attributes:
        field: The name of the offending argument or field.
        value: The value that was refused.
    """

    def __init__(self, message: str, *, field: str, value: object) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NaiveDatetimeError(InvalidInputError):
    """A datetime without a time zone was given where an instant is needed.

    releasekit never guesses a time zone: a naive datetime is ambiguous, and a
    release window misread by an hour is a production outage.
    """

    def __init__(self, *, field: str, value: dt.datetime) -> None:
        super().__init__(
            f"{field} is a naive datetime ({value.isoformat()}); give it a time zone, "
            f"for example pendulum.datetime(..., tz='UTC') or value.replace(tzinfo=UTC)",
            field=field,
            value=value,
        )


class PolicyError(ReleaseKitError, ValueError):
    """A policy is inconsistent and cannot be used.

    Raised when the policy is built, never later, so a broken policy fails
    when it is loaded rather than in the middle of a release.

    Attributes:
        problems: Every problem found, each a sentence naming what is wrong.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = f"the policy is invalid: {self.problems[0]}"
        else:
            listed = "; ".join(self.problems)
            message = f"the policy is invalid ({len(self.problems)} problems): {listed}"
        super().__init__(message)


class UnknownReleaseError(ReleaseKitError, LookupError):
    """No release with the given id exists.

    Attributes:
        release_id: The id that was looked up.
    """

    def __init__(self, release_id: str) -> None:
        super().__init__(
            f"there is no release {release_id!r}; list the known releases or start a new one"
        )
        self.release_id = release_id

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


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
