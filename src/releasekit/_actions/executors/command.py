r"""The generic command executor: each capability runs one program with a template.

Example:
    >>> import sys
    >>> from releasekit.executors import DeployRequest
    >>> echo = CommandExecutor(
    ...     program=sys.executable,
    ...     templates={"deploy": ("-c", "print('deploying')", "{environment}", "{version}")},
    ... )
    >>> sorted(echo.capabilities)
    [<Capability.DEPLOY: 'deploy'>]
    >>> request = DeployRequest(release_id="r1", version="1.0;$(reboot)", environment="tests")
    >>> echo.command_for(request)[1:]
    ('-c', "print('deploying')", 'tests', '1.0;$(reboot)')
    >>> outcome = echo.deploy(request)
    >>> outcome.status.value, outcome.output
    ('succeeded', 'deploying\n')
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shlex
import signal
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from releasekit._actions.executors import _process
from releasekit._actions.executors.capabilities import ByCapability, Capability
from releasekit._actions.executors.outcomes import LogBatch, Outcome, Status, human_duration
from releasekit._actions.executors.templates import Template, check, render, values
from releasekit._rules import _validate
from releasekit.exceptions import ExecutorFailedError, ExecutorNotFoundError, InvalidInputError

if TYPE_CHECKING:
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

__all__ = ["DEFAULT_TIMEOUTS", "CommandExecutor", "check_templates", "show_command"]

#: How long each capability may run before it is stopped, unless configured.
DEFAULT_TIMEOUTS: Mapping[Capability, dt.timedelta] = types.MappingProxyType(
    {
        Capability.DEPLOY: dt.timedelta(minutes=30),
        Capability.RUN_TESTS: dt.timedelta(hours=2),
        Capability.COLLECT_LOGS: dt.timedelta(minutes=10),
        Capability.MIGRATE: dt.timedelta(hours=1),
        Capability.NOTIFY: dt.timedelta(minutes=2),
        Capability.ADJUST_DATA: dt.timedelta(minutes=30),
        Capability.RESTORE_DATA: dt.timedelta(hours=2),
    }
)

_log = logging.getLogger("releasekit.executors")

#: The longest last line of output quoted in a summary, in characters.
_QUOTED = 300


def check_templates(templates: ByCapability[Iterable[str]]) -> Mapping[Capability, Template]:
    """Return *templates* keyed by :class:`Capability`, every template checked.

    Raises:
        InvalidInputError: A key names no capability or a template is refused
            (see :mod:`~releasekit._actions.executors.templates`).
    """
    given: object = templates  # checked at run time: callers are not always type-checked
    if not isinstance(given, Mapping):
        raise InvalidInputError(
            f"templates must map capabilities to argument tuples, got {templates!r}",
            field="templates",
            value=templates,
        )
    checked: dict[Capability, Template] = {}
    for key, template in given.items():
        capability = Capability.parse(key, field="templates")
        checked[capability] = check(capability, template)
    return types.MappingProxyType(checked)


def _duration(value: dt.timedelta | float, field: str) -> dt.timedelta:
    given: object = value  # checked at run time: callers are not always type-checked
    if isinstance(given, dt.timedelta):
        duration = given
    elif isinstance(given, int | float) and not isinstance(given, bool):
        duration = dt.timedelta(seconds=given)
    else:
        raise InvalidInputError(
            f"{field} must be a timedelta or a number of seconds, got {value!r}",
            field=field,
            value=value,
        )
    if duration <= dt.timedelta():
        raise InvalidInputError(
            f"{field} must be positive, got {value!r}", field=field, value=value
        )
    return duration


def _timeouts(value: ByCapability[dt.timedelta | float]) -> Mapping[Capability, dt.timedelta]:
    merged = dict(DEFAULT_TIMEOUTS)
    for key, limit in value.items():
        capability = Capability.parse(key, field="timeouts")
        merged[capability] = _duration(limit, f"timeouts[{capability.value!r}]")
    return types.MappingProxyType(merged)


def _grace(value: dt.timedelta | float) -> dt.timedelta:
    return _duration(value, "grace")


def _exit_codes(value: Mapping[int, str]) -> Mapping[int, str]:
    items: list[tuple[object, object]] = list(value.items())  # checked at run time
    for code, meaning in items:
        if not isinstance(code, int) or isinstance(code, bool):
            raise InvalidInputError(
                f"exit_codes keys must be exit codes (ints), got {code!r}",
                field="exit_codes",
                value=value,
            )
        if not isinstance(meaning, str) or not meaning.strip():
            raise InvalidInputError(
                f"exit_codes[{code}] must say what the code means, e.g. 'environment busy', "
                f"got {meaning!r}",
                field="exit_codes",
                value=value,
            )
    return types.MappingProxyType(dict(value))


def _codes(value: Iterable[int]) -> frozenset[int]:
    codes = frozenset(value)
    for code in codes:
        given: object = code  # checked at run time: callers are not always type-checked
        if not isinstance(given, int) or isinstance(given, bool):
            raise InvalidInputError(
                f"ok_codes must hold exit codes (ints), got {code!r}", field="ok_codes", value=value
            )
    return codes


def _env(value: Mapping[str, str]) -> Mapping[str, str]:
    items: list[tuple[object, object]] = list(value.items())  # checked at run time
    for key, item in items:
        if not isinstance(key, str) or not isinstance(item, str):
            raise InvalidInputError(
                f"env must map names to strings, got {key!r}: {item!r}", field="env", value=value
            )
    return types.MappingProxyType(dict(value))


def _positive(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInputError(
            f"{attribute.name} must be a positive number of bytes, got {value!r}",
            field=attribute.name,
            value=value,
        )


def show_command(argv: tuple[str, ...]) -> str:
    """Return *argv* as a person would type it: the program's name, arguments quoted.

    Example:
        >>> show_command(("/usr/local/bin/dt", "deploy", "tests", "1.0; rm -rf /"))
        "dt deploy tests '1.0; rm -rf /'"
    """
    return shlex.join((Path(argv[0]).name, *argv[1:]))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


@attrs.frozen(kw_only=True, eq=False)
class CommandExecutor:
    """Runs one program per request, its arguments built from a template per capability.

    The program never runs through a shell: each template item becomes exactly
    one argument (or, for list fields, several), so a version such as
    ``1.0;$(reboot)`` reaches the program as one harmless argument, and no value
    put in by a placeholder reaches it as an option (see
    :data:`~releasekit.executors.END_OF_OPTIONS`). Standard
    output and error are merged; each line goes to the request's ``progress``
    callback as it arrives (in a background thread), and the head and tail of
    the output are kept in the outcome. The program's pid goes to the
    request's ``child_started`` callback as soon as it started.

    A run that exits with a code in ``ok_codes`` succeeded; any other code
    failed, its summary saying what the code means (``exit_codes``) or quoting
    the last line printed. A run past its timeout is stopped — its whole
    process group gets ``SIGTERM``, then ``SIGKILL`` after ``grace`` — and
    timed out; a run ended by a signal was killed. These are all outcomes: the
    executor raises only when the program cannot be started at all. POSIX only.

    Its settings are fixed once built (derive variants with ``attrs.evolve``);
    executors compare and hash by identity.

    Attributes:
        program: The program to run: a name looked up on ``PATH``, or a path.
        templates: The argument template of each capability it provides; see
            :mod:`releasekit.executors` for the placeholders. Checked when the
            executor is built.
        timeouts: How long each capability may run; merged over
            :data:`DEFAULT_TIMEOUTS`. Timedeltas or seconds.
        grace: How long a stopped process gets between ``SIGTERM`` and
            ``SIGKILL``, and how long output is awaited after the process ends.
        exit_codes: What exit codes mean, as sentences for the summary, e.g.
            ``{2: "environment busy"}``.
        ok_codes: The exit codes that mean success.
        env: Environment variables for the program, on top of ours (or
            instead of them, see ``inherit_env``).
        inherit_env: Whether the program inherits this process's environment.
        cwd: The program's working directory; ours if ``None``.
        output_limit: How many bytes of output an outcome keeps, head and tail.
    """

    program: str = attrs.field(validator=_validate.text)
    templates: Mapping[Capability, Template] = attrs.field(converter=check_templates)
    timeouts: Mapping[Capability, dt.timedelta] = attrs.field(factory=dict, converter=_timeouts)
    grace: dt.timedelta = attrs.field(default=dt.timedelta(seconds=10), converter=_grace)
    exit_codes: Mapping[int, str] = attrs.field(factory=dict, converter=_exit_codes)
    ok_codes: frozenset[int] = attrs.field(default=frozenset({0}), converter=_codes)
    env: Mapping[str, str] = attrs.field(factory=dict, converter=_env)
    inherit_env: bool = True
    cwd: str | os.PathLike[str] | None = None
    output_limit: int = attrs.field(default=256 * 1024, validator=_positive)

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The capabilities it has a template for."""
        return frozenset(self.templates)

    def command_for(self, request: Request) -> tuple[str, ...]:
        """Return the argument list that *request* would run, program first.

        Raises:
            ExecutorNotFoundError: There is no template for the request's capability.
            InvalidInputError: A value put in by a placeholder would start an
                argument with ``-`` before the template's ``"--"`` (or without
                one): the program would read it as an option, so nothing runs.
        """
        template = self.templates.get(request.capability)
        if template is None:
            raise ExecutorNotFoundError(
                capability=request.capability.value, environment=request.environment
            )
        return (self.program, *render(template, values(request)))

    def deploy(self, request: DeployRequest, /) -> Outcome:
        """Run the deploy template for *request*."""
        return self._run(request)[0]

    def run_tests(self, request: TestRequest, /) -> Outcome:
        """Run the run-tests template for *request*."""
        return self._run(request)[0]

    def collect_logs(self, request: LogRequest, /) -> LogBatch:
        """Run the collect-logs template; every non-blank line printed is one entry."""
        outcome, finished = self._run(request)
        return LogBatch(
            environment=request.environment,
            since=request.since,
            entries=finished.kept_lines,
            error_count=finished.lines,
            complete=finished.complete,
            outcome=outcome,
        )

    def migrate(self, request: MigrationRequest, /) -> Outcome:
        """Run the migrate template for *request*."""
        return self._run(request)[0]

    def notify(self, notice: Notice, /) -> Outcome:
        """Run the notify template for *notice*."""
        return self._run(notice)[0]

    def adjust_data(self, request: AdjustmentRequest, /) -> Outcome:
        """Run the adjust-data template for *request*."""
        return self._run(request)[0]

    def restore_data(self, request: RestoreRequest, /) -> Outcome:
        """Run the restore-data template for *request*."""
        return self._run(request)[0]

    def _run(self, request: Request) -> tuple[Outcome, _process.Finished]:
        argv = self.command_for(request)
        timeout = self.timeouts[request.capability]
        _log.debug("running %s (timeout %s)", show_command(argv), human_duration(timeout))
        try:
            finished = _process.run(
                argv,
                timeout=timeout.total_seconds(),
                grace=self.grace.total_seconds(),
                limit=self.output_limit,
                env=self._environment(),
                cwd=self.cwd,
                progress=request.progress,
                child_started=request.child_started,
            )
        except OSError as error:
            raise ExecutorFailedError(
                self._not_started(error),
                capability=request.capability.value,
                environment=request.environment,
            ) from error
        return self._outcome(argv, finished, timeout), finished

    def _environment(self) -> dict[str, str] | None:
        if self.inherit_env and not self.env:
            return None
        base = dict(os.environ) if self.inherit_env else {}
        return base | dict(self.env)

    def _not_started(self, error: OSError) -> str:
        kind = type(self).__name__
        if (
            self.cwd is not None
            and error.filename is not None
            and os.fspath(error.filename) == os.fspath(self.cwd)
        ):
            return (
                f"{self.program} could not be started: its working directory {self.cwd} does "
                f"not exist; create it or set {kind}(cwd=...)"
            )
        if isinstance(error, FileNotFoundError):
            if os.sep in self.program or (os.altsep and os.altsep in self.program):
                return f"{self.program} was not found; check the path or set {kind}(program=...)"
            return f"{self.program} was not found on PATH; install it or set {kind}(program=...)"
        if isinstance(error, PermissionError):
            return (
                f"{self.program} could not be started: permission denied; make it executable "
                f"(chmod +x) or set {kind}(program=...)"
            )
        return f"{self.program} could not be started: {error.strerror or error}"

    def _outcome(
        self, argv: tuple[str, ...], finished: _process.Finished, timeout: dt.timedelta
    ) -> Outcome:
        shown = show_command(argv)
        code = finished.returncode
        common: dict[str, Any] = {
            "output": finished.output,
            "duration": finished.duration,
            "command": argv,
            "timeout": timeout,
        }
        if finished.timed_out:
            return Outcome(
                status=Status.TIMED_OUT,
                summary=f"`{shown}` did not finish within {human_duration(timeout)} and was "
                "stopped",
                exit_code=code if code >= 0 else None,
                signal=-code if code < 0 else None,
                **common,
            )
        if code < 0:
            return Outcome(
                status=Status.KILLED,
                summary=f"`{shown}` was killed by signal {-code} ({_signal_name(-code)})",
                signal=-code,
                **common,
            )
        meaning = self.exit_codes.get(code)
        if code in self.ok_codes:
            summary = f"`{shown}` succeeded" + (f": {meaning}" if meaning else "")
            return Outcome(status=Status.SUCCEEDED, summary=summary, exit_code=code, **common)
        if meaning is None:
            last = finished.last_line
            if len(last) > _QUOTED:
                last = last[: _QUOTED - 1] + "…"
            meaning = last or "it printed nothing"
        return Outcome(
            status=Status.FAILED,
            summary=f"`{shown}` exited with code {code}: {meaning}",
            exit_code=code,
            **common,
        )
