"""Where data operations are kept: one history per operation, ``data:<id>``, in the desk's store.

:class:`DataRecords` reads an operation back (verified against its history
and replayed on every read: the history is short, and a state edited behind
releasekit's back — a forged verifier — is refused before any rule reads it)
and writes each step as one event, the new state being the step folded into
the old by :func:`~releasekit._actions.data_history.apply`, the very fold
``verify`` replays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._actions import data_history
from releasekit._actions.data import STREAM_PREFIX, DataOperation, DataOperationKind
from releasekit._records.converter import structure
from releasekit._records.events import Action
from releasekit._records.ledger import Ledger
from releasekit.exceptions import ConflictError, InvalidInputError, UnknownDataOperationError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable

    from releasekit._records.events import Event, Verification

__all__ = ["DataRecords"]

#: How many numbered ids are tried for a new operation before giving up.
_MAX_ID_TRIES = 100


@attrs.define(eq=False)
class DataRecords:
    """The histories of data operations, kept on a ledger's store.

    Attributes:
        ledger: The ledger whose store keeps them.
    """

    ledger: Ledger

    def load(self, operation_id: str) -> tuple[DataOperation, int]:
        """Return the operation and the revision of its history, checked against each other.

        Raises:
            UnknownDataOperationError: No data operation has that id.
            InvalidInputError: *operation_id* is not a string that can name one.
            HistoryTamperedError: The history does not verify, or the state is
                not its replay.
        """
        stream = _stream(operation_id)
        snapshot = self.ledger.checked_snapshot(stream, replay=data_history.replay_problem)
        if snapshot is None:
            raise UnknownDataOperationError(operation_id)
        operation = structure(snapshot.data, DataOperation, what=f"the current state of {stream}")
        return operation, snapshot.revision

    def load_adjustment(self, operation_id: str) -> tuple[DataOperation, int]:
        """Return the adjustment and its revision, as :meth:`load` does.

        Raises:
            InvalidInputError: The operation is a restore, not an adjustment.
        """
        operation, revision = self.load(operation_id)
        if operation.kind is not DataOperationKind.ADJUSTMENT:
            raise InvalidInputError(
                f"{operation_id} is a {operation.kind.value}, not a data adjustment",
                field="operation_id",
                value=operation_id,
            )
        return operation, revision

    def ids(self) -> list[str]:
        """Return the id of every data operation the store holds, in name order."""
        return [
            name.removeprefix(STREAM_PREFIX)
            for name in self.ledger.store.streams(prefix=STREAM_PREFIX)
        ]

    def history(self, operation_id: str) -> list[Event]:
        """Return every event of the operation, oldest first (its state need not verify).

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        stream = _stream(operation_id)
        store = self.ledger.store
        events = store.events(stream)
        if not events and store.snapshot(stream) is None:
            raise UnknownDataOperationError(operation_id)
        return events

    def verify(self, operation_id: str) -> Verification:
        """Check the operation's history against its chain, and its state against its replay.

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        stream = _stream(operation_id)
        verification = self.ledger.verify_history(stream, replay=data_history.replay_problem)
        if verification.ok and not verification.events:
            raise UnknownDataOperationError(operation_id)
        return verification

    def create(
        self,
        build: Callable[[str], DataOperation],
        operation_id: str | None,
        *,
        kind: DataOperationKind,
        by: str,
        at: dt.datetime,
        step: str,
    ) -> DataOperation:
        """Start the history of a new operation, numbering it unless *operation_id* is given.

        Raises:
            ConflictError: *operation_id* is taken.
        """
        if operation_id is not None:
            candidates: Iterable[str] = [operation_id]
        else:
            first = len(self.ledger.store.streams(prefix=f"{STREAM_PREFIX}{kind.value}-")) + 1
            candidates = (f"{kind.value}-{n}" for n in range(first, first + _MAX_ID_TRIES))
        for candidate in candidates:
            requested = build(candidate)  # checks what was asked for
            details = _event_data(requested, step, _content(requested))
            operation = data_history.apply(
                None, operation_id=candidate, actor=by, at=at, reason=requested.reason, data=details
            ).operation  # what the history says: the state written, and what a replay gives
            try:
                self.ledger.append(
                    operation.stream,
                    expected=0,
                    action=Action.DATA_OPERATION,
                    by=by,
                    at=at,
                    snapshot=operation,
                    data=details,
                    reason=operation.reason,
                    target=operation.status.value,
                )
            except ConflictError:
                if operation_id is not None:
                    raise
                continue
            return operation
        raise InvalidInputError(  # pragma: no cover  # a hundred concurrent requests
            "no free data operation id was found; pass operation_id=... to name it",
            field="operation_id",
            value=None,
        )

    def write(
        self,
        before: DataOperation,
        *,
        expected: int,
        by: str,
        at: dt.datetime,
        step: str,
        reason: str,
        details: dict[str, Any],
    ) -> DataOperation:
        """Record one step of *before*'s history; return the operation it leaves.

        Raises:
            ConflictError: The history is no longer at revision *expected*.
        """
        event_data = _event_data(before, step, details)
        after = data_history.apply(
            data_history.Folded(operation=before),
            operation_id=before.id,
            actor=by,
            at=at,
            reason=reason,
            data=event_data,
        ).operation
        self.ledger.append(
            after.stream,
            expected=expected,
            action=Action.DATA_OPERATION,
            by=by,
            at=at,
            snapshot=after,
            data=event_data,
            reason=reason,
            source=before.status.value,
            target=after.status.value,
        )
        return after


def _stream(operation_id: object) -> str:
    """Return the name of the history of *operation_id*, if it can name a data operation."""
    if not isinstance(operation_id, str) or not operation_id.strip():
        raise InvalidInputError(
            f"a data operation id must be a non-empty string, got {operation_id!r}",
            field="operation_id",
            value=operation_id,
        )
    return f"{STREAM_PREFIX}{operation_id}"


def _event_data(operation: DataOperation, step: str, details: dict[str, Any]) -> dict[str, Any]:
    """Return what a data operation's event records: the step, the operation, the details."""
    return {
        "step": step,
        "kind": operation.kind.value,
        "environment": operation.environment,
        **details,
    }


def _content(operation: DataOperation) -> dict[str, Any]:
    """Return what a new operation's first event records of its content."""
    if operation.kind is DataOperationKind.RESTORE:
        return {"source": operation.source}
    return {
        "operation": operation.operation,
        "arguments": list(operation.arguments),
        "fingerprint": operation.fingerprint,
    }
