"""The layers hold: the contracts on imports in pyproject.toml, and the checks CI runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def lint_imports(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` (beside this interpreter) on the contracts and the source under *root*."""
    script = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert script is not None
    return subprocess.run(  # noqa: S603  # our own tool, on our own configuration
        [script, "--no-cache", *options, str(root / "pyproject.toml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "src")},
        timeout=120,
    )


def test_the_import_contracts_are_kept() -> None:
    """No import points up a layer or round a loop; the rules do no I/O; the parser stays lean."""
    ran = lint_imports(ROOT)

    assert (0, True) == (ran.returncode, ran.stdout.rstrip().endswith(" kept, 0 broken.")), (
        ran.stdout
    )


def test_an_import_up_a_layer_breaks_the_contract(tmp_path: Path) -> None:
    """The layers contract is no formality: it names a rule that imports the desk."""
    shutil.copytree(ROOT / "src" / "releasekit", tmp_path / "src" / "releasekit")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    verdicts = tmp_path / "src" / "releasekit" / "_rules" / "verdicts.py"
    source = verdicts.read_text(encoding="utf-8")
    verdicts.write_text(f"{source}\nfrom releasekit._actions import desk\n", encoding="utf-8")

    ran = lint_imports(tmp_path, "--contract", "layers")

    assert (1, True) == (
        ran.returncode,
        "releasekit._rules.verdicts -> releasekit._actions.desk" in ran.stdout,
    ), ran.stdout


def test_ci_runs_what_the_readme_says_it_runs() -> None:
    """The README's check command is the one `.ci/run` runs: lint, types and the whole suite."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    heading = next(n for n, line in enumerate(readme) if line.startswith("# what CI runs"))

    assert (ci[-1], True) == (readme[heading + 1], ci[-1].endswith("nox -s lint typecheck tests"))


#: The most lines a module of releasekit holds: one concern, read at a sitting.
MOST_LINES = 600


def test_no_module_holds_more_than_one_concern_s_lines() -> None:
    """Every module of releasekit is at most 600 lines long."""
    package = ROOT / "src" / "releasekit"
    long = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MOST_LINES
    }

    assert set() == long
