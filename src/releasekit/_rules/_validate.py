"""Small attrs validators that raise releasekit errors with actionable sentences."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import attrs

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")


def name(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require a lowercase name made of letters, digits, dots, dashes and underscores."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise InvalidInputError(
            f"{attribute.name} {value!r} is not a valid name; use lowercase letters, digits, "
            f"'-', '_' or '.', starting and ending with a letter or digit (e.g. 'sandbox-anton')",
            field=attribute.name,
            value=value,
        )


def text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(
            f"{attribute.name} must be a non-empty string, got {value!r}",
            field=attribute.name,
            value=value,
        )


def strings(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require a collection of non-empty strings."""
    bad = [item for item in value if not isinstance(item, str) or not item.strip()]  # type: ignore[attr-defined]
    if bad:
        raise InvalidInputError(
            f"{attribute.name} must hold non-empty strings only; {bad[0]!r} is not one",
            field=attribute.name,
            value=value,
        )


def str_tuple(value: str | Iterable[str]) -> tuple[str, ...]:
    """Convert a single string or an iterable of strings to a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def str_frozenset(value: str | Iterable[str]) -> frozenset[str]:
    """Convert a single string or an iterable of strings to a frozenset of strings."""
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)
