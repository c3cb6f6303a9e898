"""Checks of the values people type, where they enter releasekit.

Two concerns, both pure:

- **Values that reach programs and terminals.** A version, a release id or a
  data operation's name is handed to the team's ``dt`` as an argument and
  printed in tables: one that starts with ``-`` would be read as an option,
  one holding a control character (a line break, an escape sequence, a
  right-to-left override) could forge what a terminal shows. Such values are
  *tokens*: they start with an ASCII letter or digit and hold no white space
  and no control, format or separator character. Free arguments and labels
  (a data adjustment's arguments, function and migration names) may hold
  spaces, but never start with ``-`` or hold any other of those characters.
- **Types.** Evidence decides whether a release may move on, so its fields are
  checked by type: ``"false"`` is not a boolean, ``1`` is not a string.

Every refusal is an :class:`~releasekit.exceptions.InvalidInputError` naming
the field and saying what to write instead.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import attrs

__all__ = [
    "MAX_TOKEN_LENGTH",
    "argument_problem",
    "boolean",
    "check_token",
    "enum_member",
    "label_tuple",
    "optional_string",
    "plain",
    "string",
    "token",
    "token_problem",
]

_E = TypeVar("_E", bound=enum.Enum)

#: The longest version, release id or operation name accepted, in characters.
MAX_TOKEN_LENGTH = 128

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

#: What a token is, for the messages: the rule in a few words.
_TOKEN_RULE = (
    "start with a letter or digit and hold no spaces, control or formatting characters "
    f"(at most {MAX_TOKEN_LENGTH} characters)"
)

#: An example of each kind of token, by field name, for the messages.
_EXAMPLES: Mapping[str, str] = {
    "version": "'2.4.0'",
    "rollback_of": "'2.3.9'",
    "id": "'2.4.0' or 'r1'",
    "release_id": "'2.4.0' or 'r1'",
    "operation": "'fix-prices'",
}


def _character(char: str) -> str:
    """Describe one character a person cannot see, e.g. ``a line break (U+000A)``."""
    code = f"U+{ord(char):04X}"
    category = unicodedata.category(char)
    if char in "\n\r\v\f\x85\u2028\u2029":
        kind = "a line break"
    elif char == "\x1b":
        kind = "an escape character"
    elif category == "Cc":
        kind = "a control character"
    elif category == "Cf":
        kind = "an invisible formatting character"
    elif char.isspace():
        kind = "white space"
    else:
        kind = "a character that cannot be shown"
    return f"{kind} ({code})"


def _unprintable(value: str) -> str:
    """Describe the first character of *value* a terminal would not print as itself."""
    return next(_character(char) for char in value if not char.isprintable())


def token_problem(value: object) -> str | None:
    """Return what is wrong with *value* as a token (see the module docstring), or ``None``."""
    if (  # the common case, checked by str's own methods: a printable ASCII word
        value.__class__ is str
        and 0 < len(value) <= MAX_TOKEN_LENGTH
        and value.isascii()
        and value.isprintable()
        and " " not in value
        and value[0] in _ASCII_ALNUM
    ):
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_TOKEN_LENGTH:
        return _shape_problem(value)
    if value[0] == "-":
        return "it starts with '-', so a program it is passed to would read it as an option"
    for char in value:
        if char.isspace() or not char.isprintable():
            return f"it holds {_character(char)}"
    if value[0] not in _ASCII_ALNUM:
        return f"it starts with {value[0]!r}"
    return None


def _shape_problem(value: object) -> str:
    """Say why *value* is not a string of 1 to :data:`MAX_TOKEN_LENGTH` characters."""
    if not isinstance(value, str):
        return f"it is a {type(value).__name__}, not a string"
    return "it is empty" if not value else f"it is {len(value)} characters long"


def check_token(value: object, *, field: str) -> str:
    """Return *value* if it is a token; refuse it otherwise.

    Raises:
        InvalidInputError: *value* is not a token; the message says what to write.
    """
    problem = token_problem(value)
    if problem is not None:
        example = _EXAMPLES.get(field, "'fix-prices'")
        raise InvalidInputError(
            f"{field} {value!r} cannot be used: {problem}; a {field} must {_TOKEN_RULE}, "
            f"e.g. {example}",
            field=field,
            value=value,
        )
    return value  # type: ignore[return-value]  # token_problem checked it is a str


def token(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator requiring a token (see :func:`check_token`)."""
    check_token(value, field=attribute.name)


def argument_problem(value: object) -> str | None:
    """Return what is wrong with *value* as a free argument or a label, or ``None``.

    A free argument may hold spaces, but never starts with ``-`` and never
    holds a control, format or separator character other than the space.
    """
    if not isinstance(value, str):
        return f"it is a {type(value).__name__}, not a string"
    if value.startswith("-"):
        return "it starts with '-', so a program it is passed to would read it as an option"
    if value.isprintable():  # no control, format or separator character but the space
        return None
    return f"it holds {_unprintable(value)}"


def label_tuple(value: object, *, field: str, allow_empty: bool = False) -> tuple[str, ...]:
    """Return *value* (one string, or an iterable of strings) as a tuple of labels.

    Each label is a non-blank string that does not start with ``-`` and holds
    no control, format or line-separator character.

    Raises:
        InvalidInputError: *value* is not a string or a collection of strings,
            or one of them is not a label.
    """
    if value.__class__ is tuple:
        items: tuple[object, ...] = value
    elif value.__class__ is list:  # as JSON gives it
        items = tuple(value)
    elif isinstance(value, str):
        items = (value,)
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes | bytearray):
        items = tuple(value)
    else:
        raise InvalidInputError(
            f"{field} must be a list of strings, got {value!r}", field=field, value=value
        )
    exact = True
    for item in items:
        if (  # the common case: a plain, printable, non-blank string not starting with '-'
            item.__class__ is str
            and item.isprintable()
            and not item.startswith("-")
            and (allow_empty or item.strip())
        ):
            continue
        problem = argument_problem(item)
        if problem is None and not allow_empty and not str(item).strip():
            problem = "it is blank"
        if problem is not None:
            raise InvalidInputError(
                f"{field} cannot hold {item!r}: {problem}; write each as plain text that does "
                "not start with '-'",
                field=field,
                value=value,
            )
        exact = False  # a str subclass: kept as its plain text
    if exact:
        return items  # type: ignore[return-value]  # each item is a str
    return tuple(map(plain, items))  # type: ignore[arg-type]  # each item was checked to be a str


def plain(value: str) -> str:
    """Return *value* as a plain ``str`` (its text, not a ``str`` subclass such as an enum)."""
    # Not str(value) nor f"{value}": a subclass may say anything in __str__ or __format__.
    return value if value.__class__ is str else "".join((value,))  # noqa: FLY002


def boolean(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator requiring ``True`` or ``False`` (not ``"false"``, not ``1``)."""
    if value is not True and value is not False:
        raise InvalidInputError(
            f"{attribute.name} must be True or False, got {value!r}",
            field=attribute.name,
            value=value,
        )


def string(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator requiring a string (which may be empty)."""
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a string, got {value!r}",
            field=attribute.name,
            value=value,
        )


def optional_string(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator requiring a string or ``None``."""
    if value is not None:
        string(instance, attribute, value)


def enum_member(kind: type[_E], value: object, *, field: str) -> _E:
    """Return the member of *kind* that *value* is, or whose value *value* is.

    Only a member or a member's value is accepted: not its name, not another type.

    Raises:
        InvalidInputError: *value* is neither; the message lists the values.
    """
    if isinstance(value, kind):
        return value
    for member in kind:
        if type(value) is type(member.value) and value == member.value:
            return member
    choices = ", ".join(repr(member.value) for member in kind)
    raise InvalidInputError(
        f"{field} {value!r} is not allowed; use one of {choices}", field=field, value=value
    )
