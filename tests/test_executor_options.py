"""No placeholder's value reaches a program as an option; templates mark where `--` goes."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import releasekit as rk
from fake_dt import write_fake_dt
from releasekit.exceptions import InvalidInputError
from releasekit.executors import (
    DT_TEMPLATES,
    END_OF_OPTIONS,
    AdjustmentRequest,
    Capability,
    DeployRequest,
    DtExecutor,
    LogRequest,
    MigrationRequest,
    Notice,
    Request,
    RestoreRequest,
    TestRequest,
)

if TYPE_CHECKING:
    from pathlib import Path

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
SAFETY = dt.timedelta(seconds=60)
ALL = ("sandbox-anton", "tests", "sandbox", "stage", "production")


@pytest.fixture(name="fake_dt")
def fixture_fake_dt(tmp_path: Path) -> Path:
    return write_fake_dt(tmp_path)


@pytest.fixture(name="argv_file")
def fixture_argv_file(tmp_path: Path) -> Path:
    return tmp_path / "argv.jsonl"


def recorded(argv_file: Path) -> list[list[str]]:
    """The argument lists the fake dt was called with, in order (none if it never ran)."""
    if not argv_file.exists():
        return []
    return [json.loads(line) for line in argv_file.read_text(encoding="utf-8").splitlines()]


def make_dt(fake_dt: Path, argv_file: Path, **templates: tuple[str, ...]) -> DtExecutor:
    return DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_ARGV": str(argv_file)},
        timeouts=dict.fromkeys(Capability, SAFETY),
        templates={name.replace("_", "-"): template for name, template in templates.items()},
    )


def forged(request: Request, **values: object) -> Request:
    """*request* with fields set past their checks, as a plug-in's own request type might hold."""
    for name, value in values.items():
        object.__setattr__(request, name, value)
    return request


#: One request per capability, each with a value starting with '-' forged into a placeholder.
FORGED = [
    forged(DeployRequest(release_id="r1", version="1", environment="stage"), version="--help"),
    forged(DeployRequest(release_id="r1", version="1", environment="stage"), environment="-x"),
    forged(TestRequest(environment="tests", version="1"), environment="--all"),
    forged(LogRequest(environment="tests", since=FRIDAY), environment="-v"),
    forged(MigrationRequest(environment="stage", version="1"), version="-1"),
    Notice(message="-1 errors in production"),
    forged(
        AdjustmentRequest(environment="production", operation="fix", operator="olga"),
        arguments=("AAPL", "--force"),
    ),
    forged(
        AdjustmentRequest(environment="production", operation="fix", operator="olga"),
        operation="--all",
    ),
    forged(RestoreRequest(source="production", target="sandbox"), target="--everything"),
]


@pytest.mark.parametrize("request_", FORGED, ids=lambda request: request.capability.value)
def test_a_placeholder_value_starting_with_a_dash_never_reaches_dt(
    fake_dt: Path, argv_file: Path, request_: Request
) -> None:
    """Filling the template refuses it before anything runs: dt is never started."""
    executor = make_dt(fake_dt, argv_file, run_tests=("test", "{environment}", "{notify}"))
    run = getattr(executor, request_.capability.value.replace("-", "_"))

    with pytest.raises(InvalidInputError, match="'--'"):
        run(request_)

    assert [] == recorded(argv_file)


def test_after_a_double_dash_a_value_starting_with_a_dash_is_a_plain_argument(
    fake_dt: Path, argv_file: Path
) -> None:
    """A template marking `--` hands dt `-1 errors` as an argument, after the `--`."""
    executor = make_dt(fake_dt, argv_file, notify=("notify", END_OF_OPTIONS, "{message}"))

    outcome = executor.notify(Notice(message="-1 errors in production"))

    assert (True, [["notify", "--", "-1 errors in production"]]) == (
        outcome.ok,
        recorded(argv_file),
    )


def test_a_literal_option_and_an_option_value_stay_the_template_s_choice() -> None:
    """`--since {since}`, `--version={version}` and `{notify}` are written by the template."""
    executor = DtExecutor(
        templates={"run-tests": ("test", "--version={version}", "{notify}", "{environment}")}
    )

    assert ("dt", "test", "--version=2.4.0", "--notify", "tests") == executor.command_for(
        TestRequest(environment="tests", version="2.4.0")
    )


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (("test", "--", "{environment}", "--"), "more than once"),
        (("test", "--", "{notify}"), "switch {notify} after '--'"),
    ],
)
def test_templates_marking_the_end_of_options_are_checked_when_built(
    template: tuple[str, ...], problem: str
) -> None:
    """A second `--`, or a switch after it, is refused when the executor is built."""
    with pytest.raises(InvalidInputError, match=problem):
        DtExecutor(templates={"run-tests": template})


#: Any short text, often starting with '-'.
_VALUES = st.text(max_size=6) | st.text(max_size=6).map(lambda text: f"-{text}")


@st.composite
def forged_requests(draw: st.DrawFn) -> Request:
    """A request of any capability whose text and list fields hold any text, past their checks."""
    request = draw(st.sampled_from(FORGED))
    values: dict[str, object] = {}
    for field in attrs.fields(type(request)):
        value = getattr(request, field.name)
        if isinstance(value, str):
            value = draw(_VALUES)
        elif field.name in {"arguments", "migrations"}:
            value = tuple(draw(st.lists(_VALUES, max_size=3)))
        values[field.name] = value
    return forged(object.__new__(type(request)), **values)


@given(forged_requests())
def test_no_default_dt_command_puts_a_value_where_dt_reads_options(request: Request) -> None:
    """Whatever a request holds, every argument starting with '-' is one the template wrote."""
    executor = DtExecutor()
    template = DT_TEMPLATES[request.capability]
    literal = {item for item in template if "{" not in item} | {"--notify"}

    try:
        command = executor.command_for(request)
    except InvalidInputError:
        return

    assert [] == [item for item in command[1:] if item.startswith("-") and item not in literal]


def test_the_reference_flow_runs_through_dt_with_no_option_from_a_value(
    fake_dt: Path, argv_file: Path
) -> None:
    """A hotfix walked to production through the default dt: only `--notify` starts with '-'."""
    clock = rk.FixedClock(FRIDAY)
    desk = rk.Desk(
        rk.reference_policy(),
        executors=rk.executors.dt(make_dt(fake_dt, argv_file)),
        clock=clock,
    )
    release = desk.start("2.4.0", by="anton", kind="hotfix")
    desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now()))
    desk.promote(release.id, by="anton")
    desk.run_tests(release.id, by="ci")
    desk.promote(release.id, by="maria")
    desk.add_evidence(
        release.id,
        rk.SignOff(by="maria", at=clock.now(), environment="sandbox"),
        rk.LogReview(by="ivan", at=clock.now(), environments=ALL, verdict="clean"),
    )
    desk.promote(release.id, by="maria")
    desk.add_evidence(
        release.id,
        rk.SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3",)),
        rk.ChangeReview(by="ivan", at=clock.now(), version="2.4.0"),
    )
    moved = desk.promote(release.id, by="maria")

    calls = recorded(argv_file)
    assert ("production", 5) == (moved.state, len(calls))
    assert [["--notify"]] == [
        [item for item in call if item.startswith("-")] for call in calls if call[0] == "test"
    ]
    assert [] == [item for call in calls if call[0] != "test" for item in call if item[0] == "-"]
