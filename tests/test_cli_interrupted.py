"""`resume` and `abandon-step` on a test run a dead process left: what they do with its lease."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pendulum

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from releasekit._actions.processes import this_host
from releasekit._interfaces.cli import ExitCode
from releasekit.stores import HostProcess

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

MORNING = pendulum.datetime(2026, 11, 27, 11, 0, tz="UTC")  # a Friday
LEASE = "test-run:tests"


def interrupted_test_run(cli: Callable[..., Ran], db: Path, *, host: str | None) -> rk.Lease:
    """Bring 2.4.0 to tests, and leave its test run as a process on *host* would, dying in it."""
    ok(cli("--actor", "anton", "--now", "2026-11-27T11:00Z", "start", "2.4.0"))
    ok(cli("--actor", "anton", "--now", "2026-11-27T11:00Z", "promote", "2.4.0"))
    with rk.stores.SqliteStore(db) as store:
        lease = store.acquire(LEASE, holder="ci (2.4.0)", now=MORNING, ttl=dt.timedelta(hours=2))
        ledger = rk.stores.Ledger(store)
        ledger.begin_attempt(
            ledger.load("2.4.0"),
            capability="run-tests",
            by="ci",
            at=MORNING,
            environment="tests",
            detail="run the automatic tests of 2.4.0 on tests",
            lease=lease,
            runner=None if host is None else HostProcess(host=host, pid=4242, name="python"),
        )
    return lease


def current(db: Path) -> rk.Lease | None:
    with rk.stores.SqliteStore(db) as store:
        return store.current(LEASE, now=MORNING)


def test_resume_of_a_run_on_another_host_asks_for_force(cli: Callable[..., Ran], db: Path) -> None:
    """Exit 3, naming the host and pid to check; nothing changes, the lease stays the dead run's."""
    dead = interrupted_test_run(cli, db, host="ci-7")

    ran = cli("--actor", "anton", "--now", "2026-11-27T11:30Z", "--json", "resume", "2.4.0")

    assert ExitCode.BUSY == ran.code
    assert ("AttemptStillRunningError", "ci-7", 4242, False) == (
        ran.json["error"]["type"],
        ran.json["error"]["host"],
        ran.json["error"]["pid"],
        ran.json["error"]["running"],
    )
    assert "check on ci-7 that process 4242 ended, then try again with --force" in ran.err
    assert dead == current(db)


def test_resume_force_says_what_it_did_with_the_lease(cli: Callable[..., Ran], db: Path) -> None:
    """With --force the run's lease is taken over and the tests run; the reply says both."""
    interrupted_test_run(cli, db, host="ci-7")

    ran = ok(cli("--actor", "anton", "--now", "2026-11-27T11:30Z", "resume", "2.4.0", "--force"))

    assert [
        "resumed the unfinished attempt of 2.4.0; it is in tests",
        (
            "  resumed 2.4.0/4: took over the lease test-run:tests from the interrupted run; "
            f"releasekit python (pid 4242) on ci-7 cannot be checked from {this_host()} (forced)"
        ),
    ] == ran.out.splitlines()[:2]
    assert current(db) is None


def test_abandon_step_says_it_gave_the_lease_back(cli: Callable[..., Ran], db: Path) -> None:
    """The reply, and the history, say which lease was given back, held by whom since when."""
    interrupted_test_run(cli, db, host=None)

    ran = ok(cli("--actor", "anton", "--json", "abandon-step", "2.4.0", "--reason", "ci died"))

    assert (
        "ci died (gave back the lease test-run:tests, held by ci (2.4.0) since "
        "2026-11-27T11:00:00+00:00)"
    ) == ran.json["abandoned"]
    assert current(db) is None


def test_abandon_step_of_a_run_on_another_host_needs_force(
    cli: Callable[..., Ran], db: Path
) -> None:
    """Without --force: exit 3 and how to force it; with it, the step and its lease are given up."""
    dead = interrupted_test_run(cli, db, host="ci-7")

    refused = cli("--actor", "anton", "abandon-step", "2.4.0", "--reason", "ci-7 died")
    assert (ExitCode.BUSY, dead) == (refused.code, current(db))
    ran = ok(cli("--actor", "anton", "abandon-step", "2.4.0", "--reason", "ci-7 died", "--force"))

    assert "  abandon-step --force (force=True) gives the step up even so" in refused.err
    assert [
        "abandoned the unfinished attempt of 2.4.0; it stays in tests",
        (
            "  ci-7 died (gave back the lease test-run:tests, held by ci (2.4.0) since "
            "2026-11-27T11:00:00+00:00; releasekit python (pid 4242) on ci-7 cannot be checked "
            f"from {this_host()} (forced))"
        ),
    ] == ran.out.splitlines()
    assert current(db) is None


def test_status_shows_the_lease_and_process_of_a_step_in_flight(
    cli: Callable[..., Ran], db: Path
) -> None:
    """`status --json` carries the step's lease and the process that ran it, as plain JSON."""
    dead = interrupted_test_run(cli, db, host="ci-7")

    attempt = ok(cli("--json", "status", "2.4.0")).json["release"]["attempt"]

    assert (dead.token, "ci (2.4.0)", "2026-11-27T11:00:00+00:00") == (
        attempt["lease"]["token"],
        attempt["lease"]["holder"],
        attempt["lease"]["since"],
    )
    assert (
        {"host": "ci-7", "pid": 4242, "name": "python", "started_at": None, "start": ""},
        [],
    ) == (
        attempt["runner"],
        attempt["children"],
    )
    assert "a run-tests step is unfinished" in ok(cli("status", "2.4.0")).out
