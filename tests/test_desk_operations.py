"""The Desk's environment operations: log review, production monitoring, rollback, owners."""

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import attrs
import pendulum
import pytest

import releasekit as rk
from fake_dt import write_fake_dt
from releasekit import executors
from releasekit._actions.logs import CheckStatus, LogReport
from releasekit.exceptions import NothingToRollBackError
from releasekit.testing import walk_to

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
ALL = ("sandbox-anton", "tests", "sandbox", "stage", "production")
R = TypeVar("R")


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="recorder")
def fixture_recorder() -> executors.DryRunExecutor:
    return executors.DryRunExecutor(logs={"production": ["09:12 ERROR quote: upstream timeout"]})


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock, recorder: executors.DryRunExecutor) -> rk.Desk:
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(recorder), clock=clock)


def request_of(call: executors.Call, kind: type[R]) -> R:
    """The call's request, checked to be of *kind*."""
    assert isinstance(call.request, kind)
    return call.request


def actions(desk: rk.Desk, release_id: str) -> list[str]:
    return [event.action.value for event in desk.history(release_id)]


def hotfix(desk: rk.Desk, version: str = "2.4.0") -> rk.stores.Record:
    """A hotfix of *version* (no production window to wait for) started by anton."""
    return desk.start(version, by="anton", kind="hotfix")


@attrs.define
class Collector:
    """A log collector whose batch for each environment is set by the test."""

    batches: dict[str, executors.LogBatch] = attrs.Factory(dict)
    crash: bool = False

    def collect_logs(self, request: executors.LogRequest, /) -> executors.LogBatch:
        """Return the batch set for the environment, an empty one, or crash."""
        if self.crash:
            message = "the log API is down"
            raise ConnectionError(message)
        return self.batches.get(
            request.environment,
            executors.LogBatch(
                environment=request.environment,
                since=request.since,
                outcome=executors.Outcome.success("collected"),
            ),
        )


# ---------------------------------------------------------------------------
# Log review
# ---------------------------------------------------------------------------


def test_collect_logs_reads_every_environment_since_the_last_move(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """One report holds the logs of all five environments, since the release reached sandbox."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]
    clock.advance(hours=1)

    report = desk.collect_logs(release.id)

    requests = [
        request_of(call, executors.LogRequest) for call in recorder.calls_for("collect-logs")
    ]
    assert list(ALL) == [request.environment for request in requests]
    assert {release.last_moved_at} == {request.since for request in requests}
    assert (frozenset(ALL), (), 1, release.id) == (
        report.covered,
        report.gaps,
        report.error_count,
        report.release_id,
    )


def test_collect_logs_without_a_release_reaches_back_a_day(desk: rk.Desk) -> None:
    """Without a release or an instant, the report covers the last 24 hours."""
    report = desk.collect_logs()

    assert (FRIDAY - dt.timedelta(hours=24), None) == (report.since, report.release_id)


def test_the_report_names_what_could_not_be_collected_and_why(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """A failed collection, a cut output and a crashing plug-in are gaps, with their reasons."""
    collector = Collector()
    collector.batches["stage"] = executors.LogBatch(
        environment="stage",
        since=FRIDAY,
        entries=("first", "last"),
        error_count=90_000,
        complete=False,
        outcome=executors.Outcome.success("collected"),
    )
    desk.executors.register("collect-logs", collector, environment="stage")
    desk.executors.register("collect-logs", Collector(crash=True), environment="sandbox")
    recorder.fail("collect-logs", "dt logs: permission denied")

    report = desk.collect_logs(since=FRIDAY)

    assert (frozenset(), ("sandbox-anton", "tests", "sandbox", "stage", "production")) == (
        report.covered,
        report.uncovered,
    )
    reasons = {gap.environment: gap.reason for gap in report.gaps}
    assert "the collection failed: dt logs: permission denied" == reasons["tests"]
    assert "ConnectionError: the log API is down" in reasons["sandbox"]
    assert "only the head and tail of 90000 entries" in reasons["stage"]
    text = str(report)
    assert "sandbox: NOT COLLECTED: the log collector raised ConnectionError" in text
    assert "stage: 90000 errors (INCOMPLETE: the output was too long" in text


def test_a_missing_collector_is_a_gap(clock: rk.FixedClock) -> None:
    """An environment without a log collector is reported, not skipped silently."""
    registry = executors.Registry()
    registry.register("collect-logs", Collector(), environment="production")
    desk = rk.Desk(rk.reference_policy(), executors=registry, clock=clock)

    report = desk.collect_logs()

    assert frozenset({"production"}) == report.covered
    assert "no executor is registered to collect-logs in tests" in str(report.gap("tests"))


def test_the_report_reads_as_text(desk: rk.Desk) -> None:
    """str(report) is a summary line, then each environment with its entries."""
    report = desk.collect_logs(since=FRIDAY)

    assert [
        "Error logs since Fri 2026-11-27 10:00 UTC (collected Fri 2026-11-27 10:00 UTC)",
        "5 environments: 4 clean, 1 with errors, 0 not collected completely; 1 error in all",
        "",
        "sandbox-anton: clean",
        "tests: clean",
        "sandbox: clean",
        "stage: clean",
        "production: 1 error",
        "    09:12 ERROR quote: upstream timeout",
    ] == str(report).splitlines()


def test_a_clean_review_of_every_environment_opens_stage(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """The reviewer's verdict becomes the LogReview the logs-reviewed guard reads."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]
    desk.add_evidence(release.id, rk.SignOff(by="maria", at=clock.now(), environment="sandbox"))
    report = desk.collect_logs(release.id)

    reviewed = desk.review_logs(
        release.id, report, by="ivan", verdict="clean", note="the timeout is known"
    )

    (review,) = reviewed.release.evidence_of(rk.LogReview)
    assert (frozenset(ALL), rk.LogVerdict.CLEAN, "the timeout is known", report.collected_at) == (
        review.environments,
        review.verdict,
        review.note,
        review.at,
    )
    assert desk.explain(release.id).allowed


def test_a_review_covers_only_what_was_collected_completely(desk: rk.Desk) -> None:
    """When stage's logs are missing the review says so, and the guard still asks for them."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]
    desk.executors.register("collect-logs", Collector(crash=True), environment="stage")
    report = desk.collect_logs(release.id)

    reviewed = desk.review_logs(release.id, report, by="ivan", verdict="clean")

    (review,) = reviewed.release.evidence_of(rk.LogReview)
    assert frozenset(ALL) - {"stage"} == review.environments
    assert review.note.startswith("not covered: the logs of stage could not be collected")
    (blocker,) = [b for b in desk.explain(release.id).blockers if b.code == "logs-reviewed"]
    assert ("missing", True) == (blocker.reason, "stage" in blocker.message)


def test_a_report_for_another_release_is_refused(desk: rk.Desk) -> None:
    """A review is recorded only on the release its report was collected for."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]
    other = desk.start("2.5.0", by="anton")
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.review_logs(release.id, desk.collect_logs(other.id), by="ivan", verdict="clean")

    assert ("report", other.id) == (caught.value.field, caught.value.value)
    assert before == actions(desk, release.id)


def test_a_report_that_covers_nothing_is_refused(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """With no environment's logs collected, there is nothing to review."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]
    recorder.fail("collect-logs", "dt is down")
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.review_logs(release.id, desk.collect_logs(release.id), by="ivan", verdict="clean")

    assert ("report", ALL) == (caught.value.field, caught.value.value)
    assert before == actions(desk, release.id)


def test_the_log_report_type_is_frozen(desk: rk.Desk) -> None:
    """A report is a value: it cannot be changed after it was collected."""
    report = desk.collect_logs()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        report.release_id = "x"  # type: ignore[misc]
    assert isinstance(report, LogReport)


# ---------------------------------------------------------------------------
# Production monitoring
# ---------------------------------------------------------------------------


def test_monitoring_begins_in_production(desk: rk.Desk) -> None:
    """A release that has not reached production has no log checks yet."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]

    with pytest.raises(
        rk.exceptions.InvalidInputError, match="has not reached production"
    ) as caught:
        desk.monitoring(release.id)

    assert "release_id" == caught.value.field


def test_monitoring_lists_overdue_due_and_upcoming_checks(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """2 h 30 after reaching production with no check: one overdue, one due, the next at 3 h."""
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    entered = clock.now()
    clock.advance(hours=2, minutes=30)

    monitoring = desk.monitoring(release.id)

    assert [
        (entered.add(hours=1), CheckStatus.OVERDUE),
        (entered.add(hours=2), CheckStatus.DUE),
        (entered.add(hours=3), CheckStatus.UPCOMING),
    ] == [(check.due_at, check.status) for check in monitoring.checks]
    assert (entered, entered.add(hours=1), False) == (
        monitoring.since,
        monitoring.next_due,
        monitoring.up_to_date,
    )


def test_a_good_check_is_recorded_and_the_next_reads_from_it(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """A clean check records logs-checked; the next check collects only the logs since it."""
    recorder.logs.clear()
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    entered = clock.now()
    clock.advance(hours=1, minutes=2)

    first = desk.check_production(release.id, by="log-monitor")
    clock.advance(hours=1)
    second = desk.check_production(release.id, by="log-monitor")

    assert (False, entered, first.at) == (first.bad, first.since, second.since)
    assert ["logs-checked", "logs-checked"] == actions(desk, release.id)[-2:]
    assert () == desk.get(release.id).attention
    assert [CheckStatus.DONE, CheckStatus.DONE, CheckStatus.UPCOMING] == [
        check.status for check in desk.monitoring(release.id).checks
    ]


def test_a_late_check_covers_the_missed_ones(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """A check 2 h 30 in satisfies the first hour (late) and the second."""
    recorder.logs.clear()
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    clock.advance(hours=2, minutes=30)

    desk.check_production(release.id, by="log-monitor")

    monitoring = desk.monitoring(release.id)
    assert [CheckStatus.LATE, CheckStatus.DONE, CheckStatus.UPCOMING] == [
        check.status for check in monitoring.checks
    ]
    assert (clock.now(), True) == (monitoring.last_checked_at, monitoring.up_to_date)


def test_a_check_finding_errors_notifies_at_once_and_needs_attention(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """Errors in the production logs notify the team and raise log-check:production."""
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    clock.advance(hours=1)

    check = desk.check_production(release.id, by="log-monitor")

    (call,) = recorder.calls_for("notify")
    notice = request_of(call, executors.Notice)
    assert (True, "log-check:production", ("production", release.id)) == (
        check.bad,
        check.attention_key,
        (notice.environment, notice.release_id),
    )
    assert "1 error in the logs since" in notice.message
    assert "upstream timeout" in notice.message
    (attention,) = desk.get(release.id).attention
    assert ("log-check:production", notice.message) == (attention.key, attention.message)
    assert ["logs-checked", "attention-needed", "notified"] == actions(desk, release.id)[-3:]


def test_logs_that_cannot_be_collected_are_a_bad_check(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """If production's logs cannot be read, that is as bad as errors in them."""
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    recorder.fail("collect-logs", "dt logs: connection refused")

    check = desk.check_production(release.id, by="log-monitor")

    assert check.bad
    assert "could not be collected: dt logs: connection refused" in check.problem
    assert 1 == len(recorder.calls_for("notify"))
    assert ("log-check:production",) == tuple(a.key for a in desk.get(release.id).attention)


def test_a_failed_notification_still_leaves_the_attention_item(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """When the team cannot be told, the attention item and the failed notice are recorded."""
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    recorder.fail("notify", "chat is down")

    check = desk.check_production(release.id, by="log-monitor")

    assert check.notice is not None
    assert (executors.Status.FAILED, 1) == (
        check.notice.status,
        len(desk.get(release.id).attention),
    )
    notified = desk.history(release.id)[-1]
    assert ("notified", "failed") == (notified.action.value, notified.data["status"])


def test_attention_is_cleared_once_dealt_with(desk: rk.Desk) -> None:
    """clear_attention closes the item and records who dealt with it."""
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    check = desk.check_production(release.id, by="log-monitor")
    assert check.attention_key is not None

    desk.clear_attention(release.id, check.attention_key, by="olga", reason="upstream fixed")

    assert ((), "attention-cleared") == (
        desk.get(release.id).attention,
        actions(desk, release.id)[-1],
    )
    with pytest.raises(rk.exceptions.InvalidInputError, match="no open attention item"):
        desk.clear_attention(release.id, check.attention_key, by="olga", reason="again")


def test_a_replaced_release_is_no_longer_checked(desk: rk.Desk, clock: rk.FixedClock) -> None:
    """Once 2.5.0 runs in production, checking 2.4.0 is refused and its schedule ends."""
    old = walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    clock.advance(minutes=30)
    new, _ = walk_to(
        desk,
        hotfix(desk, "2.5.0"),
        "production",
        every=dt.timedelta(minutes=1),
        through_executors=True,
    )
    before = actions(desk, old.id)

    with pytest.raises(rk.exceptions.InvalidInputError, match=r"2\.5\.0 replaced it") as caught:
        desk.check_production(old.id, by="log-monitor")

    assert ("release_id", before) == (caught.value.field, actions(desk, old.id))
    monitoring = desk.monitoring(old.id)
    assert (new.last_moved_at, None) == (monitoring.until, monitoring.next_due)


class CountingStore(rk.stores.MemoryStore):
    """A memory store that names each release it reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def read_release(
        self, release_id: str, *, with_state: str | None = None
    ) -> rk.stores.StoredRelease | None:
        """Name the release, then read it."""
        self.reads.append(release_id)
        return super().read_release(release_id, with_state=with_state)


@attrs.define
class Meanwhile:
    """A log collector that, while it collects, lets *during* act on the store."""

    store: CountingStore
    during: Callable[[], object] = lambda: None

    def collect_logs(self, request: executors.LogRequest, /) -> executors.LogBatch:
        """Run *during*, forget the reads made so far, and collect nothing."""
        self.during()
        self.store.reads.clear()
        return executors.LogBatch(
            environment=request.environment,
            since=request.since,
            outcome=executors.Outcome.success("collected"),
        )


def checking_desk(clock: rk.FixedClock) -> tuple[rk.Desk, rk.Release, Meanwhile]:
    """A desk with a release in production, whose production logs a Meanwhile collects."""
    store = CountingStore()
    collector = Meanwhile(store)
    registry = executors.dry_run()
    registry.register("collect-logs", collector, environment="production")
    desk = rk.Desk(rk.reference_policy(), store=store, executors=registry, clock=clock)
    return desk, walk_to(desk, hotfix(desk), "production", through_executors=True)[0], collector


def test_a_check_reads_the_release_no_more_once_the_logs_are_collected(
    clock: rk.FixedClock,
) -> None:
    """Nothing changed while the logs were read: the check is written on the release as loaded."""
    desk, release, collector = checking_desk(clock)

    desk.check_production(release.id, by="log-monitor")

    assert ([], "logs-checked") == (collector.store.reads, actions(desk, release.id)[-1])


def test_a_check_is_written_after_what_happened_while_the_logs_were_collected(
    clock: rk.FixedClock,
) -> None:
    """An event written during the collection is kept; the check lands after it, and verifies."""
    desk, release, collector = checking_desk(clock)
    ledger = desk.ledger
    collector.during = lambda: ledger.note(
        ledger.load(release.id), action="notified", by="bot", at=clock.now()
    )

    desk.check_production(release.id, by="log-monitor")

    assert ["notified", "logs-checked"] == actions(desk, release.id)[-2:]
    assert [release.id] == collector.store.reads  # read again once, to write on top
    assert desk.verify(release.id).ok


def test_a_production_check_runs_through_a_fake_dt(
    clock: rk.FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the dt executor, each line `dt logs` prints is one error."""
    program = write_fake_dt(tmp_path)
    calls = tmp_path / "argv.jsonl"
    monkeypatch.setenv("FAKE_DT_ARGV", str(calls))
    desk = rk.Desk(
        rk.reference_policy(),
        executors=executors.dt(executors.DtExecutor(program=str(program))),
        clock=clock,
    )
    release = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    entered = clock.now()
    calls.unlink()
    monkeypatch.setenv("FAKE_DT_LINES", "2")
    clock.advance(hours=1)

    check = desk.check_production(release.id, by="log-monitor")

    argv = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    assert ["logs", "production", "--since", entered.isoformat()] == argv[0]
    assert "notify" == argv[1][0]
    assert (2, True) == (check.batch.error_count if check.batch else None, check.bad)


# ---------------------------------------------------------------------------
# Rollback
# ---------------------------------------------------------------------------


def test_roll_back_deploys_the_previous_version_and_retires_the_current_one(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """2.5.0 goes to rolled-back; 2.4.0 is deployed again with rollback_of=2.5.0."""
    old = walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    new = walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    recorder.clear()
    clock.advance(minutes=20)

    rollback = desk.roll_back(by="olga", reason="2.5.0 breaks quotes")

    (call,) = recorder.calls
    request = request_of(call, executors.DeployRequest)
    assert ("production", "2.4.0", "2.5.0", old.id) == (
        request.environment,
        request.version,
        request.rollback_of,
        request.release_id,
    )
    assert ("rolled-back", old.id, "production") == (
        rollback.rolled_back.state,
        rollback.restored.id,
        desk.get(old.id).state,
    )
    assert ["step-started", "step-finished", "rolled-back"] == actions(desk, new.id)[-3:]
    assert "2.5.0 breaks quotes" == desk.history(new.id)[-1].reason


def test_after_a_rollback_the_restored_release_runs_and_is_monitored_anew(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """2.4.0 runs again from the rollback on; its checks fall due from then."""
    old = walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    clock.advance(minutes=20)
    rollback = desk.roll_back(by="olga", reason="broken")

    running = [d for d in desk.deployments() if d.running]

    assert [(old.id, rollback.at)] == [(d.release.id, d.live_since) for d in running]
    assert rollback.at.add(hours=1) == desk.monitoring(old.id).next_due


def test_a_second_rollback_goes_one_version_further_back(desk: rk.Desk) -> None:
    """Rolled-back releases are skipped: after 2.6.0 and 2.5.0, 2.4.0 runs."""
    first = walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    walk_to(desk, hotfix(desk, "2.6.0"), "production", through_executors=True)[0]

    desk.roll_back(by="olga", reason="2.6.0 broken")
    second = desk.roll_back(by="olga", reason="2.5.0 broken too")

    assert ("2.5.0", first.id) == (second.rolled_back.id, second.restored.id)


def test_nothing_to_roll_back_to_is_refused_and_changes_nothing(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """With nothing or only one release in production, there is no earlier version."""
    with pytest.raises(NothingToRollBackError) as empty:
        desk.roll_back(by="olga", reason="x")
    only = walk_to(desk, hotfix(desk), "production", through_executors=True)[0]
    before = (actions(desk, only.id), len(recorder.calls))

    with pytest.raises(NothingToRollBackError) as single:
        desk.roll_back(by="olga", reason="x")

    assert (("production", None), ("production", only.id)) == (
        (empty.value.environment, empty.value.current),
        (single.value.environment, single.value.current),
    )
    assert "fix it forward with a hotfix" in str(single.value)
    assert before == (actions(desk, only.id), len(recorder.calls))


def test_a_failed_rollback_deploy_leaves_everything_as_it_was(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """The failed deploy is recorded on the current release, which stays in production."""
    old = walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    new = walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    recorder.fail("deploy", "production is unreachable")

    with pytest.raises(rk.exceptions.ExecutorFailedError, match="production is unreachable"):
        desk.roll_back(by="olga", reason="broken")

    assert ("production", None, "step-failed") == (
        desk.get(new.id).state,
        desk.get(new.id).attempt,
        actions(desk, new.id)[-1],
    )
    assert [new.id] == [d.release.id for d in desk.deployments() if d.running]
    recorder.succeed("deploy")
    assert old.id == desk.roll_back(by="olga", reason="broken").restored.id


def test_roll_back_refuses_a_release_that_does_not_run_there(desk: rk.Desk) -> None:
    """The release_id safeguard: rolling back 2.4.0 while 2.5.0 runs is refused."""
    old = walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    new = walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    before = actions(desk, new.id)

    with pytest.raises(
        rk.exceptions.InvalidInputError, match=r"2\.5\.0 \(2\.5\.0\) does"
    ) as caught:
        desk.roll_back(by="olga", reason="x", release_id=old.id)

    assert ("release_id", before) == (caught.value.field, actions(desk, new.id))


def test_only_the_last_environment_is_rolled_back(desk: rk.Desk) -> None:
    """Stage runs what was promoted last; it is not rolled back."""
    with pytest.raises(
        rk.exceptions.InvalidInputError, match="only production can be rolled back"
    ) as caught:
        desk.roll_back(by="olga", reason="x", environment="stage")

    assert ("environment", "stage", []) == (caught.value.field, caught.value.value, desk.releases())


def test_an_interrupted_rollback_is_resumed(
    desk: rk.Desk, clock: rk.FixedClock, recorder: executors.DryRunExecutor
) -> None:
    """A rollback whose process died is finished by resume: deploy again, then roll back."""
    walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    new = walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    desk.ledger.begin_attempt(
        desk.get(new.id), capability="deploy", by="olga", at=clock.now(), environment="production"
    )
    recorder.clear()

    resumed = desk.resume(new.id, by="olga")

    (call,) = recorder.calls
    assert ("rolled-back", "2.5.0") == (
        resumed.state,
        request_of(call, executors.DeployRequest).rollback_of,
    )


# ---------------------------------------------------------------------------
# Sandbox-anton accepts actions from its owner only
# ---------------------------------------------------------------------------


def test_nobody_but_the_owner_runs_tests_or_migrations_in_sandbox_anton(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """maria may neither run tests nor migrate in anton's sandbox; nothing runs or is recorded."""
    release = desk.start("2.4.0", by="anton", artifact=rk.Artifact(migrations=("0042_add_index",)))
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.NotPermittedError) as tests:
        desk.run_tests(release.id, by="maria", environment="sandbox-anton")
    with pytest.raises(rk.exceptions.NotPermittedError) as migrations:
        desk.migrate(release.id, by="maria", environment="sandbox-anton")

    assert (("maria", ("anton",)), ("maria", ("anton",))) == (
        (tests.value.actor, tests.value.allowed),
        (migrations.value.actor, migrations.value.allowed),
    )
    assert (before, ()) == (actions(desk, release.id), recorder.calls)
    tested = desk.run_tests(release.id, by="anton", environment="sandbox-anton")
    assert ["sandbox-anton"] == [run.environment for run in tested.release.evidence_of(rk.TestRun)]


def test_nobody_but_the_owner_records_evidence_in_sandbox_anton(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """A bot may not record anton's TestsWritten for him in his sandbox."""
    release = desk.start("2.4.0", by="anton")
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.NotPermittedError) as caught:
        desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now()), by="ci-bot")

    assert ("ci-bot", "record a TestsWritten") == (caught.value.actor, caught.value.action)
    assert before == actions(desk, release.id)


def test_nobody_but_the_owner_abandons_a_release_or_step_in_sandbox_anton(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """maria may not abandon, resume or give up a step of a release in anton's sandbox."""
    release = desk.start("2.4.0", by="anton")
    with pytest.raises(rk.exceptions.NotPermittedError):
        desk.abandon(release.id, by="maria")
    desk.ledger.begin_attempt(
        desk.get(release.id), capability="deploy", by="anton", at=clock.now(), target="tests"
    )
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.NotPermittedError):
        desk.resume(release.id, by="maria")
    with pytest.raises(rk.exceptions.NotPermittedError):
        desk.abandon_attempt(release.id, by="maria", reason="x")

    assert (before, "sandbox-anton") == (actions(desk, release.id), desk.get(release.id).state)


def test_only_the_last_environment_s_owners_roll_it_back_or_check_it(clock: rk.FixedClock) -> None:
    """With a production owned by olga, maria may neither roll it back nor check its logs."""
    reference = rk.reference_policy()
    policy = reference.with_environments(
        attrs.evolve(env, owners=frozenset({"olga"})) if env.name == "production" else env
        for env in reference.environments
    )
    desk = rk.Desk(policy, clock=clock)
    walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    new = walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    before = actions(desk, new.id)

    with pytest.raises(rk.exceptions.NotPermittedError) as rollback:
        desk.roll_back(by="maria", reason="broken")
    with pytest.raises(rk.exceptions.NotPermittedError) as check:
        desk.check_production(new.id, by="maria")

    assert [("roll back", ("olga",)), ("check the logs", ("olga",))] == [
        (error.value.action, error.value.allowed) for error in (rollback, check)
    ]
    assert before == actions(desk, new.id)


def test_a_rollback_needs_a_reason(desk: rk.Desk) -> None:
    """An empty reason is refused before anything runs."""
    walk_to(desk, hotfix(desk, "2.4.0"), "production", through_executors=True)[0]
    new = walk_to(desk, hotfix(desk, "2.5.0"), "production", through_executors=True)[0]
    before = actions(desk, new.id)

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.roll_back(by="olga", reason="  ")

    assert ("reason", before) == (caught.value.field, actions(desk, new.id))


# ---------------------------------------------------------------------------
# People are compared by their identity, however their name is typed
# ---------------------------------------------------------------------------


def test_anton_in_capitals_acts_in_his_sandbox(
    desk: rk.Desk, recorder: executors.DryRunExecutor
) -> None:
    """'ANTON' is anton: he starts, runs the tests and promotes; the history names anton."""
    release = desk.start("2.4.0", by="ANTON")
    desk.run_tests(release.id, by=" Anton ", environment="sandbox-anton")
    moved = desk.promote(release.id, by="ANTON")

    assert ("tests", "anton", "anton") == (
        moved.state,
        moved.release.created_by,
        moved.release.moves[-1].by,
    )
    assert {"anton"} == {event.actor for event in desk.history(release.id)}
    assert ["run-tests", "deploy"] == [call.capability for call in recorder.calls]


@pytest.mark.parametrize("who", ["anton\u200b", "an\u200dton", "anton\ufe0f", "\u202eanton"])
def test_anton_with_an_invisible_character_is_refused_with_a_clear_error(
    desk: rk.Desk, who: str
) -> None:
    """A name that merely looks like anton is bad input: nothing is asked, run or written."""
    release = desk.start("2.4.0", by="anton")
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        desk.promote(release.id, by=who)

    assert ("by", who) == (caught.value.field, caught.value.value)
    assert "type the name without it" in str(caught.value)
    assert (before, "sandbox-anton") == (actions(desk, release.id), desk.get(release.id).state)


def test_a_name_that_is_no_one_is_refused_before_a_refusal_is_recorded(desk: rk.Desk) -> None:
    """An empty actor is not 'someone who may not act here': no refusal naming nobody is written."""
    release = desk.start("2.4.0", by="anton")
    before = actions(desk, release.id)

    with pytest.raises(rk.exceptions.InvalidInputError, match="names nobody"):
        desk.promote(release.id, by="  ")

    assert before == actions(desk, release.id)


def test_a_sign_off_by_team_lead_reads_back_as_their_identity(
    desk: rk.Desk, clock: rk.FixedClock
) -> None:
    """' Team-Lead ' signs off; the stored release and its history say team-lead."""
    release = walk_to(desk, hotfix(desk), "sandbox", through_executors=True)[0]

    desk.add_evidence(
        release.id, rk.SignOff(by=" Team-Lead ", at=clock.now(), environment="sandbox")
    )

    stored = desk.get(release.id).release.evidence_of(rk.SignOff)
    assert ["team-lead"] == [item.by for item in stored]
    assert "team-lead" == desk.history(release.id)[-1].actor
    assert desk.verify(release.id).ok


def test_explaining_for_an_actor_compares_identities(desk: rk.Desk) -> None:
    """explain(actor='Anton') finds no owner problem; for 'Maria' it names maria."""
    release = desk.start("2.4.0", by="anton")

    explained = desk.explain(release.id, actor="Anton")
    refused = desk.explain(release.id, actor="Maria")

    assert ([], ["owner-only"]) == (
        [blocker.code for blocker in explained.blockers],
        [blocker.code for blocker in refused.blockers],
    )
    assert "maria may not act in sandbox-anton" in refused.blockers[0].message
