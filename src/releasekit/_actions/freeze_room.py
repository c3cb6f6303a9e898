"""The freeze room: freezes declared on the spot, reached as ``desk.freezes``.

An incident, a risky weekend, a customer's big day: a person the policy names
(``freeze_declarers``) declares a freeze until an instant, and every tool on
the same store refuses the releases it holds back from then on — naming it,
who declared it, why and until when — and forecasts past it. Declaring and
lifting one are events of the history ``freezes:declared``
(:mod:`~releasekit._actions.declared_freezes`), hash-chained like every
other.

The rules stay pure: the room reads the declared freezes from the store and
hands the desk an :class:`~releasekit.Engine` on the policy with those freezes
among its own (:meth:`FreezeRoom.engine`): one read of the store per decision.
Before the freezes are acted on their state is checked against the digest its
last event recorded, and the first time a room sees a state (and whenever it
changed) the whole history is checked and replayed: a freeze edited or removed
behind releasekit's back is a
:class:`~releasekit.exceptions.HistoryTamperedError`. One case is left to
``verify``: a state deleted whole, its history left, reads on the path of a
decision as no freeze ever declared to a tool that had not read it before
(declaring, lifting and listing refuse it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions import declared_freezes as declared
from releasekit._actions.declared_freezes import STREAM, DeclaredFreeze
from releasekit._records.events import Action, digest
from releasekit._records.ledger import Ledger
from releasekit._records.verifying import MISMATCH
from releasekit._rules._time import instant, when
from releasekit._rules.clock import Clock
from releasekit._rules.engine import Engine
from releasekit._rules.policy import Policy
from releasekit.exceptions import ConflictError, HistoryTamperedError, InvalidInputError

if TYPE_CHECKING:
    import builtins
    import datetime as dt
    from collections.abc import Iterable

    from releasekit._records.events import Event, Verification
    from releasekit._records.store import Snapshot
    from releasekit._records.values import Record
    from releasekit._rules.engine import Explanation, Plan
    from releasekit._rules.release import Release, ReleaseKind

__all__ = ["DeskEngine", "FreezeRoom"]

#: How often a declaration or a lift is tried again when another write came first.
_TRIES = 5


@attrs.frozen(kw_only=True)
class _Seen:
    """The declared freezes at one head of their history, checked, and the engine on them."""

    head: str
    revision: int
    freezes: tuple[DeclaredFreeze, ...]
    policy: Policy | None = None
    engine: Engine | None = None


@attrs.define
class FreezeRoom:
    """Freezes declared on the spot: declare, list and lift them; the engine that obeys them.

    Reached as ``desk.freezes``; it shares the desk's policy, store and clock.
    Built on its own as ``FreezeRoom(policy, ledger, clock)``, it builds an
    engine on the policy the first time one is asked for.

    Example:
        >>> import pendulum, releasekit as rk
        >>> now = pendulum.datetime(2026, 12, 26, 10, tz="UTC")
        >>> desk = rk.Desk(rk.reference_policy(freeze_declarers=["maria"]),
        ...                clock=rk.FixedClock(now))
        >>> incident = desk.freezes.declare(
        ...     "incident-42", until=now.add(hours=6), reason="payments are failing", by="Maria"
        ... )
        >>> listed = desk.freezes.list()
        >>> len(listed), listed[0].name, listed[0].declared_by
        (1, 'incident-42', 'maria')
    """

    _policy: Policy
    _ledger: Ledger
    _clock: Clock
    _engine: Engine | None = None
    _seen: _Seen | None = attrs.field(default=None, init=False, repr=False)

    # -- acting ------------------------------------------------------------------------

    def declare(
        self,
        name: str,
        *,
        until: dt.datetime,
        reason: str,
        by: str,
        start: dt.datetime | None = None,
        environments: Iterable[str] | None = None,
        kinds: Iterable[ReleaseKind | str] | None = None,
    ) -> DeclaredFreeze:
        """Declare a freeze from *start* (now) until *until*; every tool on the store obeys it.

        Args:
            name: What it is called, a lowercase name such as ``incident-42``;
                its guard's code is ``<name>-freeze``.
            until: The first instant it no longer holds: aware, in the future.
            reason: Why, for the people it stops.
            by: Who declares it: someone the policy's ``freeze_declarers`` name.
            start: The first instant it holds (aware); now by default.
            environments: The environments it closes; the policy's last
                (production) by default.
            kinds: The kinds of release it holds back; normal releases by
                default, so a hotfix goes through. Name ``hotfix`` too to stop
                hotfixes as well.

        Returns:
            The freeze as declared.

        Raises:
            NotPermittedError: *by* is not among the policy's freeze declarers
                (:class:`~releasekit.exceptions.UnknownPersonError`: with a
                roster, no one on it goes by *by*).
            NaiveDatetimeError: *until* or *start* has no time zone.
            InvalidInputError: A value cannot be used, *until* is not in the
                future or not after *start*, the freeze does not fit the policy,
                or a declared freeze in force or to come has that name.
            HistoryTamperedError: The history of declared freezes does not verify.
            ConflictError: Other writes kept coming first; try again.
        """
        now = self._clock.now()
        freeze = declared.draft(
            self._policy,
            name=name,
            reason=reason,
            until=until,
            by=by,
            now=now,
            start=start,
            environments=environments,
            kinds=kinds,
        )
        data = declared.event_data(freeze)
        return self._write(Action.FREEZE_DECLARED, freeze.declared_by, now, freeze.reason, data)

    def lift(self, name: str, *, by: str, reason: str) -> DeclaredFreeze:
        """Lift a declared freeze, in force or to come, before its end; return it as it was.

        Args:
            name: The freeze's name.
            by: Who lifts it: someone the policy's ``freeze_declarers`` name.
            reason: Why, for the history.

        Raises:
            NotPermittedError: *by* is not among the policy's freeze declarers.
            InvalidInputError: No declared freeze of that name is in force or to
                come (a freeze of the policy is lifted by changing the policy),
                or *reason* is empty.
            HistoryTamperedError: The history of declared freezes does not verify.
            ConflictError: Other writes kept coming first; try again.
        """
        person = declared.require_declarer(self._policy, by, action="lift a freeze")
        given: object = reason  # anything may arrive from a caller
        if not isinstance(given, str) or not given.strip():
            raise InvalidInputError(
                f"say why the freeze is lifted, for the history; got {reason!r}",
                field="reason",
                value=reason,
            )
        now = self._clock.now()
        return self._write(Action.FREEZE_LIFTED, person, now, reason, {"name": name})

    # -- reading -----------------------------------------------------------------------

    def list(self, *, now: dt.datetime | None = None) -> list[DeclaredFreeze]:
        """Return the declared freezes in force or to come at *now* (the clock's), as they start.

        Raises:
            NaiveDatetimeError: *now* has no time zone.
            HistoryTamperedError: The history of declared freezes does not verify.
        """
        moment = self._clock.now() if now is None else instant(now, field="now")
        current = self._current()
        return [freeze for freeze in current.freezes if not freeze.over(moment)]

    def history(self) -> builtins.list[Event]:
        """Return every event of the declared freezes' history, oldest first."""
        return self._ledger.store.events(STREAM)

    def verify(self) -> Verification:
        """Check the declared freezes' history against its chain, and their state against it."""
        return self._ledger.verify_history(STREAM, replay=declared.replay_problem)

    def policy(self) -> Policy:
        """Return the desk's policy with the declared freezes among its freezes.

        Each declared freeze guards the steps entering what it closes, and the
        flows of the kinds it does not hold back lift it
        (:func:`~releasekit._actions.declared_freezes.with_declared`).

        Raises:
            HistoryTamperedError: The history of declared freezes does not verify.
        """
        return self._policy_of(self._current())

    def _policy_of(self, seen: _Seen) -> Policy:
        """Return the desk's policy with the freezes *seen* among its freezes."""
        if not seen.freezes:
            return self._policy
        if seen.policy is None:
            seen = self._seen = attrs.evolve(
                seen, policy=declared.with_declared(self._policy, seen.freezes)
            )
        assert seen.policy is not None  # noqa: S101  # set just above
        return seen.policy

    def engine(self) -> Engine:
        """Return the engine on the desk's policy and the freezes declared in the store now.

        The engine is built once per state of the history and kept until the
        state changes; with no freeze declared it is the desk's own.

        Raises:
            HistoryTamperedError: The history of declared freezes does not verify.
        """
        declared_engine = self.declared_engine()
        if declared_engine is not None:
            return declared_engine
        if self._engine is None:
            self._engine = Engine(self._policy)
        return self._engine

    def declared_engine(self) -> Engine | None:
        """Return the engine obeying the freezes declared in the store now; ``None`` if none is.

        Raises:
            HistoryTamperedError: The history of declared freezes does not verify.
        """
        return self._declared_of(self._current())

    def deciding(self, release_id: str) -> tuple[Record, Engine | None]:
        """Load a release and the freezes declared now in one read, for a decision on it.

        Returns its record and the engine obeying the freezes (``None`` if
        none is declared: the policy's own engine decides).

        Raises:
            UnknownReleaseError: No release has that id.
            HistoryTamperedError: The history of declared freezes does not verify.
        """
        record, snapshot = self._ledger.load_with_state(release_id, STREAM)
        return record, self._declared_of(self._seen_in(snapshot))

    def _declared_of(self, seen: _Seen) -> Engine | None:
        """Return the engine obeying the freezes *seen*; ``None`` if there are none."""
        policy = self._policy_of(seen)
        if policy is self._policy:
            return None
        kept = self._seen
        assert kept is not None  # noqa: S101  # _policy_of kept what it saw
        if kept.engine is None:
            kept = self._seen = attrs.evolve(kept, engine=Engine(policy))
        assert kept.engine is not None  # noqa: S101  # set just above
        return kept.engine

    # -- internals ---------------------------------------------------------------------

    def _current(self) -> _Seen:
        """Return the declared freezes as stored now (see :meth:`_seen_in`)."""
        return self._seen_in(self._ledger.store.snapshot(STREAM))

    def _seen_in(self, snapshot: Snapshot | None) -> _Seen:
        """Return the declared freezes of *snapshot*, their state as just read, checked.

        The stored state is checked against the digest its last event recorded
        on every read; a state this room has not seen before is checked against
        the whole history, replayed. Finding neither state nor history costs
        the one read on the path of a decision; a state deleted while its
        history remains is refused by the store on that same read, and a state
        this room saw, gone since with its history, is refused here.
        """
        seen = self._seen
        if snapshot is None:
            if seen is None:
                return _Seen(head="", revision=0, freezes=())
        elif (
            seen is not None
            and snapshot.head == seen.head
            and snapshot.recorded_digest == digest(snapshot.text)
        ):
            return seen
        checked = self._ledger.checked_snapshot(STREAM, replay=declared.replay_problem)
        if checked is None:  # its state was deleted, and no history is left either
            raise HistoryTamperedError(
                stream=STREAM,
                seq=1,
                detail=MISMATCH,
                message=f"the declared freezes of {STREAM} are gone from the store; run "
                "`releasekit verify` to see what changed, and restore it from a backup",
            )
        self._seen = _Seen(
            head=checked.head, revision=checked.revision, freezes=declared.structured(checked)
        )
        return self._seen

    def _write(
        self, action: Action, by: str, at: dt.datetime, reason: str, data: dict[str, object]
    ) -> DeclaredFreeze:
        """Fold one step into the freezes as stored and append it, retrying if a write came first.

        Returns the freeze the step declares or lifts.

        Raises:
            InvalidInputError: The step cannot follow the freezes as they are
                now: a name declared twice, a freeze to lift that is not there.
        """
        name = data["name"]
        for attempt in range(_TRIES):
            seen = self._current()
            if action is Action.FREEZE_DECLARED:
                self._require_free(name, seen.freezes, at)
            else:
                found = self._find(name, seen.freezes, at)
            after = declared.apply(
                seen.freezes, action=action, actor=by, at=at, reason=reason, data=data
            )
            try:
                event = self._ledger.append(
                    STREAM,
                    expected=seen.revision,
                    action=action,
                    by=by,
                    at=at,
                    snapshot=declared.state_of(after),
                    data=data,
                    reason=reason,
                    target=str(name),
                )
            except ConflictError:
                if attempt == _TRIES - 1:
                    raise
                continue
            self._seen = _Seen(head=event.digest, revision=event.seq, freezes=after)
            if action is Action.FREEZE_DECLARED:
                return next(freeze for freeze in after if freeze.name == name)
            return found
        raise AssertionError  # pragma: no cover  # the loop returns or raises

    def _find(
        self, name: object, freezes: tuple[DeclaredFreeze, ...], at: dt.datetime
    ) -> DeclaredFreeze:
        """Return the declared freeze *name* in force or to come at *at*, or say why not."""
        for freeze in freezes:
            if freeze.name == name and not freeze.over(at):
                return freeze
        if any(freeze.name == name for freeze in self._policy.freezes):
            raise InvalidInputError(
                f"{name!r} is a freeze of policy {self._policy.name!r}, not one declared on the "
                "spot; change the policy to lift it",
                field="name",
                value=name,
            )
        raise InvalidInputError(
            f"no declared freeze named {name!r} is in force or to come at {when(at)}; "
            "`releasekit freeze list` shows those that are",
            field="name",
            value=name,
        )

    @staticmethod
    def _require_free(name: object, freezes: tuple[DeclaredFreeze, ...], at: dt.datetime) -> None:
        for freeze in freezes:
            if freeze.name == name and not freeze.over(at):
                raise InvalidInputError(
                    f"a freeze named {name!r} is already declared, by {freeze.declared_by} "
                    f"until {when(freeze.until)} ({freeze.reason}); lift it first, or give "
                    "this one another name",
                    field="name",
                    value=name,
                )


@attrs.define
class DeskEngine(Engine):
    """The desk's engine: its policy's, obeying the freezes declared in the store at each decision.

    Every room of a desk asks this one engine. What decides whether a step may
    happen — :meth:`explain`, :meth:`plan` and :meth:`promote` — reads the
    declared freezes first (:meth:`FreezeRoom.declared_engine`) and asks the
    engine on the policy holding them; every other question is the policy's.
    The desk calls :meth:`obey` once its freeze room is built.
    """

    _freezes: FreezeRoom | None = attrs.field(default=None, init=False, repr=False)
    _policy_engine: Engine | None = attrs.field(default=None, init=False, repr=False)

    def obey(self, freezes: FreezeRoom) -> None:
        """Obey the freezes *freezes* reads from the store from now on."""
        self._freezes = freezes

    def deciding(self, ledger: Ledger, release_id: str) -> tuple[Record, Engine]:
        """Load a release and the freezes declared now in one read; return the engine to ask.

        The engine obeys those freezes without reading them again: one read
        for the release and everything its decision depends on.

        Raises:
            UnknownReleaseError: No release has that id.
            HistoryTamperedError: The history of declared freezes does not verify.
        """
        if self._freezes is None:
            return ledger.load(release_id), self
        record, declared_engine = self._freezes.deciding(release_id)
        if declared_engine is not None:
            return record, declared_engine
        if self._policy_engine is None:
            self._policy_engine = Engine(self.policy)
        return record, self._policy_engine

    def _declared(self) -> Engine | None:
        return None if self._freezes is None else self._freezes.declared_engine()

    def explain(
        self, release: Release, *, now: dt.datetime, actor: str | None = None
    ) -> Explanation:
        """Explain the next step as the policy and the freezes declared now say (see Engine)."""
        engine = self._declared()
        if engine is None:
            return super().explain(release, now=now, actor=actor)
        return engine.explain(release, now=now, actor=actor)

    def promote(
        self, release: Release, *, by: str, now: dt.datetime, to: str | None = None
    ) -> Release:
        """Promote as the policy and the freezes declared now allow (see Engine)."""
        engine = self._declared()
        if engine is None:
            return super().promote(release, by=by, now=now, to=to)
        return engine.promote(release, by=by, now=now, to=to)

    def plan(self, release: Release, *, now: dt.datetime) -> Plan:
        """Plan as the policy and the freezes declared now say (see Engine)."""
        engine = self._declared()
        if engine is None:
            return super().plan(release, now=now)
        return engine.plan(release, now=now)
