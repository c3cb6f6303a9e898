"""Guards: the checks that gate each step of a flow.

A guard is a pure function of a :class:`GuardContext` — the release, the
policy, the instant, the step and (when known) the actor — returning a
:class:`~releasekit.Verdict`. Guards never read the clock or any other state.

There are three kinds (:class:`GuardKind`): *evidence* guards read what was
recorded on the release, *actor* guards read who acts, and *time* guards read
the instant. Only time guards may be lifted by a flow (a hotfix lifts the
production window); evidence and actor guards always hold.

A team writes its own guard as any object with ``code``, ``kind``,
``check(context)``, ``describe()`` and ``environments()`` — or wraps a function
with :class:`FunctionGuard`.
"""

from releasekit._rules.guards.actors import ActorAllowed
from releasekit._rules.guards.base import Guard, GuardContext, GuardKind, TimeGuard, when
from releasekit._rules.guards.custom import AttestationPresent, FunctionGuard
from releasekit._rules.guards.reviews import ChangesReviewed, LogsReviewed, SignedOff
from releasekit._rules.guards.runs import (
    MigrationsSucceeded,
    NewTestsWritten,
    NoForbiddenFunctions,
    TestsPassed,
)
from releasekit._rules.guards.windows import InsideWindow

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
