"""argparse for a command with many commands: each command's parser is built when it is given.

argparse takes longer to build a parser than Python takes to start (it looks
up a translation of its own words for each), and ``releasekit`` has some forty
commands and actions. :func:`add_commands` offers commands by name and summary
alone: ``--help`` lists them from their summaries, and a command line builds the
parser of the command it names when the parse reaches the name — the help, the
parsing and the errors are argparse's own, unchanged.

:class:`Formatter` finds the terminal's width as argparse does, without
importing :mod:`shutil` for it (which takes longer than building the
command's top-level parser does).

This module imports the standard library only: the command's parser uses it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing for the command's start
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    #: What adds a command's own arguments to its parser.
    Build = Callable[[argparse.ArgumentParser], None]
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]  # noqa: SLF001
else:  # argparse's action for commands, generic to type checkers only
    _SubParsers = argparse._SubParsersAction  # noqa: SLF001

__all__ = ["Commands", "Formatter", "Layout", "add_commands"]


def _columns() -> int:
    """The terminal's width, found as :func:`shutil.get_terminal_size` finds it."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stream = sys.__stdout__
    try:
        return (os.get_terminal_size(stream.fileno()).columns if stream else 0) or 80
    except (AttributeError, ValueError, OSError):  # not a terminal, or no file at all
        return 80


class Formatter(argparse.HelpFormatter):
    """argparse's help, as wide as the terminal, found without importing :mod:`shutil`."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        wide = _columns() - 2 if width is None else width  # argparse keeps two columns free
        super().__init__(prog, indent_increment, max_help_position, wide)


class Layout(Formatter, argparse.RawDescriptionHelpFormatter):
    """The same, keeping the line breaks of the description and the epilog."""


class Commands(_SubParsers):
    """The commands of a parser, each of whose own parser is built when it is first needed.

    Made by :func:`add_commands`.

    Attributes:
        epilog: What the help of each of these commands ends with.
        common: Builds the parser whose options every command takes too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401  # argparse's own
        super().__init__(*args, **kwargs)
        self._offered: dict[str, tuple[str, tuple[Build, ...]]] = {}
        # argparse only asks its choices whether they hold a name, and lists them.
        self.choices = _Offered(self)  # type: ignore[assignment]
        self.epilog: str | None = None
        self.common: Callable[[], argparse.ArgumentParser] | None = None

    def offer(
        self, name: str, summary: str, *builds: Build, description: str | None = None
    ) -> None:
        """Offer the command *name*; *builds* add its arguments when its parser is built."""
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), summary))
        self._offered[name] = (description or summary, builds)

    def command(
        self, name: str, summary: str, *, description: str | None = None
    ) -> Callable[[Build], Build]:
        """Offer the command *name*, whose arguments the decorated function adds."""

        def offer(build: Build) -> Build:
            self.offer(name, summary, build, description=description)
            return build

        return offer

    def names(self) -> list[str]:
        """The commands offered, in order."""
        return list(self._offered)

    def parser(self, name: str) -> argparse.ArgumentParser:
        """Return the parser of the command *name*, building it the first time.

        Raises:
            KeyError: No such command is offered.
        """
        built = self._name_parser_map.get(name)
        if built is None:
            description, builds = self._offered[name]
            parents = [self.common()] if self.common is not None else []
            built = self.add_parser(
                name, description=description, epilog=self.epilog, parents=parents
            )
            for build in builds:
                build(built)
        return built

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if isinstance(values, list) and values:
            self.parser(values[0])  # argparse checked that it names a command
        super().__call__(parser, namespace, values, option_string)


class _Offered(Mapping[str, argparse.ArgumentParser]):
    """The commands' names, each mapped to its parser, which is built when it is looked up."""

    def __init__(self, commands: Commands) -> None:
        self._commands = commands

    def __getitem__(self, name: str) -> argparse.ArgumentParser:
        return self._commands.parser(name)

    def __contains__(self, name: object) -> bool:  # without building the parser
        return name in self._commands.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands.names())

    def __len__(self) -> int:
        return len(self._commands.names())


def add_commands(
    parser: argparse.ArgumentParser,
    *,
    dest: str,
    metavar: str,
    common: Callable[[], argparse.ArgumentParser] | None = None,
    epilog: str | None = None,
) -> Commands:
    """Add commands to *parser*, each offered with :meth:`Commands.command` or ``offer``.

    Args:
        parser: The parser the commands belong to.
        dest: Where the parsed namespace keeps the command's name.
        metavar: How the usage names the command (``COMMAND``).
        common: Builds the parser of the options every command takes too.
        epilog: What each command's help ends with.
    """
    commands = parser.add_subparsers(dest=dest, metavar=metavar, required=True, action=Commands)
    if not isinstance(commands, Commands):  # pragma: no cover  # argparse makes what it is given
        raise TypeError(commands)
    commands.common = common
    commands.epilog = epilog
    return commands
