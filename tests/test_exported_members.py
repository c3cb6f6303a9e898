import ast
import importlib
from pathlib import Path

import releasekit
from releasekit import calendars, exceptions, guards

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
    """guards, exceptions and calendars list their public names in __all__."""
    for module in (guards, exceptions, calendars):
        assert public_names(module) == set(module.__all__)


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
