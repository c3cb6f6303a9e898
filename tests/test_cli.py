"""The `releasekit` entry point: its parser, help, exit codes, and the installed script."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from releasekit._interfaces import (
    _cli_arguments,
    _cli_codes,
    _cli_parser,
    _cli_parser_operations,
    _cli_parsers,
    _cli_text,
    cli,
)
from releasekit._interfaces.cli import ENVIRONMENT, EVIDENCE_KINDS, ExitCode, main, parse_instant

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

COMMANDS = [
    "start",
    "status",
    "explain",
    "plan",
    "promote",
    "record",
    "run-tests",
    "migrate",
    "resume",
    "abandon-step",
    "abandon",
    "history",
    "verify",
    "windows",
    "diagram",
    "logs",
    "review-logs",
    "monitoring",
    "check-production",
    "clear-attention",
    "deployments",
    "roll-back",
    "data",
    "policy",
    "demo",
]
DATA_ACTIONS = ["adjust", "amend", "verify", "execute", "cancel", "restore", "list", "show"]


@pytest.fixture(name="clean")
def fixture_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and no RELEASEKIT_* variables."""
    monkeypatch.chdir(tmp_path)
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m releasekit ARGV` in a fresh process."""
    environ = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT}
    return subprocess.run(  # noqa: S603  # our own command, with our own arguments
        [sys.executable, "-m", "releasekit", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=environ,
        timeout=60,
    )


# -- help and usage ------------------------------------------------------------------


def test_help_lists_every_command_the_exit_codes_and_the_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--help` exits 0 and documents the commands, exit codes and environment variables."""
    code = main(["--help"])

    out = capsys.readouterr().out
    assert ExitCode.OK == code
    assert [] == [command for command in COMMANDS if f"    {command}" not in out]
    assert "exit codes:\n  0  done, or allowed\n  1  refused:" in out
    assert [] == [variable for variable in ENVIRONMENT if variable not in out]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`releasekit COMMAND --help` exits 0 and shows the global options too."""
    code = main([command, "--help"])

    out = capsys.readouterr().out
    assert (ExitCode.OK, True) == (code, "--json" in out)


@pytest.mark.parametrize("action", DATA_ACTIONS)
def test_every_data_action_has_help(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`releasekit data ACTION --help` exits 0 with the exit codes and the global options."""
    code = main(["data", action, "--help"])

    out = capsys.readouterr().out
    assert (ExitCode.OK, True, True) == (code, "--json" in out, "exit codes:" in out)


def test_data_lists_its_actions(capsys: pytest.CaptureFixture[str]) -> None:
    """`releasekit data --help` names every action."""
    main(["data", "--help"])

    out = capsys.readouterr().out
    assert [] == [action for action in DATA_ACTIONS if f"    {action}" not in out]


def test_record_has_a_kind_per_evidence_type(capsys: pytest.CaptureFixture[str]) -> None:
    """`record RELEASE --help` names every kind of evidence."""
    main(["record", "r1", "--help"])

    out = capsys.readouterr().out
    assert [] == [kind for kind in EVIDENCE_KINDS if kind not in out]


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`--version` exits 0 with releasekit's version."""
    code = main(["--version"])

    assert (ExitCode.OK, True) == (code, capsys.readouterr().out.startswith("releasekit "))


def test_a_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """No command: exit 2 with the usage on stderr."""
    code = main([])

    err = capsys.readouterr().err
    assert (ExitCode.ERROR, True) == (code, "the following arguments are required: COMMAND" in err)


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command: exit 2."""
    assert ExitCode.ERROR == main(["deploy-everything"])
    capsys.readouterr()


def test_a_naive_now_is_refused_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    """`--now` without a time zone exits 2 and says how to write it."""
    code = main(["--now", "2026-11-27T18:00", "status"])

    assert ExitCode.ERROR == code
    assert (
        "releasekit: error: argument --now: '2026-11-27T18:00' has no time zone, and releasekit "
        "never guesses one; write 2026-11-27T18:00Z for UTC, or add an offset such as +01:00\n"
    ) == capsys.readouterr().err.splitlines(keepends=True)[-1]


def test_a_now_that_is_no_instant_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """`--now friday` exits 2."""
    assert ExitCode.ERROR == main(["--now", "friday", "status"])
    assert "'friday' is not an ISO 8601 instant" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T18:00Z", dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.UTC)),
        ("2026-11-27T19:00+01:00", dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.UTC)),
        ("2026-11-27 18:00:00+00:00", dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.UTC)),
    ],
)
def test_instants_are_read_in_iso_8601(text: str, expected: dt.datetime) -> None:
    """Aware ISO 8601 instants are read, with Z or an offset."""
    assert expected == parse_instant(text)


@pytest.mark.parametrize(
    "text",
    [
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:30+01:00",
        "2201-01-01T00:00Z",
        "2200-12-31T23:59-00:01",
        "0001-01-01T00:00+01:00",
        "9999-12-31T23:59-01:00",
        "9999-12-31T23:00Z",
    ],
)
def test_an_instant_outside_the_years_1970_to_2200_is_refused(text: str) -> None:
    """Year 1, year 9999 and an offset that takes an instant past either bound: one sentence."""
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        parse_instant(text)

    assert (
        f"{text!r} is outside the years releasekit reckons with; give an instant from "
        "1970-01-01T00:00Z to 2200-12-31T23:59Z"
    ) == str(refused.value)


@pytest.mark.parametrize(
    "text", ["1970-01-01T00:00Z", "1970-01-01T01:00+01:00", "2200-12-31T23:59:59.999999Z"]
)
def test_the_bounds_themselves_are_instants(text: str) -> None:
    """The first and the last instant of the bounds are read."""
    assert cli.EARLIEST <= parse_instant(text) <= cli.LATEST


@pytest.mark.parametrize(
    ("argv", "refused"),
    [
        (["windows", "--count", "0"], "'0'"),
        (["windows", "--count", "1001"], "'1001'"),
        (["windows", "--count", "10000000"], "'10000000'"),
        (["windows", "--count", "-5"], "'-5'"),
        (["windows", "--count", "\u0663"], "'\u0663'"),
        (["logs", "--entries", "99999999999999999999999"], "'99999999999999999999999'"),
    ],
)
def test_a_count_outside_1_to_1000_is_a_usage_error(
    argv: list[str], refused: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--count` and `--entries` take 1 to 1000, and say so."""
    code = main(argv)

    assert (ExitCode.ERROR, f"{refused} is not a whole number from 1 to 1000") == (
        code,
        capsys.readouterr().err.splitlines()[-1].split(": ")[-1],
    )


def test_the_largest_count_is_answered(capsys: pytest.CaptureFixture[str]) -> None:
    """`windows --count 1000` from the last instant lists a thousand openings, past 2200."""
    code = main(["--json", "--now", "2200-12-31T23:59Z", "windows", "--count", "1000"])

    openings = json.loads(capsys.readouterr().out)["windows"][0]["openings"]
    assert (ExitCode.OK, 1000, "2201-01-03T09:00:00+00:00") == (
        code,
        len(openings),
        openings[0]["start"],
    )


def test_a_usage_error_with_json_is_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    """`--json` and a bad option: exit 2, the usage on stderr, one error document on stdout."""
    code = main(["--json", "windows", "--count", "many"])

    captured = capsys.readouterr()
    assert (
        ExitCode.ERROR,
        "UsageError",
        "argument --count: 'many' is not a whole number from 1 to 1000",
    ) == (
        code,
        json.loads(captured.out)["error"]["type"],
        json.loads(captured.out)["error"]["message"],
    )
    assert captured.err.startswith("usage: releasekit windows")


def test_a_usage_error_shows_what_was_typed_without_its_control_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unrecognised argument holding an escape sequence is shown escaped."""
    code = main(["status", "r1", "\x1b[2J\u202e"])

    assert (ExitCode.ERROR, "releasekit: error: unrecognized arguments: \\x1b[2J\\u202e") == (
        code,
        capsys.readouterr().err.splitlines()[-1],
    )


def test_a_date_alone_is_naive() -> None:
    """A bare date has no time zone, so it is refused."""
    with pytest.raises(argparse.ArgumentTypeError, match="has no time zone"):
        parse_instant("2026-11-27")


def _broken(*_args: object, **_kwargs: object) -> int:
    raise KeyError("x")


def test_an_unexpected_error_is_one_line_and_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug ends the command with exit 70 and one line naming it, no traceback."""
    from releasekit._interfaces import _cli_commands  # noqa: PLC0415  # patched below

    monkeypatch.setattr(_cli_commands, "run", _broken)

    code = main(["status"], environ={})

    assert (
        ExitCode.INTERNAL_ERROR,
        "",
        (
            "releasekit: unexpected error (this is a bug in releasekit): KeyError: 'x' "
            "\N{EM DASH} run again with --debug to see the traceback\n"
        ),
    ) == (code, *capsys.readouterr())


def test_an_unexpected_error_with_json_is_an_internal_error_document(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --json a bug is one document whose type, InternalError, no refusal has."""
    from releasekit._interfaces import _cli_commands  # noqa: PLC0415  # patched below

    monkeypatch.setattr(_cli_commands, "run", _broken)

    code = main(["--json", "status"], environ={})

    error = json.loads(capsys.readouterr().out)["error"]
    assert (ExitCode.INTERNAL_ERROR, "InternalError", 70, "KeyError") == (
        code,
        error["type"],
        error["exit_code"],
        error["exception"],
    )


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        (["--debug", "status"], {}),
        (["status", "--debug"], {}),
        (["status"], {"RELEASEKIT_DEBUG": "1"}),
    ],
)
def test_debug_shows_the_traceback_of_an_unexpected_error(
    argv: list[str],
    environ: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--debug (or RELEASEKIT_DEBUG=1) prints the traceback, then the line."""
    from releasekit._interfaces import _cli_commands  # noqa: PLC0415  # patched below

    monkeypatch.setattr(_cli_commands, "run", _broken)

    code = main(argv, environ=environ)

    err = capsys.readouterr().err
    assert (ExitCode.INTERNAL_ERROR, True, True) == (
        code,
        err.startswith("Traceback (most recent call last):"),
        err.endswith("releasekit: unexpected error (this is a bug in releasekit): KeyError: 'x'\n"),
    )


def test_debug_shows_the_traceback_of_a_refusal_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --debug a releasekit error's traceback precedes its sentence."""
    code = main(["--db", str(tmp_path / "r.db"), "--debug", "history", "nope"], environ={})

    err = capsys.readouterr().err
    assert (ExitCode.ERROR, True) == (code, err.startswith("Traceback (most recent call last):"))
    assert err.endswith(
        "releasekit: there is no release 'nope'; list the known releases or start a new one\n"
    )


def test_exit_codes_are_fixed() -> None:
    """The documented exit codes: 0 ok, 1 refused, 2 error, 3 busy, 4 executor failed, 70 bug."""
    assert [0, 1, 2, 3, 4, 70, 130] == [code.value for code in ExitCode]


def test_help_does_not_load_the_commands() -> None:
    """Parsing and --help use the standard library only; the commands load after parsing."""
    code = (
        "import sys\n"
        "from releasekit._interfaces.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('releasekit._interfaces._cli_commands' in sys.modules)"
    )

    result = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert "False" == result.stdout.splitlines()[-1]


def top_level_imports(module: ModuleType) -> Iterator[str]:
    """The modules *module* imports when it is imported (not in functions or for type checkers)."""
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            yield from (alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom) and statement.module != "__future__":
            module_name = statement.module or ""
            yield from (f"{module_name}.{alias.name}" for alias in statement.names)


def test_the_module_imports_only_the_standard_library() -> None:
    """cli.py and its parser import the standard library, and helpers of their own that do too."""
    modules = (
        cli,
        _cli_arguments,
        _cli_codes,
        _cli_parser,
        _cli_parser_operations,
        _cli_parsers,
        _cli_text,
    )
    own = {module.__name__ for module in modules}
    for module in modules:
        others = {
            name.split(".")[0]
            for name in top_level_imports(module)
            if name not in own and name.rpartition(".")[0] not in own
        }

        assert set() == others - set(sys.stdlib_module_names), module.__name__


# -- the real command ----------------------------------------------------------------


def test_python_m_releasekit_runs_the_command(tmp_path: Path) -> None:
    """`python -m releasekit windows` runs in a fresh process and exits 0."""
    result = run("--now", "2026-11-27T18:00Z", "windows", "--count", "1", cwd=tmp_path)

    assert (0, "") == (result.returncode, result.stderr)
    assert "  Sat 2026-11-28 09:00 UTC until Sat 2026-11-28 12:00 UTC\n" in result.stdout


def test_an_error_in_a_real_process_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    """An unknown release: exit 2, one sentence on stderr."""
    result = run("--json", "history", "nope", cwd=tmp_path)

    assert (
        2,
        "releasekit: there is no release 'nope'; list the known releases or start a new one\n",
    ) == (
        result.returncode,
        result.stderr,
    )
    assert "UnknownReleaseError" == json.loads(result.stdout)["error"]["type"]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_terminal_that_cannot_show_a_character_gets_its_escape(
    encoding: str, tmp_path: Path
) -> None:
    """PYTHONIOENCODING=ascii: the dash of the window is written as an escape; JSON still reads."""
    environ = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT}
    environ["PYTHONIOENCODING"] = encoding
    argv = ["--now", "2026-11-27T18:00Z", "windows", "--count", "1"]

    text = subprocess.run(  # noqa: S603  # our own command, with our own arguments
        [sys.executable, "-m", "releasekit", *argv],
        capture_output=True,
        check=False,
        cwd=tmp_path,
        env=environ,
        timeout=60,
    )
    document = subprocess.run(  # noqa: S603  # our own command, with our own arguments
        [sys.executable, "-m", "releasekit", "--json", *argv],
        capture_output=True,
        check=False,
        cwd=tmp_path,
        env=environ,
        timeout=60,
    )

    assert (0, 0, b"") == (text.returncode, document.returncode, text.stderr + document.stderr)
    assert b"09:00\\u201312:00" in text.stdout
    assert (
        "inside Sat, Sun 09:00\N{EN DASH}12:00 (UTC)"
        == (json.loads(document.stdout)["windows"][0]["description"])
    )


def test_a_reader_that_went_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """`releasekit windows | head -0`: no traceback, and no complaint at exit either."""
    environ = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT}
    process = subprocess.Popen(  # our own command, with our own arguments
        [
            sys.executable,
            "-m",
            "releasekit",
            "--now",
            "2026-11-27T18:00Z",
            "windows",
            "--count",
            "1000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=environ,
    )
    assert process.stdout is not None
    process.stdout.close()  # the reader goes away before the command writes

    _, err = process.communicate(timeout=60)

    assert (ExitCode.ERROR, b"") == (process.returncode, err)


def test_the_console_script_is_installed_next_to_the_interpreter(tmp_path: Path) -> None:
    """The `releasekit` script sits beside sys.executable and runs `status --json`."""
    folder = Path(sys.executable).parent
    script = shutil.which("releasekit", path=str(folder))

    assert script is not None
    assert folder == Path(script).parent
    result = subprocess.run(  # noqa: S603  # the installed script
        [script, "--db", str(tmp_path / "r.db"), "--json", "status"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    listed = json.loads(result.stdout)
    assert (0, [], None) == (result.returncode, listed["releases"], listed["next_after"])


def test_a_count_that_is_no_number_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`windows --count many` exits 2."""
    assert ExitCode.ERROR == main(["windows", "--count", "many"])
    assert "'many' is not a whole number from 1 to 1000" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("raised", "expected"), [(KeyboardInterrupt, 130), (BrokenPipeError, ExitCode.ERROR)]
)
def test_an_interrupt_or_a_closed_pipe_ends_quietly(
    raised: type[BaseException],
    expected: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C exits 130 and a reader that went away exits 2, neither with a traceback."""
    from releasekit._interfaces import _cli_commands  # noqa: PLC0415  # patched below

    def interrupted(*_args: object, **_kwargs: object) -> int:
        raise raised

    monkeypatch.setattr(_cli_commands, "run", interrupted)

    assert expected == main(["status"])
    capsys.readouterr()
