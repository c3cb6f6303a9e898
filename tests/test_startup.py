"""Starting releasekit: what `import releasekit` and each command load, and what they change.

Each test runs a fresh interpreter, since a module is imported once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def environment() -> dict[str, str]:
    """This process's environment, without RELEASEKIT_* variables."""
    return {key: value for key, value in os.environ.items() if not key.startswith("RELEASEKIT_")}


def outside_the_standard_library(modules: set[str]) -> set[str]:
    """The modules of *modules* that the standard library does not hold."""
    return {name for name in modules if name.split(".")[0] not in sys.stdlib_module_names}


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
