"""Guards: the checks that gate each step, and the protocol for writing your own.

Every guard has a stable ``code``, a ``kind`` (evidence, actor or time),
``check(context) -> Verdict``, ``describe()`` and ``environments()``. Only time
guards may be lifted by a flow.
"""

from releasekit._rules.guards import (
    ActorAllowed,
    AttestationPresent,
    ChangesReviewed,
    FunctionGuard,
    Guard,
    GuardContext,
    GuardKind,
    InsideWindow,
    LogsReviewed,
    MigrationsSucceeded,
    NewTestsWritten,
    NoForbiddenFunctions,
    SignedOff,
    TestsPassed,
    TimeGuard,
    when,
)

__all__ = [
    "ActorAllowed",
    "AttestationPresent",
    "ChangesReviewed",
    "FunctionGuard",
    "Guard",
    "GuardContext",
    "GuardKind",
    "InsideWindow",
    "LogsReviewed",
    "MigrationsSucceeded",
    "NewTestsWritten",
    "NoForbiddenFunctions",
    "SignedOff",
    "TestsPassed",
    "TimeGuard",
    "when",
]
