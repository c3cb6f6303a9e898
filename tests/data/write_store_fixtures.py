"""Write the stores kept in this folder as fixtures: what an earlier releasekit left behind.

``store-schema-4.db`` (SQLite, schema 4) and ``store-postgres-schema-3.sql`` (a dump of a
PostgreSQL schema at version 3) were written by this script, run with the releasekit of the
commit before release rows (``git archive`` of that commit on the path), and are kept
unchanged since: the tests migrate copies of them and check that nothing was lost against
``store-schema-4.json`` and ``store-postgres-schema-3.json``, what that releasekit read
from each (every release's record, data operation and history, in the converter's JSON).
Both hold the same histories (their digests differ: the processes and lease tokens recorded
differ from one run to the next):

- ``2.3.0``: walked to production (deployed, tested, migrated through the dry run), a bad
  production log check with its attention item still open;
- ``2.4.0``: walked to production after it, then rolled back (``2.3.0`` runs again);
- ``2.5.0``: at stage with every piece of evidence, a promotion refused on a Friday evening;
  a sign-off note in words beyond ASCII;
- ``2.6.0``: promoted to tests, then abandoned;
- ``2.7.0``: a hotfix whose deployment to tests was interrupted, holding the tests lease;
- data operations ``adjustment-1`` (verified twice), ``adjustment-2`` (cancelled) and
  ``restore-1`` (production into sandbox-anton), and a history of the team's own, ``notes:team``.

Run it as ``python tests/data/write_store_fixtures.py OUT_DIR`` with that releasekit on the
path (and PostgreSQL's binaries where ``tests/pgserver.py`` finds them).
"""

# It speaks the API of that releasekit (the data operations were methods of the desk then),
# not today's: the type checker is not to hold it to today's names.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pendulum

import releasekit as rk
from releasekit import executors, stores
from releasekit._records.converter import unstructure

sys.path.insert(0, str(Path(__file__).parent.parent))
import pgserver  # the tests' throw-away server

THURSDAY = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
SATURDAY = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")
FRIDAY_EVENING = pendulum.datetime(2026, 12, 4, 18, 0, tz="UTC")
EVERYONE = ("sandbox-anton", "tests", "sandbox", "stage", "production")
#: Lines of pg_dump's output the fixture leaves out: settings, the schema, comments, psql commands.
_SKIPPED = ("SET ", "SELECT pg_catalog.set_config", "CREATE SCHEMA", "--", "\\")
ARTIFACT = rk.Artifact(
    functions=("quote", "chart"), migrations=("0042_add_index",), new_functionality=("chart",)
)


def to_stage(desk: rk.Desk, clock: rk.FixedClock, version: str) -> rk.Release:
    """Start *version* and take it to stage through the desk, with dry-run executors."""
    release = desk.start(version, by="anton", artifact=ARTIFACT)
    desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now(), covers=("chart",)))
    desk.promote(release.id, by="anton", to="tests")
    clock.advance(minutes=10)
    desk.run_tests(release.id, by="ci")
    clock.advance(minutes=10)
    desk.promote(release.id, by="maria", to="sandbox")
    clock.advance(minutes=10)
    desk.add_evidence(
        release.id,
        rk.SignOff(by="maria", at=clock.now(), environment="sandbox", note="Grüße ✓ — ok"),
        rk.LogReview(by="maria", at=clock.now(), environments=EVERYONE, verdict="clean"),
    )
    desk.promote(release.id, by="maria", to="stage")
    clock.advance(minutes=10)
    desk.migrate(release.id, by="ci")
    clock.advance(minutes=10)
    desk.add_evidence(
        release.id,
        rk.SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3.1",)),
        rk.ChangeReview(by="ivan", at=clock.now(), version=version),
    )
    return desk.get(release.id).release


def fill(store: rk.stores.Store) -> None:
    """Write every history the fixtures hold into *store*."""
    clock = rk.FixedClock(THURSDAY)
    recorder = executors.DryRunExecutor(
        logs={"production": ["09:12 ERROR quote: upstream timeout"]}
    )
    desk = rk.Desk(
        rk.reference_policy(), store=store, executors=executors.dry_run(recorder), clock=clock
    )
    first = to_stage(desk, clock, "2.3.0")
    clock.set(SATURDAY)
    desk.promote(first.id, by="maria", to="production")
    clock.advance(minutes=30)
    desk.check_production(first.id, by="log-monitor")

    clock.set(SATURDAY.add(hours=1))
    second = to_stage(desk, clock, "2.4.0")
    desk.promote(second.id, by="maria", to="production")
    clock.advance(minutes=20)
    desk.roll_back(by="maria", reason="quotes time out since 2.4.0")

    clock.set(FRIDAY_EVENING.subtract(hours=2))
    third = to_stage(desk, clock, "2.5.0")
    clock.set(FRIDAY_EVENING)
    try:
        desk.promote(third.id, by="maria", to="production")
    except rk.exceptions.PromotionRefusedError:
        pass
    else:  # pragma: no cover  # the window is closed on Friday evenings
        raise AssertionError

    fourth = desk.start("2.6.0", by="anton")
    desk.promote(fourth.id, by="anton", to="tests")
    clock.advance(minutes=5)
    desk.abandon(fourth.id, by="anton", reason="superseded by 2.7.0")

    clock.advance(minutes=5)
    hotfix = desk.start("2.7.0", by="anton", kind="hotfix")
    desk.promote(hotfix.id, by="anton", to="tests")
    clock.advance(minutes=5)
    lease = store.acquire(
        "test-run:tests", holder="ci (2.7.0)", now=clock.now(), ttl=dt.timedelta(hours=2)
    )
    record = desk.get(hotfix.id)
    desk.ledger.begin_attempt(
        record,
        capability="run-tests",
        by="ci",
        at=clock.now(),
        environment="tests",
        detail="run the automatic tests of 2.7.0 on tests",
        lease=lease,
        runner=stores.HostProcess(host="ci-7", pid=4242, name="releasekit", start="1:999"),
    )  # ... and the runner dies here

    clock.advance(minutes=5)
    adjustment = desk.request_data_adjustment(
        "production", "fix-close", ["AAPL", "187.20"], by="olga", reason="IEX sent a wrong close"
    )
    desk.verify_data_adjustment(adjustment.id, by="ivan", note="checked the IEX file")
    desk.verify_data_adjustment(adjustment.id, by="maria")
    other = desk.request_data_adjustment(
        "production", "fix-open", ["MSFT"], by="olga", reason="a typo"
    )
    desk.cancel_data_operation(other.id, by="olga", reason="asked for the wrong day")
    desk.restore_data("production", "sandbox-anton", by="anton", reason="fresh data for testing")
    desk.ledger.append(
        "notes:team",
        expected=0,
        action="notified",
        by="anton",
        at=clock.now(),
        snapshot={"last": "freeze until Monday", "count": 1},
        data={"text": "freeze until Monday"},
        reason="told the team",
    )


def read_back(store: rk.stores.Store) -> dict[str, object]:
    """Return what releasekit reads from *store*: records, data operations, histories."""
    desk = rk.Desk(rk.reference_policy(), store=store)
    names = desk.ledger.histories()
    return {
        "releases": {name: unstructure(desk.get(name)) for name in names if ":" not in name},
        "data_operations": {
            name: unstructure(desk.data_operation(name.removeprefix("data:")))
            for name in names
            if name.startswith("data:")
        },
        "histories": {name: unstructure(store.events(name)) for name in names},
        "leases": {"test-run:tests": unstructure(store.current("test-run:tests", now=THURSDAY))},
    }


def main() -> int:
    """Write both fixtures into the folder named on the command line."""
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    sqlite_path = out / "store-schema-4.db"
    sqlite_path.unlink(missing_ok=True)
    with stores.SqliteStore(sqlite_path) as store:
        fill(store)
    with stores.SqliteStore(sqlite_path) as store:  # fold the WAL into the file
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        expected = json.dumps(read_back(store), indent=1, sort_keys=True, ensure_ascii=False)
    (out / "store-schema-4.json").write_text(expected + "\n", encoding="utf-8")
    with pgserver.running() as server:
        dsn = server.schema_dsn("fixture")
        with stores.PostgresStore(dsn) as store:
            fill(store)
            expected = json.dumps(read_back(store), indent=1, sort_keys=True, ensure_ascii=False)
        (out / "store-postgres-schema-3.json").write_text(expected + "\n", encoding="utf-8")
        bindir = pgserver.find_bindir()
        assert bindir is not None
        dump = subprocess.run(  # noqa: S603  # the local server's own pg_dump
            [
                str(bindir / "pg_dump"),
                "--schema=fixture",
                "--no-owner",
                "--no-privileges",
                "--inserts",
                server.dsn,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    lines = [line for line in dump.splitlines() if not line.startswith(_SKIPPED) and line.strip()]
    text = "\n".join(lines).replace("fixture.", "")
    header = (
        "-- A releasekit PostgreSQL store at schema 3, as releasekit wrote it before release rows\n"
        "-- (pg_dump of its schema, qualified names removed): see write_store_fixtures.py.\n"
    )
    (out / "store-postgres-schema-3.sql").write_text(header + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
