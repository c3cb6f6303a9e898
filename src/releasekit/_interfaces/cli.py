"""The ``releasekit`` command: the team's release process in a terminal, a CI job or a bot.

Every command reads the policy (``--policy``, ``$RELEASEKIT_POLICY``,
``./releasekit.toml`` or the reference policy) and the store (``--db``,
``$RELEASEKIT_DB``, or ``./releasekit.db``), does one thing through a
:class:`~releasekit.Desk`, and answers in readable text or, with ``--json``, in
one JSON document on standard output.

This module imports the standard library only: ``releasekit --help`` and a
usage error never load the rules, the stores or the executors. The commands
live in :mod:`releasekit._interfaces._cli_commands`, imported once the
arguments are parsed.

Exit codes (:class:`ExitCode`): 0 done or allowed, 1 refused, 2 error, 3 busy,
4 the executor failed, 70 a bug in releasekit (an unexpected exception, shown in
one line; the traceback with ``--debug``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import codecs
import functools
import io
import os
import re
import sys

from releasekit._interfaces._cli_codes import ExitCode
from releasekit._interfaces._cli_parsers import Commands, Formatter, Layout, add_commands
from releasekit._interfaces._cli_text import escape, json_text, terminal_text

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing`, which costs the
#: command a tenth of its start (type checkers and ruff read this spelling too).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, Final, NoReturn

    #: The earliest and the latest instant ``--now``, ``--at``, ``--after`` and
    #: ``--since`` take: years 1970 to 2200, in UTC. Windows, plans and schedules
    #: are exact from the first to well beyond the last. (Built when first read.)
    EARLIEST: dt.datetime
    LATEST: dt.datetime

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


#: The environment variables the command reads, and what for.
ENVIRONMENT = {
    "RELEASEKIT_POLICY": "the policy file (else ./releasekit.toml if present, else the reference)",
    "RELEASEKIT_DB": "the store: a SQLite file or a postgresql:// URL (else ./releasekit.db)",
    "RELEASEKIT_ACTOR": "who acts (else your login name)",
    "RELEASEKIT_EXECUTORS": "dry-run, dt or plugins (else dry-run)",
    "RELEASEKIT_DT": "the dt program for --executors dt (else `dt` on PATH)",
    "RELEASEKIT_DEBUG": "set to 1 to show the traceback of an error, as --debug does",
}


@functools.cache
def _bounds() -> tuple[dt.datetime, dt.datetime]:
    """:data:`EARLIEST` and :data:`LATEST`, built once an instant is read: help needs neither."""
    import datetime as dt  # noqa: PLC0415  # milliseconds that --help does without

    return (
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2200, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    )


if not TYPE_CHECKING:  # to type checkers, the two are declared above; no other name is made

    def __getattr__(name: str) -> dt.datetime:
        if name in {"EARLIEST", "LATEST"}:
            earliest, latest = _bounds()
            return earliest if name == "EARLIEST" else latest
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)


#: The fewest and most of each count an option takes (a revision: as many as a store can count).
COUNTS: Final = {"--count": (1, 1000), "--entries": (1, 1000), "--revision": (1, 2**31 - 1)}

#: The kinds of evidence ``releasekit record`` knows, in the order of the process.
EVIDENCE_KINDS = (
    "tests-written",
    "test-run",
    "sign-off",
    "log-review",
    "migration-run",
    "change-review",
    "attestation",
)

_EXECUTORS = ("dry-run", "dt", "plugins")

#: The exit codes, in short, under each command's help.
_CODES = (
    "exit codes: 0 done/allowed, 1 refused, 2 error, 3 busy, 4 executor failed, "
    "70 a bug in releasekit"
)

_DESCRIPTION = """\
Run your team's release process: start releases, record evidence, ask why a
step is refused and when it will be allowed, promote, and read the history.

Start with `releasekit demo`, which walks a normal and a hotfix release through
the reference policy on a simulated clock."""

_EPILOG = (
    """\
exit codes:
  0  done, or allowed
  1  refused: promotion refused, blockers found (explain), tests failed,
     tampering found (verify), problems found (policy check), not permitted,
     a data operation refused, a freeze declared or lifted by someone the
     policy does not name, nothing to roll back to, a bad log check,
     the release has ended or finished its flow
  2  error: bad input, unknown release, unusable policy file or store, usage
  3  busy: the release changed meanwhile (retry), a lease is held, a step is
     in flight (resume or abandon-step) or may still run, the test
     environment is reserved
  4  the executor failed: a deployment, test run, migration, log collection
     or data operation failed, timed out, or has no allowed executor (the
     failed step is in the history)
  70 a bug in releasekit: an unexpected error, named in one line (the
     traceback with --debug); please report it
  130 interrupted

environment:
"""
    + "\n".join(f"  {name:<21}{meaning}" for name, meaning in ENVIRONMENT.items())
    + """

With --json, standard output holds exactly one JSON document: the command's
result, or {"error": {...}}. Keys are snake_case, times ISO 8601 in UTC.
Documentation: docs/cli.md."""
)


def parse_instant(text: str) -> dt.datetime:
    """Read an aware ISO 8601 instant such as ``2026-11-27T18:00Z``; refuse naive ones.

    The instant must lie between :data:`EARLIEST` and :data:`LATEST` (years
    1970 to 2200, UTC).

    Raises:
        argparse.ArgumentTypeError: *text* is not ISO 8601, has no time zone, or
            lies outside those years.
    """
    import datetime as dt  # noqa: PLC0415  # only once an instant is given

    earliest, latest = _bounds()
    shown = _quoted(text)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        msg = f"{shown} is not an ISO 8601 instant; write it like 2026-11-27T18:00Z"
        raise argparse.ArgumentTypeError(msg) from None
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            f"{shown} has no time zone, and releasekit never guesses one; "
            f"write {escape(text.strip()[:40])}Z for UTC, or add an offset such as +01:00"
        )
        raise argparse.ArgumentTypeError(msg)
    try:
        inside = earliest <= value.astimezone(dt.UTC) <= latest
    except OverflowError:  # its offset takes it past year 1 or 9999
        inside = False
    if not inside:
        msg = (
            f"{shown} is outside the years releasekit reckons with; give an instant "
            f"from {earliest:%Y-%m-%dT%H:%MZ} to {latest:%Y-%m-%dT%H:%MZ}"
        )
        raise argparse.ArgumentTypeError(msg)
    return value


def _quoted(text: str) -> str:
    """Quote what was typed, every character visible, and at most 60 of them."""
    shown = escape(repr(text[:60]))
    return f"{shown[:-1]}…{shown[-1]}" if len(text) > 60 else shown  # noqa: PLR2004  # enough


_WHOLE_NUMBER = re.compile(r"\+?[0-9]{1,12}")


def _bounded(option: str) -> Callable[[str], int]:
    """Return the reader of a count: a whole number within the bounds in :data:`COUNTS`."""
    low, high = COUNTS[option]

    def count(text: str) -> int:
        given = text.strip()
        value = int(given) if _WHOLE_NUMBER.fullmatch(given) else None
        if value is None or not low <= value <= high:
            msg = f"{_quoted(text)} is not a whole number from {low} to {high}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return count


class _Parser(argparse.ArgumentParser):
    """An argument parser that hands a usage error back to :func:`main` instead of exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401  # argparse's own
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


class _UsageError(Exception):
    """A command line the parser refused: a usage error, exit code 2."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Version(argparse.Action):
    """``--version``: print releasekit's version, read from its metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        del kwargs
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version"
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        del namespace, values, option_string
        from importlib import metadata  # noqa: PLC0415  # only when asked

        try:
            version = metadata.version("releasekit")
        except metadata.PackageNotFoundError:  # pragma: no cover  # a source tree
            version = "unknown"
        sys.stdout.write(f"releasekit {version}\n")
        parser.exit()


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Add the options every command takes, before or after the command's name.

    Below a command their default is ``SUPPRESS``, so a value given before the
    command is not overwritten by an absent one after it.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--policy",
        metavar="FILE",
        default=default(None),
        help="the policy file (env RELEASEKIT_POLICY; else ./releasekit.toml if present, "
        "else the reference policy)",
    )
    group.add_argument(
        "--db",
        metavar="PATH",
        default=default(None),
        help="the store: a SQLite file or a postgresql:// URL (env RELEASEKIT_DB; "
        "else ./releasekit.db)",
    )
    group.add_argument(
        "--actor",
        metavar="NAME",
        default=default(None),
        help="who acts (env RELEASEKIT_ACTOR; else your login name)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),  # noqa: FBT003  # argparse's default, not a flag argument
        help="answer with one JSON document on standard output",
    )
    group.add_argument(
        "--now",
        metavar="ISO",
        type=parse_instant,
        default=default(None),
        help="act as if it were this instant (aware ISO 8601, e.g. 2026-11-27T18:00Z); "
        "for simulations and tests",
    )
    group.add_argument(
        "--executors",
        choices=_EXECUTORS,
        default=default(None),
        help="who does the work: dry-run records what would run (the default), dt runs the "
        "team's dt tool, plugins loads entry-point plug-ins (env RELEASEKIT_EXECUTORS)",
    )
    group.add_argument(
        "--dt",
        metavar="PATH",
        default=default(None),
        help="the dt program for --executors dt (env RELEASEKIT_DT; else dt on PATH)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),  # noqa: FBT003  # argparse's default, not a flag argument
        help="show the traceback of an error (env RELEASEKIT_DEBUG=1)",
    )


def _global_options() -> argparse.ArgumentParser:
    """Return a parser holding the global options, for a command's parser to take as a parent."""
    options = _Parser(add_help=False)
    _add_global_options(options, suppress=True)
    return options


def _add_list(
    parser: argparse.ArgumentParser, flag: str, *, dest: str, text: str, metavar: str = "NAME"
) -> None:
    """Add an option taking one or more values, repeatable: ``--new a b --new c``."""
    parser.add_argument(
        flag, dest=dest, metavar=metavar, action="extend", nargs="+", default=[], help=text
    )


def _evidence_parsers(record: argparse.ArgumentParser) -> None:
    kind = add_commands(record, dest="kind", metavar="KIND", common=_global_options)

    def when_and_who(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--at", metavar="ISO", type=parse_instant, help="when it happened (default: now)"
        )
        parser.add_argument("--by", metavar="NAME", help="whose evidence it is (default: --actor)")

    def outcome(parser: argparse.ArgumentParser, good: str, bad: str) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(f"--{good}", dest="ok", action="store_const", const=True)
        group.add_argument(f"--{bad}", dest="ok", action="store_const", const=False)

    @kind.command("tests-written", "new automatic tests cover the release's new functionality")
    def _tests_written(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        _add_list(parser, "--covers", dest="covers", text="the new functionality they cover")
        _add_list(parser, "--test", dest="tests", text="the new tests")
        parser.add_argument("--note", default="")

    @kind.command("test-run", "a run of the automatic tests, passed or failed")
    def _test_run(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        outcome(parser, "passed", "failed")
        parser.add_argument(
            "--environment", metavar="ENV", help="where (default: what the gate reads)"
        )
        parser.add_argument(
            "--version", metavar="V", help="the version tested (default: the release's)"
        )
        parser.add_argument(
            "--scheduled", action="store_true", help="it was the daily scheduled run"
        )
        parser.add_argument("--summary", default="")

    @kind.command("sign-off", "a person signs off the manual testing on an environment")
    def _sign_off(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        parser.add_argument(
            "--environment", metavar="ENV", help="where (default: what the gate reads)"
        )
        _add_list(
            parser,
            "--old-app-version",
            dest="old_app_versions",
            metavar="V",
            text="older app versions tested with (stage needs them)",
        )
        parser.add_argument("--note", default="")

    @kind.command("log-review", "a person reviewed the error logs of environments")
    def _log_review(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        _add_list(
            parser,
            "--environment",
            dest="environments",
            metavar="ENV",
            text="whose logs (default: every environment)",
        )
        parser.add_argument("--verdict", choices=("clean", "problems"), default="clean")
        parser.add_argument("--note", default="")

    @kind.command("migration-run", "the release's migrations ran on an environment")
    def _migration_run(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        outcome(parser, "succeeded", "failed")
        parser.add_argument(
            "--environment", metavar="ENV", help="where (default: what the gate reads)"
        )
        _add_list(
            parser,
            "--migration",
            dest="migrations",
            text="the migrations that ran (default: all of the release's)",
        )
        parser.add_argument("--version", metavar="V", help="the version (default: the release's)")
        parser.add_argument("--output", default="")

    @kind.command("change-review", "a person reviewed all the release's changes once more")
    def _change_review(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        parser.add_argument("--version", metavar="V", help="the version (default: the release's)")
        parser.add_argument("--note", default="")

    @kind.command("attestation", "a named statement a team's own guard reads")
    def _attestation(parser: argparse.ArgumentParser) -> None:
        when_and_who(parser)
        parser.add_argument("--name", required=True, help="what is attested, e.g. security-review")
        parser.add_argument("--environment", metavar="ENV", help="the environment it concerns")
        parser.add_argument("--note", default="")


def _operation_parsers(command: Commands) -> None:
    """Add the commands of the environment operations: logs, monitoring, rollback."""

    @command.command("logs", "collect the error logs of every environment into one report")
    def _logs(logs: argparse.ArgumentParser) -> None:
        logs.add_argument("release", metavar="RELEASE", nargs="?", help="the release it is for")
        logs.add_argument(
            "--since",
            metavar="ISO",
            type=parse_instant,
            help="from this instant (default: RELEASE's last move, else 24 hours ago)",
        )
        logs.add_argument(
            "--save",
            metavar="FILE",
            help="also write the report as JSON to FILE, for `review-logs --report FILE`",
        )
        logs.add_argument(
            "--entries",
            metavar="N",
            type=_bounded("--entries"),
            default=20,
            help="log lines shown per environment, 1 to 1000 (default: 20)",
        )

    @command.command(
        "review-logs",
        "record your verdict on the error logs of every environment as RELEASE's log review",
    )
    def _review_logs(review: argparse.ArgumentParser) -> None:
        review.add_argument("release", metavar="RELEASE")
        review.add_argument("--verdict", choices=("clean", "problems"), required=True)
        review.add_argument("--note", default="", help="what you saw")
        source = review.add_mutually_exclusive_group()
        source.add_argument(
            "--report",
            metavar="FILE",
            help="the report you read, saved by `releasekit logs RELEASE --save FILE` "
            "(- reads standard input); without it the logs are collected now and shown",
        )
        source.add_argument(
            "--since",
            metavar="ISO",
            type=parse_instant,
            help="collect the logs from this instant (default: RELEASE's last move)",
        )

    @command.command(
        "monitoring", "the log checks RELEASE calls for where it runs: done, due, overdue, next"
    )
    def _monitoring(monitoring: argparse.ArgumentParser) -> None:
        monitoring.add_argument("release", metavar="RELEASE")
        monitoring.add_argument("--environment", metavar="ENV", help="(default: production)")

    @command.command(
        "check-production",
        "check the production logs since the last check; a bad check notifies the team and "
        "raises an attention item (exit 1)",
    )
    def _check_production(check: argparse.ArgumentParser) -> None:
        check.add_argument(
            "release", metavar="RELEASE", nargs="?", help="(default: the release running there)"
        )
        check.add_argument("--environment", metavar="ENV", help="(default: production)")

    @command.command("clear-attention", "record that an attention item of RELEASE was dealt with")
    def _clear_attention(clear: argparse.ArgumentParser) -> None:
        clear.add_argument("release", metavar="RELEASE")
        clear.add_argument("key", metavar="KEY", help="the item, e.g. log-check:production")
        clear.add_argument("--reason", required=True, help="what was done, for the history")

    @command.command(
        "deployments", "which release runs in production, which ran there before, and since when"
    )
    def _deployments(deployments: argparse.ArgumentParser) -> None:
        deployments.add_argument("--environment", metavar="ENV", help="(default: production)")

    @command.command(
        "roll-back", "take production back to the version deployed there before the running one"
    )
    def _roll_back(roll_back: argparse.ArgumentParser) -> None:
        roll_back.add_argument("--reason", required=True, help="what went wrong, for the history")
        roll_back.add_argument("--environment", metavar="ENV", help="(default: production)")
        roll_back.add_argument(
            "--release",
            metavar="RELEASE",
            help="the release you mean to roll back: refused if another one runs there",
        )


def _data_parsers(data: argparse.ArgumentParser) -> None:
    action = add_commands(
        data, dest="data_command", metavar="ACTION", common=_global_options, epilog=_CODES
    )

    @action.command(
        "adjust",
        "request a data adjustment by hand: verified by others, then run by the operator; "
        "put options first and `--` before arguments that start with a dash",
    )
    def _adjust(adjust: argparse.ArgumentParser) -> None:
        adjust.add_argument("environment", metavar="ENV")
        adjust.add_argument("operation", metavar="OPERATION", help="as the team's tool names it")
        adjust.add_argument(
            "arguments", metavar="ARG", nargs="*", help="its arguments, each passed as one"
        )
        adjust.add_argument("--reason", required=True, help="why, for the history")
        adjust.add_argument(
            "--id", dest="operation_id", metavar="ID", help="(default: adjustment-N)"
        )

    @action.command(
        "amend",
        "change an adjustment's arguments (or operation); every verification so far is void",
    )
    def _amend(amend: argparse.ArgumentParser) -> None:
        amend.add_argument("operation_id", metavar="ID")
        amend.add_argument(
            "arguments", metavar="ARG", nargs="*", help="the new arguments (default: unchanged)"
        )
        amend.add_argument("--operation", metavar="OPERATION", help="a new operation name")
        amend.add_argument("--reason", default="", help="why, for the history")

    @action.command(
        "verify", "vouch for an adjustment as it stands (not its requester or operator)"
    )
    def _verify(verify: argparse.ArgumentParser) -> None:
        verify.add_argument("operation_id", metavar="ID")
        verify.add_argument(
            "--fingerprint",
            metavar="HEX",
            help="the fingerprint you were shown (12 characters or more): refused if the "
            "adjustment changed since",
        )
        verify.add_argument("--note", default="", help="what you checked")

    @action.command("execute", "run a verified adjustment through dt (its operator only)")
    def _execute(execute: argparse.ArgumentParser) -> None:
        execute.add_argument("operation_id", metavar="ID")

    @action.command("cancel", "give up a data operation that has not run (or whose run failed)")
    def _cancel(cancel: argparse.ArgumentParser) -> None:
        cancel.add_argument("operation_id", metavar="ID")
        cancel.add_argument("--reason", required=True, help="why, for the history")

    @action.command(
        "restore", "replace TARGET's data with a copy of SOURCE's, where the policy allows it"
    )
    def _restore(restore: argparse.ArgumentParser) -> None:
        restore.add_argument("source", metavar="SOURCE")
        restore.add_argument("target", metavar="TARGET")
        restore.add_argument("--reason", required=True, help="why, for the history")
        restore.add_argument("--id", dest="operation_id", metavar="ID", help="(default: restore-N)")

    @action.command("list", "every data operation, oldest first")
    def _list(listed: argparse.ArgumentParser) -> None:
        listed.add_argument("--environment", metavar="ENV", help="only those of ENV")

    @action.command("show", "one data operation in detail, with its history")
    def _show(shown: argparse.ArgumentParser) -> None:
        shown.add_argument("operation_id", metavar="ID")


def _policy_parsers(policy: argparse.ArgumentParser) -> None:
    action = add_commands(policy, dest="policy_command", metavar="ACTION", common=_global_options)

    @action.command(
        "check",
        "report every problem of a policy file, each with its path",
        description="report every problem of a policy file, each with its path; exit 0 if "
        "it is valid, 1 if not. Nothing the file names is imported or run: custom guards are "
        "looked up in the installed packages' metadata only, unless --load-plugins",
    )
    def _check(check: argparse.ArgumentParser) -> None:
        check.add_argument("file", metavar="FILE", nargs="?", help="(default: the policy in use)")
        check.add_argument(
            "--load-plugins",
            action="store_true",
            help="also load and build the installed guards the file names "
            "(runs their packages' code)",
        )

    @action.command(
        "show",
        "print the policy file in use, or the reference policy",
        description="print the text of the policy file in use (the reference policy when none "
        "is configured); start your own with `releasekit policy show --reference > "
        "releasekit.toml`",
    )
    def _show(show: argparse.ArgumentParser) -> None:
        show.add_argument(
            "--reference",
            action="store_true",
            help="print the reference policy, whatever is in use",
        )


def _freeze_parsers(freeze: argparse.ArgumentParser) -> None:
    from releasekit._interfaces import _cli_freeze  # noqa: PLC0415  # only for `freeze`

    _cli_freeze.add_parsers(freeze, common=_global_options, epilog=_CODES)


def build_parser() -> argparse.ArgumentParser:  # noqa: C901, PLR0915  # one function per command
    """Return the parser of the ``releasekit`` command line.

    A command's own parser is built the first time the command is given (or
    looked up among the parser's choices): a command line pays for the one
    command it names, and ``releasekit --help`` for none.
    """
    parser = _Parser(
        prog="releasekit",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=Layout,
    )
    parser.add_argument("--version", action=_Version)
    _add_global_options(parser, suppress=False)
    command = add_commands(
        parser, dest="command", metavar="COMMAND", common=_global_options, epilog=_CODES
    )

    @command.command("start", "start a release of VERSION in the first environment")
    def _start(start: argparse.ArgumentParser) -> None:
        start.add_argument("version", metavar="VERSION")
        start.add_argument("--kind", choices=("normal", "hotfix"), default="normal")
        _add_list(start, "--function", dest="functions", text="the functions it ships")
        _add_list(start, "--migration", dest="migrations", text="the migrations it brings")
        _add_list(start, "--new", dest="new", text="the new functionality it adds")
        start.add_argument("--id", dest="release_id", metavar="ID", help="an id (default: VERSION)")

    @command.command("status", "one release in detail, or every release in a table")
    def _status(status: argparse.ArgumentParser) -> None:
        status.add_argument("release", metavar="RELEASE", nargs="?")

    @command.command("explain", "may RELEASE take its next step now? every blocker if not")
    def _explain(explain: argparse.ArgumentParser) -> None:
        explain.add_argument("release", metavar="RELEASE")

    @command.command("plan", "the remaining steps of RELEASE and its earliest production time")
    def _plan(plan: argparse.ArgumentParser) -> None:
        plan.add_argument("release", metavar="RELEASE")

    @command.command("promote", "move RELEASE to its next environment, deploying it there")
    def _promote(promote: argparse.ArgumentParser) -> None:
        promote.add_argument("release", metavar="RELEASE")
        promote.add_argument(
            "--to",
            metavar="ENV",
            help="the environment RELEASE is to enter; if its next step enters another, nothing "
            "is done (exit 3). Bots and CI jobs must pass it: a promotion sent twice then moves "
            "once",
        )
        promote.add_argument(
            "--revision",
            type=_bounded("--revision"),
            metavar="N",
            help="the revision of RELEASE you decided on (from status or explain --json); if it "
            "changed since, nothing is done (exit 3)",
        )

    @command.command("record", "record evidence for RELEASE")
    def _record(record: argparse.ArgumentParser) -> None:
        record.add_argument("release", metavar="RELEASE")
        _evidence_parsers(record)

    @command.command("run-tests", "run the automatic tests for RELEASE and record the run")
    def _run_tests(run_tests: argparse.ArgumentParser) -> None:
        run_tests.add_argument("release", metavar="RELEASE")
        run_tests.add_argument("--environment", metavar="ENV", help="where (default: the gate's)")
        run_tests.add_argument(
            "--no-notify", dest="notify", action="store_false", help="do not notify the team"
        )
        run_tests.add_argument(
            "--scheduled",
            action="store_true",
            help="this is the daily scheduled run, started at its time",
        )

    @command.command("migrate", "run the migrations of RELEASE and record the run")
    def _migrate(migrate: argparse.ArgumentParser) -> None:
        migrate.add_argument("release", metavar="RELEASE")
        migrate.add_argument("--environment", metavar="ENV", help="where (default: the gate's)")

    @command.command("resume", "run an interrupted step of RELEASE again")
    def _resume(resume: argparse.ArgumentParser) -> None:
        resume.add_argument("release", metavar="RELEASE")
        resume.add_argument(
            "--force",
            action="store_true",
            help="the step's processes ran on another host, and you checked that they ended",
        )

    @command.command("abandon-step", "give up the interrupted step of RELEASE")
    def _abandon_step(abandon_step: argparse.ArgumentParser) -> None:
        abandon_step.add_argument("release", metavar="RELEASE")
        abandon_step.add_argument("--reason", required=True, help="why, for the history")
        abandon_step.add_argument(
            "--force",
            action="store_true",
            help="give it up (and free its lease) although its processes may still run",
        )

    @command.command("abandon", "give RELEASE up; it takes no further step")
    def _abandon(abandon: argparse.ArgumentParser) -> None:
        abandon.add_argument("release", metavar="RELEASE")
        abandon.add_argument("--reason", default="", help="why, for the history")

    @command.command("history", "every event of RELEASE, oldest first")
    def _history(history: argparse.ArgumentParser) -> None:
        history.add_argument("release", metavar="RELEASE")

    @command.command(
        "verify",
        "check every history (releases, data operations) against its hash chain and its "
        "state against its events; or one release or data operation",
    )
    def _verify(verify: argparse.ArgumentParser) -> None:
        verify.add_argument("release", metavar="ID", nargs="?", help="a release or data operation")

    @command.command("windows", "the next openings of the last environment's time windows")
    def _windows(windows: argparse.ArgumentParser) -> None:
        windows.add_argument(
            "--count",
            type=_bounded("--count"),
            default=3,
            metavar="N",
            help="1 to 1000 (default: 3)",
        )
        windows.add_argument(
            "--after", type=parse_instant, metavar="ISO", help="from this instant (default: now)"
        )

    @command.command("diagram", "a Mermaid diagram of a flow, marking RELEASE's state")
    def _diagram(diagram: argparse.ArgumentParser) -> None:
        diagram.add_argument("release", metavar="RELEASE", nargs="?")
        diagram.add_argument(
            "--kind", choices=("normal", "hotfix"), help="the flow (default: RELEASE's, or normal)"
        )

    _operation_parsers(command)
    command.offer(
        "data",
        "adjust data by hand (verified, then run by the operator), restore it",
        _data_parsers,
    )
    command.offer("policy", "check or show a policy file", _policy_parsers)
    command.offer(
        "freeze",
        "declare a freeze on the spot (an incident), list the declared ones, lift one",
        _freeze_parsers,
    )
    command.offer(
        "demo",
        "walk a normal and a hotfix release through the reference policy "
        "(simulated clock, dry-run executors, a temporary SQLite store unless --db)",
    )
    return parser


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
    except _UsageError as usage:
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


def _usage_error(usage: _UsageError, *, as_json: bool) -> None:
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
