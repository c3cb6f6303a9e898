"""Logs: the report a reviewer reads, and the schedule of production log checks.

:class:`LogReport` gathers the error logs of every environment into one value a
person reads (``str(report)``) and a tool inspects (batches, gaps, totals). Its
:attr:`~LogReport.covered` environments — those whose logs were collected
completely — are the ones a review of it vouches for.

:func:`schedule` is the pure arithmetic of monitoring: given when a release
began running in a monitored environment, the checks recorded since and the
instant asked about, it says which checks were done, which are due or overdue
and when the next one falls due. :class:`Monitoring` holds the answer for one
release, :class:`LogCheck` the result of one check.

Example:
    >>> import datetime as dt, pendulum
    >>> from releasekit import LogMonitoring
    >>> start = pendulum.datetime(2026, 11, 28, 9, tz="UTC")
    >>> checks = schedule(LogMonitoring(every=dt.timedelta(hours=1)), since=start,
    ...                   checks=[start.add(hours=1, minutes=5)],
    ...                   now=start.add(hours=2, minutes=30))
    >>> [(c.due_at.hour, c.status.value) for c in checks]
    [(10, 'done'), (11, 'due'), (12, 'upcoming')]
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._actions.executors.outcomes import LogBatch, Outcome
from releasekit._rules._time import instant
from releasekit._rules.guards import when
from releasekit._rules.identity import by_identity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from releasekit._rules.environments import LogMonitoring

__all__ = [
    "CheckStatus",
    "LogCheck",
    "LogGap",
    "LogReport",
    "Monitoring",
    "ScheduledCheck",
    "attention_key",
    "schedule",
    "unlisted",
]

#: How many entries of one environment :meth:`LogReport.render` shows by default.
_SHOWN = 20


def _batches(value: Iterable[LogBatch]) -> tuple[LogBatch, ...]:
    return tuple(value)


def _gaps(value: Iterable[LogGap]) -> tuple[LogGap, ...]:
    return tuple(value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@attrs.frozen(kw_only=True)
class LogGap:
    """An environment whose logs a report does not hold completely, and why.

    Attributes:
        environment: The environment.
        reason: Why, as a sentence: no executor, the collection failed, or the
            output was cut.
    """

    environment: str
    reason: str


@attrs.frozen(kw_only=True)
class LogReport:
    """The error logs of every environment since one instant, for a reviewer.

    ``str(report)`` is the text a person reads; the attributes are what a tool
    reads. Hand the report to :meth:`Desk.review_logs <releasekit.Desk.review_logs>`
    with the reviewer's verdict.

    Attributes:
        environments: Every environment asked, in promotion order.
        since: The earliest instant of the logs.
        collected_at: When they were collected.
        release_id: The release the review is for, if the report was made for one.
        batches: The logs of every environment that could be collected, in order
            (a batch cut short is here too, and in :attr:`gaps`).
        gaps: Every environment whose logs are not here completely, with why.
    """

    environments: tuple[str, ...] = attrs.field(converter=_names)
    since: pendulum.DateTime
    collected_at: pendulum.DateTime
    release_id: str | None = None
    batches: tuple[LogBatch, ...] = attrs.field(default=(), converter=_batches)
    gaps: tuple[LogGap, ...] = attrs.field(default=(), converter=_gaps)

    @property
    def covered(self) -> frozenset[str]:
        """The environments whose logs were collected completely: what a review vouches for."""
        missing = {gap.environment for gap in self.gaps}
        return frozenset(
            batch.environment
            for batch in self.batches
            if batch.ok and batch.complete and batch.environment not in missing
        )

    @property
    def uncovered(self) -> tuple[str, ...]:
        """The environments whose logs are missing or incomplete, in order."""
        covered = self.covered
        return tuple(name for name in self.environments if name not in covered)

    @property
    def complete(self) -> bool:
        """Whether the logs of every environment were collected completely."""
        return not self.gaps

    @property
    def error_count(self) -> int:
        """How many errors the environments reported, in all."""
        return sum(batch.error_count for batch in self.batches)

    @property
    def clean(self) -> bool:
        """Whether every environment's logs were collected and hold no error."""
        return self.complete and self.error_count == 0

    def batch(self, environment: str) -> LogBatch | None:
        """Return the logs collected from *environment*, or ``None`` if there are none."""
        for batch in self.batches:
            if batch.environment == environment:
                return batch
        return None

    def gap(self, environment: str) -> LogGap | None:
        """Return why *environment*'s logs are incomplete, or ``None`` if they are complete."""
        for gap in self.gaps:
            if gap.environment == environment:
                return gap
        return None

    def render(self, *, entries: int = _SHOWN, line: Callable[[str], str] | None = None) -> str:
        """Return the report as text a person reads, showing up to *entries* lines per environment.

        Args:
            entries: How many log entries to show per environment; the rest are counted.
            line: Applied to each line before the lines are joined, e.g. to make the
                control characters a log entry may hold visible (the ``releasekit``
                command does); each line is shown as it is by default.
        """
        scope = f" for release {self.release_id}" if self.release_id else ""
        with_errors = sum(1 for batch in self.batches if batch.error_count)
        clean = sum(
            1
            for batch in self.batches
            if not batch.error_count and batch.environment in self.covered
        )
        lines = [
            f"Error logs since {when(self.since)}{scope} (collected {when(self.collected_at)})",
            (
                f"{_plural(len(self.environments), 'environment')}: {clean} clean, "
                f"{with_errors} with errors, {len(self.gaps)} not collected completely; "
                f"{_plural(self.error_count, 'error')} in all"
            ),
        ]
        lines.append("")
        for name in self.environments:
            batch = self.batch(name)
            gap = self.gap(name)
            if batch is None:
                reason = gap.reason if gap is not None else "no logs"
                lines.append(f"{name}: NOT COLLECTED: {reason}")
                continue
            state = _plural(batch.error_count, "error") if batch.error_count else "clean"
            if gap is not None:
                state = f"{state} (INCOMPLETE: {gap.reason})"
            lines.append(f"{name}: {state}")
            shown = batch.entries[:entries]
            lines.extend(f"    {entry}" for entry in shown)
            hidden = len(batch.entries) - len(shown)
            if hidden > 0:
                lines.append(f"    … {hidden} more")
        return "\n".join(lines if line is None else map(line, lines))

    def __str__(self) -> str:
        return self.render()


class CheckStatus(enum.StrEnum):
    """Where one scheduled log check stands."""

    #: Done within its hour (before the next check fell due).
    DONE = "done"
    #: Done, but only after the next check had fallen due.
    LATE = "late"
    #: Due now and not done yet.
    DUE = "due"
    #: Not done, and the next check has fallen due since.
    OVERDUE = "overdue"
    #: Not due yet: the next one.
    UPCOMING = "upcoming"


@attrs.frozen(kw_only=True)
class ScheduledCheck:
    """One log check a monitored environment calls for.

    Attributes:
        due_at: When it falls due.
        status: Where it stands.
        checked_at: When the check that satisfied it was done, if one was.
    """

    due_at: pendulum.DateTime
    status: CheckStatus
    checked_at: pendulum.DateTime | None = None


def _checks(value: Iterable[ScheduledCheck]) -> tuple[ScheduledCheck, ...]:
    return tuple(value)


def _span(
    monitoring: LogMonitoring,
    since: dt.datetime,
    checks: Iterable[dt.datetime],
    now: dt.datetime,
    until: dt.datetime | None,
) -> tuple[pendulum.DateTime, pendulum.DateTime, list[pendulum.DateTime], int]:
    """Return the start, the instant asked about, the checks done, and how many fell due."""
    start = instant(since, field="since")
    moment = instant(now, field="now")
    end = moment if until is None else min(moment, instant(until, field="until"))
    done = sorted(c for c in (instant(c, field="checks") for c in checks) if start <= c <= moment)
    due = dt.datetime.__sub__(end, start) // monitoring.every if end > start else 0
    return start, moment, done, due


def schedule(
    monitoring: LogMonitoring,
    *,
    since: dt.datetime,
    checks: Iterable[dt.datetime],
    now: dt.datetime,
    until: dt.datetime | None = None,
    limit: int | None = None,
) -> tuple[ScheduledCheck, ...]:
    """Return the checks due since *since* (a deployment) up to *now*, and the next one.

    A check falls due every ``monitoring.every`` after *since*. It is satisfied
    by the first check done at or after its due time — a late check covers
    every check missed before it, since it reads the logs since the last one.

    Args:
        monitoring: How often the logs are checked.
        since: When the release began running in the environment.
        checks: When checks were done (any order; those before *since* are ignored).
        now: The instant asked about.
        until: When the release stopped running there, if it did: no check
            falls due after it, and none is upcoming.
        limit: List only the last *limit* checks that fell due (then the
            upcoming one): a release that ran for years calls for tens of
            thousands. :func:`unlisted` counts the ones left out.
    """
    start, moment, done, due = _span(monitoring, since, checks, now, until)
    every = monitoring.every
    first = 1 if limit is None else max(1, due - limit + 1)
    result: list[ScheduledCheck] = []
    for index in range(first, due + 1):
        at = start + every * index
        following = at + every
        found = bisect.bisect_left(done, at)
        checked = done[found] if found < len(done) else None
        if checked is not None:
            status = CheckStatus.LATE if checked >= following else CheckStatus.DONE
        else:
            status = CheckStatus.OVERDUE if moment >= following else CheckStatus.DUE
        result.append(ScheduledCheck(due_at=at, status=status, checked_at=checked))
    if until is None:
        upcoming = result[-1].due_at + every if result else start + every
        result.append(ScheduledCheck(due_at=upcoming, status=CheckStatus.UPCOMING))
    return tuple(result)


def unlisted(
    monitoring: LogMonitoring,
    *,
    since: dt.datetime,
    checks: Iterable[dt.datetime],
    now: dt.datetime,
    until: dt.datetime | None = None,
    limit: int,
) -> tuple[int, int]:
    """Return how many checks a :func:`schedule` of *limit* leaves out, and how many were missed.

    Counted, not listed: the checks missed are those due after the last check
    done, so they are the latest of the ones left out, and every check listed
    after them is missed too.
    """
    start, _, done, due = _span(monitoring, since, checks, now, until)
    left_out = max(0, due - limit)
    covered = dt.datetime.__sub__(done[-1], start) // monitoring.every if done else 0
    return left_out, max(0, left_out - covered)


@attrs.frozen(kw_only=True)
class Monitoring:
    """The log checks one release calls for in a monitored environment.

    Attributes:
        release_id: The release.
        environment: The monitored environment (production).
        every: How often its logs are checked.
        since: When the release began running there (entered, or was rolled back to).
        until: When it stopped running there, if it did; no check is due after it.
        at: The instant the schedule holds for.
        checks: Every check due since :attr:`since`, oldest first, then the
            upcoming one while the release runs — or, when a limit was asked
            for, only the latest of them.
        last_checked_at: When its logs there were last checked, if ever.
        earlier: How many checks fell due before the first one listed, left
            out by a limit.
        earlier_overdue: How many of those were missed; they are the latest
            of them, just before the first one listed.
    """

    release_id: str
    environment: str
    every: dt.timedelta
    since: pendulum.DateTime
    until: pendulum.DateTime | None
    at: pendulum.DateTime
    checks: tuple[ScheduledCheck, ...] = attrs.field(converter=_checks)
    last_checked_at: pendulum.DateTime | None = None
    earlier: int = 0
    earlier_overdue: int = 0

    def _with(self, *statuses: CheckStatus) -> tuple[ScheduledCheck, ...]:
        return tuple(check for check in self.checks if check.status in statuses)

    @property
    def done(self) -> tuple[ScheduledCheck, ...]:
        """The checks done, in time or late."""
        return self._with(CheckStatus.DONE, CheckStatus.LATE)

    @property
    def due(self) -> tuple[ScheduledCheck, ...]:
        """The check due now, if it is not done yet."""
        return self._with(CheckStatus.DUE)

    @property
    def overdue(self) -> tuple[ScheduledCheck, ...]:
        """The checks listed that were missed: not done before the next one fell due."""
        return self._with(CheckStatus.OVERDUE)

    @property
    def up_to_date(self) -> bool:
        """Whether no check is due or overdue."""
        return not self.earlier_overdue and not self._with(CheckStatus.DUE, CheckStatus.OVERDUE)

    @property
    def next_due(self) -> pendulum.DateTime | None:
        """When the first check not done falls (or fell) due; ``None`` once monitoring ended."""
        if self.earlier_overdue and self.checks:  # the missed ones just before the first listed
            return self.checks[0].due_at - self.every * self.earlier_overdue
        for check in self.checks:
            if check.status in {CheckStatus.DUE, CheckStatus.OVERDUE, CheckStatus.UPCOMING}:
                return check.due_at
        return None


def attention_key(environment: str) -> str:
    """Return the key of the attention item a bad log check raises: ``log-check:<environment>``."""
    return f"log-check:{environment}"


@attrs.frozen(kw_only=True)
class LogCheck:
    """The result of one monitoring check of an environment's logs.

    Attributes:
        release_id: The release running there.
        environment: The environment checked.
        since: The earliest instant of the logs read (the last check, or the deployment).
        at: When the check was done.
        by: Who or what did it.
        batch: The logs collected, or ``None`` if none could be.
        problem: What was wrong, as a sentence; ``""`` for a good check.
        notice: How notifying the team went, for a bad check.
        attention_key: The attention item raised on the release, for a bad check.
    """

    release_id: str
    environment: str
    since: pendulum.DateTime
    at: pendulum.DateTime
    by: str = attrs.field(converter=by_identity)
    batch: LogBatch | None
    problem: str = ""
    notice: Outcome | None = None
    attention_key: str | None = None

    @property
    def bad(self) -> bool:
        """Whether the check found errors or could not read the logs."""
        return bool(self.problem)
