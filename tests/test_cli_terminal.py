"""What `releasekit` prints cannot be forged: stored text with control characters stays text.

The stores here hold notes and reasons carrying a newline, colour and screen-clearing
escape sequences, a carriage return and a bidi override, written through the store layer
(see ``hostile.py``) as free text legitimately may be; and, in one, a version holding the
same, the way an older version, another tool or a hand would have stored what releasekit
refuses where it enters.
"""

from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING

import pendulum
import pytest

import hostile
import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from fake_dt import write_fake_dt
from releasekit import executors
from releasekit._interfaces import _cli_text

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

NOW = "2026-11-27T10:00Z"
#: How the forged note reads once escaped.
SHOWN_NOTE = "looks fine\\n\\x1b[31mRED\\x1b[0m\\r\\x08overwritten \\u202eesrever\\u2028next"
SHOWN_VERSION = (
    "6.6.6\\nforged   6.6.6    normal  production     -\\x1b[2J\\x1b]0;owned\\x07\\r\\u202e"
)
#: A person's name holding a newline, a bold escape and a bidi override, and how it reads.
ACTOR = "mallory\n\x1b[1m\u202e"
SHOWN_ACTOR = "mallory\\n\\x1b[1m\\u202e"


def raw_controls(text: str) -> list[str]:
    """The characters a terminal would act on, beyond newlines that lay the text out."""
    return [
        character
        for character in text
        if character != "\n" and unicodedata.category(character) in {"Cc", "Cf", "Cs", "Zl", "Zp"}
    ]


def forged_store(db: Path) -> Path:
    """A store holding an honest release and the forged ones (see ``hostile.forge``)."""
    with rk.stores.SqliteStore(db) as store:
        desk = rk.Desk(
            rk.reference_policy(),
            store=store,
            executors=executors.dry_run(),
            clock=rk.FixedClock(pendulum.datetime(2026, 11, 27, 9, tz="UTC")),
        )
        desk.start("2.4.0", by="anton")
        hostile.forge(store)
    return db


@pytest.fixture(name="forged")
def fixture_forged(db: Path) -> Path:
    """The store, its notes and reasons holding control characters."""
    return forged_store(db)


def shown(cli: Callable[..., Ran], *argv: str) -> Ran:
    """Run a command at NOW and check it printed no control character at all."""
    ran = cli("--now", NOW, *argv)
    assert ([], []) == (raw_controls(ran.out), raw_controls(ran.err)), ran
    return ran


def test_history_shows_one_row_per_event(cli: Callable[..., Ran], forged: Path) -> None:
    """A reason holding a newline and escape sequences stays in its cell: two events, two rows."""
    del forged
    lines = ok(shown(cli, "history", hostile.ABANDONED_ID)).out.splitlines()

    assert 3 == len(lines)
    assert lines[2].endswith(f"  {SHOWN_NOTE}")


def test_a_data_operation_shows_its_reason_and_notes_escaped(
    cli: Callable[..., Ran], forged: Path
) -> None:
    """`data show`: the reason and the verifier's note visible, one row per event."""
    del forged
    out = ok(shown(cli, "data", "show", hostile.ADJUSTMENT_ID)).out

    lines = out.splitlines()
    assert f"  requested:   Fri 2026-11-27 09:00 UTC by anton: {SHOWN_NOTE}" in lines
    assert f"  verified:    Fri 2026-11-27 09:00 UTC by olga: {SHOWN_NOTE}" in lines
    assert 3 == len(out.split("\n\n")[1].splitlines())  # the header, and two events


@pytest.mark.parametrize(
    "argv",
    [
        ("status",),
        ("status", hostile.RELEASE_ID),
        ("explain", hostile.RELEASE_ID),
        ("plan", hostile.RELEASE_ID),
        ("verify",),
        ("deployments", "--environment", "tests"),
        ("data", "list"),
        ("diagram", hostile.RELEASE_ID),
    ],
)
def test_every_command_prints_no_control_character(
    argv: tuple[str, ...], cli: Callable[..., Ran], forged: Path
) -> None:
    """status, explain, plan, verify, deployments, data list, diagram: only visible text."""
    del forged
    ran = shown(cli, *argv)

    assert ran.code in {0, 1}, ran


def test_json_keeps_the_values_exact_and_the_terminal_safe(
    cli: Callable[..., Ran], forged: Path
) -> None:
    """--json: the forged note reads back exactly, and no control character is written raw."""
    del forged
    ran = ok(shown(cli, "--json", "status", hostile.RELEASE_ID))

    assert hostile.NOTE == json.loads(ran.out)["release"]["evidence"][0]["note"]
    assert "\\u001b[31mRED" in ran.out


def test_a_stored_version_holding_control_characters_never_reaches_the_terminal(
    cli: Callable[..., Ran], db: Path
) -> None:
    """A version holding a fake row, written by hand: refused as the store is read, escaped."""
    forged_store(db)
    hostile.forge_version(db)

    ran = shown(cli, "status", hostile.RELEASE_ID)

    assert 1 == len(ran.err.splitlines())
    assert ran.code != 0
    assert "forged" in ran.err


@pytest.mark.parametrize(
    "argv", [("--actor", ACTOR, "status"), ("--json", "--actor", ACTOR, "status")]
)
def test_a_name_holding_control_characters_is_refused_in_one_visible_line(
    argv: tuple[str, ...], cli: Callable[..., Ran]
) -> None:
    """`--actor` holding a newline and escapes: exit 2, one line on stderr, nothing raw."""
    ran = shown(cli, *argv)

    assert (2, 1) == (ran.code, len(ran.err.splitlines()))
    assert SHOWN_ACTOR in ran.err


def test_an_error_names_what_was_typed_escaped(cli: Callable[..., Ran]) -> None:
    """An unknown release given as an escape sequence: the sentence shows it, it does not act."""
    ran = shown(cli, "history", "\x1b[2J\u202e")

    assert (
        "releasekit: there is no release '\\x1b[2J\\u202e'; list the known releases or "
        "start a new one\n" == ran.err
    )


def test_a_policy_file_problem_is_shown_escaped(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """A policy file whose key holds an escape sequence: every problem on its line, escaped."""
    policy = tmp_path / "releasekit.toml"
    policy.write_text('"\\u001b[2J" = 1\n', encoding="utf-8")

    ran = shown(cli, "--policy", str(policy), "windows")

    assert (2, True) == (ran.code, "\\u001b[2J" in ran.err or "\\x1b[2J" in ran.err)


def test_policy_show_prints_a_file_with_its_tabs_and_its_escapes_visible(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """A stranger's policy file: indentation by tabs kept, an escape sequence made visible."""
    policy = tmp_path / "releasekit.toml"
    policy.write_bytes(b'# \x1b]0;owned\x07 hello\r\nname = "x"\n\tkey = 1\n')

    out = ok(cli("--policy", str(policy), "policy", "show")).out

    assert '# \\x1b]0;owned\\x07 hello\nname = "x"\n\tkey = 1\n' == out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.4.0", "2.4.0"),
        ("Zoë Øresund 東京", "Zoë Øresund 東京"),
        ("a\nb", "a\\nb"),
        ("\x1b[31m", "\\x1b[31m"),
        ("\r\b\t\x00\x7f\x85", "\\r\\x08\\t\\x00\\x7f\\x85"),
        ("\u202e\u200b\ufeff\u2028", "\\u202e\\u200b\\ufeff\\u2028"),
        ("\udcff", "\\udcff"),
        ("\U000e0001", "\\U000e0001"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_escape_makes_every_control_and_format_character_visible(text: str, expected: str) -> None:
    """Printable text, other scripts included, is kept; controls and formats become escapes."""
    assert expected == _cli_text.escape(text)


def test_json_text_escapes_what_json_leaves_raw() -> None:
    """DEL, C1, bidi and lone surrogates become escapes; the values read back the same."""
    value = {"v": "Zoë\x7f\x85\u202e\udcff\U000e0001\n"}

    text = _cli_text.json_text(value)

    assert ([], value) == (raw_controls(text), json.loads(text))
    assert "Zoë" in text


def test_what_dt_prints_is_streamed_with_its_escapes_visible(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dt's output, colours and screen clearing included, reaches standard error as text."""
    program = write_fake_dt(tmp_path)
    monkeypatch.setenv("FAKE_DT_STDERR", "\x1b[2J\x1b[31mERROR\x1b[0m quote\r\u202etimeout")

    ran = shown(cli, "--executors", "dt", "--dt", str(program), "logs")

    assert (0, True) == (
        ran.code,
        "  | \\x1b[2J\\x1b[31mERROR\\x1b[0m quote\\r\\u202etimeout" in ran.err.splitlines(),
    )
