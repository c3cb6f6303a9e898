"""Outcomes: what happened when an executor ran.

Anything that ran yields an :class:`Outcome` — a non-zero exit, a timeout or a
signal included — so the caller can record it as evidence. Executors raise
only when nothing could run at all (the program is missing, say). Turning a
bad outcome into an error is the caller's decision:
:meth:`Outcome.raise_for_status` does it with structured attributes.

Example:
    >>> outcome = Outcome.failure("`dt deploy stage 2.4.0` exited with code 2: environment busy")
    >>> outcome.ok, outcome.status.value
    (False, 'failed')
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import instant
from releasekit.exceptions import ExecutorFailedError, ExecutorTimeoutError, InvalidInputError

__all__ = ["LogBatch", "Outcome", "Status", "human_duration"]

#: How much of the output an error carries (its tail), in characters.
_ERROR_OUTPUT = 4000


class Status(enum.StrEnum):
    """How a run ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed-out"
    KILLED = "killed"


def human_duration(value: dt.timedelta) -> str:
    """Return *value* as a short phrase: ``"90 s"``, ``"30 min"``, ``"2 h"``.

    Example:
        >>> human_duration(dt.timedelta(minutes=30))
        '30 min'
    """
    seconds = value.total_seconds()
    if seconds < 120:  # noqa: PLR2004  # below two minutes, seconds read best
        return f"{seconds:g} s"
    if seconds < 7200:  # noqa: PLR2004  # below two hours, minutes read best
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def _status(value: Status | str) -> Status:
    given: object = value  # checked at run time: callers are not always type-checked
    if isinstance(given, str):
        try:
            return Status(given)
        except ValueError:
            pass
    known = ", ".join(status.value for status in Status)
    raise InvalidInputError(
        f"{value!r} is not a status; use one of {known}", field="status", value=value
    )


def _non_negative(
    _instance: object, attribute: attrs.Attribute[dt.timedelta], value: object
) -> None:
    if not isinstance(value, dt.timedelta) or value < dt.timedelta():
        raise InvalidInputError(
            f"{attribute.name} must be a non-negative duration, got {value!r}",
            field=attribute.name,
            value=value,
        )


@attrs.frozen(kw_only=True)
class Outcome:
    """The result of one run of an executor.

    Attributes:
        status: How it ended: succeeded, failed, timed out or killed.
        summary: One sentence saying what happened.
        exit_code: The process's exit code, if a process exited.
        signal: The signal number that killed the process, if one did.
        output: What it printed (standard output and error, merged), capped:
            the head and the tail are kept around an ``[… N bytes omitted …]``
            marker.
        duration: How long it ran.
        command: The argument list that ran, for the record (empty if no
            process ran, e.g. in a dry run or a plug-in calling an API).
        timeout: The time limit it ran under, if any.
    """

    status: Status = attrs.field(converter=_status)
    summary: str = attrs.field(validator=_validate.text)
    exit_code: int | None = None
    signal: int | None = None
    output: str = ""
    duration: dt.timedelta = attrs.field(default=dt.timedelta(), validator=_non_negative)
    command: tuple[str, ...] = attrs.field(default=(), converter=_validate.str_tuple)
    timeout: dt.timedelta | None = None

    @classmethod
    def success(
        cls,
        summary: str,
        *,
        exit_code: int | None = None,
        output: str = "",
        duration: dt.timedelta = dt.timedelta(),
        command: tuple[str, ...] = (),
    ) -> Outcome:
        """Return a succeeded outcome, e.g. for a plug-in that called an API.

        Args:
            summary: One sentence saying what was done.
            exit_code: The process's exit code, if a process ran.
            output: Anything worth keeping for the record.
            duration: How long it took.
            command: The argument list that ran, if a process ran.
        """
        return cls(
            status=Status.SUCCEEDED,
            summary=summary,
            exit_code=exit_code,
            output=output,
            duration=duration,
            command=command,
        )

    @classmethod
    def failure(
        cls,
        summary: str,
        *,
        exit_code: int | None = None,
        output: str = "",
        duration: dt.timedelta = dt.timedelta(),
        command: tuple[str, ...] = (),
    ) -> Outcome:
        """Return a failed outcome.

        Args:
            summary: One sentence saying what went wrong.
            exit_code: The process's exit code, if a process ran.
            output: What it printed.
            duration: How long it took.
            command: The argument list that ran, if a process ran.
        """
        return cls(
            status=Status.FAILED,
            summary=summary,
            exit_code=exit_code,
            output=output,
            duration=duration,
            command=command,
        )

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.status is Status.SUCCEEDED

    def raise_for_status(self, capability: str, environment: str | None = None) -> Outcome:
        """Return this outcome if it succeeded; raise an executor error otherwise.

        Args:
            capability: What was being done, e.g. ``"deploy"``, for the error.
            environment: Where, for the error.

        Returns:
            This outcome, so calls can be chained.

        Raises:
            ExecutorTimeoutError: The run timed out.
            ExecutorFailedError: The run failed or was killed by a signal.
        """
        capability = str(capability)
        tail = self.output[-_ERROR_OUTPUT:]
        if self.status is Status.SUCCEEDED:
            return self
        if self.status is Status.TIMED_OUT:
            limit = self.timeout if self.timeout is not None else self.duration
            raise ExecutorTimeoutError(
                capability=capability,
                environment=environment,
                timeout=limit.total_seconds(),
                output=tail,
            )
        where = f" in {environment}" if environment else ""
        raise ExecutorFailedError(
            f"{capability}{where} did not succeed: {self.summary}; read its output, fix the "
            "cause and retry",
            capability=capability,
            environment=environment,
            exit_code=self.exit_code,
            output=tail,
            signal=self.signal,
        )


def _count(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError(
            f"{attribute.name} must be a count (an int >= 0), got {value!r}",
            field=attribute.name,
            value=value,
        )


def _since(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="since")


@attrs.frozen(kw_only=True)
class LogBatch:
    """The error logs collected from one environment.

    Attributes:
        environment: Whose logs these are.
        since: The earliest instant asked for.
        entries: The log entries, one per line, oldest first (possibly only
            the head and the tail, see :attr:`complete`).
        error_count: How many entries the environment reported in all.
        complete: Whether :attr:`entries` holds every entry; ``False`` when
            the output was longer than the executor keeps.
        outcome: How the collection itself went.
    """

    environment: str = attrs.field(validator=_validate.name)
    since: pendulum.DateTime = attrs.field(converter=_since)
    entries: tuple[str, ...] = attrs.field(default=(), converter=_validate.str_tuple)
    error_count: int = attrs.field(default=0, validator=_count)
    complete: bool = True
    outcome: Outcome

    @property
    def ok(self) -> bool:
        """Whether the logs were collected (whatever they say)."""
        return self.outcome.ok

    @property
    def clean(self) -> bool:
        """Whether the logs were collected and hold no errors."""
        return self.outcome.ok and self.error_count == 0
