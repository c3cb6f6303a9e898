"""releasekit: a team's release process as a library.

Build a policy (or take :func:`reference_policy`), drive releases through it
with an :class:`Engine`, and ask at any moment: may this release move on now,
and if not, why — and when?
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING, Any

from releasekit import exceptions, guards
from releasekit._rules.clock import Clock, FixedClock, SystemClock
from releasekit._rules.engine import Engine, Explanation, Plan, StepPlan
from releasekit._rules.environments import (
    DataAdjustmentRule,
    DataLifecycle,
    DataSource,
    Environment,
    Feed,
    LogMonitoring,
    ScheduledTestRun,
)
from releasekit._rules.evidence import (
    CLOCK_SKEW_TOLERANCE,
    Attestation,
    ChangeReview,
    Evidence,
    LogReview,
    LogVerdict,
    MigrationRun,
    SignOff,
    TestRun,
    TestsWritten,
)
from releasekit._rules.freeze_dates import FreezeDates, FreezeInterval, YearlyDates
from releasekit._rules.freezes import Freeze, FrozenPeriod
from releasekit._rules.identity import identity
from releasekit._rules.policy import Flow, Gate, Policy, Step
from releasekit._rules.recurrences import IcsCalendar, Recurrence
from releasekit._rules.reference import production_window, reference_policy
from releasekit._rules.release import Artifact, Kind, Move, Release
from releasekit._rules.roster import Person, Roster
from releasekit._rules.verdicts import Blocker, Verdict
from releasekit._rules.versions import DEFAULT_VERSION_PATTERN
from releasekit._rules.windows import Opening, Span, Weekday, Window
from releasekit.exceptions import (
    ConflictError,
    DataOperationRefusedError,
    ExecutorError,
    ExecutorFailedError,
    ExecutorNotAllowedError,
    ExecutorNotFoundError,
    ExecutorTimeoutError,
    HistoryTamperedError,
    InvalidInputError,
    LeaseHeldError,
    LeaseNotHeldError,
    NaiveDatetimeError,
    NothingToRollBackError,
    NotPermittedError,
    PluginLoadError,
    PolicyError,
    PolicyFileError,
    PromotionRefusedError,
    RecordError,
    ReleaseEndedError,
    ReleaseKitError,
    ScheduleConflictError,
    SchemaVersionError,
    StepInProgressError,
    StepStillRunningError,
    StoreError,
    UnknownDataOperationError,
    UnknownPersonError,
    UnknownReleaseError,
)

if TYPE_CHECKING:
    from releasekit import calendars, executors, stores, testing
    from releasekit._actions.data import (
        DataOperation,
        DataOperationKind,
        DataOperationStatus,
        DataVerification,
    )
    from releasekit._actions.deployments import Deployment, Rollback
    from releasekit._actions.desk import Desk
    from releasekit._actions.logs import (
        CheckStatus,
        LogCheck,
        LogGap,
        LogReport,
        Monitoring,
        ScheduledCheck,
    )
    from releasekit._interfaces._guard_plugins import RegisteredGuard
    from releasekit._interfaces.policy_file import (
        PolicyCheck,
        check_policy,
        check_policy_text,
        load_policy,
        loads_policy,
        reference_policy_file,
    )
    from releasekit._records.ledger import Ledger, Record
    from releasekit._records.memory import MemoryStore
    from releasekit._records.postgres import PostgresStore
    from releasekit._records.sqlite import SqliteStore

    __version__: str

#: Parts imported on first use, so a command that needs only the rules starts fast.
_LAZY = {
    "CheckStatus": ("releasekit._actions.logs", "CheckStatus"),
    "DataOperation": ("releasekit._actions.data", "DataOperation"),
    "DataOperationKind": ("releasekit._actions.data", "DataOperationKind"),
    "DataOperationStatus": ("releasekit._actions.data", "DataOperationStatus"),
    "DataVerification": ("releasekit._actions.data", "DataVerification"),
    "Deployment": ("releasekit._actions.deployments", "Deployment"),
    "Desk": ("releasekit._actions.desk", "Desk"),
    "Ledger": ("releasekit._records.ledger", "Ledger"),
    "LogCheck": ("releasekit._actions.logs", "LogCheck"),
    "LogGap": ("releasekit._actions.logs", "LogGap"),
    "LogReport": ("releasekit._actions.logs", "LogReport"),
    "MemoryStore": ("releasekit._records.memory", "MemoryStore"),
    "Monitoring": ("releasekit._actions.logs", "Monitoring"),
    "PolicyCheck": ("releasekit._interfaces.policy_file", "PolicyCheck"),
    "PostgresStore": ("releasekit._records.postgres", "PostgresStore"),
    "Record": ("releasekit._records.ledger", "Record"),
    "RegisteredGuard": ("releasekit._interfaces._guard_plugins", "RegisteredGuard"),
    "Rollback": ("releasekit._actions.deployments", "Rollback"),
    "ScheduledCheck": ("releasekit._actions.logs", "ScheduledCheck"),
    "SqliteStore": ("releasekit._records.sqlite", "SqliteStore"),
    "calendars": ("releasekit.calendars", None),
    "check_policy": ("releasekit._interfaces.policy_file", "check_policy"),
    "check_policy_text": ("releasekit._interfaces.policy_file", "check_policy_text"),
    "executors": ("releasekit.executors", None),
    "load_policy": ("releasekit._interfaces.policy_file", "load_policy"),
    "loads_policy": ("releasekit._interfaces.policy_file", "loads_policy"),
    "reference_policy_file": ("releasekit._interfaces.policy_file", "reference_policy_file"),
    "stores": ("releasekit.stores", None),
    "testing": ("releasekit.testing", None),
}


def __getattr__(name: str) -> Any:  # noqa: ANN401  # the attribute's type depends on its name
    if name == "__version__":
        from importlib import metadata  # noqa: PLC0415  # costs ~40 ms: only when asked

        try:
            return metadata.version("releasekit")
        except metadata.PackageNotFoundError:  # pragma: no cover  # a source tree, no metadata
            return "0.0.0"
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        msg = f"module 'releasekit' has no attribute {name!r}"
        raise AttributeError(msg) from None
    module = _importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [  # noqa: RUF022  # plainly sorted, as tests/test_exported_members.py checks
    "Artifact",
    "Attestation",
    "Blocker",
    "CLOCK_SKEW_TOLERANCE",
    "ChangeReview",
    "CheckStatus",
    "Clock",
    "ConflictError",
    "DEFAULT_VERSION_PATTERN",
    "DataAdjustmentRule",
    "DataLifecycle",
    "DataOperation",
    "DataOperationKind",
    "DataOperationRefusedError",
    "DataOperationStatus",
    "DataSource",
    "DataVerification",
    "Deployment",
    "Desk",
    "Engine",
    "Environment",
    "Evidence",
    "ExecutorError",
    "ExecutorFailedError",
    "ExecutorNotAllowedError",
    "ExecutorNotFoundError",
    "ExecutorTimeoutError",
    "Explanation",
    "Feed",
    "FixedClock",
    "Flow",
    "Freeze",
    "FreezeDates",
    "FreezeInterval",
    "FrozenPeriod",
    "Gate",
    "HistoryTamperedError",
    "IcsCalendar",
    "InvalidInputError",
    "Kind",
    "LeaseHeldError",
    "LeaseNotHeldError",
    "Ledger",
    "LogCheck",
    "LogGap",
    "LogMonitoring",
    "LogReport",
    "LogReview",
    "LogVerdict",
    "MemoryStore",
    "MigrationRun",
    "Monitoring",
    "Move",
    "NaiveDatetimeError",
    "NotPermittedError",
    "NothingToRollBackError",
    "Opening",
    "Person",
    "Plan",
    "PluginLoadError",
    "Policy",
    "PolicyCheck",
    "PolicyError",
    "PolicyFileError",
    "PostgresStore",
    "PromotionRefusedError",
    "Record",
    "RecordError",
    "Recurrence",
    "RegisteredGuard",
    "Release",
    "ReleaseEndedError",
    "ReleaseKitError",
    "Rollback",
    "Roster",
    "ScheduleConflictError",
    "ScheduledCheck",
    "ScheduledTestRun",
    "SchemaVersionError",
    "SignOff",
    "Span",
    "SqliteStore",
    "Step",
    "StepInProgressError",
    "StepPlan",
    "StepStillRunningError",
    "StoreError",
    "SystemClock",
    "TestRun",
    "TestsWritten",
    "UnknownDataOperationError",
    "UnknownPersonError",
    "UnknownReleaseError",
    "Verdict",
    "Weekday",
    "Window",
    "YearlyDates",
    "__version__",
    "calendars",
    "check_policy",
    "check_policy_text",
    "exceptions",
    "executors",
    "guards",
    "identity",
    "load_policy",
    "loads_policy",
    "production_window",
    "reference_policy",
    "reference_policy_file",
    "stores",
    "testing",
]
