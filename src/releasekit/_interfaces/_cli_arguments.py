"""The arguments of the ``releasekit`` command: instants, counts, the global options.

What every command's parser is made of, importing the standard library only,
so that ``releasekit --help`` and a usage error load nothing else.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys

from releasekit._interfaces._cli_parsers import Formatter
from releasekit._interfaces._cli_text import escape

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing`, which costs the
#: command a tenth of its start (type checkers and ruff read this spelling too).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence
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
    "LATEST",
    "Parser",
    "UsageError",
    "Version",
    "add_global_options",
    "add_list",
    "bounded",
    "global_options",
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
COUNTS: Final = {
    "--count": (1, 1000),
    "--entries": (1, 1000),
    "--limit": (1, 1000),
    "--revision": (1, 2**31 - 1),
    "--expected-minutes": (1, 24 * 60),
}

_EXECUTORS = ("dry-run", "dt", "plugins")


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


def bounded(option: str) -> Callable[[str], int]:
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


class Parser(argparse.ArgumentParser):
    """An argument parser that hands a usage error back to :func:`main` instead of exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401  # argparse's own
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


class UsageError(Exception):
    """A command line the parser refused: a usage error, exit code 2."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class Version(argparse.Action):
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


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
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


def global_options() -> argparse.ArgumentParser:
    """Return a parser holding the global options, for a command's parser to take as a parent."""
    options = Parser(add_help=False)
    add_global_options(options, suppress=True)
    return options


def add_list(
    parser: argparse.ArgumentParser, flag: str, *, dest: str, text: str, metavar: str = "NAME"
) -> None:
    """Add an option taking one or more values, repeatable: ``--new a b --new c``."""
    parser.add_argument(
        flag, dest=dest, metavar=metavar, action="extend", nargs="+", default=[], help=text
    )
