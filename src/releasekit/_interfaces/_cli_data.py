"""The data commands of ``releasekit``: adjust, amend, verify, execute, cancel, restore, list, show.

A data adjustment by hand is requested, verified by others, then run by the
operator; a restore copies one environment's data into another where the
policy allows it. Each command asks the desk and replies like every command.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from releasekit._actions.data import DataOperationKind, DataOperationStatus
from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_render_operations import data_operation_json
from releasekit._interfaces._cli_session import ExitCode, Reply
from releasekit.exceptions import ExecutorNotAllowedError, InvalidInputError

if TYPE_CHECKING:
    import argparse

    from releasekit._actions.data import DataOperation
    from releasekit._actions.desk import Desk
    from releasekit._interfaces._cli_session import Session
    from releasekit._rules.environments import DataAdjustmentRule

__all__ = [
    "data_adjust",
    "data_amend",
    "data_cancel",
    "data_execute",
    "data_list",
    "data_restore",
    "data_show",
    "data_verify",
]


#: How many characters of a fingerprint are shown, and the fewest ``--fingerprint`` takes.
SHORT_FINGERPRINT = 12


def _rule(desk: Desk, operation: DataOperation) -> DataAdjustmentRule | None:
    if operation.kind is not DataOperationKind.ADJUSTMENT:
        return None
    return desk.policy.environment(operation.environment).data_adjustments


def _what(operation: DataOperation) -> str:
    """Say what an operation does, each argument quoted as the shell would need it."""
    if operation.kind is DataOperationKind.RESTORE:
        return operation.describe()
    return f"{shlex.join([operation.operation, *operation.arguments])} in {operation.environment}"


def _standing(operation: DataOperation, rule: DataAdjustmentRule | None) -> str:
    """Say where an operation stands and what comes next."""
    status = operation.status
    if status is DataOperationStatus.EXECUTED:
        at = show.short(operation.finished_at) if operation.finished_at else "?"
        return f"executed by {operation.executed_by} at {at}: {operation.summary}"
    if status is DataOperationStatus.CANCELLED:
        at = show.short(operation.finished_at) if operation.finished_at else "?"
        return f"cancelled at {at}: {operation.summary}"
    if status is DataOperationStatus.RUNNING:
        return (
            f"running (started by {operation.executed_by}); if its run died, "
            f"cancel it: releasekit data cancel {shlex.quote(operation.id)} --reason ..."
        )
    if rule is None:  # a restore that failed: it is not run again, only redone
        return f"failed: {operation.summary}"
    failed = (
        f"its last run failed ({operation.summary}); "
        if status is DataOperationStatus.FAILED
        else ""
    )
    counted = len(operation.verifiers)
    if counted < rule.min_verifications:
        missing = rule.min_verifications - counted
        return (
            f"{failed}{counted} of {rule.min_verifications} verifications; {missing} more "
            f"needed, by anyone but {operation.requested_by} and {rule.operator}: "
            f"releasekit data verify {shlex.quote(operation.id)} --fingerprint "
            f"{operation.fingerprint[:SHORT_FINGERPRINT]}"
        )
    return (
        f"{failed}verified by {', '.join(operation.verifiers)}; {rule.operator} runs it: "
        f"releasekit --executors dt data execute {shlex.quote(operation.id)}"
    )


def _operation_reply(
    desk: Desk, operation: DataOperation, *, outcome: str, head: str, code: ExitCode = ExitCode.OK
) -> Reply:
    rule = _rule(desk, operation)
    lines = [head]
    if operation.kind is DataOperationKind.ADJUSTMENT:
        lines.append(f"  fingerprint: {operation.fingerprint[:SHORT_FINGERPRINT]}")
    lines.append(f"  {_standing(operation, rule)}")
    return Reply(
        data={"outcome": outcome, "operation": data_operation_json(operation, rule)},
        text=show.block(lines),
        code=code,
    )


def data_adjust(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data adjust ENV OPERATION [ARG...] --reason ...``."""
    by = session.actor  # before the store is created: a stranger creates nothing
    desk = session.desk(create=True)
    operation = desk.data.request_adjustment(
        args.environment,
        args.operation,
        args.arguments,
        by=by,
        reason=args.reason,
        operation_id=args.operation_id,
    )
    return _operation_reply(
        desk,
        operation,
        outcome="requested",
        head=f"requested {operation.id}: {_what(operation)}, by {operation.requested_by}",
    )


def data_amend(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data amend ID [ARG...] [--operation NAME]``."""
    if not args.arguments and args.operation is None:
        raise InvalidInputError(
            "an amendment needs the new arguments, --operation NAME, or both",
            field="arguments",
            value=(),
        )
    desk = session.desk()
    current = desk.data.get(args.operation_id)
    operation = desk.data.amend_adjustment(
        args.operation_id,
        by=session.actor,
        arguments=args.arguments or current.arguments,
        operation=args.operation,
        reason=args.reason,
    )
    voided = sum(1 for item in current.verifications if not item.voided)
    void = (
        f"; {voided} {'verification' if voided == 1 else 'verifications'} voided" if voided else ""
    )
    return _operation_reply(
        desk, operation, outcome="amended", head=f"amended {operation.id}: {_what(operation)}{void}"
    )


def _fingerprint(desk: Desk, operation_id: str, given: str | None) -> str | None:
    """Expand a fingerprint prefix the verifier was shown to the operation's full fingerprint."""
    if given is None:
        return None
    seen = given.strip().lower()
    if len(seen) < SHORT_FINGERPRINT:
        raise InvalidInputError(
            f"--fingerprint {given!r} is too short to tell adjustments apart; give at least "
            f"{SHORT_FINGERPRINT} characters, as `releasekit data show {operation_id}` shows them",
            field="fingerprint",
            value=given,
        )
    current = desk.data.get(operation_id).fingerprint
    return current if current.startswith(seen) else seen


def data_verify(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data verify ID [--fingerprint HEX]``."""
    desk = session.desk()
    seen = _fingerprint(desk, args.operation_id, args.fingerprint)
    operation = desk.data.verify_adjustment(
        args.operation_id, by=session.actor, fingerprint=seen, note=args.note
    )
    return _operation_reply(
        desk,
        operation,
        outcome="verified",
        head=f"verified {operation.id} as {session.actor}: {_what(operation)}",
    )


def data_execute(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data execute ID``: only the operator, only through dt."""
    desk = session.desk(executors=True)
    try:
        operation = desk.data.execute_adjustment(
            args.operation_id, by=session.actor, progress=session.progress()
        )
    except ExecutorNotAllowedError as error:
        error.add_note(
            "with the releasekit command: add --executors dt (and --dt PATH if dt is not on "
            "your PATH), or set RELEASEKIT_EXECUTORS=dt"
        )
        raise
    return _operation_reply(
        desk, operation, outcome="executed", head=f"executed {operation.id}: {_what(operation)}"
    )


def data_cancel(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data cancel ID --reason ...``."""
    desk = session.desk()
    operation = desk.data.cancel(args.operation_id, by=session.actor, reason=args.reason)
    return _operation_reply(
        desk, operation, outcome="cancelled", head=f"cancelled {operation.id}: {_what(operation)}"
    )


def data_restore(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data restore SOURCE TARGET --reason ...``."""
    by = session.actor  # before the store is created: a stranger creates nothing
    desk = session.desk(create=True, executors=True)
    operation = desk.data.restore(
        args.source,
        args.target,
        by=by,
        reason=args.reason,
        operation_id=args.operation_id,
        progress=session.progress(),
    )
    return _operation_reply(
        desk,
        operation,
        outcome="restored",
        head=f"restored the data of {operation.source} into {operation.environment} "
        f"({operation.id}), by {operation.requested_by}",
    )


def _verified(operation: DataOperation, rule: DataAdjustmentRule | None) -> str:
    if rule is None:
        return "-"
    return f"{len(operation.verifiers)}/{rule.min_verifications}"


def data_list(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data list [--environment ENV]``."""
    desk = session.desk()
    if args.environment is not None:
        desk.policy.environment(args.environment)  # an unknown name is an error, not "none"
    found = desk.data.operations(environment=args.environment)
    rows = []
    documents = []
    for operation in found:
        rule = _rule(desk, operation)
        rows.append(
            [
                operation.id,
                operation.status.value,
                _verified(operation, rule),
                f"{operation.requested_by}, {show.short(operation.requested_at)}",
                _what(operation),
            ]
        )
        documents.append(data_operation_json(operation, rule))
    headers = ["ID", "STATUS", "VERIFIED", "REQUESTED", "WHAT"]
    where = f" in {args.environment}" if args.environment is not None else ""
    text = (
        show.table(headers, rows)
        if rows
        else show.escape(
            f"no data operations{where} in {session.db}; request one with "
            "`releasekit data adjust ENV OPERATION ARG... --reason ...`"
        )
    )
    return Reply(data={"operations": documents}, text=text)


def data_show(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit data show ID``: the operation, its verifications, its history."""
    desk = session.desk()
    operation = desk.data.get(args.operation_id)
    events = desk.data.history(operation.id)
    rule = _rule(desk, operation)
    lines = [
        f"{operation.kind.value} {operation.id}: {_what(operation)}",
        f"  requested:   {show.short(operation.requested_at)} by {operation.requested_by}: "
        + operation.reason,
        f"  status:      {_standing(operation, rule)}",
    ]
    if operation.kind is DataOperationKind.ADJUSTMENT:
        lines.append(f"  fingerprint: {operation.fingerprint}")
    if rule is not None:
        lines.append(
            f"  rule:        {rule.min_verifications} to {rule.max_verifications} verifications, "
            f"then {rule.operator} runs it through {rule.tool}"
        )
    for item in operation.verifications:
        counts = not item.voided and item.fingerprint == operation.fingerprint
        state = "" if counts else "  (void: it was amended since)"
        note = f": {item.note}" if item.note else ""
        lines.append(f"  verified:    {show.short(item.at)} by {item.by}{note}{state}")
    if operation.command:
        lines.append(f"  command:     {shlex.join(operation.command)}")
    rows = [
        [
            str(event.seq),
            show.short(event.at),
            event.actor,
            str(event.data.get("step", "")),
            event.reason,
        ]
        for event in events
    ]
    history = show.table(["#", "AT", "ACTOR", "STEP", "REASON"], rows)
    return Reply(
        data={
            "operation": data_operation_json(operation, rule),
            "events": [show.event_json(event) for event in events],
        },
        text=f"{show.block(lines)}\n\n{history}",
    )
