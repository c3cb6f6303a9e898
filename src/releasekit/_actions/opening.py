"""The front door: what a script names — a policy file, a database, executors — made into parts.

:func:`open_store` opens a store from a path or URL; :func:`open_policy` and
:func:`open_executors` turn a path or a name into a policy and a registry.
:meth:`Desk.open <releasekit.Desk.open>` and the ``releasekit`` command resolve
their arguments through these, so a script and the command read ``releases.db``
or ``postgresql://…`` the same way. The ``check_*`` functions are the desk's
validators: a part of the wrong kind is refused when the desk is built, with
the name of what to pass instead, not at its first use.

Opening a store loads nothing beyond it: the command opens stores through
:func:`open_store` on paths that build no desk (``releasekit status``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from releasekit._actions.executors.registry import Registry
    from releasekit._records.store import Store
    from releasekit._rules.clock import Clock
    from releasekit._rules.policy import Policy

__all__ = [
    "EXECUTOR_CHOICES",
    "check_clock",
    "check_executors",
    "check_policy",
    "check_store",
    "open_executors",
    "open_parts",
    "open_policy",
    "open_store",
    "sqlite_file",
    "validator",
]

_Built = TypeVar("_Built")

#: The executors a name chooses (``Desk.open(executors=...)``, ``releasekit --executors``).
EXECUTOR_CHOICES = ("dry-run", "dt", "plugins")
#: The URL schemes of a PostgreSQL database.
_POSTGRES = ("postgresql://", "postgres://")
#: The URL prefix of a SQLite file, as SQLAlchemy writes it: ``sqlite:///relative/path``,
#: ``sqlite:////absolute/path``.
_SQLITE = "sqlite:///"
#: A store in this process only.
MEMORY = ":memory:"
#: What names a store, for an error.
_STORE_FORMS = "a SQLite file's path, sqlite:///path, postgresql://… or :memory:"


def _kind(value: object) -> str:
    """Name the kind of *value* for an error: its class, with its module if not built in."""
    kind = type(value)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def open_store(url_or_path: str | os.PathLike[str]) -> Store:
    """Open the store a path or URL names; the caller closes it (it is a context manager).

    - ``"releases.db"``, ``Path("releases.db")`` or ``"sqlite:///releases.db"``:
      a SQLite file, created with its schema if it does not exist
      (``sqlite:////var/lib/releases.db`` for an absolute path);
    - ``"postgresql://user@host/db"`` (or ``postgres://``): a PostgreSQL database
      (needs ``pip install 'releasekit[postgres]'``);
    - ``":memory:"``: a store in this process only, gone when it is closed.

    Example:
        >>> import releasekit as rk
        >>> with rk.open_store(":memory:") as store:
        ...     type(store).__name__
        'MemoryStore'

    Raises:
        InvalidInputError: The value is empty, holds a NUL character, or is a
            URL of another kind of database.
        StoreError: The store cannot be opened (a folder that does not exist,
            a server that does not answer).
    """
    kind, target = _resolve(url_or_path)
    if kind == "memory":
        from releasekit._records.memory import MemoryStore  # noqa: PLC0415  # on use

        return MemoryStore()
    if kind == "postgres":
        from releasekit._records.postgres import PostgresStore  # noqa: PLC0415  # optional

        return PostgresStore(target)
    from releasekit._records.sqlite import SqliteStore  # noqa: PLC0415  # on use

    return SqliteStore(target)


def sqlite_file(url_or_path: str | os.PathLike[str]) -> str | None:
    """Return the file of the SQLite store *url_or_path* names, or ``None`` if it names another.

    Raises:
        InvalidInputError: As :func:`open_store` does, for what names no store.
    """
    kind, target = _resolve(url_or_path)
    return target if kind == "sqlite" else None


def _resolve(url_or_path: object) -> tuple[str, str]:
    """Return which kind of store *url_or_path* names — memory, postgres, sqlite — and where."""
    location = _location(url_or_path)
    if location in {MEMORY, f"{_SQLITE}{MEMORY}"}:
        return "memory", location
    if location.startswith(_POSTGRES):
        return "postgres", location
    if location.startswith(_SQLITE):
        location = location.removeprefix(_SQLITE)
        if not location.strip():
            raise _bad_store(url_or_path, "names no file after sqlite:///")
    elif location.startswith("sqlite:"):
        raise _bad_store(url_or_path, "is no sqlite:///path (the path follows three slashes)")
    elif "://" in location:
        scheme = location.split(":", 1)[0]
        raise _bad_store(url_or_path, f"is a {scheme} URL, which releasekit cannot open")
    elif isinstance(url_or_path, str):  # a path object names a file, whatever its text
        _check_plain_path(url_or_path)
    return "sqlite", location


#: The start of a libpq connection string, ``host=db dbname=releases``.
_CONNINFO = re.compile(r"\s*[A-Za-z_]+\s*=")


def _check_plain_path(text: str) -> None:
    """Refuse a path given as text that reads as something else: an option, a libpq string."""
    if text.startswith("-"):
        raise _bad_store(
            text,
            "starts with '-', as an option does; for a file of that name write ./" + text,
        )
    if _CONNINFO.match(text):
        raise _bad_store(
            text,
            "reads as a PostgreSQL connection string; give it as a URL "
            "(postgresql://user@host/dbname), or write a file of that name as ./" + text,
        )


def _location(url_or_path: object) -> str:
    """Return the text of a store's path or URL, refusing what can name none."""
    if isinstance(url_or_path, os.PathLike):
        url_or_path = os.fspath(url_or_path)
    if not isinstance(url_or_path, str):
        raise InvalidInputError(
            f"a store is opened from {_STORE_FORMS}, got {_kind(url_or_path)}",
            field="store",
            value=url_or_path,
        )
    if not url_or_path.strip():
        raise _bad_store(url_or_path, "is empty")
    if "\x00" in url_or_path:
        raise _bad_store(url_or_path, "holds a NUL character")
    return url_or_path


def _bad_store(value: object, problem: str) -> InvalidInputError:
    return InvalidInputError(
        f"the store {value!r} {problem}; name {_STORE_FORMS}", field="store", value=value
    )


def open_policy(source: Policy | str | os.PathLike[str] | None) -> Policy:
    """Return the policy *source* names: itself, the policy file at a path, or the reference policy.

    Raises:
        PolicyFileError: The file cannot be read, or is no valid policy (every problem at once).
        InvalidInputError: *source* is neither a policy nor a path.
    """
    if source is None:
        from releasekit._rules.reference import reference_policy  # noqa: PLC0415  # on use

        return reference_policy()
    if isinstance(source, str | os.PathLike):
        from releasekit._policy_files.policy_file import load_policy  # noqa: PLC0415  # on use

        return load_policy(Path(source))
    return check_policy(source)


def open_executors(choice: Registry | str | None) -> Registry:
    """Return the executors *choice* names: itself, or ``dry-run``, ``dt`` or ``plugins``.

    ``dt`` runs every capability through the team's ``dt`` on the ``PATH``
    (pass ``executors.dt(executors.DtExecutor(program=...))`` for another one);
    ``plugins`` through the executors installed plug-ins register. ``None`` is
    a dry run.

    Raises:
        InvalidInputError: A name that is none of these, or no registry.
        PluginLoadError: A plug-in failed to load.
    """
    if choice is None or choice == "dry-run":
        from releasekit._actions.executors.recording import dry_run  # noqa: PLC0415

        return dry_run()
    if choice == "dt":
        from releasekit._actions.executors import dt_tool  # noqa: PLC0415  # on use

        return dt_tool.dt()
    if choice == "plugins":
        from releasekit._actions.executors.registry import Registry  # noqa: PLC0415  # on use

        return Registry.with_plugins()
    if isinstance(choice, str):
        raise InvalidInputError(
            f"executors={choice!r} names no executors; name one of {', '.join(EXECUTOR_CHOICES)}, "
            f"or pass a Registry",
            field="executors",
            value=choice,
        )
    return check_executors(choice)


def open_parts(
    build: Callable[..., _Built],
    *,
    policy: Policy | str | os.PathLike[str] | None,
    store: Store | str | os.PathLike[str] | None,
    executors: Registry | str | None,
    clock: Clock | None,
) -> tuple[_Built, Store | None]:
    """Resolve each part *Desk.open* is given, build the desk, and return it with what it opened.

    *build* is called as ``build(policy, store=..., executors=..., clock=...)``.
    The store this opened (from a path or URL, or in memory) comes back
    beside the desk, for it to close; it is closed at once if *build* fails.

    Raises:
        PolicyFileError: The policy file cannot be read or is no valid policy.
        InvalidInputError: A part is of the wrong kind, or names nothing releasekit knows.
        StoreError: The store cannot be opened.
        PluginLoadError: An executor plug-in failed to load.
    """
    from releasekit._records.memory import MemoryStore  # noqa: PLC0415  # on use
    from releasekit._rules.clock import SystemClock  # noqa: PLC0415  # on use

    registry = open_executors(executors)
    rules = open_policy(policy)
    if clock is not None:
        check_clock(clock)
    if store is None or isinstance(store, str | os.PathLike):
        opened = MemoryStore() if store is None else open_store(store)
    else:
        opened = None
    try:
        built = build(
            rules,
            store=opened if opened is not None else check_store(store),
            executors=registry,
            clock=clock if clock is not None else SystemClock(),
        )
    except BaseException:
        if opened is not None:
            opened.close()
        raise
    return built, opened


# -- the desk's validators -------------------------------------------------------


def validator(check: Callable[[object], object]) -> Callable[[Any, Any, Any], None]:
    """Return an attrs validator that refuses what *check* refuses."""

    def validate(_instance: Any, _field: Any, value: Any) -> None:  # noqa: ANN401  # attrs' own
        check(value)

    return validate


def check_policy(value: object) -> Policy:
    """Return *value* if it is a :class:`~releasekit.Policy`; refuse anything else.

    Raises:
        InvalidInputError: Naming what to pass instead.
    """
    from releasekit._rules.policy import Policy  # noqa: PLC0415  # on use

    if isinstance(value, Policy):
        return value
    if isinstance(value, str | os.PathLike):
        hint = (
            f"read the file with Desk.open(policy={os.fspath(value)!r}) or "
            f"rk.load_policy({os.fspath(value)!r})"
        )
        got = f"the path {os.fspath(value)!r}"
    else:
        hint = "build one with rk.reference_policy(), rk.load_policy(path) or rk.Policy(...)"
        got = _kind(value)
    raise InvalidInputError(
        f"policy must be a releasekit Policy, not {got}; {hint}", field="policy", value=value
    )


def check_store(value: object) -> Store:
    """Return *value* if it is a store (it has every method of :class:`~releasekit.stores.Store`).

    Raises:
        InvalidInputError: Naming what to pass instead.
    """
    from releasekit._records.store import Store  # noqa: PLC0415  # on use

    if not isinstance(value, type) and isinstance(value, Store):
        return value
    if isinstance(value, str | os.PathLike):
        shown = os.fspath(value)
        message = (
            f"store must be an open store, not the location {shown!r}; open it with "
            f"Desk.open(store={shown!r}) or rk.open_store({shown!r})"
        )
    else:
        message = (
            f"store must be a releasekit store, not {_kind(value)}; pass "
            "rk.stores.SqliteStore(path), rk.stores.PostgresStore(url), rk.stores.MemoryStore() "
            "or rk.open_store(path or URL)"
        )
    raise InvalidInputError(message, field="store", value=value)


def check_executors(value: object) -> Registry:
    """Return *value* if it is a :class:`~releasekit.executors.Registry`; refuse anything else.

    A single executor — the most common slip — is refused with the call that
    registers it for everything it does.

    Raises:
        InvalidInputError: Naming what to pass instead.
    """
    from releasekit._actions.executors.command import CommandExecutor  # noqa: PLC0415
    from releasekit._actions.executors.protocols import capabilities_of  # noqa: PLC0415
    from releasekit._actions.executors.recording import DryRunExecutor  # noqa: PLC0415
    from releasekit._actions.executors.registry import Registry  # noqa: PLC0415

    if isinstance(value, Registry):
        return value
    if isinstance(value, DryRunExecutor):
        hint = "pass executors.dry_run(recorder) to have it record every capability"
    elif isinstance(value, CommandExecutor):
        hint = "pass executors.dt(executor) to have it run every capability"
    elif isinstance(value, str):
        names = ", ".join(EXECUTOR_CHOICES)
        hint = f"Desk.open(executors={value!r}) picks executors by name ({names})"
    elif not isinstance(value, type) and capabilities_of(value):
        hint = (
            "register it in a registry: registry = executors.Registry(); "
            "registry.register_all(executor)"
        )
    else:
        hint = "pass executors.dry_run(), executors.dt() or a Registry of your own"
    raise InvalidInputError(
        f"executors must be a Registry that says which executor does what, not {_kind(value)}; "
        f"{hint}",
        field="executors",
        value=value,
    )


def check_clock(value: object) -> Clock:
    """Return *value* if it is a clock: it has a ``now()`` method.

    Raises:
        InvalidInputError: Naming what to pass instead (a fixed instant becomes a ``FixedClock``).
    """
    instant = isinstance(value, dt.date)  # pendulum's instants have a now() of their class
    if not instant and not isinstance(value, type) and callable(getattr(value, "now", None)):
        return cast("Clock", value)
    hint = (
        "pass rk.FixedClock(that instant) to fix the time"
        if instant
        else "pass rk.SystemClock() or rk.FixedClock(instant)"
    )
    raise InvalidInputError(
        f"clock must be a Clock (an object with a now() method), not {_kind(value)}; {hint}",
        field="clock",
        value=value,
    )
