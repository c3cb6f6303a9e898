import datetime as dt

import attrs
import pendulum
import pytest

import releasekit as rk
from builders import THURSDAY, evidence_for, start
from releasekit import guards
from releasekit._interfaces import cli
from releasekit._records.converter import structure, unstructure
from releasekit._records.fold import Refused
from releasekit._rules import verdicts
from releasekit.testing import walk_to


@pytest.fixture(name="policy")
def fixture_policy() -> rk.Policy:
    return rk.reference_policy(log_review_max_age=dt.timedelta(hours=4))


@pytest.fixture(name="engine")
def fixture_engine(policy: rk.Policy) -> rk.Engine:
    return rk.Engine(policy)


def context(
    policy: rk.Policy,
    release: rk.Release,
    target: str,
    now: pendulum.DateTime,
    actor: str | None = None,
) -> guards.GuardContext:
    step = policy.step_from(release.kind, release.state)
    assert step is not None
    assert target == step.target
    return guards.GuardContext(
        release=release, policy=policy, now=now, source=step.source, target=target, actor=actor
    )


def reasons(verdict: rk.Verdict) -> list[str]:
    return [b.reason for b in verdict.blockers]


def evidence(verdict: rk.Verdict) -> list[str | None]:
    """The kind of evidence each blocker names as clearing it."""
    return [b.evidence for b in verdict.blockers]


def test_new_tests_pass_when_the_release_adds_no_functionality(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """A release without new functionality needs no new tests."""
    release = start(engine, artifact=rk.Artifact(functions=("quote",)))

    verdict = guards.NewTestsWritten().check(context(policy, release, "tests", THURSDAY))

    assert verdict.passed


def test_new_tests_must_cover_every_new_function(engine: rk.Engine, policy: rk.Policy) -> None:
    """Tests covering one of two new features leave the other named in the blocker."""
    release = start(engine, artifact=rk.Artifact(new_functionality=("chart", "export")))
    release = release.with_evidence(rk.TestsWritten(by="anton", at=THURSDAY, covers=("chart",)))

    verdict = guards.NewTestsWritten().check(context(policy, release, "tests", THURSDAY))

    assert (["missing"], ["tests-written"]) == (reasons(verdict), evidence(verdict))
    assert "export" in verdict.blockers[0].message
    assert "chart" not in verdict.blockers[0].message


def test_tests_passed_needs_a_run(engine: rk.Engine, policy: rk.Policy) -> None:
    """A release in tests with no test run is blocked with the command to run."""
    release, moment = walk_to(engine, start(engine), "tests", now=THURSDAY)

    verdict = guards.TestsPassed(environment="tests").check(
        context(policy, release, "sandbox", moment)
    )

    assert (["missing"], ["test-run"]) == (reasons(verdict), evidence(verdict))
    assert "dt test --notify" in verdict.blockers[0].hint


def test_tests_passed_counts_only_the_exact_version(engine: rk.Engine, policy: rk.Policy) -> None:
    """A passing run of another version does not count."""
    release, moment = walk_to(engine, start(engine), "tests", now=THURSDAY)
    other = rk.TestRun(environment="tests", version="2.3.9", passed=True, at=moment, by="ci")

    verdict = guards.TestsPassed(environment="tests").check(
        context(policy, release.with_evidence(other), "sandbox", moment)
    )

    assert ["missing"] == reasons(verdict)


def test_tests_passed_ignores_runs_before_the_release_reached_tests(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """A run recorded before the deployment to tests cannot have tested it."""
    release, moment = walk_to(engine, start(engine), "tests", now=THURSDAY)
    early = rk.TestRun(
        environment="tests", version="2.4.0", passed=True, at=THURSDAY.subtract(hours=1), by="ci"
    )

    verdict = guards.TestsPassed(environment="tests").check(
        context(policy, release.with_evidence(early), "sandbox", moment)
    )

    assert ["missing"] == reasons(verdict)


def test_tests_passed_follows_the_latest_run(engine: rk.Engine, policy: rk.Policy) -> None:
    """A failure after a success blocks; a success after a failure passes."""
    release, moment = walk_to(engine, start(engine), "tests", now=THURSDAY)
    good = rk.TestRun(environment="tests", version="2.4.0", passed=True, at=moment, by="ci")
    bad = rk.TestRun(
        environment="tests", version="2.4.0", passed=False, at=moment.add(minutes=1), by="ci"
    )
    guard = guards.TestsPassed(environment="tests")
    later = moment.add(minutes=5)

    failed = guard.check(context(policy, release.with_evidence(good, bad), "sandbox", later))
    fixed = guard.check(
        context(
            policy,
            release.with_evidence(good, bad, attrs.evolve(good, at=moment.add(minutes=2))),
            "sandbox",
            later,
        )
    )

    assert (["failed"], ["test-run"], True) == (reasons(failed), evidence(failed), fixed.passed)


def test_tests_passed_blocks_a_release_that_never_reached_tests(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """Planning ahead, the tests guard says the release is not in tests yet."""
    release = start(engine)
    guard = guards.TestsPassed(environment="tests")
    ctx = guards.GuardContext(
        release=release, policy=policy, now=THURSDAY, source="tests", target="sandbox"
    )

    assert (["not-deployed"], [None]) == (reasons(guard.check(ctx)), evidence(guard.check(ctx)))


def test_forbidden_functions_are_named(engine: rk.Engine, policy: rk.Policy) -> None:
    """Functions called test* may not enter sandbox, and the blocker names each one."""
    artifact = rk.Artifact(functions=("quote", "testQuote", "test_chart", "attest"))
    release, moment = walk_to(engine, start(engine, artifact=artifact), "tests", now=THURSDAY)

    verdict = guards.NoForbiddenFunctions().check(context(policy, release, "sandbox", moment))

    assert (["forbidden"], [None]) == (reasons(verdict), evidence(verdict))
    assert "testQuote, test_chart" in verdict.blockers[0].message
    assert "attest" not in verdict.blockers[0].message.split(":")[-1]


def clean_review(at: pendulum.DateTime, *environments: str) -> rk.LogReview:
    names = environments or ("sandbox-anton", "tests", "sandbox", "stage", "production")
    return rk.LogReview(by="maria", at=at, environments=names, verdict="clean")


def test_logs_reviewed_passes_with_a_fresh_clean_review_of_all(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """A clean review of all five environments an hour ago counts."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    release = release.with_evidence(clean_review(moment.add(minutes=1)))

    verdict = guards.LogsReviewed(max_age=dt.timedelta(hours=4)).check(
        context(policy, release, "stage", moment.add(hours=1))
    )

    assert verdict.passed


def test_logs_reviewed_names_the_environments_not_reviewed(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """Reviews covering only some environments leave the others named."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    release = release.with_evidence(
        clean_review(moment.add(minutes=1), "sandbox-anton", "tests", "sandbox")
    )

    verdict = guards.LogsReviewed(max_age=dt.timedelta(hours=4)).check(
        context(policy, release, "stage", moment.add(hours=1))
    )

    assert (["missing"], ["log-review"]) == (reasons(verdict), evidence(verdict))
    assert "stage, production" in verdict.blockers[0].message


def test_logs_reviewed_does_not_count_an_old_review(engine: rk.Engine, policy: rk.Policy) -> None:
    """A review older than the policy's age limit is not "just before"."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    release = release.with_evidence(clean_review(moment.add(minutes=1)))

    verdict = guards.LogsReviewed(max_age=dt.timedelta(hours=4)).check(
        context(policy, release, "stage", moment.add(hours=5))
    )

    assert ["missing"] == reasons(verdict)


def test_logs_reviewed_does_not_count_a_review_before_the_last_deployment(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """A review done before the release reached sandbox says nothing about it."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    release = release.with_evidence(clean_review(moment.subtract(minutes=1)))

    verdict = guards.LogsReviewed(max_age=dt.timedelta(hours=4)).check(
        context(policy, release, "stage", moment.add(minutes=5))
    )

    assert ["missing"] == reasons(verdict)


def test_logs_reviewed_blocks_on_problems_found(engine: rk.Engine, policy: rk.Policy) -> None:
    """The latest review finding problems blocks, naming the reviewer."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    troubled = rk.LogReview(
        by="ivan", at=moment.add(minutes=2), environments=("production",), verdict="problems"
    )
    release = release.with_evidence(clean_review(moment.add(minutes=1)), troubled)

    verdict = guards.LogsReviewed(max_age=dt.timedelta(hours=4)).check(
        context(policy, release, "stage", moment.add(minutes=5))
    )

    assert (["problems"], ["log-review"]) == (reasons(verdict), evidence(verdict))
    assert "ivan" in verdict.blockers[0].message


def test_logs_reviewed_refuses_a_non_positive_age() -> None:
    """A maximum age of zero is refused when the guard is built."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="positive"):
        guards.LogsReviewed(max_age=dt.timedelta())


def test_migrations_pass_when_there_are_none(engine: rk.Engine, policy: rk.Policy) -> None:
    """A release without migrations needs no migration run."""
    release, moment = walk_to(engine, start(engine, artifact=rk.Artifact()), "stage", now=THURSDAY)

    verdict = guards.MigrationsSucceeded(environment="stage").check(
        context(policy, release, "production", moment)
    )

    assert verdict.passed


def test_migrations_must_all_have_run(engine: rk.Engine, policy: rk.Policy) -> None:
    """A successful run that left a migration out does not count."""
    artifact = rk.Artifact(migrations=("0042_a", "0043_b"))
    release, moment = walk_to(engine, start(engine, artifact=artifact), "stage", now=THURSDAY)
    partial = rk.MigrationRun(
        environment="stage",
        version="2.4.0",
        migrations=("0042_a",),
        succeeded=True,
        at=moment,
        by="ci",
    )

    verdict = guards.MigrationsSucceeded(environment="stage").check(
        context(policy, release.with_evidence(partial), "production", moment)
    )

    assert (["failed"], ["migration-run"]) == (reasons(verdict), evidence(verdict))
    assert "0043_b" in verdict.blockers[0].message


def test_migrations_that_failed_block(engine: rk.Engine, policy: rk.Policy) -> None:
    """A failed migration run blocks production."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    failed = rk.MigrationRun(
        environment="stage",
        version="2.4.0",
        migrations=release.artifact.migrations,
        succeeded=False,
        at=moment,
        by="ci",
    )

    verdict = guards.MigrationsSucceeded(environment="stage").check(
        context(policy, release.with_evidence(failed), "production", moment)
    )

    assert ["failed"] == reasons(verdict)


def test_stage_sign_off_needs_old_application_versions(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """A stage sign-off without old app versions is named as such."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    plain = rk.SignOff(by="maria", at=moment, environment="stage")

    guard = guards.SignedOff(environment="stage", require_old_app_versions=True)
    verdict = guard.check(context(policy, release.with_evidence(plain), "production", moment))

    assert (["no-old-versions"], ["sign-off"]) == (reasons(verdict), evidence(verdict))


def test_sign_off_before_reaching_the_environment_does_not_count(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """A sign-off dated before the release reached sandbox is not a sign-off of it."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    early = rk.SignOff(by="maria", at=THURSDAY, environment="sandbox")

    verdict = guards.SignedOff(environment="sandbox").check(
        context(policy, release.with_evidence(early), "stage", moment)
    )

    assert (["missing"], ["sign-off"]) == (reasons(verdict), evidence(verdict))


def test_changes_reviewed_since_reaching_stage(engine: rk.Engine, policy: rk.Policy) -> None:
    """A change review of this version on stage passes the guard."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    review = rk.ChangeReview(by="ivan", at=moment, version="2.4.0")
    guard = guards.ChangesReviewed(environment="stage")

    before = guard.check(context(policy, release, "production", moment))
    after = guard.check(context(policy, release.with_evidence(review), "production", moment))

    assert (["missing"], ["change-review"], True) == (
        reasons(before),
        evidence(before),
        after.passed,
    )


def test_window_guard_blocks_outside_and_passes_inside(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """The production window guard passes on Saturday 10:00 and blocks on Friday 18:00."""
    release, _ = walk_to(engine, start(engine), "stage", now=THURSDAY)
    guard = guards.InsideWindow(window=rk.production_window())
    saturday = pendulum.datetime(2026, 11, 28, 10, 0, tz="UTC")
    friday = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")

    inside = guard.check(context(policy, release, "production", saturday))
    outside = guard.check(context(policy, release, "production", friday))

    assert (True, ["closed"], [None], ()) == (
        inside.passed,
        reasons(outside),
        evidence(outside),
        outside.blockers[0].unblocked_by,
    )


def test_window_guard_says_when_in_utc_and_in_english(engine: rk.Engine, policy: rk.Policy) -> None:
    """The closed window's message gives its times in UTC with English day names, in any locale."""
    release, _ = walk_to(engine, start(engine), "stage", now=THURSDAY)
    window = rk.Window.weekends(start="09:00", end="12:00", timezone="Europe/London")
    guard = guards.InsideWindow(window=window)
    friday = pendulum.datetime(2026, 7, 3, 19, 45, 30, tz="Europe/London")
    previous = pendulum.get_locale()
    pendulum.set_locale("fr")
    try:
        blocker = guard.check(context(policy, release, "production", friday)).blockers[0]
    finally:
        pendulum.set_locale(previous)

    assert (
        (
            "production is closed at Fri 2026-07-03 18:45 UTC; its window, "
            "Sat, Sun 09:00\N{EN DASH}12:00 (Europe/London), next opens Sat 2026-07-04 08:00 UTC"
        ),
        "wait until Sat 2026-07-04 08:00 UTC, or start a hotfix release if this cannot wait",
        pendulum.datetime(2026, 7, 4, 8, 0, tz="UTC"),
    ) == (blocker.message, blocker.hint, blocker.earliest)


def test_attestation_guard_reads_named_attestations(engine: rk.Engine, policy: rk.Policy) -> None:
    """A team's own guard passes once the named attestation is recorded."""
    release = start(engine)
    guard = guards.AttestationPresent(name="security-review")
    attested = release.with_evidence(
        rk.Attestation(name="security-review", by="sec", at=THURSDAY.add(minutes=1))
    )

    before = guard.check(context(policy, release, "tests", THURSDAY.add(minutes=5)))
    after = guard.check(context(policy, attested, "tests", THURSDAY.add(minutes=5)))

    assert (["missing"], ["attestation"], True, "security-review") == (
        reasons(before),
        evidence(before),
        after.passed,
        guard.code,
    )


def test_function_guard_calls_the_function(engine: rk.Engine, policy: rk.Policy) -> None:
    """A plain function wrapped as a guard decides the verdict."""
    seen: list[str] = []

    def remember(ctx: guards.GuardContext) -> rk.Verdict:
        seen.append(ctx.target)
        return rk.Verdict.ok()

    guard = guards.FunctionGuard(code="remember", check_with=remember)

    verdict = guard.check(context(policy, start(engine), "tests", THURSDAY))

    assert (True, ["tests"], "remember") == (verdict.passed, seen, guard.describe())


def test_every_built_in_guard_is_a_guard() -> None:
    """The built-in guards satisfy the Guard protocol."""
    built_in = [
        guards.ActorAllowed(),
        guards.NewTestsWritten(),
        guards.TestsPassed(environment="tests"),
        guards.NoForbiddenFunctions(),
        guards.SignedOff(environment="sandbox"),
        guards.LogsReviewed(max_age=dt.timedelta(hours=1)),
        guards.MigrationsSucceeded(environment="stage"),
        guards.ChangesReviewed(),
        guards.InsideWindow(window=rk.production_window()),
        guards.AttestationPresent(name="x"),
    ]

    assert all(isinstance(guard, guards.Guard) for guard in built_in)
    assert [guards.InsideWindow] == [type(g) for g in built_in if isinstance(g, guards.TimeGuard)]


def test_evidence_guards_name_what_a_person_can_do(engine: rk.Engine) -> None:
    """Every blocker of a fresh release's plan has a message, a hint and a stable code."""
    plan = engine.plan(start(engine), now=THURSDAY)

    for step in plan.steps:
        for blocker in step.blockers:
            assert blocker.message
            assert blocker.hint
            assert blocker.code
            assert str(blocker) == f"{blocker.message} — {blocker.hint}"


def test_evidence_for_reaches_every_step(engine: rk.Engine) -> None:
    """The builders' evidence satisfies every guard of the normal flow inside the window."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    release = engine.add_evidence(release, *evidence_for(release, "production", moment), now=moment)

    saturday = pendulum.datetime(2026, 11, 28, 10, 0, tz="UTC")
    assert engine.explain(release, now=saturday).allowed


def test_the_owner_guard_names_no_evidence(engine: rk.Engine, policy: rk.Policy) -> None:
    """Only the owners can clear owner-only: no evidence does."""
    ctx = context(policy, start(engine), "tests", THURSDAY, actor="maria")

    verdict = guards.ActorAllowed().check(ctx)

    assert (["not-owner"], [None]) == (reasons(verdict), evidence(verdict))


def test_a_team_s_own_guard_may_name_the_evidence_that_clears_it(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """GuardContext.blocker passes `evidence` through to the Blocker."""

    def ticket(ctx: guards.GuardContext) -> rk.Verdict:
        return rk.Verdict.blocked(
            ctx.blocker(guard, reason="missing", message="m", hint="h", evidence="attestation")
        )

    guard = guards.FunctionGuard(code="ticket", check_with=ticket)

    verdict = guard.check(context(policy, start(engine), "tests", THURSDAY))

    assert ["attestation"] == evidence(verdict)


def test_blockers_name_the_kinds_the_command_records() -> None:
    """Blocker.evidence uses the names of `releasekit record` KIND, in the same order."""
    assert cli.EVIDENCE_KINDS == verdicts.EVIDENCE_KINDS


def test_a_blocker_stored_before_evidence_existed_reads_as_none() -> None:
    """A refused event written without `evidence` still loads: the field defaults to None."""
    stored = {
        "blockers": [
            {
                "code": "signed-off",
                "reason": "missing",
                "message": "nobody has signed off",
                "hint": "record a SignOff",
                "unblocked_by": ["team"],
                "earliest": None,
                "source": "sandbox",
                "target": "stage",
            }
        ]
    }

    refused = structure(stored, Refused)

    assert (None, "signed-off") == (refused.blockers[0].evidence, refused.blockers[0].code)
    assert {**stored["blockers"][0], "evidence": None, "people": []} == unstructure(
        refused.blockers[0]
    )
