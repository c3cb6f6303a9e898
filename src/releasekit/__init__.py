"""releasekit: a team's release process as a library.

Build a policy (or take :func:`reference_policy`), drive releases through it
with an :class:`Engine`, and ask at any moment: may this release move on now,
and if not, why — and when?

The top level holds what a script uses every day: the :class:`Desk` and
:func:`open_store`, policies and how to load them, and the values releases,
evidence and answers are made of. Everything else lives in one public
submodule by role, and each public name is exported from exactly one place:
:mod:`releasekit.exceptions` (every error), :mod:`releasekit.stores` (stores,
the ledger, records and events), :mod:`releasekit.executors`,
:mod:`releasekit.guards`, :mod:`releasekit.calendars`, :mod:`releasekit.board`
and :mod:`releasekit.testing`.

Every name here is imported on first use: ``import releasekit`` loads nothing
beyond the standard library, so the ``releasekit`` command (which lives in this
package) prints its help and parses its arguments without loading the rules,
the stores or their dependencies.
"""

from __future__ import annotations

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing` (type checkers read this spelling too).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from releasekit import board, calendars, exceptions, executors, guards, stores, testing
    from releasekit._actions.data import (
        DataOperation,
        DataOperationKind,
        DataOperationStatus,
        DataVerification,
    )
    from releasekit._actions.declared_freezes import DeclaredFreeze
    from releasekit._actions.deployments import Deployment, Rollback
    from releasekit._actions.desk import Desk
    from releasekit._actions.freeze_room import FreezeRoom
    from releasekit._actions.logs import (
        CheckStatus,
        LogCheck,
        LogGap,
        LogReport,
        Monitoring,
        ScheduledCheck,
    )
    from releasekit._actions.opening import open_store
    from releasekit._actions.run_room import lease_for_tests
    from releasekit._policy_files._guard_plugins import RegisteredGuard
    from releasekit._policy_files.policy_file import (
        PolicyCheck,
        check_policy,
        check_policy_text,
        load_policy,
        loads_policy,
        reference_policy_file,
    )
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
    from releasekit._rules.release import Artifact, Move, Release, ReleaseKind
    from releasekit._rules.roster import Person, Roster
    from releasekit._rules.verdicts import Blocker, Verdict
    from releasekit._rules.versions import DEFAULT_VERSION_PATTERN
    from releasekit._rules.windows import Opening, Span, Weekday, Window

    __version__: str

#: Where each public name lives, by module; each is imported the first time it is read.
_SOURCES = {
    "releasekit._actions.data": (
        "DataOperation",
        "DataOperationKind",
        "DataOperationStatus",
        "DataVerification",
    ),
    "releasekit._actions.declared_freezes": ("DeclaredFreeze",),
    "releasekit._actions.deployments": ("Deployment", "Rollback"),
    "releasekit._actions.desk": ("Desk",),
    "releasekit._actions.freeze_room": ("FreezeRoom",),
    "releasekit._actions.logs": (
        "CheckStatus",
        "LogCheck",
        "LogGap",
        "LogReport",
        "Monitoring",
        "ScheduledCheck",
    ),
    "releasekit._actions.opening": ("open_store",),
    "releasekit._actions.run_room": ("lease_for_tests",),
    "releasekit._policy_files._guard_plugins": ("RegisteredGuard",),
    "releasekit._policy_files.policy_file": (
        "PolicyCheck",
        "check_policy",
        "check_policy_text",
        "load_policy",
        "loads_policy",
        "reference_policy_file",
    ),
    "releasekit._rules.clock": ("Clock", "FixedClock", "SystemClock"),
    "releasekit._rules.engine": ("Engine", "Explanation", "Plan", "StepPlan"),
    "releasekit._rules.environments": (
        "DataAdjustmentRule",
        "DataLifecycle",
        "DataSource",
        "Environment",
        "Feed",
        "LogMonitoring",
        "ScheduledTestRun",
    ),
    "releasekit._rules.evidence": (
        "CLOCK_SKEW_TOLERANCE",
        "Attestation",
        "ChangeReview",
        "Evidence",
        "LogReview",
        "LogVerdict",
        "MigrationRun",
        "SignOff",
        "TestRun",
        "TestsWritten",
    ),
    "releasekit._rules.freeze_dates": ("FreezeDates", "FreezeInterval", "YearlyDates"),
    "releasekit._rules.freezes": ("Freeze", "FrozenPeriod"),
    "releasekit._rules.identity": ("identity",),
    "releasekit._rules.policy": ("Flow", "Gate", "Policy", "Step"),
    "releasekit._rules.recurrences": ("IcsCalendar", "Recurrence"),
    "releasekit._rules.reference": ("production_window", "reference_policy"),
    "releasekit._rules.release": ("Artifact", "Move", "Release", "ReleaseKind"),
    "releasekit._rules.roster": ("Person", "Roster"),
    "releasekit._rules.verdicts": ("Blocker", "Verdict"),
    "releasekit._rules.versions": ("DEFAULT_VERSION_PATTERN",),
    "releasekit._rules.windows": ("Opening", "Span", "Weekday", "Window"),
}
#: The public submodules, imported the first time they are read.
_SUBMODULES = frozenset(
    {"board", "calendars", "exceptions", "executors", "guards", "stores", "testing"}
)
_LAZY = {name: module for module, names in _SOURCES.items() for name in names}


def __getattr__(name: str) -> Any:  # noqa: ANN401  # the attribute's type depends on its name
    if name == "__version__":
        from importlib import metadata  # noqa: PLC0415  # costs ~40 ms: only when asked

        try:
            return metadata.version("releasekit")
        except metadata.PackageNotFoundError:  # pragma: no cover  # a source tree, no metadata
            return "0.0.0"
    from importlib import import_module  # noqa: PLC0415  # only once a name is asked for

    if name in _SUBMODULES:
        value = import_module(f"releasekit.{name}")
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        msg = f"module 'releasekit' has no attribute {name!r}"
        raise AttributeError(msg)
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
    "DEFAULT_VERSION_PATTERN",
    "DataAdjustmentRule",
    "DataLifecycle",
    "DataOperation",
    "DataOperationKind",
    "DataOperationStatus",
    "DataSource",
    "DataVerification",
    "DeclaredFreeze",
    "Deployment",
    "Desk",
    "Engine",
    "Environment",
    "Evidence",
    "Explanation",
    "Feed",
    "FixedClock",
    "Flow",
    "Freeze",
    "FreezeDates",
    "FreezeInterval",
    "FreezeRoom",
    "FrozenPeriod",
    "Gate",
    "IcsCalendar",
    "LogCheck",
    "LogGap",
    "LogMonitoring",
    "LogReport",
    "LogReview",
    "LogVerdict",
    "MigrationRun",
    "Monitoring",
    "Move",
    "Opening",
    "Person",
    "Plan",
    "Policy",
    "PolicyCheck",
    "Recurrence",
    "RegisteredGuard",
    "Release",
    "ReleaseKind",
    "Rollback",
    "Roster",
    "ScheduledCheck",
    "ScheduledTestRun",
    "SignOff",
    "Span",
    "Step",
    "StepPlan",
    "SystemClock",
    "TestRun",
    "TestsWritten",
    "Verdict",
    "Weekday",
    "Window",
    "YearlyDates",
    "__version__",
    "board",
    "calendars",
    "check_policy",
    "check_policy_text",
    "exceptions",
    "executors",
    "guards",
    "identity",
    "lease_for_tests",
    "load_policy",
    "loads_policy",
    "open_store",
    "production_window",
    "reference_policy",
    "reference_policy_file",
    "stores",
    "testing",
]
