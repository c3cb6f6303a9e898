"""The ``releasekit`` command: the team's release process in a terminal, a CI job or a bot.

Every command reads the policy (``--policy``, ``$RELEASEKIT_POLICY``,
``./releasekit.toml`` or the reference policy) and the store (``--db``,
``$RELEASEKIT_DB``, or ``./releasekit.db``), does one thing through a
:class:`~releasekit.Desk`, and answers in readable text or, with ``--json``, in
one JSON document on standard output.

This module, and the parser it builds (:mod:`releasekit._interfaces._cli_parser`),
import the standard library only: ``releasekit --help`` and a usage error never
load the rules, the stores or the executors. The commands are run by
:mod:`releasekit._interfaces._cli_commands`, imported once the arguments are
parsed.

Exit codes (:class:`ExitCode`): 0 done or allowed, 1 refused, 2 error, 3 busy,
4 the executor failed, 70 a bug in releasekit (an unexpected exception, shown in
one line; the traceback with ``--debug``), 130 interrupted.
"""

from __future__ import annotations

import codecs
import io
import os
import sys

from releasekit._interfaces import _cli_arguments
from releasekit._interfaces._cli_arguments import COUNTS, ENVIRONMENT, UsageError, parse_instant
from releasekit._interfaces._cli_codes import ExitCode
from releasekit._interfaces._cli_parser import EVIDENCE_KINDS, build_parser
from releasekit._interfaces._cli_text import escape, json_text, terminal_text

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing`, which costs the
#: command a tenth of its start (type checkers and ruff read this spelling too).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from releasekit._interfaces._cli_arguments import EARLIEST, LATEST

__all__ = [
    "COUNTS",
    "EARLIEST",
    "ENVIRONMENT",
    "EVIDENCE_KINDS",
    "LATEST",
    "ExitCode",
    "build_parser",
    "main",
    "parse_instant",
]

if not TYPE_CHECKING:  # to type checkers, the two are imported above; no other name is made

    def __getattr__(name: str) -> dt.datetime:
        if name in {"EARLIEST", "LATEST"}:  # built when first read: help needs neither
            return getattr(_cli_arguments, name)
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Run the ``releasekit`` command line and return its exit code.

    Whatever happens, the command ends with an exit code and at most one
    sentence per error, never a traceback (unless ``--debug`` asks for it):
    releasekit's errors become their sentence and documented code, an
    unexpected exception — a bug — becomes one line and
    :attr:`ExitCode.INTERNAL_ERROR`, Ctrl-C exits 130, and a reader that went
    away (``releasekit history r1 | head``) ends the command quietly.

    Args:
        argv: The arguments, without the program name; ``sys.argv[1:]`` if omitted.
        environ: The environment variables to read; ``os.environ`` if omitted.

    Returns:
        An :class:`ExitCode` value.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    variables: Mapping[str, str] = os.environ if environ is None else environ
    debug = _debugging(arguments, variables)
    _escape_what_cannot_be_encoded()
    try:
        return _main(arguments, variables)
    except KeyboardInterrupt:
        sys.stderr.write("releasekit: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader went away (`releasekit history r1 | head`)
        _silence_stdout()
        return ExitCode.ERROR
    except Exception as error:  # noqa: BLE001  # the last line of defence: a bug, said plainly
        return _unexpected(error, debug=debug, as_json=_given(arguments, "--json"))


def _main(arguments: list[str], environ: Mapping[str, str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as done:  # --help or --version, already printed
        return done.code if isinstance(done.code, int) else ExitCode.ERROR
    except UsageError as usage:
        _usage_error(usage, as_json=_given(arguments, "--json"))
        return ExitCode.ERROR
    args.debug = args.debug or _debugging([], environ)
    from releasekit._interfaces import _cli_commands  # noqa: PLC0415  # keeps --help fast

    code = _cli_commands.run(args, environ=environ)
    sys.stdout.flush()  # a reader that went away is noticed here, not at exit
    return code


def _given(arguments: Sequence[str], flag: str) -> bool:
    """Whether *flag* (or an abbreviation argparse would take for it) is among the options."""
    for argument in arguments:
        if argument == "--":
            return False
        if len(argument) > 3 and flag.startswith(argument):  # noqa: PLR2004  # past "--x"
            return True
    return False


_FALSE = frozenset({"", "0", "false", "no", "off"})


def _debugging(arguments: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether ``--debug`` or ``$RELEASEKIT_DEBUG`` asks for tracebacks."""
    wanted = environ.get("RELEASEKIT_DEBUG", "").strip().lower() not in _FALSE
    return wanted or _given(arguments, "--debug")


def _usage_error(usage: UsageError, *, as_json: bool) -> None:
    """Say what is wrong with the command line; with ``--json``, as a JSON document too."""
    parser = usage.parser
    message = f"{parser.prog}: error: {usage.message}"
    sys.stderr.write(terminal_text(parser.format_usage()))
    sys.stderr.write(f"{escape(message)}\n")
    if as_json:
        document = {
            "error": {
                "type": "UsageError",
                "message": usage.message,
                "exit_code": int(ExitCode.ERROR),
                "usage": parser.format_usage().strip(),
            }
        }
        sys.stdout.write(f"{json_text(document)}\n")


def _unexpected(error: Exception, *, debug: bool, as_json: bool) -> int:
    """Report an exception releasekit did not expect, in one line (and its traceback if asked)."""
    if debug:
        import traceback  # noqa: PLC0415  # only to show a bug's traceback

        sys.stderr.write(terminal_text("".join(traceback.format_exception(error))))
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    advice = "" if debug else " — run again with --debug to see the traceback"
    sys.stderr.write(
        f"releasekit: unexpected error (this is a bug in releasekit): {escape(what)}{advice}\n"
    )
    if as_json:
        document = {
            "error": {
                "type": "InternalError",
                "message": f"unexpected error (this is a bug in releasekit): {what}",
                "exit_code": int(ExitCode.INTERNAL_ERROR),
                "exception": type(error).__name__,
            }
        }
        import contextlib  # noqa: PLC0415  # only to report a bug

        with contextlib.suppress(Exception):  # standard output itself failed: stderr said it
            sys.stdout.write(f"{json_text(document)}\n")
    return ExitCode.INTERNAL_ERROR


def _escape_what_cannot_be_encoded() -> None:
    r"""Where standard output cannot encode every character, write escapes instead of failing.

    A terminal set to ASCII or Latin-1 (``PYTHONIOENCODING=ascii``) then shows
    ``\u2013`` for a dash it cannot show, and JSON stays JSON: it reads the
    escape back as the dash.
    """
    stream = sys.stdout
    if not isinstance(stream, io.TextIOWrapper) or stream.errors != "strict":
        return
    if codecs.lookup(stream.encoding).name != "utf-8":
        stream.reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so flushing it at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover  # not a real file
        pass
