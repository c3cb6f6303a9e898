"""The real browser the board's tests read it in: the system's Chromium, driven by Playwright.

Playwright's own browser download needs the network; the tests drive the
Chromium the machine's packages installed instead (``apt-get install
chromium``), found as ``$RELEASEKIT_CHROMIUM`` if set, else ``chromium`` or
``chromium-browser`` on the ``PATH``. It runs headless, without a sandbox (the
tests may run as root), and with every background connection of its own turned
off: the board loads nothing from outside the machine, and neither does the browser.

One Chromium runs for the whole test session (:func:`start_chromium`), and each
module of browser tests connects Playwright to it over the DevTools protocol
for as long as it runs: Playwright's synchronous API marks an event loop as
running in its thread while it is open, which would refuse ``asyncio.run`` to
every other test of the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import uvicorn

if TYPE_CHECKING:
    import socket

    from starlette.types import ASGIApp

__all__ = ["ARGS", "CHROMIUM_ENV", "Chromium", "Served", "find_chromium", "serve", "start_chromium"]

#: Set to the Chromium executable to drive.
CHROMIUM_ENV = "RELEASEKIT_CHROMIUM"

#: How Chromium is started.
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> Path | None:
    """Return the Chromium executable to drive, or ``None`` if there is none."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return Path(given) if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


@attrs.define
class Chromium:
    """A headless Chromium running for the session, listening for DevTools connections.

    Attributes:
        endpoint: Where Playwright connects to it (``http://127.0.0.1:PORT``).
    """

    endpoint: str
    _process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the browser and wait for it to end."""
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover  # a browser that will not end
            self._process.kill()
            self._process.wait()


def start_chromium(executable: Path, profile: Path) -> Chromium:
    """Start *executable* headless with its profile in *profile*; return it once it listens.

    Raises:
        RuntimeError: It ended, or did not listen within 60 seconds.
    """
    process = subprocess.Popen(  # noqa: S603  # the machine's Chromium, our arguments
        [str(executable), *ARGS, "--remote-debugging-port=0", f"--user-data-dir={profile}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    written = profile / "DevToolsActivePort"  # the port it listens on, first line
    deadline = time.monotonic() + 60
    while not (written.exists() and written.read_text(encoding="utf-8").strip()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            msg = f"{executable} did not start (exit code {process.returncode})"
            raise RuntimeError(msg)
        time.sleep(0.02)
    port = written.read_text(encoding="utf-8").split()[0]
    return Chromium(endpoint=f"http://127.0.0.1:{port}", process=process)


@attrs.define
class Served:
    """An application served by uvicorn in a thread of the test process, on a free port.

    Attributes:
        url: Where it is served, without a trailing slash.
    """

    url: str
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=30)


def serve(app: ASGIApp, listening: socket.socket) -> Served:
    """Serve *app* on the *listening* socket until :meth:`Served.stop`."""
    import uvicorn  # noqa: PLC0415  # the board extra, for the tests that serve it

    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            msg = "the board's server did not start"
            raise RuntimeError(msg)
        time.sleep(0.02)
    host, port = listening.getsockname()[:2]
    return Served(url=f"http://{host}:{port}", server=server, thread=thread)
