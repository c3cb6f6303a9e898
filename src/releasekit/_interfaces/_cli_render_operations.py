"""How the ``releasekit`` command shows the environment operations, as JSON values.

Executors' outcomes, collected logs and their reports, production monitoring
and its checks, deployments and data operations: each in the form ``--json``
prints, following the rules of :mod:`releasekit._interfaces._cli_render`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._interfaces._cli_render import timestamp
from releasekit._records.converter import unstructure

if TYPE_CHECKING:
    from releasekit._actions.data import DataOperation
    from releasekit._actions.deployments import Deployment
    from releasekit._actions.executors.outcomes import LogBatch, Outcome
    from releasekit._actions.logs import LogCheck, LogReport, Monitoring
    from releasekit._rules.environments import DataAdjustmentRule

__all__ = [
    "data_operation_json",
    "deployment_json",
    "log_batch_json",
    "log_check_json",
    "log_report_json",
    "monitoring_json",
    "outcome_json",
]


def outcome_json(outcome: Outcome) -> dict[str, object]:
    """Return how an executor's run went as JSON values; durations in seconds."""
    result: dict[str, object] = unstructure(outcome)
    return result


def log_batch_json(batch: LogBatch) -> dict[str, object]:
    """Return the logs collected from one environment as JSON values."""
    result: dict[str, object] = unstructure(batch)
    return result


def log_report_json(report: LogReport) -> dict[str, object]:
    """Return a log report as JSON values: what ``review-logs --report`` reads back.

    The fields of the report come first, as the project's converter writes them;
    what follows from them (``covered``, ``uncovered``, ``error_count``,
    ``complete``, ``clean``) is added for readers and ignored when read back.
    """
    covered = report.covered
    return {
        **unstructure(report),
        "covered": [name for name in report.environments if name in covered],
        "uncovered": list(report.uncovered),
        "error_count": report.error_count,
        "complete": report.complete,
        "clean": report.clean,
    }


def monitoring_json(monitoring: Monitoring) -> dict[str, object]:
    """Return the log checks a release calls for as JSON values."""
    return {
        "release_id": monitoring.release_id,
        "environment": monitoring.environment,
        "every": monitoring.every.total_seconds(),
        "since": timestamp(monitoring.since),
        "until": timestamp(monitoring.until),
        "at": timestamp(monitoring.at),
        "last_checked_at": timestamp(monitoring.last_checked_at),
        "up_to_date": monitoring.up_to_date,
        "next_due": timestamp(monitoring.next_due),
        "earlier": monitoring.earlier,
        "earlier_overdue": monitoring.earlier_overdue,
        "checks": [
            {
                "due_at": timestamp(check.due_at),
                "status": check.status.value,
                "checked_at": timestamp(check.checked_at),
            }
            for check in monitoring.checks
        ],
    }


def log_check_json(check: LogCheck) -> dict[str, object]:
    """Return the result of one production log check as JSON values."""
    return {
        "outcome": "bad" if check.bad else "good",
        "release_id": check.release_id,
        "environment": check.environment,
        "since": timestamp(check.since),
        "at": timestamp(check.at),
        "by": check.by,
        "problem": check.problem,
        "batch": None if check.batch is None else log_batch_json(check.batch),
        "notice": None if check.notice is None else outcome_json(check.notice),
        "attention_key": check.attention_key,
    }


def deployment_json(deployment: Deployment) -> dict[str, object]:
    """Return one release's stay in an environment as JSON values."""
    release = deployment.release
    return {
        "release_id": release.id,
        "version": release.version,
        "kind": release.kind.value,
        "environment": deployment.environment,
        "entered_at": timestamp(deployment.entered_at),
        "live_since": timestamp(deployment.live_since),
        "until": timestamp(deployment.until),
        "running": deployment.running,
        "replaced_by": deployment.replaced_by,
        "rolled_back_at": timestamp(deployment.rolled_back_at),
    }


def data_operation_json(
    operation: DataOperation, rule: DataAdjustmentRule | None
) -> dict[str, object]:
    """Return a data operation as JSON values, with the rule its environment adjusts data by.

    Args:
        operation: The operation.
        rule: The environment's adjustment rule, for an adjustment (``None`` for a restore).
    """
    from releasekit._actions.data import DataOperationKind  # noqa: PLC0415  # on use

    current = operation.fingerprint
    adjustment = operation.kind is DataOperationKind.ADJUSTMENT
    return {
        "id": operation.id,
        "kind": operation.kind.value,
        "environment": operation.environment,
        "source": operation.source,
        "operation": operation.operation,
        "arguments": list(operation.arguments),
        "fingerprint": current if adjustment else None,
        "description": operation.describe(),
        "requested_by": operation.requested_by,
        "requested_at": timestamp(operation.requested_at),
        "reason": operation.reason,
        "status": operation.status.value,
        "verifications": [
            {
                "by": item.by,
                "at": timestamp(item.at),
                "fingerprint": item.fingerprint,
                "note": item.note,
                "voided": item.voided,
                "counts": not item.voided and item.fingerprint == current,
            }
            for item in operation.verifications
        ],
        "verifiers": list(operation.verifiers),
        "rule": None
        if rule is None or not adjustment
        else {
            "operator": rule.operator,
            "min_verifications": rule.min_verifications,
            "max_verifications": rule.max_verifications,
            "tool": rule.tool,
        },
        "executed_by": operation.executed_by,
        "finished_at": timestamp(operation.finished_at),
        "summary": operation.summary,
        "command": list(operation.command),
    }
