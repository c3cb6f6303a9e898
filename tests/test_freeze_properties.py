"""Forecasts across freezes are exact: properties against a brute-force reference.

Windows and freezes are drawn in zones with awkward clock changes; instants
anywhere from 2000 to 2040, and freezes around them. The reference
(``freeze_oracle``) restates the rules plainly and tries every candidate
instant in order; releasekit's answer must be exactly the same instant.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

import releasekit as rk
from freeze_oracle import Reference
from releasekit import guards
from releasekit._rules import _forecast
from releasekit.testing.strategies import freezes, timezones

#: How far the reference looks: every drawn freeze ends within three weeks, and a
#: window opens at least weekly, so every answer lies within it.
REACH = dt.timedelta(days=30)


def quarter_hours() -> st.SearchStrategy[dt.time]:
    return st.integers(0, 24 * 4 - 1).map(lambda q: dt.time(q // 4, q % 4 * 15))


def windows() -> st.SearchStrategy[rk.Window]:
    """Draw a window whose spans start and end on quarter hours, as the reference assumes."""
    spans = st.builds(
        rk.Span,
        days=st.frozensets(st.sampled_from(rk.Weekday), min_size=1),
        start=quarter_hours(),
        end=quarter_hours(),
    )
    return st.builds(
        rk.Window, timezone=timezones(), spans=st.lists(spans, min_size=1, max_size=2).map(tuple)
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[rk.Window, list[rk.Freeze], dt.datetime]:
    """Draw a window, one to three freezes around an instant, and the instant."""
    moment = draw(
        st.datetimes(
            min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001  # Hypothesis bounds are naive
            max_value=dt.datetime(2040, 12, 31),  # noqa: DTZ001  # Hypothesis bounds are naive
            timezones=timezones().map(zoneinfo.ZoneInfo),
            allow_imaginary=False,
        )
    )
    near = moment.astimezone(dt.UTC).date()
    drawn = draw(st.lists(freezes(near=near, within_days=10), min_size=1, max_size=3))
    named = [attrs.evolve(freeze, name=f"f{index}") for index, freeze in enumerate(drawn)]
    return draw(windows()), named, moment


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(dt.UTC)


@given(case=cases())
def test_the_earliest_allowed_instant_is_the_references(
    case: tuple[rk.Window, list[rk.Freeze], dt.datetime],
) -> None:
    """Inside the window and outside every freeze: the same instant as trying every candidate."""
    window, drawn, moment = case
    timed: list[guards.TimeGuard] = [guards.InsideWindow(window=window)]
    timed.extend(guards.OutsideFreeze(freeze=freeze) for freeze in drawn)

    found = _forecast.earliest(timed, pendulum.instance(moment).in_timezone("UTC"))

    assert utc(Reference([window], drawn, moment).earliest(moment, REACH)) == utc(found)


@given(case=cases())
def test_a_freeze_thaws_where_the_reference_says(
    case: tuple[rk.Window, list[rk.Freeze], dt.datetime],
) -> None:
    """contains() and thaws() of each freeze agree with its unmerged stretches."""
    _, drawn, moment = case
    for freeze in drawn:
        reference = Reference([], [freeze], moment)
        assert (reference.frozen_at(moment), utc(reference.thaws(moment, REACH))) == (
            freeze.contains(moment),
            utc(freeze.thaws(moment)),
        )


@given(case=cases())
def test_explain_and_plan_forecast_exactly(
    case: tuple[rk.Window, list[rk.Freeze], dt.datetime],
) -> None:
    """Through the engine: explain's and plan's earliest production time are the reference's."""
    window, drawn, moment = case
    policy = rk.Policy(
        environments=[rk.Environment(name="dev"), rk.Environment(name="live")],
        gates=[rk.Gate(environment="live", guards=[guards.InsideWindow(window=window)])],
        flows=[rk.Flow(kind="normal", path=["dev", "live"])],
        freezes=drawn,
    )
    engine = rk.Engine(policy)
    release = engine.start(release_id="r1", version="1.0.0", kind="normal", by="ann", now=moment)
    expected = utc(Reference([window], drawn, moment).earliest(moment, REACH))

    explanation = engine.explain(release, now=moment)
    plan = engine.plan(release, now=moment)

    assert (expected, expected) == (
        utc(moment) if explanation.allowed else utc(explanation.earliest),
        utc(plan.earliest_production),
    )
