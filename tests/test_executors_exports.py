"""releasekit.executors is a curated public namespace."""

from releasekit import executors


def test_all_lists_exactly_the_public_names() -> None:
    """executors.__all__ holds every public name and nothing else."""
    public = {name for name in dir(executors) if name.isidentifier() and not name.startswith("_")}

    assert public == set(executors.__all__)


def test_all_is_sorted() -> None:
    """The names are listed in sorted order."""
    assert sorted(executors.__all__) == executors.__all__


def test_every_public_name_is_documented() -> None:
    """Each class and function in the namespace has a docstring."""
    undocumented = [
        name
        for name in executors.__all__
        if callable(obj := getattr(executors, name))
        and isinstance(obj, type | type(executors.dry_run))
        and not (obj.__doc__ or "").strip()
    ]

    assert [] == undocumented
