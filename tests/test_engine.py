import datetime as dt

import pendulum
import pytest

import releasekit as rk
from builders import FRIDAY_EVENING, SATURDAY_OPENING, THURSDAY, evidence_for, start
from releasekit.testing import walk_to


@pytest.fixture(name="engine")
def fixture_engine() -> rk.Engine:
    return rk.Engine(rk.reference_policy())


def test_start_puts_a_release_in_the_first_environment(engine: rk.Engine) -> None:
    """A new release starts in sandbox-anton, with no evidence and no moves."""
    release = start(engine)

    assert ("sandbox-anton", (), ()) == (release.state, release.evidence, release.moves)


def test_start_by_someone_other_than_the_owner_is_refused(engine: rk.Engine) -> None:
    """Only anton may start a release in sandbox-anton."""
    with pytest.raises(rk.exceptions.NotPermittedError) as caught:
        engine.start(release_id="r1", version="1.0", kind="normal", by="maria", now=THURSDAY)

    assert ("maria", ("anton",)) == (caught.value.actor, caught.value.allowed)


def test_start_refuses_a_naive_datetime(engine: rk.Engine) -> None:
    """An instant without a time zone is refused, naming the argument."""
    with pytest.raises(rk.exceptions.NaiveDatetimeError) as caught:
        engine.start(
            release_id="r1",
            version="1.0",
            kind="normal",
            by="anton",
            now=dt.datetime(2026, 1, 1),  # noqa: DTZ001  # naive on purpose
        )

    assert "now" == caught.value.field


def test_start_refuses_an_unknown_kind(engine: rk.Engine) -> None:
    """A kind with no flow is refused with the kinds that exist."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="'normal', 'hotfix'"):
        engine.start(release_id="r1", version="1.0", kind="urgent", by="anton", now=THURSDAY)


def test_promote_moves_a_release_whose_guards_hold(engine: rk.Engine) -> None:
    """With its tests written, a release moves from sandbox-anton to tests."""
    release = engine.add_evidence(
        start(engine), *evidence_for(start(engine), "tests", THURSDAY), now=THURSDAY
    )

    moved = engine.promote(release, by="anton", now=THURSDAY.add(minutes=5))

    assert ("tests", "sandbox-anton") == (moved.state, release.state)
    expected = rk.Move(
        source="sandbox-anton", target="tests", at=THURSDAY.add(minutes=5), by="anton"
    )
    assert [expected] == list(moved.moves)


def test_a_refused_promotion_reports_every_blocker_at_once(engine: rk.Engine) -> None:
    """A Friday-evening promotion to production lists all missing evidence and the window."""
    release, _ = walk_to(engine, start(engine), "stage", now=THURSDAY)

    with pytest.raises(rk.exceptions.PromotionRefusedError) as caught:
        engine.promote(release, by="anton", now=FRIDAY_EVENING)

    codes = [b.code for b in caught.value.blockers]
    assert ["migrations-succeeded", "signed-off", "changes-reviewed", "production-window"] == codes
    assert ("r1", "stage", "production") == (
        caught.value.release_id,
        caught.value.source,
        caught.value.target,
    )


def test_a_refused_promotion_says_when_the_window_opens(engine: rk.Engine) -> None:
    """The window blocker of a Friday-evening promotion names Saturday 09:00 UTC."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    release = engine.add_evidence(release, *evidence_for(release, "production", moment), now=moment)

    with pytest.raises(rk.exceptions.PromotionRefusedError) as caught:
        engine.promote(release, by="anton", now=FRIDAY_EVENING)

    (blocker,) = caught.value.blockers
    assert ("closed", SATURDAY_OPENING) == (blocker.reason, blocker.earliest)
    assert "Sat 2026-11-28 09:00 UTC" in str(caught.value)


def test_a_normal_release_enters_production_inside_the_window(engine: rk.Engine) -> None:
    """On Saturday at 09:00 the same release is promoted to production."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    release = engine.add_evidence(release, *evidence_for(release, "production", moment), now=moment)

    released = engine.promote(release, by="anton", now=SATURDAY_OPENING)

    assert "production" == released.state


def test_a_hotfix_enters_production_outside_the_window(engine: rk.Engine) -> None:
    """A hotfix with all its evidence goes to production on Friday evening."""
    release, moment = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "stage", now=THURSDAY
    )
    release = engine.add_evidence(release, *evidence_for(release, "production", moment), now=moment)

    released = engine.promote(release, by="anton", now=FRIDAY_EVENING)

    assert "production" == released.state


def test_a_hotfix_still_needs_every_piece_of_evidence(engine: rk.Engine) -> None:
    """The hotfix flow lifts the window only: missing evidence still blocks."""
    release, _ = walk_to(engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "stage", now=THURSDAY)

    with pytest.raises(rk.exceptions.PromotionRefusedError) as caught:
        engine.promote(release, by="anton", now=FRIDAY_EVENING)

    assert ["migrations-succeeded", "signed-off", "changes-reviewed"] == [
        b.code for b in caught.value.blockers
    ]


def test_a_hotfix_visits_every_environment_in_order(engine: rk.Engine) -> None:
    """A hotfix passes through all five environments, none skipped."""
    release, _ = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "production", now=THURSDAY
    )

    assert ["tests", "sandbox", "stage", "production"] == [m.target for m in release.moves]


def test_promote_from_production_is_refused(engine: rk.Engine) -> None:
    """A release in production has finished its flow: no further step."""
    release, moment = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "production", now=THURSDAY
    )

    with pytest.raises(rk.exceptions.ReleaseEndedError, match="finished its flow in production"):
        engine.promote(release, by="anton", now=moment)


def test_promote_out_of_the_owned_sandbox_needs_its_owner(engine: rk.Engine) -> None:
    """Someone other than anton may not move a release out of sandbox-anton."""
    release = engine.add_evidence(
        start(engine), *evidence_for(start(engine), "tests", THURSDAY), now=THURSDAY
    )

    with pytest.raises(rk.exceptions.PromotionRefusedError) as caught:
        engine.promote(release, by="maria", now=THURSDAY)

    (blocker,) = caught.value.blockers
    assert ("owner-only", ("anton",)) == (blocker.code, blocker.unblocked_by)


def test_explain_lists_the_blockers_of_the_next_step(engine: rk.Engine) -> None:
    """Explaining a fresh release names the missing tests for its new functionality."""
    explanation = engine.explain(start(engine), now=THURSDAY)

    assert (False, ["new-tests-written"]) == (
        explanation.allowed,
        [b.code for b in explanation.blockers],
    )
    assert "chart" in explanation.blockers[0].message


def test_explain_agrees_with_promote(engine: rk.Engine) -> None:
    """When explain finds no blocker, promote succeeds at the same instant."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    release = engine.add_evidence(release, *evidence_for(release, "stage", moment), now=moment)

    explanation = engine.explain(release, now=moment, actor="anton")

    assert (True, "stage") == (
        explanation.allowed,
        engine.promote(release, by="anton", now=moment).state,
    )


def test_explain_of_a_release_in_production_is_finished(engine: rk.Engine) -> None:
    """A release at the end of its flow has no next step and no blockers."""
    release, moment = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "production", now=THURSDAY
    )

    explanation = engine.explain(release, now=moment)

    assert (True, False, ()) == (explanation.finished, explanation.allowed, explanation.blockers)


def test_explain_gives_the_earliest_time_when_only_time_blocks(engine: rk.Engine) -> None:
    """With all evidence in, explaining on Friday evening points at Saturday 09:00."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    release = engine.add_evidence(release, *evidence_for(release, "production", moment), now=moment)

    assert SATURDAY_OPENING == engine.explain(release, now=FRIDAY_EVENING).earliest


def test_explain_has_no_earliest_time_while_evidence_is_missing(engine: rk.Engine) -> None:
    """Time alone cannot clear a missing sign-off, so there is no earliest time."""
    release, _ = walk_to(engine, start(engine), "stage", now=THURSDAY)

    assert None is engine.explain(release, now=FRIDAY_EVENING).earliest


def test_plan_lists_every_remaining_step(engine: rk.Engine) -> None:
    """A fresh release has four steps ahead of it, each with its blockers."""
    plan = engine.plan(start(engine), now=THURSDAY)

    assert ["tests", "sandbox", "stage", "production"] == [s.step.target for s in plan.steps]
    assert all(s.blockers for s in plan.steps)


def test_plan_forecasts_the_next_production_window(engine: rk.Engine) -> None:
    """Planned on Friday evening, a normal release reaches production Saturday 09:00 at best."""
    plan = engine.plan(start(engine), now=FRIDAY_EVENING)

    assert SATURDAY_OPENING == plan.earliest_production


def test_plan_of_a_hotfix_allows_production_after_its_test_run(engine: rk.Engine) -> None:
    """A hotfix planned on Friday evening could reach production once its 1 h test run ends."""
    plan = engine.plan(start(engine, kind=rk.ReleaseKind.HOTFIX), now=FRIDAY_EVENING)

    assert FRIDAY_EVENING.add(hours=1) == plan.earliest_production


def test_plan_of_a_finished_release_is_empty(engine: rk.Engine) -> None:
    """A release in production has nothing left to plan."""
    release, moment = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "production", now=THURSDAY
    )

    plan = engine.plan(release, now=moment)

    assert ((), None) == (plan.steps, plan.earliest_production)


def test_abandon_stops_a_release(engine: rk.Engine) -> None:
    """An abandoned release has no next step and cannot be promoted."""
    abandoned = engine.abandon(start(engine), by="anton", now=THURSDAY)

    assert ("abandoned", None) == (abandoned.state, engine.next_step(abandoned))
    with pytest.raises(rk.exceptions.InvalidInputError):
        engine.promote(abandoned, by="anton", now=THURSDAY)


def test_abandon_of_a_finished_release_is_refused(engine: rk.Engine) -> None:
    """A release that reached production cannot be abandoned."""
    release, moment = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "production", now=THURSDAY
    )

    with pytest.raises(rk.exceptions.ReleaseEndedError, match="finished its flow in production"):
        engine.abandon(release, by="anton", now=moment)


def test_record_refuses_evidence_for_another_version(engine: rk.Engine) -> None:
    """A test run of 2.3.9 cannot be recorded on the release of 2.4.0."""
    run = rk.TestRun(environment="tests", version="2.3.9", passed=True, at=THURSDAY, by="ci")

    with pytest.raises(rk.exceptions.InvalidInputError, match=r"2\.3\.9") as caught:
        engine.add_evidence(start(engine), run, now=THURSDAY)

    assert "version" == caught.value.field


def test_record_refuses_tests_declared_by_someone_other_than_the_owner(engine: rk.Engine) -> None:
    """Tests are declared in sandbox-anton, where only anton acts."""
    with pytest.raises(rk.exceptions.NotPermittedError):
        engine.add_evidence(
            start(engine),
            rk.TestsWritten(by="maria", at=THURSDAY, covers=("chart",)),
            now=THURSDAY,
        )


def test_record_refuses_evidence_for_an_unknown_environment(engine: rk.Engine) -> None:
    """A sign-off for an environment the policy lacks is refused."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="qa"):
        engine.add_evidence(
            start(engine), rk.SignOff(by="maria", at=THURSDAY, environment="qa"), now=THURSDAY
        )


def test_a_release_in_a_state_off_its_flow_is_refused(engine: rk.Engine) -> None:
    """A release value whose state is not on its flow cannot be explained."""
    broken = rk.Release(
        id="r9", version="1", kind="normal", state="qa", created_at=THURSDAY, created_by="anton"
    )

    with pytest.raises(rk.exceptions.InvalidInputError, match="not on the normal flow"):
        engine.explain(broken, now=THURSDAY)


def test_diagram_draws_every_step_of_the_flow(engine: rk.Engine) -> None:
    """The Mermaid diagram of the normal flow has a promote edge per step and the window guard."""
    text = engine.diagram("normal")

    assert text.count("--> ") >= 4
    assert "stateDiagram-v2" in text
    assert "inside Sat, Sun 09:00" in text


def test_diagram_of_the_hotfix_flow_shows_the_window_lifted(engine: rk.Engine) -> None:
    """The hotfix diagram marks the production window as lifted."""
    assert "lifted: inside" in engine.diagram(rk.ReleaseKind.HOTFIX)


def test_diagram_marks_the_current_state(engine: rk.Engine) -> None:
    """Given a current state, the diagram styles that state as active."""
    text = engine.diagram("normal", current="stage")

    assert "Class stage s_active" in text
    assert "Class tests s_active" not in text


def test_promote_runs_through_the_shared_machine_without_touching_the_release(
    engine: rk.Engine,
) -> None:
    """The release value gets no attributes from transitions: it stays a plain frozen value."""
    release = start(engine)

    engine.explain(release, now=THURSDAY)

    assert not hasattr(release, "trigger")
    assert not hasattr(release, "may_promote")


def test_time_guard_alternation_finds_a_moment_all_windows_share() -> None:
    """With two windows on one step, the plan finds the first instant inside both."""
    saturday = rk.Window.weekly(days="sat", start="08:00", end="10:00", timezone="UTC")
    morning = rk.Window.weekly(days="sat sun", start="09:30", end="11:00", timezone="UTC")
    policy = rk.Policy(
        environments=(rk.Environment(name="dev"), rk.Environment(name="prod")),
        gates=(
            rk.Gate(
                environment="prod",
                guards=(
                    rk.guards.InsideWindow(window=saturday, code="saturday"),
                    rk.guards.InsideWindow(window=morning, code="morning"),
                ),
            ),
        ),
        flows=(rk.Flow(kind="normal", path=("dev", "prod")),),
    )
    engine = rk.Engine(policy)
    release = engine.start(release_id="x", version="1", kind="normal", by="a", now=FRIDAY_EVENING)

    plan = engine.plan(release, now=FRIDAY_EVENING)

    assert pendulum.datetime(2026, 11, 28, 9, 30, tz="UTC") == plan.earliest_production


def test_roll_back_takes_a_release_out_of_production(engine: rk.Engine) -> None:
    """A release in production can be rolled back; it then has no next step."""
    release, moment = walk_to(
        engine, start(engine, kind=rk.ReleaseKind.HOTFIX), "production", now=THURSDAY
    )

    rolled = engine.roll_back(release, by="anton", now=moment)

    assert ("rolled-back", None) == (rolled.state, engine.next_step(rolled))
    assert (
        rk.Move(source="production", target="rolled-back", at=moment, by="anton")
        == rolled.moves[-1]
    )


def test_roll_back_outside_production_is_refused(engine: rk.Engine) -> None:
    """Only a release in production can be rolled back."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="only a release in production"):
        engine.roll_back(start(engine), by="anton", now=THURSDAY)
