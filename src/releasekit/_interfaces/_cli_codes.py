"""The exit codes of the ``releasekit`` command.

A module of its own, importing the standard library only: the command's entry
point reads these codes before it loads anything else (a usage error, an
interrupt), and every command module reads them through
:mod:`releasekit._interfaces._cli_session`.
"""

from __future__ import annotations

import enum

__all__ = ["IN_SHORT", "ExitCode"]


class ExitCode(enum.IntEnum):
    """What the ``releasekit`` command's exit status means."""

    #: Done, or allowed: the command did what was asked, or the step may happen.
    OK = 0
    #: Refused: a promotion was refused, ``explain`` found blockers, tests failed,
    #: ``verify`` found tampering (``status``: a release it cannot read),
    #: ``policy check`` found problems, an actor is not permitted,
    #: a data operation is refused, there is nothing to roll back to, a production log
    #: check went bad, the release has ended (abandoned, rolled back) or finished its flow.
    REFUSED = 1
    #: Error: bad input, an unknown release, an unusable policy or store, a usage error.
    ERROR = 2
    #: Busy: someone changed the release meanwhile, a lease is held, a step is in
    #: flight, or the test environment is reserved — retry later.
    BUSY = 3
    #: The executor failed: a deployment, test run, migration or data operation failed
    #: to run, timed out, or no allowed executor provides it. The history records the
    #: failed step.
    EXECUTOR_FAILED = 4
    #: A bug in releasekit: an exception it did not expect ended the command. It
    #: is named in one line on standard error (the traceback with ``--debug``);
    #: with ``--json`` the error's ``type`` is ``"InternalError"``. Report it.
    INTERNAL_ERROR = 70
    #: Interrupted (Ctrl-C): whatever step was running may be unfinished.
    INTERRUPTED = 130


#: The exit codes, in short, under each command's help.
IN_SHORT = (
    "exit codes: 0 done/allowed, 1 refused, 2 error, 3 busy, 4 executor failed, "
    "70 a bug in releasekit"
)
