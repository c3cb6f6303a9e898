import subprocess
import sys

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


def test_importing_releasekit_leaves_stores_and_executors_for_later() -> None:
    """`import releasekit` loads the rules only; stores, executors and cattrs load on first use."""
    code = (
        "import sys, releasekit; "
        "print(sorted(m for m in ('releasekit.stores', 'releasekit.executors', 'cattrs', "
        "'psycopg', 'hypothesis') if m in sys.modules))"
    )

    loaded = subprocess.run(  # noqa: S603  # runs this interpreter on a fixed snippet
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert "[]" == loaded
