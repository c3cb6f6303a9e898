"""The roster: people, their aliases and roles, and what a policy with one does with names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import releasekit as rk
from builders import THURSDAY, start
from fake_dt import write_fake_dt
from releasekit import executors, guards
from releasekit.testing import walk_to

if TYPE_CHECKING:
    from pathlib import Path

AUTHOR_ONLY = frozenset({"author"})


def team() -> rk.Roster:
    """anton develops; maria (mk) and ivan test; ci runs pipelines; olga adjusts data."""
    return rk.Roster(
        people=[
            rk.Person(
                name="anton", aliases=["toni", "anton.p@example.com"], roles=["developer", "team"]
            ),
            rk.Person(name="maria", aliases=["mk"], roles=["team"]),
            rk.Person(name="ivan", aliases=["ivan-b"], roles=["team"]),
            rk.Person(name="ci", aliases=["github-actions"], roles=["ci"]),
            rk.Person(name="olga", aliases=["data-operator"], roles=["operator"]),
        ]
    )


@pytest.fixture(name="policy")
def fixture_policy() -> rk.Policy:
    return rk.reference_policy(roster=team())


@pytest.fixture(name="engine")
def fixture_engine(policy: rk.Policy) -> rk.Engine:
    return rk.Engine(policy)


def two_environments(roster: rk.Roster | None = None, **dev: Any) -> rk.Policy:
    """A small policy whose first environment has the given facts."""
    return rk.Policy(
        environments=[rk.Environment(name="dev", **dev), rk.Environment(name="prod")],
        flows=[rk.Flow(kind="normal", path=["dev", "prod"])],
        roster=roster,
    )


def check(guard: guards.Guard, policy: rk.Policy, release: rk.Release) -> rk.Verdict:
    step = policy.step_from(release.kind, release.state)
    assert step is not None
    now = release.last_moved_at.add(minutes=30)
    return guard.check(
        guards.GuardContext(
            release=release, policy=policy, now=now, source=step.source, target=step.target
        )
    )


def with_reviews(release: rk.Release, *people: str) -> rk.Release:
    at = release.last_moved_at.add(minutes=5)
    return release.with_evidence(
        *(rk.ChangeReview(by=person, at=at, version=release.version) for person in people)
    )


def with_sign_offs(release: rk.Release, *people: str) -> rk.Release:
    at = release.last_moved_at.add(minutes=5)
    return release.with_evidence(
        *(rk.SignOff(by=person, at=at, environment="stage") for person in people)
    )


# -- people and rosters --------------------------------------------------------------------


def test_a_person_keeps_every_name_as_an_identity() -> None:
    """Name, aliases and roles are identities; an alias that is the name itself is dropped."""
    person = rk.Person(name=" Maria ", aliases=["MK", "mk", "maria"], roles=["Team", "team"])

    assert ("maria", ("mk",), frozenset({"team"})) == (person.name, person.aliases, person.roles)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "@maria"),
        ("aliases", ["@mk"]),
        ("roles", ["@team"]),
        ("name", "mar\u200bia"),
        ("aliases", ["mk\nivan"]),
        ("roles", [""]),
    ],
)
def test_a_person_refuses_a_role_mark_or_a_character_that_hides(field: str, value: object) -> None:
    """`@` marks a role where people are named, so no name, alias or role starts with it."""
    fields: dict[str, object] = {"name": "maria", field: value}

    with pytest.raises(rk.exceptions.InvalidInputError) as caught:
        rk.Person(**fields)  # type: ignore[arg-type]  # each field, each refused value

    assert field == caught.value.field


def test_a_roster_with_clashing_names_lists_every_clash() -> None:
    """An alias naming two people, or a person's name, and a person listed twice: each reported."""
    with pytest.raises(rk.exceptions.PolicyError) as caught:
        rk.Roster(
            people=[
                rk.Person(name="maria", aliases=["mk"]),
                rk.Person(name="ivan", aliases=["MK", "Maria"]),
                rk.Person(name="MARIA "),
            ]
        )

    one = "a name or alias must name one person"
    assert (
        (
            "'maria' names 3 entries of the roster (maria's name, an alias of ivan, "
            f"maria's name); {one}"
        ),
        f"'mk' names 2 entries of the roster (an alias of maria, an alias of ivan); {one}",
    ) == caught.value.problems


def test_the_same_person_twice_is_reported_as_listed_twice() -> None:
    """Two entries under one name (typed two ways) are one person listed twice."""
    with pytest.raises(rk.exceptions.PolicyError) as caught:
        rk.Roster(people=[rk.Person(name="Ivan"), rk.Person(name="ivan")])

    twice = "'ivan' is on the roster 2 times"
    assert (f"{twice}; give each person one entry, with their other names as aliases",) == (
        caught.value.problems
    )


def test_an_empty_roster_is_refused() -> None:
    """A roster of nobody would refuse everyone: leave the roster out instead."""
    with pytest.raises(rk.exceptions.PolicyError, match="the roster lists nobody"):
        rk.Roster(people=[])


@pytest.mark.parametrize("typed", ["mk", "MK", " mk ", "Maria", "maria"])
def test_every_name_of_a_person_resolves_to_their_name(typed: str) -> None:
    """An alias, however typed, is the person it belongs to."""
    assert "maria" == team().person(typed)


@given(
    index=st.integers(min_value=0, max_value=4),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "  ", "\u00a0"]),
)
def test_any_spelling_of_any_alias_is_its_person(index: int, *, upper: bool, pad: str) -> None:
    """Property: every alias of every person, in any case and padding, resolves to them."""
    roster = team()
    person = roster.people[index]
    for alias in person.aliases:
        typed = f"{pad}{alias.upper() if upper else alias}{pad}"
        assert person.name == roster.person(typed)


def test_an_unknown_name_is_refused_with_the_closest_names() -> None:
    """A typo is refused, suggesting who was meant; it is a NotPermittedError for tools."""
    with pytest.raises(rk.exceptions.UnknownPersonError) as caught:
        team().person("mraia", field="actor")

    error = caught.value
    assert isinstance(error, rk.exceptions.NotPermittedError)
    assert (
        "mraia",
        "actor",
        ("maria",),
        ("anton", "maria", "ivan", "ci", "olga"),
    ) == (error.actor, error.field, error.suggestions, error.allowed)
    assert str(error).startswith(
        "no one called 'mraia' is on the roster; did you mean maria? (actor: a person is named"
    )


def test_a_name_like_no_one_s_lists_the_roster() -> None:
    """With nothing close, the error lists who is on the roster instead."""
    with pytest.raises(rk.exceptions.UnknownPersonError) as caught:
        team().person("zed")

    assert () == caught.value.suggestions
    assert str(caught.value).startswith(
        "no one called 'zed' is on the roster (anton, maria, ivan, ci, olga); "
    )


@pytest.mark.parametrize(
    ("labels", "people"),
    [
        (["team"], ("anton", "maria", "ivan")),
        (["@team"], ("anton", "maria", "ivan")),
        (["mk"], ("maria",)),
        (["ci", "developer"], ("ci", "anton")),
        (["nobody"], ()),
        (["Team Leads", "\x1b[2J", "", "MK "], ("maria",)),
    ],
)
def test_labels_name_a_person_or_the_holders_of_a_role(
    labels: list[str], people: tuple[str, ...]
) -> None:
    """A label is a person by name or alias, else a role; @role is always the role."""
    assert people == team().who(labels)


def test_a_person_s_name_wins_over_a_role_of_the_same_name() -> None:
    """`ci` is the person ci; `@ci` is everyone who holds the role."""
    roster = rk.Roster(
        people=[
            rk.Person(name="ci", roles=["ci"]),
            rk.Person(name="buildkite", roles=["ci"]),
        ]
    )

    assert (("ci",), ("ci", "buildkite")) == (roster.who(["ci"]), roster.who(["@ci"]))


# -- a policy with a roster ----------------------------------------------------------------


def test_owners_and_the_operator_are_kept_as_the_people_they_name(policy: rk.Policy) -> None:
    """An owner named by a role and an operator named by an alias become those people."""
    built = two_environments(
        team(),
        owners=["@developer", "MK"],
        data_adjustments=rk.DataAdjustmentRule(operator="data-operator"),
    )

    dev = built.environment("dev")
    assert (frozenset({"anton", "maria"}), "olga") == (
        dev.owners,
        dev.data_adjustments.operator if dev.data_adjustments else None,
    )
    assert "olga" == policy.environment("production").data_adjustments.operator  # type: ignore[union-attr]  # the reference has one


def test_a_policy_naming_people_off_its_roster_lists_every_problem() -> None:
    """An unknown owner, an unheld owner role, an operator role two hold, an unheld label."""
    with pytest.raises(rk.exceptions.PolicyError) as caught:
        rk.Policy(
            environments=[
                rk.Environment(
                    name="dev",
                    owners=["marai", "@developers"],
                    data_adjustments=rk.DataAdjustmentRule(operator="@team"),
                ),
                rk.Environment(name="prod"),
            ],
            gates=[
                rk.Gate(
                    environment="prod",
                    guards=[guards.SignedOff(environment="dev", unblocked_by=["qa"])],
                )
            ],
            flows=[rk.Flow(kind="normal", path=["dev", "prod"])],
            roster=team(),
        )

    assert (
        (
            "environment 'dev' is owned by '@developers', a role no one on the roster holds (did "
            "you mean 'developer'?); give the role to someone under [people], or name the owners"
        ),
        (
            "environment 'dev' is owned by 'marai', who is not on the roster (did you mean "
            "'maria'?); list them under [people], or name someone who is"
        ),
        (
            "the data operator of 'dev' is '@team', a role 3 people on the roster hold (anton, "
            "maria, ivan); one person runs data adjustments: give the role to one person, or "
            "name them"
        ),
        (
            "guard 'signed-off' of the gate of 'prod' is unblocked by 'qa', but no one on the "
            "roster goes by that name or holds that role; give someone the role under [people], "
            "or name in unblocked_by who clears it"
        ),
    ) == caught.value.problems


def test_a_role_named_without_a_roster_is_refused() -> None:
    """Without a roster no one can say who holds @developer: the policy fails when built."""
    with pytest.raises(rk.exceptions.PolicyError) as caught:
        two_environments(owners=["@developer"])

    assert (
        (
            "environment 'dev' is owned by '@developer', a role, but the policy has no roster to "
            "say who holds it; list the team under [people], or name the owners"
        ),
    ) == caught.value.problems


def test_the_reference_policy_needs_the_roles_its_guards_name() -> None:
    """A roster without `team` cannot tell who signs off: refused when the policy is built."""
    roster = rk.Roster(
        people=[rk.Person(name="anton", roles=["developer"]), rk.Person(name="data-operator")]
    )

    with pytest.raises(rk.exceptions.PolicyError) as caught:
        rk.reference_policy(roster=roster)

    assert 6 == len(caught.value.problems)
    assert all("unblocked by 'team'" in problem for problem in caught.value.problems)


def test_without_a_roster_every_name_is_its_identity() -> None:
    """The reference policy names no roster: anyone may be named, as typed, and no one is listed."""
    policy = rk.reference_policy()

    assert (None, "zed", ()) == (policy.roster, policy.person(" ZED "), policy.who(["team"]))


# -- acting under a roster -----------------------------------------------------------------


def test_an_alias_starts_a_release_as_its_person(engine: rk.Engine) -> None:
    """anton, as his chat handle, may act in his own sandbox and is recorded as anton."""
    release = engine.start(release_id="r1", version="2.4.0", kind="normal", by="Toni", now=THURSDAY)

    assert "anton" == release.created_by


def test_evidence_by_an_alias_is_credited_to_its_person(engine: rk.Engine) -> None:
    """A test run recorded by the CI login counts as ci's."""
    release, moment = walk_to(engine, start(engine), "tests", now=THURSDAY)
    run = rk.TestRun(
        environment="tests", version="2.4.0", passed=True, at=moment, by="github-actions"
    )

    recorded = engine.add_evidence(release, run, now=moment)

    assert "ci" == recorded.evidence[-1].by


@pytest.mark.parametrize("spelling", ["zed", "mraia", "-maria", "maria k"])
def test_a_name_off_the_roster_is_refused_wherever_a_person_acts(
    engine: rk.Engine, spelling: str
) -> None:
    """Starting, promoting, recording: a stranger (or a typo) is refused, and nothing changes."""
    release = start(engine)
    moment = release.created_at

    with pytest.raises(rk.exceptions.UnknownPersonError):
        engine.start(release_id="r2", version="2.4.0", kind="normal", by=spelling, now=moment)
    with pytest.raises(rk.exceptions.UnknownPersonError):
        engine.promote(release, by=spelling, now=moment)
    with pytest.raises(rk.exceptions.UnknownPersonError):
        engine.add_evidence(release, rk.TestsWritten(by=spelling, at=moment), now=moment)
    with pytest.raises(rk.exceptions.UnknownPersonError):
        engine.explain(release, now=moment, actor=spelling)


def test_the_owner_s_alias_may_act_where_the_owner_may(engine: rk.Engine) -> None:
    """sandbox-anton is anton's: his alias passes the owner-only guard, maria's does not."""
    release = start(engine)
    moment = release.created_at

    mine = engine.explain(release, now=moment, actor="anton.p@example.com")
    hers = engine.explain(release, now=moment, actor="mk")

    assert ([], ["owner-only"]) == (
        [b.code for b in mine.blockers if b.code == "owner-only"],
        [b.code for b in hers.blockers if b.code == "owner-only"],
    )


# -- separation of duties counts persons -----------------------------------------------------


def test_two_aliases_of_one_person_count_once(engine: rk.Engine, policy: rk.Policy) -> None:
    """maria signing off as maria and as mk is one person, not the two min_people asks for."""
    release = with_sign_offs(
        walk_to(engine, start(engine), "stage", now=THURSDAY)[0], "maria", "MK"
    )
    guard = guards.SignedOff(environment="stage", min_people=2)

    blocker = check(guard, policy, release).blockers[0]

    assert ("too-few-people", ("anton", "ivan")) == (blocker.reason, blocker.people)
    assert blocker.message.startswith("1 of 2 people signed off the manual testing")


def test_two_people_count_twice(engine: rk.Engine, policy: rk.Policy) -> None:
    """maria (as mk) and ivan (as ivan-b) are two people: the guard passes."""
    release = with_sign_offs(
        walk_to(engine, start(engine), "stage", now=THURSDAY)[0], "mk", "ivan-b"
    )
    guard = guards.SignedOff(environment="stage", min_people=2)

    assert check(guard, policy, release).passed


@pytest.mark.parametrize("alias", ["toni", "TONI", "anton.p@example.com"])
def test_the_author_s_alias_is_the_author(engine: rk.Engine, policy: rk.Policy, alias: str) -> None:
    """anton started 2.4.0: a review under his alias is still not a second look."""
    release = with_reviews(walk_to(engine, start(engine), "stage", now=THURSDAY)[0], alias)
    guard = guards.ChangesReviewed(environment="stage", not_by=AUTHOR_ONLY)

    blocker = check(guard, policy, release).blockers[0]

    assert ("not-by", ("maria", "ivan")) == (blocker.reason, blocker.people)
    assert blocker.message.startswith(
        "the changes of 2.4.0 were reviewed only by anton, its author"
    )


def test_a_release_started_under_an_alias_bars_its_person(
    engine: rk.Engine, policy: rk.Policy
) -> None:
    """Started as toni, reviewed as anton: the author reviewed his own changes."""
    release = with_reviews(
        walk_to(engine, start(engine, by="toni"), "stage", now=THURSDAY)[0], "anton"
    )
    guard = guards.ChangesReviewed(environment="stage", not_by=AUTHOR_ONLY)

    assert "not-by" == check(guard, policy, release).blockers[0].reason


def test_a_stored_alias_of_the_author_is_the_author(policy: rk.Policy) -> None:
    """Evidence and a release stored under aliases (before the roster) still name one person."""
    at = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
    release = rk.Release(
        id="r1", version="2.4.0", kind="normal", state="stage", created_at=at, created_by="toni"
    )
    guard = guards.ChangesReviewed(not_by=AUTHOR_ONLY)
    context = guards.GuardContext(
        release=with_reviews(release, "anton.p@example.com"),
        policy=policy,
        now=at.add(hours=1),
        source="stage",
        target="production",
    )

    assert "not-by" == guard.check(context).blockers[0].reason


# -- blockers name people --------------------------------------------------------------------


def test_blockers_name_the_people_who_can_clear_them(engine: rk.Engine) -> None:
    """In sandbox: the team signs off and reviews logs; each blocker names maria, ivan and anton."""
    release, moment = walk_to(engine, start(engine), "sandbox", now=THURSDAY)

    explanation = engine.explain(release, now=moment)

    assert [
        ("signed-off", ("team",), ("anton", "maria", "ivan")),
        ("logs-reviewed", ("team",), ("anton", "maria", "ivan")),
    ] == [(b.code, b.unblocked_by, b.people) for b in explanation.blockers]


def test_the_final_review_is_asked_of_everyone_but_the_author(engine: rk.Engine) -> None:
    """Before production the review must be someone else's: the blocker names maria and ivan."""
    release = walk_to(engine, start(engine), "stage", now=THURSDAY)[0]

    explanation = engine.explain(release, now=release.last_moved_at)

    reviewed = next(b for b in explanation.blockers if b.code == "changes-reviewed")
    window = next(b for b in explanation.blockers if b.code == "production-window")
    assert (("maria", "ivan"), ()) == (reviewed.people, window.people)


def test_a_custom_guard_s_blockers_name_people_too(policy: rk.Policy) -> None:
    """context.blocker resolves any guard's unblocked_by against the roster."""

    def needs_ci(context: guards.GuardContext) -> rk.Verdict:
        blocker = context.blocker(
            guard, reason="missing", message="m", hint="h", unblocked_by=("@ci", "mk")
        )
        return rk.Verdict.blocked(blocker)

    guard = guards.FunctionGuard(code="needs-ci", check_with=needs_ci)
    at = pendulum.datetime(2026, 11, 26, 10, 0, tz="UTC")
    release = rk.Release(
        id="r1", version="2.4.0", kind="normal", state="stage", created_at=at, created_by="anton"
    )
    context = guards.GuardContext(
        release=release, policy=policy, now=at, source="stage", target="production"
    )

    assert ("ci", "maria") == guard.check(context).blockers[0].people


def test_without_a_roster_blockers_name_no_one() -> None:
    """The same step under the reference policy without a roster: no one is named, as before."""
    plain = rk.Engine(rk.reference_policy())
    release, moment = walk_to(plain, start(plain), "sandbox", now=THURSDAY)

    explanation = plain.explain(release, now=moment)

    assert [("signed-off", ("team",), ()), ("logs-reviewed", ("team",), ())] == [
        (b.code, b.unblocked_by, b.people) for b in explanation.blockers
    ]


# -- the desk --------------------------------------------------------------------------------


def test_a_stranger_is_refused_by_the_desk_and_nothing_is_written(policy: rk.Policy) -> None:
    """desk.start by someone off the roster writes no release and no event."""
    store = rk.stores.MemoryStore()
    desk = rk.Desk(policy, store=store, clock=rk.FixedClock(THURSDAY))

    with pytest.raises(rk.exceptions.UnknownPersonError):
        desk.start("2.4.0", by="antn")

    assert ([], []) == (desk.releases(), list(store.streams()))


def test_the_data_operator_may_act_under_an_alias(
    policy: rk.Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """olga runs adjustments; as `data-operator` she is still olga, and verifiers are people."""
    write_fake_dt(tmp_path)
    monkeypatch.setenv("FAKE_DT_ARGV", str(tmp_path / "argv.jsonl"))
    registry = executors.dry_run()
    dt = executors.DtExecutor(program=str(tmp_path / "dt"))
    registry.register("adjust-data", dt, environment="production")
    desk = rk.Desk(policy, executors=registry, clock=rk.FixedClock(THURSDAY))
    operation = desk.data.request_adjustment(
        "production", "fix-prices", ["day=2026-11-25"], by="anton", reason="bad prices"
    )
    desk.data.verify_adjustment(operation.id, by="mk")
    desk.data.verify_adjustment(operation.id, by="ivan-b")

    with pytest.raises(rk.exceptions.DataOperationRefusedError) as caught:
        desk.data.verify_adjustment(operation.id, by="Maria")
    done = desk.data.execute_adjustment(operation.id, by="data-operator")

    assert "already verified" in str(caught.value)
    assert (("maria", "ivan"), "olga") == (done.verifiers, done.executed_by)
