"""Values that reach programs and terminals are refused where they enter: versions, ids, names."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from releasekit import executors, stores
from releasekit._interfaces.cli import ExitCode
from releasekit._rules.versions import check_version

if TYPE_CHECKING:
    from collections.abc import Callable

FRIDAY = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
DEFAULT_VERSIONS = re.compile(rk.DEFAULT_VERSION_PATTERN, re.IGNORECASE | re.ASCII)

#: Versions a person (or a script fed by one) might type to get around the rules.
HOSTILE_VERSIONS = [
    "--help",
    "-rf",
    "2.4.0\n2.4.1 production done",
    "\x1b[2J",
    "2.4.0\x1b[2J",
    "2.4.0\r",
    "2.4.0\x9b2J",  # C1 control sequence introducer
    "2.4.0\x7f",
    "2.4.0\u202e",  # right-to-left override
    "2.4.0\u2028",  # line separator
    "2.4.0\u200b",  # zero-width space
    "2.4.0 ",
    " 2.4.0",
    "",
    "latest",
]


@pytest.fixture(name="clock")
def fixture_clock() -> rk.FixedClock:
    return rk.FixedClock(FRIDAY)


@pytest.fixture(name="desk")
def fixture_desk(clock: rk.FixedClock) -> rk.Desk:
    return rk.Desk(rk.reference_policy(), executors=executors.dry_run(), clock=clock)


def stored(store: stores.Store) -> dict[str, list[stores.Event]]:
    """Everything a store holds: every history, event by event."""
    return {stream: store.events(stream) for stream in store.streams()}


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", HOSTILE_VERSIONS)
def test_a_version_that_could_forge_a_row_or_an_option_is_refused(
    desk: rk.Desk, version: str
) -> None:
    """`desk.start` refuses it with an InvalidInputError naming the version; nothing is stored."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        desk.start(version, by="anton")

    assert ("version", {}) == (refused.value.field, stored(desk.store))


@pytest.mark.parametrize(
    "version",
    [
        "2.4.0",
        "1",
        "2.4.0rc1",
        "2.4.0.post1",
        "1!2.0.post1.dev3+local.7",
        "1.0.0-rc.1+build.5",
        "1.0.0-alpha-beta.x-y.--",
        "2026.11.27",
        "v2.4.0",
        "V1.0.0-rc.1",
    ],
)
def test_the_default_rule_takes_what_pep_440_and_semver_write(desk: rk.Desk, version: str) -> None:
    """Every spelling of PEP 440 and SemVer 2.0 (optionally after a `v`) starts a release."""
    assert version == desk.start(version, by="anton").release.version


def test_a_refused_version_says_what_to_write(desk: rk.Desk) -> None:
    """The message names the problem and gives a version to write instead."""
    with pytest.raises(rk.exceptions.InvalidInputError, match=r"starts with '-'.*e\.g\. '2\.4\.0'"):
        desk.start("--help", by="anton")


@given(st.text(max_size=24) | st.from_regex(DEFAULT_VERSIONS, fullmatch=True))
def test_every_version_the_default_rule_accepts_is_a_plain_word(text: str) -> None:
    """Accepted versions start with a letter or digit and hold no space or control character."""
    try:
        check_version(text)
    except rk.exceptions.InvalidInputError:
        return

    assert (True, []) == (
        text[0].isascii() and text[0].isalnum(),
        [char for char in text if char.isspace() or unicodedata.category(char)[0] in "CZ"],
    )


def test_a_policy_version_pattern_refuses_what_it_does_not_match() -> None:
    r"""With version_pattern = '^\d+\.\d+\.\d+$', 2.4.0 starts and 2.4.0rc1 is refused."""
    policy = rk.Policy(
        environments=[rk.Environment(name="dev"), rk.Environment(name="prod")],
        flows=[rk.Flow(kind="normal", path=["dev", "prod"])],
        version_pattern=r"^\d+\.\d+\.\d+$",
    )
    engine = rk.Engine(policy)

    started = engine.start(release_id="a", version="2.4.0", kind="normal", by="lea", now=FRIDAY)
    with pytest.raises(rk.exceptions.InvalidInputError, match="version_pattern") as refused:
        engine.start(release_id="b", version="2.4.0rc1", kind="normal", by="lea", now=FRIDAY)

    assert ("2.4.0", "version") == (started.version, refused.value.field)


@pytest.mark.parametrize("version", ["-1", "1 2", "1\n2", "\x1b[2J"])
def test_a_policy_pattern_never_lets_an_option_or_a_control_through(version: str) -> None:
    """Even a pattern that matches anything leaves versions plain words."""
    engine = rk.Engine(
        rk.Policy(
            environments=[rk.Environment(name="dev"), rk.Environment(name="prod")],
            flows=[rk.Flow(kind="normal", path=["dev", "prod"])],
            version_pattern=r"(?s).*",
        )
    )

    with pytest.raises(rk.exceptions.InvalidInputError):
        engine.start(release_id="a", version=version, kind="normal", by="lea", now=FRIDAY)


@pytest.mark.parametrize("pattern", ["(unclosed", "[z-a]", "", 42])
def test_a_bad_version_pattern_fails_when_the_policy_is_built(pattern: object) -> None:
    """A pattern that is not a regular expression is a PolicyError naming version_pattern."""
    with pytest.raises(rk.exceptions.PolicyError, match="version_pattern"):
        rk.Policy(
            environments=[rk.Environment(name="dev"), rk.Environment(name="prod")],
            flows=[rk.Flow(kind="normal", path=["dev", "prod"])],
            version_pattern=pattern,  # type: ignore[arg-type]
        )


POLICY_FILE = """\
name = "strict versions"
version_pattern = '^\\d+\\.\\d+\\.\\d+$'

[[environments]]
name = "dev"

[[environments]]
name = "prod"

[[flows]]
kind = "normal"
path = ["dev", "prod"]
"""


def test_a_policy_file_sets_the_version_pattern() -> None:
    """The top-level key version_pattern is read, and applied when a release starts."""
    policy = rk.loads_policy(POLICY_FILE)

    with pytest.raises(rk.exceptions.InvalidInputError):
        policy.check_version("2.4.0rc1")
    assert (r"^\d+\.\d+\.\d+$", "2.4.0") == (policy.version_pattern, policy.check_version("2.4.0"))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("version_pattern = 3", "version_pattern: 3 is a whole number"),
        ("version_pattern = '(unclosed'", "version_pattern '(unclosed' is not a regular"),
    ],
)
def test_a_policy_file_with_a_bad_version_pattern_is_refused(line: str, problem: str) -> None:
    """A version_pattern of the wrong type, or not a regex, is a PolicyFileError saying so."""
    text = POLICY_FILE.replace("version_pattern = '^\\d+\\.\\d+\\.\\d+$'", line)

    with pytest.raises(rk.exceptions.PolicyFileError) as refused:
        rk.loads_policy(text)

    assert [problem] == [item[: len(problem)] for item in refused.value.problems]


def test_releasekit_start_refuses_a_version_after_a_double_dash(cli: Callable[..., Ran]) -> None:
    """`releasekit start -- --help` gets --help as the version, refused: exit 2, nothing stored."""
    ran = cli("--actor", "anton", "--json", "start", "--", "--help")

    assert (ExitCode.ERROR, "version", []) == (
        ran.code,
        ran.json["error"]["field"],
        ok(cli("--json", "status")).json["releases"],
    )


def test_releasekit_start_refuses_a_version_holding_a_line_break(cli: Callable[..., Ran]) -> None:
    """A version that would draw a fake row in `status` never gets there."""
    ran = cli("--actor", "anton", "start", "2.4.0\n2.4.1     normal    production")

    assert (ExitCode.ERROR, []) == (ran.code, ok(cli("--json", "status")).json["releases"])


# ---------------------------------------------------------------------------
# Release ids, artifact names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("release_id", ["--all", "r 1", "r1\n", "\x1b[31mr1", "r\u202e1"])
def test_a_release_id_of_your_own_is_refused_likewise(desk: rk.Desk, release_id: str) -> None:
    """`release_id=` is held to the same rule as versions: refused, nothing stored."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        desk.start("2.4.0", by="anton", release_id=release_id)

    assert ("id", {}) == (refused.value.field, stored(desk.store))


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("functions", ("--all",)),
        ("migrations", ("0042\n0043",)),
        ("new_functionality", ("chart\x1b[2J",)),
        ("functions", ("",)),
        ("functions", 5),
    ],
)
def test_artifact_names_that_could_become_options_are_refused(field: str, names: object) -> None:
    """Function, migration and functionality names may reach dt: no '-' first, no controls."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        rk.Artifact(**{field: names})  # type: ignore[arg-type]

    assert field == refused.value.field


# ---------------------------------------------------------------------------
# Data adjustments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "arguments", "field"),
    [
        ("--all", ("AAPL",), "operation"),
        ("fix prices", ("AAPL",), "operation"),
        ("fix-prices", ("--force",), "arguments"),
        ("fix-prices", ("AAPL", "-5"), "arguments"),
        ("fix-prices", ("AAPL\n2.4.1 production done",), "arguments"),
        ("fix-prices", ("AAPL\u202e",), "arguments"),
        ("fix-prices", (5,), "arguments"),
    ],
)
def test_a_data_adjustment_dt_could_misread_is_refused(
    desk: rk.Desk, operation: str, arguments: tuple[str, ...], field: str
) -> None:
    """An operation or argument starting with '-' or holding controls: refused, nothing stored."""
    with pytest.raises(rk.exceptions.InvalidInputError) as refused:
        desk.data.request_adjustment(
            "production", operation, arguments, by="olga", reason="bad close prices"
        )

    assert (field, {}) == (refused.value.field, stored(desk.store))


def test_an_amendment_to_an_option_is_refused_and_changes_nothing(desk: rk.Desk) -> None:
    """Amending an adjustment's arguments to `--force` is refused; it stays as requested."""
    operation = desk.data.request_adjustment(
        "production", "fix-prices", ("AAPL",), by="olga", reason="bad close prices"
    )
    before = stored(desk.store)

    with pytest.raises(rk.exceptions.InvalidInputError):
        desk.data.amend_adjustment(operation.id, by="olga", arguments=("--force",))

    assert before == stored(desk.store)


@pytest.mark.parametrize(
    "build",
    [
        lambda: executors.DeployRequest(release_id="r1", version="--help", environment="stage"),
        lambda: executors.DeployRequest(release_id="-r", version="1", environment="stage"),
        lambda: executors.DeployRequest(
            release_id="r1", version="1", environment="stage", rollback_of="-1"
        ),
        lambda: executors.TestRequest(environment="tests", version="1\n2"),
        lambda: executors.TestRequest(environment="tests", version="1", notify="yes"),  # type: ignore[arg-type]
        lambda: executors.MigrationRequest(environment="stage", version="1", migrations=("-x",)),
        lambda: executors.AdjustmentRequest(
            environment="production", operation="--all", operator="olga"
        ),
        lambda: executors.AdjustmentRequest(
            environment="production", operation="fix", arguments=("--force",), operator="olga"
        ),
    ],
)
def test_requests_built_by_scripts_are_held_to_the_same_rules(build: Callable[[], object]) -> None:
    """A script or plug-in building requests itself cannot hand dt an option either."""
    with pytest.raises(rk.exceptions.InvalidInputError):
        build()
