"""How `releasekit` shows values: JSON forms for bots, lines for people."""

from __future__ import annotations

import enum

import pendulum
import pytest

import releasekit as rk
from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_suggestions import suggested_commands

AT = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")


def test_plain_turns_values_into_json_values() -> None:
    """Instants become ISO text in UTC, enums their values, sets sorted lists."""

    class Colour(enum.Enum):
        RED = "red"

    value = {
        "at": pendulum.datetime(2026, 11, 27, 19, 0, tz="Europe/Berlin"),
        "colour": Colour.RED,
        "names": frozenset({"b", "a"}),
        "pair": (1, None),
    }

    assert {
        "at": "2026-11-27T18:00:00+00:00",
        "colour": "red",
        "names": ["a", "b"],
        "pair": [1, None],
    } == show.plain(value)


def test_a_blocker_line_says_who_and_when() -> None:
    """A time blocker names time as who unblocks it, and its earliest instant."""
    blocker = rk.Blocker(
        code="production-window",
        reason="closed",
        message="production is closed",
        hint="wait",
        earliest=pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC"),
    )

    assert (
        "[production-window] production is closed \N{EM DASH} wait (unblocked by: time; "
        "earliest: Sat 2026-11-28 09:00 UTC)"
    ) == show.blocker_line(blocker)


def test_a_blocker_line_lists_the_people_who_can_unblock_it() -> None:
    """An evidence blocker names its people and no time."""
    blocker = rk.Blocker(
        code="signed-off", reason="missing", message="m", hint="h", unblocked_by=("maria", "ivan")
    )

    assert "[signed-off] m \N{EM DASH} h (unblocked by: maria, ivan)" == show.blocker_line(blocker)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (rk.TestsWritten(by="anton", at=AT, covers=("chart",)), "tests-written covers chart"),
        (
            rk.TestRun(environment="tests", version="2.4.0", passed=False, at=AT, by="ci"),
            "test-run on tests: FAILED",
        ),
        (rk.SignOff(by="maria", at=AT, environment="sandbox"), "sign-off on sandbox"),
        (
            rk.SignOff(by="maria", at=AT, environment="stage", old_app_versions=("2.3.1",)),
            "sign-off on stage, with old app versions 2.3.1",
        ),
        (
            rk.LogReview(by="ivan", at=AT, environments=("tests", "stage"), verdict="problems"),
            "log-review of stage, tests: problems",
        ),
        (
            rk.MigrationRun(
                environment="stage",
                version="2.4.0",
                migrations=("m1",),
                succeeded=True,
                at=AT,
                by="ci",
            ),
            "migration-run on stage: succeeded (m1)",
        ),
        (rk.ChangeReview(by="ivan", at=AT, version="2.4.0"), "change-review of 2.4.0"),
        (
            rk.Attestation(name="security-review", by="sec", at=AT, environment="stage"),
            "attestation 'security-review' on stage",
        ),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else None,
)
def test_each_kind_of_evidence_has_a_summary_and_a_json_form(
    evidence: rk.Evidence, expected: str
) -> None:
    """The summary says the gist; the JSON form carries the kind and every field."""
    document = show.evidence_json(evidence)

    assert expected == show.evidence_summary(evidence)
    assert (expected.split(maxsplit=1)[0], "2026-11-27T18:00:00+00:00") == (
        document["type"],
        document["at"],
    )


def test_a_table_pads_every_column_to_its_widest_cell() -> None:
    """Columns line up; trailing spaces are trimmed."""
    assert "A     B\nlong  x\ny" == show.table(["A", "B"], [["long", "x"], ["y", ""]])


# -- what to run to clear a blocker ------------------------------------------------------


LOG_TEAM = """\
name = "log-team"

[[environments]]
name = "dev"

[[environments]]
name = "qa"

[[environments]]
name = "prod"
gate = [
  { type = "logs-reviewed", max_age = "4h", environments = ["prod", "qa"] },
  { type = "signed-off", environment = "qa" },
]

[[flows]]
kind = "normal"
path = ["dev", "qa", "prod"]
"""


def blocker(evidence: str | None, **fields: str) -> rk.Blocker:
    return rk.Blocker(
        code=fields.get("code", "x"),
        reason="missing",
        message="m",
        hint="h",
        source=fields.get("source", "qa"),
        target=fields.get("target", "prod"),
        evidence=evidence,
    )


def release(release_id: str = "r1") -> rk.Release:
    engine = rk.Engine(rk.loads_policy(LOG_TEAM))
    return engine.start(release_id=release_id, version="1.0", kind="normal", by="ann", now=AT)


def test_a_blocker_no_evidence_clears_suggests_nothing() -> None:
    """No evidence named, or a kind `record` does not know: no command."""
    policy = rk.loads_policy(LOG_TEAM)

    assert [(), ()] == [
        suggested_commands(blocker(kind), release(), policy) for kind in (None, "ticket")
    ]


def test_the_suggestion_names_the_environments_the_guard_reads() -> None:
    """A logs-reviewed guard naming qa and prod: `--environment qa prod`, in policy order."""
    found = blocker("log-review", code="logs-reviewed")

    assert (
        "releasekit review-logs r1 --verdict clean",
        "releasekit record r1 log-review --environment qa prod --verdict clean",
    ) == suggested_commands(found, release(), rk.loads_policy(LOG_TEAM))


def test_a_suggestion_quotes_what_the_shell_would_split() -> None:
    """A release id holding a character the shell reads is quoted once, as one argument."""
    found = blocker("sign-off", code="signed-off")

    assert ("releasekit record '1!2.0' sign-off --environment qa",) == suggested_commands(
        found, release("1!2.0"), rk.loads_policy(LOG_TEAM)
    )


def test_a_blocker_whose_guard_is_not_found_gets_the_plain_command() -> None:
    """Without the guard (another step), the command has placeholders the person fills in."""
    found = blocker("attestation", source="dev", target="nowhere")

    assert ("releasekit record r1 attestation --name NAME",) == suggested_commands(
        found, release(), rk.loads_policy(LOG_TEAM)
    )


def test_a_blocker_json_holds_its_evidence_and_commands() -> None:
    """`evidence` and `suggested_commands` come last; absent, they are null and empty."""
    document = show.blocker_json(blocker("change-review"), ["releasekit record r1 change-review"])

    assert ("change-review", ["releasekit record r1 change-review"], []) == (
        document["evidence"],
        document["suggested_commands"],
        show.blocker_json(blocker(None))["suggested_commands"],
    )
