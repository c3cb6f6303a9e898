import datetime as dt
import json
from pathlib import Path
from typing import TypeVar

import pendulum
import pytest

import releasekit as rk
from fake_dt import write_fake_dt
from releasekit import executors
from releasekit.stores import Action
from releasekit.testing import walk_to

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
SATURDAY = pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC")
ARTIFACT = rk.Artifact(
    functions=("quote", "chart"), migrations=("0042_add_index",), new_functionality=("chart",)
)
ALL = ("sandbox-anton", "tests", "sandbox", "stage", "production")


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="recorder")
def fixture_recorder() -> executors.DryRunExecutor:
    return executors.DryRunExecutor()


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock, recorder: executors.DryRunExecutor) -> rk.Desk:
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(recorder), clock=clock)


R = TypeVar("R")


def request_of(call: executors.Call, kind: type[R]) -> R:
    """The call's request, checked to be of *kind*."""
    assert isinstance(call.request, kind)
    return call.request


def actions(desk: rk.Desk, release_id: str) -> list[str]:
    return [event.action.value for event in desk.history(release_id)]


def test_start_names_a_release_after_its_version(desk: rk.Desk) -> None:
    """The first release of 2.4.0 is called 2.4.0, the next one 2.4.0-2."""
    first = desk.start("2.4.0", by="anton")
    second = desk.start("2.4.0", by="anton")

    assert ("2.4.0", "2.4.0-2") == (first.id, second.id)
    assert ["2.4.0", "2.4.0-2"] == [record.id for record in desk.releases()]


def test_start_with_a_taken_id_is_a_conflict(desk: rk.Desk) -> None:
    """An explicit id that exists is refused, not silently renamed."""
    desk.start("2.4.0", by="anton", release_id="weekly")

    with pytest.raises(rk.exceptions.ConflictError):
        desk.start("2.4.1", by="anton", release_id="weekly")


def test_start_by_someone_else_changes_nothing(desk: rk.Desk) -> None:
    """Only anton may start a release in sandbox-anton; nothing is stored otherwise."""
    with pytest.raises(rk.exceptions.NotPermittedError):
        desk.start("2.4.0", by="maria")

    assert [] == desk.releases()


def test_promote_deploys_through_the_executor_and_moves_the_release(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """A promotion runs the deploy executor for the target, then records the move."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")

    (call,) = recorder.calls_for("deploy")
    request = request_of(call, executors.DeployRequest)
    assert ("tests", "2.4.0", "2.4.0") == (request.environment, request.version, request.release_id)
    assert "tests" == release.state
    assert ["started", "evidence-recorded", "step-started", "step-finished"] == actions(
        desk, release.id
    )


def test_a_refused_promotion_is_recorded_and_changes_nothing(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """Without tests written, promotion is refused, recorded with its blockers, and nothing runs."""
    release = desk.start("2.4.0", by="anton", artifact=ARTIFACT)

    with pytest.raises(rk.exceptions.PromotionRefusedError) as caught:
        desk.promote(release.id, by="anton")

    assert ["new-tests-written"] == [b.code for b in caught.value.blockers]
    assert ("sandbox-anton", ()) == (desk.get(release.id).state, recorder.calls)
    refusal = desk.history(release.id)[-1]
    assert (Action.REFUSED, "anton") == (refusal.action, refusal.actor)


def test_a_failed_deployment_leaves_the_release_where_it_was(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """A failing deploy is recorded as a failed step; the release stays and can be retried."""
    release = desk.start("2.4.0", by="anton", artifact=ARTIFACT)
    desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now(), covers=("chart",)))
    recorder.fail("deploy", "tests is unreachable")

    with pytest.raises(rk.exceptions.ExecutorFailedError, match="tests is unreachable"):
        desk.promote(release.id, by="anton")

    assert ("sandbox-anton", None) == (desk.get(release.id).state, desk.get(release.id).attempt)
    assert "step-failed" == actions(desk, release.id)[-1]
    recorder.succeed("deploy")
    assert "tests" == desk.promote(release.id, by="anton").state


def test_a_timed_out_deployment_is_recorded_and_raised(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """A deploy that times out raises ExecutorTimeoutError and leaves no attempt in flight."""
    release = desk.start("2.4.0", by="anton")
    recorder.fail(
        "deploy",
        executors.Outcome(
            status="timed-out", summary="deploy ran out of time", timeout=dt.timedelta(minutes=1)
        ),
    )

    with pytest.raises(rk.exceptions.ExecutorTimeoutError):
        desk.promote(release.id, by="anton")

    assert (None, "sandbox-anton") == (desk.get(release.id).attempt, desk.get(release.id).state)


def test_an_executor_that_cannot_run_is_recorded_as_a_failed_step(
    clock: rk.FixedClock, tmp_path: Path
) -> None:
    """A missing dt program raises ExecutorFailedError and the failed step is in the history."""
    registry = executors.dt(executors.DtExecutor(program=str(tmp_path / "no-such-dt")))
    desk = rk.Desk(rk.reference_policy(), executors=registry, clock=clock)
    release = desk.start("2.4.0", by="anton")

    with pytest.raises(rk.exceptions.ExecutorFailedError, match="not found"):
        desk.promote(release.id, by="anton")

    assert ("step-failed", None) == (actions(desk, release.id)[-1], desk.get(release.id).attempt)


def test_an_interrupted_step_blocks_until_resumed(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """A step recorded as started but never finished blocks promotion; resume finishes it."""
    release = desk.start("2.4.0", by="anton")
    record = desk.get(release.id)
    desk.ledger.begin_attempt(
        record,
        capability="deploy",
        by="anton",
        at=FRIDAY,
        environment="tests",
        target="tests",
    )

    with pytest.raises(rk.exceptions.AttemptInProgressError) as caught:
        desk.promote(release.id, by="anton")
    resumed = desk.resume(release.id, by="anton")

    assert ("deploy", "tests") == (caught.value.capability, resumed.state)
    assert 1 == len(recorder.calls_for("deploy"))


def test_an_interrupted_step_can_be_abandoned(desk: rk.Desk) -> None:
    """Abandoning the unfinished attempt leaves the release where it was, ready to retry."""
    release = desk.start("2.4.0", by="anton")
    desk.ledger.begin_attempt(
        desk.get(release.id), capability="deploy", by="anton", at=FRIDAY, target="tests"
    )

    desk.abandon_attempt(release.id, by="anton", reason="the deploy host rebooted")

    assert (None, "step-abandoned") == (desk.get(release.id).attempt, actions(desk, release.id)[-1])
    assert "tests" == desk.promote(release.id, by="anton").state


def test_resume_and_abandon_attempt_need_an_unfinished_attempt(desk: rk.Desk) -> None:
    """With no attempt in flight there is nothing to resume or abandon."""
    release = desk.start("2.4.0", by="anton")

    with pytest.raises(rk.exceptions.InvalidInputError, match="no unfinished attempt"):
        desk.resume(release.id, by="anton")
    with pytest.raises(rk.exceptions.InvalidInputError, match="no unfinished attempt"):
        desk.abandon_attempt(release.id, by="anton", reason="x")


def test_run_tests_records_the_test_run_the_guard_reads(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """A passing run on tests becomes a TestRun for this version, and sandbox opens."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")
    clock.advance(minutes=5)

    tested = desk.run_tests(release.id, by="ci")

    (run,) = tested.release.evidence_of(rk.TestRun)
    (call,) = recorder.calls_for("run-tests")
    assert ("tests", "2.4.0", True, True) == (
        run.environment,
        run.version,
        run.passed,
        request_of(call, executors.TestRequest).notify,
    )
    assert desk.explain(release.id).allowed


def test_a_failing_test_run_is_recorded_as_failed_evidence(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """Failing tests are a result: a TestRun with passed=False, and the guard says why."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")
    recorder.fail("run-tests", "3 tests failed")

    tested = desk.run_tests(release.id, by="ci")

    (run,) = tested.release.evidence_of(rk.TestRun)
    assert (False, ["failed"]) == (
        run.passed,
        [b.reason for b in desk.explain(release.id).blockers],
    )


def test_a_second_test_run_is_refused_while_the_first_holds_the_lease(desk: rk.Desk) -> None:
    """Two test runs never overlap: the second is told who holds tests and since when."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")
    desk.store.acquire(
        "test-run:tests", holder="olga (2.3.9)", now=FRIDAY, ttl=dt.timedelta(hours=1)
    )

    with pytest.raises(rk.exceptions.LeaseHeldError) as caught:
        desk.run_tests(release.id, by="ci")

    assert ("olga (2.3.9)", FRIDAY) == (caught.value.holder, caught.value.since)
    assert [] == list(desk.get(release.id).release.evidence_of(rk.TestRun))


def test_the_lease_is_given_back_after_a_run(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """After a run, nobody holds the tests environment."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")

    desk.run_tests(release.id, by="ci")

    assert None is desk.store.current("test-run:tests", now=clock.now())


def test_a_run_overlapping_the_daily_run_is_refused_with_the_next_free_time(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """At 23:45 UTC a run would overlap the midnight run; it may start at 01:30."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")
    clock.set(pendulum.datetime(2026, 11, 27, 23, 45, tz="UTC"))

    with pytest.raises(rk.exceptions.ScheduleConflictError) as caught:
        desk.run_tests(release.id, by="ci")

    assert pendulum.datetime(2026, 11, 28, 1, 30, tz="UTC") == caught.value.next_free
    assert () == recorder.calls_for("run-tests")


def test_tests_run_only_where_the_release_is(desk: rk.Desk) -> None:
    """A release still in sandbox-anton cannot have its tests run on tests."""
    release = desk.start("2.4.0", by="anton")

    with pytest.raises(rk.exceptions.InvalidInputError, match="promote it to tests"):
        desk.run_tests(release.id, by="ci", environment="tests")


def test_migrate_records_the_migration_run(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """Migrations run on stage through the executor and become a MigrationRun."""
    release, _ = walk_to(
        desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "stage", through_executors=True
    )

    migrated = desk.migrate(release.id, by="ci")

    (run,) = migrated.release.evidence_of(rk.MigrationRun)
    (call,) = recorder.calls_for("migrate")
    assert ("stage", ("0042_add_index",), True) == (run.environment, run.migrations, run.succeeded)
    assert ("0042_add_index",) == request_of(call, executors.MigrationRequest).migrations


def test_migrate_without_migrations_is_refused(desk: rk.Desk) -> None:
    """A release with no migrations has nothing to migrate."""
    release = desk.start("2.4.0", by="anton")
    desk.promote(release.id, by="anton")

    with pytest.raises(rk.exceptions.InvalidInputError, match="no migrations"):
        desk.migrate(release.id, by="ci", environment="tests")


def test_a_release_walks_to_production_through_a_fake_dt(
    clock: rk.FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the dt executor and a fake dt, a release goes from sandbox-anton to production."""
    program = write_fake_dt(tmp_path)
    calls = tmp_path / "argv.jsonl"
    monkeypatch.setenv("FAKE_DT_ARGV", str(calls))
    store = rk.stores.SqliteStore(tmp_path / "releases.db")
    desk = rk.Desk(
        rk.reference_policy(),
        store=store,
        executors=executors.dt(executors.DtExecutor(program=str(program))),
        clock=clock,
    )
    release, _ = walk_to(
        desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "stage", through_executors=True
    )
    desk.migrate(release.id, by="ci")
    desk.add_evidence(
        release.id,
        rk.SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3",)),
        rk.ChangeReview(by="ivan", at=clock.now(), version="2.4.0"),
    )
    with pytest.raises(rk.exceptions.PromotionRefusedError) as friday:
        desk.promote(release.id, by="maria")
    clock.set(SATURDAY)

    released = desk.promote(release.id, by="maria")

    assert (["production-window"], "production") == (
        [b.code for b in friday.value.blockers],
        released.state,
    )
    argv = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    assert [
        ["deploy", "tests", "2.4.0"],
        ["test", "--notify"],
        ["deploy", "sandbox", "2.4.0"],
        ["deploy", "stage", "2.4.0"],
        ["migrate", "stage", "2.4.0"],
        ["deploy", "production", "2.4.0"],
    ] == [call[:3] if call[0] != "test" else call for call in argv]
    store.close()
    with rk.stores.SqliteStore(tmp_path / "releases.db") as reopened:
        assert "production" == rk.stores.Ledger(reopened).load("2.4.0").state
        assert rk.stores.Ledger(reopened).verify("2.4.0").ok


def test_abandon_stops_a_release(desk: rk.Desk) -> None:
    """An abandoned release takes no further step."""
    release = desk.start("2.4.0", by="anton")

    abandoned = desk.abandon(release.id, by="anton", reason="superseded by 2.4.1")

    assert ("abandoned", "abandoned") == (abandoned.state, actions(desk, release.id)[-1])


def test_unknown_releases_are_reported(desk: rk.Desk) -> None:
    """Asking about a release that does not exist says so."""
    with pytest.raises(rk.exceptions.UnknownReleaseError):
        desk.explain("9.9.9")


def test_plan_and_explain_read_the_clock(desk: rk.Desk) -> None:
    """On Friday the plan points at Saturday 09:00; explain holds for the clock's now."""
    release = desk.start("2.4.0", by="anton")

    plan = desk.plan(release.id)

    assert (pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC"), FRIDAY) == (
        plan.earliest_production,
        desk.explain(release.id).at,
    )


def test_a_step_finishes_on_top_of_events_written_while_it_ran(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """Another tool's event during a long deploy does not make the deploy's end a conflict."""
    release = desk.start("2.4.0", by="anton")

    class SlowDeployer:
        def deploy(self, request: executors.DeployRequest, /) -> executors.Outcome:
            # While the deploy runs, another tool notes something on the release.
            desk.ledger.note(desk.get(request.release_id), action="notified", by="bot", at=FRIDAY)
            return executors.Outcome.success("deployed")

    desk.executors.register("deploy", SlowDeployer())
    clock.advance(minutes=1)

    moved = desk.promote(release.id, by="anton")

    assert "tests" == moved.state
    assert ["step-started", "notified", "step-finished"] == actions(desk, release.id)[-3:]


def test_the_tests_lease_lasts_as_long_as_the_runner_may_run(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """A runner allowed three hours holds the tests lease for those hours and a margin."""
    release, _ = walk_to(desk, desk.start("2.4.0", by="anton", artifact=ARTIFACT), "tests")
    seen: list[rk.stores.Lease | None] = []

    class SlowRunner:
        timeouts = executors.DtExecutor(timeouts={"run-tests": dt.timedelta(hours=3)}).timeouts

        def run_tests(self, _request: executors.TestRequest, /) -> executors.Outcome:
            seen.append(desk.store.current("test-run:tests", now=clock.now()))
            return executors.Outcome.success("passed")

    desk.executors.register("run-tests", SlowRunner())

    desk.run_tests(release.id, by="ci")

    (lease,) = seen
    assert lease is not None
    assert dt.timedelta(hours=3, minutes=5) == lease.expires - lease.since
