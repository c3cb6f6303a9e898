"""The dry-run executor: it remembers every call."""

from __future__ import annotations

import datetime as dt
import logging

import pendulum
import pytest

from releasekit.exceptions import InvalidInputError
from releasekit.executors import (
    AdjustmentRequest,
    Call,
    Capability,
    DeployRequest,
    DryRunExecutor,
    DtExecutor,
    LogRequest,
    MigrationRequest,
    Notice,
    Outcome,
    RestoreRequest,
    Status,
    TestRequest,
    dry_run,
)

SINCE = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")
DEPLOY = DeployRequest(release_id="r1", version="2.4.0", environment="stage")


def test_every_call_is_recorded_in_order_with_its_outcome() -> None:
    """Each capability records (capability, request, outcome) and succeeds."""
    recorder = DryRunExecutor()
    requests = (
        DEPLOY,
        TestRequest(environment="tests", version="2.4.0"),
        LogRequest(environment="stage", since=SINCE),
        MigrationRequest(environment="stage", version="2.4.0"),
        Notice(message="2.4.0 is on stage"),
        AdjustmentRequest(environment="production", operation="fix", operator="olga"),
        RestoreRequest(source="production", target="sandbox-anton"),
    )

    recorder.deploy(requests[0])
    recorder.run_tests(requests[1])
    recorder.collect_logs(requests[2])
    recorder.migrate(requests[3])
    recorder.notify(requests[4])
    recorder.adjust_data(requests[5])
    recorder.restore_data(requests[6])

    assert list(Capability) == [call.capability for call in recorder.calls]
    assert requests == tuple(call.request for call in recorder.calls)
    assert all(call.outcome.ok for call in recorder.calls)
    assert [
        "dry run: would deploy 2.4.0 to stage",
        "dry run: would run the automatic tests against 2.4.0 on tests",
        "dry run: would collect the logs of stage since 2026-11-28T09:00:00+00:00",
        "dry run: would run the migrations of 2.4.0 on stage",
        "dry run: would notify: 2.4.0 is on stage",
        "dry run: would run the data adjustment fix on production",
        "dry run: would restore the data of production into sandbox-anton",
    ] == [call.outcome.summary for call in recorder.calls]


def test_a_rollback_is_described_as_one() -> None:
    """A deploy that rolls back says so."""
    request = DeployRequest(
        release_id="r1", version="2.3.1", environment="production", rollback_of="2.4.0"
    )

    outcome = DryRunExecutor().deploy(request)

    assert "dry run: would roll production back from 2.4.0 to 2.3.1" == outcome.summary


def test_a_configured_failure_is_returned_for_its_capability_only() -> None:
    """failures= makes one capability fail (a sentence or a full Outcome); others succeed."""
    timed_out = Outcome(status="timed-out", summary="tests hung", timeout=dt.timedelta(hours=2))
    failures: dict[str, Outcome | str] = {"deploy": "environment busy", "run-tests": timed_out}
    recorder = DryRunExecutor(failures=failures)

    deployed = recorder.deploy(DEPLOY)
    tested = recorder.run_tests(TestRequest(environment="tests", version="2.4.0"))
    migrated = recorder.migrate(MigrationRequest(environment="stage", version="2.4.0"))

    assert (Status.FAILED, "environment busy") == (deployed.status, deployed.summary)
    assert timed_out is tested
    assert migrated.ok
    assert 3 == len(recorder.calls)


def test_fail_and_succeed_switch_a_capability_between_calls() -> None:
    """A test can make the next call fail, then let the retry succeed."""
    recorder = DryRunExecutor()

    recorder.fail("deploy", "environment busy")
    first = recorder.deploy(DEPLOY)
    recorder.succeed(Capability.DEPLOY)
    second = recorder.deploy(DEPLOY)

    assert [False, True] == [first.ok, second.ok]
    assert 2 == len(recorder.calls_for("deploy"))


def test_a_bad_failure_is_refused() -> None:
    """A failure is an Outcome or a non-empty sentence."""
    with pytest.raises(InvalidInputError) as raised:
        DryRunExecutor(failures={"deploy": ""})

    assert "failures" == raised.value.field


def test_logs_report_the_entries_configured_for_the_environment() -> None:
    """logs= gives an environment entries to report; others are clean."""
    recorder = DryRunExecutor(logs={"production": ["E 500 /quote", "E timeout"]})

    production = recorder.collect_logs(LogRequest(environment="production", since=SINCE))
    stage = recorder.collect_logs(LogRequest(environment="stage", since=SINCE))

    assert (("E 500 /quote", "E timeout"), 2) == (production.entries, production.error_count)
    assert stage.clean


def test_a_failed_log_collection_reports_no_entries() -> None:
    """When collection is told to fail, the batch carries the failure and no entries."""
    recorder = DryRunExecutor(logs={"stage": ["E"]}, failures={"collect-logs": "no access"})

    batch = recorder.collect_logs(LogRequest(environment="stage", since=SINCE))

    assert ((), False) == (batch.entries, batch.ok)


def test_a_preview_shows_the_command_that_would_run() -> None:
    """With a dt executor as preview, outcomes name the exact command, which never ran."""
    recorder = DryRunExecutor(preview=DtExecutor(templates={"restore-data": None}))

    deployed = recorder.deploy(DEPLOY)
    restored = recorder.restore_data(RestoreRequest(source="production", target="sandbox"))

    assert "dry run: would run `dt deploy stage 2.4.0`" == deployed.summary
    assert (("dt", "deploy", "stage", "2.4.0"), None) == (deployed.command, deployed.exit_code)
    assert "dry run: would restore the data of production into sandbox" == restored.summary


def test_a_configured_failure_names_the_previewed_command() -> None:
    """A failure without a command gets the one the preview would have run."""
    recorder = DryRunExecutor(preview=DtExecutor(), failures={"deploy": "environment busy"})

    outcome = recorder.deploy(DEPLOY)

    assert (("dt", "deploy", "stage", "2.4.0"), "environment busy") == (
        outcome.command,
        outcome.summary,
    )


def test_a_failing_progress_callback_does_not_lose_the_outcome(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As with real runs, a broken callback is logged and the outcome returned."""

    def progress(line: str) -> None:
        raise RuntimeError(line)

    with caplog.at_level(logging.ERROR, logger="releasekit.executors"):
        outcome = DryRunExecutor().notify(Notice(message="hello", progress=progress))

    assert outcome.ok
    assert 1 == len(caplog.records)


def test_progress_hears_the_summary() -> None:
    """A progress callback gets one line: what would have been done."""
    lines: list[str] = []

    DryRunExecutor().notify(Notice(message="hello", progress=lines.append))

    assert ["dry run: would notify: hello"] == lines


def test_dry_run_wires_one_recorder_for_every_capability() -> None:
    """dry_run() returns a registry whose every lookup is the recorder."""
    recorder = DryRunExecutor()

    registry = dry_run(recorder)
    registry.deployer("production").deploy(DEPLOY)

    assert (
        Call(capability=Capability.DEPLOY, request=DEPLOY, outcome=recorder.calls[0].outcome),
    ) == (recorder.calls)
    assert "stage" == recorder.calls[0].environment
    assert 7 == len(dry_run().registrations())


def test_clear_forgets_the_calls() -> None:
    """clear() empties the record."""
    recorder = DryRunExecutor()
    recorder.deploy(DEPLOY)

    recorder.clear()

    assert () == recorder.calls
