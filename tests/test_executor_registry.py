"""The registry: which executor does what, and where."""

from __future__ import annotations

import pytest

from releasekit.exceptions import ExecutorNotFoundError, InvalidInputError
from releasekit.executors import (
    Capability,
    CommandExecutor,
    DeployRequest,
    DryRunExecutor,
    DtExecutor,
    Notice,
    Outcome,
    Registration,
    Registry,
    dt,
)


class Announcer:
    """A hand-written executor that can only notify."""

    def notify(self, notice: Notice, /) -> Outcome:
        """Pretend to announce *notice*."""
        return Outcome.success(f"announced {notice.message}")


def test_an_environment_executor_wins_over_the_default() -> None:
    """Lookups try the environment's own executor first, then the capability default."""
    default, production = DryRunExecutor(), DryRunExecutor()
    registry = Registry()
    registry.register("deploy", default)
    registry.register(Capability.DEPLOY, production, environment="production")

    assert production is registry.deployer("production")
    assert default is registry.deployer("stage")
    assert default is registry.deployer()


def test_a_missing_executor_raises_not_found_with_capability_and_environment() -> None:
    """Neither the environment nor the default: ExecutorNotFoundError says what and where."""
    registry = Registry()
    registry.register("notify", Announcer())

    with pytest.raises(ExecutorNotFoundError) as raised:
        registry.migrator("stage")

    assert ("migrate", "stage") == (raised.value.capability, raised.value.environment)
    assert (
        "no executor is registered to migrate in stage; register one with the executor "
        "registry or install a plug-in that provides it"
    ) == str(raised.value)


def test_an_object_without_the_method_is_refused() -> None:
    """Registering a non-executor fails at once, naming the method it lacks."""
    with pytest.raises(InvalidInputError) as raised:
        Registry().register("deploy", Announcer())

    assert (
        "test_executor_registry.Announcer cannot deploy: it has no deploy() method, so it does "
        "not implement Deployer"
    ) == str(raised.value)


def test_a_class_instead_of_an_instance_is_refused() -> None:
    """Passing the class is a common slip: the error says to instantiate it."""
    with pytest.raises(InvalidInputError) as raised:
        Registry().register("notify", Announcer)

    assert (
        "test_executor_registry.Announcer is a class; register an instance of it, e.g. Announcer()"
    ) == str(raised.value)


def test_a_command_executor_is_refused_for_a_capability_it_has_no_template_for() -> None:
    """Having the method is not enough: the executor must provide the capability."""
    executor = CommandExecutor(program="ship", templates={"deploy": ("{version}",)})

    with pytest.raises(InvalidInputError, match=r"has the migrate method but does not provide"):
        Registry().register("migrate", executor)


def test_register_all_uses_what_an_executor_provides() -> None:
    """Declared capabilities for built-ins, implemented methods for anything else."""
    registry = Registry()

    declared = registry.register_all(CommandExecutor(program="s", templates={"deploy": ("x",)}))
    implemented = registry.register_all(Announcer(), environment="production")

    assert (frozenset({Capability.DEPLOY}), frozenset({Capability.NOTIFY})) == (
        declared,
        implemented,
    )


def test_register_all_refuses_an_object_that_provides_nothing() -> None:
    """An object with no executor method at all is refused, listing the protocols."""
    with pytest.raises(InvalidInputError, match=r"provides no capability; an executor implements"):
        Registry().register_all(object())


def test_an_unknown_capability_or_bad_environment_is_refused() -> None:
    """Capability names and environment names are checked when registering."""
    registry = Registry()

    with pytest.raises(InvalidInputError, match=r"'ship' is not a capability"):
        registry.register("ship", Announcer())
    with pytest.raises(InvalidInputError) as raised:
        registry.register("notify", Announcer(), environment="Production")
    assert "environment" == raised.value.field


def test_registering_again_replaces_the_earlier_executor() -> None:
    """The last registration for a capability and environment wins."""
    first, second = Announcer(), Announcer()
    registry = Registry()
    registry.register("notify", first)
    registry.register("notify", second)

    assert second is registry.notifier()


def test_registrations_list_defaults_first_in_capability_order() -> None:
    """registrations() is a stable listing for tools that show the wiring."""
    announcer, recorder = Announcer(), DryRunExecutor()
    registry = Registry()
    registry.register("notify", announcer)
    registry.register("deploy", recorder, environment="stage")
    registry.register("deploy", recorder)

    assert (
        Registration(capability=Capability.DEPLOY, environment=None, executor=recorder),
        Registration(capability=Capability.DEPLOY, environment="stage", executor=recorder),
        Registration(capability=Capability.NOTIFY, environment=None, executor=announcer),
    ) == registry.registrations()
    assert "<Registry(3 registrations)>" == repr(registry)


def test_provides_answers_without_raising() -> None:
    """provides() tells a coordinator up front whether a lookup would succeed."""
    registry = Registry()
    registry.register("deploy", DryRunExecutor(), environment="stage")

    assert [True, False, False] == [
        registry.provides("deploy", "stage"),
        registry.provides("deploy", "production"),
        registry.provides(Capability.MIGRATE, "stage"),
    ]


def test_every_typed_accessor_returns_the_registered_executor() -> None:
    """One accessor per capability, each typed with its protocol."""
    recorder = DryRunExecutor()
    registry = Registry()
    registry.register_all(recorder)

    accessors = (
        registry.deployer,
        registry.test_runner,
        registry.log_collector,
        registry.migrator,
        registry.notifier,
        registry.data_adjuster,
        registry.data_restorer,
    )

    assert all(accessor("tests") is recorder for accessor in accessors)
    assert recorder is registry.lookup("deploy", "tests")


def test_dt_wires_every_capability_to_one_dt_executor() -> None:
    """dt() is the one-line registry for a team that does everything through dt."""
    registry = dt()

    executors = {registration.executor for registration in registry.registrations()}
    assert 7 == len(registry.registrations())
    assert [DtExecutor] == [type(executor) for executor in executors]


def test_dt_takes_a_configured_executor() -> None:
    """A team's own DtExecutor (or any command executor) can be wired the same way."""
    executor = DtExecutor(program="/opt/dt", templates={"restore-data": None})

    registry = dt(executor)

    assert executor is registry.deployer("production")
    assert not registry.provides("restore-data")
    request = DeployRequest(release_id="r1", version="1", environment="stage")
    assert ("/opt/dt", "deploy", "stage", "1") == executor.command_for(request)
