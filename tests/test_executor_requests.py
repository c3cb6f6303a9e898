"""Requests: the frozen values executor methods take."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from releasekit import Artifact
from releasekit.exceptions import InvalidInputError, NaiveDatetimeError
from releasekit.executors import (
    AdjustmentRequest,
    Capability,
    DeployRequest,
    LogRequest,
    MigrationRequest,
    Notice,
    Request,
    RestoreRequest,
    TestRequest,
)

SINCE = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")

REQUESTS: list[tuple[Request, Capability, str | None]] = [
    (DeployRequest(release_id="r1", version="1", environment="stage"), Capability.DEPLOY, "stage"),
    (TestRequest(environment="tests", version="1"), Capability.RUN_TESTS, "tests"),
    (LogRequest(environment="sandbox", since=SINCE), Capability.COLLECT_LOGS, "sandbox"),
    (MigrationRequest(environment="stage", version="1"), Capability.MIGRATE, "stage"),
    (Notice(message="hello"), Capability.NOTIFY, None),
    (
        AdjustmentRequest(environment="production", operation="fix", operator="olga"),
        Capability.ADJUST_DATA,
        "production",
    ),
    (
        RestoreRequest(source="production", target="sandbox-anton"),
        Capability.RESTORE_DATA,
        "sandbox-anton",
    ),
]


@pytest.mark.parametrize(
    ("request_", "capability", "environment"),
    REQUESTS,
    ids=[capability.value for _, capability, _ in REQUESTS],
)
def test_each_request_names_its_capability_and_environment(
    request_: Request, capability: Capability, environment: str | None
) -> None:
    """Every request belongs to one capability and says where the work happens."""
    assert (capability, environment) == (request_.capability, request_.environment)


def test_progress_is_not_part_of_the_value() -> None:
    """Two requests differing only in their progress callback are equal and print alike."""
    with_progress = TestRequest(environment="tests", version="1", progress=print)
    without = TestRequest(environment="tests", version="1")

    assert without == with_progress
    assert repr(without) == repr(with_progress)
    assert hash(without) == hash(with_progress)


def test_a_progress_that_cannot_be_called_is_refused() -> None:
    """progress must be callable."""
    with pytest.raises(InvalidInputError) as raised:
        TestRequest(environment="tests", version="1", progress="print")  # type: ignore[arg-type]

    assert "progress" == raised.value.field


def test_a_naive_since_is_refused() -> None:
    """Log requests need an aware instant: no guessing of time zones."""
    with pytest.raises(NaiveDatetimeError):
        LogRequest(environment="stage", since=dt.datetime(2026, 11, 28, 9, 0))  # noqa: DTZ001


def test_since_is_kept_in_utc() -> None:
    """An instant given in another zone is the same instant, in UTC."""
    since = pendulum.datetime(2026, 11, 28, 10, 0, tz="Europe/Berlin")

    request = LogRequest(environment="stage", since=since)

    assert "2026-11-28T09:00:00+00:00" == request.since.isoformat()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: DeployRequest(release_id="r1", version="1", environment="Stage"), "environment"),
        (lambda: DeployRequest(release_id="r1", version=" ", environment="stage"), "version"),
        (lambda: TestRequest(environment="tests", version="1", release_id=""), "release_id"),
        (lambda: Notice(message="hi", environment="Prod"), "environment"),
        (lambda: RestoreRequest(source="production", target="../etc"), "target"),
        (
            lambda: AdjustmentRequest(
                environment="production",
                operation="fix",
                operator="olga",
                arguments=(1,),  # type: ignore[arg-type]
            ),
            "arguments",
        ),
    ],
)
def test_bad_fields_are_refused_naming_the_field(build: object, field: str) -> None:
    """Invalid values fail when the request is made, and the error names the field."""
    with pytest.raises(InvalidInputError) as raised:
        build()  # type: ignore[operator]

    assert field == raised.value.field


def test_a_single_argument_string_stays_one_argument() -> None:
    """A string given as arguments is one argument, never split on spaces."""
    request = AdjustmentRequest(
        environment="production", operation="fix", operator="olga", arguments="AAPL 1.5"
    )

    assert ("AAPL 1.5",) == request.arguments


def test_a_deploy_carries_the_artifact_and_the_version_it_rolls_back() -> None:
    """A rollback is a deploy of the older version, naming the one it replaces."""
    artifact = Artifact(functions=("quote",), migrations=("0042",))

    request = DeployRequest(
        release_id="r1",
        version="2.3.1",
        environment="production",
        artifact=artifact,
        rollback_of="2.4.0",
    )

    assert (artifact, "2.4.0") == (request.artifact, request.rollback_of)
    assert Artifact() == DeployRequest(release_id="r", version="1", environment="tests").artifact
