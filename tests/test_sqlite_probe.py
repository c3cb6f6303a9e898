"""Asking a SQLite file whether it holds releases without opening the store."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

import pytest

import releasekit as rk
from cli_harness import Ran, fixture_cli, fixture_db, ok  # noqa: F401  # pytest finds fixtures by name here
from legacy import write_schema_2_store
from releasekit._interfaces.cli import ExitCode
from releasekit._records.sqlite_probe import SCHEMA_VERSION, holds_releases
from releasekit._records.sqlite_schema import MIGRATIONS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def files(folder: Path) -> dict[str, bytes]:
    """Every file in *folder*, with what it holds."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def started(path: Path) -> Path:
    """A store at *path* holding one release."""
    with rk.stores.SqliteStore(path) as store:
        rk.Desk(rk.reference_policy(), store=store).start("2.4.0", by="anton")
    return path


def test_the_schema_it_reads_is_the_current_one() -> None:
    """The probe reads files at the schema the store writes: one version per migration."""
    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_a_missing_file_holds_no_release_and_is_not_created(tmp_path: Path) -> None:
    """No file: no releases, and still no file."""
    assert (False, {}) == (holds_releases(str(tmp_path / "releases.db")), files(tmp_path))


def test_a_current_file_is_read_and_left_as_it_was(tmp_path: Path) -> None:
    """An empty store and one with a release: answered, the folder byte for byte the same."""
    empty, full = tmp_path / "empty.db", started(tmp_path / "full.db")
    rk.stores.SqliteStore(empty).close()
    before = files(tmp_path)

    assert ((False, True), before) == (
        (holds_releases(str(empty)), holds_releases(str(full))),
        files(tmp_path),
    )


def test_an_older_file_is_left_to_the_store_to_migrate(tmp_path: Path) -> None:
    """A file of schema 2 cannot be told without migrating it: None, and it is untouched."""
    path = write_schema_2_store(tmp_path / "old.db")
    before = files(tmp_path)

    assert (None, before) == (holds_releases(str(path)), files(tmp_path))


@pytest.mark.parametrize(
    "spoil",
    [
        f"PRAGMA user_version = {SCHEMA_VERSION + 1}",
        "PRAGMA application_id = 42",
    ],
)
def test_a_newer_or_foreign_file_cannot_be_told(tmp_path: Path, spoil: str) -> None:
    """A newer releasekit's file, another application's: None, for the store to refuse."""
    path = started(tmp_path / "releases.db")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(spoil)

    assert holds_releases(str(path)) is None


@pytest.mark.parametrize("name", ["notes.txt", "folder", "x" * 300])
def test_what_is_no_store_cannot_be_told(tmp_path: Path, name: str) -> None:
    """A text file, a folder, a name too long for any file: None, never an exception."""
    path = tmp_path / name
    if name == "notes.txt":
        path.write_text("releases: none\n" * 100, encoding="utf-8")
    elif name == "folder":
        path.mkdir()

    assert holds_releases(str(path)) is None


def test_status_on_a_newer_file_is_refused_as_before(cli: Callable[..., Ran], db: Path) -> None:
    """The probe cannot tell, so `status` opens the store, which refuses the file: exit 2."""
    rk.stores.SqliteStore(db).close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    ran = cli("--json", "status")

    assert (ExitCode.ERROR, "SchemaVersionError") == (ran.code, ran.json["error"]["type"])


def test_status_on_an_older_file_migrates_it_and_lists_its_releases(
    cli: Callable[..., Ran], db: Path
) -> None:
    """A store of schema 2 holding releases: migrated by the store, and listed."""
    write_schema_2_store(db)

    ran = ok(cli("--json", "status", "--all"))

    assert [] != [release["id"] for release in ran.json["releases"]]
