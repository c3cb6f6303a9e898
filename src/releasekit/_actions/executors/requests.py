"""Requests: the one value each executor method takes.

Every request is a frozen value saying *what* to do — never *how*: no shell
strings, no command lines; an executor turns it into work. Each request type
belongs to exactly one :class:`Capability` (its ``capability`` class attribute)
and has an ``environment``: where the work happens (for a restore, the target).

Values that name something — a version, a release id, an operation — are
tokens: they start with a letter or digit and hold no white space or control
character, so none can reach a program as an option. Free arguments (a data
adjustment's) may hold spaces but never start with ``-`` or hold a control
character.

A request may carry a ``progress`` callback that receives each line of output
as it arrives, so a test run of many minutes can be watched, and a
``child_started`` callback that receives the pid of each program the executor
starts for it, so the desk can record which process runs the step. Callbacks
are not part of the value: they take no part in equality, hashing or ``repr``.

Example:
    >>> request = DeployRequest(release_id="r1", version="1.0;rm", environment="tests")
    >>> request.capability.value, request.version
    ('deploy', '1.0;rm')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import pendulum

from releasekit._actions.executors.capabilities import Capability
from releasekit._rules import _validate, _values
from releasekit._rules._time import instant
from releasekit._rules.identity import operator_identity
from releasekit._rules.release import Artifact
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "AdjustmentRequest",
    "ChildHook",
    "DeployRequest",
    "LogRequest",
    "MigrationRequest",
    "Notice",
    "Progress",
    "Request",
    "RestoreRequest",
    "TestRequest",
]

#: A callback that receives each line of output, without its line ending. Built-in executors
#: call it from a background thread while the program runs: keep it quick.
Progress = Callable[[str], None]

#: A callback that receives the pid of each program an executor starts on this host, as soon as
#: it started and before the executor waits for it. Built-in executors call it from the thread
#: that runs the request.
ChildHook = Callable[[int], None]


def _since(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="since")


def _optional_token(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _values.token(instance, attribute, value)


def _migrations(value: str | Iterable[str]) -> tuple[str, ...]:
    return _values.label_tuple(value, field="migrations")


def _optional_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _validate.name(instance, attribute, value)


def _arguments(value: str | Iterable[str]) -> tuple[str, ...]:
    try:
        items = _validate.str_tuple(value)
    except TypeError:
        raise InvalidInputError(
            f"arguments must be a list of strings, got {value!r}", field="arguments", value=value
        ) from None
    for item in items:
        problem = _values.argument_problem(item)
        if problem is not None:
            raise InvalidInputError(
                f"argument {item!r} cannot be used: {problem}; pass each argument as plain "
                "text that does not start with '-'",
                field="arguments",
                value=value,
            )
    return items


def _progress(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise InvalidInputError(
            f"{attribute.name} must be a callable taking one line of output, got {value!r}",
            field=attribute.name,
            value=value,
        )


def _child_hook(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise InvalidInputError(
            f"{attribute.name} must be a callable taking a process id, got {value!r}",
            field=attribute.name,
            value=value,
        )


@attrs.frozen(kw_only=True)
class DeployRequest:
    """Deploy a release's version to an environment.

    A rollback is a deploy too: of the previously deployed version, with
    ``rollback_of`` naming the version it replaces.

    Attributes:
        release_id: The release being deployed.
        version: The exact version to deploy.
        environment: Where to deploy it.
        artifact: What the version ships (functions, migrations), if known.
        rollback_of: The version this deploy rolls back, if it is a rollback.
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    capability: ClassVar[Capability] = Capability.DEPLOY

    release_id: str = attrs.field(validator=_values.token)
    version: str = attrs.field(validator=_values.token)
    environment: str = attrs.field(validator=_validate.name)
    artifact: Artifact = attrs.field(factory=Artifact)
    rollback_of: str | None = attrs.field(default=None, validator=_optional_token)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )


@attrs.frozen(kw_only=True)
class TestRequest:
    """Run the automatic tests against a version on an environment.

    Attributes:
        environment: Where the tests run (``tests`` in the reference policy).
        version: The exact version under test.
        release_id: The release the run is for, if any.
        notify: Whether the tests tool should notify the team of the result
            (``dt test --notify``).
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class
    capability: ClassVar[Capability] = Capability.RUN_TESTS

    environment: str = attrs.field(validator=_validate.name)
    version: str = attrs.field(validator=_values.token)
    release_id: str | None = attrs.field(default=None, validator=_optional_token)
    notify: bool = attrs.field(default=True, validator=_values.boolean)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )


@attrs.frozen(kw_only=True)
class LogRequest:
    """Collect the error logs of an environment written since an instant.

    Attributes:
        environment: Whose logs to collect.
        since: The earliest instant of interest (aware; naive values are refused).
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    capability: ClassVar[Capability] = Capability.COLLECT_LOGS

    environment: str = attrs.field(validator=_validate.name)
    since: pendulum.DateTime = attrs.field(converter=_since)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )


@attrs.frozen(kw_only=True)
class MigrationRequest:
    """Run a version's database migrations on an environment.

    Attributes:
        environment: Where to migrate.
        version: The version whose migrations run.
        migrations: The migrations expected to run, in order, if known.
        release_id: The release the migrations belong to, if any.
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    capability: ClassVar[Capability] = Capability.MIGRATE

    environment: str = attrs.field(validator=_validate.name)
    version: str = attrs.field(validator=_values.token)
    migrations: tuple[str, ...] = attrs.field(default=(), converter=_migrations)
    release_id: str | None = attrs.field(default=None, validator=_optional_token)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )


@attrs.frozen(kw_only=True)
class Notice:
    """Tell the team something, e.g. that a production log check went bad.

    Attributes:
        message: What to tell, as a sentence.
        environment: The environment it concerns, if any.
        release_id: The release it concerns, if any.
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    capability: ClassVar[Capability] = Capability.NOTIFY

    message: str = attrs.field(validator=_validate.text)
    environment: str | None = attrs.field(default=None, validator=_optional_name)
    release_id: str | None = attrs.field(default=None, validator=_optional_token)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )


@attrs.frozen(kw_only=True)
class AdjustmentRequest:
    """Run a named data adjustment operation on an environment.

    Verifying the operation and checking who may run it is the coordinator's
    job; the executor only runs it.

    Attributes:
        environment: Whose data to adjust.
        operation: The operation's name, as the team's tool knows it.
        arguments: The operation's arguments, each passed as one argument.
        operator: The person running it, as an :func:`~releasekit.identity`.
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    capability: ClassVar[Capability] = Capability.ADJUST_DATA

    environment: str = attrs.field(validator=_validate.name)
    operation: str = attrs.field(validator=_values.token)
    arguments: tuple[str, ...] = attrs.field(default=(), converter=_arguments)
    operator: str = attrs.field(converter=operator_identity)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )


@attrs.frozen(kw_only=True)
class RestoreRequest:
    """Copy data from one environment into another.

    Whether the direction is allowed is the coordinator's job (the reference
    policy allows ``production -> sandbox-anton`` and never anything into
    ``production``); the executor only copies.

    Attributes:
        source: Where the data comes from.
        target: Whose data is replaced.
        progress: Receives each line of output as it arrives.
        child_started: Receives the pid of each program started for the request.
    """

    capability: ClassVar[Capability] = Capability.RESTORE_DATA

    source: str = attrs.field(validator=_validate.name)
    target: str = attrs.field(validator=_validate.name)
    progress: Progress | None = attrs.field(default=None, eq=False, repr=False, validator=_progress)
    child_started: ChildHook | None = attrs.field(
        default=None, eq=False, repr=False, validator=_child_hook
    )

    @property
    def environment(self) -> str:
        """The environment whose data changes: the :attr:`target`."""
        return self.target


#: Any request an executor method takes.
Request = (
    DeployRequest
    | TestRequest
    | LogRequest
    | MigrationRequest
    | Notice
    | AdjustmentRequest
    | RestoreRequest
)
