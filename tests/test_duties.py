"""Separation of duties: sign-offs and reviews by enough different people, not by the author."""

import pendulum
import pytest

import releasekit as rk
from builders import THURSDAY, start
from releasekit import guards
from releasekit.testing import walk_to

AUTHOR_ONLY = frozenset({"author"})


@pytest.fixture(name="policy")
def fixture_policy() -> rk.Policy:
    return rk.reference_policy()


@pytest.fixture(name="engine")
def fixture_engine(policy: rk.Policy) -> rk.Engine:
    return rk.Engine(policy)


def check(
    guard: guards.Guard, policy: rk.Policy, release: rk.Release, now: pendulum.DateTime
) -> rk.Verdict:
    step = policy.step_from(release.kind, release.state)
    assert step is not None
    return guard.check(
        guards.GuardContext(
            release=release, policy=policy, now=now, source=step.source, target=step.target
        )
    )


def reviewed(release: rk.Release, at: pendulum.DateTime, *people: str) -> rk.Release:
    return release.with_evidence(
        *(rk.ChangeReview(by=person, at=at, version=release.version) for person in people)
    )


def signed(release: rk.Release, at: pendulum.DateTime, *people: str) -> rk.Release:
    return release.with_evidence(
        *(rk.SignOff(by=person, at=at, environment="sandbox") for person in people)
    )


# -- the author's own review -----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["anton", "ANTON", " anton ", "Anton\u00a0"])
def test_the_author_s_own_review_does_not_count(
    engine: rk.Engine, policy: rk.Policy, spelling: str
) -> None:
    """anton started 2.4.0: his review, however he types his name, is not a second look."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    guard = guards.ChangesReviewed(environment="stage", not_by=AUTHOR_ONLY)

    verdict = check(guard, policy, reviewed(release, moment, spelling), moment)

    blocker = verdict.blockers[0]
    assert (
        "not-by",
        (
            "the changes of 2.4.0 were reviewed only by anton, its author; a review by someone "
            "else is needed"
        ),
        "ask someone other than anton to review all changes of 2.4.0 and record a ChangeReview",
        ("team",),
        "change-review",
    ) == (blocker.reason, blocker.message, blocker.hint, blocker.unblocked_by, blocker.evidence)


def test_a_review_by_someone_else_counts(engine: rk.Engine, policy: rk.Policy) -> None:
    """anton's review and ivan's: ivan's counts, the guard passes."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    guard = guards.ChangesReviewed(environment="stage", not_by=AUTHOR_ONLY)

    verdict = check(guard, policy, reviewed(release, moment, "anton", "ivan"), moment)

    assert verdict.passed


def test_without_not_by_the_author_s_review_counts(engine: rk.Engine, policy: rk.Policy) -> None:
    """The default keeps the guard as it was: any review counts."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)

    verdict = check(
        guards.ChangesReviewed(environment="stage"),
        policy,
        reviewed(release, moment, "anton"),
        moment,
    )

    assert verdict.passed


def test_no_review_at_all_says_who_must_review(engine: rk.Engine, policy: rk.Policy) -> None:
    """The usual 'missing' blocker, its hint naming who may not and how many must."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    guard = guards.ChangesReviewed(environment="stage", not_by=AUTHOR_ONLY, min_people=2)

    blocker = check(guard, policy, release, moment).blockers[0]

    assert ("missing", True) == (
        blocker.reason,
        blocker.hint.endswith(", by 2 different people other than anton (its author)"),
    )


# -- distinct people ---------------------------------------------------------------------------


def test_two_sign_offs_by_one_person_count_once(engine: rk.Engine, policy: rk.Policy) -> None:
    """'maria' and 'MARIA' are one of the two people min_people=2 asks for."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    guard = guards.SignedOff(environment="sandbox", min_people=2)

    verdict = check(guard, policy, signed(release, moment, "maria", "MARIA"), moment)

    blocker = verdict.blockers[0]
    assert (
        "too-few-people",
        (
            "1 of 2 people signed off the manual testing of 2.4.0 on sandbox (maria); "
            "1 more person must"
        ),
        "ask 1 more person (not maria) to test 2.4.0 on sandbox and record a SignOff",
    ) == (blocker.reason, blocker.message, blocker.hint)


def test_two_different_people_pass_min_people(engine: rk.Engine, policy: rk.Policy) -> None:
    """maria and ivan are two people."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    guard = guards.SignedOff(environment="sandbox", min_people=2)

    verdict = check(guard, policy, signed(release, moment, "maria", " Ivan"), moment)

    assert verdict.passed


def test_the_author_is_not_one_of_the_people_counted(engine: rk.Engine, policy: rk.Policy) -> None:
    """min_people=2, not by the author: anton and maria are one person who counts."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    guard = guards.SignedOff(environment="sandbox", min_people=2, not_by=AUTHOR_ONLY)

    verdict = check(guard, policy, signed(release, moment, "Anton", "maria"), moment)

    blocker = verdict.blockers[0]
    assert (
        "too-few-people",
        (
            "1 of 2 people signed off the manual testing of 2.4.0 on sandbox (maria); a sign-off "
            "by anton, its author, does not count; 1 more person must"
        ),
        "ask 1 more person (not maria or anton) to test 2.4.0 on sandbox and record a SignOff",
    ) == (blocker.reason, blocker.message, blocker.hint)


def test_sign_offs_by_the_author_alone_do_not_count(engine: rk.Engine, policy: rk.Policy) -> None:
    """not_by=['author'] on a sign-off: only anton signed off, someone else must."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)
    guard = guards.SignedOff(environment="sandbox", not_by=AUTHOR_ONLY)

    blocker = check(guard, policy, signed(release, moment, "anton"), moment).blockers[0]

    assert (
        "not-by",
        (
            "the manual testing of 2.4.0 on sandbox was signed off only by anton, its author; a "
            "sign-off by someone else is needed"
        ),
    ) == (blocker.reason, blocker.message)


def test_old_versions_still_decide_which_sign_offs_count(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """On stage only sign-offs naming old versions count: one such and one without is too few."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    guard = guards.SignedOff(environment="stage", require_old_app_versions=True, min_people=2)
    release = release.with_evidence(
        rk.SignOff(by="maria", at=moment, environment="stage", old_app_versions=("2.3",)),
        rk.SignOff(by="ivan", at=moment, environment="stage"),
    )

    verdict = check(guard, policy, release, moment)

    assert ["too-few-people"] == [blocker.reason for blocker in verdict.blockers]


# -- building the guards -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [guards.SignedOff, guards.ChangesReviewed])
@pytest.mark.parametrize("keyword", ["owner", "Author", "anton", ""])
def test_unknown_keywords_are_refused_when_the_guard_is_built(kind: type, keyword: str) -> None:
    """not_by takes keywords, not names: anything else is refused, listing what is accepted."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        kind(environment="stage", not_by=[keyword])

    assert ("not_by", True) == (
        raised.value.field,
        "one of: 'author' (the person who started the release)" in str(raised.value),
    )


@pytest.mark.parametrize("count", [0, -1, True, 1.5, "2"])
def test_min_people_is_a_whole_number_of_at_least_one(count: object) -> None:
    """Zero people, a boolean, a fraction or text is refused."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        guards.ChangesReviewed(min_people=count)  # type: ignore[arg-type]  # the point of the test

    assert "min_people" == raised.value.field


def test_the_guards_describe_the_requirement() -> None:
    """Diagrams and plans say how many people and who may not."""
    assert (
        "changes reviewed once more, not by its author",
        "signed off on stage with old app versions by 2 people",
    ) == (
        guards.ChangesReviewed(not_by=["author"]).describe(),
        guards.SignedOff(
            environment="stage", require_old_app_versions=True, min_people=2
        ).describe(),
    )


# -- the reference policy ---------------------------------------------------------------------


def test_the_reference_policy_wants_the_final_review_by_someone_else(engine: rk.Engine) -> None:
    """anton reviewing his own 2.4.0 does not open production; ivan's review does."""
    release, moment = walk_to(engine, start(engine), "stage", now=THURSDAY)
    release = engine.add_evidence(
        release,
        rk.MigrationRun(
            environment="stage",
            version="2.4.0",
            migrations=release.artifact.migrations,
            succeeded=True,
            at=moment,
            by="ci",
        ),
        rk.SignOff(by="anton", at=moment, environment="stage", old_app_versions=("2.3",)),
        rk.ChangeReview(by="ANTON", at=moment, version="2.4.0"),
        now=moment,
    )
    saturday = pendulum.datetime(2026, 11, 28, 10, 0, tz="UTC")

    own = engine.explain(release, now=saturday)
    other = engine.explain(
        engine.add_evidence(
            release, rk.ChangeReview(by="ivan", at=moment, version="2.4.0"), now=moment
        ),
        now=saturday,
    )

    assert ([("changes-reviewed", "not-by")], True) == (
        [(blocker.code, blocker.reason) for blocker in own.blockers],
        other.allowed,
    )


def test_the_reference_policy_file_says_the_same() -> None:
    """The shipped file builds the very same guards, not_by included."""
    from_file = rk.loads_policy(rk.reference_policy_file())
    production = next(gate for gate in from_file.gates if gate.environment == "production")

    assert [AUTHOR_ONLY] == [
        guard.not_by for guard in production.guards if isinstance(guard, guards.ChangesReviewed)
    ]
    assert rk.reference_policy() == from_file


# -- policy files ----------------------------------------------------------------------------------

POLICY = """
[[environments]]
name = "dev"
owners = ["Lea"]

[[environments]]
name = "live"
data_adjustments = {{ operator = " Ops-Lead " }}
gate = [
  {{ type = "signed-off", environment = "dev", min_people = 2 }},
  {{ type = "changes-reviewed", {review} }},
]

[[flows]]
kind = "normal"
path = ["dev", "live"]
"""


def test_min_people_and_not_by_round_trip_through_a_policy_file() -> None:
    """The file's keys build the guards a script would build."""
    policy = rk.loads_policy(POLICY.format(review='not_by = ["author"], min_people = 3'))

    assert (
        guards.SignedOff(environment="dev", min_people=2),
        guards.ChangesReviewed(not_by=AUTHOR_ONLY, min_people=3),
    ) == policy.gates[0].guards


def test_people_in_a_policy_file_are_identities() -> None:
    """owners = ['Lea'] lets lea act; the operator ' Ops-Lead ' is ops-lead."""
    policy = rk.loads_policy(POLICY.format(review="min_people = 1"))

    live = policy.environment("live").data_adjustments
    assert ("ops-lead", True, True) == (
        live.operator if live is not None else None,
        policy.environment("dev").may_act("lea"),
        policy.environment("dev").may_act("LEA"),
    )


@pytest.mark.parametrize(
    ("review", "problem"),
    [
        (
            'not_by = ["owner"]',
            "environments[1].gate[1].not_by: not_by 'owner' is not a keyword releasekit knows",
        ),
        (
            "min_people = 0",
            (
                "environments[1].gate[1].min_people: min_people must be a whole number of "
                "people, at least 1, got 0"
            ),
        ),
    ],
)
def test_a_policy_file_s_mistakes_in_them_are_reported_with_their_path(
    review: str, problem: str
) -> None:
    """An unknown keyword or zero people is a PolicyFileError naming the guard's key."""
    with pytest.raises(rk.exceptions.PolicyFileError) as raised:
        rk.loads_policy(POLICY.format(review=review))

    assert [True] == [item.startswith(problem) for item in raised.value.problems]


def test_an_owner_a_policy_file_names_with_an_invisible_character_is_refused() -> None:
    """owners = ['lea\u200b'] is refused with its path: nobody could type that owner."""
    with pytest.raises(rk.exceptions.PolicyFileError) as raised:
        rk.loads_policy(POLICY.format(review="min_people = 1").replace('"Lea"', '"lea\\u200b"'))

    assert [True] == [
        item.startswith("environments[0].owners: owners 'lea\\u200b' holds U+200B")
        for item in raised.value.problems
    ]
