"""Environments and the facts a team's process states about each of them.

An :class:`Environment` is a frozen value: its name, who may act in it, where
its data comes from and what may happen to that data, whether it runs a daily
scheduled test run, which functions may never be deployed to it, how its logs
are monitored, and how its data may be adjusted. The rules read these facts;
the action layer enforces those that are not about promotion.
"""

from __future__ import annotations

import datetime as dt
import enum
import fnmatch
from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import instant
from releasekit._rules.identity import identity, operator_identity, owner_identities
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "DataAdjustmentRule",
    "DataLifecycle",
    "DataSource",
    "Environment",
    "Feed",
    "LogMonitoring",
    "ScheduledTestRun",
]


class Feed(enum.StrEnum):
    """Which of a data provider's feeds an environment reads."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"


@attrs.frozen(kw_only=True)
class DataSource:
    """Where an environment's market data comes from.

    Attributes:
        provider: The data provider, e.g. ``"IEX"``.
        feed: The provider's feed: its ``sandbox`` (synthetic, weakly correlated
            with real data) or its ``production`` feed.
        note: What that means for people testing there.
    """

    provider: str = attrs.field(validator=_validate.text)
    feed: Feed = attrs.field(converter=Feed)
    note: str = ""

    @property
    def is_real(self) -> bool:
        """Whether the data is the provider's real production data."""
        return self.feed is Feed.PRODUCTION


@attrs.frozen(kw_only=True)
class DataLifecycle:
    """What may happen to an environment's data.

    Attributes:
        may_be_corrupted: Debugging and testing there may leave data broken.
        erased_by_test_runs: Every automatic test run wipes the data.
        restorable_from: Environments whose data may be copied into this one.
            An empty set means nothing may ever be restored into it.
    """

    may_be_corrupted: bool = False
    erased_by_test_runs: bool = False
    restorable_from: frozenset[str] = attrs.field(
        default=frozenset(), converter=_validate.str_frozenset
    )

    def accepts_restore_from(self, source: str) -> bool:
        """Whether data may be restored into this environment from *source*."""
        return source in self.restorable_from


def _non_negative(
    _instance: object, attribute: attrs.Attribute[dt.timedelta], value: object
) -> None:
    if not isinstance(value, dt.timedelta) or value < dt.timedelta():
        raise InvalidInputError(
            f"{attribute.name} must be a non-negative duration, got {value!r}",
            field=attribute.name,
            value=value,
        )


def _positive(_instance: object, attribute: attrs.Attribute[dt.timedelta], value: object) -> None:
    if not isinstance(value, dt.timedelta) or value <= dt.timedelta():
        raise InvalidInputError(
            f"{attribute.name} must be a positive duration, got {value!r}",
            field=attribute.name,
            value=value,
        )


def _zone(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    try:
        pendulum.timezone(str(value))
    except Exception as error:  # pendulum raises several kinds for bad names
        raise InvalidInputError(
            f"{attribute.name} {value!r} is not an IANA time zone name; use e.g. 'UTC'",
            field=attribute.name,
            value=value,
        ) from error


@attrs.frozen(kw_only=True)
class ScheduledTestRun:
    """A daily automatic test run started by something outside releasekit.

    Its real start drifts, so the period reserved for it each day runs from
    ``drift`` before the scheduled time to ``drift + duration`` after it.

    Attributes:
        at: The scheduled local start time.
        timezone: The IANA zone *at* is read in (``UTC`` for the reference policy).
        drift: How far the real start may lie from *at*, either way.
        duration: How long a run usually takes.
    """

    at: dt.time = dt.time(0, 0)
    timezone: str = attrs.field(default="UTC", validator=_zone)
    drift: dt.timedelta = attrs.field(default=dt.timedelta(minutes=30), validator=_non_negative)
    duration: dt.timedelta = attrs.field(default=dt.timedelta(hours=1), validator=_positive)

    def reservations(
        self, start: dt.datetime, end: dt.datetime
    ) -> Iterator[tuple[pendulum.DateTime, pendulum.DateTime]]:
        """Yield the reserved periods ``[from, to)`` that overlap ``[start, end)``, in order."""
        first = instant(start, field="start")
        last = instant(end, field="end")
        zone = pendulum.timezone(self.timezone)
        day = first.in_timezone(zone).date().subtract(days=1)
        while True:
            scheduled = pendulum.datetime(
                day.year, day.month, day.day, self.at.hour, self.at.minute, self.at.second, tz=zone
            ).in_timezone(pendulum.UTC)
            begins = scheduled - self.drift
            ends = scheduled + self.drift + self.duration
            if begins >= last:
                return
            if ends > first:
                yield begins, ends
            day = day.add(days=1)

    def first_conflict(
        self, start: dt.datetime, length: dt.timedelta
    ) -> tuple[pendulum.DateTime, pendulum.DateTime] | None:
        """Return the reserved period that ``[start, start + length)`` would overlap, if any."""
        begin = instant(start, field="start")
        return next(iter(self.reservations(begin, begin + length)), None)

    def next_free(self, after: dt.datetime, length: dt.timedelta) -> pendulum.DateTime:
        """Return the earliest instant at or after *after* when a run of *length* fits."""
        candidate = instant(after, field="after")
        while (conflict := self.first_conflict(candidate, length)) is not None:
            candidate = conflict[1]
        return candidate


@attrs.frozen(kw_only=True)
class LogMonitoring:
    """Regular checks of an environment's logs.

    Attributes:
        every: How often the logs are checked.
        react_immediately: A bad check must be acted on at once.
    """

    every: dt.timedelta = attrs.field(validator=_positive)
    react_immediately: bool = True

    def checks_between(self, start: dt.datetime, end: dt.datetime) -> tuple[pendulum.DateTime, ...]:
        """Return the instants checks are due after a deployment at *start*, up to *end*."""
        first = instant(start, field="start")
        last = instant(end, field="end")
        due: list[pendulum.DateTime] = []
        moment = first + self.every
        while moment <= last:
            due.append(moment)
            moment = moment + self.every
        return tuple(due)


@attrs.frozen(kw_only=True)
class DataAdjustmentRule:
    """How data in an environment may be changed by hand.

    Attributes:
        operator: The one person allowed to run adjustments (an
            :func:`~releasekit.identity`: ``"Data-Operator"`` is ``data-operator``).
        min_verifications: Distinct other people who must verify first.
        max_verifications: The most verifications the process asks for.
        tool: The only tool through which adjustments may run.
    """

    operator: str = attrs.field(converter=operator_identity)
    min_verifications: int = 2
    max_verifications: int = 3
    tool: str = "dt"

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.min_verifications <= self.max_verifications:
            raise InvalidInputError(
                f"verifications must satisfy 1 <= min_verifications <= max_verifications, "
                f"got {self.min_verifications} and {self.max_verifications}",
                field="min_verifications",
                value=(self.min_verifications, self.max_verifications),
            )


@attrs.frozen(kw_only=True)
class Environment:
    """One environment a release passes through, with every fact the process states about it.

    Attributes:
        name: Unique name, e.g. ``"sandbox-anton"``.
        purpose: One sentence on what the environment is for.
        owners: If not empty, only these people may act in the environment;
            kept as identities (see :func:`~releasekit.identity`).
        data_source: Where its market data comes from, if anywhere.
        data: What may happen to its data.
        scheduled_test_run: A daily automatic test run, if there is one.
        exclusive_test_runs: Two test runs there must never overlap.
        forbidden_functions: Glob patterns of function names that may never be
            deployed there (``"test*"`` in the reference sandbox).
        log_monitoring: Regular log checks, if any.
        data_adjustments: How its data may be adjusted by hand; ``None`` if the
            process says nothing about it.
        report_problems_immediately: People work there; anything that looks
            wrong must be reported and fixed at once.
    """

    name: str = attrs.field(validator=_validate.name)
    purpose: str = ""
    owners: frozenset[str] = attrs.field(default=frozenset(), converter=owner_identities)
    data_source: DataSource | None = None
    data: DataLifecycle = DataLifecycle()
    scheduled_test_run: ScheduledTestRun | None = None
    exclusive_test_runs: bool = False
    forbidden_functions: tuple[str, ...] = attrs.field(
        default=(), converter=_validate.str_tuple, validator=_validate.strings
    )
    log_monitoring: LogMonitoring | None = None
    data_adjustments: DataAdjustmentRule | None = None
    report_problems_immediately: bool = False

    @property
    def is_owned(self) -> bool:
        """Whether only named owners may act here."""
        return bool(self.owners)

    def may_act(self, actor: str) -> bool:
        """Whether *actor* may act in this environment: anyone, or one of its owners.

        *actor* is compared by its :func:`~releasekit.identity`, so ``"ANTON"``
        is the owner ``anton``. With a roster, the policy keeps owners as the
        names of the people on it: resolve an alias first
        (:meth:`Policy.person <releasekit.Policy.person>`), as the engine does.

        Raises:
            InvalidInputError: *actor* is not a name (empty, or holding a
                control or invisible character).
        """
        who = identity(actor, field="actor")
        return not self.owners or who in self.owners

    def forbidden_in(self, functions: Iterable[str]) -> tuple[str, ...]:
        """Return the names among *functions* that may not be deployed here, in order."""
        return tuple(
            function
            for function in functions
            if any(fnmatch.fnmatchcase(function, pattern) for pattern in self.forbidden_functions)
        )
