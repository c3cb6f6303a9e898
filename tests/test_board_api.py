"""The board's JSON API answers the very documents `releasekit --json` prints, and nothing more."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient

import board_store
import releasekit as rk
from releasekit import board
from releasekit._interfaces import cli

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="module")
def week(
    seeded_week: board_store.Seeded, tmp_path_factory: pytest.TempPathFactory
) -> board_store.Seeded:
    return board_store.copy(seeded_week, tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def client(week: board_store.Seeded) -> Iterator[TestClient]:
    app = board.create_app(
        db=week.db, policy=week.policy, clock=rk.FixedClock(week.now), environ={}
    )
    with TestClient(app) as opened:
        yield opened


def command_line(
    week: board_store.Seeded, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, object]:
    """Run `releasekit --json ARGV` on the week's store at its instant: exit code and document."""
    capsys.readouterr()
    code = cli.main(
        [
            "--db",
            str(week.db),
            "--policy",
            str(week.policy),
            "--now",
            week.now.isoformat(),
            "--json",
            *argv,
        ],
        environ={},
    )
    return code, json.loads(capsys.readouterr().out)


SAME = [
    ("/api/status", ["status"]),
    ("/api/status?release=2.4.0", ["status", "2.4.0"]),
    ("/api/status?all=true", ["status", "--all"]),
    ("/api/status?limit=2&after=2.4.0", ["status", "--limit", "2", "--after", "2.4.0"]),
    ("/api/explain?release=2.5.0", ["explain", "2.5.0"]),
    ("/api/explain?release=2.4.1", ["explain", "2.4.1"]),
    ("/api/explain?release=2.2.0", ["explain", "2.2.0"]),
    ("/api/plan?release=2.5.0", ["plan", "2.5.0"]),
    ("/api/history?release=2.3.0", ["history", "2.3.0"]),
    ("/api/verify", ["verify"]),
    ("/api/verify?id=2.4.0", ["verify", "2.4.0"]),
    ("/api/verify?id=adjustment-1", ["verify", "adjustment-1"]),
    ("/api/windows", ["windows"]),
    (
        "/api/windows?count=5&after=2026-12-01T00:00Z",
        ["windows", "--count", "5", "--after", "2026-12-01T00:00Z"],
    ),
    ("/api/diagram?release=2.4.1", ["diagram", "2.4.1"]),
    ("/api/diagram?kind=hotfix", ["diagram", "--kind", "hotfix"]),
    ("/api/monitoring?release=2.3.0", ["monitoring", "2.3.0"]),
    ("/api/deployments", ["deployments"]),
    ("/api/deployments?environment=stage", ["deployments", "--environment", "stage"]),
    ("/api/data/list", ["data", "list"]),
    ("/api/data/show?id=adjustment-1", ["data", "show", "adjustment-1"]),
    ("/api/freezes", ["freeze", "list"]),
]


@pytest.mark.parametrize(("path", "argv"), SAME, ids=[path for path, _ in SAME])
def test_each_endpoint_answers_what_the_command_prints(
    path: str,
    argv: list[str],
    client: TestClient,
    week: board_store.Seeded,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GET /api/COMMAND is `releasekit --json COMMAND`: the document and the exit code."""
    expected = command_line(week, argv, capsys)

    answered = client.get(path)

    assert (200, "application/json") == (
        answered.status_code,
        answered.headers["content-type"].split(";")[0],
    )
    assert expected == (int(answered.headers["x-releasekit-exit-code"]), answered.json())


ERRORS = [
    ("/api/status?release=9.9.9", ["status", "9.9.9"], 404),
    ("/api/data/show?id=adjustment-9", ["data", "show", "adjustment-9"], 404),
    ("/api/windows?count=0", ["windows", "--count", "0"], 400),
    ("/api/windows?after=friday", ["windows", "--after", "friday"], 400),
    ("/api/diagram?kind=urgent", ["diagram", "--kind", "urgent"], 400),
    ("/api/data/list?environment=nowhere", ["data", "list", "--environment", "nowhere"], 400),
    ("/api/monitoring?release=2.5.0", ["monitoring", "2.5.0"], 400),
    ("/api/status?limit=1001", ["status", "--limit", "1001"], 400),
    ("/api/status?release=2.4.0&all=1", ["status", "2.4.0", "--all"], 400),
]


@pytest.mark.parametrize(("path", "argv", "status"), ERRORS, ids=[path for path, _, _ in ERRORS])
def test_an_error_is_the_command_s_error_document_with_an_http_status(
    path: str,
    argv: list[str],
    status: int,
    *,
    client: TestClient,
    week: board_store.Seeded,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unknown release is a 404, bad input a 400; the body is the command's {"error": ...}."""
    expected = command_line(week, argv, capsys)

    answered = client.get(path)

    assert (status, expected) == (
        answered.status_code,
        (int(answered.headers["x-releasekit-exit-code"]), answered.json()),
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/explain", "the query parameter 'release' is required"),
        ("/api/status?db=/etc/passwd", "unknown query parameter 'db'; /api/status takes release"),
        ("/api/status?now=2030-01-01T00:00Z", "unknown query parameter 'now'"),
        ("/api/windows?count=2&count=3", "the query parameter 'count' is given twice"),
        ("/api/deployments?executors=dt", "unknown query parameter 'executors'"),
        ("/api/status?all=maybe", "all='maybe' is neither true nor false"),
    ],
)
def test_a_parameter_the_command_does_not_take_is_a_usage_error(
    path: str, message: str, client: TestClient
) -> None:
    """Neither the store, the clock nor the executors can be chosen through a query."""
    answered = client.get(path)

    error = answered.json()["error"]
    assert (400, "UsageError", 2) == (answered.status_code, error["type"], error["exit_code"])
    assert error["message"].startswith(message)


@pytest.mark.parametrize(
    "release_id",
    [
        "a/b/../c",
        "x<img/src=x/onerror=alert(1)>",
        "rünï",
        "r1&show=all#x",
        "a/../../b",
        "2.4.0+b.5",
    ],
)
def test_a_release_id_is_read_as_it_is_written(release_id: str, tmp_path: Path) -> None:
    """An id holding a slash, markup, query characters or dots names that very release."""
    store = rk.stores.SqliteStore(tmp_path / "releases.db")
    desk = rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(board_store.NOW))
    desk.start("2.4.0", by="anton", release_id=release_id)
    store.close()
    app = board.create_app(
        db=tmp_path / "releases.db", clock=rk.FixedClock(board_store.NOW), environ={}
    )

    with TestClient(app) as client:
        answered = client.get("/api/status", params={"release": release_id})
        explained = client.get("/api/explain", params={"release": release_id})

    assert (200, release_id) == (answered.status_code, answered.json()["release"]["id"])
    assert (release_id, "0") == (
        explained.json()["release_id"],
        explained.headers["x-releasekit-exit-code"],
    )


@pytest.mark.parametrize("given", ["-rf", "--db=/etc/passwd", "two words", "x\ny", "a:b", ""])
def test_a_release_no_store_can_hold_is_the_command_s_error(
    given: str,
    client: TestClient,
    week: board_store.Seeded,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A value starting with a dash is a value, never an option; a bad id is the command's error."""
    expected = command_line(week, ["status", "--", given], capsys)

    answered = client.get("/api/status", params={"release": given})

    assert (expected[0], expected[1]) == (
        int(answered.headers["x-releasekit-exit-code"]),
        answered.json(),
    )
    assert answered.status_code in {400, 404}


def test_the_index_lists_every_endpoint_with_its_command(client: TestClient) -> None:
    """GET /api names each endpoint, the command line it answers for, and its parameters."""
    listed = client.get("/api").json()["endpoints"]

    shown = {item["path"]: (item["command"], item["parameters"]) for item in listed}
    assert ("releasekit --json explain RELEASE", ["release"]) == shown["/api/explain"]
    assert (
        "releasekit --json windows [--count COUNT] [--after AFTER]",
        ["count", "after"],
    ) == shown["/api/windows"]
    assert 12 == len(listed)
