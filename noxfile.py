"""Tasks: ``nox -s tests``, ``lint``, ``typecheck``, ``examples``, ``docs``, ``benchmarks``."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

ROOT = Path(__file__).parent


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite with branch coverage, a test process per core.

    coverage starts before pytest, so the modules pytest's releasekit plugin
    imports at start-up are measured too, and it follows every Python process
    started meanwhile: pytest-xdist's test processes, and the commands the
    tests run. ``nox -s tests -- -n 0 tests/test_x.py`` runs one file in one process.
    """
    session.install("-e", ".[tests,postgres,docs]")
    env = {"COVERAGE_FILE": str(ROOT / ".coverage")}
    session.run("coverage", "erase", env=env)
    session.run("coverage", "run", "-m", "pytest", "-n", "auto", *session.posargs, env=env)
    session.run("coverage", "combine", env=env)
    session.run("coverage", "report", env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff (every rule selected), and its imports against the contracts.

    The contracts (``[tool.importlinter]`` in pyproject.toml) keep the layers
    pointing down and the modules free of import cycles; lint-imports reads the
    source, so releasekit itself need not be installed.
    """
    session.install(
        *nox.project.load_toml(ROOT / "pyproject.toml")["project"]["optional-dependencies"]["lint"]
    )
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports", "--no-cache", env={"PYTHONPATH": str(ROOT / "src")})


@nox.session
def typecheck(session: nox.Session) -> None:
    """Check the types with mypy --strict."""
    session.install("-e", ".[tests,postgres,calendars]", "mypy", "nox")
    session.run("mypy")


@nox.session
def examples(session: nox.Session) -> None:
    """Run every script in examples/."""
    session.install("-e", ".")
    for script in sorted((ROOT / "examples").glob("*.py")):
        session.run("python", str(script))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation with MkDocs, failing on any warning."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict")


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Print releasekit's costs as ratios against the bare operations."""
    session.install("-e", ".[postgres,board]")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        session.run(
            "python",
            str(script),
            *session.posargs,  # e.g. nox -s benchmarks -- --runs 500 --skip-postgres
            env={"PYTHONHASHSEED": "0", **dict(os.environ)},
        )
