"""Guards: the checks that gate each step, and the protocol for writing your own.

Every guard has a stable ``code``, a ``kind`` (evidence, actor or time),
``check(context) -> Verdict``, ``describe()`` and ``environments()``. Only time
guards may be lifted by a flow.

A package offers guards to policy files by registering them in the entry-point
group :data:`ENTRY_POINT_GROUP` (``releasekit.guards``): a name, and a callable
that returns a guard when called with the other keys of the file's table.
"""

from typing import Final as _Final

from releasekit._rules.freezes import OutsideFreeze
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

#: The entry-point group installed packages register their guards in, for policy files.
ENTRY_POINT_GROUP: _Final = "releasekit.guards"

__all__ = [
    "ENTRY_POINT_GROUP",
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
    "OutsideFreeze",
    "SignedOff",
    "TestsPassed",
    "TimeGuard",
    "when",
]
