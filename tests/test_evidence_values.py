"""Evidence is checked by type when built, and refused when dated in the future when recorded."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pendulum
import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from releasekit import executors, stores
from releasekit._interfaces.cli import ExitCode
from releasekit._records.converter import structure, unstructure
from releasekit.exceptions import UnreadableDataError

if TYPE_CHECKING:
    from collections.abc import Callable

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
TOMORROW = FRIDAY.add(days=1)
RUN: dict[str, Any] = {
    "environment": "tests",
    "version": "2.4.0",
    "passed": True,
    "at": FRIDAY,
    "by": "ci",
}
RELEASE: dict[str, Any] = {
    "id": "2.4.0",
    "version": "2.4.0",
    "kind": "normal",
    "state": "tests",
    "created_at": FRIDAY,
    "created_by": "anton",
}


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock) -> rk.Desk:
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(), clock=clock)


def stored(store: stores.Store) -> dict[str, list[stores.Event]]:
    """Everything a store holds: every history, event by event."""
    return {stream: store.events(stream) for stream in store.streams()}


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (rk.TestRun, {**RUN, "passed": "false"}, "passed"),
        (rk.TestRun, {**RUN, "passed": 0}, "passed"),
        (rk.TestRun, {**RUN, "passed": None}, "passed"),
        (rk.TestRun, {**RUN, "scheduled": "yes"}, "scheduled"),
        (rk.TestRun, {**RUN, "summary": 5}, "summary"),
        (rk.TestRun, {**RUN, "version": 240}, "version"),
        (rk.TestRun, {**RUN, "version": "--help"}, "version"),
        (rk.TestRun, {**RUN, "at": "2026-11-27T10:00:00+00:00"}, "at"),
        (
            rk.MigrationRun,
            {
                "environment": "stage",
                "version": "2.4.0",
                "migrations": ("0042",),
                "succeeded": 1,
                "at": FRIDAY,
                "by": "ci",
            },
            "succeeded",
        ),
        (rk.TestsWritten, {"by": "anton", "at": FRIDAY, "covers": 5}, "covers"),
        (rk.TestsWritten, {"by": "anton", "at": FRIDAY, "tests": ("ok", 7)}, "tests"),
        (rk.TestsWritten, {"by": "anton", "at": FRIDAY, "covers": {"chart": 1}}, "covers"),
        (rk.SignOff, {"by": "maria", "at": FRIDAY, "environment": "stage", "note": b"x"}, "note"),
        (
            rk.SignOff,
            {"by": "maria", "at": FRIDAY, "environment": "stage", "old_app_versions": "-2.3"},
            "old_app_versions",
        ),
        (
            rk.LogReview,
            {"by": "ivan", "at": FRIDAY, "environments": ["stage"], "verdict": "CLEAN"},
            "verdict",
        ),
        (
            rk.LogReview,
            {"by": "ivan", "at": FRIDAY, "environments": ["stage"], "verdict": True},
            "verdict",
        ),
        (
            rk.LogReview,
            {"by": "ivan", "at": FRIDAY, "environments": ["Stage X"], "verdict": "clean"},
            "environments",
        ),
        (rk.ChangeReview, {"by": "ivan", "at": FRIDAY, "version": "2.4.0\nok"}, "version"),
        (
            rk.Attestation,
            {"name": "ticket", "by": "lea", "at": FRIDAY, "environment": 3},
            "environment",
        ),
    ],
)
def test_evidence_of_the_wrong_type_is_refused_when_built(
    kind: type[Any], fields: dict[str, Any], field: str
) -> None:
    """`TestRun(passed="false")` and the like raise an InvalidInputError naming the field."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        kind(**fields)

    assert field == refused.value.field


def test_a_verdict_is_given_by_member_or_value() -> None:
    """`LogVerdict.CLEAN` and `"clean"` build the same review."""
    by_member = rk.LogReview(
        by="ivan", at=FRIDAY, environments=["stage"], verdict=rk.LogVerdict.CLEAN
    )

    assert by_member == rk.LogReview(by="ivan", at=FRIDAY, environments=["stage"], verdict="clean")


@pytest.mark.parametrize(("field", "value"), [("passed", "false"), ("passed", 1), ("by", 7)])
def test_stored_evidence_of_the_wrong_type_is_a_record_error(field: str, value: object) -> None:
    """A stored `"passed": "false"` written by hand does not read as passed: UnreadableDataError."""
    data = unstructure(rk.TestRun(**RUN), rk.Evidence)
    data[field] = value

    with pytest.raises(UnreadableDataError, match=rf"\$\.evidence\[0\]\.{field}"):
        structure({**unstructure(rk.Release(**RELEASE)), "evidence": [data]}, rk.Release)


@pytest.mark.parametrize(("field", "value"), [("covers", "chart"), ("covers", [1]), ("note", None)])
def test_stored_lists_and_text_must_be_lists_and_text(field: str, value: object) -> None:
    """A stored string where a list belongs is not split into letters: UnreadableDataError."""
    data = unstructure(rk.TestsWritten(by="anton", at=FRIDAY, covers=["chart"]), rk.Evidence)
    data[field] = value

    with pytest.raises(UnreadableDataError, match=field):
        structure(data, rk.Evidence)


def test_stored_evidence_reads_back_as_it_was() -> None:
    """Evidence written by this version reads back equal, every kind of it."""
    items = [
        rk.TestRun(**RUN, scheduled=True, summary="42 passed"),
        rk.TestsWritten(by="anton", at=FRIDAY, covers=["chart"], tests=["test_chart"]),
        rk.SignOff(by="maria", at=FRIDAY, environment="stage", old_app_versions=["iOS 5.2"]),
        rk.LogReview(by="ivan", at=FRIDAY, environments=["stage", "tests"], verdict="problems"),
        rk.MigrationRun(
            environment="stage",
            version="2.4.0",
            migrations=["0042"],
            succeeded=False,
            at=FRIDAY,
            by="ci",
        ),
        rk.ChangeReview(by="ivan", at=FRIDAY, version="2.4.0", note="fine"),
        rk.Attestation(name="ticket", by="lea", at=FRIDAY, environment=None, note="CHG-1"),
    ]

    assert items == [structure(unstructure(item, rk.Evidence), rk.Evidence) for item in items]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def sign_off(at: dt.datetime) -> rk.SignOff:
    return rk.SignOff(by="maria", at=at, environment="sandbox-anton")


def started(engine: rk.Engine) -> rk.Release:
    return engine.start(release_id="r1", version="2.4.0", kind="normal", by="anton", now=FRIDAY)


def test_the_engine_refuses_evidence_dated_tomorrow() -> None:
    """A SignOff dated tomorrow is refused by `Engine.add_evidence`, naming the field `at`."""
    engine = rk.Engine(rk.reference_policy())
    tests = rk.TestsWritten(by="anton", at=TOMORROW)

    with pytest.raises(rk.exceptions.InvalidInputError, match="clock skew") as refused:
        engine.add_evidence(started(engine), tests, now=FRIDAY)

    assert "at" == refused.value.field


def test_evidence_within_the_clock_skew_tolerance_is_taken() -> None:
    """Five minutes ahead counts (clocks drift); a microsecond more does not."""
    engine = rk.Engine(rk.reference_policy())
    edge = FRIDAY + rk.CLOCK_SKEW_TOLERANCE

    taken = engine.add_evidence(started(engine), rk.TestsWritten(by="anton", at=edge), now=FRIDAY)
    with pytest.raises(rk.exceptions.InvalidInputError):
        engine.add_evidence(
            started(engine),
            rk.TestsWritten(by="anton", at=edge + dt.timedelta(microseconds=1)),
            now=FRIDAY,
        )

    assert (dt.timedelta(minutes=5), 1) == (rk.CLOCK_SKEW_TOLERANCE, len(taken.evidence))


def test_the_desk_refuses_evidence_dated_tomorrow_and_stores_nothing(desk: rk.Desk) -> None:
    """`Desk.add_evidence` checks the date against its clock; the release's history is unchanged."""
    release = desk.start("2.4.0", by="anton")
    before = stored(desk.store)

    with pytest.raises(rk.exceptions.InvalidInputError, match="clock skew"):
        desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=TOMORROW))

    assert before == stored(desk.store)


def test_releasekit_record_refuses_evidence_dated_tomorrow(cli: Callable[..., Ran]) -> None:
    """`releasekit record --at <tomorrow>` exits 2 naming `at`, and records nothing."""
    ok(cli("--actor", "anton", "--now", "2026-11-27T10:00Z", "start", "2.4.0"))

    ran = cli(
        "--actor", "anton", "--now", "2026-11-27T10:00Z", "--json",
        "record", "2.4.0", "tests-written", "--at", "2026-11-28T10:00Z",
    )  # fmt: skip

    history = ok(cli("--json", "history", "2.4.0")).json
    assert (ExitCode.ERROR, "at", 1) == (
        ran.code,
        ran.json["error"]["field"],
        len(history["events"]),
    )
