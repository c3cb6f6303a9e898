"""The ledger's writes for what is in flight or open on a release: executor attempts, attention.

An executor attempt is recorded as started *before* it runs and as finished,
failed or abandoned *after* (:meth:`StepWrites.begin_attempt` and the rest);
if the process dies in between, the release keeps its
:class:`~releasekit._records.values.Attempt` until someone ends it. Attention
items are what needs a person (a bad production log check) until cleared.
Each write is one event, made by the :class:`~releasekit.stores.Ledger` these
methods belong to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from releasekit._records.events import Action
from releasekit._records.fold import (
    AttentionCleared,
    AttentionNeeded,
    ChildStarted,
    StepEnded,
    StepResumed,
    StepStarted,
)
from releasekit._records.values import Attempt, Attention
from releasekit._rules._time import at_instant
from releasekit._rules.release import Move
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from releasekit._records.leases import Lease
    from releasekit._records.processes import HostProcess
    from releasekit._records.values import Record
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.release import Release

__all__ = ["StepWrites", "derived"]


class _Writes(Protocol):
    """What the methods below need of the ledger they belong to."""

    def _change(  # the fields of one event
        self,
        record: Record,
        action: Action,
        data: object,
        *,
        by: str,
        at: dt.datetime,
        reason: str = "",
        source: str | None = None,
        target: str | None = None,
    ) -> Record: ...

    def _ends_flow(self, release: Release, target: str) -> bool: ...


class StepWrites:
    """The :class:`~releasekit.stores.Ledger`'s writes for executor attempts and attention items."""

    def begin_attempt(
        self: _Writes,
        record: Record,
        *,
        capability: str,
        by: str,
        at: dt.datetime,
        environment: str | None = None,
        target: str | None = None,
        detail: str = "",
        attempt_id: str | None = None,
        lease: Lease | None = None,
        runner: HostProcess | None = None,
    ) -> Record:
        """Record that an executor attempt starts — call it *before* the executor runs.

        Args:
            record: The record as loaded.
            capability: What the step does, e.g. ``"deploy"``.
            by: Who starts it.
            at: When.
            environment: Where it runs.
            target: Where the release moves when the step succeeds, if anywhere.
            detail: What exactly runs, for whoever finds it interrupted.
            attempt_id: An id of your own; by default ``"<release>/<position>"``.
            lease: The lease taken for the step, so that whoever finds it
                interrupted can give it back or take it over.
            runner: The process running the step (see
                :func:`releasekit._actions.processes.this_process`).

        Returns:
            The record, whose :attr:`~Record.attempt` is the new attempt.

        Raises:
            AttemptInProgressError: Another step is in flight (or was interrupted).
            ConflictError: The release changed since *record* was loaded.
        """
        record.require_idle()
        attempt = Attempt(
            id=attempt_id if attempt_id is not None else f"{record.id}/{record.revision + 1}",
            capability=capability,
            environment=environment,
            started_at=at_instant(at),
            by=by,
            target=target,
            detail=detail,
            lease=lease,
            runner=runner,
        )
        data = StepStarted(attempt=attempt)
        return self._change(
            record,
            Action.ATTEMPT_STARTED,
            data,
            by=by,
            at=at,
            reason=derived(detail),
            source=record.state,
            target=target,
        )

    def finish_attempt(
        self: _Writes,
        record: Record,
        attempt_id: str,
        *,
        by: str,
        at: dt.datetime,
        evidence: Iterable[Evidence] = (),
        output: str = "",
        reason: str = "",
    ) -> Record:
        """Record that the step succeeded — after it ran, or after checking an interrupted one.

        The evidence it produced is added, and if the attempt has a target the
        release moves there, all in the same event.

        Raises:
            InvalidInputError: *attempt_id* is not the attempt in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        attempt = _require_attempt(record, attempt_id)
        move = (
            Move(source=record.state, target=attempt.target, at=at, by=by)
            if attempt.target is not None
            else None
        )
        data = StepEnded(
            attempt_id=attempt_id,
            evidence=tuple(evidence),
            move=move,
            output=output,
            finished=move is not None and self._ends_flow(record.release, move.target),
        )
        return self._change(
            record,
            Action.ATTEMPT_FINISHED,
            data,
            by=by,
            at=at,
            reason=reason,
            source=record.state,
            target=attempt.target if attempt.target is not None else record.state,
        )

    def fail_attempt(
        self: _Writes,
        record: Record,
        attempt_id: str,
        *,
        by: str,
        at: dt.datetime,
        reason: str,
        evidence: Iterable[Evidence] = (),
        output: str = "",
    ) -> Record:
        """Record that the step failed; the release stays where it is.

        Evidence it produced (a failed test run) is added in the same event.

        Raises:
            InvalidInputError: *attempt_id* is not the attempt in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = StepEnded(attempt_id=attempt_id, evidence=tuple(evidence), output=output)
        return self._change(
            record,
            Action.ATTEMPT_FAILED,
            data,
            by=by,
            at=at,
            reason=reason,
            source=record.state,
            target=record.state,
        )

    def abandon_attempt(
        self: _Writes, record: Record, attempt_id: str, *, by: str, at: dt.datetime, reason: str
    ) -> Record:
        """Give an unfinished attempt up explicitly, e.g. one a crash interrupted.

        Raises:
            InvalidInputError: *attempt_id* is not the attempt in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = StepEnded(attempt_id=attempt_id)
        return self._change(
            record,
            Action.ATTEMPT_ABANDONED,
            data,
            by=by,
            at=at,
            reason=reason,
            source=record.state,
            target=record.state,
        )

    def resume_attempt(
        self: _Writes,
        record: Record,
        attempt_id: str,
        *,
        by: str,
        at: dt.datetime,
        reason: str,
        lease: Lease | None = None,
        runner: HostProcess | None = None,
    ) -> Record:
        """Record that an interrupted attempt runs again, under *lease*, in *runner*.

        The step's lease and runner are replaced, and the programs recorded
        for the interrupted run are forgotten (they were checked to have ended).

        Raises:
            InvalidInputError: *attempt_id* is not the attempt in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = StepResumed(attempt_id=attempt_id, lease=lease, runner=runner)
        return self._change(record, Action.ATTEMPT_RESUMED, data, by=by, at=at, reason=reason)

    def add_child_process(
        self: _Writes,
        record: Record,
        attempt_id: str,
        process: HostProcess,
        *,
        by: str,
        at: dt.datetime,
    ) -> Record:
        """Record a program the executor started for the attempt in flight.

        Raises:
            InvalidInputError: *attempt_id* is not the attempt in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = ChildStarted(attempt_id=attempt_id, process=process)
        return self._change(
            record,
            Action.CHILD_STARTED,
            data,
            by=by,
            at=at,
            reason=f"the executor started {process}",
        )

    def raise_attention(
        self: _Writes, record: Record, *, key: str, message: str, by: str, at: dt.datetime
    ) -> Record:
        """Flag something about the release that needs a person (replacing the same *key*).

        Raises:
            ConflictError: The release changed since *record* was loaded.
        """
        data = AttentionNeeded(
            attention=Attention(key=key, message=message, raised_at=at_instant(at), by=by)
        )
        return self._change(
            record, Action.ATTENTION_NEEDED, data, by=by, at=at, reason=derived(message)
        )

    def clear_attention(
        self: _Writes, record: Record, key: str, *, by: str, at: dt.datetime, reason: str = ""
    ) -> Record:
        """Record that the item *key* was dealt with.

        Raises:
            InvalidInputError: No open item has that key.
            ConflictError: The release changed since *record* was loaded.
        """
        if not any(item.key == key for item in record.attention):
            open_keys = ", ".join(item.key for item in record.attention) or "none"
            raise InvalidInputError(
                f"release {record.id} has no open attention item {key!r} (open: {open_keys})",
                field="key",
                value=key,
            )
        data = AttentionCleared(key=key)
        return self._change(record, Action.ATTENTION_CLEARED, data, by=by, at=at, reason=reason)


def _require_attempt(record: Record, attempt_id: str) -> Attempt:
    attempt = record.attempt
    if attempt is None or attempt.id != attempt_id:
        in_flight = f"{attempt.id} is" if attempt is not None else "no step is"
        raise InvalidInputError(
            f"release {record.id} has no step {attempt_id!r} in flight ({in_flight}); "
            "load the release again to see where it stands",
            field="attempt_id",
            value=attempt_id,
        )
    return attempt


def derived(text: str) -> str:
    """Return *text*, taken from a value, as an event's reason every store can keep.

    The value itself is kept whole in the event's data; only its copy in the
    reason column loses NUL characters, which no database text column holds.
    """
    return text.replace("\x00", "\ufffd")
