"""The parser of the ``releasekit`` command line: every command, its arguments and its help.

Each command's own parser is built the first time it is given (see
:mod:`releasekit._interfaces._cli_parsers`); the environment operations and
the data actions are added by :mod:`releasekit._interfaces._cli_parser_operations`.
This module imports the standard library only.
"""

from __future__ import annotations

from releasekit._interfaces._cli_arguments import (
    ENVIRONMENT,
    Parser,
    Version,
    add_global_options,
    add_list,
    bounded,
    global_options,
    parse_instant,
)
from releasekit._interfaces._cli_codes import IN_SHORT
from releasekit._interfaces._cli_parser_operations import (
    data_parsers,
    freeze_parsers,
    operation_parsers,
)
from releasekit._interfaces._cli_parsers import Layout, add_commands

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing for the command's start
if TYPE_CHECKING:
    import argparse

__all__ = ["EVIDENCE_KINDS", "build_parser"]


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


_DESCRIPTION = """\
Run your team's release process: start releases, add evidence, ask why a
step is refused and when it will be allowed, promote, and read the history.

Start with `releasekit demo`, which walks a normal and a hotfix release through
the reference policy on a simulated clock."""

_EPILOG = (
    """\
exit codes:
  0  done, or allowed
  1  refused: promotion refused, blockers found (explain), tests failed,
     tampering found (verify; status: a release it cannot read), problems
     found (policy check), not permitted, a data operation refused, a
     freeze declared or lifted by someone the policy does not name, nothing
     to roll back to, a bad log check, the release has ended or finished
     its flow
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


def evidence_parsers(record: argparse.ArgumentParser) -> None:
    kind = add_commands(record, dest="kind", metavar="KIND", common=global_options)

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
        add_list(parser, "--covers", dest="covers", text="the new functionality they cover")
        add_list(parser, "--test", dest="tests", text="the new tests")
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
        add_list(
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
        add_list(
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
        add_list(
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


def policy_parsers(policy: argparse.ArgumentParser) -> None:
    action = add_commands(policy, dest="policy_command", metavar="ACTION", common=global_options)

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


def _board_parser(board: argparse.ArgumentParser) -> None:
    from releasekit._interfaces._cli_parser_board import add_arguments  # noqa: PLC0415  # on use

    add_arguments(board)


def build_parser() -> argparse.ArgumentParser:  # noqa: C901, PLR0915  # one function per command
    """Return the parser of the ``releasekit`` command line.

    A command's own parser is built the first time the command is given (or
    looked up among the parser's choices): a command line pays for the one
    command it names, and ``releasekit --help`` for none.
    """
    parser = Parser(
        prog="releasekit",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=Layout,
    )
    parser.add_argument("--version", action=Version)
    add_global_options(parser, suppress=False)
    command = add_commands(
        parser, dest="command", metavar="COMMAND", common=global_options, epilog=IN_SHORT
    )

    @command.command("start", "start a release of VERSION in the first environment")
    def _start(start: argparse.ArgumentParser) -> None:
        start.add_argument("version", metavar="VERSION")
        start.add_argument("--kind", choices=("normal", "hotfix"), default="normal")
        add_list(start, "--function", dest="functions", text="the functions it ships")
        add_list(start, "--migration", dest="migrations", text="the migrations it brings")
        add_list(start, "--new", dest="new", text="the new functionality it adds")
        start.add_argument("--id", dest="release_id", metavar="ID", help="an id (default: VERSION)")

    @command.command(
        "status", "the active releases in a table, a page at a time, or one release in detail"
    )
    def _status(status: argparse.ArgumentParser) -> None:
        status.add_argument("release", metavar="RELEASE", nargs="?")
        status.add_argument(
            "--all", action="store_true", help="list finished releases too, not only active ones"
        )
        status.add_argument(
            "--after",
            metavar="ID",
            help="list the releases whose ids come after ID (as the last page ends; "
            "write --after=ID for an id that starts with -)",
        )
        status.add_argument(
            "--limit",
            metavar="N",
            type=bounded("--limit"),
            help="list at most N releases, 1 to 1000 (default: 100)",
        )

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
            type=bounded("--revision"),
            metavar="N",
            help="the revision of RELEASE you decided on (from status or explain --json); if it "
            "changed since, nothing is done (exit 3)",
        )

    @command.command("record", "add evidence to RELEASE")
    def _record(record: argparse.ArgumentParser) -> None:
        record.add_argument("release", metavar="RELEASE")
        evidence_parsers(record)

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
        run_tests.add_argument(
            "--expected-minutes",
            metavar="N",
            type=bounded("--expected-minutes"),
            help="how long the run holds the environment, 1 to 1440 (default: an hour)",
        )

    @command.command("migrate", "run the migrations of RELEASE and record the run")
    def _migrate(migrate: argparse.ArgumentParser) -> None:
        migrate.add_argument("release", metavar="RELEASE")
        migrate.add_argument("--environment", metavar="ENV", help="where (default: the gate's)")

    @command.command("resume", "run an interrupted attempt of RELEASE again")
    def _resume(resume: argparse.ArgumentParser) -> None:
        resume.add_argument("release", metavar="RELEASE")
        resume.add_argument(
            "--force",
            action="store_true",
            help="the step's processes ran on another host, and you checked that they ended",
        )

    @command.command("abandon-step", "give up the interrupted attempt of RELEASE")
    def _abandon_step(abandon_attempt: argparse.ArgumentParser) -> None:
        abandon_attempt.add_argument("release", metavar="RELEASE")
        abandon_attempt.add_argument("--reason", required=True, help="why, for the history")
        abandon_attempt.add_argument(
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
            type=bounded("--count"),
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

    operation_parsers(command)
    command.offer(
        "data",
        "adjust data by hand (verified, then run by the operator), restore it",
        data_parsers,
    )
    command.offer("policy", "check or show a policy file", policy_parsers)
    command.offer(
        "freeze",
        "declare a freeze on the spot (an incident), list the declared ones, lift one",
        freeze_parsers,
    )
    command.offer(
        "board",
        "serve the release board: every release, what holds it, and when it can move, "
        "read-only in a browser (needs releasekit[board])",
        _board_parser,
    )
    command.offer(
        "demo",
        "walk a normal and a hotfix release through the reference policy "
        "(simulated clock, dry-run executors, a temporary SQLite store unless --db)",
    )
    return parser
