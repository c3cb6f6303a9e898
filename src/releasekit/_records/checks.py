"""What every store checks before it reads or writes: names, revisions, pages and tokens.

Each check returns the value it accepted, or raises
:class:`~releasekit.exceptions.InvalidInputError` naming the field, before a
store touches its database.
"""

from __future__ import annotations

from releasekit.exceptions import InvalidInputError

__all__ = [
    "MAX_NAME",
    "SEPARATOR",
    "check_expected",
    "check_history_name",
    "check_holder",
    "check_page",
    "check_release_id",
    "check_stream",
    "check_token",
    "wrong_previous",
]

#: Longest stream or lease name a store accepts.
MAX_NAME = 200

#: Histories other than releases are named ``kind:name``; release ids never hold it.
SEPARATOR = ":"


def check_stream(stream: object, *, field: str = "stream") -> str:
    """Return *stream* if every store can keep it as a name.

    Raises:
        InvalidInputError: It is empty, too long, or holds NUL or invalid Unicode.
    """
    if not isinstance(stream, str) or not stream.strip():
        raise InvalidInputError(
            f"{field} must be a non-empty name, got {stream!r}", field=field, value=stream
        )
    if len(stream) > MAX_NAME or "\x00" in stream:
        raise InvalidInputError(
            f"{field} {stream[:40]!r}… must be at most {MAX_NAME} characters, without NUL",
            field=field,
            value=stream,
        )
    if stream.isascii():  # ASCII text holds no lone surrogate: the common case
        return stream
    try:
        stream.encode()
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{field} {stream!r} is not valid Unicode text", field=field, value=stream
        ) from None
    return stream


def check_history_name(stream: object) -> str:
    """Return *stream* if it names a history other than a release: ``kind:name``.

    Raises:
        InvalidInputError: It is not a name a store can keep, or holds no ``:``
            between two non-empty parts (names without it are release ids).
    """
    name = check_stream(stream)
    if SEPARATOR not in name.strip(SEPARATOR):
        raise InvalidInputError(
            f"{name!r} is not the name of a history: name it kind{SEPARATOR}name, e.g. "
            f"'data{SEPARATOR}production' (names without {SEPARATOR!r} are releases)",
            field="stream",
            value=stream,
        )
    return name


def check_release_id(release_id: object) -> str:
    """Return *release_id* if a store can keep it as a release's id.

    Raises:
        InvalidInputError: It is not a name a store can keep, or holds ``:``
            (which names other histories).
    """
    name = check_stream(release_id, field="release_id")
    if SEPARATOR in name:
        raise InvalidInputError(
            f"release id {name!r} holds {SEPARATOR!r}, which names other histories "
            f"(such as 'data{SEPARATOR}production'); choose an id without it",
            field="release_id",
            value=release_id,
        )
    return name


def check_page(after: object, limit: object) -> None:
    """Refuse a page that is not an id to start after and a count of at least 1.

    Raises:
        InvalidInputError: *after* is not a string (or ``None``), or *limit* not
            a whole number at least 1 (or ``None``).
    """
    if after is not None and not isinstance(after, str):
        raise InvalidInputError(
            f"after must be the last id of the page before, got {after!r}",
            field="after",
            value=after,
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInputError(
            f"limit must be a whole number at least 1, got {limit!r}", field="limit", value=limit
        )


def wrong_previous(stream: str, *, expected: int, previous: str) -> InvalidInputError:
    """Return the error for a *previous* digest that is not the head at *expected*."""
    return InvalidInputError(
        f"{previous[:12]!r}… is not the last event of {stream} at revision {expected}; pass "
        "the head you loaded together with its revision",
        field="previous",
        value=previous,
    )


def check_expected(expected: object) -> int:
    """Return *expected* if it is a revision a writer can have seen.

    Raises:
        InvalidInputError: It is not a whole number at least 0.
    """
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        raise InvalidInputError(
            f"expected must be the revision you loaded (0 to create), got {expected!r}",
            field="expected",
            value=expected,
        )
    return expected


def check_token(token: object) -> str:
    """Return *token* if it can name an acquisition.

    Raises:
        InvalidInputError: It is empty or cannot be stored.
    """
    return check_stream(token, field="token")


def check_holder(holder: object) -> str:
    """Return *holder* if it names someone.

    Raises:
        InvalidInputError: It is empty or cannot be stored.
    """
    return check_stream(holder, field="holder")
