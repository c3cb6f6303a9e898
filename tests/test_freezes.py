"""Freezes: what they cover, read exactly in their zone, and how a policy applies them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pendulum
import pytest

import releasekit as rk
from builders import evidence_for, start
from releasekit import guards
from releasekit.testing import walk_to

DATA = Path(__file__).parent / "data"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz="UTC")


def christmas(**fields: object) -> rk.Freeze:
    values: dict[str, object] = {
        "name": "christmas",
        "reason": "the office is closed",
        "timezone": "Europe/London",
        "yearly": [rk.YearlyDates(first="12-24", last="12-26")],
        **fields,
    }
    return rk.Freeze(**values)  # type: ignore[arg-type]  # the fields of a Freeze


def quarter_end() -> rk.Freeze:
    return rk.Freeze(
        name="quarter-end",
        reason="the books close",
        timezone="Europe/London",
        recurrences=[
            rk.Recurrence(
                rule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-7",
                start=dt.date(2026, 1, 1),
                duration=dt.timedelta(days=7),
            )
        ],
    )


def spans(freeze: rk.Freeze, start: pendulum.DateTime, end: pendulum.DateTime) -> list[str]:
    return [
        f"{p.start.isoformat()} {p.end and p.end.isoformat()}" for p in freeze.periods(start, end)
    ]


# -- what a freeze covers -------------------------------------------------------------


def test_a_yearly_freeze_starts_and_ends_at_local_midnight() -> None:
    """24-26 December in Europe/London holds from 24 Dec 00:00 GMT to 27 Dec 00:00 GMT."""
    freeze = christmas()

    assert (False, True, True, False) == (
        freeze.contains(utc(2026, 12, 23, 23, 59)),
        freeze.contains(utc(2026, 12, 24, 0, 0)),
        freeze.contains(utc(2026, 12, 26, 23, 59)),
        freeze.contains(utc(2026, 12, 27, 0, 0)),
    )
    assert utc(2026, 12, 27) == freeze.thaws(utc(2026, 12, 25, 10))


def test_a_yearly_freeze_follows_its_zone_in_summer_time() -> None:
    """In Sydney, where December is summer time, 24 December starts at 13:00 UTC the day before."""
    freeze = christmas(timezone="Australia/Sydney")

    assert [f"{utc(2026, 12, 23, 13).isoformat()} {utc(2026, 12, 26, 13).isoformat()}"] == spans(
        freeze, utc(2026, 12, 1), utc(2027, 1, 1)
    )


def test_a_yearly_freeze_may_cross_new_year() -> None:
    """20 December to 2 January holds on New Year's Eve and Day, and thaws on 3 January."""
    freeze = christmas(yearly=[rk.YearlyDates(first="12-20", last="01-02")], timezone="UTC")

    assert (True, True, False) == (
        freeze.contains(utc(2026, 12, 31, 12)),
        freeze.contains(utc(2027, 1, 1, 12)),
        freeze.contains(utc(2027, 1, 3)),
    )
    assert utc(2027, 1, 3) == freeze.thaws(utc(2026, 12, 20))
    assert [
        f"{utc(2025, 12, 20).isoformat()} {utc(2026, 1, 3).isoformat()}",
        f"{utc(2026, 12, 20).isoformat()} {utc(2027, 1, 3).isoformat()}",
    ] == spans(freeze, utc(2026, 1, 1), utc(2026, 12, 31))


def test_whole_dates_include_the_last_and_a_short_day_is_frozen_whole() -> None:
    """28-29 March 2026 in London (clocks go forward on the 29th) ends at midnight BST."""
    freeze = christmas(
        yearly=[], dates=[rk.FreezeDates(first=dt.date(2026, 3, 28), last="2026-03-29")]
    )

    assert [f"{utc(2026, 3, 28).isoformat()} {utc(2026, 3, 29, 23).isoformat()}"] == spans(
        freeze, utc(2026, 3, 1), utc(2026, 4, 1)
    )


def test_a_skipped_local_midnight_starts_the_freeze_at_the_jump() -> None:
    """Sao Paulo skipped 4 Nov 2018 00:00: a freeze of that day starts when the clocks jumped."""
    freeze = christmas(
        yearly=[],
        timezone="America/Sao_Paulo",
        dates=[rk.FreezeDates(first="2018-11-04", last="2018-11-04")],
    )

    period = freeze.current_period(utc(2018, 11, 4, 12))

    assert rk.FrozenPeriod(start=utc(2018, 11, 4, 3), end=utc(2018, 11, 5, 2)) == period


def test_the_last_seven_days_of_each_quarter() -> None:
    """BYMONTHDAY=-7 for seven days freezes 25-31 Mar, 24-30 Jun, 24-30 Sep and 25-31 Dec."""
    found = spans(quarter_end(), utc(2026, 1, 1), utc(2026, 12, 31))

    assert [
        f"{utc(2026, 3, 25).isoformat()} {utc(2026, 3, 31, 23).isoformat()}",
        f"{utc(2026, 6, 23, 23).isoformat()} {utc(2026, 6, 30, 23).isoformat()}",
        f"{utc(2026, 9, 23, 23).isoformat()} {utc(2026, 9, 30, 23).isoformat()}",
        f"{utc(2026, 12, 25).isoformat()} {utc(2027, 1, 1).isoformat()}",
    ] == found


def test_touching_occurrences_make_one_stretch() -> None:
    """A freeze recurring daily for a day never thaws within the two years a forecast looks at."""
    freeze = christmas(
        yearly=[],
        recurrences=[
            rk.Recurrence(rule="FREQ=DAILY", start="2026-01-01", duration=dt.timedelta(days=1))
        ],
    )

    period = freeze.current_period(utc(2026, 6, 1))

    assert (None, True, None) == (
        freeze.thaws(utc(2026, 6, 1)),
        period is not None,
        period and period.end,
    )


def test_a_recurrence_skips_its_exceptions() -> None:
    """An EXDATE-like exception leaves that occurrence out."""
    freeze = christmas(
        yearly=[],
        recurrences=[
            rk.Recurrence(
                rule="RRULE:FREQ=WEEKLY;BYDAY=FR",
                start="2026-01-02T18:00",  # local wall-clock time
                duration=dt.timedelta(hours=6),
                exceptions=["2026-01-09T18:00"],  # local time
            )
        ],
    )

    assert (True, False, True) == (
        freeze.contains(utc(2026, 1, 2, 20)),
        freeze.contains(utc(2026, 1, 9, 20)),
        freeze.contains(utc(2026, 1, 16, 20)),
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"timezone": "+01:00"}, "timezone", "fixed UTC offset"),
        ({"timezone": "Europe/Londn"}, "timezone", "did you mean 'Europe/London'"),
        ({"yearly": []}, "dates", "covers no time"),
        ({"name": "Christmas Day"}, "name", "not a valid name"),
        ({"reason": "  "}, "reason", "non-empty"),
        ({"kinds": ["urgent"]}, "kinds", "not a release kind"),
        ({"kinds": []}, "kinds", "would hold for no release"),
        ({"environments": []}, "environments", "would close nothing"),
        ({"declared_by": "maria\u200b"}, "declared_by", "ZERO WIDTH SPACE"),
        ({"declared_at": dt.datetime(2026, 12, 1)}, "declared_at", "naive"),  # noqa: DTZ001  # refused
    ],
)
def test_a_freeze_that_cannot_be_used_is_refused(
    fields: dict[str, object], field: str, words: str
) -> None:
    """Each bad value is refused with the field it names and a sentence saying what to do."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        christmas(**fields)

    assert (field, True) == (refused.value.field, words in str(refused.value))


@pytest.mark.parametrize(
    ("build", "field", "words"),
    [
        (lambda: rk.YearlyDates(first="02-29", last="03-01"), "first", "leap years"),
        (lambda: rk.YearlyDates(first="12-24", last="13-01"), "last", "MM-DD"),
        (lambda: rk.FreezeDates(first="2026-12-26", last="2026-12-24"), "last", "before first"),
        (lambda: rk.FreezeDates(first="24.12.2026", last="2026-12-26"), "first", "YYYY-MM-DD"),
        (lambda: rk.FreezeDates(first=dt.date(1066, 1, 1), last="2026-12-26"), "first", "1900"),
        (
            lambda: rk.FreezeInterval(start=dt.datetime(2026, 1, 1), end=utc(2026, 1, 2)),  # noqa: DTZ001  # refused
            "start",
            "naive",
        ),
        (lambda: rk.FreezeInterval(start=utc(2026, 1, 2), end=utc(2026, 1, 1)), "end", "after"),
        (
            lambda: rk.Recurrence(
                rule="FREQ=HOURLY", start="2026-01-01", duration=dt.timedelta(hours=1)
            ),
            "rule",
            "at most once a day",
        ),
        (
            lambda: rk.Recurrence(
                rule="FREQ=YEARLY;BYMONTH=13", start="2026-01-01", duration=dt.timedelta(days=1)
            ),
            "rule",
            "never occurs",
        ),
        (
            lambda: rk.Recurrence(
                rule="FREQ=YEARLY;BYMONTH=twelve",
                start="2026-01-01",
                duration=dt.timedelta(days=1),
            ),
            "rule",
            "not a recurrence rule",
        ),
        (
            lambda: rk.Recurrence(
                rule="DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
                start="2026-01-01",
                duration=dt.timedelta(days=1),
            ),
            "rule",
            "the rule alone",
        ),
        (
            lambda: rk.Recurrence(
                rule="FREQ=DAILY", start=utc(2026, 1, 1), duration=dt.timedelta(days=1)
            ),
            "start",
            "carries a time zone",
        ),
        (
            lambda: rk.Recurrence(
                rule="FREQ=DAILY", start="2026-01-01", duration=dt.timedelta(days=400)
            ),
            "duration",
            "at most 366 days",
        ),
        (lambda: rk.IcsCalendar(text="hello"), "text", "BEGIN:VCALENDAR"),
    ],
)
def test_a_part_that_cannot_be_used_is_refused(build: object, field: str, words: str) -> None:
    """Bad dates, days of the year, intervals, rules and calendars are refused by field."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        build()  # type: ignore[operator]  # each case is a callable

    assert (field, True) == (refused.value.field, words in str(refused.value))


# -- freezes in a policy --------------------------------------------------------------


def with_freezes(*freezes: rk.Freeze, lifts: frozenset[str] = frozenset()) -> rk.Policy:
    policy = rk.reference_policy()
    flows = tuple(
        attrs.evolve(flow, lifts=flow.lifts | lifts) if flow.kind is rk.ReleaseKind.HOTFIX else flow
        for flow in policy.flows
    )
    return attrs.evolve(policy, freezes=freezes, flows=flows)


def ready_for_production(
    engine: rk.Engine, kind: rk.ReleaseKind, at: pendulum.DateTime
) -> rk.Release:
    release, moment = walk_to(engine, start(engine, kind=kind, at=at), "stage", now=at)
    return engine.add_evidence(release, *evidence_for(release, "production", moment), now=moment)


def test_a_freeze_guards_every_production_step_it_holds_for() -> None:
    """The normal flow's last step gets christmas-freeze; a flow lifting it has it lifted."""
    policy = with_freezes(christmas(), lifts=frozenset({"christmas-freeze"}))

    normal, hotfix = policy.steps("normal")[-1], policy.steps("hotfix")[-1]

    assert ("christmas-freeze" in [g.code for g in normal.guards]) is True
    assert ["production-window", "christmas-freeze"] == [g.code for g in hotfix.lifted]
    assert [] == [g.code for s in policy.steps("normal")[:-1] for g in s.time_guards]


def test_a_freeze_for_normal_releases_only_leaves_hotfixes_alone() -> None:
    """kinds=['normal'] puts no freeze guard on the hotfix flow at all."""
    policy = with_freezes(christmas(kinds=["normal"]))

    assert [] == [
        g.code for g in policy.steps("hotfix")[-1].guards if g.kind is guards.GuardKind.TIME
    ]


def test_a_policy_refuses_freezes_that_do_not_fit() -> None:
    """Unknown environments, the first environment, twin names and clashing codes are problems."""
    policy = rk.reference_policy()
    clash = rk.Freeze(
        name="production",
        reason="x",
        timezone="UTC",
        dates=[rk.FreezeDates(first="2026-01-01", last="2026-01-01")],
    )
    attrs.evolve(policy, freezes=())  # the policy itself is fine
    window = guards.InsideWindow(window=rk.production_window(), code="production-freeze")
    gates = tuple(
        attrs.evolve(gate, guards=(*gate.guards, window))
        if gate.environment == "production"
        else gate
        for gate in policy.gates
    )

    with pytest.raises(rk.exceptions.PolicyError) as refused:
        attrs.evolve(
            policy,
            gates=gates,
            freezes=(
                christmas(environments=["staging"]),
                christmas(environments=["sandbox-anton"]),
                clash,
            ),
        )

    assert [
        "freeze 'christmas' is defined 2 times; give each freeze its own name",
        "freeze 'christmas' closes 'staging', which is not an environment",
        "freeze 'christmas' closes 'sandbox-anton', where releases start: no step enters it",
        (
            "freeze 'production' has the code 'production-freeze', which a guard of the gate of "
            "'production' has too; rename the freeze or the guard"
        ),
    ] == list(refused.value.problems)


def test_a_flow_may_not_lift_a_freeze_that_does_not_hold_for_it() -> None:
    """Lifting christmas-freeze on a flow it never holds for is a mistake, as for any guard."""
    with pytest.raises(rk.exceptions.PolicyError) as refused:
        with_freezes(christmas(kinds=["normal"]), lifts=frozenset({"christmas-freeze"}))

    assert ["the hotfix flow lifts guard 'christmas-freeze', which none of its steps has"] == list(
        refused.value.problems
    )


def test_a_frozen_step_names_the_freeze_why_who_and_until_when() -> None:
    """On Christmas Day the blocker names the freeze, its reason, the policy and the thaw."""
    engine = rk.Engine(with_freezes(christmas()))
    release = ready_for_production(engine, rk.ReleaseKind.NORMAL, utc(2026, 12, 24, 8))

    explanation = engine.explain(release, now=utc(2026, 12, 25, 10))

    frozen = next(b for b in explanation.blockers if b.code == "christmas-freeze")
    assert (
        "frozen",
        (
            "production is frozen at Fri 2026-12-25 10:00 UTC by the christmas freeze (the office "
            "is closed), declared in policy 'reference', until Sun 2026-12-27 00:00 UTC"
        ),
        "wait until Sun 2026-12-27 09:00 UTC, the first moment every time rule of this step allows",
        utc(2026, 12, 27, 9),
        (),
    ) == (frozen.reason, frozen.message, frozen.hint, frozen.earliest, frozen.unblocked_by)


def test_the_window_blocker_forecasts_past_the_freeze() -> None:
    """The closed window's earliest is its first opening outside the freeze, not Saturday's."""
    engine = rk.Engine(with_freezes(christmas()))
    release = ready_for_production(engine, rk.ReleaseKind.NORMAL, utc(2026, 12, 24, 8))

    explanation = engine.explain(release, now=utc(2026, 12, 24, 10))

    window = next(b for b in explanation.blockers if b.code == "production-window")
    assert (utc(2026, 12, 26, 9), utc(2026, 12, 27, 9), utc(2026, 12, 27, 9)) == (
        rk.production_window().next_opening(utc(2026, 12, 24, 10)),
        window.earliest,
        explanation.earliest,
    )
    assert "wait until Sun 2026-12-27 09:00 UTC, the first moment" in window.hint


def test_a_hotfix_goes_through_a_freeze_its_flow_lifts() -> None:
    """With lifts = christmas-freeze, a hotfix enters production on Christmas Day."""
    engine = rk.Engine(with_freezes(christmas(), lifts=frozenset({"christmas-freeze"})))
    release = ready_for_production(engine, rk.ReleaseKind.HOTFIX, utc(2026, 12, 25, 8))

    explanation = engine.explain(release, now=utc(2026, 12, 25, 10))

    assert (True, ("production-window", "christmas-freeze")) == (
        explanation.allowed,
        explanation.lifted,
    )


def test_a_hotfix_is_held_by_a_freeze_its_flow_does_not_lift() -> None:
    """Without lifting it, a hotfix waits for the freeze to end, however urgent."""
    engine = rk.Engine(with_freezes(christmas()))
    release = ready_for_production(engine, rk.ReleaseKind.HOTFIX, utc(2026, 12, 25, 8))

    explanation = engine.explain(release, now=utc(2026, 12, 25, 10))

    assert (["christmas-freeze"], utc(2026, 12, 27)) == (
        [b.code for b in explanation.blockers],
        explanation.earliest,
    )
    with pytest.raises(rk.exceptions.PromotionRefusedError):
        engine.promote(release, by="ivan", now=utc(2026, 12, 25, 10))


def test_the_hint_names_the_kinds_a_freeze_spares() -> None:
    """A freeze for normal releases only says a hotfix is the way through."""
    engine = rk.Engine(with_freezes(christmas(kinds=["normal"])))
    release = ready_for_production(engine, rk.ReleaseKind.NORMAL, utc(2026, 12, 24, 8))

    blocker = next(
        b
        for b in engine.explain(release, now=utc(2026, 12, 25, 10)).blockers
        if b.code == "christmas-freeze"
    )

    assert blocker.hint.endswith(", or start a hotfix release if this cannot wait")


def test_a_freeze_declared_by_someone_says_who_and_when() -> None:
    """A freeze declared on the spot names its author (as an identity) and when they declared it."""
    incident = rk.Freeze(
        name="incident-42",
        reason="payments are down",
        timezone="UTC",
        intervals=[rk.FreezeInterval(start=utc(2026, 12, 1, 9), end=utc(2026, 12, 1, 18))],
        declared_by=" Maria ",
        declared_at=utc(2026, 12, 1, 9),
    )
    engine = rk.Engine(with_freezes(incident))
    release = ready_for_production(engine, rk.ReleaseKind.HOTFIX, utc(2026, 12, 1, 8))

    blocker = engine.explain(release, now=utc(2026, 12, 1, 10)).blockers[0]

    assert (
        "production is frozen at Tue 2026-12-01 10:00 UTC by the incident-42 freeze (payments are "
        "down), declared by maria at Tue 2026-12-01 09:00 UTC, until Tue 2026-12-01 18:00 UTC"
    ) == blocker.message


def test_a_freeze_may_close_another_environment() -> None:
    """environments = ['stage'] holds the step into stage, not production's."""
    engine = rk.Engine(with_freezes(christmas(environments=["stage"])))
    policy = engine.policy

    assert (["christmas-freeze"], []) == (
        [g.code for g in policy.steps("normal")[2].time_guards],
        [g.code for g in policy.steps("normal")[3].time_guards if g.code != "production-window"],
    )


def test_many_long_freezes_still_forecast_exactly() -> None:
    """Forty freezes, each of one weekend, push the first release to the weekend after them."""
    weekends = [
        rk.Freeze(
            name=f"weekend-{week}",
            reason="busy",
            timezone="UTC",
            dates=[
                rk.FreezeDates(
                    first=dt.date(2027, 1, 2) + dt.timedelta(weeks=week),
                    last=dt.date(2027, 1, 3) + dt.timedelta(weeks=week),
                )
            ],
        )
        for week in range(40)
    ]
    engine = rk.Engine(with_freezes(*weekends))
    release = ready_for_production(engine, rk.ReleaseKind.NORMAL, utc(2026, 12, 31, 8))

    explanation = engine.explain(release, now=utc(2027, 1, 1, 10))

    assert utc(2027, 10, 9, 9) == explanation.earliest


def test_a_freeze_that_never_thaws_gives_no_forecast() -> None:
    """A freeze recurring every day leaves no earliest time, quickly, rather than searching on."""
    always = christmas(
        yearly=[],
        recurrences=[
            rk.Recurrence(rule="FREQ=DAILY", start="2026-01-01", duration=dt.timedelta(days=1))
        ],
    )
    engine = rk.Engine(with_freezes(always))
    release = ready_for_production(engine, rk.ReleaseKind.NORMAL, utc(2026, 12, 1, 8))

    explanation = engine.explain(release, now=utc(2026, 12, 1, 10))

    assert (None, "no moment in the next two years passes every time rule of this step") == (
        explanation.earliest,
        next(b for b in explanation.blockers if b.code == "christmas-freeze").hint,
    )


# -- the plan's timeline --------------------------------------------------------------


def test_a_test_run_owed_waits_for_the_daily_runs_reservation() -> None:
    """At 23:45 tests is reserved until 01:30: the run fits then, and sandbox follows at 02:30."""
    engine = rk.Engine(rk.reference_policy())
    release, _ = walk_to(
        engine, start(engine, at=utc(2026, 11, 27, 23)), "tests", now=utc(2026, 11, 27, 23)
    )

    step = engine.plan(release, now=utc(2026, 11, 27, 23, 45)).steps[0]

    assert (utc(2026, 11, 28, 2, 30), ["scheduled-test-run"], [utc(2026, 11, 28, 1, 30)]) == (
        step.earliest,
        [wait.code for wait in step.waits],
        [owed.counts_from for owed in step.owed if owed.evidence == "test-run"],
    )


def test_a_log_review_too_old_by_the_window_is_owed_again() -> None:
    """A clean review on Friday evening is stale by Saturday 09:00: owed again from 05:00."""
    policy = rk.Policy(
        environments=[rk.Environment(name="dev"), rk.Environment(name="live")],
        gates=[
            rk.Gate(
                environment="live",
                guards=[
                    guards.LogsReviewed(max_age=dt.timedelta(hours=4)),
                    guards.InsideWindow(window=rk.production_window()),
                ],
            )
        ],
        flows=[rk.Flow(kind="normal", path=["dev", "live"])],
    )
    engine = rk.Engine(policy)
    friday = utc(2026, 11, 27, 18)
    release = engine.start(release_id="r1", version="1.0.0", kind="normal", by="ann", now=friday)
    review = rk.LogReview(by="ann", at=friday, environments=["dev", "live"], verdict="clean")
    release = engine.add_evidence(release, review, now=friday)

    step = engine.plan(release, now=friday).steps[0]

    assert ([], ["logs-reviewed"], [utc(2026, 11, 28, 5)], ["closed"]) == (
        [b.code for b in step.blockers if b.code == "logs-reviewed"],
        [owed.code for owed in step.owed],
        [owed.counts_from for owed in step.owed],
        [wait.reason for wait in step.waits],
    )


def test_the_timeline_says_which_rules_held_production_back() -> None:
    """Over Christmas the plan waits for the window, then the freeze, then the window again."""
    engine = rk.Engine(with_freezes(christmas()))
    release = ready_for_production(engine, rk.ReleaseKind.NORMAL, utc(2026, 12, 24, 8))

    plan = engine.plan(release, now=utc(2026, 12, 24, 10))

    assert (utc(2026, 12, 27, 9), ["closed", "frozen", "closed"]) == (
        plan.earliest_production,
        [wait.reason for wait in plan.steps[-1].waits],
    )
