"""The options of ``releasekit board``; the standard library only, as the command's parser is.

The store and the policy come from the options every command takes (``--db``,
``--policy``), and ``--now`` shows the board as at one instant. The board
itself lives in :mod:`releasekit._interfaces.board`, imported only when it runs.
"""

from __future__ import annotations

import argparse

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "add_arguments", "host", "port", "root_path"]

#: Where the board listens unless told: this machine only.
DEFAULT_HOST = "127.0.0.1"
#: The TCP port it listens on unless told.
DEFAULT_PORT = 8000
_HIGHEST_PORT = 65535


def host(text: str) -> str:
    """Read the address to listen on: a name or an IP address, never empty.

    Raises:
        argparse.ArgumentTypeError: It is empty, or holds a space or a control character.
    """
    given = text.strip()
    if not given or not given.isprintable() or any(c.isspace() for c in given):
        msg = f"{text[:40]!r} is no address; give one such as 127.0.0.1, ::1 or 0.0.0.0"
        raise argparse.ArgumentTypeError(msg)
    return given


def port(text: str) -> int:
    """Read a TCP port: a whole number from 0 (any free port) to 65535.

    Raises:
        argparse.ArgumentTypeError: It is not one.
    """
    given = text.strip()
    if not given.isdigit() or not given.isascii() or int(given) > _HIGHEST_PORT:
        msg = f"{text[:20]!r} is not a TCP port; give a whole number from 0 to {_HIGHEST_PORT}"
        raise argparse.ArgumentTypeError(msg)
    return int(given)


def root_path(text: str) -> str:
    """Read the prefix the board is served under, such as ``/releases``; ``""`` for none.

    Raises:
        argparse.ArgumentTypeError: It does not start with ``/``, or holds a
            character no URL path holds.
    """
    given = text.strip().rstrip("/")
    if given and (
        not given.startswith("/") or any(c in given for c in "?#\\") or not given.isprintable()
    ):
        msg = f"{text[:40]!r} is no path prefix; write one such as /releases"
        raise argparse.ArgumentTypeError(msg)
    return given


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``releasekit board`` to its parser."""
    parser.add_argument(
        "--host",
        type=host,
        default=DEFAULT_HOST,
        help=f"the address to listen on (default: {DEFAULT_HOST}, this machine only; "
        "0.0.0.0 for every address)",
    )
    parser.add_argument(
        "--port",
        type=port,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"the TCP port (default: {DEFAULT_PORT}; 0: any free port)",
    )
    parser.add_argument(
        "--root-path",
        type=root_path,
        default="",
        metavar="PREFIX",
        help="the path a reverse proxy serves the board under, e.g. /releases, when the proxy "
        "strips it before passing requests on",
    )
