"""Outcomes: what happened when an executor ran, and turning failures into errors."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from releasekit._records.converter import converter
from releasekit.exceptions import ExecutorFailedError, ExecutorTimeoutError, InvalidInputError
from releasekit.executors import LogBatch, Outcome, Status

FAILED = Outcome(
    status=Status.FAILED,
    summary="`dt deploy stage 2.4.0` exited with code 2: environment busy",
    exit_code=2,
    output="x" * 5000 + "busy\n",
    duration=dt.timedelta(seconds=3),
    command=("dt", "deploy", "stage", "2.4.0"),
    timeout=dt.timedelta(minutes=30),
)


def test_only_success_is_ok() -> None:
    """ok is true for succeeded and false for every other status."""
    assert [True, False, False, False] == [
        Outcome(status=status, summary="s").ok for status in Status
    ]


def test_raise_for_status_returns_a_success_unchanged() -> None:
    """A succeeded outcome passes through, so calls chain."""
    outcome = Outcome.success("deployed")

    assert outcome is outcome.raise_for_status("deploy", "stage")


def test_a_failure_becomes_an_executor_failed_error_with_attributes() -> None:
    """The error reads as a sentence and carries capability, environment, code and output tail."""
    with pytest.raises(ExecutorFailedError) as raised:
        FAILED.raise_for_status("deploy", "stage")

    error = raised.value
    assert (
        "deploy in stage did not succeed: `dt deploy stage 2.4.0` exited with code 2: "
        "environment busy; read its output, fix the cause and retry"
    ) == str(error)
    assert ("deploy", "stage", 2) == (error.capability, error.environment, error.exit_code)
    assert 4000 == len(error.output)
    assert error.output.endswith("busy\n")


def test_a_kill_becomes_an_executor_failed_error() -> None:
    """A killed run is a failure to the caller, its summary naming the signal."""
    killed = Outcome(
        status="killed", summary="`dt test` was killed by signal 9 (SIGKILL)", signal=9
    )

    with pytest.raises(ExecutorFailedError, match=r"killed by signal 9") as raised:
        killed.raise_for_status("run-tests")

    assert (None, None) == (raised.value.environment, raised.value.exit_code)


def test_a_timeout_becomes_an_executor_timeout_error_with_the_limit() -> None:
    """A timed-out run raises ExecutorTimeoutError (a TimeoutError) with the limit in seconds."""
    timed_out = Outcome(
        status=Status.TIMED_OUT,
        summary="`dt test --notify` did not finish within 2 h and was stopped",
        timeout=dt.timedelta(hours=2),
        duration=dt.timedelta(hours=2, seconds=10),
        output="still running\n",
    )

    with pytest.raises(TimeoutError) as raised:
        timed_out.raise_for_status("run-tests", "tests")

    error = raised.value
    assert isinstance(error, ExecutorTimeoutError)
    assert (7200.0, "still running\n") == (error.timeout, error.output)
    assert (
        "run-tests in tests did not finish within 7200 s and was stopped; look at its output, "
        "then retry or raise the timeout"
    ) == str(error)


def test_a_timeout_without_a_recorded_limit_uses_the_duration() -> None:
    """Plug-ins that do not record their limit still get a number in the error."""
    timed_out = Outcome(status="timed-out", summary="gave up", duration=dt.timedelta(seconds=5))

    with pytest.raises(ExecutorTimeoutError) as raised:
        timed_out.raise_for_status("deploy")

    assert 5.0 == raised.value.timeout


def test_named_constructors_build_plain_outcomes() -> None:
    """success() and failure() fill in the status; nothing claims a process ran unless told."""
    assert (Status.SUCCEEDED, None, ()) == (
        (ok := Outcome.success("posted")).status,
        ok.exit_code,
        ok.command,
    )
    assert (Status.FAILED, 1) == (
        (bad := Outcome.failure("no", exit_code=1)).status,
        bad.exit_code,
    )


def test_an_outcome_round_trips_through_the_project_converter() -> None:
    """Outcomes are plain data the stores can persist: unstructure then structure is identity."""
    data = converter.unstructure(FAILED)

    assert FAILED == converter.structure(data, Outcome)
    assert ("failed", 3.0, ["dt", "deploy", "stage", "2.4.0"]) == (
        data["status"],
        data["duration"],
        list(data["command"]),
    )


def test_a_log_batch_is_clean_only_when_collected_without_errors() -> None:
    """clean needs a successful collection and no entries reported."""
    since = pendulum.datetime(2026, 11, 28, tz="UTC")
    ok = Outcome.success("collected")

    clean = LogBatch(environment="stage", since=since, outcome=ok)
    noisy = LogBatch(environment="stage", since=since, entries=("E1",), error_count=1, outcome=ok)
    failed = LogBatch(environment="stage", since=since, outcome=Outcome.failure("no access"))

    assert [True, False, False] == [batch.clean for batch in (clean, noisy, failed)]
    assert [True, True, False] == [batch.ok for batch in (clean, noisy, failed)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "succeeded", "summary": ""}, "summary"),
        ({"status": "succeeded", "summary": "s", "duration": dt.timedelta(seconds=-1)}, "duration"),
    ],
)
def test_bad_outcome_fields_are_refused(fields: dict[str, object], field: str) -> None:
    """An outcome needs a summary and a non-negative duration."""
    with pytest.raises(InvalidInputError) as raised:
        Outcome(**fields)  # type: ignore[arg-type]

    assert field == raised.value.field


def test_an_unknown_status_is_refused() -> None:
    """The status is one of the four known ones, and the error lists them."""
    with pytest.raises(InvalidInputError) as raised:
        Outcome(status="crashed", summary="s")

    assert "'crashed' is not a status; use one of succeeded, failed, timed-out, killed" == str(
        raised.value
    )
