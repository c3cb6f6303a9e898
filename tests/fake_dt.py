"""A fake `dt` for the executor tests: a real executable, run as a real subprocess.

:func:`write_fake_dt` writes a Python script with a ``#!`` line pointing at the
running interpreter. What it does is steered by environment variables, so its
arguments stay exactly what the executor built:

- ``FAKE_DT_ARGV``: a file; each call appends its arguments as one JSON line.
- ``FAKE_DT_STDERR``: text to print on standard error.
- ``FAKE_DT_SHOW``: comma-separated variable names to print as ``NAME=value``
  (``cwd`` prints the working directory, ``pid`` its own process id).
- ``FAKE_DT_LINES``: how many numbered lines to print (default 1).
- ``FAKE_DT_BYTES``: print about this many bytes, in 100-byte lines.
- ``FAKE_DT_WAIT_FOR``: print ``waiting``, then wait until this file exists
  (at most 30 s), then print ``continued``.
- ``FAKE_DT_CHILD_PID``: start a child that sleeps, write its pid here.
- ``FAKE_DT_IGNORE_TERM``: ignore ``SIGTERM``.
- ``FAKE_DT_HANG``: sleep for a minute (for timeouts).
- ``FAKE_DT_SIGNAL``: kill itself with this signal number.
- ``FAKE_DT_LONG``: print one line of this many characters, without a final
  newline.
- ``FAKE_DT_EXIT``: exit with this code (default 0), after printing
  ``FAKE_DT_LAST`` as its last line if set.
"""

from __future__ import annotations

import stat
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

SCRIPT = """\
import json
import os
import signal
import subprocess
import sys
import time

env = os.environ.get
if env("FAKE_DT_ARGV"):
    with open(env("FAKE_DT_ARGV"), "a", encoding="utf-8") as record:
        record.write(json.dumps(sys.argv[1:]) + "\\n")
if env("FAKE_DT_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
for name in filter(None, env("FAKE_DT_SHOW", "").split(",")):
    value = {"cwd": os.getcwd, "pid": os.getpid}.get(name, lambda: env(name))()
    print(f"{name}={value}", flush=True)
if env("FAKE_DT_STDERR"):
    print(env("FAKE_DT_STDERR"), file=sys.stderr, flush=True)
for number in range(int(env("FAKE_DT_LINES", "1"))):
    print(f"dt line {number + 1}:", *sys.argv[1:], flush=True)
if env("FAKE_DT_BYTES"):
    line = "x" * 99 + "\\n"
    block = line * 10_000
    remaining = int(env("FAKE_DT_BYTES"))
    while remaining > 0:
        chunk = block[:remaining]
        sys.stdout.write(chunk)
        remaining -= len(chunk)
    sys.stdout.write("the last line\\n")
    sys.stdout.flush()
if env("FAKE_DT_WAIT_FOR"):
    print("waiting", flush=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(env("FAKE_DT_WAIT_FOR")) and time.monotonic() < deadline:
        time.sleep(0.01)
    print("continued", flush=True)
if env("FAKE_DT_CHILD_PID"):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(env("FAKE_DT_CHILD_PID"), "w", encoding="utf-8") as pid_file:
        pid_file.write(str(child.pid))
if env("FAKE_DT_HANG"):
    time.sleep(60)
if env("FAKE_DT_SIGNAL"):
    os.kill(os.getpid(), int(env("FAKE_DT_SIGNAL")))
    time.sleep(5)
if env("FAKE_DT_LONG"):
    sys.stdout.write("y" * int(env("FAKE_DT_LONG")))
    sys.stdout.flush()
if env("FAKE_DT_LAST"):
    print(env("FAKE_DT_LAST"), flush=True)
sys.exit(int(env("FAKE_DT_EXIT", "0")))
"""


def write_fake_dt(directory: Path, name: str = "dt") -> Path:
    """Write the fake program as *directory*/*name*, executable, and return its path."""
    path = directory / name
    path.write_text(f"#!{sys.executable} -IS\n{SCRIPT}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
