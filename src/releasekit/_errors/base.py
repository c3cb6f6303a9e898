"""The base of the exception tree, and errors of input: bad values and policies, unknown ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence


__all__ = [
    "InvalidInputError",
    "NaiveDatetimeError",
    "PolicyError",
    "PolicyFileError",
    "ReleaseEndedError",
    "ReleaseKitError",
    "UnknownDataOperationError",
    "UnknownReleaseError",
]


class ReleaseKitError(Exception):
    """The base of every error releasekit raises on purpose.

    Every error of the tree survives :mod:`pickle` (a process pool handing it
    back, a task queue) with its message and its attributes as they were.
    """

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt without calling __init__: its arguments are keyword-only and
        # differ per class, while the message and the attributes are all there is.
        return _rebuild, (type(self), self.args, dict(vars(self)))


def _rebuild(
    kind: type[ReleaseKitError], args: tuple[object, ...], attributes: dict[str, object]
) -> ReleaseKitError:
    """Return an error of *kind* holding *args* and *attributes*, as :mod:`pickle` gave them."""
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    vars(error).update(attributes)
    return error


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


class ReleaseEndedError(InvalidInputError):
    """The release has ended, or finished its flow, so it takes no such action any more.

    A release that was abandoned or rolled back has ended: it can only be read
    (its record, status, history, verification, an explanation or a plan
    saying it is finished). A release in the last environment of its flow
    (production) has finished its flow: evidence, test runs, migrations,
    promotions and abandoning are refused, while what concerns production
    (monitoring, log checks, attention items, rollback) goes on. Nothing is
    recorded for a refused action.

    Attributes:
        release_id: The release.
        state: Where it is: ``"abandoned"``, ``"rolled-back"``, or the last
            environment of its flow.
        action: What was refused, e.g. ``"record evidence"``.
        ended: ``True`` if the release was abandoned or rolled back, ``False``
            if it finished its flow.
    """

    def __init__(self, *, release_id: str, state: str, action: str, ended: bool) -> None:
        if ended:
            done = "abandoned" if state == "abandoned" else "rolled back"
            instead = (
                "start a new release to ship it again"
                if state == "abandoned"
                else "ship the fix as a new (hotfix) release"
            )
            message = (
                f"release {release_id} was {done}: it has ended, so you cannot {action}; "
                f"it can only be read now — {instead}"
            )
        else:
            message = (
                f"release {release_id} has finished its flow in {state}, so you cannot "
                f"{action}; only the operations of {state} (log checks, attention items, "
                "rollback) concern it now — start a new release to ship more"
            )
        super().__init__(message, field="release_id", value=release_id)
        self.release_id = release_id
        self.state = state
        self.action = action
        self.ended = ended


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


class PolicyFileError(PolicyError):
    """A policy file cannot be read or holds mistakes.

    Attributes:
        source: The file (or other source) read.
        problems: Every problem found, each starting with the path of the value
            at fault, e.g. ``environments[2].gate[0].environment: ...``.
    """

    def __init__(self, *, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        listed = "\n".join(f"  {problem}" for problem in self.problems)
        ReleaseKitError.__init__(self, f"{source}: {count} {noun} in the policy file:\n{listed}")


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


class UnknownDataOperationError(ReleaseKitError, LookupError):
    """No data operation with the given id exists.

    Attributes:
        operation_id: The id that was looked up.
    """

    def __init__(self, operation_id: str) -> None:
        super().__init__(
            f"there is no data operation {operation_id!r}; list the data operations to find "
            "its id, or request it first"
        )
        self.operation_id = operation_id

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])
