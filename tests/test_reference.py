import datetime as dt

import pendulum

import releasekit as rk


def test_reference_environments_are_in_promotion_order() -> None:
    """The reference policy has the five environments of the team's process, in order."""
    assert ("sandbox-anton", "tests", "sandbox", "stage", "production") == (
        rk.reference_policy().environment_names
    )


def test_sandbox_anton_belongs_to_anton_alone() -> None:
    """Only anton may act in sandbox-anton; its data may be corrupted and restored."""
    env = rk.reference_policy().environment("sandbox-anton")

    assert (True, False, True) == (
        env.may_act("anton"),
        env.may_act("maria"),
        env.data.may_be_corrupted,
    )
    assert env.data.accepts_restore_from("production")


def test_the_owner_can_be_someone_else() -> None:
    """A team can name its own sandbox owner."""
    env = rk.reference_policy(owner="olga").environment("sandbox-anton")

    assert frozenset({"olga"}) == env.owners


def test_tests_environment_facts() -> None:
    """tests reads IEX sandbox data, is erased by test runs and runs one test at a time daily."""
    env = rk.reference_policy().environment("tests")

    assert env.data_source is not None
    assert ("IEX", rk.Feed.SANDBOX, False) == (
        env.data_source.provider,
        env.data_source.feed,
        env.data_source.is_real,
    )
    assert (True, True) == (env.data.erased_by_test_runs, env.exclusive_test_runs)
    assert env.scheduled_test_run is not None
    assert (dt.time(0, 0), "UTC") == (env.scheduled_test_run.at, env.scheduled_test_run.timezone)


def test_sandbox_environment_facts() -> None:
    """sandbox reads IEX production data, forbids test* functions and wants problems reported."""
    env = rk.reference_policy().environment("sandbox")

    assert env.data_source is not None
    assert (rk.Feed.PRODUCTION, ("test*",), True) == (
        env.data_source.feed,
        env.forbidden_functions,
        env.report_problems_immediately,
    )


def test_production_environment_facts() -> None:
    """production logs are checked hourly and data is adjusted by one operator after 2-3 checks."""
    env = rk.reference_policy(data_operator="olga").environment("production")

    assert env.log_monitoring is not None
    assert env.data_adjustments is not None
    assert (dt.timedelta(hours=1), True) == (
        env.log_monitoring.every,
        env.log_monitoring.react_immediately,
    )
    assert ("olga", 2, 3, "dt") == (
        env.data_adjustments.operator,
        env.data_adjustments.min_verifications,
        env.data_adjustments.max_verifications,
        env.data_adjustments.tool,
    )


def test_nothing_may_be_restored_into_production() -> None:
    """No environment's data may be copied into production."""
    policy = rk.reference_policy()

    assert frozenset() == policy.environment("production").data.restorable_from


def test_the_gates_of_the_reference_policy() -> None:
    """Each step of the normal flow checks the guards of the team's process."""
    steps = rk.reference_policy().steps("normal")

    assert [
        ["owner-only", "new-tests-written"],
        ["owner-only", "tests-passed", "no-forbidden-functions"],
        ["owner-only", "signed-off", "logs-reviewed"],
        [
            "owner-only",
            "migrations-succeeded",
            "signed-off",
            "changes-reviewed",
            "production-window",
        ],
    ] == [[g.code for g in step.guards] for step in steps]


def test_the_hotfix_flow_differs_only_by_the_window() -> None:
    """Hotfix steps carry the same guards as normal steps, minus the production window."""
    policy = rk.reference_policy()
    normal = [[g.code for g in s.guards] for s in policy.steps("normal")]
    hotfix = [[g.code for g in s.guards] for s in policy.steps("hotfix")]

    normal[-1].remove("production-window")
    assert normal == hotfix


def test_the_production_window_is_utc_all_year() -> None:
    """The reference window opens at 09:00 UTC in January and in July."""
    window = rk.production_window()

    assert [
        pendulum.datetime(2026, 1, 3, 9, 0, tz="UTC"),
        pendulum.datetime(2026, 7, 4, 9, 0, tz="UTC"),
    ] == [
        window.next_opening(pendulum.datetime(2026, 1, 2, 12, 0, tz="UTC")),
        window.next_opening(pendulum.datetime(2026, 7, 3, 12, 0, tz="UTC")),
    ]


def test_a_european_london_window_would_open_an_hour_earlier_in_summer() -> None:
    """Written as Europe/London, the same window opens at 08:00 UTC in July: not what GMT means."""
    london = rk.Window.weekends(start="09:00", end="12:00", timezone="Europe/London")

    assert pendulum.datetime(2026, 7, 4, 8, 0, tz="UTC") == london.next_opening(
        pendulum.datetime(2026, 7, 3, 12, 0, tz="UTC")
    )


def test_the_log_review_age_is_a_policy_setting() -> None:
    """The freshness of a log review is set when the policy is built."""
    policy = rk.reference_policy(log_review_max_age=dt.timedelta(minutes=30))
    (stage_step,) = [s for s in policy.steps("normal") if s.target == "stage"]

    (logs,) = [g for g in stage_step.guards if g.code == "logs-reviewed"]
    assert "logs of all environments reviewed within 0.5 h" == logs.describe()
