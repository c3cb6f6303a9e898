"""The executor protocols: one small protocol per capability.

An executor is any object with the method of a capability; it need not inherit
from anything. One object may implement several protocols (the built-in
executors implement them all). Each method takes one request value and returns
a result value; it returns an :class:`Outcome` for anything that ran, and
raises :class:`~releasekit.exceptions.ExecutorFailedError` only when nothing
could run.

Example:
    >>> class Quiet:
    ...     def notify(self, notice: Notice, /) -> Outcome:
    ...         return Outcome.success(f"said nothing about {notice.message!r}")
    >>> isinstance(Quiet(), Notifier), capabilities_of(Quiet())
    (True, frozenset({<Capability.NOTIFY: 'notify'>}))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from releasekit._actions.executors.capabilities import Capability

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from releasekit._actions.executors.outcomes import LogBatch, Outcome
    from releasekit._actions.executors.requests import (
        AdjustmentRequest,
        DeployRequest,
        LogRequest,
        MigrationRequest,
        Notice,
        RestoreRequest,
        TestRequest,
    )

__all__ = [
    "PROTOCOLS",
    "AutomaticTestRunner",
    "DataAdjuster",
    "DataRestorer",
    "DeclaresCapabilities",
    "Deployer",
    "LogCollector",
    "Migrator",
    "Notifier",
    "capabilities_of",
    "implements",
]


@runtime_checkable
class Deployer(Protocol):
    """Deploys a version to an environment (and rolls back, by deploying an older one)."""

    def deploy(self, request: DeployRequest, /) -> Outcome:
        """Deploy ``request.version`` to ``request.environment``."""
        ...


@runtime_checkable
class AutomaticTestRunner(Protocol):
    """Runs the automatic tests on an environment (``dt test --notify``)."""

    def run_tests(self, request: TestRequest, /) -> Outcome:
        """Run the automatic tests against ``request.version`` on ``request.environment``."""
        ...


@runtime_checkable
class LogCollector(Protocol):
    """Collects the error logs of an environment."""

    def collect_logs(self, request: LogRequest, /) -> LogBatch:
        """Collect the error logs of ``request.environment`` since ``request.since``."""
        ...


@runtime_checkable
class Migrator(Protocol):
    """Runs a version's database migrations on an environment."""

    def migrate(self, request: MigrationRequest, /) -> Outcome:
        """Run the migrations of ``request.version`` on ``request.environment``."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Tells the team something."""

    def notify(self, notice: Notice, /) -> Outcome:
        """Deliver ``notice.message``."""
        ...


@runtime_checkable
class DataAdjuster(Protocol):
    """Runs a named data adjustment on an environment."""

    def adjust_data(self, request: AdjustmentRequest, /) -> Outcome:
        """Run ``request.operation`` with ``request.arguments`` on ``request.environment``."""
        ...


@runtime_checkable
class DataRestorer(Protocol):
    """Copies data from one environment into another."""

    def restore_data(self, request: RestoreRequest, /) -> Outcome:
        """Replace the data of ``request.target`` with that of ``request.source``."""
        ...


@runtime_checkable
class DeclaresCapabilities(Protocol):
    """An executor that says which capabilities it provides.

    The built-in executors declare theirs: a command executor provides only
    the capabilities it has a template for, although it has every method.
    """

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The capabilities this executor provides."""
        ...


#: The protocol each capability's executor implements.
PROTOCOLS: Mapping[Capability, type] = {
    Capability.DEPLOY: Deployer,
    Capability.RUN_TESTS: AutomaticTestRunner,
    Capability.COLLECT_LOGS: LogCollector,
    Capability.MIGRATE: Migrator,
    Capability.NOTIFY: Notifier,
    Capability.ADJUST_DATA: DataAdjuster,
    Capability.RESTORE_DATA: DataRestorer,
}

#: The method name of each capability.
METHODS: Mapping[Capability, str] = {
    Capability.DEPLOY: "deploy",
    Capability.RUN_TESTS: "run_tests",
    Capability.COLLECT_LOGS: "collect_logs",
    Capability.MIGRATE: "migrate",
    Capability.NOTIFY: "notify",
    Capability.ADJUST_DATA: "adjust_data",
    Capability.RESTORE_DATA: "restore_data",
}


def implements(executor: object, capability: Capability) -> bool:
    """Whether *executor* has a callable method for *capability*.

    A class is not an executor (its methods are unbound), only an instance is.
    """
    if isinstance(executor, type):
        return False
    return callable(getattr(executor, METHODS[capability], None))


def capabilities_of(executor: object) -> frozenset[Capability]:
    """Return the capabilities *executor* provides.

    Those it declares (see :class:`DeclaresCapabilities`) if it declares any,
    else every capability whose method it has.
    """
    candidates: Iterable[Capability] = Capability
    if not isinstance(executor, type) and isinstance(executor, DeclaresCapabilities):
        candidates = executor.capabilities
    return frozenset(capability for capability in candidates if implements(executor, capability))
