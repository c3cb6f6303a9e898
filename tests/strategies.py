"""Hypothesis strategies for releasekit's values, shared by the property tests.

Each section builds the values of one module; add new sections below the
existing ones rather than mixing them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import strategies as st

from releasekit._rules.windows import Span, Weekday, Window

__all__ = ["TIMEZONES", "aware_datetimes", "spans", "timezones", "windows"]


# ---------------------------------------------------------------------------
# Windows: values of releasekit._rules.windows
# ---------------------------------------------------------------------------

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

_EARLIEST = dt.datetime(2000, 1, 1)  # noqa: DTZ001  Hypothesis bounds are naive by design
_LATEST = dt.datetime(2040, 12, 31)  # noqa: DTZ001  Hypothesis bounds are naive by design


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
