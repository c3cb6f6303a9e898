"""releasekit: a team's release process as a library.

Build a policy (or take :func:`reference_policy`), drive releases through it
with an :class:`Engine`, and ask at any moment: may this release move on now,
and if not, why — and when?
"""

from __future__ import annotations

from importlib import metadata as _metadata

from releasekit import exceptions, executors, guards, stores, testing
from releasekit._actions.desk import Desk
from releasekit._interfaces.policy_file import load_policy, loads_policy, reference_policy_file
from releasekit._records.ledger import Ledger, Record
from releasekit._records.memory import MemoryStore
from releasekit._records.postgres import PostgresStore
from releasekit._records.sqlite import SqliteStore
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
from releasekit._rules.policy import Flow, Gate, Policy, Step
from releasekit._rules.reference import production_window, reference_policy
from releasekit._rules.release import Artifact, Kind, Move, Release
from releasekit._rules.verdicts import Blocker, Verdict
from releasekit._rules.windows import Opening, Span, Weekday, Window
from releasekit.exceptions import (
    ConflictError,
    ExecutorError,
    ExecutorFailedError,
    ExecutorNotFoundError,
    ExecutorTimeoutError,
    HistoryTamperedError,
    InvalidInputError,
    LeaseHeldError,
    LeaseNotHeldError,
    NaiveDatetimeError,
    NotPermittedError,
    PluginLoadError,
    PolicyError,
    PolicyFileError,
    PromotionRefusedError,
    RecordError,
    ReleaseKitError,
    ScheduleConflictError,
    SchemaVersionError,
    StepInProgressError,
    StoreError,
    UnknownReleaseError,
)

try:
    __version__ = _metadata.version("releasekit")
except _metadata.PackageNotFoundError:  # pragma: no cover  # a source tree without metadata
    __version__ = "0.0.0"

__all__ = [
    "Artifact",
    "Attestation",
    "Blocker",
    "ChangeReview",
    "Clock",
    "ConflictError",
    "DataAdjustmentRule",
    "DataLifecycle",
    "DataSource",
    "Desk",
    "Engine",
    "Environment",
    "Evidence",
    "ExecutorError",
    "ExecutorFailedError",
    "ExecutorNotFoundError",
    "ExecutorTimeoutError",
    "Explanation",
    "Feed",
    "FixedClock",
    "Flow",
    "Gate",
    "HistoryTamperedError",
    "InvalidInputError",
    "Kind",
    "LeaseHeldError",
    "LeaseNotHeldError",
    "Ledger",
    "LogMonitoring",
    "LogReview",
    "LogVerdict",
    "MemoryStore",
    "MigrationRun",
    "Move",
    "NaiveDatetimeError",
    "NotPermittedError",
    "Opening",
    "Plan",
    "PluginLoadError",
    "Policy",
    "PolicyError",
    "PolicyFileError",
    "PostgresStore",
    "PromotionRefusedError",
    "Record",
    "RecordError",
    "Release",
    "ReleaseKitError",
    "ScheduleConflictError",
    "ScheduledTestRun",
    "SchemaVersionError",
    "SignOff",
    "Span",
    "SqliteStore",
    "Step",
    "StepInProgressError",
    "StepPlan",
    "StoreError",
    "SystemClock",
    "TestRun",
    "TestsWritten",
    "UnknownReleaseError",
    "Verdict",
    "Weekday",
    "Window",
    "__version__",
    "exceptions",
    "executors",
    "guards",
    "load_policy",
    "loads_policy",
    "production_window",
    "reference_policy",
    "reference_policy_file",
    "stores",
    "testing",
]
