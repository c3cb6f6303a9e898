"""Policy files are read strictly: a value of the wrong type is refused, with its path and fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db  # noqa: F401, TC001  # pytest finds fixtures by name here

if TYPE_CHECKING:
    from collections.abc import Callable

REFERENCE = rk.reference_policy_file()

#: The most a policy file may hold: 1 MiB.
MAX_SIZE = 1024 * 1024


def reference_with(old: str, new: str) -> str:
    """The reference policy file with its one *old* text replaced by *new*."""
    assert 1 == REFERENCE.count(old)
    return REFERENCE.replace(old, new)


def problems_of(text: str) -> tuple[str, ...]:
    """Every problem loads_policy reports for *text*."""
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.loads_policy(text, source="releasekit.toml")
    return caught.value.problems


#: (text of the reference policy, what a careless or hostile author wrote, what they are told)
WRONG_TYPES = [
    (
        'owners = ["anton"]',
        'owners = "anton"',
        (
            'environments[0].owners: "anton" is a string, not a list; write a list of strings '
            'in brackets, e.g. owners = ["anton"]'
        ),
    ),
    (
        'owners = ["anton"]',
        'owners = ["anton", 7]',
        (
            "environments[0].owners[1]: 7 is a whole number, not a string; write it in quotes, "
            'e.g. "7"'
        ),
    ),
    (
        'name = "sandbox-anton"',
        "name = 5",
        (
            "environments[0].name: 5 is a whole number, not a string; write it in quotes, e.g. "
            'name = "5"'
        ),
    ),
    (
        'purpose = "what customers use"',
        "purpose = true",
        (
            "environments[4].purpose: true is a boolean, not a string; write it in quotes, "
            'e.g. purpose = "true"'
        ),
    ),
    (
        'restorable_from = ["tests", "sandbox", "stage", "production"]',
        'restorable_from = "production"',
        (
            'environments[0].data.restorable_from: "production" is a string, not a list; write '
            'a list of strings in brackets, e.g. restorable_from = ["production"]'
        ),
    ),
    (
        "may_be_corrupted = true",
        'may_be_corrupted = "true"',
        (
            'environments[0].data.may_be_corrupted: "true" is a string, not true or false; '
            "write true or false without quotes, e.g. may_be_corrupted = true"
        ),
    ),
    (
        "exclusive_test_runs = true",
        "exclusive_test_runs = 1",
        (
            "environments[1].exclusive_test_runs: 1 is a whole number, not true or false; "
            "write true or false without quotes, e.g. exclusive_test_runs = true"
        ),
    ),
    (
        "report_problems_immediately = true",
        'report_problems_immediately = "false"',
        (
            'environments[2].report_problems_immediately: "false" is a string, not true or '
            "false; write true or false without quotes, e.g. report_problems_immediately = "
            "false"
        ),
    ),
    (
        'feed = "sandbox"',
        "feed = 1",
        (
            "environments[1].data_source.feed: 1 is a whole number; write one of 'sandbox', "
            "'production' in quotes"
        ),
    ),
    (
        'provider = "IEX", feed = "production"',
        'provider = ["IEX"], feed = "production"',
        (
            'environments[2].data_source.provider: ["IEX"] is a list, not a string; write it '
            'in quotes, e.g. provider = "IEX"'
        ),
    ),
    (
        'at = "00:00"',
        "at = 0",
        (
            "environments[1].scheduled_test_run.at: 0 is not a time of day; write 24-hour "
            "HH:MM in quotes, without a zone (the timezone key says where the clock is read), "
            'e.g. at = "00:00"'
        ),
    ),
    (
        'at = "00:00"',
        'at = "00:00+01:00"',
        (
            'environments[1].scheduled_test_run.at: "00:00+01:00" is not a time of day; write '
            "24-hour HH:MM in quotes, without a zone (the timezone key says where the clock is "
            'read), e.g. at = "00:00"'
        ),
    ),
    (
        'at = "00:00"',
        "at = 2026-11-28T00:00:00Z",
        (
            "environments[1].scheduled_test_run.at: 2026-11-28T00:00:00+00:00 is not a time of "
            "day; write 24-hour HH:MM in quotes, without a zone (the timezone key says where "
            'the clock is read), e.g. at = "00:00"'
        ),
    ),
    (
        'at = "00:00", timezone = "UTC"',
        'at = "00:00", timezone = "UTC+3"',
        (
            "environments[1].scheduled_test_run.timezone: timezone 'UTC+3' is a fixed UTC "
            "offset, which never follows daylight saving time; use an IANA time zone name such "
            "as 'UTC' (the same all year) or 'Europe/London' (which follows British Summer "
            "Time)"
        ),
    ),
    (
        'drift = "30m"',
        "drift = true",
        (
            "environments[1].scheduled_test_run.drift: true is not a duration; write it in "
            "quotes like '30m', '4h', '1h30m' or '2d', or as a number of seconds, e.g. drift = "
            '"4h"'
        ),
    ),
    (
        'duration = "1h"',
        'duration = "400d"',
        (
            'environments[1].scheduled_test_run.duration: "400d" is longer than 366 days; '
            'write a shorter duration, e.g. duration = "4h"'
        ),
    ),
    (
        'forbidden_functions = ["test*"]',
        'forbidden_functions = "test*"',
        (
            'environments[2].forbidden_functions: "test*" is a string, not a list; write a '
            'list of strings in brackets, e.g. forbidden_functions = ["test*"]'
        ),
    ),
    (
        'log_monitoring = { every = "1h", react_immediately = true }',
        'log_monitoring = "1h"',
        (
            'environments[4].log_monitoring: "1h" is a string, not a table; write a table in '
            "braces with the keys every, react_immediately, e.g. log_monitoring = { every = "
            "... }"
        ),
    ),
    (
        'every = "1h"',
        "every = -5",
        (
            "environments[4].log_monitoring.every: -5 is negative; write a duration of zero or "
            'more, e.g. every = "4h"'
        ),
    ),
    (
        "react_immediately = true }",
        'react_immediately = "yes" }',
        (
            'environments[4].log_monitoring.react_immediately: "yes" is a string, not true or '
            "false; write true or false without quotes, e.g. react_immediately = true"
        ),
    ),
    (
        "min_verifications = 2",
        "min_verifications = true",
        (
            "environments[4].data_adjustments.min_verifications: true is a boolean, not a "
            "whole number; write a whole number such as 2, e.g. min_verifications = 2"
        ),
    ),
    (
        "min_verifications = 2",
        'min_verifications = "2"',
        (
            'environments[4].data_adjustments.min_verifications: "2" is a string, not a whole '
            "number; write a whole number without quotes, e.g. min_verifications = 2"
        ),
    ),
    (
        "max_verifications = 3",
        "max_verifications = 3.0",
        (
            "environments[4].data_adjustments.max_verifications: 3.0 is a number with a "
            "fraction, not a whole number; write a whole number such as 2, e.g. "
            "max_verifications = 2"
        ),
    ),
    (
        "max_verifications = 3",
        "max_verifications = 1000000000000000000000",
        (
            "environments[4].data_adjustments.max_verifications: 1000000000000000000000 is out "
            "of range; write a whole number from 0 to 1000"
        ),
    ),
    (
        'operator = "data-operator"',
        "operator = 42",
        (
            "environments[4].data_adjustments.operator: 42 is a whole number, not a string; "
            'write it in quotes, e.g. operator = "42"'
        ),
    ),
    (
        'tool = "dt"',
        'tool = ["dt"]',
        (
            'environments[4].data_adjustments.tool: ["dt"] is a list, not a string; write it '
            'in quotes, e.g. tool = "dt"'
        ),
    ),
    (
        'gate = [\n  { type = "new-tests-written", unblocked_by = ["anton"] },\n]',
        'gate = { type = "new-tests-written" }',
        (
            'environments[1].gate: { type = "new-tests-written" } is a table, not a list; '
            'write a list of tables in brackets, e.g. gate = [{ type = "new-tests-written" }]'
        ),
    ),
    (
        'unblocked_by = ["anton"]',
        'unblocked_by = "anton"',
        (
            'environments[1].gate[0].unblocked_by: "anton" is a string, not a list; write a '
            'list of strings in brackets, e.g. unblocked_by = ["anton"]'
        ),
    ),
    (
        "require_old_app_versions = true",
        'require_old_app_versions = "yes"',
        (
            'environments[4].gate[1].require_old_app_versions: "yes" is a string, not true or '
            "false; write true or false without quotes, e.g. require_old_app_versions = true"
        ),
    ),
    (
        'max_age = "4h"',
        "max_age = true",
        (
            "environments[3].gate[1].max_age: true is not a duration; write it in quotes like "
            "'30m', '4h', '1h30m' or '2d', or as a number of seconds, e.g. max_age = "
            '"4h"'
        ),
    ),
    (
        'max_age = "4h"',
        'max_age = "4 hours"',
        (
            'environments[3].gate[1].max_age: "4 hours" is not a duration; write it in quotes '
            "like '30m', '4h', '1h30m' or '2d', or as a number of seconds, e.g. max_age = "
            '"4h"'
        ),
    ),
    (
        'max_age = "4h"',
        'max_age = "4h", environments = "stage"',
        (
            'environments[3].gate[1].environments: "stage" is a string, not a list; write a '
            'list of strings in brackets, e.g. environments = ["stage"]'
        ),
    ),
    (
        '{ type = "tests-passed", environment = "tests" }',
        '{ type = "tests-passed", environment = "tests", command = ["dt", "test"] }',
        (
            'environments[2].gate[0].command: ["dt", "test"] is a list, not a string; write it '
            'in quotes, e.g. command = "dt test"'
        ),
    ),
    (
        '{ type = "tests-passed", environment = "tests" }',
        '{ type = "tests-passed", environment = 5 }',
        (
            "environments[2].gate[0].environment: 5 is a whole number, not a string; write it "
            'in quotes, e.g. environment = "5"'
        ),
    ),
    (
        'window = "production"',
        "window = 5",
        (
            "environments[4].gate[3].window: 5 is a whole number, not a window; write the name "
            "of a [windows] entry in quotes, or a table with a timezone and spans, e.g. window "
            '= "production"'
        ),
    ),
    (
        '{ type = "no-forbidden-functions" }',
        '{ type = "no-forbidden-functions", code = 5 }',
        (
            "environments[2].gate[1].code: 5 is a whole number, not a string; write it in "
            'quotes, e.g. code = "5"'
        ),
    ),
    (
        '{ type = "no-forbidden-functions" }',
        "{ type = 5 }",
        (
            "environments[2].gate[1].type: unknown guard type 5; write one of attestation, "
            "changes-reviewed, custom, logs-reviewed, migrations-succeeded, new-tests-written, "
            "no-forbidden-functions, signed-off, tests-passed, window in quotes"
        ),
    ),
    (
        '{ type = "no-forbidden-functions" }',
        '"no-forbidden-functions"',
        (
            'environments[2].gate[1]: "no-forbidden-functions" is a string, not a guard; a '
            'guard is a table with a type, e.g. { type = "tests-passed", environment = "tests" '
            "}"
        ),
    ),
    (
        'kind = "hotfix"',
        'kind = ["hotfix"]',
        "flows[1].kind: [\"hotfix\"] is a list; write one of 'normal', 'hotfix' in quotes",
    ),
    (
        'path = ["sandbox-anton", "tests", "sandbox", "stage", "production"]\nlifts',
        'path = "sandbox-anton"\nlifts',
        (
            'flows[1].path: "sandbox-anton" is a string, not a list; write a list of strings '
            'in brackets, e.g. path = ["sandbox-anton"]'
        ),
    ),
    (
        'lifts = ["production-window"]',
        'lifts = "production-window"',
        (
            'flows[1].lifts: "production-window" is a string, not a list; write a list of '
            'strings in brackets, e.g. lifts = ["production-window"]'
        ),
    ),
    (
        'description = "an urgent fix: the same steps, none skipped, at any time"',
        "description = 1",
        (
            "flows[1].description: 1 is a whole number, not a string; write it in quotes, e.g. "
            'description = "1"'
        ),
    ),
    (
        'timezone = "UTC"\nspans',
        "timezone = 5\nspans",
        (
            "windows.production.timezone: 5 is a whole number, not an IANA time zone name; "
            'write it in quotes, e.g. timezone = "UTC"'
        ),
    ),
    (
        'spans = [{ days = ["Sat", "Sun"], start = "09:00", end = "12:00" }]',
        'spans = { days = ["Sat", "Sun"], start = "09:00", end = "12:00" }',
        (
            'windows.production.spans: { days = ["Sat", "Sun"], start = "09:... is a table, '
            'not a list; write a list of tables in brackets, e.g. spans = [{ days = ["Sat", '
            '"Sun"], start = "09:00", end = "12:00" }]'
        ),
    ),
    (
        'days = ["Sat", "Sun"]',
        'days = "Sat"',
        (
            'windows.production.spans[0].days: "Sat" is a string, not a list; write a list of '
            'day names, e.g. days = ["Sat", "Sun"]'
        ),
    ),
    (
        'days = ["Sat", "Sun"]',
        'days = ["Sat", 6]',
        (
            "windows.production.spans[0].days[1]: 6 is a whole number, not a day; write a day "
            'name in quotes, e.g. "Sat"'
        ),
    ),
    (
        'start = "09:00"',
        "start = 9",
        (
            "windows.production.spans[0].start: 9 is a whole number, not a time of day; write "
            '24-hour HH:MM in quotes, e.g. start = "09:00"'
        ),
    ),
    (
        'end = "12:00"',
        "end = 1979-05-27",
        (
            "windows.production.spans[0].end: 1979-05-27 is a date, not a time of day; write "
            '24-hour HH:MM in quotes, e.g. end = "09:00"'
        ),
    ),
    (
        'name = "production window"',
        'name = ["x"]',
        (
            'windows.production.name: ["x"] is a list, not a string; write it in quotes, e.g. '
            'name = "x"'
        ),
    ),
    (
        'name = "reference"',
        "name = 5",
        'name: 5 is a whole number, not a string; write it in quotes, e.g. name = "5"',
    ),
    (
        'description = "the release process releasekit ships with"',
        "description = []",
        'description: [] is a list, not a string; write it in quotes, e.g. description = "..."',
    ),
    (
        'name = "reference"',
        'name = "reference"\nowners = ["x"]',
        (
            "owners: unknown top-level key; use name, description, version_pattern, people, "
            "freeze_declarers, windows, environments, freezes, flows"
        ),
    ),
    (
        'purpose = "what customers use"',
        'purpose = "what customers use"\ncolour = "red"',
        (
            "environments[4].colour: unknown key; use name, purpose, owners, data_source, "
            "data, scheduled_test_run, exclusive_test_runs, forbidden_functions, "
            "log_monitoring, data_adjustments, report_problems_immediately"
        ),
    ),
    (
        '{ type = "no-forbidden-functions" }',
        '{ type = "no-forbidden-functions", environment = "sandbox" }',
        "environments[2].gate[1].environment: unknown key; use code, unblocked_by",
    ),
    (
        'start = "09:00"',
        'start = "09:00", hours = 3',
        "windows.production.spans[0].hours: unknown key; use days, start, end",
    ),
    (
        "data = { erased_by_test_runs = true }",
        "data = { erased_by_test_runs = true, wiped = true }",
        (
            "environments[1].data.wiped: unknown key; use may_be_corrupted, "
            "erased_by_test_runs, restorable_from"
        ),
    ),
    (
        '[[flows]]\nkind = "normal"',
        '[[flows]]\nkind = "normal"\nsteps = 2',
        "flows[0].steps: unknown key; use kind, path, lifts, description",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "problem"), WRONG_TYPES, ids=[new for _, new, _ in WRONG_TYPES]
)
def test_a_value_of_the_wrong_type_is_refused_with_its_path_and_the_fix(
    old: str, new: str, problem: str
) -> None:
    """Each key of the file takes one type; anything else is one problem naming its path."""
    assert (problem,) == problems_of(reference_with(old, new))


def test_a_string_where_a_list_belongs_is_never_split_into_letters() -> None:
    """owners = "anton" is refused, not read as the owners a, n, t and o."""
    text = reference_with('owners = ["anton"]', 'owners = "anton"')

    (problem,) = problems_of(text)

    assert problem.endswith('write a list of strings in brackets, e.g. owners = ["anton"]')


def test_every_wrong_value_is_reported_at_once() -> None:
    """Problems in windows, environments, gates and flows are all listed, each with its path."""
    text = reference_with('owners = ["anton"]', 'owners = "anton"')
    for old, new in [
        ('start = "09:00"', "start = 9"),
        ("exclusive_test_runs = true", 'exclusive_test_runs = "false"'),
        ("min_verifications = 2", "min_verifications = true"),
        ('unblocked_by = ["anton"]', "unblocked_by = 1"),
        ('lifts = ["production-window"]', 'lifts = "production-window"'),
    ]:
        text = text.replace(old, new)

    assert [
        "windows.production.spans[0].start",
        "environments[0].owners",
        "environments[1].exclusive_test_runs",
        "environments[1].gate[0].unblocked_by",
        "environments[4].data_adjustments.min_verifications",
        "flows[1].lifts",
    ] == [problem.partition(":")[0] for problem in problems_of(text)]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            '[environments]\nname = "dev"\n\n[[flows]]\nkind = "normal"\npath = ["dev"]\n',
            [
                (
                    'environments: { name = "dev" } is a table; list the environments in promotion '
                    "order ([[environments]])"
                )
            ],
        ),
        (
            '[flows]\nkind = "normal"\n\n[[environments]]\nname = "dev"\n',
            [
                (
                    'flows: { kind = "normal" } is a table; define at least the normal flow '
                    "([[flows]] kind = 'normal')"
                )
            ],
        ),
        (
            (
                'windows = ["production"]\n[[environments]]\nname = "dev"\n[[flows]]\n'
                'kind = "normal"\npath = ["dev"]\n'
            ),
            [
                (
                    'windows: ["production"] is a list; write named windows as tables, e.g. '
                    "[windows.production]"
                )
            ],
        ),
        (
            (
                '[windows]\nproduction = "Sat 09:00"\n[[environments]]\nname = "dev"\n[[flows]]\n'
                'kind = "normal"\npath = ["dev"]\n'
            ),
            [
                (
                    'windows.production: "Sat 09:00" is a string; a window is a table with a '
                    'timezone and spans, e.g. [windows.production] timezone = "UTC"'
                )
            ],
        ),
        (
            (
                'environments = ["dev", { name = "prod" }]\n[[flows]]\nkind = "normal"\n'
                'path = ["dev", "prod"]\n'
            ),
            ['environments[0]: "dev" is a string; an environment is a table with at least a name'],
        ),
    ],
    ids=[
        "environments-table",
        "flows-table",
        "windows-list",
        "window-string",
        "environment-string",
    ],
)
def test_tables_and_arrays_of_tables_are_told_apart(text: str, problems: list[str]) -> None:
    """[environments] where [[environments]] belongs, and the like, are refused."""
    assert tuple(problems) == problems_of(text)


def test_values_of_the_right_type_still_read() -> None:
    """TOML times, durations in seconds and one-item lists are what they say."""
    text = reference_with('at = "00:00"', "at = 00:30:00").replace('drift = "30m"', "drift = 90")

    policy = rk.loads_policy(text)

    run = policy.environment("tests").scheduled_test_run
    assert run is not None
    assert ("00:30:00", 90.0) == (run.at.isoformat(), run.drift.total_seconds())
    assert frozenset({"anton"}) == policy.environment("sandbox-anton").owners


# -- hostile documents -----------------------------------------------------------------


def test_keys_holding_control_characters_are_shown_escaped() -> None:
    """A key with a newline or an escape sequence is quoted and escaped, never printed raw."""
    text = reference_with(
        'name = "reference"', 'name = "reference"\n"ok\\nreleasekit.toml: valid" = 1'
    ).replace("[windows.production]", '[windows."prod\\u001b[2J"]')

    found = problems_of(text)

    assert (
        (
            '"ok\\u000areleasekit.toml: valid": unknown top-level key; use name, description, '
            "version_pattern, people, freeze_declarers, windows, environments, freezes, flows"
        ),
        (
            "environments[4].gate[3].window: there is no window 'production'; define "
            '[windows.production] (defined: "prod\\u001b[2J")'
        ),
    ) == found


def test_a_file_that_is_not_utf8_is_a_policy_file_error(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported with their offset, not a UnicodeDecodeError."""
    path = tmp_path / "releasekit.toml"
    path.write_bytes(b'name = "caf\xe9"\n')

    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.load_policy(path)

    assert (
        (
            "the file is not UTF-8 text: byte 0xe9 at offset 11 is not valid UTF-8; save the file "
            "as UTF-8"
        ),
    ) == caught.value.problems


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    """A UTF-8 file an editor saved with a byte-order mark reads like any other."""
    path = tmp_path / "releasekit.toml"
    path.write_bytes(b"\xef\xbb\xbf" + REFERENCE.encode())

    assert rk.reference_policy() == rk.load_policy(path)


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 40 + "]" * 40,
        "[" * 100_000 + "]" * 100_000,
        "{ a = " * 40 + "1" + " }" * 40,
        "{ a = " * 50_000 + "1" + " }" * 50_000,
    ],
    ids=["lists-40", "lists-100000", "tables-40", "tables-50000"],
)
def test_deeply_nested_values_are_a_policy_file_error(nested: str) -> None:
    """However deep a value nests, the answer is a PolicyFileError, never a RecursionError."""
    (problem,) = problems_of(reference_with('owners = ["anton"]', f"owners = {nested}"))

    assert problem.endswith(
        "tables and lists are nested more than 32 levels deep; a policy file nests them at most "
        "32 levels deep"
    )


def test_a_file_larger_than_a_mebibyte_is_refused(tmp_path: Path) -> None:
    """A policy file holds at most 1 MiB; a larger one is refused without being parsed."""
    path = tmp_path / "releasekit.toml"
    path.write_text(REFERENCE + "#" * MAX_SIZE, encoding="utf-8")
    expected = (
        "the file is larger than 1024 KiB, the most a policy file may hold; is it the right file?",
    )

    with pytest.raises(rk.exceptions.PolicyFileError) as from_file:
        rk.load_policy(path)
    with pytest.raises(rk.exceptions.PolicyFileError) as from_text:
        rk.loads_policy(path.read_text(encoding="utf-8"))

    assert (expected, expected) == (from_file.value.problems, from_text.value.problems)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_file_that_never_ends_is_not_read_for_ever() -> None:
    """--policy /dev/zero is refused after 1 MiB instead of filling the memory."""
    with pytest.raises(rk.exceptions.PolicyFileError, match="larger than 1024 KiB"):
        rk.load_policy("/dev/zero")


def test_a_folder_is_not_a_policy_file(tmp_path: Path) -> None:
    """Naming a directory says the file cannot be read."""
    with pytest.raises(rk.exceptions.PolicyFileError) as caught:
        rk.load_policy(tmp_path)

    assert ("cannot read the file (Is a directory)",) == caught.value.problems


# -- on the command line -----------------------------------------------------------------


def test_policy_check_of_a_file_that_is_not_utf8(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """`policy check` reports a non-UTF-8 file as one problem: exit 1, one JSON document."""
    (tmp_path / "latin1.toml").write_bytes(b'name = "caf\xe9"\n')

    ran = cli("--json", "policy", "check", "latin1.toml")

    assert (1, "") == (ran.code, ran.err)
    assert [
        (
            "the file is not UTF-8 text: byte 0xe9 at offset 11 is not valid UTF-8; save the file "
            "as UTF-8"
        )
    ] == json.loads(ran.out)["problems"]


def test_policy_show_of_a_file_that_is_not_utf8(cli: Callable[..., Ran], tmp_path: Path) -> None:
    """`policy show` of a non-UTF-8 file is an error (exit 2), not a traceback."""
    (tmp_path / "latin1.toml").write_bytes(b'name = "caf\xe9"\n')

    ran = cli("--policy", "latin1.toml", "--json", "policy", "show")

    assert (2, "PolicyFileError") == (ran.code, ran.json["error"]["type"])


def test_commands_refuse_a_policy_of_the_wrong_types(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    """Every command reading a policy with a string for a list exits 2 and names the path."""
    (tmp_path / "team.toml").write_text(reference_with('owners = ["anton"]', 'owners = "anton"'))

    ran = cli("--policy", "team.toml", "--actor", "a", "start", "1.0")

    assert 2 == ran.code
    assert '  environments[0].owners: "anton" is a string, not a list' in ran.err
