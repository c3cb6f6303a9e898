"""`[people]` in a policy file: the roster, read strictly, every clash reported when loaded."""

from __future__ import annotations

import pytest

import releasekit as rk

#: The reference policy's people, as a team lists them after the reference policy file.
PEOPLE = """
[people.anton]
aliases = ["toni"]
roles = ["developer", "team"]

[people.Maria]
aliases = ["mk", "maria.k@example.com"]
roles = ["team"]

[people.ivan]
roles = ["team"]

[people.ci]
aliases = ["github-actions"]
roles = ["ci"]

[people."data-operator"]
roles = ["operator"]
"""


def problems_of(text: str) -> tuple[str, ...]:
    """Every problem loads_policy reports for *text*."""
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.loads_policy(text, source="releasekit.toml")
    return caught.value.problems


def test_a_policy_file_lists_its_people() -> None:
    """Each [people.NAME] table is a person, with their aliases and roles, in the file's order."""
    policy = rk.loads_policy(rk.reference_policy_file() + PEOPLE)

    assert policy.roster is not None
    assert [
        ("anton", ("toni",), frozenset({"developer", "team"})),
        ("maria", ("mk", "maria.k@example.com"), frozenset({"team"})),
        ("ivan", (), frozenset({"team"})),
        ("ci", ("github-actions",), frozenset({"ci"})),
        ("data-operator", (), frozenset({"operator"})),
    ] == [(person.name, person.aliases, person.roles) for person in policy.roster.people]


def test_the_file_and_the_api_build_the_same_policy() -> None:
    """The reference file with [people] is reference_policy(roster=...) with the same people."""
    roster = rk.Roster(
        people=[
            rk.Person(name="anton", aliases=["toni"], roles=["developer", "team"]),
            rk.Person(name="maria", aliases=["mk", "maria.k@example.com"], roles=["team"]),
            rk.Person(name="ivan", roles=["team"]),
            rk.Person(name="ci", aliases=["github-actions"], roles=["ci"]),
            rk.Person(name="data-operator", roles=["operator"]),
        ]
    )

    assert rk.reference_policy(roster=roster) == rk.loads_policy(
        rk.reference_policy_file() + PEOPLE
    )


def test_colliding_names_fail_at_load_with_every_clash_listed() -> None:
    """Two people sharing an alias, an alias that is someone's name, a person listed twice."""
    text = rk.reference_policy_file() + PEOPLE.replace(
        '[people.ivan]\nroles = ["team"]',
        '[people.ivan]\naliases = ["MK", "Toni"]\nroles = ["team"]\n\n[people.IVAN]',
    )

    assert (
        (
            "people: 'toni' names 2 entries of the roster (an alias of anton, an alias of ivan); "
            "a name or alias must name one person"
        ),
        (
            "people: 'mk' names 2 entries of the roster (an alias of maria, an alias of ivan); "
            "a name or alias must name one person"
        ),
        (
            "people: 'ivan' is on the roster 2 times; give each person one entry, with their "
            "other names as aliases"
        ),
    ) == problems_of(text)


def test_every_mistake_in_people_is_reported_with_its_path() -> None:
    """A bare string, a number among aliases, a misspelt key, a name key, a name that hides."""
    text = (
        rk.reference_policy_file()
        + PEOPLE
        + """
[people.olga]
aliases = ["o", 7]
role = ["operator"]

[people.lea]
name = "Lea"

[people.sam]
roles = "team"

[people."iv\\u200ban"]
"""
    )

    assert (
        'people.olga.aliases[1]: 7 is a whole number, not a string; write it in quotes, e.g. "7"',
        "people.olga.role: unknown key; did you mean 'roles'?",
        (
            "people.lea.name: unknown key; the person's name is the key of their table "
            "([people.lea]), other names are aliases"
        ),
        (
            'people.sam.roles: "team" is a string, not a list; write a list of strings in '
            'brackets, e.g. roles = ["team"]'
        ),
        (
            "people.\"iv\\u200ban\": name 'iv\\u200ban' holds U+200B ZERO WIDTH SPACE, an "
            "invisible formatting character, at position 2; type the name without it (a name "
            "holds no invisible or control character, so that two names that look the same are "
            "always one person)"
        ),
    ) == problems_of(text)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (
            'people = ["anton"]',
            (
                'people: ["anton"] is a list; list each person as a table under their name, '
                'e.g. [people.maria] roles = ["team"]'
            ),
        ),
        (
            'people = { anton = "developer" }',
            (
                'people.anton: "developer" is a string; a person is a table with aliases and '
                'roles, e.g. [people.anton] roles = ["team"]'
            ),
        ),
        (
            "people = {}",
            "people: the roster lists nobody; list everyone who acts (or leave the roster out)",
        ),
        (
            'people = { anton = { roles = ["@developer"] } }',
            (
                "people.anton.roles: roles '@developer' starts with '@', which marks a role "
                "where people are named; write the role without it"
            ),
        ),
    ],
)
def test_people_must_be_tables_of_people(written: str, problem: str) -> None:
    """[people] is a table of tables, with someone in it; `@` is not part of a role's name."""
    assert (problem,) == problems_of(f"{written}\n{rk.reference_policy_file()}")


def test_owners_and_labels_are_checked_against_the_roster_at_load() -> None:
    """A roster without anton, the operator or the team: each reference is reported."""
    text = rk.reference_policy_file() + '\n[people.maria]\nroles = ["developer"]\n'

    problems = problems_of(text)

    assert (
        "environment 'sandbox-anton' is owned by 'anton', who is not on the roster; list them "
        "under [people], or name someone who is"
    ) == problems[0]
    assert problems[1].startswith("the data operator of 'production' is 'data-operator', who is")
    assert problems[2].startswith("guard 'new-tests-written' of the gate of 'tests' is unblocked")
    assert 9 == len(problems)


def test_owners_may_name_a_role_and_the_operator_an_alias() -> None:
    """owners = ["@developer"], operator = "o": resolved to anton and olga when loaded."""
    text = rk.reference_policy_file().replace(
        'owners = ["anton"]', 'owners = ["@developer"]'
    ).replace('operator = "data-operator"', 'operator = "o"') + PEOPLE.replace(
        '[people."data-operator"]', '[people.olga]\naliases = ["o"]'
    )

    policy = rk.loads_policy(text)

    production = policy.environment("production").data_adjustments
    assert (frozenset({"anton"}), "olga") == (
        policy.environment("sandbox-anton").owners,
        production.operator if production else None,
    )


def test_a_file_without_people_is_read_as_before() -> None:
    """No [people]: no roster, the reference policy exactly, owners as written."""
    policy = rk.loads_policy(rk.reference_policy_file())

    assert (None, rk.reference_policy()) == (policy.roster, policy)


def test_checking_a_file_names_its_people() -> None:
    """check_policy_text reports the roster's people, without running anything."""
    checked = rk.check_policy_text(rk.reference_policy_file() + PEOPLE)

    assert ("anton", "maria", "ivan", "ci", "data-operator") == checked.people
