"""Verdicts and blockers: explanations as data.

A guard never answers a bare ``False``. It returns a :class:`Verdict` that is
either passed or holds one or more :class:`Blocker` records, each saying what
is missing, what to do about it, who can do it, and — for time guards — the
earliest moment it will pass. A blocker that new evidence can clear names
the kind of that evidence, so a tool can offer the exact way to record it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import earliest_instant

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["EVIDENCE_KINDS", "Blocker", "Verdict"]

#: The kinds of evidence a built-in guard names in :attr:`Blocker.evidence`, in
#: the order of the process; the names ``releasekit record`` takes.
EVIDENCE_KINDS = (
    "tests-written",
    "test-run",
    "sign-off",
    "log-review",
    "migration-run",
    "change-review",
    "attestation",
)


@attrs.frozen(kw_only=True)
class Blocker:
    """One reason a release may not move on now.

    Attributes:
        code: The stable code of the guard that blocks, e.g. ``"tests-passed"``.
            Tools may rely on it.
        reason: A stable short token for why, e.g. ``"missing"``, ``"failed"``,
            ``"stale"``, ``"closed"``.
        message: A sentence saying what is wrong.
        hint: A sentence saying what to do about it.
        unblocked_by: Who can clear it: people or roles; empty when only time can.
        people: With a roster in the policy, the people who can clear it: those
            ``unblocked_by`` names (the holders of a role), less anyone whose
            word would not count (the author, where ``not_by`` bars them;
            who signed off already, where more people must). Empty without a
            roster, and when no one on the roster can.
        earliest: For time guards, the earliest instant the guard passes.
        source: The environment the release is leaving.
        target: The environment the release is to enter.
        evidence: The kind of evidence that clears it once recorded, as
            ``releasekit record`` names it (``"test-run"``, ``"sign-off"``, …;
            see :data:`EVIDENCE_KINDS`); ``None`` when no evidence can — time
            must pass, someone else must act, or the release must move first.
    """

    code: str
    reason: str
    message: str
    hint: str
    unblocked_by: tuple[str, ...] = attrs.field(default=(), converter=_validate.str_tuple)
    people: tuple[str, ...] = attrs.field(default=(), converter=_validate.str_tuple)
    earliest: pendulum.DateTime | None = attrs.field(default=None, converter=earliest_instant)
    source: str = ""
    target: str = ""
    # Not checked against EVIDENCE_KINDS: blockers are stored in histories, and a
    # history written by a later version naming a newer kind must still load.
    evidence: str | None = None

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}"


def _blockers(value: Iterable[Blocker]) -> tuple[Blocker, ...]:
    return tuple(value)


@attrs.frozen
class Verdict:
    """The answer of a guard: passed, or blocked with reasons.

    Attributes:
        blockers: Every reason the guard does not pass; empty when it passes.
    """

    blockers: tuple[Blocker, ...] = attrs.field(default=(), converter=_blockers)

    @property
    def passed(self) -> bool:
        """Whether the guard lets the release through."""
        return not self.blockers

    @classmethod
    def ok(cls) -> Verdict:
        """A passing verdict."""
        return _PASSED

    @classmethod
    def blocked(cls, *blockers: Blocker) -> Verdict:
        """A failing verdict with the given blockers."""
        return cls(blockers)


_PASSED = Verdict()
