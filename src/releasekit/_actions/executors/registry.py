"""The executor registry and the plug-ins that fill it.

A :class:`Registry` maps each capability — and, where a team needs it, a
capability in one environment — to an executor. A lookup tries the
environment's own executor first, then the capability's default.

Third-party executors arrive through the ``releasekit.executors`` entry-point
group. Each entry point names a callable ``register(registry)`` that registers
the plug-in's executors; :func:`load_plugins` calls every one of them::

    # the plug-in's pyproject.toml
    [project.entry-points."releasekit.executors"]
    acme = "acme_releasekit:register"

Example:
    >>> from releasekit.executors import DryRunExecutor
    >>> registry = Registry()
    >>> recorder = DryRunExecutor()
    >>> sorted(registry.register_all(recorder)) == sorted(Capability)
    True
    >>> registry.deployer("production") is recorder
    True
"""

from __future__ import annotations

import logging
from importlib import metadata
from typing import TYPE_CHECKING, cast

import attrs

from releasekit._actions.executors.capabilities import Capability
from releasekit._actions.executors.protocols import (
    METHODS,
    PROTOCOLS,
    AutomaticTestRunner,
    DataAdjuster,
    DataRestorer,
    Deployer,
    LogCollector,
    Migrator,
    Notifier,
    capabilities_of,
    implements,
)
from releasekit._rules import _validate
from releasekit.exceptions import ExecutorNotFoundError, InvalidInputError, PluginLoadError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ENTRY_POINT_GROUP", "Registration", "Registry", "load_plugins"]

#: The entry-point group third-party executors are found in.
ENTRY_POINT_GROUP = "releasekit.executors"

_log = logging.getLogger("releasekit.executors")


@attrs.frozen(kw_only=True)
class Registration:
    """One executor registered for a capability.

    Attributes:
        capability: What it does.
        environment: Where it does it; ``None`` for the capability's default.
        executor: The executor.
    """

    capability: Capability
    environment: str | None
    executor: object = attrs.field(hash=False)


def _describe(executor: object) -> str:
    kind = executor if isinstance(executor, type) else type(executor)
    return f"{kind.__module__}.{kind.__qualname__}"


@attrs.define
class Registry:
    """Which executor does what, and where.

    Registering the same capability (and environment) again replaces the
    earlier executor, so a team can load plug-ins first and override them.
    """

    _executors: dict[tuple[Capability, str | None], object] = attrs.field(factory=dict, init=False)

    @classmethod
    def with_plugins(cls, *, group: str = ENTRY_POINT_GROUP) -> Registry:
        """Return a registry filled by every installed plug-in.

        Raises:
            PluginLoadError: A plug-in failed to load or to register; the error
                names it.
        """
        registry = cls()
        load_plugins(registry, group=group)
        return registry

    def __repr__(self) -> str:
        return f"<Registry({len(self._executors)} registrations)>"

    def register(
        self, capability: Capability | str, executor: object, *, environment: str | None = None
    ) -> None:
        """Register *executor* for *capability*, in one *environment* or as the default.

        Args:
            capability: What the executor does, e.g. ``Capability.DEPLOY`` or
                ``"deploy"``.
            executor: An object implementing the capability's protocol.
            environment: The one environment it serves; ``None`` makes it the
                capability's default, used where no environment has its own.

        Raises:
            InvalidInputError: The capability is unknown, the environment name
                is invalid, or *executor* does not implement the capability.
        """
        wanted = Capability.parse(capability)
        _check_environment(environment)
        if wanted not in capabilities_of(executor):
            raise InvalidInputError(_refusal(executor, wanted), field="executor", value=executor)
        self._executors[wanted, environment] = executor

    def register_all(
        self, executor: object, *, environment: str | None = None
    ) -> frozenset[Capability]:
        """Register *executor* for every capability it provides.

        Those it declares in a ``capabilities`` attribute if it has one (the
        built-in executors do), else every capability whose method it has.

        Returns:
            The capabilities it was registered for.

        Raises:
            InvalidInputError: *executor* provides no capability at all.
        """
        _check_environment(environment)
        provided = capabilities_of(executor)
        if not provided:
            methods = ", ".join(f"{protocol.__name__}" for protocol in PROTOCOLS.values())
            hint = " (pass an instance, not the class)" if isinstance(executor, type) else ""
            raise InvalidInputError(
                f"{_describe(executor)} provides no capability{hint}; an executor implements "
                f"at least one of the protocols {methods}",
                field="executor",
                value=executor,
            )
        for capability in provided:
            self._executors[capability, environment] = executor
        return provided

    def provides(self, capability: Capability | str, environment: str | None = None) -> bool:
        """Whether a lookup of *capability* in *environment* would find an executor."""
        wanted = Capability.parse(capability)
        return (wanted, environment) in self._executors or (wanted, None) in self._executors

    def lookup(self, capability: Capability | str, environment: str | None = None) -> object:
        """Return the executor for *capability* in *environment*, untyped.

        Prefer the typed accessors (:meth:`deployer`, :meth:`test_runner`, …).

        Raises:
            ExecutorNotFoundError: Neither the environment nor the capability
                has an executor.
        """
        wanted = Capability.parse(capability)
        for key in ((wanted, environment), (wanted, None)):
            if key in self._executors:
                return self._executors[key]
        raise ExecutorNotFoundError(capability=wanted.value, environment=environment)

    def registrations(self) -> tuple[Registration, ...]:
        """Return every registration, by capability, defaults first."""
        order = list(Capability)
        return tuple(
            Registration(capability=capability, environment=environment, executor=executor)
            for (capability, environment), executor in sorted(
                self._executors.items(),
                key=lambda item: (order.index(item[0][0]), item[0][1] or ""),
            )
        )

    def deployer(self, environment: str | None = None) -> Deployer:
        """Return the executor that deploys to *environment*."""
        return cast("Deployer", self.lookup(Capability.DEPLOY, environment))

    def test_runner(self, environment: str | None = None) -> AutomaticTestRunner:
        """Return the executor that runs the automatic tests on *environment*."""
        return cast("AutomaticTestRunner", self.lookup(Capability.RUN_TESTS, environment))

    def log_collector(self, environment: str | None = None) -> LogCollector:
        """Return the executor that collects the logs of *environment*."""
        return cast("LogCollector", self.lookup(Capability.COLLECT_LOGS, environment))

    def migrator(self, environment: str | None = None) -> Migrator:
        """Return the executor that runs migrations on *environment*."""
        return cast("Migrator", self.lookup(Capability.MIGRATE, environment))

    def notifier(self, environment: str | None = None) -> Notifier:
        """Return the executor that sends notices about *environment*."""
        return cast("Notifier", self.lookup(Capability.NOTIFY, environment))

    def data_adjuster(self, environment: str | None = None) -> DataAdjuster:
        """Return the executor that adjusts the data of *environment*."""
        return cast("DataAdjuster", self.lookup(Capability.ADJUST_DATA, environment))

    def data_restorer(self, environment: str | None = None) -> DataRestorer:
        """Return the executor that restores data into *environment* (the target)."""
        return cast("DataRestorer", self.lookup(Capability.RESTORE_DATA, environment))


@attrs.frozen
class _Where:
    environment: str = attrs.field(validator=_validate.name)


def _check_environment(environment: str | None) -> None:
    if environment is not None:
        _Where(environment)


def _refusal(executor: object, capability: Capability) -> str:
    protocol = PROTOCOLS[capability].__name__
    if isinstance(executor, type):
        return (
            f"{_describe(executor)} is a class; register an instance of it, "
            f"e.g. {executor.__name__}()"
        )
    if implements(executor, capability):
        return (
            f"{_describe(executor)} has the {capability} method but does not provide "
            f"{capability} (it is not among its declared capabilities); configure it for "
            f"{capability} first"
        )
    return (
        f"{_describe(executor)} cannot {capability}: it has no {METHODS[capability]}() method, "
        f"so it does not implement {protocol}"
    )


def load_plugins(registry: Registry, *, group: str = ENTRY_POINT_GROUP) -> tuple[str, ...]:
    """Let every installed plug-in register its executors in *registry*.

    Plug-ins are the entry points of *group*, loaded in order of their names.
    Each entry point names a callable taking the registry.

    Returns:
        The names of the plug-ins loaded, in the order they ran.

    Raises:
        PluginLoadError: A plug-in could not be imported, is not callable, or
            failed while registering; the error names the plug-in and its
            distribution, and chains the original error.
    """
    loaded: list[str] = []
    for entry_point in sorted(metadata.entry_points(group=group), key=lambda ep: ep.name):
        where = _origin(entry_point)
        plugin, value = entry_point.name, entry_point.value
        distribution = entry_point.dist.name if entry_point.dist is not None else None
        try:
            register = entry_point.load()
        except Exception as error:
            raise PluginLoadError(
                f"the executor plug-in {where} could not be loaded "
                f"({type(error).__name__}: {error}); reinstall or uninstall it",
                plugin=plugin,
                value=value,
                distribution=distribution,
            ) from error
        if not callable(register):
            raise PluginLoadError(
                f"the executor plug-in {where} is not callable; its entry point must name a "
                "function taking the registry, e.g. 'package:register'",
                plugin=plugin,
                value=value,
                distribution=distribution,
            )
        call = cast("Callable[[Registry], object]", register)
        try:
            call(registry)
        except Exception as error:
            raise PluginLoadError(
                f"the executor plug-in {where} failed to register its executors "
                f"({type(error).__name__}: {error}); fix or uninstall it",
                plugin=plugin,
                value=value,
                distribution=distribution,
            ) from error
        _log.debug("loaded executor plug-in %s", where)
        loaded.append(entry_point.name)
    return tuple(loaded)


def _origin(entry_point: metadata.EntryPoint) -> str:
    dist = entry_point.dist
    source = f" from {dist.name} {dist.version}" if dist is not None else ""
    return f"{entry_point.name!r} ({entry_point.value}{source})"
