"""Log reports and the arithmetic of production monitoring."""

import datetime as dt

import pendulum
import pytest

from releasekit import LogMonitoring
from releasekit._actions.logs import (
    CheckStatus,
    LogGap,
    LogReport,
    Monitoring,
    attention_key,
    schedule,
    unlisted,
)
from releasekit.executors import LogBatch, Outcome

START = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")
HOURLY = LogMonitoring(every=dt.timedelta(hours=1))


def batch(environment: str, *entries: str, complete: bool = True) -> LogBatch:
    return LogBatch(
        environment=environment,
        since=START,
        entries=entries,
        error_count=len(entries),
        complete=complete,
        outcome=Outcome.success("collected"),
    )


def statuses(checks: tuple[object, ...]) -> list[tuple[int, str]]:
    return [(c.due_at.hour, c.status.value) for c in checks]  # type: ignore[attr-defined]


@pytest.fixture(name="report")
def fixture_report() -> LogReport:
    return LogReport(
        environments=("tests", "stage", "production"),
        since=START,
        collected_at=START.add(hours=1),
        batches=(batch("tests"), batch("production", "e1", "e2", "e3", complete=False)),
        gaps=(
            LogGap(environment="stage", reason="dt is down"),
            LogGap(environment="production", reason="only the head and tail were kept"),
        ),
    )


def test_a_report_covers_only_complete_collections(report: LogReport) -> None:
    """Missing and cut-short logs are uncovered; the totals count what was collected."""
    assert (frozenset({"tests"}), ("stage", "production")) == (report.covered, report.uncovered)
    assert (3, False, False) == (report.error_count, report.complete, report.clean)


def test_a_report_renders_entries_up_to_a_limit(report: LogReport) -> None:
    """Each environment shows its entries; beyond the limit they are counted."""
    assert [
        "Error logs since Sat 2026-11-28 09:00 UTC (collected Sat 2026-11-28 10:00 UTC)",
        "3 environments: 1 clean, 1 with errors, 2 not collected completely; 3 errors in all",
        "",
        "tests: clean",
        "stage: NOT COLLECTED: dt is down",
        "production: 3 errors (INCOMPLETE: only the head and tail were kept)",
        "    e1",
        "    e2",
        "    … 1 more",
    ] == report.render(entries=2).splitlines()


def test_an_empty_clean_report_is_clean() -> None:
    """Every environment collected, no error: the report is clean."""
    report = LogReport(
        environments=("tests",), since=START, collected_at=START, batches=(batch("tests"),)
    )

    assert (True, None, None) == (report.clean, report.gap("tests"), report.batch("stage"))


def test_checks_fall_due_every_hour_after_the_deployment() -> None:
    """With no check at 11:30: 10:00 overdue, 11:00 due, 12:00 upcoming."""
    checks = schedule(HOURLY, since=START, checks=(), now=START.add(hours=2, minutes=30))

    assert [(10, "overdue"), (11, "due"), (12, "upcoming")] == statuses(checks)


def test_a_check_satisfies_the_hour_it_falls_in() -> None:
    """Checks at 10:05 and 11:10 satisfy 10:00 and 11:00; one before 10:00 counts for nothing."""
    checks = schedule(
        HOURLY,
        since=START,
        checks=(
            START.add(minutes=30),
            START.add(hours=1, minutes=5),
            START.add(hours=2, minutes=10),
        ),
        now=START.add(hours=2, minutes=30),
    )

    assert [(10, "done"), (11, "done"), (12, "upcoming")] == statuses(checks)
    assert START.add(hours=1, minutes=5) == checks[0].checked_at


def test_a_late_check_covers_every_missed_one() -> None:
    """A check at 12:15 satisfies 10:00 and 11:00 late, and 12:00 in time."""
    late = START.add(hours=3, minutes=15)

    checks = schedule(HOURLY, since=START, checks=(late,), now=late)

    assert [(10, "late"), (11, "late"), (12, "done"), (13, "upcoming")] == statuses(checks)


def test_checks_before_the_deployment_or_after_now_are_ignored() -> None:
    """Only checks between the deployment and now count."""
    checks = schedule(
        HOURLY,
        since=START,
        checks=(START.subtract(hours=1), START.add(hours=5)),
        now=START.add(hours=1, minutes=1),
    )

    assert [(10, "due"), (11, "upcoming")] == statuses(checks)


def test_no_check_falls_due_after_the_release_stopped_running() -> None:
    """Replaced at 11:30, the release has no 12:00 check and none upcoming."""
    checks = schedule(
        HOURLY,
        since=START,
        checks=(),
        now=START.add(hours=5),
        until=START.add(hours=2, minutes=30),
    )

    assert [(10, "overdue"), (11, "overdue")] == statuses(checks)


def test_right_after_the_deployment_only_the_first_check_is_upcoming() -> None:
    """At the deployment itself nothing is due yet."""
    checks = schedule(HOURLY, since=START, checks=(), now=START)

    assert [(10, "upcoming")] == statuses(checks)


def test_monitoring_summarises_its_checks() -> None:
    """done, due, overdue and next_due read the schedule."""
    now = START.add(hours=3, minutes=30)
    checks = schedule(HOURLY, since=START, checks=(START.add(hours=2, minutes=5),), now=now)
    monitoring = Monitoring(
        release_id="r1",
        environment="production",
        every=HOURLY.every,
        since=START,
        until=None,
        at=now,
        checks=checks,
    )

    assert (2, 1, 0, START.add(hours=3)) == (
        len(monitoring.done),
        len(monitoring.due),
        len(monitoring.overdue),
        monitoring.next_due,
    )
    assert [CheckStatus.LATE, CheckStatus.DONE, CheckStatus.DUE, CheckStatus.UPCOMING] == [
        check.status for check in monitoring.checks
    ]


@pytest.mark.parametrize("done", [(), (START.add(hours=2, minutes=5),), (START.add(hours=7),)])
@pytest.mark.parametrize("limit", [1, 3, 6, 50])
def test_a_limited_schedule_is_the_tail_of_the_whole_one(
    done: tuple[pendulum.DateTime, ...], limit: int
) -> None:
    """With a limit: the latest checks as the whole schedule has them, the others counted."""
    now = START.add(hours=8, minutes=30)
    whole = schedule(HOURLY, since=START, checks=done, now=now)
    listed = schedule(HOURLY, since=START, checks=done, now=now, limit=limit)

    left_out = whole[: max(0, len(whole) - 1 - limit)]
    missed = sum(1 for check in left_out if check.status is CheckStatus.OVERDUE)
    assert whole[len(left_out) :] == listed
    assert (len(left_out), missed) == unlisted(
        HOURLY, since=START, checks=done, now=now, limit=limit
    )


def test_monitoring_counts_the_missed_checks_it_does_not_list() -> None:
    """Eight checks missed, two listed: not up to date, the first missed one is next due."""
    now = START.add(hours=8, minutes=30)
    monitoring = Monitoring(
        release_id="r1",
        environment="production",
        every=HOURLY.every,
        since=START,
        until=None,
        at=now,
        checks=schedule(HOURLY, since=START, checks=(), now=now, limit=2),
        earlier=6,
        earlier_overdue=6,
    )

    assert (False, START.add(hours=1), 3) == (
        monitoring.up_to_date,
        monitoring.next_due,
        len(monitoring.checks),
    )


def test_the_attention_key_names_the_environment() -> None:
    """A bad check of production raises log-check:production."""
    assert "log-check:production" == attention_key("production")
