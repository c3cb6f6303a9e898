"""`releasekit demo`: a normal and a hotfix release, end to end, the same on every run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from releasekit._interfaces.cli import ENVIRONMENT, ExitCode, main

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(name="clean")
def fixture_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and no RELEASEKIT_* variables."""
    monkeypatch.chdir(tmp_path)
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


@pytest.fixture(name="story", scope="module")
def fixture_story() -> str:
    """What `python -m releasekit demo` prints, run once in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-m", "releasekit", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "" == result.stderr
    return result.stdout


def test_the_demo_refuses_production_on_friday_evening_and_says_when(story: str) -> None:
    """Friday 18:00 on stage: refused, with the window's next opening, Saturday 09:00."""
    assert (
        "Fri 2026-11-27 18:00 UTC  anton  promote 2.4.0: REFUSED, stage -> production (4 reasons)"
        in story
    )
    assert (
        "    [production-window] production is closed at Fri 2026-11-27 18:00 UTC; its window, "
        "Sat, Sun 09:00\N{EN DASH}12:00 (UTC), next opens Sat 2026-11-28 09:00 UTC"
    ) in story
    assert "(unblocked by: time; earliest: Sat 2026-11-28 09:00 UTC)" in story


def test_the_demo_shows_who_may_act_and_what_is_missing(story: str) -> None:
    """Maria may not promote from Anton's sandbox, and the new chart has no tests yet."""
    assert "maria  promote 2.4.0: REFUSED, sandbox-anton -> tests (2 reasons)" in story
    assert "    [owner-only] maria may not act in sandbox-anton: only anton may" in story
    assert "    [new-tests-written] new functionality of 2.4.0 has no new automatic tests" in story


def test_the_demo_names_who_can_clear_each_blocker(story: str) -> None:
    """The demo has a roster: the team's blockers name its people, the last review not anton."""
    assert "  people:    anton (developer), maria and ivan (team)" in story
    assert (
        "run the migrations on stage and record the MigrationRun (unblocked by: team; ask anton, "
        "maria or ivan)"
    ) in story
    assert (
        "by someone other than anton (its author) (unblocked by: team; ask maria or ivan)" in story
    )


def test_the_demo_releases_on_saturday_morning(story: str) -> None:
    """The normal release reaches production when the window opens, by the plan."""
    assert "anton  plan 2.4.0: production at the earliest Sat 2026-11-28 09:00 UTC" in story
    assert (
        "Sat 2026-11-28 09:00 UTC  anton  promote 2.4.0: stage -> production; "
        "dry run: would deploy 2.4.0 to production"
    ) in story


def test_the_demo_hotfix_skips_no_step_but_the_window(story: str) -> None:
    """The hotfix is refused without evidence, then goes out on Saturday afternoon."""
    assert "promote 2.4.1: REFUSED, sandbox -> stage (2 reasons): a hotfix skips no step" in story
    assert "explain 2.4.1: allowed now; lifted for this kind: production-window" in story
    assert "Sat 2026-11-28 14:30 UTC  anton  promote 2.4.1: stage -> production, outside" in story


def test_the_demo_verifies_both_histories(story: str) -> None:
    """Each history is verified intact at the end of its walk."""
    assert 2 == story.count("history intact")


def test_the_demo_ends_with_the_next_production_windows(story: str) -> None:
    """The next three production openings close the story."""
    assert (
        "== The next production windows ==\n"
        "  Sun 2026-11-29 09:00 UTC until Sun 2026-11-29 12:00 UTC\n"
        "  Sat 2026-12-05 09:00 UTC until Sat 2026-12-05 12:00 UTC\n"
        "  Sun 2026-12-06 09:00 UTC until Sun 2026-12-06 12:00 UTC\n"
    ) in story


#: A history's head, as the demo shows it after verifying.
HEAD = re.compile(r"head [0-9a-f]{12}\b")


def test_the_demo_is_the_same_on_every_run(
    story: str, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, in another directory, later: the same text, but for the histories' heads.

    A history records each test run's lease token and the process running
    each step, new on every run, so its digests are too.
    """
    code = main(["demo"])

    again = capsys.readouterr().out
    assert (ExitCode.OK, HEAD.sub("head …", story)) == (code, HEAD.sub("head …", again))
    assert 2 == len(HEAD.findall(again))
    assert [] == list(clean.iterdir())


def test_the_demo_keeps_its_store_with_db(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --db the store stays for a look around: both releases are in production."""
    db = clean / "demo.db"

    code = main(["demo", "--db", str(db)])
    out = capsys.readouterr().out
    main(["--db", str(db), "--json", "status", "--all"])

    releases = json.loads(capsys.readouterr().out)["releases"]
    assert ExitCode.OK == code
    assert f"  store:     {db}\n" in out
    assert [("2.4.0", "production"), ("2.4.1", "production")] == [
        (release["id"], release["state"]) for release in releases
    ]


def test_the_demo_wants_a_store_of_its_own(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --db that already holds releases is refused (exit 2), not mixed into the story."""
    db = clean / "demo.db"
    main(["demo", "--db", str(db)])
    capsys.readouterr()

    code = main(["demo", "--db", str(db)])

    assert ExitCode.ERROR == code
    assert "already holds releases; the demo needs a store of its own" in capsys.readouterr().err


@pytest.mark.parametrize(
    "option",
    [
        ["--policy", "x.toml"],
        ["--now", "2026-11-27T18:00Z"],
        ["--executors", "dt"],
        ["--actor", "x"],
    ],
    ids=lambda option: option[0],
)
@pytest.mark.usefixtures("clean")
def test_the_demo_takes_no_option_that_would_change_its_story(
    option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Options the demo does not use are refused with exit 2 rather than ignored."""
    code = main([*option, "demo"])

    assert ExitCode.ERROR == code
    assert f"drop {option[0]}" in capsys.readouterr().err


@pytest.mark.usefixtures("clean")
def test_the_demo_json_lists_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --json`: steps with outcomes and blockers, both releases, the next windows."""
    code = main(["--json", "demo"])

    document = json.loads(capsys.readouterr().out)
    friday = next(
        step
        for step in document["steps"]
        if step["outcome"] == "refused" and step["at"] == "2026-11-27T18:00:00+00:00"
    )
    assert ExitCode.OK == code
    assert (None, "2026-11-27T11:00:00+00:00") == (document["store"], document["started_at"])
    assert ("anton", "promote", "2.4.0") == (
        friday["actor"],
        friday["command"],
        friday["release_id"],
    )
    assert "2026-11-28T09:00:00+00:00" == friday["blockers"][-1]["earliest"]
    assert ["production", "production"] == [release["state"] for release in document["releases"]]
    assert {"start": "2026-11-29T09:00:00+00:00", "end": "2026-11-29T12:00:00+00:00"} == (
        document["production_windows"][0]
    )
