"""Data operations: adjustments made by hand, and restores between environments.

Each data operation has its own history, the stream ``data:<id>``, and a
:class:`DataOperation` as its current state. The rules that decide who may do
what to an operation are pure functions here; the desk runs them before it
records anything, so a refused step changes nothing.

An adjustment is bound to its exact content by a :func:`fingerprint` — a hash
of the environment, the operation and its arguments. Each verification stores
the fingerprint it verified and counts only while the operation still has it:
amending the operation voids every earlier verification (they stay in the
history, marked void).

Example:
    >>> fingerprint("production", "fix-prices", ("AAPL", "187.20"))[:12]
    '3f8c7ebd5e96'
"""

from __future__ import annotations

import enum
import hashlib
import json
from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._rules import _validate, _values
from releasekit._rules._time import at_instant, instant, optional_instant
from releasekit._rules.identity import (
    by_identity,
    executed_by_identity,
    identity,
    requested_by_identity,
)
from releasekit.exceptions import DataOperationRefusedError, InvalidInputError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from releasekit._rules.environments import DataAdjustmentRule, Environment

__all__ = [
    "STREAM_PREFIX",
    "DataOperation",
    "DataOperationKind",
    "DataOperationStatus",
    "DataVerification",
    "fingerprint",
]

#: Every data operation's history is a stream named ``data:<id>``.
STREAM_PREFIX = "data:"


class DataOperationKind(enum.StrEnum):
    """What a data operation does."""

    #: A named operation changes an environment's data by hand (``dt data adjust``).
    ADJUSTMENT = "adjustment"
    #: An environment's data is replaced by a copy of another's.
    RESTORE = "restore"


class DataOperationStatus(enum.StrEnum):
    """Where a data operation stands."""

    #: An adjustment waits for its verifications and its operator.
    REQUESTED = "requested"
    #: The executor was started; if it stays so, the run was interrupted.
    RUNNING = "running"
    #: It ran and succeeded.
    EXECUTED = "executed"
    #: It ran and failed; an adjustment may be run again (or amended, or cancelled).
    FAILED = "failed"
    #: It was given up.
    CANCELLED = "cancelled"


#: The statuses in which an adjustment may be amended, verified or run.
OPEN = frozenset({DataOperationStatus.REQUESTED, DataOperationStatus.FAILED})


def fingerprint(environment: str, operation: str, arguments: Iterable[str]) -> str:
    """Return the SHA-256 (hex) of an adjustment's exact content.

    The content is the canonical JSON of ``[environment, operation, [arguments…]]``,
    so ``("a b",)`` and ``("a", "b")`` differ.
    """
    text = json.dumps(
        [environment, operation, list(arguments)], ensure_ascii=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _arguments(value: str | Iterable[str]) -> tuple[str, ...]:
    """Check an adjustment's arguments: strings, none starting with ``-`` or holding controls."""
    try:
        items = _validate.str_tuple(value)
    except TypeError:
        raise InvalidInputError(
            f"arguments must be a list of strings, got {value!r}", field="arguments", value=value
        ) from None
    for item in items:
        problem = _values.argument_problem(item)
        if problem is not None:
            raise InvalidInputError(
                f"argument {item!r} cannot be used: {problem}; pass each argument as plain "
                "text that does not start with '-' — for a negative number or a flag, name "
                "the value instead (e.g. 'delta=-5'), as the team's tool allows",
                field="arguments",
                value=value,
            )
    return items


def _requested_at(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="requested_at")


def _finished_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    return optional_instant(value, field="finished_at")


def _optional_name(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        _validate.name(instance, attribute, value)


@attrs.frozen(kw_only=True)
class DataVerification:
    """A person checked a data adjustment and vouches for it.

    Attributes:
        by: Who verified it.
        at: When.
        fingerprint: The :func:`fingerprint` of the operation as it was verified.
        note: What they checked.
        voided: Whether an amendment voided it since.
    """

    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    fingerprint: str = attrs.field(validator=_validate.text)
    note: str = ""
    voided: bool = False


def _verifications(value: Iterable[DataVerification]) -> tuple[DataVerification, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DataOperation:
    """A data operation as it stands: the current state of its history.

    Attributes:
        id: Its id, e.g. ``"adjustment-3"``; its history is ``data:<id>``.
        kind: An adjustment or a restore.
        environment: The environment whose data changes (a restore's target).
        operation: The adjustment's name as the team's tool knows it
            (``"restore"`` for a restore): it starts with a letter or digit and
            holds no white space or control character.
        arguments: The adjustment's arguments, each passed as one argument;
            none may start with ``-`` or hold a control character.
        source: Where a restore copies the data from.
        requested_by: Who asked for it.
        requested_at: When.
        reason: Why, in words.
        status: Where it stands.
        verifications: Every verification given, void ones included, oldest first.
        executed_by: Who ran it last, if anyone did.
        finished_at: When its last run ended (or it was cancelled).
        summary: What its last run (or its cancellation) said.
        command: The argument list its last run started, if a program ran.
    """

    id: str = attrs.field(validator=_validate.name)
    kind: DataOperationKind = attrs.field(converter=DataOperationKind)
    environment: str = attrs.field(validator=_validate.name)
    operation: str = attrs.field(validator=_values.token)
    arguments: tuple[str, ...] = attrs.field(default=(), converter=_arguments)
    source: str | None = attrs.field(default=None, validator=_optional_name)
    requested_by: str = attrs.field(converter=requested_by_identity)
    requested_at: pendulum.DateTime = attrs.field(converter=_requested_at)
    reason: str = attrs.field(validator=_validate.text)
    status: DataOperationStatus = attrs.field(converter=DataOperationStatus)
    verifications: tuple[DataVerification, ...] = attrs.field(default=(), converter=_verifications)
    executed_by: str | None = attrs.field(default=None, converter=executed_by_identity)
    finished_at: pendulum.DateTime | None = attrs.field(default=None, converter=_finished_at)
    summary: str = ""
    command: tuple[str, ...] = attrs.field(default=(), converter=_validate.str_tuple)

    @property
    def stream(self) -> str:
        """The name of its history, ``data:<id>``."""
        return f"{STREAM_PREFIX}{self.id}"

    @property
    def fingerprint(self) -> str:
        """The :func:`fingerprint` of the operation as it stands now."""
        return fingerprint(self.environment, self.operation, self.arguments)

    @property
    def counted(self) -> tuple[DataVerification, ...]:
        """The verifications that count: not void, and of the operation as it stands."""
        current = self.fingerprint
        return tuple(
            item for item in self.verifications if not item.voided and item.fingerprint == current
        )

    @property
    def verifiers(self) -> tuple[str, ...]:
        """The different people who verified the operation as it stands, in order.

        Two verifications by one person — however the name was typed — are
        one verifier.
        """
        return tuple(dict.fromkeys(item.by for item in self.counted))

    @property
    def is_open(self) -> bool:
        """Whether it may still be amended, verified or run."""
        return self.status in OPEN

    def describe(self) -> str:
        """Say in a few words what it does, e.g. ``"fix-prices AAPL 187.20 in production"``."""
        if self.kind is DataOperationKind.RESTORE:
            return f"restore the data of {self.source} into {self.environment}"
        shown = " ".join([self.operation, *self.arguments])
        return f"{shown} in {self.environment}"


# ---------------------------------------------------------------------------
# Who may do what: pure checks, each raising a refusal that changes nothing
# ---------------------------------------------------------------------------


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
