"""Executors: what runs each step, through a team's own tools.

One small protocol per :class:`Capability` — :class:`Deployer`,
:class:`AutomaticTestRunner`, :class:`LogCollector`, :class:`Migrator`,
:class:`Notifier`, :class:`DataAdjuster`, :class:`DataRestorer` — each a single
method taking one request value. A :class:`Registry` says which executor does
what, and where; plug-ins fill it through the ``releasekit.executors``
entry-point group (:func:`load_plugins`).

The built-in executors:

- :class:`CommandExecutor` runs a program with an argument-list template per
  capability — never through a shell — with timeouts, capped output and
  streamed progress lines;
- :class:`DtExecutor` is that, preset for the team's ``dt`` tool
  (:data:`DT_TEMPLATES`);
- :class:`DryRunExecutor` is a dry run: it records each call and succeeds
  (or fails as told).

Anything that ran yields an :class:`Outcome`; executors raise
:class:`~releasekit.exceptions.ExecutorFailedError` only when nothing could run.
"""

from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.command import DEFAULT_TIMEOUTS, CommandExecutor
from releasekit._actions.executors.dt_tool import DT_TEMPLATES, DtExecutor, dt
from releasekit._actions.executors.outcomes import LogBatch, Outcome, Status
from releasekit._actions.executors.protocols import (
    AutomaticTestRunner,
    DataAdjuster,
    DataRestorer,
    DeclaresCapabilities,
    Deployer,
    LogCollector,
    Migrator,
    Notifier,
)
from releasekit._actions.executors.recording import Call, DryRunExecutor, dry_run
from releasekit._actions.executors.registry import (
    ENTRY_POINT_GROUP,
    Registration,
    Registry,
    load_plugins,
)
from releasekit._actions.executors.requests import (
    AdjustmentRequest,
    ChildHook,
    DeployRequest,
    LogRequest,
    MigrationRequest,
    Notice,
    Progress,
    Request,
    RestoreRequest,
    TestRequest,
)
from releasekit._actions.executors.templates import END_OF_OPTIONS, FIELDS, FieldKind

__all__ = [  # noqa: RUF022  # plainly sorted, like releasekit.__all__
    "AdjustmentRequest",
    "AutomaticTestRunner",
    "Call",
    "Capability",
    "ChildHook",
    "CommandExecutor",
    "DEFAULT_TIMEOUTS",
    "DT_TEMPLATES",
    "DataAdjuster",
    "DataRestorer",
    "DeclaresCapabilities",
    "DeployRequest",
    "Deployer",
    "DryRunExecutor",
    "DtExecutor",
    "END_OF_OPTIONS",
    "ENTRY_POINT_GROUP",
    "FIELDS",
    "FieldKind",
    "LogBatch",
    "LogCollector",
    "LogRequest",
    "MigrationRequest",
    "Migrator",
    "Notice",
    "Notifier",
    "Outcome",
    "Progress",
    "Registration",
    "Registry",
    "Request",
    "RestoreRequest",
    "Status",
    "TestRequest",
    "dry_run",
    "dt",
    "load_plugins",
]
