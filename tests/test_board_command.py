"""`releasekit board`: the command that serves the board, and what the other commands leave out."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from releasekit._interfaces import cli

#: The board's own modules and the packages of the board extra: no other command loads them.
BOARD = frozenset({"starlette", "uvicorn", "jinja2", "releasekit._interfaces.board._app"})


def environment() -> dict[str, str]:
    """This process's environment, without RELEASEKIT_* variables."""
    return {key: value for key, value in os.environ.items() if not key.startswith("RELEASEKIT_")}


def loaded_by(argv: list[str], cwd: Path) -> tuple[int, set[str]]:
    """Run `releasekit ARGV` in a fresh interpreter: its exit code and the modules it loaded."""
    code = (
        "import contextlib, io, sys\n"
        "from releasekit._interfaces.cli import main\n"
        "quiet = io.StringIO()\n"
        "with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):\n"
        f"    code = main({argv!r})\n"
        "print(code)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    printed = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=environment(),
        timeout=60,
    ).stdout.split()
    return int(printed[0]), set(printed[1:])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["board", "--help"], 0),
        (["board", "--port", "http"], 2),
        (["--actor", "anton", "start", "2.4.0"], 0),
        (["status"], 0),
        (["explain", "2.4.0"], 1),
        (["windows"], 0),
    ],
)
def test_no_other_command_loads_the_board(argv: list[str], expected: int, tmp_path: Path) -> None:
    """The board's help, a usage error and every other command load neither it nor its extra."""
    if argv[0] != "board":
        loaded_by(["--actor", "anton", "start", "2.4.0"], tmp_path)

    code, modules = loaded_by(argv, tmp_path)

    board = {name for name in modules if name.startswith("releasekit._interfaces.board")}
    assert (expected, set(), set()) == (
        code,
        {name.split(".")[0] for name in modules} & BOARD,
        board,
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--port=70000", "'70000' is not a TCP port; give a whole number from 0 to 65535"),
        ("--port=-1", "'-1' is not a TCP port"),
        ("--root-path=releases", "'releases' is no path prefix; write one such as /releases"),
        ("--root-path=/a?b", "'/a?b' is no path prefix"),
        ("--host=", "'' is no address; give one such as 127.0.0.1, ::1 or 0.0.0.0"),
        ("--host=local host", "'local host' is no address"),
        ("--host=\x1b[2J", "'\\x1b[2J' is no address"),
    ],
)
def test_a_bad_option_is_a_usage_error(
    option: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, saying what to write."""
    code = cli.main(["board", option], environ={})

    assert (2, True) == (code, message in capsys.readouterr().err)


def test_the_board_without_its_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exit 2 and one sentence naming what is missing and the extra that brings it."""
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "uvicorn" else found(name, *rest),
    )

    code = cli.main(["--db", str(tmp_path / "r.db"), "board"], environ={})

    said = (
        "releasekit: the release board needs uvicorn, which is not installed: "
        "pip install 'releasekit[board]'\n"
    )
    assert (2, said) == (code, capsys.readouterr().err)


@pytest.mark.parametrize("address", ["no-such-host.invalid", "-x", "999.1.1.1"])
def test_an_address_that_is_not_this_machine_s_is_refused(
    address: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exit 2 before anything is served, naming the address and what to give instead."""
    code = cli.main(["--db", str(tmp_path / "r.db"), "board", f"--host={address}"], environ={})

    printed = capsys.readouterr().err
    assert (2, True) == (code, f"releasekit: cannot listen on {address!r}: " in printed)
    assert printed.rstrip().endswith("give --host an address of this machine")


def test_a_port_in_use_is_refused_with_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exit 2: the port is taken, choose another."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code = cli.main(
            ["--db", str(tmp_path / "r.db"), "--json", "board", "--port", str(port)], environ={}
        )

    printed = capsys.readouterr()
    assert 2 == code
    assert re.search(
        rf"cannot listen on 127\.0\.0\.1 port {port}: .*; choose another --port", printed.err
    )


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # our own server
        return str(response.read().decode())


def releasekit_command() -> list[str]:
    script = shutil.which("releasekit", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "releasekit"]


def test_the_board_shows_the_demo_s_releases_and_their_histories(tmp_path: Path) -> None:
    """After `releasekit demo --db demo.db`, `releasekit board` shows both, with histories."""
    db = tmp_path / "demo.db"
    subprocess.run(  # noqa: S603  # our own command
        [*releasekit_command(), "demo", "--db", str(db)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        env=environment(),
        timeout=120,
    )
    server = subprocess.Popen(  # noqa: S603  # our own command
        [*releasekit_command(), "--db", str(db), "board", "--port", "0", "--root-path", "/rk"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=environment(),
    )
    try:
        assert server.stderr is not None
        said = server.stderr.readline()
        url = re.findall(r"releasekit board: (http://127\.0\.0\.1:\d+)/rk/ reads ", said)[0]
        everything = fetch(f"{url}/?show=all")
        histories = [fetch(f"{url}/release?id={release}") for release in ("2.4.0", "2.4.1")]
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)

    assert ["2.4.0", "2.4.1"] == re.findall(r'data-release="([^"]+)"', everything)
    assert [22, 17] == [
        len(re.findall(r"<tr class=\"[a-z-]+\"><td>\d+</td>", page)) for page in histories
    ]
    assert 'href="/rk/release?id=2.4.0"' in everything
    assert (0, f"stopped the board at {url}/rk/\n") == (server.returncode, out)
