"""Who may do what to a data operation: pure checks, each raising a refusal that changes nothing.

The :class:`~releasekit.Desk`'s data room runs these before it records
anything: whether an environment's data may be adjusted by hand at all, and
whether an adjustment may still be amended, verified, executed or cancelled,
or a restore made, by whom. Each refusal is a
:class:`~releasekit.exceptions.DataOperationRefusedError` naming the operation,
its environment, the actor, the action and a ``reason`` a tool can read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._actions.data import DataOperation, DataOperationStatus
from releasekit._rules.identity import identity
from releasekit.exceptions import DataOperationRefusedError, InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from releasekit._rules.environments import DataAdjustmentRule, Environment

__all__ = [
    "adjustment_rule",
    "check_amend",
    "check_cancel",
    "check_execution",
    "check_restore",
    "check_verification",
    "require_open",
]


def _names(names: Iterable[str]) -> str:
    listed = sorted(set(names))
    return ", ".join(listed) if listed else "nobody"


def adjustment_rule(environment: Environment, *, actor: str, action: str) -> DataAdjustmentRule:
    """Return how *environment*'s data may be adjusted, refusing if it may not be at all.

    Raises:
        DataOperationRefusedError: The policy gives the environment no
            :class:`~releasekit.DataAdjustmentRule` (reason ``"not-adjustable"``).
        InvalidInputError: *actor* is not a name.
    """
    actor = identity(actor, field="actor")
    rule = environment.data_adjustments
    if rule is None:
        raise DataOperationRefusedError(
            f"the policy does not allow adjusting data in {environment.name} by hand; give "
            f"{environment.name} a data adjustment rule in the policy if it should allow it",
            reason="not-adjustable",
            operation_id=None,
            environment=environment.name,
            actor=actor,
            action=action,
        )
    return rule


def _refused(
    operation: DataOperation,
    message: str,
    *,
    reason: str,
    actor: str,
    action: str,
    allowed: Iterable[str] = (),
) -> DataOperationRefusedError:
    """Build the refusal of *action* on *operation*, naming it and its environment."""
    return DataOperationRefusedError(
        message,
        reason=reason,
        operation_id=operation.id,
        environment=operation.environment,
        actor=actor,
        action=action,
        allowed=tuple(allowed),
    )


def require_open(operation: DataOperation, *, actor: str, action: str) -> None:
    """Refuse to touch an adjustment that already ran, runs, or was cancelled.

    Raises:
        DataOperationRefusedError: Reason ``"executed"``, ``"running"`` or ``"cancelled"``.
    """
    if operation.is_open:
        return
    status = operation.status
    at = operation.finished_at.isoformat() if operation.finished_at else "an unknown time"
    if status is DataOperationStatus.EXECUTED:
        message = (
            f"{operation.id} ({operation.describe()}) was run by {operation.executed_by} at "
            f"{at}; it cannot be changed or run again — request a new adjustment instead"
        )
    elif status is DataOperationStatus.CANCELLED:
        message = (
            f"{operation.id} ({operation.describe()}) was cancelled at {at}; request a new "
            "adjustment instead"
        )
    else:
        message = (
            f"{operation.id} ({operation.describe()}) is running (started by "
            f"{operation.executed_by}); wait for it to end, or cancel it if its run died"
        )
    raise _refused(
        operation,
        message,
        reason=status.value,
        actor=actor,
        action=action,
    )


def check_amend(operation: DataOperation, *, actor: str, new_fingerprint: str) -> None:
    """Refuse an amendment by anyone but the requester, or one that changes nothing.

    Raises:
        DataOperationRefusedError: Reason ``"not-requester"`` or a closed status.
        InvalidInputError: The amendment leaves the operation exactly as it is,
            or *actor* is not a name.
    """
    actor = identity(actor, field="actor")
    action = "amend a data adjustment"
    require_open(operation, actor=actor, action=action)
    if actor != operation.requested_by:
        raise _refused(
            operation,
            f"{actor} may not amend {operation.id}: only its requester, "
            f"{operation.requested_by}, may; ask them, or request a new adjustment",
            reason="not-requester",
            actor=actor,
            action=action,
            allowed=(operation.requested_by,),
        )
    if new_fingerprint == operation.fingerprint:
        raise InvalidInputError(
            f"the amendment leaves {operation.id} exactly as it is ({operation.describe()}); "
            "change its operation or its arguments",
            field="arguments",
            value=operation.arguments,
        )


def check_verification(
    operation: DataOperation,
    rule: DataAdjustmentRule,
    *,
    actor: str,
    seen: str | None,
) -> None:
    """Refuse a verification the policy does not allow.

    Args:
        operation: The adjustment as it stands.
        rule: The environment's adjustment rule.
        actor: Who verifies.
        seen: The fingerprint the verifier read, if they give it.

    Raises:
        DataOperationRefusedError: Reason ``"changed"`` (the operation is not
            what they read), ``"requester-verifies"``, ``"operator-verifies"``,
            ``"already-verified"``, ``"enough-verifications"``, or a closed status.
        InvalidInputError: *actor* is not a name.
    """
    actor = identity(actor, field="actor")
    action = "verify a data adjustment"
    require_open(operation, actor=actor, action=action)
    others = (
        f"someone who is neither its requester ({operation.requested_by}) nor the operator "
        f"({rule.operator})"
    )

    def refuse(message: str, reason: str) -> DataOperationRefusedError:
        return DataOperationRefusedError(
            message,
            reason=reason,
            operation_id=operation.id,
            environment=operation.environment,
            actor=actor,
            action=action,
        )

    if seen is not None and seen != operation.fingerprint:
        raise refuse(
            f"{operation.id} is not what {actor} read: it is now {operation.describe()} "
            f"(fingerprint {operation.fingerprint[:12]}, not {seen[:12]}); read it again and "
            "verify what it is now",
            "changed",
        )
    if actor == operation.requested_by:
        raise refuse(
            f"{actor} may not verify {operation.id}: they requested it; ask {others}",
            "requester-verifies",
        )
    if actor == rule.operator:
        raise refuse(
            f"{actor} may not verify {operation.id}: they are the operator who runs it; "
            f"ask {others}",
            "operator-verifies",
        )
    verifiers = operation.verifiers
    if actor in verifiers:
        raise refuse(
            f"{actor} has already verified {operation.id} as it stands; ask {others} "
            f"({len(verifiers)} of {rule.min_verifications} verifications so far)",
            "already-verified",
        )
    if len(verifiers) >= rule.max_verifications:
        raise refuse(
            f"{operation.id} already has {len(verifiers)} verifications, the most the policy "
            f"asks for ({rule.max_verifications}); {rule.operator} can run it now",
            "enough-verifications",
        )


def check_execution(operation: DataOperation, rule: DataAdjustmentRule, *, actor: str) -> None:
    """Refuse to run an adjustment unless its operator runs it, verified enough.

    Raises:
        DataOperationRefusedError: Reason ``"not-operator"``, ``"not-verified"``
            or a closed status.
        InvalidInputError: *actor* is not a name.
    """
    actor = identity(actor, field="actor")
    action = "run a data adjustment"
    require_open(operation, actor=actor, action=action)
    if actor != rule.operator:
        raise _refused(
            operation,
            f"{actor} may not run {operation.id}: only {rule.operator} runs data adjustments "
            f"in {operation.environment}; ask them",
            reason="not-operator",
            actor=actor,
            action=action,
            allowed=(rule.operator,),
        )
    # Different people count, not verifications: a history written before names
    # were compared as identities may hold "Ivan" and "ivan" as two.
    counted = len(operation.verifiers)
    if counted < rule.min_verifications:
        missing = rule.min_verifications - counted
        voided = len(operation.verifications) - len(operation.counted)
        counts = "counts" if voided == 1 else "count"
        void = f" ({voided} given earlier no longer {counts}: it was amended)" if voided else ""
        raise _refused(
            operation,
            f"{operation.id} has {counted} of the {rule.min_verifications} verifications it "
            f"needs before it may run{void}; ask {missing} more "
            f"{'person' if missing == 1 else 'people'} (not {operation.requested_by} or "
            f"{rule.operator}) to verify it",
            reason="not-verified",
            actor=actor,
            action=action,
        )


def check_cancel(operation: DataOperation, rule: DataAdjustmentRule | None, *, actor: str) -> None:
    """Refuse to cancel an operation that is over, or by anyone but its requester or operator.

    Raises:
        DataOperationRefusedError: Reason ``"not-requester"``, ``"executed"``
            or ``"cancelled"``.
        InvalidInputError: *actor* is not a name.
    """
    actor = identity(actor, field="actor")
    action = "cancel a data operation"
    if operation.status in {DataOperationStatus.EXECUTED, DataOperationStatus.CANCELLED}:
        require_open(operation, actor=actor, action=action)
    allowed = {operation.requested_by}
    if rule is not None:
        allowed.add(rule.operator)
    if actor not in allowed:
        raise _refused(
            operation,
            f"{actor} may not cancel {operation.id}: only {_names(allowed)} may",
            reason="not-requester",
            actor=actor,
            action=action,
            allowed=sorted(allowed),
        )


def check_restore(source: Environment, target: Environment, *, actor: str) -> None:
    """Refuse a restore in a direction the policy does not allow.

    Raises:
        DataOperationRefusedError: Reason ``"direction"``: *target* does not
            accept data from *source* (nothing is ever restored into production).
        InvalidInputError: *actor* is not a name.
    """
    actor = identity(actor, field="actor")
    if target.data.accepts_restore_from(source.name):
        return
    accepted = target.data.restorable_from
    where = (
        f"{target.name} accepts restores from no environment"
        if not accepted
        else f"{target.name} accepts restores only from {_names(accepted)}"
    )
    raise DataOperationRefusedError(
        f"the policy does not allow restoring data from {source.name} into {target.name}: {where}",
        reason="direction",
        operation_id=None,
        environment=target.name,
        actor=actor,
        action="restore data",
    )
