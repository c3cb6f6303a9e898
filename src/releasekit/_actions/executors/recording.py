"""The dry-run executor: it does nothing but remember what it was asked.

Example:
    >>> recorder = DryRunExecutor()
    >>> registry = dry_run(recorder)
    >>> request = DeployRequest(release_id="r1", version="2.4.0", environment="tests")
    >>> registry.deployer("tests").deploy(request).summary
    'dry run: would deploy 2.4.0 to tests'
    >>> [call.capability.value for call in recorder.calls]
    ['deploy']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions.executors._process import tell
from releasekit._actions.executors.capabilities import ByCapability, Capability
from releasekit._actions.executors.command import CommandExecutor, show_command
from releasekit._actions.executors.outcomes import LogBatch, Outcome
from releasekit._actions.executors.registry import Registry
from releasekit._actions.executors.requests import (
    AdjustmentRequest,
    DeployRequest,
    LogRequest,
    MigrationRequest,
    Notice,
    Request,
    RestoreRequest,
    TestRequest,
)
from releasekit._rules import _validate
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Call", "DryRunExecutor", "dry_run"]


@attrs.frozen(kw_only=True)
class Call:
    """One call a :class:`DryRunExecutor` received.

    Attributes:
        capability: What was asked for.
        request: The request, exactly as given.
        outcome: The outcome returned (for logs, that of the batch).
    """

    capability: Capability
    request: Request
    outcome: Outcome

    @property
    def environment(self) -> str | None:
        """Where the work would have happened."""
        return self.request.environment


def _outcome(value: Outcome | str) -> Outcome:
    given: object = value  # checked at run time: callers are not always type-checked
    if isinstance(given, Outcome):
        return given
    if isinstance(given, str) and given.strip():
        return Outcome.failure(given)
    raise InvalidInputError(
        f"a configured failure is an Outcome or a sentence saying what failed, got {value!r}",
        field="failures",
        value=value,
    )


def _failures(value: ByCapability[Outcome | str]) -> dict[Capability, Outcome]:
    return {
        Capability.parse(key, field="failures"): _outcome(outcome) for key, outcome in value.items()
    }


def _logs(value: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {key: _validate.str_tuple(entries) for key, entries in value.items()}


def _describe(request: Request) -> str:  # noqa: PLR0911  # one return per request type
    match request:
        case DeployRequest(rollback_of=str() as replaced):
            return f"roll {request.environment} back from {replaced} to {request.version}"
        case DeployRequest():
            return f"deploy {request.version} to {request.environment}"
        case TestRequest():
            return f"run the automatic tests against {request.version} on {request.environment}"
        case LogRequest():
            return f"collect the logs of {request.environment} since {request.since.isoformat()}"
        case MigrationRequest():
            return f"run the migrations of {request.version} on {request.environment}"
        case Notice():
            return f"notify: {request.message}"
        case AdjustmentRequest():
            return f"run the data adjustment {request.operation} on {request.environment}"
        case RestoreRequest():
            return f"restore the data of {request.source} into {request.target}"


@attrs.define
class DryRunExecutor:
    """Implements every capability by recording the call and pretending it went well.

    Use it for dry runs and to test code that drives executors: it records
    each call in order and returns a success outcome — or, for a capability
    told to fail, the configured failure.

    Attributes:
        failures: The outcome to return per capability instead of success: an
            :class:`Outcome` (any status) or a sentence for a failed one.
        logs: The log entries to report per environment (none by default).
        preview: An executor whose commands the outcomes show, e.g. a
            :class:`DtExecutor`: "would run `dt deploy stage 2.4.0`". Its
            command is also filled into configured failures that name none.
    """

    failures: dict[Capability, Outcome] = attrs.field(factory=dict, converter=_failures)
    logs: dict[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_logs)
    preview: CommandExecutor | None = None
    _calls: list[Call] = attrs.field(factory=list, init=False)

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Every capability."""
        return frozenset(Capability)

    @property
    def calls(self) -> tuple[Call, ...]:
        """Every call received, oldest first."""
        return tuple(self._calls)

    def calls_for(self, capability: Capability | str) -> tuple[Call, ...]:
        """Return the calls received for one capability, oldest first."""
        wanted = Capability.parse(capability)
        return tuple(call for call in self._calls if call.capability is wanted)

    def fail(self, capability: Capability | str, failure: Outcome | str) -> None:
        """Make every later call of *capability* return *failure*."""
        self.failures[Capability.parse(capability)] = _outcome(failure)

    def succeed(self, capability: Capability | str) -> None:
        """Make later calls of *capability* succeed again."""
        self.failures.pop(Capability.parse(capability), None)

    def clear(self) -> None:
        """Forget every call recorded so far."""
        self._calls.clear()

    def deploy(self, request: DeployRequest, /) -> Outcome:
        """Record a deploy."""
        return self._record(request)

    def run_tests(self, request: TestRequest, /) -> Outcome:
        """Record a test run."""
        return self._record(request)

    def collect_logs(self, request: LogRequest, /) -> LogBatch:
        """Record a log collection; report the entries configured for the environment."""
        outcome = self._record(request)
        entries = self.logs.get(request.environment, ()) if outcome.ok else ()
        return LogBatch(
            environment=request.environment,
            since=request.since,
            entries=entries,
            error_count=len(entries),
            outcome=outcome,
        )

    def migrate(self, request: MigrationRequest, /) -> Outcome:
        """Record a migration run."""
        return self._record(request)

    def notify(self, notice: Notice, /) -> Outcome:
        """Record a notice."""
        return self._record(notice)

    def adjust_data(self, request: AdjustmentRequest, /) -> Outcome:
        """Record a data adjustment."""
        return self._record(request)

    def restore_data(self, request: RestoreRequest, /) -> Outcome:
        """Record a data restore."""
        return self._record(request)

    def _record(self, request: Request) -> Outcome:
        failure = self.failures.get(request.capability)
        outcome = self._success(request) if failure is None else self._previewed(failure, request)
        self._calls.append(Call(capability=request.capability, request=request, outcome=outcome))
        if request.progress is not None:
            tell(request.progress, outcome.summary)
        return outcome

    def _previewed(self, failure: Outcome, request: Request) -> Outcome:
        """Return *failure* naming the command that would have run, if it names none."""
        if failure.command or self.preview is None:
            return failure
        if request.capability not in self.preview.capabilities:
            return failure
        return attrs.evolve(failure, command=self.preview.command_for(request))

    def _success(self, request: Request) -> Outcome:
        if self.preview is not None and request.capability in self.preview.capabilities:
            command = self.preview.command_for(request)
            return Outcome.success(f"dry run: would run `{show_command(command)}`", command=command)
        return Outcome.success(f"dry run: would {_describe(request)}")


def dry_run(recorder: DryRunExecutor | None = None) -> Registry:
    """Return a registry whose every capability is *recorder* (a new one if omitted).

    Keep a reference to *recorder* to look at the calls afterwards.
    """
    registry = Registry()
    registry.register_all(recorder if recorder is not None else DryRunExecutor())
    return registry
