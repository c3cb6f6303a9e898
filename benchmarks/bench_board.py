"""The board's overview of 1,000 active releases, against ``releasekit --json status`` on them.

Prints, measured in one run on one SQLite store holding 1,000 releases in flight
(a quarter each blocked in sandbox-anton, in tests, blocked in sandbox, and
waiting in stage for the production window, each with the evidence and moves
that took it there):

(a) ``releasekit --json status --limit 1000``, a whole process started and
    waited for: what a person or a bot runs to see every release in flight;
(b) the board's overview page (``GET /``), served by ``releasekit board`` in a
    process of its own and read whole over HTTP: what a browser waits for when
    the page is opened or updates itself — every release, where it stands, and
    each blocker with who clears it and when.

The ratio (b)/(a) is the figure the board is held to (target: at most 2x).
Both are asked at the same fixed instant (``--now``), and are started
alternately, taking turns at going first, so a noisy neighbour slows both.
For scale, the board's ``GET /api/status?limit=1000`` (the very document of (a))
is timed too.

Run it with ``nox -s benchmarks`` or ``python benchmarks/bench_board.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pendulum

import releasekit as rk
from releasekit import executors

if TYPE_CHECKING:
    from collections.abc import Callable

#: The target: how many times `releasekit --json status` the overview may take.
TARGET = 2.0
#: The most releases `status` and the overview list on one page.
_ONE_PAGE = 1000
#: Untimed rounds first.
_WARMUP = 2
#: When everything happens: a Friday afternoon, the production window closed.
NOW = pendulum.datetime(2026, 11, 27, 15, 0, tz="UTC")


def seed(db: Path, count: int) -> None:
    """Write *count* releases in flight, a quarter in each of four places on the flow."""
    clock = rk.FixedClock(NOW.subtract(days=2))
    store = rk.stores.SqliteStore(db)
    desk = rk.Desk(rk.reference_policy(), store=store, executors=executors.dry_run(), clock=clock)
    try:
        for index in range(count):
            place = index % 4
            new = ["chart"] if place == 0 else []
            release = desk.start(
                f"3.{index // 100}.{index % 100}",
                by="anton",
                artifact=rk.Artifact(functions=["quote", "chart"], new_functionality=new),
            )
            if place == 0:
                continue  # blocked: the new functionality has no tests
            desk.promote(release.id, by="anton")
            if place == 1:
                continue  # in tests, its tests not run yet
            now = clock.now()
            desk.add_evidence(
                release.id,
                rk.TestRun(
                    environment="tests",
                    version=release.release.version,
                    passed=True,
                    at=now,
                    by="ci",
                ),
            )
            desk.promote(release.id, by="anton")
            if place == 2:  # noqa: PLR2004  # the third place of four
                continue  # in sandbox: nobody signed off, logs not reviewed
            desk.add_evidence(
                release.id,
                rk.SignOff(by="maria", at=now, environment="sandbox"),
                rk.LogReview(
                    by="ivan",
                    at=now,
                    environments=desk.policy.environment_names,
                    verdict="clean",
                ),
            )
            desk.promote(release.id, by="anton")  # in stage, its evidence still owed
    finally:
        store.close()


def command() -> tuple[str, ...]:
    """The ``releasekit`` command of this interpreter: its console script, else ``-m``."""
    script = shutil.which("releasekit", path=str(Path(sys.executable).parent))
    return (script,) if script is not None else (sys.executable, "-m", "releasekit")


def timed_status(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Run `releasekit --json status` once; return how long it took, in seconds."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603, PLW1510  # our own command; checked before timing
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env
    )
    return time.perf_counter() - started


def fetch(port: int, path: str) -> tuple[int, bytes]:
    """GET *path* from the board on a new connection; return the status and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def timed_fetch(port: int, path: str) -> float:
    """GET *path* once, reading the whole page; return how long it took, in seconds."""
    started = time.perf_counter()
    fetch(port, path)
    return time.perf_counter() - started


def measure(
    port: int, status: Callable[[], float], rounds: int, releases: int
) -> tuple[list[float], list[float], list[float]]:
    """Time *status* and the overview in turn, then the board's status document, *rounds* times.

    Returns:
        The times of `status`, of the overview and of ``GET /api/status``, in seconds.
    """
    statuses: list[float] = []
    overviews: list[float] = []
    documents: list[float] = []
    for round_ in range(_WARMUP + rounds):
        if round_ % 2:  # the two take turns at going first
            took_status = status()
            took_overview = timed_fetch(port, "/")
        else:
            took_overview = timed_fetch(port, "/")
            took_status = status()
        took_document = timed_fetch(port, f"/api/status?limit={releases}")
        if round_ >= _WARMUP:
            statuses.append(took_status)
            overviews.append(took_overview)
            documents.append(took_document)
    return statuses, overviews, documents


def milli(seconds: float) -> str:
    """Format *seconds* in milliseconds."""
    return f"{seconds * 1e3:8.1f} ms"


def main() -> int:
    """Seed the store, serve the board, time both sides, and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=1000, help="releases in flight")
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds of each figure")
    # nox passes its arguments to every benchmark: the others' are left to them.
    options, _ = parser.parse_known_args()
    if not 1 <= options.releases <= _ONE_PAGE:
        parser.error(f"--releases: from 1 to {_ONE_PAGE}, as many as one page lists")
    releasekit = command()
    print(
        f"releasekit {rk.__version__}, Python {sys.version.split()[0]}; "
        f"{options.releases} releases in flight; medians of {options.rounds} rounds"
    )

    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as scratch:
        folder = Path(scratch)
        db = folder / "releases.db"
        started = time.perf_counter()
        seed(db, options.releases)
        print(f"seeded in {time.perf_counter() - started:.1f} s\n")
        env = {key: value for key, value in os.environ.items() if not key.startswith("RELEASEKIT_")}
        at = ["--db", str(db), "--now", NOW.isoformat()]
        status = [*releasekit, *at, "--json", "status", "--limit", str(options.releases)]
        listed = json.loads(
            subprocess.run(  # noqa: S603  # our own command
                status, capture_output=True, check=True, cwd=folder, env=env, text=True
            ).stdout
        )["releases"]
        assert options.releases == len(listed), len(listed)

        board = subprocess.Popen(  # noqa: S603  # our own command
            [*releasekit, *at, "board", "--port", "0"],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            cwd=folder,
            env=env,
            text=True,
        )
        try:
            assert board.stderr is not None
            port = int(re.findall(r"http://127\.0\.0\.1:(\d+)/", board.stderr.readline())[0])
            code, page = fetch(port, "/")
            assert (200, options.releases) == (code, page.count(b'class="release ')), code
            statuses, overviews, documents = measure(
                port, lambda: timed_status(status, env, folder), options.rounds, options.releases
            )
        finally:
            board.send_signal(signal.SIGINT)
            board.wait(timeout=60)

    a, b, c = (statistics.median(times) for times in (statuses, overviews, documents))
    ratio = b / a
    print(f"(a) releasekit --json status --limit {options.releases:<5}          {milli(a)}")
    print(f"(b) the board's overview, GET / ({len(page) // 1024} KiB)        {milli(b)}")
    print(f"    for scale: the board's GET /api/status?limit={options.releases:<5} {milli(c)}")
    verdict = "met" if ratio <= TARGET else "NOT MET"
    print(f"    ratio (b)/(a) {ratio:.2f}x   (target <= {TARGET:g}x: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
