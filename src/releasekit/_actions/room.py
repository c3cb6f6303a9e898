"""What every room of the desk works with, and the checks the rooms share.

The :class:`~releasekit.Desk` coordinates rooms, one per concern: the release
lifecycle (``release_room``), listing and checking histories
(``history_room``), running steps (``step_room``), test runs and migrations
(``run_room``), log review and production monitoring (``log_room``), rollback
(``rollback_room``), interrupted attempts (``resume_room``) and data operations
(``data_room``). Each
room is a :class:`Room`: the desk's policy, store, executors, clock, engine and
ledger — the same objects for every room of one desk — and the room's own
methods. A room that needs another builds it with :meth:`Room.beside`.

Whoever acts (``by``) is compared and recorded as the person they are
(:meth:`Policy.person <releasekit.Policy.person>`): their
:func:`~releasekit.identity` — ``"Ivan"``, ``" ivan "`` and ``"IVAN"`` are one
person — and, with a roster in the policy, the name the roster lists them
under (an alias is its person). A name that is empty or holds a control
character, or with a roster a name no one on it goes by
(:class:`~releasekit.exceptions.UnknownPersonError`), is refused before anything
is asked or written; so is evidence whose author is no one on the roster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import attrs

from releasekit._actions.deployments import Deployment, deployments
from releasekit._actions.executors.registry import Registry
from releasekit._actions.freeze_room import DeskEngine
from releasekit._records.ledger import Ledger
from releasekit._records.store import Store
from releasekit._rules.clock import Clock
from releasekit._rules.engine import Engine
from releasekit._rules.policy import Policy
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from releasekit._records.values import Record
    from releasekit._rules.release import Release

__all__ = ["Room"]

_R = TypeVar("_R", bound="Room")


@attrs.define(eq=False)
class Room:
    """One concern of a desk, with everything the desk works with.

    Attributes:
        policy: The team's process.
        store: Where releases and their histories live.
        executors: Who does the work.
        clock: Where "now" comes from.
        engine: The engine built from *policy*.
        ledger: The ledger on *store*.
    """

    policy: Policy
    store: Store
    executors: Registry
    clock: Clock
    engine: Engine
    ledger: Ledger

    def beside(self, room: type[_R]) -> _R:
        """Return the room *room* of the same desk: the same policy, store, executors and clock."""
        return room(
            policy=self.policy,
            store=self.store,
            executors=self.executors,
            clock=self.clock,
            engine=self.engine,
            ledger=self.ledger,
        )

    def load(self, release_id: str) -> Record:
        """Return the release's current record.

        Raises:
            UnknownReleaseError: No release has that id.
        """
        return self.ledger.load(release_id)

    def deciding(self, release_id: str) -> tuple[Record, Engine]:
        """Return the release's current record and the engine to decide on it, in one read.

        The desk's engine reads the freezes declared on the spot with the
        release (:meth:`DeskEngine.deciding`); any other engine decides alone.

        Raises:
            UnknownReleaseError: No release has that id.
        """
        if isinstance(self.engine, DeskEngine):
            return self.engine.deciding(self.ledger, release_id)
        return self.load(release_id), self.engine

    def deployments(self, environment: str | None = None) -> tuple[Deployment, ...]:
        """Return every release's stay in an environment (production by default), oldest first."""
        name = self.policy.environment(environment or self.policy.last.name).name
        every = self.ledger.records(self.ledger.releases(active=False))
        return deployments((record.release for record in every), name)

    def person(self, name: str) -> str:
        """Return the person *name* (given as ``by``) is, as the policy compares people.

        Raises:
            InvalidInputError: The name is empty or holds a control character.
            UnknownPersonError: The policy has a roster and no one on it goes by *name*.
        """
        return self.policy.person(name, field="by")

    def require_actor_at(self, release: Release, actor: str, *, action: str) -> None:
        """Refuse *actor* if the release is in an environment they may not act in."""
        if release.state in self.policy.environment_names:
            self.engine.require_actor(release.state, actor, action=action)

    def require_in(self, release: Release, environment: str, *, action: str) -> None:
        """Refuse to *action* in *environment* unless the release is there.

        Raises:
            InvalidInputError: *environment* names no environment, or the release is elsewhere.
        """
        self.policy.environment(environment)
        if release.state != environment:
            raise InvalidInputError(
                f"release {release.id} is in {release.state}, not {environment}; promote it "
                f"to {environment} before you {action} there",
                field="environment",
                value=environment,
            )

    def evidence_environment(self, release: Release, guard_type: type[object]) -> str:
        """Return where the next step's guard of *guard_type* reads its evidence.

        The release's own environment if the next step has no such guard.
        """
        step = self.engine.next_step(release)
        if step is not None:
            for guard in step.guards:
                if isinstance(guard, guard_type):
                    return str(getattr(guard, "environment", release.state))
        return release.state
