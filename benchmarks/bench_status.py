"""What ``releasekit status`` costs as a store grows: the same page in a small and a large store.

Prints, measured in one run:

(a) ``releasekit --json status --limit 1000`` listing 1,000 active releases in a
    store of 100,000 releases, against the same command listing the same
    1,000 releases in a store holding only them. Listing reads the rows of
    the active releases (an index serves "which releases are still active?"),
    loads the 1,000 records and explains each of them at one instant: none of
    that should grow with the 99,000 finished releases beside them.

The 1,000 active releases are written through releasekit (``Ledger.start``),
in four states, from sandbox-anton to stage, so their explanations range from
"allowed" to "production is closed until Saturday". The large store is a copy
of the small one plus 99,000 finished releases: one release taken through the
whole flow to production by releasekit, then its rows — the release row, its
evidence and move rows and its history's events — copied under 98,999 new ids
with bulk SQL, in one transaction. The copies have the size and the indexes of
real releases but would not pass ``verify`` (every digest covers its release's
id); ``status`` never reads a finished release unless asked with ``--all``.

The command runs in this process (``releasekit._interfaces.cli.main``), its
output captured, so the figure is the command's work, not the interpreter's
start (``bench_cli.py`` measures that). Each figure is the median of several
runs after a warm-up run; the two stores are listed alternately, taking turns
at going first.

Run it with ``nox -s benchmarks`` or ``python benchmarks/bench_status.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

import releasekit as rk
from releasekit import stores
from releasekit._interfaces.cli import main as releasekit_main
from staged import EVERYONE, START, evidence_for, on_the_way  # the release benchmarks measure

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

TARGET = 1.5
#: The releases the large store holds, and how many of them are active (every 100th id).
TOTAL, ACTIVE = 100_000, 1_000
#: When the releases are listed: a Friday evening, production closed until Saturday 09:00.
NOW = "2026-11-27T18:00Z"


def release_id(number: int) -> str:
    """The id of release *number*: ``r000000`` … ``r099999``."""
    return f"r{number:06d}"


def active_ids() -> list[str]:
    """Every 100th id of the large store: the releases still in flight."""
    step = TOTAL // ACTIVE
    return [release_id(number) for number in range(step // 2, TOTAL, step)]


def small_store(path: Path) -> None:
    """Write the 1,000 active releases, through releasekit, in four states in turn."""
    shapes = on_the_way()
    with stores.SqliteStore(path) as store:
        ledger = stores.Ledger(store)
        for n, name in enumerate(active_ids()):
            ledger.start(attrs.evolve(shapes[n % len(shapes)], id=name))


def finished_release(store: stores.Store, name: str) -> None:
    """Take release *name* through the whole flow to production, through releasekit."""
    policy = rk.reference_policy()
    engine, ledger = rk.Engine(policy), stores.Ledger(store, policy=policy)
    at = START
    record = ledger.start(
        engine.start(release_id=name, version="2.4.0", kind="hotfix", by="anton", now=at)
    )
    for target in EVERYONE[1:]:
        at = at.add(minutes=10)
        record = ledger.add_evidence(record, *evidence_for(target, at), by="anton", at=at)
        at = at.add(minutes=10)
        moved = engine.promote(record.release, by="anton", now=at)
        record = ledger.promote(record, moved.moves[-1])
    assert record.finished_at is not None


def copy_rows(path: Path, seed: str, names: Sequence[str]) -> None:
    """Copy every row of release *seed* — release, evidence, moves, events — under *names*.

    Each table keyed by a release (its ``id``, ``release`` or ``stream``
    column) gets one copy of the seed's rows per name, in one transaction.
    """
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TEMP TABLE copies (id TEXT NOT NULL PRIMARY KEY)")
        conn.executemany("INSERT INTO copies (id) VALUES (?)", ((name,) for name in names))
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            key = next((name for name in ("id", "release", "stream") if name in columns), None)
            if key is None:
                continue
            others = [name for name in columns if name != key]
            conn.execute(
                f"INSERT INTO {table} ({key}, {', '.join(others)}) "  # noqa: S608  # its own names
                f"SELECT copies.id, {', '.join(f't.{name}' for name in others)} "
                f"FROM copies, {table} AS t WHERE t.{key} = ?",
                (seed,),
            )
        conn.execute("COMMIT")


def large_store(small: Path, path: Path) -> None:
    """Copy the small store and add 99,000 finished releases to it."""
    shutil.copyfile(small, path)
    active = set(active_ids())
    finished = [release_id(n) for n in range(TOTAL) if release_id(n) not in active]
    with stores.SqliteStore(path) as store:
        finished_release(store, finished[0])
    copy_rows(path, finished[0], finished[1:])
    with stores.SqliteStore(path) as store:
        everything = store.list_releases(active=False)
        assert (TOTAL, ACTIVE) == (len(everything), len(store.list_releases())), len(everything)


def listing(path: Path) -> Callable[[], str]:
    """Return a function running ``releasekit --json status --limit 1000`` on *path*."""
    argv = ["--db", str(path), "--json", "--now", NOW, "status", "--limit", str(ACTIVE)]

    def run() -> str:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = releasekit_main(argv, environ={})
        assert code == 0, printed.getvalue()
        return printed.getvalue()

    return run


def alternate(
    first: Callable[[], object], second: Callable[[], object], *, runs: int, warmup: int
) -> tuple[float, float]:
    """Time *first* and *second* alternately, taking turns at going first; return their medians."""
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(warmup + runs):
        order = ((0, first), (1, second)) if i % 2 == 0 else ((1, second), (0, first))
        for side, run in order:
            started = time.perf_counter()
            run()
            if i >= warmup:
                times[side].append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    """Build the two stores, run the measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--status-runs", type=int, default=11, help="timed listings per store")
    # nox passes its arguments to every benchmark: take the others' and leave them.
    parser.add_argument("--runs", type=int, help="ignored: the other benchmarks' runs")
    parser.add_argument("--warmup", type=int, help="ignored: the other benchmarks' warm-up")
    parser.add_argument("--starts", type=int, help="ignored: the command's starts")
    parser.add_argument("--warmup-starts", type=int, help="ignored: the command's warm-up starts")
    parser.add_argument("--skip-postgres", action="store_true", help="ignored: SQLite only")
    options = parser.parse_args()
    runs = max(options.status_runs, 1)

    print(
        f"releasekit {rk.__version__}, Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}; medians of {runs} listings after 1 warm-up listing"
    )
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as scratch:
        folder = Path(scratch)
        small, large = folder / "small.db", folder / "large.db"
        built = time.perf_counter()
        small_store(small)
        large_store(small, large)
        took = time.perf_counter() - built
        print(f"stores built in {took:.1f} s: {large.stat().st_size / 2**20:.0f} MiB for 100,000\n")
        few, many = listing(small), listing(large)
        shown_few, shown_many = json.loads(few()), json.loads(many())
        assert shown_few["releases"] == shown_many["releases"], "the two pages differ"
        assert ACTIVE == len(shown_few["releases"])
        a, b = alternate(few, many, runs=runs, warmup=1)

    ratio = b / a
    verdict = "met" if ratio <= TARGET else "NOT MET"
    print("(a) releasekit --json status --limit 1000: 1,000 active releases")
    print(f"    in a store of 1,000 releases                   {a * 1e3:8.1f} ms")
    print(f"    in a store of 100,000 releases                 {b * 1e3:8.1f} ms")
    print(f"    ratio {ratio:.2f}x   (target <= {TARGET:g}x: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
