"""Building the board: its store, policy and clock resolved as the command line resolves them."""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import TYPE_CHECKING

from releasekit._interfaces._cli_session import Session
from releasekit._interfaces.board._app import Board, build
from releasekit._interfaces.board._documents import Documents
from releasekit._interfaces.board._store import StoreSource
from releasekit._interfaces.board._watch import Watcher
from releasekit._rules.clock import SystemClock
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.applications import Starlette

    from releasekit._rules.clock import Clock

__all__ = ["create_app"]


def _positive(value: float, name: str) -> float:
    if not value > 0:
        raise InvalidInputError(
            f"{name} must be a positive number of seconds, got {value!r}", field=name, value=value
        )
    return value


def create_app(
    *,
    db: str | os.PathLike[str] | None = None,
    policy: str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
    environ: Mapping[str, str] | None = None,
    poll_interval: float = 2.0,
    stream_seconds: float = 60.0,
) -> Starlette:
    """Return the release board as an ASGI application, reading the store the command reads.

    The store and the policy are found as every ``releasekit`` command finds
    them: *db*, else ``$RELEASEKIT_DB``, else ``./releasekit.db``; *policy*,
    else ``$RELEASEKIT_POLICY``, else ``./releasekit.toml`` if there is one,
    else the reference policy. The policy is read and the store opened now, so
    a mistake in either is reported here rather than on the first page. The
    board never writes to the store: every write is refused before it reaches
    it, a SQLite file that does not exist yet reads as empty until a command
    creates it, and one that would have to be migrated is refused.

    Mount it in a service of your own, under any prefix, serve it with
    ``releasekit board``, or with ``uvicorn --factory releasekit.board:create_app``
    (which reads ``$RELEASEKIT_DB`` and ``$RELEASEKIT_POLICY``).

    Example:
        >>> service = Starlette(  # doctest: +SKIP
        ...     routes=[Mount("/releases", app=create_app(db="releases.db"))]
        ... )

    Args:
        db: The store: a SQLite file or a ``postgresql://`` URL.
        policy: The policy file.
        clock: Where "now" comes from: the system clock by default; a
            :class:`~releasekit.FixedClock` shows the board as at one instant.
        environ: The environment variables to read; ``os.environ`` by default.
        poll_interval: How often an open page's change stream looks at the
            store, in seconds.
        stream_seconds: How long one change stream lasts before the page
            reconnects, in seconds.

    Raises:
        InvalidInputError: An option is empty or holds NUL, or an interval is not positive.
        PolicyFileError: The policy file has problems.
        StoreError: The store cannot be opened, or would have to be migrated.
    """
    _positive(poll_interval, "poll_interval")
    _positive(stream_seconds, "stream_seconds")
    variables: Mapping[str, str] = os.environ if environ is None else environ
    given = argparse.Namespace(
        db=None if db is None else os.fspath(db),
        policy=None if policy is None else os.fspath(policy),
    )
    resolving = Session(given, variables)
    location = resolving.db
    policy_file = resolving.policy_file
    loaded = resolving.policy
    source = StoreSource(location)
    source.store()  # open it now: a store that cannot be read is said at once
    board = Board(
        documents=Documents(
            source=source,
            policy=loaded,
            policy_file=policy_file,
            db=location,
            environ=variables,
        ),
        source=source,
        clock=clock or SystemClock(),
        watcher=Watcher(source, poll_interval),
        stream_seconds=stream_seconds,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            source.close()

    return build(board, lifespan=lifespan)
