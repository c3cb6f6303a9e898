"""Shared test configuration: Hypothesis profiles switched by an environment variable.

``HYPOTHESIS_PROFILE=fast`` runs few examples while editing; ``ci`` (the default
when ``CI`` is set) is derandomized so a red run can be reproduced.

Browser: the ``chromium`` fixture is the system's Chromium, started once for the whole
session, and ``browser`` drives it with Playwright for one module at a time (see
``browser.py``); without them the browser tests skip — except in CI, where they fail.

Stores: the ``store`` fixture is parametrized over every store (memory, SQLite,
PostgreSQL), so one contract suite runs against each. PostgreSQL is a real
server the suite starts itself (see ``pgserver.py``), or the one named by
``$RELEASEKIT_TEST_POSTGRES_DSN``; without server binaries its tests skip —
except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, settings

import board_store
import browser as browsers
import pgserver
from releasekit.stores import MemoryStore, PostgresStore, SqliteStore, Store

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from playwright.sync_api import Browser


settings.register_profile("fast", max_examples=20)
settings.register_profile("dev", max_examples=100)
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# ---------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------

#: Set to use an existing PostgreSQL server instead of starting one.
POSTGRES_DSN_ENV = "RELEASEKIT_TEST_POSTGRES_DSN"


def in_ci() -> bool:
    """Whether the tests run in continuous integration, where nothing may be skipped."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgserver.PgServer | pgserver.External]:
    """A PostgreSQL server for the whole session, stopped at its end."""
    given = os.environ.get(POSTGRES_DSN_ENV)
    if given:
        yield pgserver.External(given)
        return
    bindir = pgserver.find_bindir()
    if bindir is None:
        message = (
            "no PostgreSQL server binaries (initdb, pg_ctl) found: install PostgreSQL, set "
            f"{pgserver.BIN_ENV}, or set {POSTGRES_DSN_ENV} to a server's DSN"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    server = pgserver.PgServer.start(bindir)
    try:
        yield server
    finally:
        server.stop()


@attrs.define
class Backend:
    """Where a test's store lives; :meth:`open` gives a new handle on it.

    Attributes:
        kind: ``"memory"``, ``"sqlite"`` or ``"postgres"``.
        location: The SQLite file or the PostgreSQL DSN (``""`` in memory).
    """

    kind: str
    location: str
    _opened: list[Store] = attrs.field(factory=list)
    _memory: MemoryStore | None = None

    def open(self) -> Store:
        """Open a store on this backend (in memory: the one store of the test)."""
        store: Store
        if self.kind == "memory":
            if self._memory is None:
                self._memory = MemoryStore()
            return self._memory
        if self.kind == "sqlite":
            store = SqliteStore(self.location)
        else:
            store = PostgresStore(self.location)
        self._opened.append(store)
        return store

    def close(self) -> None:
        """Close every store this backend opened."""
        for store in self._opened:
            store.close()
        if self._memory is not None:
            self._memory.close()


def _backend(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if kind == "memory":
        backend = Backend(kind="memory", location="")
    elif kind == "sqlite":
        backend = Backend(kind="sqlite", location=str(tmp_path / "releases.db"))
    else:
        server = request.getfixturevalue("postgres")
        backend = Backend(kind="postgres", location=server.schema_dsn())
    yield backend
    backend.close()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Every store in turn: the contract suite runs once for each."""
    yield from _backend(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def durable_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The stores that keep their data across processes: SQLite and PostgreSQL."""
    yield from _backend(request.param, request, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Store:
    """An open store of every kind in turn, closed after the test."""
    return backend.open()


@pytest.fixture
def open_store(backend: Backend) -> Callable[[], Store]:
    """Open another handle on the test's store (in memory: the same store)."""
    return backend.open


# ---------------------------------------------------------------------------
# The board: a seeded store, and the browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seeded_week(tmp_path_factory: pytest.TempPathFactory) -> board_store.Seeded:
    """A team's week of releases (see ``board_store.py``), written once for the session."""
    return board_store.seed(tmp_path_factory.mktemp("week"))


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[browsers.Chromium]:
    """The system's Chromium, headless, for the whole session; stopped at its end."""
    executable = browsers.find_chromium()
    if executable is None or importlib.util.find_spec("playwright") is None:
        message = (
            "no browser to read the board in: install Chromium (apt-get install chromium) and "
            f"Playwright (pip install 'releasekit[tests]'), or set {browsers.CHROMIUM_ENV}"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    started = browsers.start_chromium(executable, tmp_path_factory.mktemp("chromium"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def browser(chromium: browsers.Chromium) -> Iterator[Browser]:
    """The session's Chromium, driven by Playwright for one module of tests.

    Playwright's synchronous API marks an event loop as running in this thread
    while it is open: it is closed at the end of the module, so the tests of
    other modules may run their own (``asyncio.run``).
    """
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  # only for these tests

    with sync_playwright() as playwright:
        connected = playwright.chromium.connect_over_cdp(chromium.endpoint)
        try:
            yield connected
        finally:
            connected.close()
