"""Executor errors: none provides a capability, a run failed or timed out, a plug-in broke."""

from __future__ import annotations

from releasekit._errors.base import ReleaseKitError

__all__ = [
    "ExecutorError",
    "ExecutorFailedError",
    "ExecutorNotAllowedError",
    "ExecutorNotFoundError",
    "ExecutorTimeoutError",
    "PluginLoadError",
]


class ExecutorError(ReleaseKitError):
    """An executor could not carry out a step."""


class ExecutorNotFoundError(ExecutorError, LookupError):
    """No executor is registered for a capability (and environment).

    Attributes:
        capability: What was asked for, e.g. ``"deploy"``.
        environment: Where, if the lookup was per environment.
    """

    def __init__(self, *, capability: str, environment: str | None = None) -> None:
        where = f" in {environment}" if environment else ""
        super().__init__(
            f"no executor is registered to {capability}{where}; register one with the "
            "executor registry or install a plug-in that provides it"
        )
        self.capability = capability
        self.environment = environment

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


class ExecutorFailedError(ExecutorError):
    """An executor ran and reported failure.

    Attributes:
        capability: What it was doing.
        environment: Where.
        exit_code: The process's exit code, if a process ran.
        output: The tail of what it printed.
        signal: The number of the signal that killed the process, if one did.
    """

    def __init__(
        self,
        message: str,
        *,
        capability: str,
        environment: str | None,
        exit_code: int | None = None,
        output: str = "",
        signal: int | None = None,
    ) -> None:
        super().__init__(message)
        self.capability = capability
        self.environment = environment
        self.exit_code = exit_code
        self.output = output
        self.signal = signal


class ExecutorTimeoutError(ExecutorError, TimeoutError):
    """An executor did not finish in time and was stopped.

    Attributes:
        capability: What it was doing.
        environment: Where.
        timeout: How long it was given, in seconds.
        output: The tail of what it printed before it was stopped.
    """

    def __init__(
        self, *, capability: str, environment: str | None, timeout: float, output: str = ""
    ) -> None:
        where = f" in {environment}" if environment else ""
        super().__init__(
            f"{capability}{where} did not finish within {timeout:g} s and was stopped; "
            "look at its output, then retry or raise the timeout"
        )
        self.capability = capability
        self.environment = environment
        self.timeout = timeout
        self.output = output

    def __str__(self) -> str:  # TimeoutError would show (errno, strerror)
        return str(self.args[0])


class PluginLoadError(ExecutorError):
    """An executor plug-in could not be loaded.

    Attributes:
        plugin: The entry point's name.
        value: What the entry point points at (``module:callable``).
        distribution: The installed distribution that declares it, if known.
    """

    def __init__(
        self, message: str, *, plugin: str, value: str, distribution: str | None = None
    ) -> None:
        super().__init__(message)
        self.plugin = plugin
        self.value = value
        self.distribution = distribution


class ExecutorNotAllowedError(ExecutorError):
    """The executor registered for a step is not one the policy allows for it.

    Production data, for instance, may be adjusted only through the team's
    ``dt`` tool: a dry run or any other executor is refused.

    Attributes:
        capability: What was to be done, e.g. ``"adjust-data"``.
        environment: Where.
        executor: The executor found, described.
        required: What the policy requires, e.g. the tool ``"dt"``.
    """

    def __init__(self, *, capability: str, environment: str, executor: str, required: str) -> None:
        super().__init__(
            f"{capability} in {environment} may run only through {required}, but the executor "
            f"registered for it is {executor}; register a CommandExecutor (or DtExecutor) "
            f"running {required} for {capability} in {environment}"
        )
        self.capability = capability
        self.environment = environment
        self.executor = executor
        self.required = required
