import datetime as dt

import pendulum
import pytest

import releasekit as rk


def test_an_environment_name_must_be_a_plain_lowercase_name() -> None:
    """A name with spaces or capitals is refused with an example of a good one."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="sandbox-anton") as caught:
        rk.Environment(name="Sandbox Anton")

    assert "name" == caught.value.field


def test_an_unowned_environment_lets_anyone_act() -> None:
    """Without owners, every actor may act."""
    env = rk.Environment(name="stage")

    assert (False, True) == (env.is_owned, env.may_act("anyone"))


def test_forbidden_functions_are_matched_case_sensitively() -> None:
    """test* matches testQuote and test_chart, not Testing or attest."""
    env = rk.Environment(name="sandbox", forbidden_functions="test*")

    assert ("testQuote", "test_chart") == env.forbidden_in(
        ["quote", "testQuote", "Testing", "attest", "test_chart"]
    )


def test_a_data_source_refuses_an_unknown_feed() -> None:
    """Only the sandbox and production feeds exist."""
    with pytest.raises(ValueError, match="staging"):
        rk.DataSource(provider="IEX", feed="staging")


def test_data_adjustments_need_a_sensible_number_of_verifications() -> None:
    """Asking for more minimum than maximum verifications is refused."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="min_verifications"):
        rk.DataAdjustmentRule(operator="olga", min_verifications=3, max_verifications=2)


def scheduled() -> rk.ScheduledTestRun:
    return rk.ScheduledTestRun(
        at=dt.time(0, 0), drift=dt.timedelta(minutes=30), duration=dt.timedelta(hours=1)
    )


def test_the_daily_run_reserves_its_drift_around_midnight() -> None:
    """The reservation runs from 23:30 to 01:30 UTC with 30 minutes of drift and an hour's run."""
    start = pendulum.datetime(2026, 11, 26, 12, 0, tz="UTC")

    first = next(iter(scheduled().reservations(start, start.add(days=1))))

    assert (
        pendulum.datetime(2026, 11, 26, 23, 30, tz="UTC"),
        pendulum.datetime(2026, 11, 27, 1, 30, tz="UTC"),
    ) == first


def test_a_run_overlapping_the_daily_run_is_found() -> None:
    """A 45-minute run starting 23:00 would overlap the reservation."""
    start = pendulum.datetime(2026, 11, 26, 23, 0, tz="UTC")

    conflict = scheduled().first_conflict(start, dt.timedelta(minutes=45))

    assert conflict is not None
    assert pendulum.datetime(2026, 11, 26, 23, 30, tz="UTC") == conflict[0]


def test_a_run_that_fits_before_the_daily_run_has_no_conflict() -> None:
    """A 20-minute run from 23:00 ends before the reservation starts."""
    start = pendulum.datetime(2026, 11, 26, 23, 0, tz="UTC")

    assert None is scheduled().first_conflict(start, dt.timedelta(minutes=20))


def test_next_free_time_is_after_the_daily_run() -> None:
    """A run asked for at 00:10 can start at 01:30 UTC."""
    asked = pendulum.datetime(2026, 11, 27, 0, 10, tz="UTC")

    assert pendulum.datetime(2026, 11, 27, 1, 30, tz="UTC") == scheduled().next_free(
        asked, dt.timedelta(minutes=45)
    )


def test_a_scheduled_run_refuses_an_unknown_zone() -> None:
    """A misspelt zone is refused."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="IANA"):
        rk.ScheduledTestRun(timezone="Mars/Olympus")


def test_a_scheduled_run_refuses_a_negative_drift() -> None:
    """Drift cannot be negative."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="non-negative"):
        rk.ScheduledTestRun(drift=dt.timedelta(minutes=-1))


def test_hourly_log_checks_after_a_deployment() -> None:
    """After a deployment at 09:10, checks are due at 10:10, 11:10 and 12:10 by 12:30."""
    monitoring = rk.LogMonitoring(every=dt.timedelta(hours=1))
    deployed = pendulum.datetime(2026, 11, 28, 9, 10, tz="UTC")

    due = monitoring.checks_between(deployed, deployed.add(hours=3, minutes=20))

    assert [deployed.add(hours=h) for h in (1, 2, 3)] == list(due)


def test_log_monitoring_needs_a_positive_interval() -> None:
    """Checks every zero minutes make no sense."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="positive"):
        rk.LogMonitoring(every=dt.timedelta())
