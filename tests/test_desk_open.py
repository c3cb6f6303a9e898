"""The front door: Desk.open, rk.open_store, the desk as a context manager, its checked parts."""

import re
import subprocess
import sys
from pathlib import Path

import attrs
import pendulum
import pytest

import pgserver
import releasekit as rk
from releasekit import executors

ROOT = Path(__file__).parent.parent
FRIDAY = pendulum.datetime(2026, 11, 27, 9, 0, tz="UTC")


def closed(store: rk.stores.Store) -> bool:
    """Whether *store* was closed: reading it is refused."""
    try:
        store.list_releases()
    except rk.exceptions.StoreError as error:
        return "closed" in str(error)
    return False


# -- rk.open_store --------------------------------------------------------------------


@pytest.mark.parametrize("given", ["releases.db", "sqlite:///releases.db"])
def test_a_path_or_a_sqlite_url_opens_a_sqlite_file(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative path and sqlite:///path both name the same file, created with its schema."""
    monkeypatch.chdir(tmp_path)

    with rk.open_store(given) as store:
        kind = type(store)

    assert (rk.stores.SqliteStore, True) == (kind, (tmp_path / "releases.db").is_file())


def test_an_absolute_sqlite_url_and_a_path_object_open_that_file(tmp_path: Path) -> None:
    """sqlite:////absolute/path (four slashes) and a Path name the file where it is."""
    with (
        rk.open_store(f"sqlite:///{tmp_path / 'a.db'}") as first,
        rk.open_store(tmp_path / "b.db") as second,
    ):
        kinds = (type(first), type(second))

    assert ((rk.stores.SqliteStore, rk.stores.SqliteStore), ["a.db", "b.db"]) == (
        kinds,
        sorted(path.name for path in tmp_path.iterdir()),
    )


@pytest.mark.parametrize("given", [":memory:", "sqlite:///:memory:"])
def test_memory_opens_a_store_in_this_process(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """:memory: is a store of this process, and writes no file anywhere."""
    monkeypatch.chdir(tmp_path)

    with rk.open_store(given) as store:
        kind = type(store)

    assert (rk.stores.MemoryStore, []) == (kind, list(tmp_path.iterdir()))


def test_a_postgresql_url_opens_the_database(request: pytest.FixtureRequest) -> None:
    """postgresql://… opens a PostgreSQL store on that database."""
    server = request.getfixturevalue("postgres")
    url = pgserver.url(server.schema_dsn())

    with rk.open_store(url) as store:
        assert isinstance(store, rk.stores.PostgresStore)
        assert [] == store.list_releases()


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("releases\x00.db", "NUL"),
        ("mysql://db.example/releases", "mysql URL"),
        ("sqlite://releases.db", "three slashes"),
        ("sqlite:///", "names no file"),
        ("SQLITE:///x.db", "SQLITE URL"),
        ("-x", "starts with '-'"),
        ("--db=releases.db", "starts with '-'"),
        ("host=localhost dbname=releases", "connection string"),
        ("dbname = releases", "connection string"),
    ],
)
def test_what_names_no_store_is_refused_and_nothing_is_written(
    given: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty, NUL, another database's URL, a malformed URL, an option, a libpq string: refused."""
    monkeypatch.chdir(tmp_path)

    with pytest.raises(rk.exceptions.InvalidInputError, match=said) as refused:
        rk.open_store(given)

    assert ("store", given, []) == (refused.value.field, refused.value.value, [*tmp_path.iterdir()])
    assert "postgresql://" in str(refused.value)


def test_a_file_named_like_an_option_opens_through_its_path(tmp_path: Path) -> None:
    """A file whose name starts with '-' is opened when written as ./-x or given as a Path."""
    for given in (f"{tmp_path}/-x.db", tmp_path / "-y.db"):
        with rk.open_store(given) as store:
            assert [] == store.list_releases()

    assert ["-x.db", "-y.db"] == sorted(path.name for path in tmp_path.glob("-*.db"))


def test_a_value_of_another_type_is_refused() -> None:
    """A number or a store object is no path or URL."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="got int") as refused:
        rk.open_store(42)  # type: ignore[arg-type]  # what an untyped caller may pass

    assert "store" == refused.value.field


# -- Desk.open ---------------------------------------------------------------------------


def test_desk_open_reads_a_policy_file_and_opens_the_store_it_names(tmp_path: Path) -> None:
    """A policy path is loaded as rk.load_policy loads it; a store path becomes a SQLite store."""
    policy_file = tmp_path / "releasekit.toml"
    policy_file.write_text(rk.reference_policy_file(), encoding="utf-8")

    with rk.Desk.open(policy=str(policy_file), store=tmp_path / "releases.db") as desk:
        started = desk.start("2.4.0", by="anton")

    with rk.stores.SqliteStore(tmp_path / "releases.db") as again:
        kept = [row.id for row in again.list_releases()]
    assert (rk.load_policy(policy_file), ["2.4.0"]) == (desk.policy, kept)
    assert "sandbox-anton" == started.state


def test_desk_open_with_nothing_named_is_the_reference_policy_in_memory_as_a_dry_run() -> None:
    """No policy, store or executors: the reference policy, a store in memory, a dry run."""
    with rk.Desk.open(clock=rk.FixedClock(FRIDAY)) as desk:
        record = desk.promote(desk.start("2.4.0", by="anton").id, by="anton")

    assert (rk.reference_policy(), rk.stores.MemoryStore, "tests") == (
        desk.policy,
        type(desk.store),
        record.state,
    )
    assert isinstance(desk.executors.deployer("tests"), executors.DryRunExecutor)


def test_the_with_block_closes_the_store_the_desk_opened_even_when_it_raises(
    tmp_path: Path,
) -> None:
    """Leaving the block — on an error too — closes the store Desk.open opened."""
    with (
        pytest.raises(rk.exceptions.UnknownReleaseError),
        rk.Desk.open(store=tmp_path / "r.db") as desk,
    ):
        desk.get("9.9.9")

    assert closed(desk.store)


def test_a_store_passed_as_an_object_stays_open_after_close(tmp_path: Path) -> None:
    """close() closes what the desk opened, never a store its caller passed in."""
    with rk.stores.SqliteStore(tmp_path / "r.db") as mine:
        with rk.Desk.open(store=mine) as desk:
            desk.start("2.4.0", by="anton")
        desk.close()

        assert (False, ["2.4.0"]) == (closed(mine), [row.id for row in mine.list_releases()])


def test_close_may_be_called_again_and_a_desk_built_from_parts_closes_nothing(
    tmp_path: Path,
) -> None:
    """close() twice is harmless; Desk(...) opened nothing, so its close() leaves its store."""
    store = rk.stores.SqliteStore(tmp_path / "r.db")
    with rk.Desk(rk.reference_policy(), store=store) as built:
        pass
    opened = rk.Desk.open(store=tmp_path / "s.db")
    opened.close()
    opened.close()

    assert (False, True) == (closed(built.store), closed(opened.store))
    store.close()


@pytest.mark.parametrize(
    ("choice", "kind"),
    [("dry-run", executors.DryRunExecutor), ("dt", executors.DtExecutor)],
)
def test_executors_named_as_the_command_names_them(choice: str, kind: type) -> None:
    """A dry run records every call; dt runs the dt on the PATH, as --executors names them."""
    with rk.Desk.open(executors=choice) as desk:
        deployer = desk.executors.deployer("production")

    assert kind is type(deployer)


@pytest.mark.parametrize("choice", ["DT", " dt", "ansible", "-dt", "dt\n"])
def test_an_executor_name_is_one_of_the_three_exactly(choice: str, tmp_path: Path) -> None:
    """A name in capitals, with spaces, an option or a newline names nothing; nothing is opened."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="dry-run, dt, plugins") as refused:
        rk.Desk.open(store=tmp_path / "r.db", executors=choice)

    assert ("executors", []) == (refused.value.field, [*tmp_path.iterdir()])


def test_a_bad_policy_file_opens_no_store(tmp_path: Path) -> None:
    """A policy file that does not load is reported, and the store it came with is not created."""
    policy_file = tmp_path / "releasekit.toml"
    policy_file.write_text("[environments.tests]\nowners = 3\n", encoding="utf-8")

    with pytest.raises(rk.exceptions.PolicyFileError):
        rk.Desk.open(policy=policy_file, store=tmp_path / "r.db")

    assert ["releasekit.toml"] == [path.name for path in tmp_path.iterdir()]


def test_a_bad_clock_opens_no_store(tmp_path: Path) -> None:
    """A clock of the wrong kind is refused before the store is opened."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="FixedClock"):
        rk.Desk.open(store=tmp_path / "r.db", clock=FRIDAY)

    assert [] == list(tmp_path.iterdir())


def test_the_command_reads_a_sqlite_url_as_open_store_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`releasekit --db sqlite:///…` reads the store as Desk.open does: the same file."""
    monkeypatch.chdir(tmp_path)
    with rk.Desk.open(store="releases.db", clock=rk.FixedClock(FRIDAY)) as desk:
        desk.start("2.4.0", by="anton")

    shown = subprocess.run(  # our own command
        [sys.executable, "-m", "releasekit", "--db", "sqlite:///releases.db", "--json", "status"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )

    assert (0, True) == (shown.returncode, '"id": "2.4.0"' in shown.stdout), shown.stderr


# -- the parts are checked when the desk is built ------------------------------------------


@pytest.mark.parametrize(
    ("given", "advice"),
    [
        (executors.DryRunExecutor(), r"executors\.dry_run\(recorder\)"),
        (executors.DtExecutor(), r"executors\.dt\(executor\)"),
        ("dt", r"Desk\.open\(executors='dt'\)"),
        (object(), r"executors\.dry_run\(\), executors\.dt\(\)"),
    ],
)
def test_one_executor_where_a_registry_belongs_is_refused_at_once(
    given: object, advice: str
) -> None:
    """A DryRunExecutor (or a dt, or a name) passed as executors fails when the desk is built."""
    with pytest.raises(rk.exceptions.InvalidInputError, match=advice) as refused:
        rk.Desk(rk.reference_policy(), executors=given)  # type: ignore[arg-type]

    assert ("executors", given) == (refused.value.field, refused.value.value)
    assert "Registry" in str(refused.value)


def test_a_plug_in_executor_where_a_registry_belongs_is_told_how_to_register_it() -> None:
    """Any object with an executor's methods is refused with the call that registers it."""

    class Deploys:
        def deploy(self, request: executors.DeployRequest, /) -> executors.Outcome:
            return executors.Outcome.success(f"deployed {request.version}")

    with pytest.raises(rk.exceptions.InvalidInputError, match=r"register_all\(executor\)"):
        rk.Desk(rk.reference_policy(), executors=Deploys())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "given", "advice"),
    [
        ("policy", "releasekit.toml", r"Desk\.open\(policy='releasekit\.toml'\)"),
        ("policy", Path("releasekit.toml"), r"rk\.load_policy\('releasekit\.toml'\)"),
        ("policy", {"environments": []}, r"rk\.reference_policy\(\)"),
        ("store", "releases.db", r"rk\.open_store\('releases\.db'\)"),
        ("store", rk.stores.SqliteStore, r"rk\.stores\.SqliteStore\(path\)"),
        ("clock", FRIDAY, r"rk\.FixedClock\(that instant\)"),
        ("clock", rk.FixedClock, r"rk\.SystemClock\(\)"),
    ],
)
def test_a_part_of_the_wrong_kind_is_refused_naming_what_to_pass(
    field: str, given: object, advice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path where a policy or store belongs, a class, a datetime: refused, and no file written."""
    monkeypatch.chdir(tmp_path)
    parts: dict[str, object] = {"policy": rk.reference_policy(), field: given}

    with pytest.raises(rk.exceptions.InvalidInputError, match=advice) as refused:
        rk.Desk(**parts)  # type: ignore[arg-type]

    assert (field, []) == (refused.value.field, [*tmp_path.iterdir()])


def test_the_parts_of_a_built_desk_cannot_be_replaced() -> None:
    """Every room works with the desk's one store: assigning another is refused."""
    desk = rk.Desk(rk.reference_policy())

    with pytest.raises(attrs.exceptions.FrozenAttributeError):
        desk.store = rk.stores.MemoryStore()


# -- one answer for every question about a release ----------------------------------------


def test_start_and_get_answer_with_the_same_record() -> None:
    """desk.start() returns what desk.get() returns for the release: its Record."""
    desk = rk.Desk(rk.reference_policy(), clock=rk.FixedClock(FRIDAY))

    started = desk.start("2.4.0", by="anton")

    assert (rk.stores.Record, desk.get(started.id)) == (type(started), started)


def test_every_step_answers_with_the_record_to_name_the_next_one() -> None:
    """promote, record and run_tests return the Record; its revision names the next step."""
    clock = rk.FixedClock(FRIDAY)
    desk = rk.Desk(rk.reference_policy(), clock=clock)
    record = desk.start("2.4.0", by="anton")

    record = desk.promote(record.id, by="anton", to="tests", revision=record.revision)
    clock.advance(minutes=20)
    record = desk.run_tests(record.id, by="ci")
    record = desk.promote(record.id, by="maria", to="sandbox", revision=record.revision)

    assert (rk.stores.Record, "sandbox", desk.get(record.id)) == (
        type(record),
        record.state,
        record,
    )


# -- the README's release, run as a script ------------------------------------------------------


def test_the_readme_release_runs_as_a_script_through_desk_open(tmp_path: Path) -> None:
    """The README's desk block, alone in a file: Desk.open and a with block take 2.4.0 to tests."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [
        text
        for text in re.findall(r"^```python\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
        if "Desk.open(" in text
    ]
    assert "rk.Desk(" not in block
    script = tmp_path / "release.py"
    script.write_text(block, encoding="utf-8")

    ran = subprocess.run(  # noqa: S603  # the README's own code
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )

    assert (0, "") == (ran.returncode, ran.stderr)
    assert [
        "('dt', 'deploy', 'stage', '2.4.0')",
        "tests 3 ['started', 'step-started', 'step-finished']",
        "True",
    ] == ran.stdout.splitlines()
    assert ["release.py"] == [path.name for path in tmp_path.iterdir()]
