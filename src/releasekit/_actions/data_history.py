"""A data operation's history, folded into its state: the writer and ``verify`` use one fold.

Each event of a data operation's history (``data:<id>``) records one step in
its ``data``: the step's name (``requested``, ``verified``, ``amended``,
``started``, ``executed``, ``failed``, ``cancelled``) and what the step
needs; who took it and when are the event's actor and instant. :func:`apply`
turns the operation before a step into the operation after it. The desk
writes every new state with :func:`apply`, so the stored state is the replay
of the history by construction; :func:`replay` rebuilds the operation from its
events, and :func:`replay_problem` compares the two — for ``verify``, and
before every action on an operation, so a forged verifier in the stored state
is refused before anyone counts it.

Events written before releasekit recorded a run's command line and summary in
the step (``started``, ``executed``, ``failed``) do not say what those two
fields became: their replay leaves them as the stored state has them, and
checks everything else.

Example:
    >>> import pendulum
    >>> requested = apply(
    ...     None,
    ...     operation_id="adjustment-1",
    ...     actor="olga",
    ...     at=pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC"),
    ...     reason="IEX sent a wrong close",
    ...     data={"step": "requested", "kind": "adjustment", "environment": "production",
    ...           "operation": "fix-close", "arguments": ["AAPL", "187.20"]},
    ... )
    >>> requested.operation.status.value, requested.unrecorded
    ('requested', frozenset())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._actions.data import (
    STREAM_PREFIX,
    DataOperation,
    DataOperationKind,
    DataOperationStatus,
    DataVerification,
)
from releasekit._records.converter import structure
from releasekit._records.verifying import MISMATCH
from releasekit.exceptions import ReleaseKitError, UnreadableDataError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from releasekit._records.events import Event
    from releasekit._records.store import Snapshot

__all__ = ["Folded", "apply", "replay", "replay_problem"]

#: Every step of a data operation's history.
_STEPS = frozenset(
    {"requested", "verified", "amended", "started", "executed", "failed", "cancelled"}
)

#: The fields a step sets from keys its event data may lack (older events).
_RUN_FIELDS = {
    "started": ("command",),
    "executed": ("summary", "command"),
    "failed": ("summary", "command"),
}


@attrs.frozen(kw_only=True)
class Folded:
    """A data operation after some steps of its history.

    Attributes:
        operation: The operation as the steps leave it.
        unrecorded: Fields whose value the steps do not record (events written
            before releasekit recorded a run's command and summary): a
            comparison takes them as stored.
    """

    operation: DataOperation
    unrecorded: frozenset[str] = frozenset()


def _create(
    operation_id: str, *, actor: str, at: dt.datetime, reason: str, data: Mapping[str, Any]
) -> DataOperation:
    kind = DataOperationKind(data["kind"])
    if kind is DataOperationKind.RESTORE:
        return DataOperation(
            id=operation_id,
            kind=kind,
            environment=data["environment"],
            source=data["source"],
            operation="restore",
            requested_by=actor,
            requested_at=at,
            reason=reason,
            status=DataOperationStatus.RUNNING,
            executed_by=actor,
        )
    return DataOperation(
        id=operation_id,
        kind=kind,
        environment=data["environment"],
        operation=data["operation"],
        arguments=tuple(data["arguments"]),
        requested_by=actor,
        requested_at=at,
        reason=reason,
        status=DataOperationStatus.REQUESTED,
    )


def _step(
    before: DataOperation, *, actor: str, at: dt.datetime, reason: str, data: Mapping[str, Any]
) -> DataOperation:
    step = data["step"]
    if step == "verified":
        verification = DataVerification(
            by=actor, at=at, fingerprint=data["fingerprint"], note=data["note"]
        )
        return attrs.evolve(before, verifications=(*before.verifications, verification))
    if step == "amended":
        return attrs.evolve(
            before,
            operation=data["operation"],
            arguments=tuple(data["arguments"]),
            status=DataOperationStatus.REQUESTED,
            verifications=tuple(attrs.evolve(item, voided=True) for item in before.verifications),
        )
    if step == "started":
        return attrs.evolve(
            before,
            status=DataOperationStatus.RUNNING,
            executed_by=actor,
            command=tuple(data.get("command", before.command)),
        )
    if step in {"executed", "failed"}:
        return attrs.evolve(
            before,
            status=DataOperationStatus(step),
            finished_at=at,
            summary=data.get("summary", before.summary),
            command=tuple(data.get("command", before.command)),
        )
    if step == "cancelled":
        return attrs.evolve(
            before, status=DataOperationStatus.CANCELLED, finished_at=at, summary=reason
        )
    msg = f"a {step} step cannot follow the first one"
    raise ValueError(msg)


def apply(
    before: Folded | None,
    *,
    operation_id: str,
    actor: str,
    at: dt.datetime,
    reason: str,
    data: Mapping[str, Any],
) -> Folded:
    """Return the operation after one step of its history.

    Args:
        before: The operation before the step; ``None`` for its first step.
        operation_id: Its id (its history is ``data:<id>``).
        actor: Who took the step (the event's actor).
        at: When (the event's instant).
        reason: The event's reason (a request's or a cancellation's reason).
        data: The event's data: ``step`` and what the step needs.

    Raises:
        ValueError: *data* does not describe a step (a missing key, a value of
            the wrong kind); :func:`replay` reports it as a :class:`UnreadableDataError`.
    """
    if data.get("step") not in _STEPS:
        msg = f"{data.get('step')!r} is not a step of a data operation"
        raise ValueError(msg)
    try:
        if before is None:
            return Folded(
                operation=_create(operation_id, actor=actor, at=at, reason=reason, data=data)
            )
        operation = _step(before.operation, actor=actor, at=at, reason=reason, data=data)
    except KeyError as missing:
        msg = f"the {data['step']} step records no {missing}"
        raise ValueError(msg) from None
    except (TypeError, ReleaseKitError) as error:
        raise ValueError(str(error)) from None
    fields = _RUN_FIELDS.get(data["step"], ())
    unrecorded = (before.unrecorded - set(fields)) | {name for name in fields if name not in data}
    return Folded(operation=operation, unrecorded=frozenset(unrecorded))


def replay(events: Sequence[Event]) -> Folded:
    """Rebuild a data operation from its history, oldest event first.

    Raises:
        UnreadableDataError: The history is empty, or an event does not describe a step.
    """
    folded: Folded | None = None
    for event in events:
        try:
            folded = apply(
                folded,
                operation_id=event.stream.removeprefix(STREAM_PREFIX),
                actor=event.actor,
                at=event.at,
                reason=event.reason,
                data=event.data,
            )
        except ValueError as error:
            raise UnreadableDataError(
                what=f"event {event.seq} of {event.stream}", problems=[f"{error} @ $.data"]
            ) from None
    if folded is None:
        raise UnreadableDataError(what="the history", problems=["it holds no event @ $"])
    return folded


def replay_problem(snapshot: Snapshot, events: Sequence[Event]) -> tuple[int, str] | None:
    """Return where and why the stored operation is not the replay of its history, if it is not.

    Args:
        snapshot: The operation's stored state.
        events: Its whole history, at the snapshot's revision.
    """
    try:
        folded = replay(events)
    except UnreadableDataError as error:
        return (events[0].seq if events else 1), str(error)
    try:
        what = f"the current state of {snapshot.stream}"
        stored = structure(snapshot.data, DataOperation, what=what)
    except UnreadableDataError as error:
        return snapshot.revision, str(error)
    replayed = attrs.evolve(
        folded.operation, **{name: getattr(stored, name) for name in folded.unrecorded}
    )
    if replayed != stored:
        return snapshot.revision, MISMATCH
    return None
