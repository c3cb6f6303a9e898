"""The releasekit pytest plugin: fixtures for testing code built on releasekit.

Installed with releasekit and registered through the ``pytest11`` entry point,
so the fixtures are there in any test suite of a project that depends on
releasekit:

- ``releasekit_clock``: a :class:`~releasekit.FixedClock` set to a Friday
  evening, 2026-11-27 18:00 UTC, when the reference production window is closed;
- ``releasekit_policy``: the policy under test — the reference policy, or the
  file named by the ``releasekit_policy`` ini option;
- ``releasekit_engine``: an :class:`~releasekit.Engine` for that policy;
- ``releasekit_store``: a fresh :class:`~releasekit.stores.MemoryStore`;
- ``releasekit_executors``: a :class:`~releasekit.executors.DryRunExecutor`
  that records every call and succeeds unless told to fail;
- ``releasekit_desk``: a :class:`~releasekit.Desk` wired to all of the above.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pendulum
import pytest

from releasekit._actions.desk import Desk
from releasekit._actions.executors.recording import DryRunExecutor, dry_run
from releasekit._policy_files.policy_file import load_policy
from releasekit._records.memory import MemoryStore
from releasekit._rules.clock import FixedClock
from releasekit._rules.engine import Engine
from releasekit._rules.reference import reference_policy

if TYPE_CHECKING:
    from releasekit._rules.policy import Policy

#: Where ``releasekit_clock`` starts: a Friday evening, production closed.
FRIDAY_EVENING = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``releasekit_policy`` ini option: a policy file to test against."""
    parser.addini(
        "releasekit_policy",
        "a releasekit policy file the releasekit_policy fixture loads "
        "(relative to the rootdir); the reference policy when unset",
        default="",
    )


@pytest.fixture
def releasekit_clock() -> FixedClock:
    """A clock that stands still at Friday 2026-11-27 18:00 UTC until moved."""
    return FixedClock(FRIDAY_EVENING)


@pytest.fixture
def releasekit_policy(request: pytest.FixtureRequest) -> Policy:
    """The policy under test: the ``releasekit_policy`` ini file, or the reference policy."""
    name = str(request.config.getini("releasekit_policy"))
    if not name:
        return reference_policy()
    return load_policy(Path(request.config.rootpath) / name)


@pytest.fixture
def releasekit_engine(releasekit_policy: Policy) -> Engine:
    """An engine for ``releasekit_policy``."""
    return Engine(releasekit_policy)


@pytest.fixture
def releasekit_store() -> MemoryStore:
    """A fresh in-memory store."""
    return MemoryStore()


@pytest.fixture
def releasekit_executors() -> DryRunExecutor:
    """A dry run of every executor: it records each call and succeeds unless told to fail."""
    return DryRunExecutor()


@pytest.fixture
def releasekit_desk(
    releasekit_policy: Policy,
    releasekit_store: MemoryStore,
    releasekit_executors: DryRunExecutor,
    releasekit_clock: FixedClock,
) -> Desk:
    """A desk on the policy under test, the in-memory store, the dry run and the frozen clock."""
    return Desk(
        releasekit_policy,
        store=releasekit_store,
        executors=dry_run(releasekit_executors),
        clock=releasekit_clock,
    )
