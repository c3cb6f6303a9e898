import ast
import importlib
import re
import types
from pathlib import Path

import releasekit
from releasekit import board, calendars, exceptions, executors, guards, stores, testing

#: Every public module, the package first.
PUBLIC_MODULES = (releasekit, exceptions, stores, executors, guards, calendars, board, testing)

#: The API reference page.
API_PAGE = Path(__file__).parent.parent / "docs" / "api.md"

#: Names a module may hold without exporting them: typing helpers.
HELPERS = {"annotations", "TYPE_CHECKING", "Any"}


def public_names(module: object) -> set[str]:
    """Names a user sees, less those pytest's assertion rewriting adds to plugin packages."""
    return {name for name in vars(module) if not name.startswith(("_", "@"))} - HELPERS


def test_every_exported_name_resolves() -> None:
    """Each name in releasekit.__all__ can be read, including those imported on first use."""
    missing = [name for name in releasekit.__all__ if not hasattr(releasekit, name)]

    assert [] == missing


def test_nothing_public_is_left_out_of_all() -> None:
    """Every public name the package holds is listed in __all__."""
    assert set() == public_names(releasekit) - set(releasekit.__all__)


def test_dir_shows_the_whole_public_namespace() -> None:
    """dir(releasekit) lists the lazily imported names too, for completion in editors."""
    assert set(releasekit.__all__) <= set(dir(releasekit))


def test_all_is_sorted() -> None:
    """The public namespace is listed in sorted order."""
    assert sorted(releasekit.__all__) == releasekit.__all__


def test_submodules_export_exactly_their_public_names() -> None:
    """Each public module lists its public names in __all__."""
    for module in (guards, exceptions, calendars, stores, executors):
        assert public_names(module) == set(module.__all__)


def exported() -> list[tuple[str, object]]:
    """Each exported name, qualified by its public module, and what it names (modules aside)."""
    return [
        (f"{module.__name__}.{name}", getattr(module, name))
        for module in PUBLIC_MODULES
        for name in module.__all__
        if name != "__version__" and not isinstance(getattr(module, name), types.ModuleType)
    ]


def test_each_public_name_is_exported_from_one_place() -> None:
    """No class, function or constant is exported by two public modules: each has one home."""
    homes: dict[int, list[str]] = {}
    for qualified, value in exported():
        homes.setdefault(id(value), []).append(qualified)

    assert [] == [names for names in homes.values() if len(names) > 1]


def test_errors_live_in_exceptions_and_stores_in_stores() -> None:
    """Errors are exported by exceptions only; stores and records by stores."""
    top = set(releasekit.__all__)

    assert (set(), set()) == (
        {name for name in top if name.endswith("Error")},
        top & {"Ledger", "MemoryStore", "PostgresStore", "Record", "ReleaseSummary", "SqliteStore"},
    )


def listed_in_the_api_reference() -> set[str]:
    """Every name the API page documents: as a member of a module, or on its own."""
    page = API_PAGE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^::: (releasekit[\w.]*)$", page, re.MULTILINE))
    for block in re.split(r"^(?=::: )", page, flags=re.MULTILINE):
        header = re.match(r"::: (releasekit[\w.]*)\n", block)
        if header is not None:
            members = re.findall(r"^ {8}- (\w+)$", block, re.MULTILINE)
            listed |= {f"{header.group(1)}.{member}" for member in members}
    return listed


def test_every_public_name_is_listed_in_the_api_reference() -> None:
    """docs/api.md lists each exported name under the one module that exports it."""
    names = {qualified for qualified, _ in exported()}

    assert set() == names - listed_in_the_api_reference()


def test_the_version_is_known() -> None:
    """The installed version is exposed as __version__."""
    assert releasekit.__version__


def typed_names() -> dict[str, str]:
    """Each name the package imports for type checkers, and the module it names it from."""
    source = Path(releasekit.__file__ or "").read_text(encoding="utf-8")
    block = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    return {
        alias.name: node.module or ""
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module != "typing"
        for alias in node.names
    }


def test_every_name_read_at_run_time_is_the_one_type_checkers_see() -> None:
    """Each name, imported on first use, is the object the package's typed imports name."""
    typed = typed_names()
    differing = [
        name
        for name, module in typed.items()
        if getattr(releasekit, name)
        is not (
            importlib.import_module(f"{module}.{name}")
            if module == "releasekit"
            else getattr(importlib.import_module(module), name)
        )
    ]

    assert (set(releasekit.__all__) - {"__version__"}, []) == (set(typed), differing)
