"""The ledger: releases kept in any store, one event per action.

A :class:`Ledger` turns what happens to a release — started, evidence
recorded, promoted, refused, an executor attempt started and finished, attention
needed — into exactly one history event plus the release's new rows, written
together by the store. Reading a release reads its rows only
(:meth:`Ledger.load`), never its history, so neither grows with the history:
a step appends its event and fact rows and rewrites one small release row.

Every write takes the :class:`~releasekit._records.values.Record` the caller
loaded and is refused with :class:`~releasekit.exceptions.ConflictError` if
the release changed since: two tools can never both win the same step.

The state is a pure fold over the history (:mod:`releasekit._records.fold`):
the ledger computes every new state with the very function
:func:`~releasekit._records.fold.replay` folds with, so the stored state
always equals the replayed one. The writes for executor attempts and attention
items are in :mod:`releasekit._records.steps`; the texts a store keeps for a
release's values are written and read by :mod:`releasekit._records.rows`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.checks import check_history_name, check_release_id
from releasekit._records.converter import json_mapping, unstructure
from releasekit._records.events import Action, Draft, Event
from releasekit._records.fold import (
    NOTES,
    EvidenceRecorded,
    Moved,
    Refused,
    Started,
    advance,
)
from releasekit._records.history_checks import HistoryChecks
from releasekit._records.reading import record_of, summary_of
from releasekit._records.rows import NO_FACTS, fact_texts, next_row
from releasekit._records.steps import StepWrites, derived
from releasekit._records.store import Snapshot, Store
from releasekit._records.values import Record, ReleaseSummary, State, state_of, stored_row
from releasekit._rules.ended import ABANDONED
from releasekit._rules.policy import Policy
from releasekit.exceptions import InvalidInputError, UnknownReleaseError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    from releasekit._rules.evidence import Evidence
    from releasekit._rules.release import Move, Release
    from releasekit.exceptions import PromotionRefusedError

__all__ = ["Ledger"]


@attrs.define(eq=False)
class Ledger(StepWrites, HistoryChecks):
    """Releases kept in a store: one event and the release's new rows per action.

    Example:
        >>> ledger = Ledger(MemoryStore())  # doctest: +SKIP
        >>> record = ledger.start(release)  # doctest: +SKIP
        >>> record = ledger.promote(record, moved.moves[-1])  # doctest: +SKIP

    Args:
        store: Where the releases live: a memory, SQLite or PostgreSQL store.
        policy: The policy the releases follow, if known: a move to the end of
            a release's flow (production) then marks it finished, so listings
            of active releases leave it out. A move that ends a release
            (abandoned, rolled back) marks it finished either way.
    """

    store: Store
    policy: Policy | None = None

    # -- reading ---------------------------------------------------------------

    def load(self, release_id: str) -> Record:
        """Return the release's current record, read from its rows, not its history.

        Raises:
            UnknownReleaseError: No release with that id was started.
            HistoryTamperedError: Its rows are not what its history recorded.
            UnreadableDataError: A row cannot be read.
        """
        found = self.find(release_id)
        if found is None:
            raise UnknownReleaseError(release_id)
        return found

    def find(self, release_id: str) -> Record | None:
        """Return the release's current record, or ``None`` if it was never started.

        The rows are checked against the state digest the release's last event
        recorded before anything reads them.

        Raises:
            HistoryTamperedError: Its rows are not what its history recorded.
            UnreadableDataError: A row cannot be read.
        """
        stored = self.store.read_release(check_release_id(release_id))
        return None if stored is None else record_of(stored)

    def load_with_state(self, release_id: str, stream: str) -> tuple[Record, Snapshot | None]:
        """Return the release's record and the state of the history *stream*, read together.

        One read instead of two, for a decision that needs both (a release and
        the freezes declared on the spot); the state is as
        :meth:`Store.snapshot <releasekit.stores.Store.snapshot>` gives it.

        Raises:
            UnknownReleaseError: No release with that id was started.
            HistoryTamperedError: Its rows are not what its history recorded, or
                the state of *stream* was deleted while its history remains.
            UnreadableDataError: A row cannot be read.
        """
        name = check_history_name(stream)
        stored = self.store.read_release(check_release_id(release_id), with_state=name)
        if stored is None:
            raise UnknownReleaseError(release_id)
        return record_of(stored), stored.state

    def releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseSummary]:
        """Return releases as listed: their rows, without evidence or history, in id order.

        Args:
            active: Only releases that have not finished; all of them if false.
            after: Only ids after this one (the last id of the page before).
            limit: At most this many; all of them if ``None``.

        Raises:
            InvalidInputError: *after* is not an id, or *limit* not at least 1.
            UnreadableDataError: A row cannot be read.
        """
        rows = self.store.list_releases(active=active, after=after, limit=limit)
        return [summary_of(row) for row in rows]

    def records(self, releases: Iterable[str | ReleaseSummary]) -> list[Record]:
        """Return the full record of each release listed (e.g. one page of :meth:`releases`).

        Raises:
            UnknownReleaseError: One of them does not exist (any more).
            HistoryTamperedError: The rows of one are not what its history recorded.
        """
        return [self.load(item if isinstance(item, str) else item.id) for item in releases]

    def history(self, release_id: str, *, after: int = 0) -> list[Event]:
        """Return the release's events after position *after*, oldest first."""
        return self.store.events(check_release_id(release_id), after=after)

    # -- writing -----------------------------------------------------------------

    def start(
        self,
        release: Release,
        *,
        by: str | None = None,
        at: dt.datetime | None = None,
        reason: str = "",
    ) -> Record:
        """Record a new release (from :meth:`Engine.start <releasekit.Engine.start>`).

        Args:
            release: The release as started.
            by: Who started it; its ``created_by`` if not given.
            at: When; its ``created_at`` if not given.
            reason: Why, in words.

        Raises:
            ConflictError: A release with that id already exists.
            InvalidInputError: The id holds ``":"`` (reserved for other histories).
        """
        check_release_id(release.id)
        data = Started(release=release)
        draft = Draft(
            actor=by if by is not None else release.created_by,
            action=Action.STARTED,
            at=at if at is not None else release.created_at,
            target=release.state,
            reason=reason,
            data=unstructure(data),
        )
        state = State(release=release)
        return self._write(None, state, state, draft)

    def add_evidence(
        self, record: Record, *evidence: Evidence, by: str, at: dt.datetime, reason: str = ""
    ) -> Record:
        """Add evidence to the release, checked first with :meth:`Engine.add_evidence`.

        Args:
            record: The record as loaded.
            *evidence: The evidence to add.
            by: Who records it (may differ from who produced it, e.g. a bot).
            at: When it is recorded.
            reason: Why, in words.

        Raises:
            ConflictError: The release changed since *record* was loaded.
            InvalidInputError: No evidence was given.
        """
        if not evidence:
            raise InvalidInputError(
                "add_evidence needs at least one piece of evidence", field="evidence", value=()
            )
        data = EvidenceRecorded(evidence=evidence)
        return self._change(record, Action.EVIDENCE_ADDED, data, by=by, at=at, reason=reason)

    def promote(self, record: Record, move: Move, *, reason: str = "") -> Record:
        """Record a promotion the engine allowed (the last move of the promoted release).

        Raises:
            ConflictError: The release changed since *record* was loaded.
            AttemptInProgressError: An executor attempt is in flight.
            InvalidInputError: *move* does not start where the release is.
        """
        return self._move(record, move, Action.PROMOTED, reason)

    def roll_back(self, record: Record, move: Move, *, reason: str) -> Record:
        """Record that the release was moved back to an earlier environment.

        Raises:
            ConflictError: The release changed since *record* was loaded.
            AttemptInProgressError: An executor attempt is in flight.
            InvalidInputError: *move* does not start where the release is.
        """
        return self._move(record, move, Action.ROLLED_BACK, reason)

    def abandon(self, record: Record, move: Move, *, reason: str = "") -> Record:
        """Record that the release was given up (the move from :meth:`Engine.abandon`).

        Raises:
            ConflictError: The release changed since *record* was loaded.
            AttemptInProgressError: An executor attempt is in flight: abandon it first.
            InvalidInputError: *move* does not lead to ``abandoned``.
        """
        if move.target != ABANDONED:
            raise InvalidInputError(
                f"an abandoning move leads to {ABANDONED!r}, not {move.target!r}; "
                "use Engine.abandon to make it",
                field="move",
                value=move,
            )
        return self._move(record, move, Action.ABANDONED, reason)

    def refuse(
        self, record: Record, refusal: PromotionRefusedError, *, by: str, at: dt.datetime
    ) -> Record:
        """Record that a promotion was asked for and refused; the state does not change.

        Args:
            record: The record as loaded.
            refusal: The engine's refusal, with every blocker.
            by: Who asked for the promotion.
            at: When.

        The refusal is written against *record*'s revision: if the release
        changed since, nothing is written, so a refusal is only ever recorded
        for the step that was decided on.

        Raises:
            ConflictError: The release changed since *record* was loaded.
            InvalidInputError: The refusal concerns another release, or a step
                that does not start where *record* is.
        """
        if refusal.release_id != record.id:
            raise InvalidInputError(
                f"this refusal concerns release {refusal.release_id}, not {record.id}",
                field="refusal",
                value=refusal,
            )
        if refusal.source != record.state:
            raise InvalidInputError(
                f"this refusal concerns the step {refusal.source} -> {refusal.target}, but "
                f"release {record.id} is in {record.state}; ask the engine about the record "
                "you loaded",
                field="refusal",
                value=refusal,
            )
        data = Refused(blockers=refusal.blockers)
        return self._change(
            record,
            Action.REFUSED,
            data,
            by=by,
            at=at,
            reason=derived(str(refusal)),
            source=refusal.source,
            target=refusal.target,
        )

    def note(
        self,
        record: Record,
        *,
        action: Action | str,
        by: str,
        at: dt.datetime,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> Record:
        """Add an event that changes nothing to the release's history (a lease, a data operation).

        Args:
            record: The record as loaded.
            action: One of :data:`NOTES`, e.g. ``"lease-taken"``.
            by: Who acted.
            at: When.
            reason: Why, in words.
            data: Details, as JSON values.

        Raises:
            InvalidInputError: *action* changes a release: use its own method.
            ConflictError: The release changed since *record* was loaded.
        """
        kind = Action(action)
        if kind not in NOTES:
            raise InvalidInputError(
                f"{kind.value} changes a release; use the ledger's method for it, not note()",
                field="action",
                value=action,
            )
        draft = Draft(actor=by, action=kind, at=at, reason=reason, data=data)
        state = state_of(record)
        return self._write(record, state, state, draft)

    def append(
        self,
        stream: str,
        *,
        expected: int,
        action: Action | str,
        by: str,
        at: dt.datetime,
        snapshot: Mapping[str, Any] | object,
        data: Mapping[str, Any] | object = None,
        reason: str = "",
        source: str | None = None,
        target: str | None = None,
    ) -> Event:
        """Append to another typed history, such as ``"data:production"``.

        *data* and *snapshot* may be attrs values: they are written with the
        project's converter.

        Args:
            stream: The history, named ``kind:name``.
            expected: Its revision as you read it (``store.snapshot(stream)``), 0 to create it.
            action: What happened.
            by: Who did it.
            at: When.
            snapshot: The history's state after the event.
            data: What happened, in detail.
            reason: Why, in words.
            source: The state before, if it changed.
            target: The state after, if it changed.

        Raises:
            ConflictError: The history is not at *expected*.
            InvalidInputError: *stream* is not named ``kind:name``.
        """
        draft = Draft(
            actor=by,
            action=Action(action),
            at=at,
            source=source,
            target=target,
            reason=reason,
            data=json_mapping(data, "data"),
        )
        return self.store.append(
            check_history_name(stream),
            expected=expected,
            draft=draft,
            snapshot=json_mapping(snapshot, "snapshot"),
        )

    # -- internals ---------------------------------------------------------------

    def _move(self, record: Record, move: Move, action: Action, reason: str) -> Record:
        record.require_idle()
        if move.source != record.release.state:
            raise InvalidInputError(
                f"this move starts in {move.source}, but release {record.id} is in "
                f"{record.state}; load it again and ask the engine for the move",
                field="move",
                value=move,
            )
        data = Moved(move=move, finished=self._ends_flow(record.release, move.target))
        return self._change(
            record,
            action,
            data,
            by=move.by,
            at=move.at,
            reason=reason,
            source=move.source,
            target=move.target,
        )

    def _ends_flow(self, release: Release, target: str) -> bool:
        """Whether *target* is the last environment of *release*'s flow, as the policy says."""
        if self.policy is None or release.kind not in self.policy.kinds:
            return False
        return target == self.policy.flow(release.kind).path[-1]

    def _change(
        self,
        record: Record,
        action: Action,
        data: object,
        *,
        by: str,
        at: dt.datetime,
        reason: str = "",
        source: str | None = None,
        target: str | None = None,
    ) -> Record:
        draft = Draft(
            actor=by,
            action=action,
            at=at,
            source=source,
            target=target,
            reason=reason,
            data=unstructure(data),
        )
        before = state_of(record)
        return self._write(record, before, advance(before, action, data, at=draft.at), draft)

    def _write(self, record: Record | None, before: State, after: State, draft: Draft) -> Record:
        """Write *draft* with the rows of *after*, and the evidence and moves its data adds."""
        row = None if record is None else stored_row(record)
        evidence, moves = fact_texts(draft.action, draft.data)
        new = next_row(row, before, after, updated_at=draft.at, evidence=evidence, moves=moves)
        event = self.store.append_release(
            new,
            expected=0 if record is None else record.revision,
            previous="" if record is None else record.head,
            evidence_before=NO_FACTS if row is None else row.evidence_digest,
            moves_before=NO_FACTS if row is None else row.moves_digest,
            draft=draft,
            evidence=evidence,
            moves=moves,
        )
        return Record(
            release=after.release,
            revision=event.seq,
            head=event.digest,
            attempt=after.attempt,
            attention=after.attention,
            finished_at=after.finished_at,
            row=new.placed(event.seq, event.digest),
        )
