"""The parsers of the environment operations (logs, monitoring, rollback), data and freezes."""

from __future__ import annotations

from releasekit._interfaces._cli_arguments import bounded, global_options, parse_instant
from releasekit._interfaces._cli_codes import IN_SHORT
from releasekit._interfaces._cli_parsers import Commands, add_commands

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing for the command's start
if TYPE_CHECKING:
    import argparse

__all__ = ["data_parsers", "freeze_parsers", "operation_parsers"]

#: The kinds of release a freeze declared on the spot may hold back.
_KINDS = ("normal", "hotfix")


def operation_parsers(command: Commands) -> None:
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
            type=bounded("--entries"),
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


def data_parsers(data: argparse.ArgumentParser) -> None:
    action = add_commands(
        data, dest="data_command", metavar="ACTION", common=global_options, epilog=IN_SHORT
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


def freeze_parsers(freeze: argparse.ArgumentParser) -> None:
    """Add ``add``, ``list``, ``lift`` and ``history`` to the ``freeze`` command's parser."""
    action = add_commands(
        freeze, dest="freeze_command", metavar="ACTION", common=global_options, epilog=IN_SHORT
    )

    @action.command(
        "add",
        "declare a freeze now: production (or --environment) closed to normal releases "
        "(or --kinds) until --until",
    )
    def _add(add: argparse.ArgumentParser) -> None:
        add.add_argument("name", metavar="NAME", help="a lowercase name, e.g. incident-42")
        add.add_argument(
            "--until",
            metavar="ISO",
            type=parse_instant,
            required=True,
            help="when it ends (aware ISO 8601, e.g. 2026-12-26T18:00Z), in the future",
        )
        add.add_argument("--reason", required=True, help="why, for everyone it stops")
        add.add_argument(
            "--from",
            dest="start",
            metavar="ISO",
            type=parse_instant,
            help="when it starts (default: now)",
        )
        add.add_argument(
            "--kinds",
            choices=_KINDS,
            nargs="+",
            action="extend",
            default=[],
            help="the kinds of release it holds back (default: normal; hotfixes go through)",
        )
        add.add_argument(
            "--environment",
            dest="environments",
            metavar="ENV",
            nargs="+",
            action="extend",
            default=[],
            help="the environments it closes (default: the last, production)",
        )

    @action.command("list", "the declared freezes in force or to come, and who declared them")
    def _list(_listed: argparse.ArgumentParser) -> None:
        pass

    @action.command("lift", "end a declared freeze now, before its end")
    def _lift(lift: argparse.ArgumentParser) -> None:
        lift.add_argument("name", metavar="NAME")
        lift.add_argument("--reason", required=True, help="why, for the history")

    @action.command("history", "every freeze declared and lifted on the spot, oldest first")
    def _history(_history: argparse.ArgumentParser) -> None:
        pass
