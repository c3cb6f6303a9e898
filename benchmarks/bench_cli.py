"""What starting the ``releasekit`` command costs, against the bare imports it stands on.

Prints, measured in one run, each figure a whole process started and waited for:

(a) ``releasekit --help`` against ``python -c "import argparse"``: printing the
    help needs the standard library and the command's parser only;
(b) ``releasekit status`` on an empty SQLite store against ``python -c "import
    transitions, attrs, cattrs, pendulum"``, the bare import of releasekit's four
    dependencies: listing no releases needs attrs and the standard library only
    (the file is asked whether it holds a release without opening the store).

The command is the console script installed beside this interpreter (else
``python -m releasekit``), run in an empty folder with no ``RELEASEKIT_*``
variables, so it finds no policy file and reads the store it is given. Every
process keeps its compiled bytecode in a cache of the benchmark's own
(``PYTHONPYCACHEPREFIX``), written by the warm-up starts, as an installed
package has it, even where ``PYTHONDONTWRITEBYTECODE`` is set. Each
figure is the median of many starts after a few warm-up starts; the two sides
of a ratio are started alternately, taking turns at going first, so a noisy
neighbour slows both. For scale, the interpreter starting and doing nothing
(``python -c pass``) is printed too.

Run it with ``nox -s benchmarks`` or ``python benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

import releasekit as rk

#: The targets: how many times the bare start each command may take.
HELP_TARGET = 1.5
STATUS_TARGET = 1.3


@attrs.frozen
class Sample:
    """Medians of two alternating measurements, in seconds."""

    name: str
    a: float
    b: float

    @property
    def ratio(self) -> float:
        """How many times *b* takes *a*."""
        return self.b / self.a


@attrs.frozen
class Starter:
    """Starts one command line as a whole process, in one folder, with one environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]

    def run(self) -> subprocess.CompletedProcess[str]:
        """Start the command, wait for it, and return what it printed."""
        return subprocess.run(  # noqa: S603  # our own interpreter and command
            self.argv,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.cwd,
            env=self.env,
            timeout=120,
        )

    def time(self) -> float:
        """Start the command, wait for it, and return how long that took, in seconds."""
        started = time.perf_counter()
        # No timeout: waiting with one polls, and the polling would be timed too.
        subprocess.run(  # noqa: S603, PLW1510  # our own interpreter and command, checked by run()
            self.argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.cwd,
            env=self.env,
        )
        return time.perf_counter() - started


def alternate(first: Starter, second: Starter, *, starts: int, warmup: int) -> tuple[float, float]:
    """Start *first* and *second* alternately; return their medians in seconds.

    Which of the two starts first changes every time, so neither always pays
    for what the other left behind.
    """
    times_a: list[float] = []
    times_b: list[float] = []
    for i in range(warmup + starts):
        if i % 2:
            took_b = second.time()
            took_a = first.time()
        else:
            took_a = first.time()
            took_b = second.time()
        if i >= warmup:
            times_a.append(took_a)
            times_b.append(took_b)
    return statistics.median(times_a), statistics.median(times_b)


def milli(seconds: float) -> str:
    """Format *seconds* in milliseconds."""
    return f"{seconds * 1e3:7.1f} ms"


def command() -> tuple[str, ...]:
    """The ``releasekit`` command of this interpreter: its console script, else ``-m``."""
    folder = Path(sys.executable).parent
    script = shutil.which("releasekit", path=str(folder))
    return (script,) if script is not None else (sys.executable, "-m", "releasekit")


def met(ratio: float, target: float) -> str:
    """Say whether *ratio* meets *target*."""
    return "met" if ratio <= target else "NOT MET"


# ---------------------------------------------------------------------------


def main() -> int:
    """Run every measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=40, help="timed starts per figure")
    parser.add_argument("--warmup-starts", type=int, default=4, help="untimed starts first")
    # nox passes its arguments to every benchmark: take the others' and leave them.
    parser.add_argument("--runs", type=int, help="ignored: the in-process benchmarks' runs")
    parser.add_argument("--warmup", type=int, help="ignored: the in-process benchmarks' warm-up")
    parser.add_argument("--skip-postgres", action="store_true", help="ignored: no database here")
    options = parser.parse_args()
    starts, warmup = options.starts, max(options.warmup_starts, 1)

    releasekit = command()
    python = sys.executable
    print(
        f"releasekit {rk.__version__}, Python {sys.version.split()[0]}; "
        f"medians of {starts} starts after {warmup} warm-up starts"
    )
    print(f"the command: {' '.join(releasekit)}\n")

    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as scratch:
        folder = Path(scratch)
        env = {
            **{
                key: value for key, value in os.environ.items() if not key.startswith("RELEASEKIT_")
            },
            "PYTHONPYCACHEPREFIX": str(folder / "bytecode"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        db = folder / "empty.db"
        rk.stores.SqliteStore(db).close()

        def start(*argv: str) -> Starter:
            return Starter(argv=argv, cwd=folder, env=env)

        helped = start(*releasekit, "--help")
        listed = start(*releasekit, "--db", str(db), "--json", "status")
        shown, empty = helped.run(), listed.run()
        assert (0, 0) == (shown.returncode, empty.returncode), shown.stderr + empty.stderr
        assert shown.stdout.startswith("usage: releasekit"), shown.stdout
        assert [] == json.loads(empty.stdout)["releases"], empty.stdout

        nothing = start(python, "-c", "pass")
        bare_argparse = start(python, "-c", "import argparse")
        bare_four = start(python, "-c", "import transitions, attrs, cattrs, pendulum")
        helping = Sample(
            "releasekit --help", *alternate(bare_argparse, helped, starts=starts, warmup=warmup)
        )
        listing = Sample(
            "releasekit status, empty store",
            *alternate(bare_four, listed, starts=starts, warmup=warmup),
        )
        idle, _ = alternate(nothing, bare_argparse, starts=max(starts // 2, 5), warmup=warmup)

    print(f"for scale: python -c pass {milli(idle)}\n")
    print(f"(a) {helping.name}")
    print(f'    python -c "import argparse"                        {milli(helping.a)}')
    print(f"    releasekit --help                                  {milli(helping.b)}")
    print(
        f"    ratio {helping.ratio:.2f}x   "
        f"(target <= {HELP_TARGET:g}x: {met(helping.ratio, HELP_TARGET)})\n"
    )
    print(f"(b) {listing.name}")
    print(f'    python -c "import transitions, attrs, cattrs, pendulum" {milli(listing.a)}')
    print(f"    releasekit --db empty.db --json status                {milli(listing.b)}")
    print(
        f"    ratio {listing.ratio:.2f}x   "
        f"(target <= {STATUS_TARGET:g}x: {met(listing.ratio, STATUS_TARGET)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
