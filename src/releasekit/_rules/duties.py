"""Separation of duties: how many different people must vouch for a step, and who may not.

The sign-off and change-review guards count *people*, not records: two
sign-offs by one person — however their name was typed — count once. A guard
may ask for ``min_people`` different people, and name in ``not_by`` whose word
does not count at all, by keyword:

``author``
    the person who started the release (its ``created_by``): a review by the
    author is not a second look.

With a roster in the policy, people are counted as the roster knows them: two
aliases of one person are one person, and an alias of the author is the author.

The functions here count and explain; the guards decide what the evidence is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import attrs

from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from releasekit._rules.release import Release

__all__ = [
    "NOT_BY",
    "Count",
    "Shortfall",
    "count",
    "describe",
    "eligible",
    "excluded",
    "min_people",
    "not_by",
    "requirement",
    "shortfall",
]

#: The keywords ``not_by`` accepts, and how a message names the person each means.
NOT_BY = {"author": "its author"}


def _accepted() -> str:
    return ", ".join(f"{keyword!r} (the person who started the release)" for keyword in NOT_BY)


def not_by(value: str | Iterable[str]) -> frozenset[str]:
    """Convert a ``not_by`` field: keywords naming whose word does not count.

    Raises:
        InvalidInputError: A keyword is unknown (the error lists those accepted).
    """
    items: tuple[object, ...] = (value,) if isinstance(value, str) else tuple(value)
    keywords: list[str] = []
    for item in items:
        if not isinstance(item, str) or item not in NOT_BY:
            raise InvalidInputError(
                f"not_by {item!r} is not a keyword releasekit knows; not_by names whose word "
                f"does not count by keyword, one of: {_accepted()}",
                field="not_by",
                value=value,
            )
        keywords.append(item)
    return frozenset(keywords)


def min_people(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    """Require a whole number of people, at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(
            f"{attribute.name} must be a whole number of people, at least 1, got {value!r}",
            field=attribute.name,
            value=value,
        )


def _itself(name: str) -> str:
    return name


def excluded(
    release: Release, keywords: frozenset[str], same: Callable[[str], str] = _itself
) -> dict[str, str]:
    """Return the people *keywords* name for *release*, each with how a message names them.

    *same* gives the person a stored name stands for (with a roster, an alias
    is its person: :meth:`Policy.same_person <releasekit.Policy.same_person>`).
    """
    people: dict[str, str] = {}
    if "author" in keywords:
        people[same(release.created_by)] = NOT_BY["author"]
    return people


@attrs.frozen(kw_only=True)
class Count:
    """Who vouched for a step, as the guard counts them.

    Attributes:
        people: The different people whose word counts, in the order they gave it.
        excluded: The different people who vouched but whom ``not_by`` names,
            each with how a message names them (``"its author"``).
    """

    people: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]


def count(
    by: Iterable[str],
    release: Release,
    keywords: frozenset[str],
    same: Callable[[str], str] = _itself,
) -> Count:
    """Count the different people among *by* (identities), leaving out those *keywords* name.

    *same* gives the person each name stands for (see :func:`excluded`).
    """
    barred = excluded(release, keywords, same)
    by = tuple(same(person) for person in by)
    people = dict.fromkeys(person for person in by if person not in barred)
    seen = dict.fromkeys(person for person in by if person in barred)
    return Count(people=tuple(people), excluded=tuple((person, barred[person]) for person in seen))


def eligible(candidates: Iterable[str], counted: Count, barred: Iterable[str]) -> tuple[str, ...]:
    """Return those of *candidates* whose word would still count: not counted yet, not *barred*."""
    done = {*counted.people, *barred}
    return tuple(person for person in candidates if person not in done)


class Shortfall(NamedTuple):
    """Why the people who vouched are not enough, for a blocker."""

    reason: str
    message: str
    hint: str


def _listed(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def shortfall(
    counted: Count,
    *,
    needed: int,
    done: str,
    did: str,
    noun: str,
    task: str,
) -> Shortfall:
    """Say why *counted* is not enough, as a blocker's ``reason``, ``message`` and ``hint``.

    Args:
        counted: Who vouched, with at least one person among them or excluded.
        needed: How many different people must.
        done: What was done, passive, e.g. ``"the changes of 2.4.0 were reviewed"``.
        did: The same, active, e.g. ``"reviewed the changes of 2.4.0"``.
        noun: One piece of the evidence, e.g. ``"a review"``.
        task: What the next person should do, e.g. ``"review all changes of
            2.4.0 and record a ChangeReview"``.
    """
    barred = [f"{person}, {role}" for person, role in counted.excluded]
    others = [person for person, _role in counted.excluded]
    if not counted.people:
        names = "; ".join(barred)
        more = f"by someone else{'' if needed == 1 else f' ({needed} different people)'}"
        return Shortfall(
            reason="not-by",
            message=f"{done} only by {names}; {noun} {more} is needed",
            hint=f"ask someone other than {_listed(others)} to {task}",
        )
    missing = needed - len(counted.people)
    person = "person" if missing == 1 else "people"
    own = "".join(f"; {noun} by {name}, does not count" for name in barred)
    return Shortfall(
        reason="too-few-people",
        message=f"{len(counted.people)} of {needed} people {did} "
        f"({', '.join(counted.people)}){own}; {missing} more {person} must",
        hint=f"ask {missing} more {person} (not {_listed([*counted.people, *others])}) to {task}",
    )


def requirement(needed: int, barred: dict[str, str]) -> str:
    """Say who must vouch, beyond anyone: ``"by someone other than anton (its author)"``.

    Return ``""`` when anyone may, once.
    """
    others = _listed(f"{person} ({role})" for person, role in barred.items())
    if needed > 1 and barred:
        return f"by {needed} different people other than {others}"
    if needed > 1:
        return f"by {needed} different people"
    return f"by someone other than {others}" if barred else ""


def describe(needed: int, keywords: frozenset[str]) -> str:
    """Describe the requirement for a diagram: ``" by 2 people, not by its author"``."""
    text = f" by {needed} people" if needed > 1 else ""
    if keywords:
        text += f", not by {_listed(NOT_BY[keyword] for keyword in sorted(keywords))}"
    return text
