r"""Identities: who a person is, whatever way their name was typed.

releasekit compares people — owners, operators, verifiers, reviewers, whoever
acts — by their :func:`identity`, never by the text as typed: ``"Ivan"``,
``" ivan "``, ``"IVAN"`` and ``"Ivan\u00a0"`` are one person. Every field of a
record that names a person converts what it is given with it, so values are
stored canonical and every comparison agrees.

An identity is the name Unicode-normalised (NFKC), trimmed, with each run of
inner white space made one space, and case-folded. A name that holds a
control, format, invisible, private-use, unassigned or surrogate character,
or a line or paragraph separator, is refused rather than cleaned: ``"ivan"``
and ``"iv\u200ban"`` (with a zero-width space) would otherwise look alike
and be two people.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_IDENTITY_LENGTH", "identity"]

#: The most characters an identity may have, once normalised.
MAX_IDENTITY_LENGTH = 128

#: Refused before normalising: NFKC may make a text many times longer.
_MAX_TYPED_LENGTH = 4 * MAX_IDENTITY_LENGTH

#: General categories that never belong in a name: control, format, unassigned,
#: private use and surrogate characters, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})

#: Code points Unicode marks Default_Ignorable_Code_Point that the categories
#: above let through (combining marks and fillers that draw nothing, such as
#: variation selectors and the Hangul fillers), as inclusive ranges.
_INVISIBLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)


_INVISIBLE_CHARACTER = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE) + "]"
)

#: What each refused category is, in words.
_KINDS = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cn": "an unassigned code point",
    "Co": "a private-use character",
    "Cs": "a lone surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def _first_refused(text: str) -> tuple[int, str] | None:
    """Return the position and the character of the first one a name may not hold."""
    # Every refused category is unprintable; of the unprintable rest, only the
    # spaces (Zs) are allowed. The invisible marks are printable: looked for apart.
    if text.isprintable() and _INVISIBLE_CHARACTER.search(text) is None:
        return None
    for position, character in enumerate(text):
        if unicodedata.category(character) in _REFUSED_CATEGORIES or _INVISIBLE_CHARACTER.match(
            character
        ):
            return position, character
    return None  # pragma: no cover  # some character above was refused


def _describe(character: str) -> str:
    category = unicodedata.category(character)
    kind = _KINDS.get(category, "a character that draws nothing")
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}, {kind}" if name else f"U+{ord(character):04X}, {kind}"


def _refuse(field: str, value: object, problem: str) -> InvalidInputError:
    return InvalidInputError(f"{field} {problem}", field=field, value=value)


def identity(value: str, *, field: str = "identity") -> str:
    r"""Return the identity of a person from their name as typed.

    The name is normalised (Unicode NFKC), trimmed, each run of inner white
    space becomes one space, and it is case-folded, so every way of typing a
    name gives one identity. Applying it to an identity changes nothing.

    Example:
        >>> identity("  IVAN ")
        'ivan'
        >>> identity("Ivan\u00a0Petrov") == identity("ivan   petrov")
        True

    Args:
        value: The name as typed.
        field: What the value is, for the error (``"by"``, ``"owners"``, ``"actor"``).

    Returns:
        The identity, at most :data:`MAX_IDENTITY_LENGTH` (128) characters.

    Raises:
        InvalidInputError: *value* is not a string, is empty once trimmed, is
            longer than 128 characters once normalised, or holds a control,
            format, invisible, private-use, unassigned or surrogate character
            or a line or paragraph separator. Its ``field`` and ``value`` say
            which value was refused.
    """
    if value.__class__ is str and value.isascii() and value.isprintable():
        # The common case: NFKC changes no ASCII text, and casefold() is lower().
        if value.islower() and " " not in value and len(value) <= MAX_IDENTITY_LENGTH:
            return value  # an identity already: "anton", "data-operator"
        text = " ".join(value.lower().split())
        if text and len(text) <= MAX_IDENTITY_LENGTH:
            return text
    return _normalised(value, field)


def _normalised(value: object, field: str) -> str:
    """Return the identity of *value* the long way, or refuse it (see :func:`identity`)."""
    if not isinstance(value, str):
        raise _refuse(
            field, value, f"must be a person's name as a string, not {type(value).__name__}"
        )
    if len(value) > _MAX_TYPED_LENGTH:
        raise _refuse(
            field,
            value,
            f"is {len(value)} characters long; a name may have at most {MAX_IDENTITY_LENGTH}",
        )
    found = _first_refused(value)
    if found is not None:
        position, character = found
        raise _refuse(
            field,
            value,
            f"{value!a} holds {_describe(character)}, at position {position}; type the "
            "name without it (a name holds no invisible or control character, so that two "
            "names that look the same are always one person)",
        )
    text = unicodedata.normalize("NFKC", str(value))
    text = " ".join(unicodedata.normalize("NFKC", text.casefold()).split())
    if not text:
        raise _refuse(field, value, f"{value!r} names nobody; give a person's name, e.g. 'anton'")
    if len(text) > MAX_IDENTITY_LENGTH:
        raise _refuse(
            field,
            value,
            f"is {len(text)} characters long; a name may have at most {MAX_IDENTITY_LENGTH}",
        )
    return text


def identities(values: str | Iterable[str], *, field: str) -> tuple[str, ...]:
    """Return the identity of each name in *values* (one name if it is a string), in order."""
    if isinstance(values, str):
        return (identity(values, field=field),)
    return tuple(identity(value, field=field) for value in values)


# attrs converters, one per field name so errors name the field (mypy's attrs
# plugin only understands named functions as converters).


def by_identity(value: str) -> str:
    """Convert a ``by`` field."""
    return identity(value, field="by")


def created_by_identity(value: str) -> str:
    """Convert a ``created_by`` field."""
    return identity(value, field="created_by")


def requested_by_identity(value: str) -> str:
    """Convert a ``requested_by`` field."""
    return identity(value, field="requested_by")


def executed_by_identity(value: str | None) -> str | None:
    """Convert an optional ``executed_by`` field."""
    return None if value is None else identity(value, field="executed_by")


def operator_identity(value: str) -> str:
    """Convert an ``operator`` field."""
    return identity(value, field="operator")


def actor_identity(value: str | None) -> str | None:
    """Convert an optional ``actor`` field."""
    return None if value is None else identity(value, field="actor")


def owner_identities(value: str | Iterable[str]) -> frozenset[str]:
    """Convert an ``owners`` field: a set of identities."""
    return frozenset(identities(value, field="owners"))


def unblocked_by_identities(value: str | Iterable[str]) -> tuple[str, ...]:
    """Convert an ``unblocked_by`` field: the people or roles who can clear a blocker."""
    return tuple(dict.fromkeys(identities(value, field="unblocked_by")))
