"""Fuzzing the `releasekit` command: a documented answer to any command line, nothing changed.

Hypothesis writes command lines from the command's own parser — every command, its real
options, values a careless or hostile user would type (huge and negative numbers, instants
in year 1 and 9999, offsets of almost a day, empty and very long text, NUL and other
control characters, bytes that are not UTF-8, files of every wrong kind), in any order and
with values missing — and runs each in-process against a store seeded with a few releases,
a forged one holding control characters, and data operations. For every command line:

- the exit code is a documented one, and never "a bug in releasekit" (70);
- nothing prints a traceback, and nothing printed holds a raw control character;
- with ``--json``, standard output is exactly one JSON document;
- after every error or refusal, every table of the store holds what it held before.

Every command runs with the dry-run executors: the executors option only ever gets
``dry-run`` or a value the parser refuses.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
import releasekit as rk
from releasekit import executors
from releasekit._interfaces.cli import ExitCode, build_parser, main
from releasekit._policy_files.policy_file import reference_policy_file
from releasekit.stores import HostProcess

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

#: The exit codes a command line may end with: done, refused, error, busy, executor failed.
DOCUMENTED = frozenset({0, 1, 2, 3, 4})
#: Commands that record why they answered "no" (a refused promotion is written to the
#: history, as a failed test run or a bad log check are): their replies may change the store.
RECORDING_REFUSALS = frozenset({"promote", "run-tests", "migrate", "check-production"})
#: Where the files of one example live; every value may name them.
HERE = "{dir}"
#: Characters a terminal acts on rather than shows.
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
ALL = ("sandbox-anton", "tests", "sandbox", "stage", "production")


# -- the command's own parser ------------------------------------------------------------


@attrs.frozen
class Option:
    """One argument of a command, as its parser declares it."""

    flags: tuple[str, ...]
    dest: str
    nargs: Any  # argparse's: None, 0, "?", "*", "+", or a number
    choices: tuple[str, ...] | None
    required: bool

    @classmethod
    def of(cls, action: argparse.Action) -> Option:
        """Read an argparse action."""
        choices = tuple(action.choices) if action.choices is not None else None
        nargs = 0 if isinstance(action, _FLAGS) else action.nargs
        return cls(tuple(action.option_strings), action.dest, nargs, choices, action.required)


_FLAGS = (
    argparse._StoreTrueAction,  # argparse names its actions privately
    argparse._StoreFalseAction,
    argparse._StoreConstAction,
)
#: Options the fuzz never gives: help and the version print and exit 0, and --debug
#: shows tracebacks on purpose.
_SKIPPED = frozenset({"help", "version", "debug"})


@attrs.frozen
class Command:
    """A command the parser knows, e.g. ``record RELEASE test-run``: its words and options.

    ``words`` holds the command's names and, between them, the positionals of the
    commands that hold it (``record`` takes RELEASE before the kind of evidence).
    """

    words: tuple[str | Option, ...]
    positionals: tuple[Option, ...]
    options: tuple[Option, ...]
    #: Options of which exactly one must be given, such as ``--passed`` and ``--failed``.
    one_of: tuple[tuple[Option, ...], ...]

    @property
    def name(self) -> str:
        """The command's name, e.g. ``record test-run``."""
        return " ".join(word for word in self.words if isinstance(word, str))


def _arguments(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    yield from parser._actions  # the parser's declared arguments


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str | Option, ...] = ()
) -> Iterator[Command]:
    groups = [a for a in _arguments(parser) if isinstance(a, argparse._SubParsersAction)]
    positionals = tuple(
        Option.of(action)
        for action in _arguments(parser)
        if not action.option_strings and action not in groups
    )
    if groups:
        for name, inner in groups[0].choices.items():
            yield from _commands(inner, (*words, *positionals, name))
        return
    options = tuple(
        Option.of(action)
        for action in _arguments(parser)
        if action.option_strings and action.dest not in _SKIPPED
    )
    one_of = tuple(
        tuple(Option.of(action) for action in group._group_actions)  # argparse's
        for group in parser._mutually_exclusive_groups
        if group.required
    )
    yield Command(words, positionals, options, one_of)


PARSER = build_parser()
#: `board` serves until it is stopped: its options are tested in test_board_command.py.
COMMANDS = tuple(command for command in _commands(PARSER) if command.name != "board")
GLOBAL = tuple(
    Option.of(action)
    for action in _arguments(PARSER)
    if action.option_strings and action.dest not in _SKIPPED
)


# -- values ----------------------------------------------------------------------------------

#: What a careless or hostile user types where a value goes.
HOSTILE = (
    "",
    " ",
    "-",
    "-1",
    "-5",
    "0",
    "1",
    "99999999999999999999999999",
    "1e3",
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "x" * 5000,
    "\x00",
    "a\x00b",
    "\x1b[2J",
    "\x1b]0;owned\x07",
    "\r",
    "\b",
    "\t",
    "\n",
    "two\nlines",
    "\u202e",
    "\u2028",
    "\x85",
    "\x7f",
    os.fsdecode(b"\xff\xfe"),
    "\udcff",
    "../../etc/passwd",
    "'",
    '"',
    "$(id)",
    "%s%n",
    "{}",
    "IVAN",
    " ivan ",
    "--x",
    "-x",
    "=",
    "production",
    "2.4.0",
)
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00")
    | st.sampled_from(["\x00", "\x1b", "\r", "\n", "\u202e", "\udcff", "\x85", "-"]),
    max_size=12,
)
TEXT = st.sampled_from(HOSTILE) | _TEXT | st.sampled_from(["quote", "chart", "a note"])


def _one_of(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


#: Instants releasekit reads, within its years (1970 to 2200), in several offsets.
INSTANTS = _one_of(
    "2026-11-27T18:00Z",
    "2026-11-28T09:30Z",
    "2026-11-27T19:00+01:00",
    "2026-11-27T18:00+23:59",
    "2026-11-27T18:00-23:59",
    "1970-01-01T00:00Z",
    "1970-01-01T00:00-00:01",
    "2200-12-31T23:59Z",
    "2200-12-31T23:59+00:01",
) | st.datetimes(
    min_value=pendulum.datetime(1970, 1, 1).naive(),
    max_value=pendulum.datetime(2200, 12, 31).naive(),
).map(lambda moment: f"{moment.isoformat()}Z")
#: What is no instant releasekit reads: outside its years, naive, or no date at all.
NO_INSTANTS = _one_of(
    "1969-12-31T23:59Z",
    "1970-01-01T00:00+00:01",
    "2201-01-01T00:00Z",
    "2200-12-31T23:59-00:01",
    "0001-01-01T00:00Z",
    "0001-01-01T00:00+01:00",
    "9999-12-31T23:00Z",
    "9999-12-31T23:59-01:00",
    "2026-11-27T18:00",
    "2026-11-27",
    "2026-13-01T00:00Z",
    "2026-11-27T24:00Z",
    "2026-11-27T18:00+24:00",
    "now",
)
COUNTS = _one_of("1", "3", "20", "+7", " 5")
NO_COUNTS = _one_of("1001", "0", "-1", "10000000", "1e3", "many", "\u0663")

RELEASES = _one_of("2.3.9", "2.4.0", "2.5.0", "2.6.0", hostile.RELEASE_ID)
OPERATIONS = _one_of("adjustment-1", "restore-1", hostile.ADJUSTMENT_ID)
PEOPLE = _one_of("anton", "maria", "ivan", "ci", "olga", "data-operator", "mallory")
ENVIRONMENTS = _one_of(*ALL)
DBS = _one_of(f"{HERE}/releasekit.db", "releasekit.db", f"{HERE}/new.db")
NO_DBS = _one_of(
    HERE,
    "x" * 5000,
    "",
    " ",
    f"{HERE}/a\x00b.db",
    "/dev/zero",
    "/dev/null",
    f"{HERE}/garbage.db",
    f"{HERE}/binary.bin",
    f"{HERE}/missing/releasekit.db",
    f"{HERE}/\udcff.db",
    "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=1",
    "postgresql://%%%/x",
)
POLICIES = _one_of(f"{HERE}/policy.toml")
NO_POLICIES = _one_of(
    HERE,
    "",
    f"{HERE}/a\x00b.toml",
    f"{HERE}/\udcff.toml",
    f"{HERE}/binary.bin",
    f"{HERE}/latin1.toml",
    f"{HERE}/deep.toml",
    f"{HERE}/empty.toml",
    f"{HERE}/report.json",
    f"{HERE}/missing.toml",
    "/dev/zero",
)
REPORTS = _one_of(f"{HERE}/report.json", "-")
NO_REPORTS = _one_of(
    f"{HERE}/not-a-report.json",
    f"{HERE}/list.json",
    f"{HERE}/deep.json",
    f"{HERE}/huge.json",
    f"{HERE}/binary.bin",
    f"{HERE}/latin1.toml",
    HERE,
    f"{HERE}/missing.json",
    "",
    "/dev/zero",
    f"{HERE}/a\x00b.json",
)
SAVES = _one_of(f"{HERE}/saved.json")
NO_SAVES = _one_of(
    HERE,
    f"{HERE}/missing/saved.json",
    "",
    f"{HERE}/a\x00b.json",
    f"{HERE}/\udcff.json",
    f"{HERE}/\ud800.json",
    "/dev/full",
)
FINGERPRINTS = _one_of("0" * 12, "abcdef", "f" * 64, "G" * 12)

#: Plausible values for each destination (anything else: plain words), and what else a
#: hostile command line gives it beside any text at all.
_BY_DEST: dict[str, tuple[st.SearchStrategy[str], st.SearchStrategy[str]]] = {
    "now": (INSTANTS, NO_INSTANTS),
    "at": (INSTANTS, NO_INSTANTS),
    "after": (INSTANTS, NO_INSTANTS),
    "since": (INSTANTS, NO_INSTANTS),
    "count": (COUNTS, NO_COUNTS),
    "entries": (COUNTS, NO_COUNTS),
    "db": (DBS, NO_DBS),
    "policy": (POLICIES, NO_POLICIES),
    "file": (POLICIES, NO_POLICIES),
    "report": (REPORTS, NO_REPORTS),
    "save": (SAVES, NO_SAVES),
    "actor": (PEOPLE, _one_of("nope", "ANTON", " anton ")),
    "by": (PEOPLE, _one_of("nope", "ANTON", " anton ")),
    "release": (RELEASES, _one_of("nope", "2.4.0-2")),
    "operation_id": (OPERATIONS, _one_of("adjustment-9", "data:production")),
    "environment": (ENVIRONMENTS, _one_of("nowhere", "PRODUCTION")),
    "environments": (ENVIRONMENTS, _one_of("nowhere", "PRODUCTION")),
    "source": (ENVIRONMENTS, _one_of("nowhere")),
    "target": (ENVIRONMENTS, _one_of("nowhere")),
    "fingerprint": (FINGERPRINTS, _one_of("")),
    "version": (_one_of("2.4.0", "2.5.0", "9.9.9"), _one_of("")),
    "key": (_one_of("log-check:production", "nothing"), _one_of("")),
}
_WORDS = _one_of("quote", "chart", "a note", "0042", "AAPL", "187.20")


def _never_help(token: str) -> bool:
    """Whether argparse would not read *token* as --help or --version (they print, exit 0)."""
    return not token.startswith(("-h", "--h", "--v"))


#: How hostile a command line is: 0 every value plausible and none missing, 1 now and then
#: one that is not, 2 half of them.
_HOSTILITY = st.sampled_from([0, 1, 1, 2])


@functools.cache
def values(option: Option, hostility: int) -> st.SearchStrategy[str]:
    """The values an option or positional gets: plausible ones, or anything at all."""
    plausible, wrong = _BY_DEST.get(option.dest, (_WORDS, TEXT))
    if option.dest == "executors":  # always a dry run: dry-run, or a value the parser refuses
        plausible = st.just("dry-run")
    elif option.choices is not None:
        plausible = st.sampled_from(option.choices)
    if hostility == 0:
        return plausible.filter(_never_help)
    anything = (wrong | TEXT).filter(lambda text: text not in {"dt", "plugins"})
    weight = 6 if hostility == 1 else 1
    return st.one_of(*[plausible] * weight, anything).filter(_never_help)


@st.composite
def given_values(draw: st.DrawFn, option: Option, hostility: int) -> list[str]:
    """The values one argument is given: as many as it takes, or sometimes too few."""
    match option.nargs:
        case 0:
            return []
        case None:
            count = 1 if hostility == 0 else draw(st.sampled_from([1, 1, 1, 1, 0]))
        case "?":
            count = draw(st.integers(0, 1))
        case "*":
            count = draw(st.integers(0, 3))
        case _:  # "+"
            count = draw(st.sampled_from([1, 1, 2, 3] if hostility == 0 else [1, 1, 2, 3, 0]))
    return [draw(values(option, hostility)) for _ in range(count)]


@attrs.frozen
class Line:
    """One command line and the environment it runs in."""

    command: Command = attrs.field(repr=False)
    argv: tuple[str, ...]
    environ: tuple[tuple[str, str], ...]

    @property
    def json(self) -> bool:
        """Whether it asks for JSON: ``--json`` before any ``--``."""
        options = self.argv[: self.argv.index("--")] if "--" in self.argv else self.argv
        return "--json" in options


#: What the environment may hold: a person, a dry run, and for hostile lines anything.
_PLAIN_ENVIRON = {
    "RELEASEKIT_ACTOR": PEOPLE,
    "RELEASEKIT_EXECUTORS": st.just("dry-run"),
    "RELEASEKIT_DEBUG": st.sampled_from(["", "0", "false", "no"]),
}
_HOSTILE_ENVIRON = {
    "RELEASEKIT_ACTOR": PEOPLE | TEXT,
    "RELEASEKIT_DB": DBS | NO_DBS | TEXT,
    "RELEASEKIT_POLICY": POLICIES | NO_POLICIES | TEXT,
    "RELEASEKIT_EXECUTORS": st.sampled_from(["dry-run", "", "garbage", "DT", "\udcff"]),
    "RELEASEKIT_DT": TEXT,
    "RELEASEKIT_DEBUG": st.sampled_from(["", "0", "false", "no"]),
}


def _environ(hostility: int) -> st.SearchStrategy[dict[str, str]]:
    """The environment variables: no NUL, which no environment can hold."""
    optional = _PLAIN_ENVIRON if hostility == 0 else _HOSTILE_ENVIRON
    return st.fixed_dictionaries({}, optional=optional).map(
        lambda variables: {name: value.replace("\x00", "") for name, value in variables.items()}
    )


@st.composite
def lines(draw: st.DrawFn, commands: Sequence[Command] = COMMANDS) -> Line:
    """A command line: the command's words, its positionals, options in any order."""
    command = draw(st.sampled_from(commands))
    hostility = draw(_HOSTILITY)
    chosen = {draw(st.sampled_from(group)) for group in command.one_of}
    exclusive = {option for group in command.one_of for option in group} - chosen
    groups: list[list[str]] = []
    for option in command.options:  # each option a quarter of the time, now and then twice
        times = draw(st.sampled_from([0, 0, 0, 0, 0, 1, 1, 2]))
        if hostility == 0:  # every required option once, and one of each group that needs one
            must = option.required or option in chosen
            times = 1 if must else 0 if option in exclusive else min(times, 1)
        for _ in range(times):
            flag = draw(st.sampled_from(option.flags))
            groups.append([flag, *draw(given_values(option, hostility))])
    if draw(st.booleans()):
        groups.append(["--json"])
    placed = [draw(st.booleans()) and group[0] in _GLOBAL_FLAGS for group in groups]
    before = [group for group, first in zip(groups, placed, strict=True) if first]
    after = [group for group, first in zip(groups, placed, strict=True) if not first]
    words: list[str] = []
    for word in command.words:
        if isinstance(word, str):
            words.append(word)
        elif hostility == 0 or draw(st.integers(0, 9)):  # an outer command's positional
            words.extend(draw(given_values(word, hostility)))
    tail = [
        [value] for option in command.positionals for value in draw(given_values(option, hostility))
    ]
    if tail and draw(st.integers(0, 4)) == 0:  # `--` before the positionals
        tail[0] = ["--", *tail[0]]
        ordered = [*draw(st.permutations(after)), *tail]
    elif hostility == 0:  # options anywhere, positionals in their order
        ordered = [*draw(st.permutations(after)), *tail]
    else:
        ordered = draw(st.permutations([*after, *tail]))
    argv = [token for group in before for token in group] + words
    argv += [token for group in ordered for token in group]
    environ = draw(_environ(hostility))
    return Line(command, tuple(argv), tuple(sorted(environ.items())))


_GLOBAL_FLAGS = frozenset(flag for option in GLOBAL for flag in option.flags) | {"--json"}


# -- the seeded store -------------------------------------------------------------------------


def _seed(folder: Path) -> None:
    """Releases in production, one starting, a forged one; adjustments; files of every kind."""
    clock = rk.FixedClock(FRIDAY)
    with rk.stores.SqliteStore(folder / "releasekit.db") as store:
        desk = rk.Desk(
            rk.reference_policy(), store=store, executors=executors.dry_run(), clock=clock
        )
        for version in ("2.3.9", "2.4.0"):
            release = desk.start(version, by="anton", kind="hotfix")
            desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now()))
            desk.promote(release.id, by="anton")
            desk.run_tests(release.id, by="ci")
            desk.promote(release.id, by="maria")
            desk.add_evidence(
                release.id,
                rk.SignOff(by="maria", at=clock.now(), environment="sandbox"),
                rk.LogReview(by="ivan", at=clock.now(), environments=ALL, verdict="clean"),
            )
            desk.promote(release.id, by="maria")
            desk.add_evidence(
                release.id,
                rk.SignOff(
                    by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3",)
                ),
                rk.ChangeReview(by="ivan", at=clock.now(), version=version),
            )
            desk.promote(release.id, by="maria")
            clock.advance(minutes=30)
        desk.start(
            "2.5.0",
            by="anton",
            artifact=rk.Artifact(
                functions=("quote", "chart"), migrations=("0042",), new_functionality=("chart",)
            ),
        )
        _interrupted(desk, clock, store)
        desk.data.request_adjustment(
            "production", "fix-close", ["AAPL", "187.20"], by="olga", reason="IEX was wrong"
        )
        desk.data.verify_adjustment("adjustment-1", by="ivan")
        desk.data.restore("production", "sandbox-anton", by="anton", reason="reproduce")
        hostile.forge(store)
        report = desk.collect_logs("2.4.0")
    from releasekit._interfaces import _cli_render_operations  # noqa: PLC0415  # `logs --save`

    (folder / "report.json").write_text(json.dumps(_cli_render_operations.log_report_json(report)))
    (folder / "policy.toml").write_text(reference_policy_file(), encoding="utf-8")
    (folder / "garbage.db").write_text("this is not a database\n")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "latin1.toml").write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    (folder / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    (folder / "empty.toml").write_text("")
    (folder / "not-a-report.json").write_text('{"environments": 7}')
    (folder / "list.json").write_text("[1, 2]")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "huge.json").write_text('{"since": 1e999999}')


def _interrupted(desk: rk.Desk, clock: rk.FixedClock, store: rk.stores.Store) -> None:
    """2.6.0 in tests, its test run left unfinished by a process on another host."""
    release = desk.start("2.6.0", by="anton")
    desk.promote(release.id, by="anton")
    lease = store.acquire(
        "test-run:tests", holder="ci (2.6.0)", now=clock.now(), ttl=dt.timedelta(hours=2)
    )
    ledger = rk.stores.Ledger(store)
    ledger.begin_attempt(
        ledger.load(release.id),
        capability="run-tests",
        by="ci",
        at=clock.now(),
        environment="tests",
        detail="run the automatic tests of 2.6.0 on tests",
        lease=lease,
        runner=HostProcess(host="another-host", pid=4242, name="python"),
    )


@pytest.fixture(scope="module", name="seeded")
def fixture_seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the seeded store and the files values may name; copied per example."""
    folder = tmp_path_factory.mktemp("seeded")
    _seed(folder)
    return folder


def _rows(database: Path) -> list[str]:
    """Every row of every table of a SQLite file, as SQL."""
    connection = sqlite3.connect(database)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


# -- running one command line -------------------------------------------------------------


@attrs.frozen
class Ran:
    """What one command line did."""

    code: int
    out: str
    err: str
    changed: bool


def run(line: Line, seeded: Path) -> Ran:
    """Run *line* in a copy of the seeded folder; say what it printed and if the store changed."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "here"
        shutil.copytree(seeded, folder)
        argv = [token.replace(HERE, str(folder)) for token in line.argv]
        environ = {name: value.replace(HERE, str(folder)) for name, value in line.environ}
        before = _rows(folder / "releasekit.db")
        out, err = io.BytesIO(), io.BytesIO()
        # As a terminal would take them: UTF-8, strictly on standard output; standard error
        # backslash-escapes what it cannot encode, as Python's own does.
        stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
        stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
        stdin = io.StringIO('{"since": "\x1b[2J"}')
        with (
            contextlib.chdir(folder),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
            mock.patch.object(sys, "stdin", stdin),
        ):
            code = main(argv, environ=environ)
            stdout.flush()
            stderr.flush()
        after = _rows(folder / "releasekit.db")
    return Ran(code, out.getvalue().decode(), err.getvalue().decode(), before != after)


def raw_controls(text: str) -> list[str]:
    """The characters of *text* a terminal would act on (newlines and tabs aside)."""
    return [
        character
        for character in text
        if character not in "\n\t" and unicodedata.category(character) in UNSAFE
    ]


def check(line: Line, ran: Ran) -> None:
    """Hold a command line's outcome to what the command documents."""
    said = (
        f"argv={line.argv!r} environ={line.environ!r}\ncode={ran.code}\n"
        f"out={ran.out[:3000]}\nerr={ran.err[:3000]}"
    )
    assert ran.code != ExitCode.INTERNAL_ERROR, f"a bug in releasekit:\n{said}"
    assert ran.code in DOCUMENTED, said
    assert "Traceback" not in ran.err, said
    assert [] == raw_controls(ran.out), said
    assert [] == raw_controls(ran.err), said
    failed = bool(ran.err)  # an error says its sentence on standard error; a reply does not
    if line.json:
        document = json.loads(ran.out)  # exactly one document: json.loads refuses a second
        failed = "error" in document
        if failed:
            assert ran.code == document["error"]["exit_code"], said
    if failed or (ran.code != ExitCode.OK and line.command.name not in RECORDING_REFUSALS):
        assert not ran.changed, f"a refusal changed the store:\n{said}"


# -- the properties -------------------------------------------------------------------------

BY_NAME = {command.name: command for command in COMMANDS}
#: The fuzz tests' settings: the profile's, without a deadline, for a fixture shared by examples.
_FUZZ = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def _examples(count: int) -> int:
    """*count* examples, or fewer where the profile asks for fewer (``HYPOTHESIS_PROFILE=fast``)."""
    return min(count, _FUZZ.max_examples)


#: Command lines that once ended in a traceback, a hang or a store changed by an error.
REGRESSIONS: list[tuple[str, tuple[str, ...], dict[str, str]]] = [
    ("windows", ("windows", "--after", "9999-12-31T23:00Z"), {}),
    ("windows", ("--json", "windows", "--count", "10000000"), {}),
    ("plan", ("--now", "0001-01-01T00:00+01:00", "plan", "2.5.0"), {}),
    ("monitoring", ("--now", "2200-12-31T23:59Z", "monitoring", "2.4.0"), {}),
    (
        "review-logs",
        ("review-logs", "2.4.0", "--report", f"{HERE}/deep.json", "--verdict", "clean"),
        {},
    ),
    (
        "review-logs",
        ("review-logs", "2.4.0", "--report", f"{HERE}/binary.bin", "--verdict", "clean"),
        {},
    ),
    (
        "review-logs",
        ("--json", "review-logs", "2.4.0", "--report", "/dev/zero", "--verdict", "clean"),
        {},
    ),
    ("start", ("--db", f"{HERE}/a\x00b.db", "start", "3.0"), {}),
    ("logs", ("--json", "logs", "2.4.0", "--save", f"{HERE}/\x00"), {}),
    ("policy show", ("--json", "policy", "show", "--policy", "/dev/zero"), {}),
    ("policy show", ("policy", "show", "--policy", f"{HERE}/binary.bin"), {}),
    ("status", ("--json", "status", "\x1b[2J", "--now"), {}),
    ("migrate", ("--db", "x" * 5000, "migrate", "2.4.0"), {}),
]


@pytest.mark.parametrize(("command", "argv", "environ"), REGRESSIONS)
def test_command_lines_that_once_broke_the_command(
    command: str, argv: tuple[str, ...], environ: dict[str, str], seeded: Path
) -> None:
    """Each of them now gets a documented answer, like any other command line."""
    line = Line(BY_NAME[command], argv, tuple(sorted(environ.items())))

    check(line, run(line, seeded))


@settings(_FUZZ, max_examples=_examples(300))
@given(line=lines())
def test_any_command_line_gets_a_documented_answer(line: Line, seeded: Path) -> None:
    """Any command line: a documented code, no traceback, one JSON document, a refusal no change."""
    check(line, run(line, seeded))


#: The commands that read or write the files options name.
_FILES = tuple(
    BY_NAME[name]
    for name in (
        "status",
        "policy check",
        "policy show",
        "review-logs",
        "logs",
        "start",
        "data list",
        "demo",
    )
)


@settings(_FUZZ, max_examples=_examples(100))
@given(line=lines(_FILES))
def test_files_of_every_kind_are_read_or_refused(line: Line, seeded: Path) -> None:
    """A directory, a binary file, a device, a missing folder, a NUL in the name: an answer."""
    check(line, run(line, seeded))


_BOUNDS = "from 1970-01-01T00:00Z to 2200-12-31T23:59Z"
_OFFSETS = st.sampled_from(
    [
        dt.UTC,
        *(dt.timezone(dt.timedelta(minutes=minutes)) for minutes in (-1439, -60, 1, 840, 1439)),
    ]
)


@settings(_FUZZ, max_examples=_examples(60))
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1969, 12, 30),  # noqa: DTZ001  # the bounds of a naive strategy
        max_value=dt.datetime(2201, 1, 2),  # noqa: DTZ001
        timezones=_OFFSETS,
    ),
    count=st.integers(1, 12),
    argv=st.sampled_from(
        [
            ("windows", "--after", "{moment}", "--count", "{count}"),
            ("--now", "{moment}", "plan", "2.5.0"),
            ("--now", "{moment}", "status"),
            ("--now", "{moment}", "monitoring", "2.4.0"),
            ("--now", "{moment}", "--json", "status", "forged"),
        ]
    ),
)
def test_every_instant_within_the_bounds_is_answered_and_none_outside(
    moment: dt.datetime, count: int, argv: tuple[str, ...], seeded: Path
) -> None:
    """An instant from 1970 to 2200 is answered exactly; one outside, in any offset, is refused."""
    text = moment.isoformat()
    written = tuple(token.format(moment=text, count=count) for token in argv)
    name = "windows" if "windows" in written else written[-2] if "plan" in written else "status"
    line = Line(BY_NAME[name], written, ())

    ran = run(line, seeded)

    check(line, ran)
    inside = (
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC) <= moment < dt.datetime(2201, 1, 1, tzinfo=dt.UTC)
    )
    if inside:
        assert (ExitCode.OK, "") == (ran.code, ran.err), written
    else:
        assert ExitCode.ERROR == ran.code
        assert (
            f"{text!r} is outside the years releasekit reckons with; give an instant {_BOUNDS}"
            in ran.err
        )
    if inside and "windows" in written:
        assert count == ran.out.count(" until "), ran.out
