"""Strategies for the values a team writes: windows, freezes, artifacts, evidence, policies."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from releasekit._rules import guards
from releasekit._rules.environments import Environment
from releasekit._rules.evidence import (
    Attestation,
    ChangeReview,
    LogReview,
    LogVerdict,
    MigrationRun,
    SignOff,
    TestRun,
    TestsWritten,
)
from releasekit._rules.freeze_dates import FreezeDates, FreezeInterval, YearlyDates
from releasekit._rules.freezes import Freeze
from releasekit._rules.policy import Flow, Gate, Policy
from releasekit._rules.release import Artifact, Release, ReleaseKind
from releasekit._rules.windows import Span, Weekday, Window

if TYPE_CHECKING:
    from releasekit._rules.evidence import Evidence

__all__ = [
    "TIMEZONES",
    "artifacts",
    "aware_datetimes",
    "evidence",
    "freezes",
    "names",
    "policies",
    "releases",
    "spans",
    "timezones",
    "versions",
    "windows",
]

#: Real IANA zones, with and without daylight saving time, chosen for their
#: awkward corners: the southern hemisphere, half-hour and 45-minute offsets,
#: a 30-minute DST shift (Lord Howe), and zones that dropped DST (Sao Paulo
#: in 2019, Tehran in 2022).
TIMEZONES = (
    "UTC",
    "GMT",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Asia/Tehran",
    "America/St_Johns",
)

_EARLIEST = dt.datetime(2000, 1, 1)  # noqa: DTZ001  # Hypothesis bounds are naive by design
_LATEST = dt.datetime(2040, 12, 31)  # noqa: DTZ001  # Hypothesis bounds are naive by design


def timezones() -> st.SearchStrategy[str]:
    """Draw the IANA name of a real time zone from :data:`TIMEZONES`."""
    return st.sampled_from(TIMEZONES)


def aware_datetimes(*, minute_aligned: bool = False) -> st.SearchStrategy[dt.datetime]:
    """Draw an aware instant between 2000 and 2040, in one of :data:`TIMEZONES`.

    Args:
        minute_aligned: Drop seconds and microseconds, so the instant falls on
            a whole minute (every offset of those zones in that period is a
            whole number of minutes, so it is a whole UTC minute too).
    """
    moments = st.datetimes(
        min_value=_EARLIEST,
        max_value=_LATEST,
        timezones=timezones().map(zoneinfo.ZoneInfo),
        allow_imaginary=False,
    )
    if minute_aligned:
        return moments.map(lambda moment: moment.replace(second=0, microsecond=0))
    return moments


def _clocks() -> st.SearchStrategy[dt.time]:
    return st.integers(min_value=0, max_value=24 * 60 - 1).map(
        lambda minutes: dt.time(minutes // 60, minutes % 60)
    )


def spans() -> st.SearchStrategy[Span]:
    """Draw a span on whole minutes: any days, any start, any end.

    Ends at or before the start (crossing midnight, or 24 hours) are drawn as
    often as the others.
    """
    return st.builds(
        Span,
        days=st.frozensets(st.sampled_from(Weekday), min_size=1),
        start=_clocks(),
        end=_clocks(),
    )


def windows(*, max_spans: int = 3) -> st.SearchStrategy[Window]:
    """Draw a window of one to *max_spans* spans in one of :data:`TIMEZONES`."""
    return st.builds(
        Window,
        timezone=timezones(),
        spans=st.lists(spans(), min_size=1, max_size=max_spans).map(tuple),
    )


# ---------------------------------------------------------------------------
# Freezes
# ---------------------------------------------------------------------------

_ONE_DAY = dt.timedelta(days=1)


def freezes(
    *, near: dt.date | None = None, within_days: int = 14, max_parts: int = 3
) -> st.SearchStrategy[Freeze]:
    """Draw a freeze in one of :data:`TIMEZONES`: dates, yearly dates and intervals.

    Args:
        near: Draw every part within *within_days* of this date (else anywhere
            from 2000 to 2040), so that forecasts from there cross them.
        within_days: How far from *near* a part may lie, and how many days it
            may last at most.
        max_parts: The most parts drawn; at least one is.
    """

    @st.composite
    def build(draw: st.DrawFn) -> Freeze:
        centre = near if near is not None else draw(st.dates(_EARLIEST.date(), _LATEST.date()))
        offsets = st.integers(-within_days, within_days).map(lambda days: dt.timedelta(days=days))
        lengths = st.integers(0, within_days).map(lambda days: dt.timedelta(days=days))

        def dates(first: dt.timedelta, length: dt.timedelta) -> FreezeDates:
            return FreezeDates(first=centre + first, last=centre + first + length)

        def yearly(first: dt.timedelta, length: dt.timedelta) -> YearlyDates:
            begins = centre + first
            ends = begins + length
            pair = (begins.month, begins.day), (ends.month, ends.day)
            fixed = [(2, 28) if day == (2, 29) else day for day in pair]
            return YearlyDates(first=fixed[0], last=fixed[1])

        def interval(first: dt.timedelta, minutes: int) -> FreezeInterval:
            start = dt.datetime.combine(centre + first, dt.time(), tzinfo=dt.UTC)
            start += dt.timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
            return FreezeInterval(start=start, end=start + dt.timedelta(minutes=minutes))

        parts = st.one_of(
            st.builds(dates, offsets, lengths),
            st.builds(yearly, offsets, lengths),
            st.builds(interval, offsets, st.integers(1, within_days * 24 * 60)),
        )
        drawn = draw(st.lists(parts, min_size=1, max_size=max_parts))
        return Freeze(
            name=draw(names()),
            reason="drawn",
            timezone=draw(timezones()),
            dates=[part for part in drawn if isinstance(part, FreezeDates)],
            yearly=[part for part in drawn if isinstance(part, YearlyDates)],
            intervals=[part for part in drawn if isinstance(part, FreezeInterval)],
        )

    return build()


# ---------------------------------------------------------------------------
# Names, artifacts, releases and evidence
# ---------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def names() -> st.SearchStrategy[str]:
    """Draw a valid lowercase name such as an environment or person's name."""
    return st.text(_LETTERS, min_size=1, max_size=8)


def versions() -> st.SearchStrategy[str]:
    """Draw a version string such as ``"2.14.0"``."""
    number = st.integers(min_value=0, max_value=40)
    return st.tuples(number, number, number).map(lambda parts: ".".join(map(str, parts)))


def artifacts(*, functions: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Artifact]:
    """Draw an artifact: function names (some ``test*``), migrations, new functionality."""
    function_names = (
        functions
        if functions is not None
        else st.one_of(names(), names().map(lambda name: f"test_{name}"))
    )
    return st.builds(
        Artifact,
        functions=st.lists(function_names, max_size=5, unique=True).map(tuple),
        migrations=st.lists(
            st.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}_change"),
            max_size=3,
            unique=True,
        ).map(tuple),
        new_functionality=st.lists(names(), max_size=3, unique=True).map(tuple),
    )


def evidence(
    *,
    environments: st.SearchStrategy[str] | None = None,
    version: st.SearchStrategy[str] | None = None,
    people: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Evidence]:
    """Draw any kind of evidence, optionally about given environments, version and people."""
    where = names() if environments is None else environments
    which = versions() if version is None else version
    who = names() if people is None else people
    when = aware_datetimes()
    return st.one_of(
        st.builds(TestsWritten, by=who, at=when, covers=st.lists(names(), max_size=3).map(tuple)),
        st.builds(
            TestRun,
            environment=where,
            version=which,
            passed=st.booleans(),
            at=when,
            by=who,
            scheduled=st.booleans(),
        ),
        st.builds(
            SignOff,
            by=who,
            at=when,
            environment=where,
            old_app_versions=st.lists(versions(), max_size=2).map(tuple),
        ),
        st.builds(
            LogReview,
            by=who,
            at=when,
            environments=st.frozensets(where, min_size=1, max_size=4),
            verdict=st.sampled_from(LogVerdict),
        ),
        st.builds(
            MigrationRun,
            environment=where,
            version=which,
            migrations=st.lists(names(), max_size=3).map(tuple),
            succeeded=st.booleans(),
            at=when,
            by=who,
        ),
        st.builds(ChangeReview, by=who, at=when, version=which),
        st.builds(Attestation, name=names(), by=who, at=when, environment=st.none() | where),
    )


def releases(policy: Policy | None = None) -> st.SearchStrategy[Release]:
    """Draw a release: of a kind and in a state of *policy*'s flows if given, with evidence."""

    @st.composite
    def build(draw: st.DrawFn) -> Release:
        if policy is None:
            kind = draw(st.sampled_from(ReleaseKind))
            state = draw(names())
            where: st.SearchStrategy[str] = names()
        else:
            kind = draw(st.sampled_from(policy.kinds))
            state = draw(st.sampled_from(policy.flow(kind).path))
            where = st.sampled_from(policy.environment_names)
        version = draw(versions())
        return Release(
            id=draw(names().map(lambda name: f"r-{name}")),
            version=version,
            kind=kind,
            artifact=draw(artifacts()),
            state=state,
            created_at=draw(aware_datetimes()),
            created_by=draw(names()),
            evidence=tuple(
                draw(st.lists(evidence(environments=where, version=st.just(version)), max_size=6))
            ),
        )

    return build()


# ---------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------


def _guard_for(draw: st.DrawFn, earlier: list[str], target: str, number: int) -> guards.Guard:
    before = st.sampled_from(earlier)
    hours = st.integers(min_value=1, max_value=48).map(lambda h: dt.timedelta(hours=h))
    choices: list[st.SearchStrategy[guards.Guard]] = [
        st.just(guards.NewTestsWritten()),
        st.builds(guards.TestsPassed, environment=before),
        st.just(guards.NoForbiddenFunctions()),
        st.builds(guards.SignedOff, environment=before, require_old_app_versions=st.booleans()),
        st.builds(guards.LogsReviewed, max_age=hours),
        st.builds(guards.MigrationsSucceeded, environment=before),
        st.builds(guards.ChangesReviewed, environment=st.none() | before),
        st.builds(
            guards.InsideWindow,
            window=windows(max_spans=2),
            code=st.just(f"{target}-window-{number}"),
        ),
    ]
    return draw(st.one_of(choices))


def policies(*, max_environments: int = 5) -> st.SearchStrategy[Policy]:
    """Draw a valid policy: environments, built-in guards, a normal flow, maybe a hotfix.

    Some environments get owners and forbidden functions; the hotfix flow, when
    drawn, lifts every window guard.
    """

    @st.composite
    def build(draw: st.DrawFn) -> Policy:
        env_names = draw(st.lists(names(), min_size=2, max_size=max_environments, unique=True))
        environments = [
            Environment(
                name=name,
                owners=draw(st.frozensets(names(), max_size=1)),
                forbidden_functions=draw(st.sampled_from([(), ("test*",)])),
            )
            for name in env_names
        ]
        gates = []
        for index, target in enumerate(env_names[1:], start=1):
            count = draw(st.integers(min_value=0, max_value=3))
            chosen: dict[str, guards.Guard] = {}
            for number in range(count):
                guard = _guard_for(draw, env_names[:index], target, number)
                chosen.setdefault(guard.code, guard)
            if chosen:
                gates.append(Gate(environment=target, guards=tuple(chosen.values())))
        flows = [Flow(kind=ReleaseKind.NORMAL, path=tuple(env_names))]
        windows_codes = frozenset(
            guard.code
            for gate in gates
            for guard in gate.guards
            if guard.kind is guards.GuardKind.TIME
        )
        if draw(st.booleans()):
            flows.append(Flow(kind=ReleaseKind.HOTFIX, path=tuple(env_names), lifts=windows_codes))
        return Policy(name="drawn", environments=environments, gates=gates, flows=flows)

    return build()
