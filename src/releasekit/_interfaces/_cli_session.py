"""What every ``releasekit`` command shares: its session, its reply and its exit code.

A command is a function ``(Session, argparse.Namespace) -> Reply``. The
:class:`Session` resolves the global options (policy, store, actor, clock,
executors) on first use; the :class:`Reply` carries the JSON document, the text
and the :class:`ExitCode`. Every command module imports them from here, with
what several commands say or read (:func:`next_line`, :func:`suggester`,
:func:`declared_policy`), so no command module imports another, nor the entry
point that runs them.
"""

from __future__ import annotations

import argparse
import getpass
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_codes import ExitCode
from releasekit._interfaces._cli_suggestions import suggested_commands
from releasekit._interfaces._cli_text import escape
from releasekit.exceptions import InvalidInputError, ReleaseKitError, UnknownPersonError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pendulum

    from releasekit._actions.desk import Desk
    from releasekit._actions.executors.registry import Registry
    from releasekit._records.store import Store  # noqa: TC004  # Session's, never structured
    from releasekit._records.values import Record
    from releasekit._rules.clock import Clock  # noqa: TC004  # Session's, never structured
    from releasekit._rules.policy import Policy  # noqa: TC004  # Session's, never structured
    from releasekit._rules.release import Release
    from releasekit._rules.roster import Roster
    from releasekit._rules.verdicts import Blocker

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_POLICY",
    "MAX_FILE",
    "ExitCode",
    "Reply",
    "Session",
    "UnreadableError",
    "declared_policy",
    "next_line",
    "person",
    "read_text",
    "suggester",
]


#: The policy file used when none is named, if it exists in the working directory.
DEFAULT_POLICY = "releasekit.toml"
#: The SQLite file used when no store is named, in the working directory.
DEFAULT_DB = "releasekit.db"
#: What each option naming a file or URL wants, for the error when it names none.
_PATHS = {
    "policy": "name a policy file, or leave the option out to use ./releasekit.toml or the "
    "reference policy",
    "db": "name a SQLite file or a postgresql:// URL, or leave the option out to use "
    "./releasekit.db",
    "dt": "name the dt program, or leave the option out to use `dt` on PATH",
}
#: The most a file the command reads may hold (a policy file it shows, a log report):
#: more is no such file, and reading on would never end on a device such as /dev/zero.
MAX_FILE = 16 * 1024 * 1024


class UnreadableError(Exception):
    """A file the command was to read cannot be read; ``str()`` says why, in a few words."""


def read_text(path: str) -> str:
    """Return the UTF-8 text of the file at *path* (``-``: standard input).

    Raises:
        UnreadableError: It cannot be read, is larger than :data:`MAX_FILE`, or is
            not UTF-8 text.
    """
    data: bytes | str
    try:
        if path == "-":  # decoded as standard input is: a decoding error is a ValueError
            data = sys.stdin.read(MAX_FILE + 1)
        else:
            with Path(path).open("rb") as file:
                data = file.read(MAX_FILE + 1)
    except (OSError, ValueError) as error:  # also a NUL in the path, or a bad byte on stdin
        raise UnreadableError(getattr(error, "strerror", None) or str(error)) from None
    if len(data) > MAX_FILE:
        message = f"it is larger than {MAX_FILE // (1024 * 1024)} MiB"
        raise UnreadableError(message)
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"it is not UTF-8 text: byte {error.start} is not"
        raise UnreadableError(message) from None


@attrs.frozen(kw_only=True)
class Reply:
    """What a command answers.

    Attributes:
        data: The JSON document ``--json`` prints.
        text: What a person reads (without the final newline).
        code: The exit code.
    """

    data: Mapping[str, object]
    text: str
    code: ExitCode = ExitCode.OK


def person(value: str, *, option: str, field: str) -> str:
    """Return the identity of a person named by a command-line *option* (or variable).

    Raises:
        InvalidInputError: Naming *option* in its sentence and *field* as its field.
    """
    from releasekit._rules.identity import identity  # noqa: PLC0415  # only for a name given

    try:
        return identity(value, field=option)
    except InvalidInputError as error:
        raise InvalidInputError(str(error), field=field, value=value) from None


#: Where the actor's name comes from when neither --actor nor $RELEASEKIT_ACTOR gives it.
_LOGIN = "your login name"


def _on_roster(roster: Roster, name: str, option: str) -> str:
    """Return the person *name* (given as *option*) is on *roster*, or refuse it naming *option*.

    Raises:
        UnknownPersonError: No one on the roster goes by *name*; its ``field`` is
            ``by`` for ``--by``, else ``actor``, as for a name that is no name.
    """
    try:
        return roster.person(name, field=option)
    except UnknownPersonError as error:
        raise UnknownPersonError(
            actor=error.actor,
            field="by" if option == "--by" else "actor",
            suggestions=error.suggestions,
            allowed=error.allowed,
            given_as=option,
        ) from None


@attrs.define
class Session:
    """The options of one command line, resolved: policy, store, actor, clock, executors.

    Everything is built on first use, so a command pays only for what it needs.

    Args:
        args: The parsed command line.
        environ: The environment variables to read (``os.environ``).
    """

    args: argparse.Namespace
    environ: Mapping[str, str]
    _policy: Policy | None = attrs.field(default=None, init=False)
    _store: Store | None = attrs.field(default=None, init=False)
    _clock: Clock | None = attrs.field(default=None, init=False)

    # -- where things come from -------------------------------------------------

    def _option(self, name: str, variable: str) -> str | None:
        given: str | None = getattr(self.args, name, None)
        return given if given is not None else (self.environ.get(variable) or None)

    def _path(self, name: str, variable: str) -> str | None:
        """Return the file or URL an option (or its variable) names; refuse an unusable one.

        Raises:
            InvalidInputError: It is empty (on the command line: an empty variable
                counts as unset), or holds a NUL character, which no path can.
        """
        named = self._option(name, variable)
        if named is not None and (not named.strip() or "\x00" in named):
            given = getattr(self.args, name, None) is not None
            source = f"--{name}" if given else f"${variable}"
            problem = "holds a NUL character" if "\x00" in named else "is empty"
            raise InvalidInputError(f"{source} {problem}; {_PATHS[name]}", field=name, value=named)
        return named

    @property
    def policy_file(self) -> str | None:
        """The policy file in use, or ``None`` for the reference policy."""
        named = self._path("policy", "RELEASEKIT_POLICY")
        if named is not None:
            return named
        return DEFAULT_POLICY if Path(DEFAULT_POLICY).is_file() else None

    @property
    def db(self) -> str:
        """Where the store is: a SQLite file or a PostgreSQL URL."""
        return self._path("db", "RELEASEKIT_DB") or DEFAULT_DB

    @property
    def sqlite_file(self) -> str | None:
        """The SQLite file the store is kept in; ``None`` for another store (PostgreSQL, memory).

        Raises:
            InvalidInputError: :attr:`db` names no store.
        """
        from releasekit._actions.opening import sqlite_file  # noqa: PLC0415  # on use

        return sqlite_file(self.db)

    @property
    def policy(self) -> Policy:
        """The policy in use, loaded once."""
        if self._policy is None:
            source = self.policy_file
            if source is None:
                from releasekit._rules.reference import reference_policy  # noqa: PLC0415

                self._policy = reference_policy()
            else:
                from releasekit._policy_files.policy_file import load_policy  # noqa: PLC0415

                self._policy = load_policy(source)
        return self._policy

    def _named_actor(self) -> tuple[str, str]:
        """Return the identity of who acts and where it was given (``--actor``, …).

        Raises:
            InvalidInputError: The name given is empty or holds a control or
                invisible character, or none is given and the login name is unknown.
        """
        given: str | None = getattr(self.args, "actor", None)
        if given is not None:
            return person(given, option="--actor", field="actor"), "--actor"
        named = self.environ.get("RELEASEKIT_ACTOR") or None
        if named is not None:
            return person(named, option="$RELEASEKIT_ACTOR", field="actor"), "$RELEASEKIT_ACTOR"
        try:
            login = getpass.getuser()
        except (OSError, KeyError):  # pragma: no cover  # a process without a user name
            raise InvalidInputError(
                "cannot tell who you are; pass --actor NAME or set RELEASEKIT_ACTOR",
                field="actor",
                value=None,
            ) from None
        return person(login, option=_LOGIN, field="actor"), _LOGIN

    @property
    def actor(self) -> str:
        """Who acts: ``--actor``, else ``$RELEASEKIT_ACTOR``, else the login name.

        The person that name is (:meth:`Policy.person <releasekit.Policy.person>`):
        its identity, and with a roster in the policy the name of the person
        on it (an alias is its person).

        Raises:
            InvalidInputError: The name given is empty or holds a control or
                invisible character, or none is given and the login name is unknown.
            UnknownPersonError: The policy has a roster and no one on it goes by the name.
        """
        named, given_as = self._named_actor()
        return self.person(named, option=given_as)

    @property
    def asking(self) -> str | None:
        """Who asks, for a command that only reads: :attr:`actor`, or ``None`` for a stranger.

        A login name no one on the roster goes by may still look: it asks as
        no one in particular. A name given on purpose (``--actor``,
        ``$RELEASEKIT_ACTOR``) must be on the roster.

        Raises:
            InvalidInputError: As for :attr:`actor`.
            UnknownPersonError: A name given on purpose is on no one's entry.
        """
        named, given_as = self._named_actor()
        try:
            return self.person(named, option=given_as)
        except UnknownPersonError:
            if given_as != _LOGIN:
                raise
            return None

    def person(self, name: str, *, option: str) -> str:
        """Return the person *name* (an identity, given as *option*) is, by the policy's roster.

        Raises:
            UnknownPersonError: The policy has a roster and no one on it goes by
                *name*; its ``field`` is ``by`` for ``--by``, else ``actor``.
        """
        roster = self.policy.roster
        return name if roster is None else _on_roster(roster, name, option)

    def check_people(self) -> None:
        """Refuse, before anything runs, a person named on the command line who is no one.

        With a roster in the policy, a name given (``--actor``,
        ``$RELEASEKIT_ACTOR``, ``--by``) must be on it; a policy that cannot be
        loaded is left for the command to report.

        Raises:
            InvalidInputError: ``--actor``, ``$RELEASEKIT_ACTOR`` or ``--by`` is
                empty or holds a control or invisible character.
            UnknownPersonError: The policy has a roster and no one on it goes by one of them.
        """
        named: list[tuple[str, str]] = []
        if getattr(self.args, "actor", None) is not None or self.environ.get("RELEASEKIT_ACTOR"):
            named.append(self._named_actor())
        by: str | None = getattr(self.args, "by", None)
        if by is not None:
            named.append((person(by, option="--by", field="by"), "--by"))
        if not named:
            return
        try:
            roster = self.policy.roster
        except ReleaseKitError:  # the command says what is wrong with the policy
            return
        if roster is not None:
            for name, given_as in named:
                _on_roster(roster, name, given_as)

    @property
    def clock(self) -> Clock:
        """A clock fixed at ``--now``, or the system clock."""
        if self._clock is None:
            from releasekit._rules.clock import FixedClock, SystemClock  # noqa: PLC0415  # on use

            now = getattr(self.args, "now", None)
            self._clock = SystemClock() if now is None else FixedClock(now)
        return self._clock

    def now(self) -> pendulum.DateTime:
        """The instant the command acts at."""
        return self.clock.now()

    def store(self, *, create: bool = False) -> Store:
        """Open the store once; a missing SQLite file is created only if *create*.

        Without *create*, a missing file reads as an empty store, so looking
        around in a directory without releases leaves no file behind.
        """
        if self._store is None:
            from releasekit._actions.opening import open_store  # noqa: PLC0415  # on use

            file = self.sqlite_file
            if file is None or create or _exists(file):
                self._store = open_store(self.db)
            else:
                from releasekit._records.memory import MemoryStore  # noqa: PLC0415  # on use

                self._store = MemoryStore()
        return self._store

    def executors(self) -> Registry:
        """The executors chosen by ``--executors`` (a dry run by default).

        Raises:
            InvalidInputError: ``$RELEASEKIT_EXECUTORS`` names no known choice.
            PluginLoadError: A plug-in failed to load.
        """
        from releasekit._actions.executors import dt_tool  # noqa: PLC0415  # on use
        from releasekit._actions.opening import EXECUTOR_CHOICES, open_executors  # noqa: PLC0415

        choice = self._option("executors", "RELEASEKIT_EXECUTORS") or "dry-run"
        if choice not in EXECUTOR_CHOICES:
            raise InvalidInputError(
                f"RELEASEKIT_EXECUTORS={choice!r} names no executors; use dry-run, dt or plugins",
                field="executors",
                value=choice,
            )
        program = self._path("dt", "RELEASEKIT_DT") if choice == "dt" else None
        if program is not None:
            return dt_tool.dt(dt_tool.DtExecutor(program=program))
        return open_executors(choice)

    @property
    def dry_run(self) -> bool:
        """Whether the executors only record what they would do."""
        return (self._option("executors", "RELEASEKIT_EXECUTORS") or "dry-run") == "dry-run"

    def desk(self, *, create: bool = False, executors: bool = False) -> Desk:
        """A desk on the policy and store; with real executors only if *executors*.

        Only the commands that need one build it: it loads the state machine
        and the executors.
        """
        from releasekit._actions.desk import Desk  # noqa: PLC0415  # on use

        return Desk.open(
            policy=self.policy,
            store=self.store(create=create),
            executors=self.executors() if executors else "dry-run",
            clock=self.clock,
        )

    def progress(self) -> Callable[[str], None] | None:
        """Where a running executor's output goes: standard error, unless in a dry run."""
        if self.dry_run:
            return None

        def tell(line: str) -> None:
            sys.stderr.write(f"  | {escape(line)}\n")
            sys.stderr.flush()

        return tell

    def close(self) -> None:
        """Close the store, if one was opened."""
        if self._store is not None:
            self._store.close()


def _exists(location: str) -> bool:
    """Whether the SQLite file *location* exists; refuse a name no file can have.

    Raises:
        InvalidInputError: The name is too long, or a part of it is no folder one can read.
    """
    try:
        return Path(location).exists()
    except OSError as error:
        raise InvalidInputError(
            f"cannot use {location} as the store ({error.strerror}); {_PATHS['db']}",
            field="db",
            value=location,
        ) from None


def suggester(desk: Desk, release: Release) -> show.Suggest:
    """Return a function giving the commands that would clear each blocker of *release*."""
    policy = desk.policy

    def suggest(blocker: Blocker) -> tuple[str, ...]:
        return suggested_commands(blocker, release, policy)

    return suggest


def next_line(record: Record, desk: Desk, *, now: pendulum.DateTime | None = None) -> str:
    """Say in one line what the release's next step is, and whether it may happen *now*.

    *now* is the desk's clock's time unless given.
    """
    at = desk.clock.now() if now is None else now
    explanation = desk.engine.explain(record.release, now=at)
    step = explanation.step
    if record.attempt is not None:
        attempt = record.attempt
        named = shlex.quote(record.id)
        return (
            f"a {attempt.capability} step is unfinished ({attempt.detail}, started "
            f"{show.short(attempt.started_at)} by {attempt.by}); `releasekit resume "
            f"{named}` or `releasekit abandon-step {named} --reason ...`"
        )
    if step is None:
        return f"no further step: {record.id} is in {record.state}"
    if explanation.allowed:
        return f"{step.source} -> {step.target}: allowed now"
    count = len(explanation.blockers)
    people = list(dict.fromkeys(name for b in explanation.blockers for name in b.people))
    ask = f"ask {show.either(people)}; " if people else ""
    return (
        f"{step.source} -> {step.target}: blocked ({count}); {ask}"
        f"`releasekit explain {shlex.quote(record.id)}`"
    )


def declared_policy(session: Session) -> Policy:
    """Return the policy in use with the freezes declared in the store among its freezes."""
    from releasekit._actions.freeze_room import FreezeRoom  # noqa: PLC0415  # on use
    from releasekit._records.ledger import Ledger  # noqa: PLC0415  # on use

    room = FreezeRoom(session.policy, Ledger(session.store()), session.clock)
    return room.policy()
