"""What releasekit's records cost on the path a tool takes, against the bare database work.

Prints, measured in one run, each ratio against its target:

(a) **the tool path on SQLite**: load a release at stage holding every piece of
    evidence production asks for (``Ledger.load``), ask the rules
    (``Engine.promote``), write the promotion durably (``Ledger.promote``) —
    against the bare work a careful hand-written tool does with the same
    tables and file settings (WAL, ``synchronous=FULL``): one read (the
    release row, its evidence and move rows, and ``json.loads`` of each), then
    one ``BEGIN IMMEDIATE`` transaction inserting the event and the move row
    and updating the release row under a revision check;
(a) also prints, without a target, **the rules alone**: ``Engine.promote`` of a
    release loaded beforehand, in memory, against the same bare tool path —
    what is left of the target for reading and writing once the rules answered;
(b) **``Desk.promote`` on SQLite**, dry-run executor: against one read and one
    durable transaction per event it records (the step started, the step
    finished with its move);
(c) the same two on **PostgreSQL**, against a bare tool that reads with one
    statement and writes each event with one statement (fsync on);
(d) loading a release whose every event added a piece of evidence: 10 of them
    against 1,000 (printed as it is: the release holds its evidence);
(e) memory after loading 10,000 releases one by one and dropping each:
    ``tracemalloc`` before and after, against the size of one loaded release.

Each time is the median of many runs after a warm-up; the two sides of a ratio
are measured alternately, taking turns at going first, so a noisy neighbour
slows both. Every run acts on a release of its own, at an instant of its own.

PostgreSQL: set ``RELEASEKIT_BENCH_POSTGRES_DSN`` to use a server of your own;
otherwise a throw-away server is started from the local binaries (with
``fsync`` on, as in production), the way the tests do.

Run it with ``nox -s benchmarks`` or ``python benchmarks/bench_store.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

import releasekit as rk
from releasekit import executors, stores
from releasekit._records.converter import dumps

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import pgserver  # the tests' throw-away server, found via the path above
from staged import START, staged_release  # the release every benchmark measures

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DSN_ENV = "RELEASEKIT_BENCH_POSTGRES_DSN"
#: Saturday 28 November 2026, 09:00 UTC: the production window opens; run i promotes at +i s.
WINDOW = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")
TARGET = 1.5


# ---------------------------------------------------------------------------
# The release that is promoted: at stage, with every piece of evidence
# ---------------------------------------------------------------------------


def instants(count: int) -> list[pendulum.DateTime]:
    """Return one instant per run, a second apart, in the production window (made untimed)."""
    return [WINDOW.add(seconds=i) for i in range(count)]


def seeded(store: stores.Store, staged: rk.Release, total: int, prefix: str) -> None:
    """Start releases ``<prefix>0`` … at stage in *store*, through releasekit."""
    ledger = stores.Ledger(store)
    for i in range(total):
        ledger.start(attrs.evolve(staged, id=f"{prefix}{i}"))


@attrs.frozen
class Written:
    """The values a bare tool writes for one step: computed beforehand, as its own logic would."""

    event: tuple[Any, ...]
    row: dict[str, Any]
    move: str | None


def what_is_written(staged: rk.Release) -> tuple[Written, Written, Written]:
    """Return what a promotion, a step's start and the step's end write, by doing them in memory."""
    move = rk.Engine(rk.reference_policy()).promote(staged, by="anton", now=WINDOW).moves[-1]
    promoting = stores.Ledger(stores.MemoryStore())
    promoting.promote(promoting.start(staged), move)
    stepping = stores.Ledger(stores.MemoryStore())
    started = stepping.begin_attempt(
        stepping.start(staged), capability="deploy", by="anton", at=WINDOW, target="production"
    )
    begun = _written(stepping.store, staged.id)
    assert started.attempt is not None
    stepping.finish_attempt(started, started.attempt.id, by="anton", at=WINDOW)
    return _written(promoting.store, staged.id), begun, _written(stepping.store, staged.id)


def _written(store: stores.Store, release_id: str) -> Written:
    """Return what the last event of a release wrote."""
    stored = store.read_release(release_id)
    assert stored is not None
    row, event = stored.row, store.events(release_id)[-1]
    added = [fact.body for fact in stored.moves if fact.seq == row.revision]
    return Written(
        event=(
            event.seq,
            event.at.isoformat(),
            event.actor,
            event.action.value,
            event.source,
            event.target,
            event.reason,
            dumps(event.data),
            event.previous,
            event.digest,
            event.state_digest,
        ),
        row={
            "state": row.state,
            "revision": row.revision,
            "head": row.head,
            "updated_at": row.updated_at,
            "attempt": row.attempt,
            "moves_digest": row.moves_digest,
        },
        move=added[0] if added else None,
    )


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


@attrs.frozen
class Sample:
    """Medians of two alternating measurements, and the target of their ratio."""

    name: str
    a: float
    b: float
    target: float | None = TARGET

    @property
    def ratio(self) -> float:
        """How many times *b* takes *a*."""
        return self.b / self.a

    def report(self, bare: str, releasekit: str) -> str:
        """Return the lines that show the sample."""
        verdict = ""
        if self.target is not None:
            met = "met" if self.ratio <= self.target else "NOT MET"
            verdict = f"   (target <= {self.target:.1f}x: {met})"
        return (
            f"{self.name}\n"
            f"    {bare:<58} {micro(self.a)}\n"
            f"    {releasekit:<58} {micro(self.b)}\n"
            f"    ratio {self.ratio:.2f}x{verdict}"
        )


def alternate(
    first: Callable[[int], object],
    second: Callable[[int], object],
    *,
    runs: int,
    warmup: int,
    before: Callable[[int], object] = lambda _: None,
) -> tuple[float, float]:
    """Time *first(i)* and *second(i)* alternately; return their medians in seconds.

    *before(i)* runs first, untimed. Which of the two runs first changes every
    time: on a virtual machine the code that runs right after a disk flush runs
    slower, and whichever side always came second would pay for the other's.
    """
    times_a: list[float] = []
    times_b: list[float] = []
    clock = time.perf_counter
    for i in range(warmup + runs):
        before(i)
        if i % 2:
            started = clock()
            second(i)
            middle = clock()
            first(i)
            ended = clock()
            took_a, took_b = ended - middle, middle - started
        else:
            started = clock()
            first(i)
            middle = clock()
            second(i)
            ended = clock()
            took_a, took_b = middle - started, ended - middle
        if i >= warmup:
            times_a.append(took_a)
            times_b.append(took_b)
    return statistics.median(times_a), statistics.median(times_b)


def micro(seconds: float) -> str:
    """Format *seconds* in microseconds."""
    return f"{seconds * 1e6:9.1f} µs"


# ---------------------------------------------------------------------------
# (a), (b) SQLite
# ---------------------------------------------------------------------------

_READ_ROW = "SELECT * FROM releases WHERE id = ?"
_READ_EVIDENCE = "SELECT body FROM release_evidence WHERE release = ? ORDER BY seq, n"
_READ_MOVES = "SELECT body FROM release_moves WHERE release = ? ORDER BY seq, n"
_INSERT_EVENT = (
    "INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data, "
    "previous, digest, state_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_MOVE = "INSERT INTO release_moves (release, seq, n, body) VALUES (?, ?, 0, ?)"
_UPDATE_ROW = (
    "UPDATE releases SET state = ?, revision = ?, head = ?, updated_at = ?, attempt = ?, "
    "moves_digest = ? WHERE id = ? AND revision = ?"
)


class BareSqlite:
    """The SQLite work of a careful hand-written tool, on releasekit's tables."""

    def __init__(self, path: Path, store: stores.SqliteStore) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for setting in ("journal_mode", "synchronous", "busy_timeout"):
            value = store._conn.execute(f"PRAGMA {setting}").fetchone()[0]  # noqa: SLF001
            self.conn.execute(f"PRAGMA {setting} = {value}").fetchall()
        assert self.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert self.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # noqa: PLR2004  # FULL

    def read(self, release_id: str) -> object:
        """One read: the release row, its evidence and moves, each parsed."""
        conn = self.conn
        conn.execute("BEGIN")
        row = conn.execute(_READ_ROW, (release_id,)).fetchone()
        evidence = [json.loads(body) for (body,) in conn.execute(_READ_EVIDENCE, (release_id,))]
        moves = [json.loads(body) for (body,) in conn.execute(_READ_MOVES, (release_id,))]
        conn.execute("COMMIT")
        return json.loads(row[10]), json.loads(row[12]), evidence, moves

    def write(self, release_id: str, written: Written) -> None:
        """One durable transaction: the event, its move row, the release row under its revision."""
        conn = self.conn
        row = written.row
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_INSERT_EVENT, (release_id, *written.event))
        if written.move is not None:
            conn.execute(_INSERT_MOVE, (release_id, row["revision"], written.move))
        changed = conn.execute(
            _UPDATE_ROW,
            (
                row["state"],
                row["revision"],
                row["head"],
                row["updated_at"],
                row["attempt"],
                row["moves_digest"],
                release_id,
                row["revision"] - 1,
            ),
        ).rowcount
        if changed != 1:
            conn.execute("ROLLBACK")
            raise AssertionError(release_id)
        conn.execute("COMMIT")


def sqlite_paths(directory: Path, *, runs: int, warmup: int) -> tuple[Sample, Sample, Sample]:
    """Measure (a), the rules alone, and (b)."""
    total = runs + warmup
    staged = staged_release("bench")
    promoted, started, finished = what_is_written(staged)
    for name in ("releasekit.db", "bare.db"):
        with stores.SqliteStore(directory / name) as store:
            seeded(store, staged, total, "t")
            seeded(store, staged, total, "d")
    with stores.SqliteStore(directory / "bare.db") as store:
        seeded(store, staged, total, "r")
    policy = rk.reference_policy()
    engine = rk.Engine(policy)
    nows = instants(total)
    with stores.SqliteStore(directory / "releasekit.db") as store:
        bare = BareSqlite(directory / "bare.db", store)
        ledger = stores.Ledger(store, policy=policy)
        clock = rk.FixedClock(WINDOW)
        desk = rk.Desk(policy, store=store, executors=executors.dry_run(), clock=clock)

        def tool(i: int) -> None:
            record = ledger.load(f"t{i}")
            moved = engine.promote(record.release, by="anton", now=nows[i])
            ledger.promote(record, moved.moves[-1])

        def bare_tool(i: int) -> None:
            bare.read(f"t{i}")
            bare.write(f"t{i}", promoted)

        def bare_again(i: int) -> None:  # the same, on releases of its own
            bare.read(f"r{i}")
            bare.write(f"r{i}", promoted)

        loaded = ledger.load("t0").release

        def rules(i: int) -> None:
            engine.promote(loaded, by="anton", now=nows[i])

        def desk_promotion(i: int) -> None:
            desk.promote(f"d{i}", by="anton", to="production")

        def bare_desk(i: int) -> None:
            bare.read(f"d{i}")
            bare.write(f"d{i}", started)
            bare.write(f"d{i}", finished)

        tool_path = alternate(bare_tool, tool, runs=runs, warmup=warmup)
        rules_alone = alternate(bare_again, rules, runs=runs, warmup=warmup)
        desk_path = alternate(
            bare_desk,
            desk_promotion,
            runs=runs,
            warmup=warmup,
            before=lambda i: clock.set(nows[i]),
        )
        bare.conn.close()
    return (
        Sample("(a) tool path on SQLite: load + Engine.promote + Ledger.promote", *tool_path),
        Sample("(a) the rules alone: Engine.promote in memory", *rules_alone, None),
        Sample("(b) Desk.promote on SQLite, dry-run executor", *desk_path),
    )


# ---------------------------------------------------------------------------
# (c) PostgreSQL
# ---------------------------------------------------------------------------

_PG_READ = (
    "SELECT r.*, ARRAY(SELECT body::text FROM releasekit_evidence WHERE release = r.id "
    "ORDER BY seq, n), ARRAY(SELECT body::text FROM releasekit_moves WHERE release = r.id "
    "ORDER BY seq, n) FROM releasekit_releases AS r WHERE r.id = %s"
)
_PG_WRITE = """
    WITH changed AS (
        UPDATE releasekit_releases SET state = %(state)s, revision = %(revision)s,
            head = %(head)s, updated_at = %(updated_at)s, attempt = %(attempt)s::json,
            moves_digest = %(moves_digest)s
        WHERE id = %(id)s AND revision = %(revision)s - 1
        RETURNING 1
    ), event AS (
        INSERT INTO releasekit_events (stream, seq, at, actor, action, source, target, reason,
            data, previous, digest, state_digest)
        SELECT %(id)s, %(seq)s, %(at)s, %(actor)s, %(action)s, %(source)s::text,
            %(target)s::text, %(reason)s, %(data)s::json, %(previous)s, %(digest)s,
            %(state_digest)s FROM changed
    ), moved AS (
        INSERT INTO releasekit_moves (release, seq, n, body)
        SELECT %(id)s, %(revision)s, 0, %(move)s::json FROM changed WHERE %(move)s::text IS NOT NULL
    )
    SELECT count(*) FROM changed
"""


@contextlib.contextmanager
def postgres_dsn() -> Iterator[tuple[str, str]]:
    """Yield a DSN for a fresh schema, and where it came from."""
    given = os.environ.get(DSN_ENV)
    if given:
        yield given, f"${DSN_ENV}"
        return
    with pgserver.running(durable=True) as server:
        yield server.schema_dsn("bench"), "a throw-away local server, fsync on"


def postgres_paths(dsn: str, *, runs: int, warmup: int) -> tuple[Sample, Sample]:
    """Measure (c)."""
    import psycopg  # noqa: PLC0415  # optional

    total = runs + warmup
    staged = staged_release("bench")
    promoted, started, finished = what_is_written(staged)
    policy = rk.reference_policy()
    engine = rk.Engine(policy)
    nows = instants(total)
    prefix = f"b{time.time_ns()}-"
    with stores.PostgresStore(dsn) as store, psycopg.connect(dsn, autocommit=True) as bare:
        for part in ("t", "d", "bt", "bd"):
            seeded(store, staged, total, f"{prefix}{part}")
        ledger = stores.Ledger(store, policy=policy)
        clock = rk.FixedClock(WINDOW)
        desk = rk.Desk(policy, store=store, executors=executors.dry_run(), clock=clock)

        def bare_read(release_id: str) -> object:
            found = bare.execute(_PG_READ, (release_id,)).fetchone()
            assert found is not None
            return [json.loads(body) for body in (*found[-2], *found[-1])]

        def bare_write(release_id: str, written: Written) -> None:
            keys = ("seq", "at", "actor", "action", "source", "target", "reason", "data")
            params = dict(zip(keys, written.event, strict=False))
            params.update(
                previous=written.event[8],
                digest=written.event[9],
                state_digest=written.event[10],
                id=release_id,
                move=written.move,
                **written.row,
            )
            changed = bare.execute(_PG_WRITE, params).fetchone()
            assert changed == (1,), release_id

        def tool(i: int) -> None:
            record = ledger.load(f"{prefix}t{i}")
            moved = engine.promote(record.release, by="anton", now=nows[i])
            ledger.promote(record, moved.moves[-1])

        def bare_tool(i: int) -> None:
            bare_read(f"{prefix}bt{i}")
            bare_write(f"{prefix}bt{i}", promoted)

        def desk_promotion(i: int) -> None:
            desk.promote(f"{prefix}d{i}", by="anton", to="production")

        def bare_desk(i: int) -> None:
            bare_read(f"{prefix}bd{i}")
            bare_write(f"{prefix}bd{i}", started)
            bare_write(f"{prefix}bd{i}", finished)

        tool_path = alternate(bare_tool, tool, runs=runs, warmup=warmup)
        desk_path = alternate(
            bare_desk,
            desk_promotion,
            runs=runs,
            warmup=warmup,
            before=lambda i: clock.set(nows[i]),
        )
    return (
        Sample("(c) tool path on PostgreSQL", *tool_path),
        Sample("(c) Desk.promote on PostgreSQL, dry-run executor", *desk_path),
    )


# ---------------------------------------------------------------------------
# (d) evidence that grows, (e) memory
# ---------------------------------------------------------------------------


def with_evidence(ledger: stores.Ledger, release_id: str, count: int) -> stores.Record:
    """Start a release and record *count* test runs on it, one event each."""
    release = rk.Engine(rk.reference_policy()).start(
        release_id=release_id, version="2.4.0", kind="normal", by="anton", now=START
    )
    record = ledger.start(release)
    for n in range(count):
        run = rk.TestRun(environment="tests", version="2.4.0", passed=n % 2 == 0, at=START, by="ci")
        record = ledger.add_evidence(record, run, by="ci", at=START)
    return record


def growing(directory: Path, *, runs: int, warmup: int) -> Sample:
    """Measure (d)."""
    with stores.SqliteStore(directory / "growing.db") as store:
        ledger = stores.Ledger(store)
        few, many = with_evidence(ledger, "few", 10), with_evidence(ledger, "many", 1000)
        assert (few, many) == (ledger.load("few"), ledger.load("many"))
        a, b = alternate(
            lambda _: ledger.load("few"), lambda _: ledger.load("many"), runs=runs, warmup=warmup
        )
    return Sample("(d) load a release holding 10 vs 1,000 pieces of evidence", a, b, None)


def memory(count: int) -> tuple[int, int]:
    """Measure (e): how much memory loading *count* releases left behind, and one release's size."""
    staged = staged_release("bench")
    store = stores.MemoryStore()
    seeded(store, staged, count, "m")
    ledger = stores.Ledger(store)
    ledger.load("m0")  # what the first load builds once (hooks, types) is no release's
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        held = ledger.load("m1")
        size = tracemalloc.get_traced_memory()[0] - before
        del held
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            ledger.load(f"m{i}")
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
        store.close()
    return left, size


def main() -> int:
    """Run every measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="timed runs per figure")
    parser.add_argument("--warmup", type=int, default=200, help="untimed runs first")
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    options = parser.parse_args()
    runs, warmup = options.runs, options.warmup

    print(
        f"releasekit {rk.__version__}, Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}; medians of {runs} runs after {warmup} warm-up runs\n"
    )
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as scratch:
        directory = Path(scratch)
        tool, rules, desk = sqlite_paths(directory, runs=runs, warmup=warmup)
        print(tool.report("bare: SELECT rows + json.loads, one durable transaction", "releasekit"))
        print(rules.report("bare tool path, as above", "Engine.promote alone"))
        print(desk.report("bare: one read, one durable transaction per event (2)", "releasekit"))
        print(growing(directory, runs=max(runs // 10, 50), warmup=10).report("10", "1,000"))
    left, size = memory(10_000)
    verdict = "met" if left <= 5 * size else "NOT MET"
    print(
        "(e) memory left after loading 10,000 releases one by one and dropping them\n"
        f"    {left / 1024:9.1f} KiB (one loaded release: {size / 1024:.1f} KiB)"
        f"   (target <= 5 releases: {verdict})"
    )
    if options.skip_postgres:
        print("(c) skipped (--skip-postgres)")
        return 0
    try:
        with postgres_dsn() as (dsn, origin):
            pg_tool, pg_desk = postgres_paths(dsn, runs=max(runs // 3, 100), warmup=warmup // 3)
    except FileNotFoundError as missing:
        print(f"(c) skipped: {missing}")
        return 0
    print(f"PostgreSQL: {origin}")
    print(pg_tool.report("bare: one SELECT + json.loads, one statement", "releasekit"))
    print(pg_desk.report("bare: one SELECT, one statement per event (2)", "releasekit"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
