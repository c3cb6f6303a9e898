import releasekit.stores
from releasekit import stores


def test_the_stores_module_exports_exactly_its_public_names() -> None:
    """releasekit.stores lists every public name in __all__, once, and nothing else."""
    public = {name for name in dir(stores) if not name.startswith(("_", "@"))} - {"annotations"}

    assert (public, len(public)) == (set(stores.__all__), len(stores.__all__))


def test_the_stores_module_is_reachable_from_the_package() -> None:
    """`import releasekit.stores` and `from releasekit import stores` give one module."""
    assert releasekit.stores is stores
