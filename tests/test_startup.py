"""Starting releasekit: what `import releasekit` and each command load, and what they change.

Each test runs a fresh interpreter, since a module is imported once per process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import releasekit as rk

#: Runs the installed `releasekit` script with the arguments after OUTPUT, then writes to
#: OUTPUT the exit code and every module the script imported, one per line.
WRAPPER = """\
import runpy, sys
script, output, *arguments = sys.argv[1:]
sys.argv = [script, *arguments]
before = set(sys.modules)
code = 0
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit as done:
    code = done.code
with open(output, "w") as file:
    file.write("\\n".join([str(code), *sorted(set(sys.modules) - before)]))
"""

#: The command's parser: all of releasekit that its help and its usage errors may load.
PARSER = frozenset(
    {
        "releasekit",
        "releasekit._interfaces",
        "releasekit._interfaces.cli",
        "releasekit._interfaces._cli_arguments",
        "releasekit._interfaces._cli_codes",
        "releasekit._interfaces._cli_parser",
        "releasekit._interfaces._cli_parser_operations",
        "releasekit._interfaces._cli_parsers",
        "releasekit._interfaces._cli_text",
    }
)
#: releasekit's dependencies, none of which the parser needs.
DEPENDENCIES = frozenset({"pendulum", "transitions", "attr", "attrs", "cattrs"})


def environment() -> dict[str, str]:
    """This process's environment, without RELEASEKIT_* variables."""
    return {key: value for key, value in os.environ.items() if not key.startswith("RELEASEKIT_")}


def releasekit(*argv: str, cwd: Path) -> tuple[int, set[str]]:
    """Run the installed `releasekit ARGV`: its exit code and the modules it imported."""
    script = shutil.which("releasekit", path=str(Path(sys.executable).parent))
    assert script is not None
    output = cwd / "modules.txt"
    subprocess.run(  # noqa: S603  # our own interpreter, script and arguments
        [sys.executable, "-c", WRAPPER, script, str(output), *argv],
        capture_output=True,
        check=True,
        cwd=cwd,
        env=environment(),
        timeout=60,
    )
    code, *modules = output.read_text(encoding="utf-8").splitlines()
    return int(code), set(modules)


def outside_the_standard_library(modules: set[str]) -> set[str]:
    """The modules of *modules* that the standard library does not hold."""
    return {name for name in modules if name.split(".")[0] not in sys.stdlib_module_names}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--help",), 0),
        (("--version",), 0),
        (("status", "--help"), 0),
        (("record", "r1", "test-run", "--help"), 0),
        (("data", "adjust", "--help"), 0),
        (("policy", "check", "--help"), 0),
        (("deploy-everything",), 2),
        (("windows", "--count", "many"), 2),
        (("--json", "record", "r1", "test-run", "--at", "friday"), 2),
    ],
)
def test_help_and_usage_errors_load_the_parser_alone(
    argv: tuple[str, ...], expected: int, tmp_path: Path
) -> None:
    """`releasekit --help`, a command's help, a usage error: the standard library and the parser."""
    code, modules = releasekit(*argv, cwd=tmp_path)

    assert (expected, set()) == (code, modules & DEPENDENCIES)
    assert set() == outside_the_standard_library(modules) - PARSER


@pytest.mark.parametrize("store", ["none", "an empty SQLite file", "the same as sqlite:///"])
def test_status_with_no_releases_loads_no_state_machine_and_no_executor(
    store: str, tmp_path: Path
) -> None:
    """`status` with no release to list: no dependency but attrs, no store opened, no policy."""
    db = tmp_path / "releases.db"
    if store != "none":
        rk.stores.SqliteStore(db).close()
    (tmp_path / "releasekit.toml").write_text("this is no policy\n", encoding="utf-8")
    named = f"sqlite:///{db.name}" if store.endswith("sqlite:///") else str(db)

    code, modules = releasekit("--db", named, "--json", "status", cwd=tmp_path)

    unwanted = {
        "transitions",
        "cattrs",
        "pendulum",
        "releasekit._records.converter",
        "releasekit._records.sqlite",
        "releasekit._rules.policy",
        "releasekit._rules.guards",
        "releasekit._rules.engine",
        "releasekit._records.ledger",
        "releasekit._records.fold",
        "releasekit._actions.desk",
        "releasekit._actions.executors",
        "releasekit._policy_files.policy_file",
    }
    assert (0, set()) == (code, modules & unwanted)


def test_importing_releasekit_loads_only_the_standard_library(tmp_path: Path) -> None:
    """`import releasekit` loads no rules, no store, no dependency: each name loads when read."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import releasekit\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n"
    )

    loaded = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=environment(),
        timeout=60,
    ).stdout.split()

    assert {"releasekit"} == outside_the_standard_library(set(loaded))


def test_releasekit_leaves_the_transitions_logger_to_the_application(tmp_path: Path) -> None:
    """With DEBUG logging turned on, loading and using the engine keeps it on for transitions."""
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='%(name)s')\n"
        "import pendulum, releasekit as rk\n"
        "engine = rk.Engine(rk.reference_policy())\n"
        "now = pendulum.datetime(2026, 11, 27, 10, tz='UTC')\n"
        "release = engine.start(\n"
        "    release_id='r1', version='2.4.0', kind='normal', by='anton', now=now\n"
        ")\n"
        "release = engine.add_evidence(release, rk.TestsWritten(by='anton', at=now), now=now)\n"
        "engine.promote(release, by='anton', now=now)\n"
        "print(logging.getLevelName(logging.getLogger('transitions').level))\n"
    )

    written = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=environment(),
        timeout=60,
    ).stdout.splitlines()

    assert ("NOTSET", True) == (written[-1], "transitions.core" in written)
