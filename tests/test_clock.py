import datetime as dt

import pendulum
import pytest

import releasekit as rk


def test_a_fixed_clock_stands_still() -> None:
    """Asking twice gives the same instant."""
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC"))

    assert clock.now() == clock.now()


def test_a_fixed_clock_converts_to_utc() -> None:
    """An instant given in another zone is kept as the same instant in UTC."""
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 19, 0, tz="Europe/Berlin"))

    assert ("UTC", pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")) == (
        clock.now().timezone_name,
        clock.now(),
    )


def test_a_fixed_clock_advances() -> None:
    """advance() moves the clock forward by the given duration."""
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC"))

    clock.advance(hours=14, minutes=30)
    clock.advance(dt.timedelta(minutes=30))

    assert pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC") == clock.now()


def test_a_fixed_clock_refuses_to_go_back() -> None:
    """Neither set() nor advance() moves a clock into its past."""
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC"))

    with pytest.raises(rk.exceptions.InvalidInputError, match="back in time"):
        clock.set(pendulum.datetime(2026, 11, 27, 17, 0, tz="UTC"))
    with pytest.raises(rk.exceptions.InvalidInputError, match="only moves forward"):
        clock.advance(minutes=-1)
    assert pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC") == clock.now()


def test_a_fixed_clock_refuses_a_naive_datetime() -> None:
    """A naive start time is refused."""
    with pytest.raises(rk.exceptions.NaiveDatetimeError):
        rk.FixedClock(dt.datetime(2026, 11, 27, 18, 0))  # noqa: DTZ001  # the point of the test


def test_the_system_clock_is_aware_and_moves() -> None:
    """The system clock gives aware UTC instants that do not go backwards."""
    clock = rk.SystemClock()

    first, second = clock.now(), clock.now()

    assert ("UTC", True) == (first.timezone_name, second >= first)


def test_both_clocks_are_clocks() -> None:
    """Both satisfy the Clock protocol."""
    fixed = rk.FixedClock(pendulum.datetime(2026, 1, 1, tz="UTC"))

    assert all(isinstance(c, rk.Clock) for c in (rk.SystemClock(), fixed))
