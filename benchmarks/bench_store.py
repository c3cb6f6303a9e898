"""What releasekit's history costs, against the bare database work it needs.

Prints, measured in one run:

(a) a durable promotion through releasekit (``Ledger.promote`` on a
    ``SqliteStore``: one event appended, the release's state replaced, in one
    transaction, WAL, ``synchronous=FULL``) against the bare SQLite transaction
    it needs — the same event row inserted and the same state row updated
    under a revision check, same file settings, same bytes, written the way a
    hand-written transaction writes them (``BEGIN IMMEDIATE``, ``INSERT``,
    ``UPDATE``, ``COMMIT``). releasekit sends the two writes as one statement
    (a trigger on a view checks the revision and does both), as its
    PostgreSQL store does with one statement of its own.
    The release is loaded just before each promotion, untimed, as every tool
    does; each promotion gets a move of its own, as the engine makes one. Also
    printed: the same promotion of a release this process has just written
    (whose unchanged parts it need not write as text again), and both on a
    ``MemoryStore``, which is releasekit's Python work alone;
(b) loading a release whose history holds 10 events against one whose
    history holds 10,000;
(c) the promotion of (a) on PostgreSQL (``PostgresStore``) against a bare
    psycopg transaction doing the same insert and version-checked update.

Each figure is the median of many runs after a warm-up; the two sides of a
ratio are measured alternately, taking turns at going first, so a noisy
neighbour slows both. The engine's decision (``Engine.promote``) is not
timed: it is the rules, not the history.

PostgreSQL: set ``RELEASEKIT_BENCH_POSTGRES_DSN`` to use a server of your own;
otherwise a throw-away server is started from the local binaries (with
``fsync`` on, as in production), the way the tests do.

Run it with ``nox -s benchmarks`` or ``python benchmarks/bench_store.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

import releasekit as rk
from releasekit import stores
from releasekit._records.converter import dumps, iso
from releasekit._records.ledger import State, _snapshot

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import pgserver  # the tests' throw-away server, found via the path above

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DSN_ENV = "RELEASEKIT_BENCH_POSTGRES_DSN"
START = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
PRODUCTION = pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC")


# ---------------------------------------------------------------------------
# The release that is promoted: at stage, with every piece of evidence
# ---------------------------------------------------------------------------


def staged_release(release_id: str) -> rk.Release:
    """Return a release at stage holding the evidence production asks for."""
    engine = rk.Engine(rk.reference_policy())
    at = START
    release = engine.start(
        release_id=release_id,
        version="2.4.0",
        kind="normal",
        by="anton",
        now=at,
        artifact=rk.Artifact(
            functions=("quote", "chart"),
            migrations=("0042_add_index",),
            new_functionality=("chart",),
        ),
    )
    everyone = ("sandbox-anton", "tests", "sandbox", "stage", "production")
    steps: dict[str, Callable[[pendulum.DateTime], tuple[rk.Evidence, ...]]] = {
        "tests": lambda at: (rk.TestsWritten(by="anton", at=at, covers=("chart",)),),
        "sandbox": lambda at: (
            rk.TestRun(environment="tests", version="2.4.0", passed=True, at=at, by="ci"),
        ),
        "stage": lambda at: (
            rk.SignOff(by="maria", at=at, environment="sandbox"),
            rk.LogReview(by="maria", at=at, environments=everyone, verdict="clean"),
        ),
        "production": lambda at: (
            rk.MigrationRun(
                environment="stage",
                version="2.4.0",
                migrations=("0042_add_index",),
                succeeded=True,
                at=at,
                by="ci",
            ),
            rk.SignOff(by="maria", at=at, environment="stage", old_app_versions=("2.3.1",)),
            rk.ChangeReview(by="ivan", at=at, version="2.4.0"),
        ),
    }
    for target, evidence in steps.items():
        at = at.add(minutes=10)
        release = engine.record(release, *evidence(at), now=at)
        if target != "production":
            at = at.add(minutes=10)
            release = engine.promote(release, by="anton", now=at)
            assert release.state == target
    return release


def promotion_move() -> rk.Move:
    """Return the move stage -> production, as the engine makes it in the window."""
    return rk.Move(source="stage", target="production", at=PRODUCTION, by="anton")


def promotion_moves(count: int) -> list[rk.Move]:
    """Return one move per promotion, made beforehand, as the engine would make each.

    Every move is a new object with a new instant (of the same value), so no
    text releasekit remembers from an earlier promotion is reused.
    """
    return [
        rk.Move(source="stage", target="production", at=PRODUCTION.add(seconds=0), by="anton")
        for _ in range(count)
    ]


@attrs.frozen
class Payload:
    """The exact row values releasekit writes for one promotion."""

    event: tuple[Any, ...]
    state_digest: str
    snapshot: str
    revision: int


def payload_of(release: rk.Release) -> Payload:
    """Return what promoting *release* writes, by doing it in memory."""
    ledger = stores.Ledger(stores.MemoryStore())
    record = ledger.start(release)
    record = ledger.promote(record, promotion_move())
    event = ledger.history(release.id)[-1]
    data = dumps(event.data)
    return Payload(
        event=(
            event.stream,
            event.seq,
            iso(event.at),
            event.actor,
            event.action.value,
            event.source,
            event.target,
            event.reason,
            data,
            event.previous,
            event.digest,
        ),
        state_digest=event.state_digest or "",
        snapshot=_snapshot(
            stores_state(record),
        ).text,
        revision=event.seq,
    )


def stores_state(record: stores.Record) -> State:
    """Return the state the ledger writes for *record*."""
    return State(release=record.release, attempt=record.attempt, attention=record.attention)


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


@attrs.frozen
class Sample:
    """Medians of two alternating measurements."""

    name: str
    a: float
    b: float

    @property
    def ratio(self) -> float:
        """How many times *b* takes *a*."""
        return self.b / self.a


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
    return f"{seconds * 1e6:8.1f} µs"


# ---------------------------------------------------------------------------
# (a) SQLite promotion
# ---------------------------------------------------------------------------

_BARE_INSERT = (
    "INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data, "
    "previous, digest, state_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_BARE_UPDATE = (
    "UPDATE streams SET revision = ?, head = ?, snapshot = ? WHERE stream = ? AND revision = ?"
)


def sqlite_promotion(directory: Path, *, runs: int, warmup: int) -> tuple[Sample, Sample]:
    """Measure (a), on releases just loaded and on releases this process just wrote."""
    total = runs + warmup
    staged = staged_release("bench")
    payload = payload_of(staged)
    moves, other_moves = promotion_moves(total), promotion_moves(total)
    # Both files are made the same way, with the same releases, and opened afresh.
    seeded(directory / "releasekit.db", staged, total, prefix="r")
    for prefix in ("r", "w"):
        seeded(directory / "bare.db", staged, total, prefix=prefix)
    with stores.SqliteStore(directory / "releasekit.db") as store:
        ledger = stores.Ledger(store)
        records: dict[int, stores.Record] = {}
        bare = bare_sqlite(directory / "bare.db", store)
        try:

            def load(i: int) -> None:
                records[i] = ledger.load(f"r{i}")  # as every tool does, just before

            def start(i: int) -> None:
                # A release this process writes (and so has written the parts of) first.
                records[i] = ledger.start(attrs.evolve(staged, id=f"w{i}"))

            def bare_promotion(stream: str) -> None:
                event = (stream, *payload.event[1:])
                bare.execute("BEGIN IMMEDIATE")
                bare.execute(_BARE_INSERT, (*event, payload.state_digest))
                updated = bare.execute(
                    _BARE_UPDATE,
                    (payload.revision, event[-1], payload.snapshot, stream, payload.revision - 1),
                )
                if updated.rowcount != 1:
                    bare.execute("ROLLBACK")
                    raise AssertionError(stream)
                bare.execute("COMMIT")

            def promotion(i: int) -> None:
                ledger.promote(records.pop(i), moves[i])

            def promotion_again(i: int) -> None:
                ledger.promote(records.pop(i), other_moves[i])

            loaded = alternate(
                lambda i: bare_promotion(f"r{i}"),
                promotion,
                runs=runs,
                warmup=warmup,
                before=load,
            )
            written = alternate(
                lambda i: bare_promotion(f"w{i}"),
                promotion_again,
                runs=runs,
                warmup=warmup,
                before=start,
            )
        finally:
            bare.close()
    return (
        Sample("durable promotion, SQLite", *loaded),
        Sample("the same, of a release this process wrote just before", *written),
    )


def memory_promotion(*, runs: int, warmup: int) -> tuple[float, float]:
    """Return the medians of the promotions of (a) on a MemoryStore: the Python work alone."""
    total = runs + warmup
    staged = staged_release("bench")
    ledger = stores.Ledger(stores.MemoryStore())
    for i in range(total):
        ledger.start(attrs.evolve(staged, id=f"r{i}"))
    moves, other_moves = promotion_moves(total), promotion_moves(total)
    loaded, written = [], []
    clock = time.perf_counter
    for i in range(total):
        record = ledger.load(f"r{i}")
        started = clock()
        ledger.promote(record, moves[i])
        took = clock() - started
        record = ledger.start(attrs.evolve(staged, id=f"w{i}"))
        started = clock()
        ledger.promote(record, other_moves[i])
        if i >= warmup:
            loaded.append(took)
            written.append(clock() - started)
    return statistics.median(loaded), statistics.median(written)


def seeded(path: Path, staged: rk.Release, total: int, *, prefix: str) -> None:
    """Add releases ``<prefix>0``, ``<prefix>1``, … at stage to *path*, through releasekit."""
    with stores.SqliteStore(path) as store:  # the same tables, indexes, triggers and rows
        ledger = stores.Ledger(store)
        for i in range(total):
            ledger.start(attrs.evolve(staged, id=f"{prefix}{i}"))


def bare_sqlite(path: Path, store: stores.SqliteStore) -> sqlite3.Connection:
    """Open *path* through a bare connection, with the settings *store* gives its own."""
    conn = sqlite3.connect(path, isolation_level=None)
    for setting in ("journal_mode", "synchronous", "busy_timeout"):
        value = store._conn.execute(f"PRAGMA {setting}").fetchone()[0]  # noqa: SLF001
        conn.execute(f"PRAGMA {setting} = {value}").fetchall()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # noqa: PLR2004  # FULL
    return conn


# ---------------------------------------------------------------------------
# (b) loading a release with a short and a long history
# ---------------------------------------------------------------------------


def long_history(ledger: stores.Ledger, release: rk.Release, events: int) -> stores.Record:
    """Start *release* and give it *events* events in all: step attempts and refusals."""
    record = ledger.start(release)
    at = START
    refusal = rk.PromotionRefusedError(
        release_id=release.id,
        source="stage",
        target="production",
        blockers=[
            rk.Blocker(
                code="production-window",
                reason="closed",
                message="production is closed",
                hint="wait for Saturday 09:00 UTC",
                earliest=PRODUCTION,
            )
        ],
    )
    while record.revision < events:
        at = at.add(seconds=1)
        if events - record.revision >= 2:  # noqa: PLR2004  # an attempt is two events
            record = ledger.begin_attempt(
                record, capability="collect-logs", by="monitor", at=at, environment="production"
            )
            assert record.attempt is not None
            record = ledger.finish_attempt(record, record.attempt.id, by="monitor", at=at)
        else:
            record = ledger.refuse(record, refusal, by="bot", at=at)
    return record


def loading(directory: Path, *, runs: int, warmup: int) -> tuple[Sample, int, int]:
    """Measure (b); also return the two states' sizes in bytes."""
    with stores.SqliteStore(directory / "history.db") as store:
        ledger = stores.Ledger(store)
        staged = staged_release("short")
        short = long_history(ledger, staged, 10)
        long = long_history(ledger, attrs.evolve(staged, id="long"), 10_000)
        assert (10, 10_000) == (short.revision, long.revision)
        assert ledger.load("long") == long
        sizes = [len(_snapshot(stores_state(r)).text) for r in (short, long)]
        a, b = alternate(
            lambda _: ledger.load("short"),
            lambda _: ledger.load("long"),
            runs=runs,
            warmup=warmup,
        )
    return Sample("load a release, 10 vs 10,000 events", a, b), sizes[0], sizes[1]


# ---------------------------------------------------------------------------
# (c) PostgreSQL promotion
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_dsn() -> Iterator[tuple[str, str]]:
    """Yield a DSN for a fresh schema, and where it came from."""
    given = os.environ.get(DSN_ENV)
    if given:
        yield given, f"${DSN_ENV}"
        return
    with pgserver.running(durable=True) as server:
        yield server.schema_dsn("bench"), "a throw-away local server, fsync on"


def postgres_promotion(dsn: str, *, runs: int, warmup: int) -> Sample:
    """Measure (c)."""
    import psycopg  # noqa: PLC0415  # optional

    total = runs + warmup
    staged = staged_release("bench")
    payload = payload_of(staged)
    prefix = f"b{time.time_ns()}-"
    with stores.PostgresStore(dsn) as store, psycopg.connect(dsn, autocommit=True) as bare:
        ledger = stores.Ledger(store)
        for i in range(total):
            ledger.start(attrs.evolve(staged, id=f"{prefix}r{i}"))
        records: dict[int, stores.Record] = {}
        moves = promotion_moves(total)
        with bare.transaction():
            bare.cursor().executemany(
                "INSERT INTO releasekit_streams (stream, revision, head, snapshot) "
                "VALUES (%s, %s, %s, %s::json)",
                [
                    (f"{prefix}x{i}", payload.revision - 1, payload.event[-2], payload.snapshot)
                    for i in range(total)
                ],
            )

        def bare_promotion(i: int) -> None:
            stream = f"{prefix}x{i}"
            event = list(payload.event)
            event[0] = stream
            with bare.transaction():
                bare.execute(
                    "INSERT INTO releasekit_events (stream, seq, at, actor, action, source, "
                    "target, reason, data, previous, digest, state_digest) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::json, %s, %s, %s)",
                    (*event, payload.state_digest),
                )
                updated = bare.execute(
                    "UPDATE releasekit_streams SET revision = %s, head = %s, "
                    "snapshot = %s::json WHERE stream = %s AND revision = %s",
                    (payload.revision, event[-1], payload.snapshot, stream, payload.revision - 1),
                )
                if updated.rowcount != 1:
                    raise AssertionError(stream)

        def load(i: int) -> None:
            records[i] = ledger.load(f"{prefix}r{i}")  # as in (a)

        def promotion(i: int) -> None:
            ledger.promote(records.pop(i), moves[i])

        a, b = alternate(bare_promotion, promotion, runs=runs, warmup=warmup, before=load)
    return Sample("durable promotion, PostgreSQL", a, b)


# ---------------------------------------------------------------------------


def main() -> int:
    """Run every measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3000, help="timed runs per figure")
    parser.add_argument("--warmup", type=int, default=300, help="untimed runs first")
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    options = parser.parse_args()
    runs, warmup = options.runs, options.warmup

    print(
        f"releasekit {rk.__version__}, Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}; medians of {runs} runs after {warmup} warm-up runs\n"
    )
    with tempfile.TemporaryDirectory(prefix="releasekit-bench-") as scratch:
        directory = Path(scratch)
        promotion, again = sqlite_promotion(directory, runs=runs, warmup=warmup)
        print(f"(a) {promotion.name}, of a release loaded just before (as every tool does)")
        print(f"    bare SQLite transaction (insert + version-checked update) {micro(promotion.a)}")
        print(f"    releasekit Ledger.promote on SqliteStore                 {micro(promotion.b)}")
        print(f"    ratio {promotion.ratio:.2f}x   (target <= 1.3x)")
        print(f"    {again.name}")
        print(f"    bare {micro(again.a)}, releasekit {micro(again.b)}: ratio {again.ratio:.2f}x")
        loaded, written = memory_promotion(runs=runs, warmup=warmup)
        print("    for reference, the same two on a MemoryStore (no I/O, the Python work alone)")
        print(f"    loaded just before {micro(loaded)}, written just before {micro(written)}\n")

        load, short_size, long_size = loading(directory, runs=runs, warmup=warmup)
        print(f"(b) {load.name}")
        print(f"    10 events      {micro(load.a)}   (state {short_size} bytes)")
        print(f"    10,000 events  {micro(load.b)}   (state {long_size} bytes)")
        print(f"    ratio {load.ratio:.2f}x   (target <= 2x)\n")

    if options.skip_postgres:
        print("(c) skipped (--skip-postgres)")
        return 0
    try:
        with postgres_dsn() as (dsn, origin):
            postgres = postgres_promotion(dsn, runs=max(runs // 3, 100), warmup=warmup // 3)
    except FileNotFoundError as missing:
        print(f"(c) skipped: {missing}")
        return 0
    print(f"(c) {postgres.name} ({origin})")
    print(f"    bare psycopg transaction (insert + version-checked update) {micro(postgres.a)}")
    print(f"    releasekit Ledger.promote on PostgresStore                {micro(postgres.b)}")
    print(f"    ratio {postgres.ratio:.2f}x   (target <= 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
