"""``releasekit board``: serve the release board until Ctrl-C.

The board listens on ``--host``/``--port`` (this machine's port 8000 unless
told), reads the store and the policy every command reads, and says where it
is on standard error. Served by uvicorn; the ``board`` extra must be installed.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from typing import TYPE_CHECKING

from releasekit._interfaces._cli_session import Reply
from releasekit._interfaces._cli_text import escape
from releasekit.exceptions import InvalidInputError, ReleaseKitError

if TYPE_CHECKING:
    import argparse

    from releasekit._interfaces._cli_session import Session

__all__ = ["EXTRA", "serve"]

#: What the board needs beyond releasekit: the ``board`` extra.
EXTRA = ("starlette", "uvicorn", "jinja2")
#: How long open pages may keep the board from stopping, in seconds.
_GRACE = 3


def _check_extra() -> None:
    """Refuse to start without the ``board`` extra, naming what is missing.

    Raises:
        ReleaseKitError: A package of the extra is not installed.
    """
    missing = [name for name in EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        msg = (
            f"the release board needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            "pip install 'releasekit[board]'"
        )
        raise ReleaseKitError(msg)


def _listen(host: str, port: int) -> socket.socket:
    """Return a socket listening on *host* and *port*.

    Raises:
        InvalidInputError: The address cannot be listened on (in use, unknown, not ours).
    """
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listening = socket.socket(family, kind, protocol)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidInputError(
            f"cannot listen on {host!r}: {reason}; give --host an address of this machine",
            field="host",
            value=host,
        ) from None
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen(128)
    except OSError as error:
        listening.close()
        raise InvalidInputError(
            f"cannot listen on {host} port {port}: {error.strerror}; choose another --port",
            field="port",
            value=port,
        ) from None
    return listening


def _url(listening: socket.socket, root: str) -> str:
    host, port = listening.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{root}/"


def serve(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit board [--host H] [--port N] [--root-path PREFIX]``: serve until Ctrl-C."""
    _check_extra()
    import uvicorn  # noqa: PLC0415  # the board extra, only for this command

    from releasekit._interfaces.board._create import create_app  # noqa: PLC0415  # on use

    now = getattr(args, "now", None)
    app = create_app(
        db=session.db,
        policy=session.policy_file,
        clock=session.clock if now is not None else None,
        environ=session.environ,
    )
    listening = _listen(args.host, args.port)
    url = _url(listening, args.root_path)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        root_path=args.root_path,
        timeout_graceful_shutdown=_GRACE,
        lifespan="on",
    )
    sys.stderr.write(escape(f"releasekit board: {url} reads {session.db} (Ctrl-C stops it)") + "\n")
    sys.stderr.flush()
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except KeyboardInterrupt:  # Ctrl-C, once the board stopped: the way to stop it
        pass
    finally:
        listening.close()
    return Reply(
        data={"url": url, "db": session.db, "stopped": True},
        text=escape(f"stopped the board at {url}"),
    )
