"""Store errors: a write that lost a race, a tampered history, an unreadable row, a schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._errors.base import ReleaseKitError

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = [
    "ConflictError",
    "HistoryTamperedError",
    "SchemaVersionError",
    "StoreError",
    "UnreadableDataError",
]


class StoreError(ReleaseKitError):
    """A store could not do what was asked of it."""


class ConflictError(StoreError):
    """The caller's view of a record is stale: someone else changed it since it was read.

    Raised by a store when a write names a revision the record is no longer at
    (optimistic concurrency), and by a promotion whose caller named the step it
    meant (``to=``) or the revision it saw (``revision=``) when the release has
    moved on. Either way nothing was written: load the record again and decide
    again.

    Attributes:
        stream: The record that changed, usually a release id.
        expected: The revision the caller saw, if it named one.
        actual: The revision the store holds, if known.
        expected_target: The environment the caller meant the release to
            enter, if it named one.
        actual_target: The environment the release's next step enters now
            (``None`` if it has no next step, or the caller named none).
        state: Where the release is now, if the caller named a step.
    """

    def __init__(
        self,
        *,
        stream: str,
        expected: int | None,
        actual: int | None,
        expected_target: str | None = None,
        actual_target: str | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(
            _conflict_message(
                stream=stream,
                expected=expected,
                actual=actual,
                expected_target=expected_target,
                actual_target=actual_target,
                state=state,
            )
        )
        self.stream = stream
        self.expected = expected
        self.actual = actual
        self.expected_target = expected_target
        self.actual_target = actual_target
        self.state = state


def _conflict_message(
    *,
    stream: str,
    expected: int | None,
    actual: int | None,
    expected_target: str | None,
    actual_target: str | None,
    state: str | None,
) -> str:
    if state is None:  # a store's conflict: a write based on a stale revision
        if expected == 0:
            return f"{stream} already exists (revision {actual}); load it instead of creating it"
        return (
            f"{stream} changed while you worked on it: you saw revision {expected}, the store "
            f"holds revision {actual}; load it again and retry"
        )
    step = (
        "has no next step"
        if actual_target is None
        else f"its next step is {state} -> {actual_target}"
    )
    asked = "you asked to promote it" + (f" to {expected_target}" if expected_target else "")
    if expected_target is not None and state == expected_target:
        found = f"{stream} is already in {state}"
    elif expected_target is not None and actual_target != expected_target:
        found = f"{stream} is in {state} and {step}"
    else:
        found = (
            f"{stream} changed since you saw it at revision {expected}: it is at revision "
            f"{actual}, in {state}, and {step}"
        )
    return f"{found}; {asked} — reload and decide again"


class HistoryTamperedError(StoreError):
    """A history does not match its hash chain, or a stored state does not match its history.

    Raised by ``verify`` results (:meth:`Verification.raise_if_tampered
    <releasekit.stores.Verification.raise_if_tampered>`), and when a state
    edited behind releasekit's back is loaded to be acted on: nothing reads it.

    Attributes:
        stream: The history that does not verify.
        seq: The position of the first event that does not match.
        detail: What does not match.
    """

    def __init__(self, *, stream: str, seq: int, detail: str, message: str | None = None) -> None:
        super().__init__(
            message
            if message is not None
            else f"the history of {stream} does not verify at event {seq}: {detail}; "
            "restore it from a backup and find out who changed it"
        )
        self.stream = stream
        self.seq = seq
        self.detail = detail


class UnreadableDataError(StoreError, ValueError):
    """Stored or given data cannot be read as what it should be (a row, an event, a snapshot).

    Attributes:
        what: What was being read, e.g. ``"the snapshot of r1"``.
        problems: Every problem, each ending with its path, e.g.
            ``"invalid value for type, expected DateTime @ $.evidence[2].at"``.
        release_id: The release whose row cannot be read, when a listing of
            releases met it (list again after it to go on); else ``None``.
    """

    def __init__(
        self, *, what: str, problems: Sequence[str], release_id: str | None = None
    ) -> None:
        self.what = what
        self.problems = tuple(problems)
        self.release_id = release_id
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"{what} cannot be read ({count} {noun}): {'; '.join(self.problems)}; "
            "correct the data, or restore it from a backup if it was stored"
        )


class SchemaVersionError(StoreError):
    """A store was written by a newer releasekit than the one opening it.

    Opening it anyway could silently drop what the newer version records, so
    it is refused.

    Attributes:
        location: The store, e.g. a file path or a database name.
        found: The schema version the store has.
        supported: The newest schema version this releasekit knows.
    """

    def __init__(self, *, location: str, found: int, supported: int) -> None:
        super().__init__(
            f"{location} has schema version {found}, but this releasekit knows versions up "
            f"to {supported} only; upgrade releasekit on this machine to use it"
        )
        self.location = location
        self.found = found
        self.supported = supported
