"""The scheduled test run through releasekit, a manual run's stated length, the tests lease."""

import datetime as dt
from collections.abc import Callable

import pendulum
import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name
from releasekit import executors
from releasekit._interfaces.cli import ExitCode

#: The reference policy's daily run: 00:00 UTC, drifting 30 minutes either way, an hour long.
MIDNIGHT = pendulum.datetime(2026, 11, 28, 0, 0, tz="UTC")
LEASE = "test-run:tests"
HOUR = dt.timedelta(hours=1)


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(pendulum.datetime(2026, 11, 27, 22, 0, tz="UTC"))


@pytest.fixture(name="recorder")
def fixture_recorder() -> executors.DryRunExecutor:
    return executors.DryRunExecutor()


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock, recorder: executors.DryRunExecutor) -> rk.Desk:
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(recorder), clock=clock)


def act(cli: Callable[..., Ran], actor: str, now: str, *argv: str) -> Ran:
    """Run one command as *actor* at *now*, which must succeed."""
    return ok(cli("--actor", actor, "--now", now, *argv))


def in_tests(desk: rk.Desk) -> str:
    """Start 2.4.0 and promote it to tests; return its id."""
    record = desk.start("2.4.0", by="anton")
    return desk.promote(record.id, by="anton").id


def last_step(desk: rk.Desk, release_id: str) -> str:
    """The detail of the release's last step, as its step-started event recorded it."""
    started = [e for e in desk.history(release_id) if e.action.value == "step-started"]
    return str(started[-1].data["attempt"]["detail"])


class LeaseWatcher:
    """A test runner that notes the tests lease as it stands while it runs, then passes."""

    def __init__(self, desk: rk.Desk, clock: rk.FixedClock) -> None:
        self.desk = desk
        self.clock = clock
        self.seen: list[rk.stores.Lease | None] = []

    def run_tests(self, request: executors.TestRequest, /) -> executors.Outcome:
        """Note the lease, and pass."""
        self.seen.append(self.desk.store.current(LEASE, now=self.clock.now()))
        return executors.Outcome.success(f"tested {request.version}")


# -- the scheduled run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [MIDNIGHT, MIDNIGHT.subtract(minutes=30), MIDNIGHT.add(minutes=12), MIDNIGHT.add(minutes=30)],
)
def test_the_scheduled_run_is_not_refused_by_its_own_reservation(
    at: pendulum.DateTime, desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """At 00:00 — or drifted up to 30 minutes either way — the nightly run goes through."""
    release_id = in_tests(desk)
    clock.set(at)

    record = desk.run_tests(release_id, by="ci", scheduled=True)

    (run,) = record.release.evidence_of(rk.TestRun)
    assert (True, at) == (run.passed, run.at)
    assert "run the scheduled tests of 2.4.0 on tests" == last_step(desk, release_id)


def test_a_run_by_hand_at_midnight_is_still_refused(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """Without scheduled, the same run at 00:00 overlaps the reservation, as before."""
    release_id = in_tests(desk)
    clock.set(MIDNIGHT)

    with pytest.raises(rk.exceptions.ScheduleConflictError):
        desk.run_tests(release_id, by="ci")


@pytest.mark.parametrize(
    "at",
    [
        MIDNIGHT.subtract(minutes=31),
        MIDNIGHT.add(minutes=31),  # inside the reservation, but long after the run starts
        MIDNIGHT.add(hours=15),
    ],
)
def test_scheduled_is_no_way_around_the_reservation_at_another_time(
    at: pendulum.DateTime,
    desk: rk.Desk,
    clock: rk.FixedClock,
    recorder: executors.DryRunExecutor,
) -> None:
    """A run calling itself scheduled outside 23:30 to 00:30 is refused, and nothing runs."""
    release_id = in_tests(desk)
    clock.set(at)
    before = desk.get(release_id)

    with pytest.raises(
        rk.exceptions.InvalidInputError, match="starts within 30 min of 00:00 UTC"
    ) as refused:
        desk.run_tests(release_id, by="ci", scheduled=True)

    assert ("scheduled", before, ()) == (
        refused.value.field,
        desk.get(release_id),
        recorder.calls_for("run-tests"),
    )


def test_scheduled_where_no_run_is_scheduled_is_refused(desk: rk.Desk) -> None:
    """sandbox-anton has no daily run, so no run there is the scheduled one."""
    release_id = desk.start("2.4.0", by="anton").id

    with pytest.raises(rk.exceptions.InvalidInputError, match="no scheduled test run") as refused:
        desk.run_tests(release_id, by="anton", environment="sandbox-anton", scheduled=True)

    assert "scheduled" == refused.value.field


@pytest.mark.parametrize("given", ["yes", 1, None])
def test_scheduled_is_true_or_false(given: object, desk: rk.Desk, clock: rk.FixedClock) -> None:
    """A truthy string or a number is no answer to "is this the scheduled run?"."""
    release_id = in_tests(desk)
    clock.set(MIDNIGHT)

    with pytest.raises(rk.exceptions.InvalidInputError, match="True or False"):
        desk.run_tests(release_id, by="ci", scheduled=given)  # type: ignore[arg-type]


def test_the_scheduled_run_still_waits_for_a_run_holding_the_lease(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """Two runs never overlap: at 00:00 the scheduled run finds tests held, and is told by whom."""
    release_id = in_tests(desk)
    clock.set(MIDNIGHT)
    desk.store.acquire(LEASE, holder="olga (2.3.9)", now=MIDNIGHT, ttl=dt.timedelta(hours=1))

    with pytest.raises(rk.exceptions.LeaseHeldError) as held:
        desk.run_tests(release_id, by="ci", scheduled=True)

    assert "olga (2.3.9)" == held.value.holder


def test_the_command_runs_the_scheduled_run(cli: Callable[..., Ran]) -> None:
    """`releasekit run-tests --scheduled` at 00:05 runs and records; without it, exit 3."""
    act(cli, "anton", "2026-11-27T23:00Z", "start", "2.4.0")
    act(cli, "anton", "2026-11-27T23:00Z", "promote", "2.4.0")

    by_hand = cli("--actor", "ci", "--now", "2026-11-28T00:05Z", "run-tests", "2.4.0")
    nightly = cli(
        "--actor", "ci", "--now", "2026-11-28T00:05Z", "run-tests", "2.4.0", "--scheduled"
    )

    assert (ExitCode.BUSY, ExitCode.OK) == (by_hand.code, nightly.code), nightly.err
    assert nightly.out.startswith("tests of 2.4.0 on tests: passed\n")


def test_the_command_refuses_scheduled_at_noon(cli: Callable[..., Ran]) -> None:
    """`run-tests --scheduled` at noon is an error (exit 2) saying when the nightly run starts."""
    act(cli, "anton", "2026-11-27T11:00Z", "start", "2.4.0")
    act(cli, "anton", "2026-11-27T11:00Z", "promote", "2.4.0")

    ran = cli("--actor", "ci", "--now", "2026-11-27T12:00Z", "run-tests", "2.4.0", "--scheduled")

    assert ExitCode.ERROR == ran.code
    assert "starts within 30 min of 00:00 UTC; it is 12:00 UTC" in ran.err


# -- a manual run's stated length -------------------------------------------------------------


def test_a_short_run_fits_before_the_reservation(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """At 23:05 a run stated to take 20 minutes ends before 23:30: it runs, and says so."""
    release_id = in_tests(desk)
    clock.set(pendulum.datetime(2026, 11, 27, 23, 5, tz="UTC"))

    record = desk.run_tests(release_id, by="ci", expected=dt.timedelta(minutes=20))

    assert 1 == len(record.release.evidence_of(rk.TestRun))
    assert "run the automatic tests of 2.4.0 on tests, expected to take 20 min" == last_step(
        desk, release_id
    )


def test_a_run_stated_too_long_is_refused_with_when_it_fits(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """At 23:05 a run of 40 minutes would reach into the reservation: it may start at 01:30."""
    release_id = in_tests(desk)
    clock.set(pendulum.datetime(2026, 11, 27, 23, 5, tz="UTC"))

    with pytest.raises(rk.exceptions.ScheduleConflictError) as caught:
        desk.run_tests(release_id, by="ci", expected=dt.timedelta(minutes=40))

    assert pendulum.datetime(2026, 11, 28, 1, 30, tz="UTC") == caught.value.next_free


def test_without_a_stated_length_a_run_takes_the_usual_hour(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """At 23:05 a run of unstated length is taken to last the daily run's hour: refused."""
    release_id = in_tests(desk)
    clock.set(pendulum.datetime(2026, 11, 27, 23, 5, tz="UTC"))

    with pytest.raises(rk.exceptions.ScheduleConflictError):
        desk.run_tests(release_id, by="ci")


def test_the_stated_length_is_how_long_the_lease_holds_a_dead_run(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """With a dry run (no time limit of its own), the lease of a dying run lapses after 20+5 min."""
    release_id = in_tests(desk)
    runner = LeaseWatcher(desk, clock)
    desk.executors.register("run-tests", runner)

    desk.run_tests(release_id, by="ci", expected=dt.timedelta(minutes=20))

    (lease,) = runner.seen
    assert lease is not None
    assert clock.now().add(minutes=25) == lease.expires


@pytest.mark.parametrize(
    "given", [dt.timedelta(0), dt.timedelta(minutes=-5), 20, "20m", pendulum.duration(minutes=0)]
)
def test_a_stated_length_is_a_positive_duration(given: object, desk: rk.Desk) -> None:
    """Zero, negative, a bare number of minutes or a string: refused before anything runs."""
    release_id = in_tests(desk)
    before = desk.get(release_id)

    with pytest.raises(
        rk.exceptions.InvalidInputError, match=r"positive datetime\.timedelta"
    ) as refused:
        desk.run_tests(release_id, by="ci", expected=given)  # type: ignore[arg-type]

    assert ("expected", before) == (refused.value.field, desk.get(release_id))


# -- the lease an outside runner joins ---------------------------------------------------------


def test_the_tests_lease_has_a_public_name() -> None:
    """rk.lease_for_tests names the lease every test run on an environment holds."""
    assert ("test-run:tests", "test-run:Tests Env") == (
        rk.lease_for_tests("tests"),
        rk.lease_for_tests("Tests Env"),
    )


def test_an_outside_runner_holding_the_lease_keeps_releasekit_runs_out(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """A nightly job holding rk.lease_for_tests("tests") itself: no releasekit run overlaps it."""
    release_id = in_tests(desk)
    clock.set(MIDNIGHT.add(hours=2))
    outside = desk.store.acquire(
        rk.lease_for_tests("tests"),
        holder="nightly job",
        now=clock.now(),
        ttl=dt.timedelta(hours=1),
    )

    with pytest.raises(rk.exceptions.LeaseHeldError) as held:
        desk.run_tests(release_id, by="ci")
    desk.store.release(outside.name, token=outside.token)
    record = desk.run_tests(release_id, by="ci")

    assert ("nightly job", 1, 1) == (
        held.value.holder,
        len(recorder.calls_for("run-tests")),
        len(record.release.evidence_of(rk.TestRun)),
    )


def test_the_command_states_a_manual_run_s_length(cli: Callable[..., Ran]) -> None:
    """At 23:05 `--expected-minutes 20` ends before the reservation; 40 is refused (exit 3)."""
    act(cli, "anton", "2026-11-27T23:00Z", "start", "2.4.0")
    act(cli, "anton", "2026-11-27T23:00Z", "promote", "2.4.0")

    def run(minutes: str) -> Ran:
        return cli(
            "--actor", "ci", "--now", "2026-11-27T23:05Z", "run-tests", "2.4.0",
            "--expected-minutes", minutes,
        )  # fmt: skip

    refused, ran = run("40"), run("20")

    assert (ExitCode.BUSY, ExitCode.OK) == (refused.code, ran.code), ran.err


@pytest.mark.parametrize("minutes", ["0", "-5", "1441", "20m", "1e3"])
def test_the_command_refuses_a_length_out_of_bounds(cli: Callable[..., Ran], minutes: str) -> None:
    """`--expected-minutes` takes a whole number of minutes up to a day: else a usage error."""
    act(cli, "anton", "2026-11-27T11:00Z", "start", "2.4.0")

    ran = cli("run-tests", "2.4.0", f"--expected-minutes={minutes}")

    assert ExitCode.ERROR == ran.code
    assert "--expected-minutes" in ran.err
