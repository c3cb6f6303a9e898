"""Guards a team makes its own: an attestation it names, a function it writes."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from releasekit._rules import _validate
from releasekit._rules.evidence import (
    Attestation,
)
from releasekit._rules.guards.base import (
    GuardContext,
    GuardKind,
    not_deployed,
)
from releasekit._rules.identity import unblocked_by_identities
from releasekit._rules.verdicts import Verdict

__all__ = ["AttestationPresent", "FunctionGuard"]


@attrs.frozen(kw_only=True)
class AttestationPresent:
    """A named :class:`~releasekit.Attestation` exists (since the release reached an environment).

    The building block for a team's own evidence: a security review, a
    product owner's go, a load test.
    """

    name: str = attrs.field(validator=_validate.name)
    environment: str | None = None
    code: str = ""
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )
    hint: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", self.name)

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when a matching attestation exists."""
        release = context.release
        since = release.created_at
        if self.environment is not None:
            entered = release.entered_at(self.environment)
            if entered is None:
                return not_deployed(self, context, self.environment)
            since = entered
        if any(
            item.name == self.name
            and (self.environment is None or item.environment == self.environment)
            and since <= item.at <= context.now
            for item in release.evidence_of(Attestation)
        ):
            return Verdict.ok()
        where = f" on {self.environment}" if self.environment else ""
        return Verdict.blocked(
            context.blocker(
                self,
                reason="missing",
                message=f"{release.version} has no {self.name!r} attestation{where}",
                hint=self.hint or f"record an Attestation(name={self.name!r}){where}",
                unblocked_by=self.unblocked_by,
                evidence="attestation",
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"{self.name} attested"

    def environments(self) -> frozenset[str]:
        """The environment the attestation belongs to, if any."""
        return frozenset() if self.environment is None else frozenset({self.environment})


@attrs.frozen(kw_only=True)
class FunctionGuard:
    """Wrap a plain function as a guard.

    Example:
        >>> def has_ticket(context):
        ...     return Verdict.ok()
        >>> guard = FunctionGuard(code="has-ticket", check_with=has_ticket, description="a ticket")
        >>> guard.describe()
        'a ticket'

    """

    code: str = attrs.field(validator=_validate.name)
    check_with: Callable[[GuardContext], Verdict] = attrs.field(repr=False)
    description: str = attrs.field(default="", repr=False)
    kind_: GuardKind = attrs.field(default=GuardKind.EVIDENCE, alias="kind", repr=False)
    refers_to: frozenset[str] = attrs.field(
        default=frozenset(), converter=_validate.str_frozenset, repr=False
    )

    @property
    def kind(self) -> GuardKind:
        """What the wrapped function reads."""
        return self.kind_

    def check(self, context: GuardContext) -> Verdict:
        """Call the wrapped function."""
        return self.check_with(context)

    def describe(self) -> str:
        """Say what the guard requires."""
        return self.description or self.code

    def environments(self) -> frozenset[str]:
        """The environments named when the guard was built."""
        return self.refers_to
