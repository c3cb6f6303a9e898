import releasekit
from releasekit import exceptions, guards


def public_names(module: object) -> set[str]:
    """Names a user sees, less those pytest's assertion rewriting adds to plugin packages."""
    return {name for name in dir(module) if not name.startswith(("_", "@"))}


def test_all_lists_exactly_the_public_names() -> None:
    """releasekit.__all__ is the curated public namespace, nothing missing or extra."""
    assert public_names(releasekit) - {"annotations"} == set(releasekit.__all__) - {"__version__"}


def test_all_is_sorted() -> None:
    """The public namespace is listed in sorted order."""
    assert sorted(releasekit.__all__) == releasekit.__all__


def test_submodules_export_exactly_their_public_names() -> None:
    """guards and exceptions list their public names in __all__."""
    for module in (guards, exceptions):
        assert public_names(module) - {"annotations", "TYPE_CHECKING"} == set(module.__all__)


def test_the_version_is_known() -> None:
    """The installed version is exposed as __version__."""
    assert releasekit.__version__
