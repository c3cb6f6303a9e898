"""Running a ``releasekit`` command: the table of commands, and the one way each is run.

Each command is a function ``(Session, argparse.Namespace) -> Reply`` in the
module of its concern (:data:`COMMANDS` says which); its module is imported
only when the command runs. :func:`run` runs it, turns releasekit's errors into
a sentence on standard error (and, with ``--json``, an ``{"error": ...}``
document on standard output) and an exit code — never a traceback.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import TYPE_CHECKING

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import (
    ExitCode,
    Reply,
    Session,
)
from releasekit._interfaces._cli_text import escape, json_text, terminal_text
from releasekit.exceptions import (
    AttemptInProgressError,
    ConflictError,
    ExecutorError,
    HistoryTamperedError,
    LeaseHeldError,
    LeaseNotHeldError,
    NothingToRollBackError,
    NotPermittedError,
    PolicyFileError,
    PromotionRefusedError,
    ReleaseEndedError,
    ReleaseKitError,
    ScheduleConflictError,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping

    #: A command: what it does with a session and its arguments, and its reply.
    Command = Callable[[Session, argparse.Namespace], Reply]


__all__ = ["COMMANDS", "command", "error_json", "exit_code_for", "run"]

#: The module (in ``releasekit._interfaces``) and the function of each command.
COMMANDS: Mapping[str, tuple[str, str]] = {
    "start": ("_cli_release", "start"),
    "status": ("_cli_status", "status"),
    "explain": ("_cli_release", "explain"),
    "plan": ("_cli_release", "plan"),
    "promote": ("_cli_release", "promote"),
    "record": ("_cli_release", "record"),
    "abandon": ("_cli_release", "abandon"),
    "run-tests": ("_cli_steps", "run_tests"),
    "migrate": ("_cli_steps", "migrate"),
    "resume": ("_cli_steps", "resume"),
    "abandon-step": ("_cli_steps", "abandon_attempt"),
    "history": ("_cli_history", "history"),
    "verify": ("_cli_history", "verify"),
    "windows": ("_cli_windows", "windows"),
    "diagram": ("_cli_policy", "diagram"),
    "policy check": ("_cli_policy", "policy_check"),
    "policy show": ("_cli_policy", "policy_show"),
    "logs": ("_cli_production", "logs"),
    "review-logs": ("_cli_production", "review_logs"),
    "monitoring": ("_cli_production", "monitoring"),
    "check-production": ("_cli_production", "check_production"),
    "clear-attention": ("_cli_production", "clear_attention"),
    "deployments": ("_cli_production", "deployments"),
    "roll-back": ("_cli_production", "roll_back"),
    "data adjust": ("_cli_data", "data_adjust"),
    "data amend": ("_cli_data", "data_amend"),
    "data verify": ("_cli_data", "data_verify"),
    "data execute": ("_cli_data", "data_execute"),
    "data cancel": ("_cli_data", "data_cancel"),
    "data restore": ("_cli_data", "data_restore"),
    "data list": ("_cli_data", "data_list"),
    "data show": ("_cli_data", "data_show"),
    "freeze add": ("_cli_freeze", "add"),
    "freeze list": ("_cli_freeze", "listed"),
    "freeze lift": ("_cli_freeze", "lift"),
    "freeze history": ("_cli_freeze", "history"),
    "demo": ("_cli_demo", "demo"),
    "board": ("board._command", "serve"),
}


# -- running ---------------------------------------------------------------------

#: Errors that mean "refused", "busy" and "the executor failed"; all others mean "error".
_REFUSED = (
    PromotionRefusedError,
    NotPermittedError,
    HistoryTamperedError,
    NothingToRollBackError,
    ReleaseEndedError,
)
_BUSY = (
    ConflictError,
    LeaseHeldError,
    LeaseNotHeldError,
    AttemptInProgressError,
    ScheduleConflictError,
)


def exit_code_for(error: ReleaseKitError) -> ExitCode:
    """Return the exit code that stands for *error*."""
    if isinstance(error, _REFUSED):
        return ExitCode.REFUSED
    if isinstance(error, _BUSY):
        return ExitCode.BUSY
    if isinstance(error, ExecutorError):
        return ExitCode.EXECUTOR_FAILED
    return ExitCode.ERROR


#: The attributes of an error its JSON form carries, where the error has them.
_ERROR_FIELDS = (
    "release_id",
    "operation_id",
    "field",
    "source",
    "problems",
    "lease",
    "holder",
    "capability",
    "environment",
    "reason",
    "actor",
    "action",
    "allowed",
    "suggestions",
    "current",
    "required",
    "host",
    "pid",
    "role",
    "running",
    "stream",
    "expected",
    "actual",
    "expected_target",
    "actual_target",
    "state",
    "seq",
    "detail",
)


def error_json(error: ReleaseKitError, code: ExitCode) -> dict[str, object]:
    """Return the one JSON document of a refused command (``--json``), as the board answers too."""
    body: dict[str, object] = {
        "type": type(error).__name__,
        "message": str(error),
        "exit_code": int(code),
    }
    for name in _ERROR_FIELDS:
        if hasattr(error, name):
            body[name] = show.plain(getattr(error, name))
    return {"error": body}


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else f"{text}\n")


def _complain(error: ReleaseKitError, *, debug: bool) -> None:
    """Say on standard error what went wrong, one line per problem, every character visible."""
    if debug:
        sys.stderr.write(terminal_text("".join(traceback.format_exception(error))))
    if isinstance(error, PolicyFileError):  # one problem per line, each in its own words
        count = len(error.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{error.source}: {count} {noun} in the policy file:"]
        lines.extend(f"  {problem}" for problem in error.problems)
    else:
        lines = [str(error)]
    sys.stderr.write(f"releasekit: {escape(lines[0])}\n")
    for line in lines[1:]:
        sys.stderr.write(f"{escape(line)}\n")
    for note in getattr(error, "__notes__", ()):
        sys.stderr.write(f"  {escape(str(note))}\n")


def command(name: str) -> Command:
    """Return the function of the command *name* (``promote``, ``policy check``), imported now.

    Raises:
        KeyError: No command has that name.
    """
    module, function = COMMANDS[name]
    found: Command = getattr(importlib.import_module(f"releasekit._interfaces.{module}"), function)
    return found


def _name(args: argparse.Namespace) -> str:
    """Return the name of the command *args* holds, with its action for a group (``data list``)."""
    name: str = args.command
    return f"{name} {getattr(args, _GROUPS[name])}" if name in _GROUPS else name


#: Commands that hold commands, and where the parser puts the inner command's name.
_GROUPS = {"policy": "policy_command", "data": "data_command", "freeze": "freeze_command"}


def run(args: argparse.Namespace, *, environ: Mapping[str, str]) -> int:
    """Run the command *args* names and return its exit code."""
    session = Session(args, environ)
    try:
        session.check_people()
        reply = command(_name(args))(session, args)
    except ReleaseKitError as error:
        code = exit_code_for(error)
        _complain(error, debug=getattr(args, "debug", False))
        if args.json:
            _write(json_text(error_json(error, code)))
        return code
    finally:
        session.close()
    _write(json_text(reply.data) if args.json else terminal_text(reply.text))
    return reply.code
