"""Run one program as a child process: no shell, a deadline, bounded output.

The program gets its own session (and so its own process group), so a timeout
stops everything it started: ``SIGTERM`` to the group, then ``SIGKILL`` after a
grace period. Standard output and error are merged and read line by line in a
background thread; each line goes to the progress callback as it arrives, and
the captured text keeps only its head and its tail, so memory stays bounded
whatever the program prints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["Capture", "Finished", "report_child", "run", "tell"]

_log = logging.getLogger("releasekit.executors")

#: How many bytes are read at once; a line longer than this arrives in pieces.
CHUNK = 64 * 1024


class Capture:
    r"""Keeps the head and the tail of a stream of bytes, and counts what it drops.

    Example:
        >>> capture = Capture(limit=8)
        >>> for piece in (b"aaaa", b"bbbb", b"cccc", b"dddd"):
        ...     capture.add(piece)
        >>> capture.text()
        'aaaa\n[… 8 bytes omitted …]\ndddd'
    """

    def __init__(self, limit: int) -> None:
        self._head_limit = limit // 2
        self._tail_limit = limit - self._head_limit
        self._head: list[bytes] = []
        self._head_size = 0
        self._head_open = True
        self._tail: deque[bytes] = deque()
        self._tail_size = 0
        self._lock = threading.Lock()
        self._closed = False
        self.omitted = 0

    def add(self, piece: bytes) -> None:
        """Keep *piece* in the head while it has room, then in the tail, dropping the oldest."""
        with self._lock:
            if self._closed:
                self.omitted += len(piece)
                return
            if self._head_open:
                room = self._head_limit - self._head_size
                if len(piece) <= room:
                    self._head.append(piece)
                    self._head_size += len(piece)
                    return
                # Fill the head up to its last whole line (or, for one long line, to the brim).
                cut = piece.rfind(b"\n", 0, room) + 1 or (room if not self._head else 0)
                self._head.append(piece[:cut])
                self._head_size += cut
                piece = piece[cut:]
                self._head_open = False
            self._tail.append(piece)
            self._tail_size += len(piece)
            while self._tail_size > self._tail_limit:
                oldest = self._tail[0]
                excess = self._tail_size - self._tail_limit
                if len(oldest) <= excess:
                    self._tail.popleft()
                    self._tail_size -= len(oldest)
                    self.omitted += len(oldest)
                else:
                    self._tail[0] = oldest[excess:]
                    self._tail_size -= excess
                    self.omitted += excess

    def close(self) -> None:
        """Count, but no longer keep, anything added from now on."""
        with self._lock:
            self._closed = True

    def parts(self) -> tuple[str, str]:
        """Return the head and the tail kept, decoded as UTF-8."""
        with self._lock:
            return (
                b"".join(self._head).decode("utf-8", errors="replace"),
                b"".join(self._tail).decode("utf-8", errors="replace"),
            )

    def text(self) -> str:
        """Return what was kept, decoded as UTF-8, with a marker where bytes were dropped."""
        head, tail = self.parts()
        omitted = self.omitted
        if not omitted:
            return head + tail
        if head and not head.endswith("\n"):
            head += "\n"
        return f"{head}[… {omitted} bytes omitted …]\n{tail}"


@attrs.frozen(kw_only=True)
class Finished:
    """How a child process ended.

    Attributes:
        returncode: Its exit status; negative if a signal killed it.
        timed_out: It was stopped because the deadline passed.
        output: Its merged output, capped.
        complete: Whether :attr:`output` holds everything it printed.
        kept_lines: The non-blank lines kept in :attr:`output`, without the
            omission marker or line endings.
        last_line: The last non-blank line it printed, stripped.
        lines: How many non-blank lines it printed in all.
        duration: How long it ran.
    """

    returncode: int
    timed_out: bool
    output: str
    complete: bool
    kept_lines: tuple[str, ...]
    last_line: str
    lines: int
    duration: dt.timedelta


@attrs.define
class _Pump:
    """Reads a child's output until it closes, feeding the capture and the callback."""

    capture: Capture
    progress: Callable[[str], None] | None
    lines: int = 0
    last: bytes = b""

    def __call__(self, stream: IO[bytes]) -> None:
        """Read *stream* to its end, then close it (the pump owns it)."""
        with stream:
            pending = b""
            while block := os.read(stream.fileno(), CHUNK):
                self.capture.add(block)
                lines = (pending + block).split(b"\n")
                pending = lines.pop()
                if len(pending) >= CHUNK:  # a very long line arrives in pieces
                    lines.append(pending)
                    pending = b""
                self._take(lines)
            if pending:
                self._take([pending])

    def _take(self, lines: list[bytes]) -> None:
        """Count the non-blank *lines*, remember the last, and pass them on."""
        kept = [line for line in lines if line.strip()]
        if not kept:
            return
        self.lines += len(kept)
        self.last = kept[-1]
        for line in kept:
            if self.progress is None:
                return
            if not tell(self.progress, line.rstrip(b"\r").decode("utf-8", errors="replace")):
                self.progress = None


def tell(progress: Callable[[str], None], line: str) -> bool:
    """Pass *line* to *progress*; log and return ``False`` if the callback fails.

    A failing callback is the caller's bug, but it must not lose the outcome of
    a step that ran: it is logged at ERROR and should not be called again.
    """
    try:
        progress(line)
    except Exception:  # noqa: BLE001  # the caller's callback may raise anything; the run goes on
        _log.exception("the progress callback failed; no more lines will be passed to it")
        return False
    return True


def report_child(child_started: Callable[[int], None], pid: int) -> None:
    """Pass the pid of a program just started to *child_started*; log if the callback fails.

    The program runs either way: a failing callback must not lose its outcome.
    """
    try:
        child_started(pid)
    except Exception:  # noqa: BLE001  # the caller's callback may raise anything; the run goes on
        _log.exception("the child_started callback failed for process %d; it runs on", pid)


def _signal_group(process: subprocess.Popen[bytes], number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    """Ask the process group to stop, then force it after *grace* seconds."""
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    grace: float,
    limit: int,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
    child_started: Callable[[int], None] | None = None,
) -> Finished:
    """Run *argv* (never through a shell) and wait for it, at most *timeout* seconds.

    Args:
        argv: The program and its arguments, each passed as one argument.
        timeout: Seconds before the process group is stopped.
        grace: Seconds between ``SIGTERM`` and ``SIGKILL``, and how long to
            wait for output after the process ended.
        limit: Bytes of output to keep (head and tail).
        env: The complete environment of the child; ``None`` inherits ours.
        cwd: The working directory of the child.
        progress: Receives each non-blank line, in a background thread.
        child_started: Receives the program's pid once it started, in this
            thread, before the deadline starts to count.

    Raises:
        OSError: The program could not be started (missing, not executable,
            *cwd* missing).
    """
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603  # an argument list, never a shell
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=None if env is None else dict(env),
        cwd=cwd,
        shell=False,
        start_new_session=True,
    )
    assert process.stdout is not None  # noqa: S101  # stdout=PIPE was asked for
    capture = Capture(limit)
    pump = _Pump(capture=capture, progress=progress)
    reader = threading.Thread(
        target=pump, args=(process.stdout,), name=f"releasekit-output-{process.pid}", daemon=True
    )
    reader.start()
    if child_started is not None:
        report_child(child_started, process.pid)
    timed_out = False
    try:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(process, grace)
        # The process ended; something it started may still hold its output open.
        reader.join(grace)
    finally:
        if process.returncode is None:  # interrupted while waiting, e.g. by Ctrl-C
            _stop(process, grace)
    if reader.is_alive():  # it closes the stream when the last holder lets go
        capture.close()
        _log.warning(
            "%s ended but its output is still open (a process it started holds it); "
            "stopped reading it",
            argv[0],
        )
    return Finished(
        returncode=process.returncode,
        timed_out=timed_out,
        output=capture.text(),
        complete=capture.omitted == 0 and not reader.is_alive(),
        kept_lines=tuple(
            stripped
            for part in capture.parts()
            for line in part.split("\n")
            if (stripped := line.rstrip("\r")).strip()
        ),
        last_line=pump.last.decode("utf-8", errors="replace").strip(),
        lines=pump.lines,
        duration=dt.timedelta(seconds=time.monotonic() - started),
    )
