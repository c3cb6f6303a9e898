"""The command and dt executors, driven against a fake `dt` run as a real subprocess."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import signal
import time
import tracemalloc
from pathlib import Path

import pendulum
import pytest

from fake_dt import write_fake_dt
from releasekit import Artifact
from releasekit.exceptions import ExecutorFailedError, ExecutorNotFoundError, InvalidInputError
from releasekit.executors import (
    DT_TEMPLATES,
    AdjustmentRequest,
    AutomaticTestRunner,
    Capability,
    CommandExecutor,
    DataAdjuster,
    DataRestorer,
    Deployer,
    DeployRequest,
    DtExecutor,
    LogCollector,
    LogRequest,
    MigrationRequest,
    Migrator,
    Notice,
    Notifier,
    Outcome,
    Request,
    RestoreRequest,
    Status,
    TestRequest,
)

SINCE = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")
#: Safety net only: no test here should come near it.
SAFETY = dt.timedelta(seconds=60)


@pytest.fixture
def fake_dt(tmp_path: Path) -> Path:
    return write_fake_dt(tmp_path)


@pytest.fixture
def argv_file(tmp_path: Path) -> Path:
    return tmp_path / "argv.jsonl"


def recorded(argv_file: Path) -> list[list[str]]:
    return [json.loads(line) for line in argv_file.read_text(encoding="utf-8").splitlines()]


def deploy(version: str = "2.4.0", environment: str = "tests", **kwargs: object) -> DeployRequest:
    return DeployRequest(release_id="r1", version=version, environment=environment, **kwargs)  # type: ignore[arg-type]


def make_dt(fake_dt: Path, argv_file: Path, **settings: str) -> DtExecutor:
    """A DtExecutor running the fake, with FAKE_DT_* settings in its environment."""
    env = {"FAKE_DT_ARGV": str(argv_file)} | {
        f"FAKE_DT_{k.upper()}": v for k, v in settings.items()
    }
    return DtExecutor(program=str(fake_dt), env=env, timeouts=dict.fromkeys(Capability, SAFETY))


def test_a_successful_deploy_runs_dt_with_the_default_template(
    fake_dt: Path, argv_file: Path
) -> None:
    """`dt deploy tests 2.4.0` runs; the outcome records the command, exit 0 and the output."""
    outcome = make_dt(fake_dt, argv_file).deploy(deploy())

    assert [["deploy", "tests", "2.4.0"]] == recorded(argv_file)
    assert (Status.SUCCEEDED, 0, None) == (outcome.status, outcome.exit_code, outcome.signal)
    assert (str(fake_dt), "deploy", "tests", "2.4.0") == outcome.command
    assert "`dt deploy tests 2.4.0` succeeded" == outcome.summary
    assert "dt line 1: deploy tests 2.4.0\n" == outcome.output
    assert SAFETY == outcome.timeout
    assert outcome.ok


@pytest.mark.parametrize(
    "version", ["1.0;touch${IFS}pwned", "1.0$(touch${IFS}pwned)", "1.0`id`", "1*", "1'2\"3"]
)
def test_a_hostile_version_reaches_dt_as_one_argument(
    fake_dt: Path, argv_file: Path, tmp_path: Path, version: str
) -> None:
    """No shell ever sees the arguments: each value is exactly one argv item."""
    make_dt(fake_dt, argv_file).deploy(deploy(version))

    assert [["deploy", "tests", version]] == recorded(argv_file)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "version", ["1.0; rm -rf /", "$(touch pwned)", "`id`", "a b\tc", "-rf", "--help", "*"]
)
def test_a_version_dt_could_misread_never_reaches_it(
    fake_dt: Path, argv_file: Path, version: str
) -> None:
    """A version with spaces, or starting with '-' or a symbol, is refused before dt runs."""
    with pytest.raises(InvalidInputError) as refused:
        make_dt(fake_dt, argv_file).deploy(deploy(version))

    assert ("version", False) == (refused.value.field, argv_file.exists())


def test_data_adjustment_arguments_each_stay_one_argument(fake_dt: Path, argv_file: Path) -> None:
    """`{arguments}` expands to one argv item per argument, spaces and semicolons intact."""
    request = AdjustmentRequest(
        environment="production",
        operation="fix-prices",
        arguments=("AAPL", "1; rm -rf /", "two words"),
        operator="olga",
    )

    make_dt(fake_dt, argv_file).adjust_data(request)

    expected = ["data", "adjust", "production", "fix-prices", "AAPL", "1; rm -rf /", "two words"]
    assert [expected] == recorded(argv_file)


REQUESTS: list[tuple[str, Request, list[str]]] = [
    ("deploy", deploy("2.4.0", "stage"), ["deploy", "stage", "2.4.0"]),
    ("run_tests", TestRequest(environment="tests", version="2.4.0"), ["test", "--notify"]),
    (
        "collect_logs",
        LogRequest(environment="stage", since=SINCE),
        ["logs", "stage", "--since", "2026-11-28T09:00:00+00:00"],
    ),
    (
        "migrate",
        MigrationRequest(environment="stage", version="2.4.0", migrations=("0042",)),
        ["migrate", "stage", "2.4.0"],
    ),
    ("notify", Notice(message="production logs look bad"), ["notify", "production logs look bad"]),
    (
        "adjust_data",
        AdjustmentRequest(environment="production", operation="fix", operator="olga"),
        ["data", "adjust", "production", "fix"],
    ),
    (
        "restore_data",
        RestoreRequest(source="production", target="sandbox-anton"),
        ["data", "restore", "production", "sandbox-anton"],
    ),
]


@pytest.mark.parametrize(
    ("method", "request_", "expected"), REQUESTS, ids=[name for name, _, _ in REQUESTS]
)
def test_every_capability_runs_its_default_dt_command(
    fake_dt: Path, argv_file: Path, method: str, request_: Request, expected: list[str]
) -> None:
    """Each protocol method of the dt executor runs its documented default command."""
    result = getattr(make_dt(fake_dt, argv_file), method)(request_)

    outcome = result if isinstance(result, Outcome) else result.outcome
    assert [expected] == recorded(argv_file)
    assert Status.SUCCEEDED == outcome.status


def test_tests_without_notification_drop_the_switch() -> None:
    """`{notify}` becomes nothing when the request does not ask to notify."""
    command = DtExecutor().command_for(TestRequest(environment="tests", version="1", notify=False))

    assert ("dt", "test") == command


def test_standard_error_is_merged_into_the_output(fake_dt: Path, argv_file: Path) -> None:
    """What the program prints on stderr is kept, in order with stdout."""
    outcome = make_dt(fake_dt, argv_file, stderr="warning: slow disk").deploy(deploy())

    assert "warning: slow disk\ndt line 1: deploy tests 2.4.0\n" == outcome.output


def test_a_failure_quotes_the_last_line_printed(fake_dt: Path, argv_file: Path) -> None:
    """Exit 1 is a failed outcome (not an exception) whose summary quotes the last line."""
    executor = make_dt(fake_dt, argv_file, exit="1", last="error: migration 0042 failed")

    outcome = executor.migrate(MigrationRequest(environment="stage", version="2.4.0"))

    assert (Status.FAILED, 1) == (outcome.status, outcome.exit_code)
    assert (
        "`dt migrate stage 2.4.0` exited with code 1: error: migration 0042 failed"
        == outcome.summary
    )
    assert not outcome.ok


def test_a_mapped_exit_code_says_what_it_means(fake_dt: Path, argv_file: Path) -> None:
    """A code in exit_codes puts its sentence in the summary, e.g. dt's 2 = environment busy."""
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_EXIT": "2", "FAKE_DT_ARGV": str(argv_file)},
        exit_codes={2: "environment busy"},
    )

    outcome = executor.deploy(deploy(environment="stage"))

    assert (Status.FAILED, 2) == (outcome.status, outcome.exit_code)
    assert "`dt deploy stage 2.4.0` exited with code 2: environment busy" == outcome.summary


def test_an_extra_ok_code_succeeds_with_its_meaning(fake_dt: Path, argv_file: Path) -> None:
    """A code listed in ok_codes is a success, its meaning in the summary."""
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_EXIT": "3", "FAKE_DT_ARGV": str(argv_file)},
        exit_codes={3: "nothing to migrate"},
        ok_codes={0, 3},
    )

    outcome = executor.migrate(MigrationRequest(environment="stage", version="2.4.0"))

    assert (Status.SUCCEEDED, 3) == (outcome.status, outcome.exit_code)
    assert "`dt migrate stage 2.4.0` succeeded: nothing to migrate" == outcome.summary


def test_a_silent_failure_says_it_printed_nothing(fake_dt: Path, argv_file: Path) -> None:
    """A failure without output still has a sentence for a summary."""
    outcome = make_dt(fake_dt, argv_file, exit="4", lines="0").deploy(deploy())

    assert "`dt deploy tests 2.4.0` exited with code 4: it printed nothing" == outcome.summary


def test_a_run_past_its_timeout_is_stopped_and_timed_out(fake_dt: Path, argv_file: Path) -> None:
    """A hanging dt gets SIGTERM at the deadline; the outcome is timed-out, not an exception."""
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_HANG": "1", "FAKE_DT_ARGV": str(argv_file)},
        timeouts={"run-tests": 0.3},
        grace=5,
    )

    outcome = executor.run_tests(TestRequest(environment="tests", version="2.4.0"))

    assert (Status.TIMED_OUT, None, signal.SIGTERM) == (
        outcome.status,
        outcome.exit_code,
        outcome.signal,
    )
    assert "`dt test --notify` did not finish within 0.3 s and was stopped" == outcome.summary
    assert dt.timedelta(seconds=0.3) == outcome.timeout
    assert "dt line 1: test --notify\n" == outcome.output


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(
    fake_dt: Path, argv_file: Path
) -> None:
    """SIGTERM first, SIGKILL when the grace period is over."""
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_HANG": "1", "FAKE_DT_IGNORE_TERM": "1", "FAKE_DT_ARGV": str(argv_file)},
        timeouts={"deploy": 0.3},
        grace=0.3,
    )

    outcome = executor.deploy(deploy())

    assert (Status.TIMED_OUT, signal.SIGKILL) == (outcome.status, outcome.signal)


def process_is_gone(pid: int) -> bool:
    """Whether *pid* has exited (a zombie waiting for its new parent counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_timeout_stops_the_whole_process_group(fake_dt: Path, tmp_path: Path) -> None:
    """Children dt started are stopped with it, so nothing keeps running after a timeout."""
    pid_file = tmp_path / "child.pid"
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_HANG": "1", "FAKE_DT_CHILD_PID": str(pid_file)},
        timeouts={"deploy": 1},
        grace=5,
    )

    outcome = executor.deploy(deploy())

    child = int(pid_file.read_text(encoding="ascii"))
    deadline = time.monotonic() + SAFETY.total_seconds()
    while not process_is_gone(child) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert Status.TIMED_OUT == outcome.status
    assert process_is_gone(child)


def test_a_process_killed_by_a_signal_is_killed(fake_dt: Path, argv_file: Path) -> None:
    """A signal from outside is an outcome with the signal's number and name."""
    outcome = make_dt(fake_dt, argv_file, signal=str(int(signal.SIGKILL))).deploy(deploy())

    assert (Status.KILLED, None, signal.SIGKILL) == (
        outcome.status,
        outcome.exit_code,
        outcome.signal,
    )
    assert "`dt deploy tests 2.4.0` was killed by signal 9 (SIGKILL)" == outcome.summary


def test_a_missing_dt_on_path_raises_with_what_to_do(tmp_path: Path) -> None:
    """Nothing could run: ExecutorFailedError says to install dt or set the program."""
    executor = DtExecutor(env={"PATH": str(tmp_path)})

    with pytest.raises(ExecutorFailedError) as raised:
        executor.deploy(deploy(environment="stage"))

    assert "dt was not found on PATH; install it or set DtExecutor(program=...)" == str(
        raised.value
    )
    assert ("deploy", "stage", None) == (
        raised.value.capability,
        raised.value.environment,
        raised.value.exit_code,
    )


def test_dt_is_found_on_the_configured_path(fake_dt: Path, argv_file: Path) -> None:
    """A bare `dt` is looked up on the PATH the executor passes to the program."""
    path = f"{fake_dt.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    executor = DtExecutor(env={"PATH": path, "FAKE_DT_ARGV": str(argv_file)})

    outcome = executor.deploy(deploy())

    assert ("dt", "deploy", "tests", "2.4.0") == outcome.command
    assert [["deploy", "tests", "2.4.0"]] == recorded(argv_file)


def test_a_missing_program_path_raises_with_what_to_do(tmp_path: Path) -> None:
    """A program given as a path that does not exist is named in the error."""
    missing = tmp_path / "bin" / "dt"

    with pytest.raises(ExecutorFailedError) as raised:
        DtExecutor(program=str(missing)).deploy(deploy())

    assert f"{missing} was not found; check the path or set DtExecutor(program=...)" == str(
        raised.value
    )


def test_a_program_that_is_not_executable_raises(tmp_path: Path) -> None:
    """A file without the execute bit cannot be started: say to chmod it."""
    script = tmp_path / "dt"
    script.write_text("#!/bin/sh\n", encoding="utf-8")

    with pytest.raises(ExecutorFailedError, match=r"permission denied; make it executable"):
        CommandExecutor(program=str(script), templates={"notify": ("{message}",)}).notify(
            Notice(message="hello")
        )


def test_a_missing_working_directory_raises_naming_it(fake_dt: Path, tmp_path: Path) -> None:
    """A cwd that does not exist is named, not mistaken for a missing program."""
    cwd = tmp_path / "nowhere"

    with pytest.raises(ExecutorFailedError) as raised:
        DtExecutor(program=str(fake_dt), cwd=cwd).deploy(deploy())

    assert f"its working directory {cwd} does not exist" in str(raised.value)


def test_environment_variables_and_working_directory_are_passed(
    fake_dt: Path, tmp_path: Path
) -> None:
    """env is added to the inherited environment; cwd is where the program runs."""
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_SHOW": "cwd,DT_TOKEN,PATH", "DT_TOKEN": "secret"},
        cwd=tmp_path,
    )

    outcome = executor.deploy(deploy())

    lines = outcome.output.splitlines()
    assert [f"cwd={tmp_path}", "DT_TOKEN=secret"] == lines[:2]
    assert f"PATH={os.environ.get('PATH')}" == lines[2]


def test_without_inheritance_only_the_given_variables_are_passed(fake_dt: Path) -> None:
    """inherit_env=False hands the program exactly env, nothing of ours."""
    executor = DtExecutor(
        program=str(fake_dt), env={"FAKE_DT_SHOW": "HOME,DT_TOKEN"}, inherit_env=False
    )

    outcome = executor.deploy(deploy())

    assert ["HOME=None", "DT_TOKEN=None"] == outcome.output.splitlines()[:2]


def test_progress_lines_arrive_while_the_program_still_runs(
    fake_dt: Path, argv_file: Path, tmp_path: Path
) -> None:
    """The fake waits for a file the callback makes on seeing `waiting`: lines are streamed."""
    go = tmp_path / "go"
    seen: list[str] = []

    def progress(line: str) -> None:
        seen.append(line)
        if line == "waiting":
            go.touch()

    executor = make_dt(fake_dt, argv_file, wait_for=str(go))
    outcome = executor.run_tests(
        TestRequest(environment="tests", version="2.4.0", progress=progress)
    )

    assert ["dt line 1: test --notify", "waiting", "continued"] == seen
    assert Status.SUCCEEDED == outcome.status


def test_a_failing_progress_callback_is_logged_and_the_run_goes_on(
    fake_dt: Path, argv_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken callback does not lose the outcome; it is logged and no longer called."""
    calls: list[str] = []

    def progress(line: str) -> None:
        calls.append(line)
        raise RuntimeError(line)

    executor = make_dt(fake_dt, argv_file, lines="3")
    with caplog.at_level(logging.ERROR, logger="releasekit.executors"):
        outcome = executor.deploy(deploy(progress=progress))

    assert ["dt line 1: deploy tests 2.4.0"] == calls
    assert Status.SUCCEEDED == outcome.status
    assert ["the progress callback failed; no more lines will be passed to it"] == [
        record.getMessage() for record in caplog.records
    ]


def test_the_program_started_is_reported_by_its_pid(fake_dt: Path, argv_file: Path) -> None:
    """child_started hears the pid of the very program that runs, before it ends."""
    reported: list[int] = []

    def child_started(pid: int) -> None:
        os.kill(pid, 0)  # not waited for yet (else this raises, and nothing is reported)
        reported.append(pid)

    executor = make_dt(fake_dt, argv_file, show="pid")
    outcome = executor.run_tests(
        TestRequest(environment="tests", version="2.4.0", child_started=child_started)
    )

    (pid,) = reported
    assert f"pid={pid}" == outcome.output.splitlines()[0]


def test_a_failing_child_callback_is_logged_and_the_run_goes_on(
    fake_dt: Path, argv_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken child_started callback does not lose the outcome; it is logged."""

    def child_started(pid: int) -> None:
        raise RuntimeError(pid)

    executor = make_dt(fake_dt, argv_file)
    with caplog.at_level(logging.ERROR, logger="releasekit.executors"):
        outcome = executor.deploy(deploy(child_started=child_started))

    assert Status.SUCCEEDED == outcome.status
    assert [True] == [
        record.getMessage().startswith("the child_started callback failed for process ")
        for record in caplog.records
    ]


def test_a_child_callback_must_be_callable() -> None:
    """A request refuses a child_started that cannot be called."""
    with pytest.raises(InvalidInputError, match="callable taking a process id"):
        deploy(child_started="print")


MARKER = re.compile(r"\[… (\d+) bytes omitted …\]\n")


def test_huge_output_keeps_head_and_tail_in_bounded_memory(fake_dt: Path) -> None:
    """20 MB of output: the outcome keeps head and tail around a marker; memory stays low."""
    size = 20_000_000
    limit = 64 * 1024
    executor = DtExecutor(
        program=str(fake_dt), env={"FAKE_DT_BYTES": str(size)}, output_limit=limit
    )

    tracemalloc.start()
    try:
        outcome = executor.deploy(deploy())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    head, omitted, tail = MARKER.split(outcome.output)
    printed = len("dt line 1: deploy tests 2.4.0\n") + size + len("the last line\n")
    assert printed == len(head.encode()) + int(omitted) + len(tail.encode())
    assert len(outcome.output.encode()) <= limit + 100
    assert head.startswith("dt line 1: deploy tests 2.4.0\nxxx")
    assert tail.endswith("xxx\nthe last line\n")
    assert "`dt deploy tests 2.4.0` succeeded" == outcome.summary
    assert peak < 4 * 1024 * 1024


def test_a_huge_log_is_counted_in_full_but_kept_in_part(fake_dt: Path) -> None:
    """Collected logs report every entry in error_count, and that the entries are incomplete."""
    executor = DtExecutor(
        program=str(fake_dt), env={"FAKE_DT_BYTES": str(1_000_000)}, output_limit=10_000
    )

    batch = executor.collect_logs(LogRequest(environment="production", since=SINCE))

    assert (10_002, False) == (batch.error_count, batch.complete)
    assert "dt line 1: logs production --since 2026-11-28T09:00:00+00:00" == batch.entries[0]
    assert "the last line" == batch.entries[-1]
    assert batch.ok


def test_collected_logs_are_one_entry_per_line(fake_dt: Path, argv_file: Path) -> None:
    """Every non-blank line dt prints is one entry of the batch."""
    batch = make_dt(fake_dt, argv_file, lines="2").collect_logs(
        LogRequest(environment="stage", since=SINCE)
    )

    since = "2026-11-28T09:00:00+00:00"
    assert (
        f"dt line 1: logs stage --since {since}",
        f"dt line 2: logs stage --since {since}",
    ) == batch.entries
    assert (2, True, "stage", SINCE) == (
        batch.error_count,
        batch.complete,
        batch.environment,
        batch.since,
    )


def test_a_team_overrides_one_template_and_keeps_the_rest() -> None:
    """templates= replaces only the capabilities given; None removes one dt lacks."""
    executor = DtExecutor(
        program="/opt/dt/bin/dt",
        templates={
            "run-tests": ("test", "{environment}", "--version={version}", "{notify}"),
            Capability.RESTORE_DATA: None,
        },
    )

    assert ("/opt/dt/bin/dt", "test", "tests", "--version=2.4.0", "--notify") == (
        executor.command_for(TestRequest(environment="tests", version="2.4.0"))
    )
    assert DT_TEMPLATES[Capability.DEPLOY] == executor.templates[Capability.DEPLOY]
    assert frozenset(Capability) - {Capability.RESTORE_DATA} == executor.capabilities


def test_a_capability_without_a_template_is_not_found() -> None:
    """Asking a command executor for work it has no template for raises ExecutorNotFoundError."""
    executor = CommandExecutor(program="deployer", templates={"deploy": ("{version}",)})

    with pytest.raises(ExecutorNotFoundError) as raised:
        executor.migrate(MigrationRequest(environment="stage", version="1"))

    assert ("migrate", "stage") == (raised.value.capability, raised.value.environment)


def test_placeholders_expand_by_kind() -> None:
    """Optional fields drop their argument, lists expand, braces can be escaped."""
    executor = CommandExecutor(
        program="ship",
        templates={
            "deploy": (
                "{environment}",
                "--rollback-of={rollback_of}",
                "{functions}",
                "{migrations}",
                "{{literal}}",
                "{release_id}:{version}",
            )
        },
    )
    artifact = Artifact(functions=("quote", "chart"), migrations=())

    plain = executor.command_for(deploy(artifact=artifact))
    rollback = executor.command_for(deploy("2.3.1", rollback_of="2.4.0"))

    assert ("ship", "tests", "quote", "chart", "{literal}", "r1:2.4.0") == plain
    assert ("ship", "tests", "--rollback-of=2.4.0", "{literal}", "r1:2.3.1") == rollback


@pytest.mark.parametrize(
    ("templates", "message"),
    [
        (
            {"deploy": ("deploy", "{enviroment}")},
            (
                "the deploy template ('deploy', '{enviroment}') uses the unknown placeholder "
                "{enviroment} in '{enviroment}'; deploy knows {release_id}, {version}, "
                "{environment}, {rollback_of}, {functions}, {migrations}"
            ),
        ),
        (
            {"deploy": "deploy {environment} {version}"},
            (
                "the deploy template 'deploy {environment} {version}' is a single string; give one "
                "string per argument, e.g. ('deploy', '{environment}', '{version}') — templates "
                "never go through a shell"
            ),
        ),
        (
            {"adjust-data": ("adjust", "--args={arguments}")},
            (
                "the adjust-data template ('adjust', '--args={arguments}') puts {arguments} inside "
                "'--args={arguments}'; it expands to several arguments (or none), so it must be an "
                "argument of its own: '{arguments}'"
            ),
        ),
        (
            {"deploy": ("{version!r}",)},
            (
                "the deploy template ('{version!r}',) formats {version} in '{version!r}'; "
                "placeholders take no conversion or format spec, write {version}"
            ),
        ),
        (
            {"deploy": ("{}",)},
            (
                "the deploy template ('{}',) uses the unknown placeholder {} in '{}'; deploy knows "
                "{release_id}, {version}, {environment}, {rollback_of}, {functions}, {migrations}"
            ),
        ),
        (
            {"deploy": ("{version",)},
            (
                "the deploy template ('{version',) cannot be read at '{version' (expected '}' "
                "before end of string); write {{ for {"
            ),
        ),
        (
            {"deploy": ("deploy", 2)},
            "the deploy template ('deploy', 2) holds 2; every argument must be a string",
        ),
        (
            {"rollback": ("deploy",)},
            (
                "'rollback' is not a capability; use one of deploy, run-tests, collect-logs, "
                "migrate, notify, adjust-data, restore-data"
            ),
        ),
    ],
    ids=[
        "unknown",
        "shell-string",
        "list-inside",
        "conversion",
        "positional",
        "brace",
        "int",
        "cap",
    ],
)
def test_a_bad_template_is_refused_when_the_executor_is_built(
    templates: dict[str, object], message: str
) -> None:
    """Template mistakes fail at construction, naming the template and the field."""
    with pytest.raises(InvalidInputError) as raised:
        CommandExecutor(program="dt", templates=templates)  # type: ignore[arg-type]

    assert message == str(raised.value)


def test_dt_overrides_are_checked_too() -> None:
    """An unknown placeholder in a dt override fails when the DtExecutor is built."""
    with pytest.raises(InvalidInputError) as raised:
        DtExecutor(templates={"migrate": ("migrate", "{env}")})

    assert "templates['migrate']" == raised.value.field


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"timeouts": {"deploy": -1}}, "timeouts['deploy']"),
        ({"timeouts": {"deploy": "1h"}}, "timeouts['deploy']"),
        ({"timeouts": {"ship": 1}}, "timeouts"),
        ({"grace": 0}, "grace"),
        ({"exit_codes": {"2": "busy"}}, "exit_codes"),
        ({"exit_codes": {2: ""}}, "exit_codes"),
        ({"ok_codes": {0, "3"}}, "ok_codes"),
        ({"env": {"A": 1}}, "env"),
        ({"output_limit": 0}, "output_limit"),
        ({"templates": ["deploy"]}, "templates"),
        ({"program": " "}, "program"),
    ],
)
def test_bad_settings_are_refused_when_built(settings: dict[str, object], field: str) -> None:
    """Each setting is checked at construction and the error names it."""
    with pytest.raises(InvalidInputError) as raised:
        DtExecutor(**settings)  # type: ignore[arg-type]

    assert field == raised.value.field


def test_timeouts_are_merged_over_the_defaults() -> None:
    """A team sets the timeouts it cares about; the others keep their generous defaults."""
    executor = DtExecutor(timeouts={"run-tests": dt.timedelta(hours=3), "notify": 30})

    assert dt.timedelta(hours=3) == executor.timeouts[Capability.RUN_TESTS]
    assert dt.timedelta(seconds=30) == executor.timeouts[Capability.NOTIFY]
    assert dt.timedelta(minutes=30) == executor.timeouts[Capability.DEPLOY]


def test_the_dt_executor_satisfies_every_protocol_statically() -> None:
    """mypy accepts a DtExecutor wherever any executor protocol is expected."""
    executor = DtExecutor()
    deployer: Deployer = executor
    runner: AutomaticTestRunner = executor
    collector: LogCollector = executor
    migrator: Migrator = executor
    notifier: Notifier = executor
    adjuster: DataAdjuster = executor
    restorer: DataRestorer = executor

    implementations = (deployer, runner, collector, migrator, notifier, adjuster, restorer)

    assert all(item is executor for item in implementations)


def test_output_held_open_by_a_leftover_child_is_not_awaited_forever(
    fake_dt: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """dt exits but leaves a child holding its output: the run ends after the grace period."""
    pid_file = tmp_path / "child.pid"
    executor = DtExecutor(program=str(fake_dt), env={"FAKE_DT_CHILD_PID": str(pid_file)}, grace=0.3)

    try:
        with caplog.at_level(logging.WARNING, logger="releasekit.executors"):
            outcome = executor.deploy(deploy())
    finally:
        os.kill(int(pid_file.read_text(encoding="ascii")), signal.SIGKILL)

    assert (Status.SUCCEEDED, "dt line 1: deploy tests 2.4.0\n") == (
        outcome.status,
        outcome.output,
    )
    warning = (
        f"{fake_dt} ended but its output is still open (a process it started holds it); "
        "stopped reading it"
    )
    assert [warning] == [record.getMessage() for record in caplog.records]


def test_a_very_long_unterminated_line_arrives_in_pieces_and_is_quoted_short(
    fake_dt: Path,
) -> None:
    """A 200 kB line without a newline reaches progress whole (in pieces); the summary cuts it."""
    pieces: list[str] = []
    executor = DtExecutor(
        program=str(fake_dt),
        env={"FAKE_DT_LINES": "0", "FAKE_DT_LONG": "200000", "FAKE_DT_EXIT": "1"},
    )

    outcome = executor.deploy(deploy(progress=pieces.append))

    assert "y" * 200_000 == "".join(pieces)
    assert len(pieces) > 1
    assert outcome.summary.endswith(": " + "y" * 299 + "…")


def test_a_program_the_system_cannot_execute_raises_with_the_reason(tmp_path: Path) -> None:
    """An executable file in no known format cannot start: the OS's reason is given."""
    program = tmp_path / "dt"
    program.write_bytes(b"\x00\x01 not a program")
    program.chmod(0o755)

    with pytest.raises(ExecutorFailedError) as raised:
        DtExecutor(program=str(program)).deploy(deploy())

    assert f"{program} could not be started: Exec format error" == str(raised.value)
