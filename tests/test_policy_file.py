import textwrap
from pathlib import Path

import pytest

import releasekit as rk

SMALL = """
name = "small team"

[windows.release]
timezone = "Europe/Berlin"
days = ["Tue", "Thu"]
start = "10:00"
end = "16:00"

[[environments]]
name = "dev"

[[environments]]
name = "prod"
owners = ["lea"]
gate = [
  { type = "tests-passed", environment = "dev", command = "make test" },
  { type = "window", window = "release" },
]

[[flows]]
kind = "normal"
path = ["dev", "prod"]
"""


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.loads_policy(text, source="releasekit.toml")
    return caught.value.problems


def test_the_reference_policy_file_equals_the_reference_policy() -> None:
    """Building the shipped policy file gives exactly reference_policy()."""
    assert rk.reference_policy() == rk.loads_policy(rk.reference_policy_file())


def test_a_small_team_policy_builds() -> None:
    """A two-environment policy with a named Berlin window builds its steps and guards."""
    policy = rk.loads_policy(SMALL)

    (step,) = policy.steps("normal")
    assert ["owner-only", "tests-passed", "release-window"] == [g.code for g in step.guards]
    window = step.guards[2]
    assert isinstance(window, rk.guards.InsideWindow)
    assert ("Europe/Berlin", "release") == (window.window.timezone, window.window.name)


def test_load_policy_reads_a_file(tmp_path: Path) -> None:
    """A policy file on disk is read and built."""
    path = tmp_path / "releasekit.toml"
    path.write_text(SMALL, encoding="utf-8")

    assert "small team" == rk.load_policy(path).name


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    """Reading a file that does not exist names it."""
    with pytest.raises(rk.exceptions.PolicyFileError, match="cannot read the file") as caught:
        rk.load_policy(tmp_path / "nope.toml")

    assert str(tmp_path / "nope.toml") == caught.value.source


def test_a_time_that_is_not_a_time_of_day_names_its_path() -> None:
    """25:00 in a window is reported with the path to the value and the fix."""
    found = problems_of(SMALL.replace('start = "10:00"', 'start = "25:00"'))

    assert (
        (
            "windows.release.start: start '25:00' is not a time of day; "
            "use 24-hour HH:MM such as '09:00'"
        ),
    ) == found


def test_an_inline_window_reports_its_path_in_the_gate() -> None:
    """A window written inside a guard reports its path below the environment."""
    text = SMALL.replace(
        '{ type = "window", window = "release" }',
        '{ type = "window", window = { timezone = "UTC", spans = ['
        '{ days = ["Sat"], start = "09:00", end = "9pm" }] } }',
    )

    assert (
        (
            "environments[1].gate[1].window.spans[0].end: end '9pm' is not a time of day; "
            "use 24-hour HH:MM such as '12:00', or '24:00' for midnight at the end of the day"
        ),
    ) == problems_of(text)


def test_every_mistake_is_reported_at_once() -> None:
    """A misspelt key, an unknown guard type, a bad duration and a bad enum all appear."""
    text = textwrap.dedent(
        """
        [[environments]]
        name = "dev"
        owner = ["lea"]
        data_source = { provider = "IEX", feed = "staging" }

        [[environments]]
        name = "prod"
        gate = [
          { type = "tests-pased", environment = "dev" },
          { type = "logs-reviewed", max_age = "four hours" },
        ]

        [[flows]]
        kind = "urgent"
        path = ["dev", "prod"]
        """
    )

    found = problems_of(text)

    assert {
        "environments[0].owner: unknown key; did you mean 'owners'?",
        (
            "environments[0].data_source.feed: 'staging' is not allowed here; "
            "use one of 'sandbox', 'production'"
        ),
        (
            'environments[1].gate[0].type: unknown guard type "tests-pased"; did you mean '
            "'tests-passed'? write one of attestation, changes-reviewed, custom, logs-reviewed, "
            "migrations-succeeded, new-tests-written, no-forbidden-functions, signed-off, "
            "tests-passed, window"
        ),
        'environments[1].gate[1].max_age: "four hours" is not a duration',
        "flows[0].kind: 'urgent' is not allowed here; use one of 'normal', 'hotfix'",
    } == {problem.split("; write it in quotes like")[0] for problem in found}


def test_a_reference_to_a_missing_window_names_the_defined_ones() -> None:
    """window = "prod" without [windows.prod] says which windows exist."""
    found = problems_of(SMALL.replace('window = "release"', 'window = "weekend"'))

    assert (
        (
            "environments[1].gate[1].window: there is no window 'weekend'; "
            "define [windows.weekend] (defined: release)"
        ),
    ) == found


def test_a_misspelt_time_zone_gets_a_suggestion() -> None:
    """A time zone typo is reported once, with the likely name."""
    (problem,) = problems_of(SMALL.replace("Europe/Berlin", "Europe/Berln"))

    assert problem.startswith("windows.release.timezone: timezone 'Europe/Berln'")
    assert "did you mean 'Europe/Berlin'?" in problem


def test_cross_field_problems_come_from_policy_validation() -> None:
    """A guard naming an undefined environment is reported like any policy problem."""
    found = problems_of(SMALL.replace('environment = "dev"', 'environment = "qa"'))

    assert (
        "guard 'tests-passed' of the gate of 'prod' names environment 'qa', which is not defined",
    ) == found


def test_unknown_top_level_keys_are_reported() -> None:
    """A misplaced table at the top is named."""
    (problem,) = problems_of(SMALL + '\n[gates]\nprod = "x"\n')

    assert problem.startswith("gates: unknown top-level key")


def test_invalid_toml_is_reported_with_its_position() -> None:
    """A syntax error says it is not valid TOML."""
    (problem,) = problems_of("name = [")

    assert problem.startswith("not valid TOML:")


def test_a_file_without_environments_or_flows_says_what_to_add() -> None:
    """An empty file asks for environments and flows."""
    assert [
        "environments: list the environments in promotion order ([[environments]])",
        "flows: define at least the normal flow ([[flows]] kind = 'normal')",
    ] == list(problems_of(""))


def test_durations_accept_several_spellings() -> None:
    """'90m', '1h30m', 5400 seconds all mean the same age."""
    ages = set()
    for spelling in ('"90m"', '"1h30m"', "5400"):
        policy = rk.loads_policy(
            SMALL.replace(
                '{ type = "window", window = "release" }',
                f'{{ type = "logs-reviewed", max_age = {spelling} }}',
            )
        )
        (step,) = policy.steps("normal")
        ages.add(step.guards[-1].describe())

    assert {"logs of all environments reviewed within 1.5 h"} == ages


def test_policy_file_errors_are_policy_errors() -> None:
    """Code catching PolicyError also catches mistakes in files."""
    assert issubclass(rk.exceptions.PolicyFileError, rk.exceptions.PolicyError)


def test_no_guard_type_drops_a_gate() -> None:
    """A guard of an internal type such as "_skip" is refused, not a way to empty the gate."""
    text = SMALL.replace(
        '{ type = "window", window = "release" }',
        '{ type = "window", window = "release" },\n  { type = "_skip" }',
    )

    (problem,) = problems_of(text)

    assert problem.startswith('environments[1].gate[2].type: unknown guard type "_skip"; write one')
