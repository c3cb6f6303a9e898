"""The documents the board shows: what ``releasekit --json`` prints for each read-only command.

The board runs the command line's own commands, with its own parser, on a
session of its own (:class:`BoardSession`): the store comes read-only from the
board's :class:`~releasekit._interfaces.board._store.StoreSource`, the policy is
the one loaded when the board started, and every document of one page is
answered at one instant. An error becomes the ``{"error": ...}`` document the
command would print, and a bug the ``InternalError`` one — never a traceback
on a page.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from releasekit._actions.desk import Desk
from releasekit._actions.executors.recording import dry_run
from releasekit._interfaces._cli_arguments import UsageError
from releasekit._interfaces._cli_codes import ExitCode
from releasekit._interfaces._cli_commands import command, error_json, exit_code_for
from releasekit._interfaces._cli_parser import build_parser
from releasekit._interfaces._cli_session import Session
from releasekit._interfaces.board._store import StoreSource
from releasekit._records.values import Record
from releasekit._rules.clock import FixedClock
from releasekit._rules.policy import Policy
from releasekit.exceptions import (
    HistoryTamperedError,
    InvalidInputError,
    NotPermittedError,
    PolicyError,
    ReleaseKitError,
    StoreError,
    UnknownDataOperationError,
    UnknownReleaseError,
    UnreadableDataError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from releasekit._interfaces.board._store import ReadOnlyStore
    from releasekit._records.values import ReleaseSummary

__all__ = ["Answer", "BoardSession", "Documents"]

_log = logging.getLogger("releasekit.board")


#: The exit codes of a usage error and of a bug, as the command line has them.
_USAGE = int(ExitCode.ERROR)
_INTERNAL = int(ExitCode.INTERNAL_ERROR)


@attrs.frozen(kw_only=True)
class Answer:
    """What a command answered the board: its JSON document and its exit code.

    Attributes:
        data: The document ``--json`` prints: the command's reply, or ``{"error": ...}``.
        code: The command's exit code.
        status: The HTTP status the board answers it with: 200 for a reply,
            404 for an unknown release or data operation, 400 for bad input, 403
            for what the board may not do, 409 for a history that does not
            verify, 503 for a store it cannot reach, 500 for a row it cannot
            read or a bug.
    """

    data: Mapping[str, Any]
    code: int
    status: int = 200

    @property
    def error(self) -> Mapping[str, object] | None:
        """The error, if the command failed: the ``error`` object of the document."""
        found = self.data.get("error")
        return found if isinstance(found, dict) and len(self.data) == 1 else None


#: The HTTP status of each kind of error the board reports, by its ``type``.
_STATUSES: Mapping[type[ReleaseKitError], int] = {
    UnknownReleaseError: 404,
    UnknownDataOperationError: 404,
    InvalidInputError: 400,
    PolicyError: 400,
    NotPermittedError: 403,
    HistoryTamperedError: 409,
    UnreadableDataError: 500,
    StoreError: 503,
}


def _status(error: BaseException) -> int:
    """Return the HTTP status of an answer holding *error*."""
    for kind, status in _STATUSES.items():
        if isinstance(error, kind):
            return status
    return 500


@attrs.define
class _PageDesk(Desk):
    """A desk that loads each release once for all the documents of one page.

    The overview asks ``status`` for every release and ``explain`` for each
    blocked one: the second reads the release the first just loaded. A page
    is answered at one instant, so what it read first is what it shows.
    """

    _loaded: dict[str, Record] = attrs.field(factory=dict, init=False, repr=False)

    def get(self, release_id: str) -> Record:
        """Return the release's record, loaded once per page."""
        found = self._loaded.get(release_id)
        if found is None:
            found = self._loaded[release_id] = super().get(release_id)
        return found

    def records(self, releases: Iterable[str | ReleaseSummary]) -> list[Record]:
        """Return the records of the releases listed, keeping each for the page."""
        found = super().records(releases)
        self._loaded.update((record.id, record) for record in found)
        return found


@attrs.define
class BoardSession(Session):
    """A command line's session that reads the board's store and never acts.

    The policy is the board's, loaded once; the store is the board's source,
    read-only; the clock is fixed at the instant the session was made, so the
    documents of one page agree; the desk is built once and runs nothing.
    Who asks is no one in particular.

    Args:
        args: The parsed command line (the board's ``--db`` and ``--policy``).
        environ: The environment variables it resolves them with.
        source: Where the store is.
        loaded: The board's policy.
        instant: The instant every document of the session is answered at.
    """

    source: StoreSource = attrs.field(kw_only=True)
    loaded: Policy = attrs.field(kw_only=True)
    instant: pendulum.DateTime = attrs.field(kw_only=True)
    _desk: Desk | None = attrs.field(default=None, init=False)

    @property
    def policy(self) -> Policy:
        """The board's policy, loaded when it started."""
        return self.loaded

    @property
    def clock(self) -> FixedClock:
        """A clock fixed at the session's instant."""
        return FixedClock(self.instant)

    def now(self) -> pendulum.DateTime:
        """The session's instant."""
        return self.instant

    def store(self, *, create: bool = False) -> ReadOnlyStore:
        """The board's store, read-only (*create* is ignored: the board creates nothing)."""
        del create
        return self.source.store()

    def desk(self, *, create: bool = False, executors: bool = False) -> Desk:
        """One desk for the session, on the read-only store, with executors that only record."""
        del create, executors
        if self._desk is None:
            self._desk = _PageDesk(
                self.policy, store=self.store(), executors=dry_run(), clock=self.clock
            )
        return self._desk

    @property
    def actor(self) -> str:
        """Refused: the board acts for no one.

        Raises:
            NotPermittedError: Always.
        """
        raise NotPermittedError(
            "the board only reads; act with the releasekit command",
            actor="the board",
            action="act",
            allowed=(),
        )

    @property
    def asking(self) -> str | None:
        """No one in particular: a board's viewers are not named."""
        return None

    def close(self) -> None:
        """Leave the board's store open for the next page."""


@attrs.define
class Documents:
    """Runs the command line's read-only commands for the board, and answers their documents.

    Args:
        source: The board's store.
        policy: The board's policy.
        policy_file: The policy file it was read from (``None``: the reference policy).
        db: The store's location, as ``--db`` gives it.
        environ: The environment variables the board was started with.
    """

    source: StoreSource
    policy: Policy
    policy_file: str | None
    db: str
    environ: Mapping[str, str]
    _parser: argparse.ArgumentParser = attrs.field(factory=build_parser, init=False)
    _parsing: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def session(self, instant: pendulum.DateTime) -> BoardSession:
        """Return a session answering at *instant*."""
        args = argparse.Namespace(db=self.db, policy=self.policy_file, json=True, debug=False)
        return BoardSession(
            args, self.environ, source=self.source, loaded=self.policy, instant=instant
        )

    def ask(
        self,
        session: BoardSession,
        name: str,
        options: Sequence[str] = (),
        **given: object,
    ) -> Answer:
        """Answer ``releasekit --json NAME OPTIONS`` with *given* as its arguments.

        Args:
            session: The session to answer in.
            name: The command's name, e.g. ``status`` or ``data list``.
            options: Options as typed, e.g. ``("--count=8",)``: the command's
                parser reads them, and refuses what it would refuse.
            **given: Its positional arguments, set as they are: ``release="2.4.0"``.
                Never parsed, so a value starting with ``-`` is a value.
        """
        placeholders = ["--", *(name.upper() for name in given)] if given else []
        try:
            with self._parsing:
                args = self._parser.parse_args([*name.split(), *options, *placeholders])
        except UsageError as usage:  # the command line's own usage error
            return Answer(data=_usage_json(usage.parser, usage.message), code=_USAGE, status=400)
        vars(args).update(given)
        try:
            reply = command(name)(session, args)
        except ReleaseKitError as error:
            exit_code = exit_code_for(error)
            document = error_json(error, exit_code)
            return Answer(data=document, code=int(exit_code), status=_status(error))
        except Exception as error:  # noqa: BLE001  # a bug: reported as the command reports one
            _log.exception("releasekit board: %s failed", name)
            return Answer(data=_internal_json(error), code=_INTERNAL, status=500)
        return Answer(data=reply.data, code=int(reply.code))


def _usage_json(parser: argparse.ArgumentParser, message: str) -> dict[str, object]:
    """The document of a usage error, as ``releasekit --json`` prints it."""
    return {
        "error": {
            "type": "UsageError",
            "message": message,
            "exit_code": _USAGE,
            "usage": parser.format_usage().strip(),
        }
    }


def _internal_json(error: Exception) -> dict[str, object]:
    """The document of a bug, as ``releasekit --json`` prints it."""
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return {
        "error": {
            "type": "InternalError",
            "message": f"unexpected error (this is a bug in releasekit): {what}",
            "exit_code": _INTERNAL,
            "exception": type(error).__name__,
        }
    }
