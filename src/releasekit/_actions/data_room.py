"""Data operations, the desk's ``data`` room: adjustments by hand, and restores.

An adjustment of an environment's data (production's, in the reference
policy) is requested, verified by two or three other people, and run by the
environment's one operator through the policy's tool (``dt``); a restore
copies one environment's data into another, in the directions the policy
allows. Each operation has a history of its own, ``data:<id>``, kept by
:class:`~releasekit._actions.data_records.DataRecords`; who may take which step
is decided by the pure rules of :mod:`releasekit._actions.data_checks` before
anything is written, so a refused step changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from releasekit._actions import data_checks
from releasekit._actions.data import (
    DataOperation,
    DataOperationKind,
    DataOperationStatus,
    DataVerification,
)
from releasekit._actions.data_records import DataRecords
from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.command import CommandExecutor, show_command
from releasekit._actions.executors.outcomes import Outcome
from releasekit._actions.executors.recording import DryRunExecutor
from releasekit._actions.executors.requests import AdjustmentRequest, RestoreRequest
from releasekit._actions.room import Room
from releasekit.exceptions import ExecutorNotAllowedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from releasekit._actions.executors.requests import Progress
    from releasekit._records.events import Event, Verification

__all__ = ["DataRoom"]


@attrs.define(eq=False)
class DataRoom(Room):
    """Data operations: request, amend, verify, run or cancel an adjustment; restore data.

    A desk's data room is :attr:`Desk.data <releasekit.Desk.data>`.

    Example:
        >>> import pendulum, releasekit as rk
        >>> desk = rk.Desk(rk.reference_policy(),
        ...                clock=rk.FixedClock(pendulum.datetime(2026, 11, 28, 9, tz="UTC")))
        >>> asked = desk.data.request_adjustment(
        ...     "production", "fix-close", ["AAPL", "187.20"], by="olga",
        ...     reason="IEX sent a wrong close")
        >>> asked.id, asked.status.value
        ('adjustment-1', 'requested')
    """

    _records: DataRecords = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._records = DataRecords(self.ledger)

    def get(self, operation_id: str) -> DataOperation:
        """Return the data operation as it stands.

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        return self._records.load(operation_id)[0]

    def operations(self, *, environment: str | None = None) -> list[DataOperation]:
        """Return every data operation (on *environment*, if given), oldest request first."""
        found = [self._records.load(operation_id)[0] for operation_id in self._records.ids()]
        return sorted(
            (op for op in found if environment is None or op.environment == environment),
            key=lambda op: (op.requested_at, op.id),
        )

    def history(self, operation_id: str) -> list[Event]:
        """Return every event of the data operation, oldest first (its state need not verify).

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        return self._records.history(operation_id)

    def verify(self, operation_id: str) -> Verification:
        """Check a data operation's history against its chain, and its state against its replay.

        Raises:
            UnknownDataOperationError: No data operation has that id.
        """
        return self._records.verify(operation_id)

    def request_adjustment(
        self,
        environment: str,
        operation: str,
        arguments: Iterable[str] = (),
        *,
        by: str,
        reason: str,
        operation_id: str | None = None,
    ) -> DataOperation:
        """Ask for a data adjustment by hand; it runs once verified, by the operator.

        Only environments whose policy has a :class:`~releasekit.DataAdjustmentRule`
        accept adjustments (production, in the reference policy); any other is
        refused. The adjustment gets its own history, ``data:<id>``.

        Args:
            environment: Whose data to adjust.
            operation: The operation's name as the team's tool knows it.
            arguments: Its arguments, each passed as one argument.
            by: Who asks.
            reason: Why, in words.
            operation_id: An id of your own; by default ``adjustment-<n>``.

        Raises:
            DataOperationRefusedError: The policy does not allow adjusting data
                there by hand (reason ``"not-adjustable"``).
            NotPermittedError: *by* may not act in the environment.
            InvalidInputError: A value cannot be used.
            ConflictError: *operation_id* is taken.
        """
        by = self.person(by)
        action = "request a data adjustment"
        env = self.policy.environment(environment)
        data_checks.adjustment_rule(env, actor=by, action=action)
        self.engine.require_actor(env.name, by, action=action)
        now = self.clock.now()

        def build(new_id: str) -> DataOperation:
            return DataOperation(
                id=new_id,
                kind=DataOperationKind.ADJUSTMENT,
                environment=env.name,
                operation=operation,
                arguments=arguments,
                requested_by=by,
                requested_at=now,
                reason=reason,
                status=DataOperationStatus.REQUESTED,
            )

        return self._records.create(
            build,
            operation_id,
            kind=DataOperationKind.ADJUSTMENT,
            by=by,
            at=now,
            step="requested",
        )

    def amend_adjustment(
        self,
        operation_id: str,
        *,
        by: str,
        arguments: Iterable[str],
        operation: str | None = None,
        reason: str = "",
    ) -> DataOperation:
        """Change an adjustment's arguments (or operation); every earlier verification is voided.

        The voided verifications stay in the history, marked void; the
        adjustment needs its verifications again.

        Args:
            operation_id: The adjustment.
            by: Who amends it: its requester.
            arguments: The new arguments.
            operation: A new operation name, if it changes.
            reason: Why, in words.

        Raises:
            DataOperationRefusedError: *by* is not the requester (``"not-requester"``),
                or the adjustment already ran, runs or was cancelled.
            InvalidInputError: The amendment changes nothing.
        """
        by = self.person(by)
        action = "amend a data adjustment"
        current, revision = self._records.load_adjustment(operation_id)
        env = self.policy.environment(current.environment)
        data_checks.adjustment_rule(env, actor=by, action=action)
        amended = attrs.evolve(
            current,
            operation=operation if operation is not None else current.operation,
            arguments=arguments,
            status=DataOperationStatus.REQUESTED,
            verifications=tuple(attrs.evolve(item, voided=True) for item in current.verifications),
        )
        data_checks.check_amend(current, actor=by, new_fingerprint=amended.fingerprint)
        self.engine.require_actor(env.name, by, action=action)
        voided = sum(1 for item in current.verifications if not item.voided)
        return self._records.write(
            current,
            expected=revision,
            by=by,
            at=self.clock.now(),
            step="amended",
            reason=reason or f"amended to {amended.describe()}",
            details={
                "operation": amended.operation,
                "arguments": list(amended.arguments),
                "fingerprint": amended.fingerprint,
                "voided": voided,
            },
        )

    def verify_adjustment(
        self,
        operation_id: str,
        *,
        by: str,
        fingerprint: str | None = None,
        note: str = "",
    ) -> DataOperation:
        """Record that *by* checked the adjustment as it stands and vouches for it.

        A verification counts for the exact operation: it stores the
        operation's :attr:`~DataOperation.fingerprint`, and an amendment voids
        it. Pass the fingerprint you were shown to make sure you verify what you
        read: if the adjustment was amended meanwhile, the verification is refused.

        Args:
            operation_id: The adjustment.
            by: Who verifies: neither its requester nor the operator.
            fingerprint: The fingerprint of the operation as *by* read it.
            note: What they checked.

        Raises:
            DataOperationRefusedError: With ``reason`` ``"requester-verifies"``,
                ``"operator-verifies"``, ``"already-verified"``,
                ``"enough-verifications"`` (the policy's maximum is reached),
                ``"changed"`` (*fingerprint* is not the operation's), or a closed status.
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.person(by)
        action = "verify a data adjustment"
        current, revision = self._records.load_adjustment(operation_id)
        env = self.policy.environment(current.environment)
        rule = data_checks.adjustment_rule(env, actor=by, action=action)
        data_checks.check_verification(current, rule, actor=by, seen=fingerprint)
        self.engine.require_actor(env.name, by, action=action)
        now = self.clock.now()
        verification = DataVerification(by=by, at=now, fingerprint=current.fingerprint, note=note)
        verified = attrs.evolve(current, verifications=(*current.verifications, verification))
        count = len(verified.verifiers)
        return self._records.write(
            current,
            expected=revision,
            by=by,
            at=now,
            step="verified",
            reason=note or f"verification {count} of {rule.min_verifications}",
            details={"fingerprint": verification.fingerprint, "note": note, "counted": count},
        )

    def execute_adjustment(
        self, operation_id: str, *, by: str, progress: Progress | None = None
    ) -> DataOperation:
        """Run a verified adjustment — only its operator, only through the policy's tool.

        The environment's ``adjust-data`` executor must be a
        :class:`~releasekit.executors.CommandExecutor` (a ``DtExecutor``, say)
        whose program is the rule's ``tool`` (``dt``): a dry run or any other
        executor is refused. The run is recorded as started before it runs and
        as executed (or failed) after; a failed adjustment may be run again.

        Args:
            operation_id: The adjustment.
            by: The operator.
            progress: Receives each line of output as it arrives.

        Raises:
            DataOperationRefusedError: *by* is not the operator (``"not-operator"``),
                it has too few verifications (``"not-verified"``), or it already
                ran, runs or was cancelled.
            ExecutorNotAllowedError: The executor is not the policy's tool.
            ExecutorNotFoundError: No executor adjusts data there.
            ExecutorFailedError: The run failed (recorded; the operation is ``failed``).
            ExecutorTimeoutError: The run timed out (recorded likewise).
        """
        by = self.person(by)
        action = "run a data adjustment"
        current, revision = self._records.load_adjustment(operation_id)
        env = self.policy.environment(current.environment)
        rule = data_checks.adjustment_rule(env, actor=by, action=action)
        data_checks.check_execution(current, rule, actor=by)
        self.engine.require_actor(env.name, by, action=action)
        executor = self.executors.lookup(Capability.ADJUST_DATA, env.name)
        if not isinstance(executor, CommandExecutor) or Path(executor.program).name != rule.tool:
            raise ExecutorNotAllowedError(
                capability=Capability.ADJUST_DATA.value,
                environment=env.name,
                executor=_describe_executor(executor),
                required=f"`{rule.tool}`",
            )
        request = AdjustmentRequest(
            environment=env.name,
            operation=current.operation,
            arguments=current.arguments,
            operator=by,
            progress=progress,
        )
        command = executor.command_for(request)
        started = self._records.write(
            current,
            expected=revision,
            by=by,
            at=self.clock.now(),
            step="started",
            reason=f"run `{show_command(command)}`",
            details={
                "fingerprint": current.fingerprint,
                "verifiers": list(current.verifiers),
                "command": list(command),
            },
        )
        return self._run(
            started,
            lambda: executor.adjust_data(request),
            by=by,
            capability=Capability.ADJUST_DATA,
        )

    def cancel(self, operation_id: str, *, by: str, reason: str) -> DataOperation:
        """Give a data operation up: one still waiting, one that failed, or one whose run died.

        Args:
            operation_id: The operation.
            by: Its requester, or the environment's operator.
            reason: Why, in words.

        Raises:
            DataOperationRefusedError: *by* may not cancel it (``"not-requester"``),
                or it already ran or was cancelled.
        """
        by = self.person(by)
        current, revision = self._records.load(operation_id)
        env = self.policy.environment(current.environment)
        data_checks.check_cancel(current, env.data_adjustments, actor=by)
        self.engine.require_actor(env.name, by, action="cancel a data operation")
        now = self.clock.now()
        return self._records.write(
            current,
            expected=revision,
            by=by,
            at=now,
            step="cancelled",
            reason=reason,
            details={},
        )

    def restore(
        self,
        source: str,
        target: str,
        *,
        by: str,
        reason: str,
        operation_id: str | None = None,
        progress: Progress | None = None,
    ) -> DataOperation:
        """Replace *target*'s data with a copy of *source*'s, if the policy allows that direction.

        *target*'s ``data.restorable_from`` must name *source* (production →
        sandbox-anton, yes; anything → production, never), and *by* must be
        allowed to act in *target*. The restore runs through *target*'s
        ``restore-data`` executor and gets its own history, ``data:<id>``:
        started, then executed or failed.

        Args:
            source: Where the data comes from.
            target: Whose data is replaced.
            by: Who restores.
            reason: Why, in words.
            operation_id: An id of your own; by default ``restore-<n>``.
            progress: Receives each line of output as it arrives.

        Raises:
            DataOperationRefusedError: The direction is not allowed (``"direction"``).
            NotPermittedError: *by* may not act in *target* (it has other owners).
            ExecutorNotFoundError: No executor restores data into *target*.
            ExecutorFailedError: The restore failed (recorded; the operation is ``failed``).
            ExecutorTimeoutError: The restore timed out (recorded likewise).
        """
        by = self.person(by)
        action = "restore data"
        origin = self.policy.environment(source)
        into = self.policy.environment(target)
        data_checks.check_restore(origin, into, actor=by)
        self.engine.require_actor(into.name, by, action=action)
        restorer = self.executors.data_restorer(into.name)
        now = self.clock.now()
        request = RestoreRequest(source=origin.name, target=into.name, progress=progress)

        def build(new_id: str) -> DataOperation:
            return DataOperation(
                id=new_id,
                kind=DataOperationKind.RESTORE,
                environment=into.name,
                source=origin.name,
                operation="restore",
                requested_by=by,
                requested_at=now,
                reason=reason,
                status=DataOperationStatus.RUNNING,
                executed_by=by,
            )

        started = self._records.create(
            build, operation_id, kind=DataOperationKind.RESTORE, by=by, at=now, step="started"
        )
        return self._run(
            started,
            lambda: restorer.restore_data(request),
            by=by,
            capability=Capability.RESTORE_DATA,
        )

    def _run(
        self,
        started: DataOperation,
        call: Callable[[], Outcome],
        *,
        by: str,
        capability: Capability,
    ) -> DataOperation:
        """Run a data operation's executor; record it as executed or failed."""

        def end(outcome: Outcome, status: DataOperationStatus, reason: str) -> DataOperation:
            now = self.clock.now()
            # Whatever was recorded while it ran (a cancellation), the outcome is the truth.
            latest, revision = self._records.load(started.id)
            return self._records.write(
                latest,
                expected=revision,
                by=by,
                at=now,
                step=status.value,
                reason=reason,
                details={
                    "status": outcome.status.value,
                    "output": outcome.output[-4000:],
                    "summary": outcome.summary,
                    "command": list(outcome.command or started.command),
                },
            )

        try:
            outcome = call()
        except BaseException as error:
            end(
                Outcome.failure(f"the executor raised {type(error).__name__}: {error}"),
                DataOperationStatus.FAILED,
                str(error) or type(error).__name__,
            )
            raise
        if outcome.ok:
            return end(outcome, DataOperationStatus.EXECUTED, outcome.summary)
        end(outcome, DataOperationStatus.FAILED, outcome.summary)
        outcome.raise_for_status(capability.value, started.environment)
        raise AssertionError  # pragma: no cover  # raise_for_status raised


def _describe_executor(executor: object) -> str:
    """Say what an executor is, for a refusal: its class, and its program or dry-run nature."""
    kind = type(executor).__name__
    if isinstance(executor, DryRunExecutor):
        return f"{kind} (a dry run that runs nothing)"
    if isinstance(executor, CommandExecutor):
        return f"{kind} running {executor.program}"
    return f"{type(executor).__module__}.{type(executor).__qualname__}"
