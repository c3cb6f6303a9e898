"""Building frozen attrs values from parts that are already checked, without ``__init__``.

A frozen attrs class checks and converts every field in ``__init__`` and sets
each through ``object.__setattr__``. On the write path the stores and the
ledger build values (an event, a record, a state) only from parts that were
checked when they were made themselves — a draft's validated fields, a
digest just computed, a release already built — so running ``__init__``
again would only repeat work. :func:`builder` generates, once per class, a
function that sets the slots directly, the way attrs generates ``__init__``.

Use it only with values that ``__init__`` would accept unchanged: nothing is
converted or validated.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["builder"]

_T = TypeVar("_T")


def builder(kind: type[_T]) -> Callable[..., _T]:
    """Return a function building a *kind* from all its field values, in field order.

    Raises:
        TypeError: *kind* is not a slotted attrs class whose fields are its own
            slots, or it has an ``__attrs_post_init__`` the function would skip.
    """
    if not attrs.has(kind) or "__slots__" not in kind.__dict__:
        msg = f"{kind.__name__} is not a slotted attrs class"
        raise TypeError(msg)
    if hasattr(kind, "__attrs_post_init__"):
        msg = f"{kind.__name__} has an __attrs_post_init__ that a builder would skip"
        raise TypeError(msg)
    names = [field.name for field in attrs.fields(kind)]
    scope: dict[str, Any] = {"_new": object.__new__, "_kind": kind}
    for number, name in enumerate(names):
        slot = kind.__dict__.get(name)
        if not isinstance(slot, types.MemberDescriptorType):
            msg = f"{kind.__name__}.{name} is not a slot of the class itself"
            raise TypeError(msg)
        scope[f"_set{number}"] = slot.__set__
    arguments = ", ".join(f"x{number}" for number in range(len(names)))
    lines = [f"def build_{kind.__name__}({arguments}):", "    value = _new(_kind)"]
    lines.extend(f"    _set{number}(value, x{number})" for number in range(len(names)))
    lines.append("    return value")
    exec("\n".join(lines), scope)  # noqa: S102  # source built above from attrs field names
    build: Callable[..., _T] = scope[f"build_{kind.__name__}"]
    return build
