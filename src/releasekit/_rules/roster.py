"""Rosters: who is on the team, under which names, holding which roles.

A :class:`Roster` lists the people of a team, each a :class:`Person` with a
name, the aliases they also go by (a chat handle, a CI login) and the roles
they hold (``team``, ``developer``, ``ci``, ``operator``, …). Names, aliases
and roles are identities (see :func:`~releasekit.identity`), so ``"Maria"``
and ``" maria "`` are one entry.

With a roster in a policy, every name given for a person — whoever acts, the
author of evidence, a verifier — is resolved to the person it names: an alias
becomes its person's name, and a name on nobody's entry is refused with an
:class:`~releasekit.exceptions.UnknownPersonError` suggesting the closest
names. Where a policy names people, ``@role`` names everyone who holds the
role (``owners = ["@developer"]``); the labels of a guard's ``unblocked_by``
name a person (by name or alias) or, failing that, a role.

A roster is checked when it is built: a name or an alias that names two
people is a :class:`~releasekit.exceptions.PolicyError` listing every such
clash. What a policy refers to — owners, the data operator, ``unblocked_by``
labels — is checked against the roster when the policy is built.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import attrs

from releasekit._rules.identity import identities, identity
from releasekit.exceptions import InvalidInputError, PolicyError, UnknownPersonError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from releasekit._rules.environments import DataAdjustmentRule, Environment

__all__ = [
    "ROLE_MARK",
    "Person",
    "Roster",
    "declarer_problems",
    "resolve_environments",
    "unblocker_problems",
]

#: Written before a role where a policy names people: ``@developer``.
ROLE_MARK = "@"

#: How close a name must be to one on the roster to be suggested (difflib's ratio).
_CLOSE = 0.6


def _unmarked(values: tuple[str, ...], field: str, what: str) -> tuple[str, ...]:
    for value in values:
        if value.startswith(ROLE_MARK):
            raise InvalidInputError(
                f"{field} {value!r} starts with {ROLE_MARK!r}, which marks a role where people "
                f"are named; write the {what} without it",
                field=field,
                value=value,
            )
    return values


def _name(value: str) -> str:
    return _unmarked((identity(value, field="name"),), "name", "name")[0]


def _aliases(value: str | Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_unmarked(identities(value, field="aliases"), "aliases", "alias")))


def _roles(value: str | Iterable[str]) -> frozenset[str]:
    return frozenset(_unmarked(identities(value, field="roles"), "roles", "role"))


@attrs.frozen(kw_only=True)
class Person:
    """One person of a team, as the roster knows them.

    Example:
        >>> Person(name="Maria", aliases=["mk", "maria.k"], roles=["team"]).names
        ('maria', 'mk', 'maria.k')

    Attributes:
        name: The name the person is recorded under, as an identity.
        aliases: Other names that are the same person (a chat handle, a CI
            login), as identities, in the order given; the name itself is left out.
        roles: The roles the person holds (``team``, ``developer``, ``ci``,
            ``operator``), as identities.

    Raises:
        InvalidInputError: A name, alias or role is not a name (see
            :func:`~releasekit.identity`), or starts with ``@``.
    """

    name: str = attrs.field(converter=_name)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases)
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)

    def __attrs_post_init__(self) -> None:
        if self.name in self.aliases:
            object.__setattr__(
                self, "aliases", tuple(alias for alias in self.aliases if alias != self.name)
            )

    @property
    def names(self) -> tuple[str, ...]:
        """The person's name, then their aliases."""
        return (self.name, *self.aliases)


def _people(value: Iterable[Person]) -> tuple[Person, ...]:
    return tuple(value)


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _clashes(people: tuple[Person, ...]) -> list[str]:
    """Say, for every name or alias that names more than one entry, which entries it names."""
    claims: dict[str, list[tuple[str, bool]]] = {}
    for person in people:
        for text in person.names:
            claims.setdefault(text, []).append((person.name, text == person.name))
    problems: list[str] = []
    for text, claimants in claims.items():
        if len(claimants) < 2:  # noqa: PLR2004  # a clash takes two
            continue
        if all(own for _name, own in claimants):
            problems.append(
                f"{text!r} is on the roster {len(claimants)} times; give each person one entry, "
                "with their other names as aliases"
            )
            continue
        named = ", ".join(
            f"{owner}'s name" if own else f"an alias of {owner}" for owner, own in claimants
        )
        problems.append(
            f"{text!r} names {len(claimants)} entries of the roster ({named}); "
            "a name or alias must name one person"
        )
    return problems


@attrs.frozen(kw_only=True)
class Roster:
    """The people of a team, under every name they go by, with their roles.

    Example:
        >>> roster = Roster(people=[
        ...     Person(name="maria", aliases=["mk"], roles=["team"]),
        ...     Person(name="ivan", roles=["team"]),
        ... ])
        >>> roster.person("MK")
        'maria'
        >>> roster.who(["team"])
        ('maria', 'ivan')

    Attributes:
        people: Everyone on the roster, in the order given.

    Raises:
        PolicyError: Listing every problem: the roster lists nobody, holds
            something that is not a :class:`Person`, or a name or alias names
            more than one entry.
    """

    people: tuple[Person, ...] = attrs.field(converter=_people)
    _by_name: dict[str, Person] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )
    _holders: dict[str, tuple[str, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        given: tuple[object, ...] = self.people  # anything may arrive from a caller
        problems = [
            f"the roster holds {item!r}, which is not a Person"
            for item in given
            if not isinstance(item, Person)
        ]
        if not given:
            problems.append(
                "the roster lists nobody; list everyone who acts (or leave the roster out)"
            )
        if problems:
            raise PolicyError(problems)
        problems = _clashes(self.people)
        if problems:
            raise PolicyError(problems)
        holders: dict[str, list[str]] = {}
        for person in self.people:
            for text in person.names:
                self._by_name[text] = person
            for role in person.roles:
                holders.setdefault(role, []).append(person.name)
        self._holders.update((role, tuple(names)) for role, names in holders.items())

    @property
    def names(self) -> tuple[str, ...]:
        """The name of everyone on the roster, in order."""
        return tuple(person.name for person in self.people)

    @property
    def roles(self) -> frozenset[str]:
        """Every role someone on the roster holds."""
        return frozenset(self._holders)

    def find(self, name: str) -> Person | None:
        """Return the person *name* (a name or an alias, however typed) is, or ``None``.

        Raises:
            InvalidInputError: *name* is not a name (see :func:`~releasekit.identity`).
        """
        return self._by_name.get(identity(name, field="name"))

    def person(self, name: str, *, field: str = "by") -> str:
        """Return the name of the person *name* is: their name, or one of their aliases.

        Args:
            name: A name or an alias, however typed.
            field: What *name* was given as, for the error (``"by"``, ``"--actor"``).

        Raises:
            UnknownPersonError: No one on the roster goes by *name*; it suggests
                the closest names.
            InvalidInputError: *name* is not a name (see :func:`~releasekit.identity`).
        """
        who = identity(name, field=field)
        found = self._by_name.get(who)
        if found is None:
            raise UnknownPersonError(
                actor=who, field=field, suggestions=self.suggest(who), allowed=self.names
            )
        return found.name

    def canonical(self, name: str) -> str:
        """Return the name of the person *name* (an identity) is, or *name* if no one is.

        For names already stored: evidence added before the roster named
        someone who is not on it still counts as that one person.
        """
        found = self._by_name.get(name)
        return name if found is None else found.name

    def suggest(self, name: str) -> tuple[str, ...]:
        """Return the people whose name or alias is close to *name* (an identity), closest first."""
        close = difflib.get_close_matches(name, list(self._by_name), n=3, cutoff=_CLOSE)
        return tuple(dict.fromkeys(self._by_name[text].name for text in close))

    def holders(self, role: str) -> tuple[str, ...]:
        """Return the people who hold *role* (written with or without ``@``), in roster order."""
        return self._holders.get(identity(role, field="role").removeprefix(ROLE_MARK), ())

    def who(self, labels: Iterable[str]) -> tuple[str, ...]:
        """Return the people *labels* name, each once, in order.

        A label ``@role`` names the holders of the role; any other names the
        person who goes by it, or if no one does, the holders of the role.
        Labels are compared as identities; one that names no one (or is no
        name at all) adds no one.
        """
        people: dict[str, None] = {}
        for label in labels:
            people.update(dict.fromkeys(self._named(label)))
        return tuple(people)

    def _named(self, label: str) -> tuple[str, ...]:
        try:
            text = identity(label, field="unblocked_by")
        except InvalidInputError:  # a label that is no name (from any guard) names no one
            return ()
        if text.startswith(ROLE_MARK):
            return self._holders.get(text.removeprefix(ROLE_MARK), ())
        found = self._by_name.get(text)
        return (found.name,) if found is not None else self._holders.get(text, ())


# -- checking and resolving what a policy names ------------------------------------


def _close(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=_CLOSE)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _owners(environment: Environment, roster: Roster, problems: list[str]) -> frozenset[str]:
    owners: dict[str, None] = {}
    for owner in sorted(environment.owners):
        where = f"environment {environment.name!r} is owned by {owner!r}"
        if owner.startswith(ROLE_MARK):
            held = roster.holders(owner)
            if not held:
                problems.append(
                    f"{where}, a role no one on the roster holds{_close(owner[1:], roster.roles)}; "
                    "give the role to someone under [people], or name the owners"
                )
            owners.update(dict.fromkeys(held))
            continue
        found = roster.find(owner)
        if found is None:
            problems.append(
                f"{where}, who is not on the roster{_close(owner, roster.names)}; "
                "list them under [people], or name someone who is"
            )
            continue
        owners[found.name] = None
    return frozenset(owners)


def _operator(
    environment: Environment, rule: DataAdjustmentRule, roster: Roster, problems: list[str]
) -> str:
    operator = rule.operator
    where = f"the data operator of {environment.name!r} is {operator!r}"
    if operator.startswith(ROLE_MARK):
        held = roster.holders(operator)
        if len(held) == 1:
            return held[0]
        if not held:
            problems.append(
                f"{where}, a role no one on the roster holds{_close(operator[1:], roster.roles)}; "
                "give it to the one person who runs data adjustments"
            )
        else:
            problems.append(
                f"{where}, a role {len(held)} people on the roster hold ({', '.join(held)}); "
                "one person runs data adjustments: give the role to one person, or name them"
            )
        return operator
    found = roster.find(operator)
    if found is None:
        problems.append(
            f"{where}, who is not on the roster{_close(operator, roster.names)}; "
            "list them under [people], or name someone who is"
        )
        return operator
    return found.name


def _unresolved(environments: Iterable[Environment]) -> list[str]:
    """Say where a policy without a roster names a role, which only a roster can resolve."""
    problems: list[str] = []
    for environment in environments:
        problems.extend(
            f"environment {environment.name!r} is owned by {owner!r}, a role, but the policy "
            "has no roster to say who holds it; list the team under [people], or name the owners"
            for owner in sorted(environment.owners)
            if owner.startswith(ROLE_MARK)
        )
        rule = environment.data_adjustments
        if rule is not None and rule.operator.startswith(ROLE_MARK):
            problems.append(
                f"the data operator of {environment.name!r} is {rule.operator!r}, a role, but "
                "the policy has no roster to say who holds it; list the team under [people], "
                "or name the operator"
            )
    return problems


def resolve_environments(
    environments: tuple[Environment, ...], roster: Roster | None
) -> tuple[tuple[Environment, ...], list[str]]:
    """Return *environments* with the people they name resolved by *roster*, and every problem.

    Owners become the names of the people they are (a role, ``@developer``,
    becomes everyone who holds it), and each data operator the name of the one
    person it is. Without a roster the environments are returned as they are,
    and a role they name is a problem.
    """
    if roster is None:
        return environments, _unresolved(environments)
    problems: list[str] = []
    resolved: list[Environment] = []
    for environment in environments:
        owners = _owners(environment, roster, problems)
        rule = environment.data_adjustments
        if rule is not None:
            rule = attrs.evolve(rule, operator=_operator(environment, rule, roster, problems))
        resolved.append(attrs.evolve(environment, owners=owners, data_adjustments=rule))
    return tuple(resolved), problems


def unblocker_problems(gates: Iterable[object], roster: Roster) -> list[str]:
    """Say which ``unblocked_by`` label of a gate's guard names no one on *roster*.

    *gates* are :class:`~releasekit.Gate` values; a guard without an
    ``unblocked_by`` of strings (a time guard, most custom guards) is skipped.
    """
    problems: list[str] = []
    known = [*roster.roles, *(text for person in roster.people for text in person.names)]
    for gate in gates:
        for guard in getattr(gate, "guards", ()):
            labels = getattr(guard, "unblocked_by", ())
            if not isinstance(labels, tuple):
                continue
            for label in labels:
                if not isinstance(label, str) or roster.who((label,)):
                    continue
                problems.append(
                    f"guard {getattr(guard, 'code', '?')!r} of the gate of "
                    f"{getattr(gate, 'environment', '?')!r} is unblocked by {label!r}, but no one "
                    "on the roster goes by that name or holds that role"
                    f"{_close(label.removeprefix(ROLE_MARK), known)}; give someone the role "
                    "under [people], or name in unblocked_by who clears it"
                )
    return problems


def declarer_problems(labels: Iterable[str], roster: Roster | None) -> list[str]:
    """Say which label of a policy's ``freeze_declarers`` names no one.

    With *roster*, a label must name a person (by name or alias) or a role
    someone holds; without one, it names a person, so a ``@role`` is a problem.
    """
    problems: list[str] = []
    for label in labels:
        if roster is None:
            if label.startswith(ROLE_MARK):
                problems.append(
                    f"freeze_declarers names {label!r}, a role, but the policy has no roster to "
                    "say who holds it; list the team under [people], or name the people"
                )
        elif not roster.who((label,)):
            known = [*roster.roles, *(text for person in roster.people for text in person.names)]
            problems.append(
                f"freeze_declarers names {label!r}, but no one on the roster goes by that name "
                f"or holds that role{_close(label.removeprefix(ROLE_MARK), known)}; give someone "
                "the role under [people], or name the people who may declare freezes"
            )
    return problems
