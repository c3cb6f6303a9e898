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
#: The most lines a module holds today, leaving room to grow below MOST_LINES.
AIM_LINES = 500


def long_modules(most: int, *, package: Path = ROOT / "src" / "releasekit") -> dict[str, int]:
    """Return each module of *package* longer than *most* lines, with its length."""
    lengths = {
        path.relative_to(package).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(package.rglob("*.py"))
    }
    return {name: lines for name, lines in lengths.items() if lines > most}


def listed(modules: dict[str, int]) -> str:
    """Name each module with its length, for a failing test's message."""
    return "; ".join(f"{name}: {lines} lines" for name, lines in modules.items())


def test_no_module_holds_more_than_one_concern_s_lines() -> None:
    """Every module of releasekit is at most 600 lines long; the message names each that is not."""
    long = long_modules(MOST_LINES)

    assert {} == long, f"split these modules by concern: {listed(long)}"


def test_every_module_keeps_room_to_grow() -> None:
    """Every module is at most 500 lines long, well below the limit."""
    long = long_modules(AIM_LINES)

    assert {} == long, f"split these modules by concern: {listed(long)}"


def test_the_length_check_names_every_long_module(tmp_path: Path) -> None:
    """Each module past the limit is named with its length; one line fewer is not."""
    lines = "x = 1\n" * (MOST_LINES + 1)
    for name in ("_rules/Long Module.py", "_actions/rooms/deep.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(lines, encoding="utf-8")
    (tmp_path / "_rules" / "short.py").write_text(lines[6:], encoding="utf-8")

    long = long_modules(MOST_LINES, package=tmp_path)

    assert "_actions/rooms/deep.py: 601 lines; _rules/Long Module.py: 601 lines" == listed(long)
