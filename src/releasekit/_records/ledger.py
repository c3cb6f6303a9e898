"""The ledger: releases kept in any store, one event per action.

A :class:`Ledger` turns what happens to a release — started, evidence
recorded, promoted, refused, an executor step started and finished, attention
needed — into exactly one history event plus the new current state, written
together by the store. Reading a release reads its current state only
(:meth:`Ledger.load`), never its history, so the cost of both does not grow
with the history.

Every write takes the :class:`Record` the caller loaded and is refused with
:class:`~releasekit.exceptions.ConflictError` if the release changed since:
two tools can never both win the same step.

The state is a pure fold over the history: :func:`replay` rebuilds a
:class:`Record` from events, and the ledger computes every new state with the
very same functions, so the stored state always equals the replayed one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from json.encoder import encode_basestring_ascii as _esc
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from releasekit._records._build import builder
from releasekit._records.converter import (
    Canonical,
    TextCache,
    iso,
    read_parts,
    structure,
    unstructure,
)
from releasekit._records.events import (
    Action,
    Draft,
    Event,
    Verification,
    digest_state,
    plain_digest,
)
from releasekit._records.events import draft as make_draft
from releasekit._records.processes import HostProcess
from releasekit._records.store import JSONText, Lease, Snapshot, Store, check_stream
from releasekit._records.verifying import MISMATCH, Replay, check_history, tampered
from releasekit._rules import _validate
from releasekit._rules._time import at_instant, instant
from releasekit._rules.evidence import EVIDENCE_TYPES, Evidence
from releasekit._rules.identity import by_identity
from releasekit._rules.release import Artifact, Move, Release
from releasekit._rules.verdicts import Blocker
from releasekit.exceptions import (
    InvalidInputError,
    RecordError,
    StepInProgressError,
    UnknownReleaseError,
)

if TYPE_CHECKING:
    import datetime as dt

    from releasekit.exceptions import PromotionRefusedError

__all__ = ["Attempt", "Attention", "Ledger", "Record", "replay"]

#: Streams whose names hold this character are not releases: they are other
#: histories, such as ``"data:production"`` or ``"lease:tests"``.
SEPARATOR = ":"


def _started_at(value: dt.datetime) -> pendulum.DateTime:
    """Convert a ``started_at`` field: an aware instant, refusing naive values."""
    return instant(value, field="started_at")


def _processes(value: Iterable[HostProcess]) -> tuple[HostProcess, ...]:
    return tuple(value)


def _raised_at(value: dt.datetime) -> pendulum.DateTime:
    """Convert a ``raised_at`` field: an aware instant, refusing naive values."""
    return instant(value, field="raised_at")


@attrs.frozen(kw_only=True)
class Attempt:
    """An executor step that was started and has not finished (yet).

    It is recorded *before* the executor runs. If the process dies while it
    runs, the attempt stays on the release until someone finishes it (after
    checking or re-running the step) or abandons it.

    Attributes:
        id: Identifies the attempt; finishing or abandoning it names it.
        capability: What the step does, e.g. ``"deploy"`` or ``"run-tests"``.
        environment: Where it runs, if it concerns one environment.
        started_at: When it started.
        by: Who started it.
        target: The environment the release moves to when the step succeeds,
            or ``None`` if success does not move it.
        detail: What exactly runs, for the person who finds it interrupted,
            e.g. ``"dt deploy stage 2.4.0"``.
        lease: The lease taken for the step (the tests environment's), with
            the token that alone gives it back or hands it over; ``None`` if
            it needs none.
        runner: The releasekit process running the step: the one that began
            it, or the last one that resumed it. ``None`` if not recorded.
        children: The programs the executor started for the step, as it
            reported them (since it began or was last resumed).
    """

    id: str = attrs.field(validator=_validate.text)
    capability: str = attrs.field(validator=_validate.text)
    environment: str | None = None
    started_at: pendulum.DateTime = attrs.field(converter=_started_at)
    by: str = attrs.field(converter=by_identity)
    target: str | None = None
    detail: str = ""
    lease: Lease | None = None
    runner: HostProcess | None = None
    children: tuple[HostProcess, ...] = attrs.field(default=(), converter=_processes)

    @property
    def processes(self) -> tuple[HostProcess, ...]:
        """Every process recorded as running the step: its runner, then its children."""
        return (self.runner, *self.children) if self.runner is not None else self.children


@attrs.frozen(kw_only=True)
class Attention:
    """Something about a release that needs a person, until it is cleared.

    Attributes:
        key: Identifies the item; raising the same key again replaces it.
        message: What is wrong, in words.
        raised_at: When it was raised.
        by: Who or what raised it (a person, ``"log-monitor"``).
    """

    key: str = attrs.field(validator=_validate.text)
    message: str = attrs.field(validator=_validate.text)
    raised_at: pendulum.DateTime = attrs.field(converter=_raised_at)
    by: str = attrs.field(converter=by_identity)


def _attention(value: Iterable[Attention]) -> tuple[Attention, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class State:
    """What the ledger keeps as a release's current state (its snapshot)."""

    release: Release
    attempt: Attempt | None = None
    attention: tuple[Attention, ...] = attrs.field(default=(), converter=_attention)


@attrs.frozen(kw_only=True)
class Record:
    """A release as the ledger holds it: its value, where its history stands, what is open.

    Hand it back to the ledger's next write: the write is refused with a
    :class:`~releasekit.exceptions.ConflictError` if the release changed since.

    Attributes:
        release: The release.
        revision: How many events its history holds.
        head: The digest of its last event.
        attempt: The executor step started and not finished, if any — after a
            crash, the one that was interrupted.
        attention: Open items that need a person, oldest first.
    """

    release: Release
    revision: int
    head: str
    attempt: Attempt | None = None
    attention: tuple[Attention, ...] = attrs.field(default=(), converter=_attention)

    @property
    def id(self) -> str:
        """The release's id."""
        return self.release.id

    @property
    def state(self) -> str:
        """The environment the release is in (or ``"abandoned"``)."""
        return self.release.state

    def require_idle(self) -> None:
        """Refuse to go on while a step of the release is in flight or was interrupted.

        Raises:
            StepInProgressError: Naming the unfinished step: resume it or abandon it first.
        """
        attempt = self.attempt
        if attempt is not None:
            raise StepInProgressError(
                release_id=self.id,
                attempt_id=attempt.id,
                capability=attempt.capability,
                started_at=attempt.started_at,
            )


# ---------------------------------------------------------------------------
# What each event says, and what it does to the state
# ---------------------------------------------------------------------------


def _evidence(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


def _blockers(value: Iterable[Blocker]) -> tuple[Blocker, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Started:
    """The data of a ``started`` event: the release as it was started."""

    release: Release


@attrs.frozen(kw_only=True)
class EvidenceRecorded:
    """The data of an ``evidence-recorded`` event."""

    evidence: tuple[Evidence, ...] = attrs.field(converter=_evidence)


@attrs.frozen(kw_only=True)
class Moved:
    """The data of a ``promoted``, ``abandoned`` or ``rolled-back`` event."""

    move: Move


@attrs.frozen(kw_only=True)
class Refused:
    """The data of a ``refused`` event: every blocker of the refused step."""

    blockers: tuple[Blocker, ...] = attrs.field(converter=_blockers)


@attrs.frozen(kw_only=True)
class StepStarted:
    """The data of a ``step-started`` event."""

    attempt: Attempt


@attrs.frozen(kw_only=True)
class StepEnded:
    """The data of a ``step-finished``, ``step-failed`` or ``step-abandoned`` event.

    Attributes:
        attempt_id: The attempt that ended.
        evidence: Evidence the step produced (a test run, a migration run).
        move: Where the release moved because the step succeeded, if it did.
        output: The tail of what the step printed.
    """

    attempt_id: str
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence)
    move: Move | None = None
    output: str = ""


@attrs.frozen(kw_only=True)
class StepResumed:
    """The data of a ``step-resumed`` event: who runs the step in flight from now on.

    Attributes:
        attempt_id: The attempt resumed.
        lease: The lease the resumed step holds (taken over from the run that
            was interrupted, or taken afresh), if it needs one.
        runner: The releasekit process that resumed it.
    """

    attempt_id: str
    lease: Lease | None = None
    runner: HostProcess | None = None


@attrs.frozen(kw_only=True)
class ChildStarted:
    """The data of a ``child-started`` event: a program the executor started for the step."""

    attempt_id: str
    process: HostProcess


@attrs.frozen(kw_only=True)
class AttentionNeeded:
    """The data of an ``attention-needed`` event."""

    attention: Attention


@attrs.frozen(kw_only=True)
class AttentionCleared:
    """The data of an ``attention-cleared`` event."""

    key: str


# The effects below build states and records from parts that are already
# checked values (the state before, the event's structured data), so they skip
# __init__, which would only convert and check them again.
_state = builder(State)
_record = builder(Record)
_moved = builder(Moved)


def _on_started(_state_before: object, data: Started) -> State:
    return _state(data.release, None, ())


def _on_evidence(state: State | Record, data: EvidenceRecorded) -> State:
    return _state(state.release.with_evidence(*data.evidence), state.attempt, state.attention)


def _on_moved(state: State | Record, data: Moved) -> State:
    return _state(state.release.moved(data.move), state.attempt, state.attention)


def _on_refused(state: State | Record, _data: Refused) -> State:
    return _state(state.release, state.attempt, state.attention)


def _on_step_started(state: State | Record, data: StepStarted) -> State:
    return _state(state.release, data.attempt, state.attention)


def _on_step_ended(state: State | Record, data: StepEnded) -> State:
    release = state.release
    if data.evidence:
        release = release.with_evidence(*data.evidence)
    if data.move is not None:
        release = release.moved(data.move)
    return _state(release, None, state.attention)


def _on_step_resumed(state: State | Record, data: StepResumed) -> State:
    attempt = state.attempt
    if attempt is None or attempt.id != data.attempt_id:  # pragma: no cover  # the ledger checks
        return _state(state.release, attempt, state.attention)
    resumed = attrs.evolve(attempt, lease=data.lease, runner=data.runner, children=())
    return _state(state.release, resumed, state.attention)


def _on_child_started(state: State | Record, data: ChildStarted) -> State:
    attempt = state.attempt
    if attempt is None or attempt.id != data.attempt_id:  # pragma: no cover  # the ledger checks
        return _state(state.release, attempt, state.attention)
    grown = attrs.evolve(attempt, children=(*attempt.children, data.process))
    return _state(state.release, grown, state.attention)


def _on_attention_needed(state: State | Record, data: AttentionNeeded) -> State:
    others = tuple(item for item in state.attention if item.key != data.attention.key)
    return _state(state.release, state.attempt, (*others, data.attention))


def _on_attention_cleared(state: State | Record, data: AttentionCleared) -> State:
    return _state(
        state.release,
        state.attempt,
        tuple(item for item in state.attention if item.key != data.key),
    )


#: For each action that changes a release's state: the type of its data and
#: how it changes the state. Other actions (leases, data operations) leave
#: the state as it is.
_EFFECTS: dict[Action, tuple[type[Any], Callable[[Any, Any], State]]] = {
    Action.STARTED: (Started, _on_started),
    Action.EVIDENCE_RECORDED: (EvidenceRecorded, _on_evidence),
    Action.PROMOTED: (Moved, _on_moved),
    Action.ABANDONED: (Moved, _on_moved),
    Action.ROLLED_BACK: (Moved, _on_moved),
    Action.REFUSED: (Refused, _on_refused),
    Action.STEP_STARTED: (StepStarted, _on_step_started),
    Action.STEP_FINISHED: (StepEnded, _on_step_ended),
    Action.STEP_FAILED: (StepEnded, _on_step_ended),
    Action.STEP_ABANDONED: (StepEnded, _on_step_ended),
    Action.STEP_RESUMED: (StepResumed, _on_step_resumed),
    Action.CHILD_STARTED: (ChildStarted, _on_child_started),
    Action.ATTENTION_NEEDED: (AttentionNeeded, _on_attention_needed),
    Action.ATTENTION_CLEARED: (AttentionCleared, _on_attention_cleared),
}

#: Actions :meth:`Ledger.note` may add to a release's history: they change nothing.
NOTES = frozenset(Action) - frozenset(_EFFECTS)


def _apply(state: State | None, event: Event) -> State:
    effect = _EFFECTS.get(event.action)
    if (state is None) != (event.action is Action.STARTED):
        problem = (
            f"it begins with a {event.action.value} event, not started"
            if state is None
            else "it holds a second started event"
        )
        raise RecordError(
            what=f"the history of {event.stream}", problems=[f"{problem} @ $[{event.seq - 1}]"]
        )
    if effect is None:
        assert state is not None  # noqa: S101  # checked just above
        return state
    kind, change = effect
    data = structure(event.data, kind, what=f"event {event.seq} of {event.stream}")
    return change(state, data)


def replay(events: Iterable[Event]) -> Record:
    """Rebuild a release's :class:`Record` from its history, oldest event first.

    This is what the stored state must always equal; :meth:`Ledger.verify`
    checks it.

    Raises:
        RecordError: The history is empty, does not begin with ``started``, or
            holds data that cannot be read.
    """
    state: State | None = None
    last: Event | None = None
    for event in events:
        state = _apply(state, event)
        last = event
    if state is None or last is None:
        raise RecordError(what="the history", problems=["it holds no event @ $"])
    return _record(state.release, last.seq, last.digest, state.attempt, state.attention)


def _release_problem(snapshot: Snapshot, events: Sequence[Event]) -> tuple[int, str] | None:
    """Return where and why a release's stored state is not the replay of its history."""
    try:
        replayed = replay(events)
    except RecordError as error:
        return 1, str(error)
    try:
        stored = structure(snapshot.data, State, what=f"the current state of {snapshot.stream}")
    except RecordError as error:
        return snapshot.revision, str(error)
    if stored != _state_of(replayed):
        return snapshot.revision, MISMATCH
    return None


#: Writes states and event data as canonical JSON, reusing the text of parts
#: written before; every class they hold is written by generated code.
_TEXTS = TextCache(
    State,
    Release,
    Artifact,
    Move,
    Attempt,
    Attention,
    Blocker,
    Lease,
    HostProcess,
    *EVIDENCE_TYPES,
    *dict.fromkeys(kind for kind, _effect in _EFFECTS.values()),
)


#: Writes states beside :data:`_TEXTS`: with the parts of a state read from a
#: store remembered as they were read (:meth:`Ledger.find`), so a release
#: loaded and written back with one change is not written out whole again.
_STATE_TEXTS = TextCache(*_TEXTS.kinds, beside=_TEXTS)


_json_text = builder(JSONText)


def _snapshot(state: State) -> JSONText:
    return _json_text(_STATE_TEXTS.text(state))


# ---------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------


def _release_id(release_id: object) -> str:
    if not isinstance(release_id, str) or not release_id.strip():
        raise InvalidInputError(
            f"a release id must be a non-empty string, got {release_id!r}",
            field="release_id",
            value=release_id,
        )
    if SEPARATOR in release_id:
        raise InvalidInputError(
            f"release id {release_id!r} holds {SEPARATOR!r}, which names other histories "
            f"(such as 'data{SEPARATOR}production'); choose an id without it",
            field="release_id",
            value=release_id,
        )
    return release_id


def _history_name(stream: object) -> str:
    if not isinstance(stream, str) or SEPARATOR not in stream.strip(SEPARATOR):
        raise InvalidInputError(
            f"{stream!r} is not the name of a history: name it kind{SEPARATOR}name, e.g. "
            f"'data{SEPARATOR}production' (names without {SEPARATOR!r} are releases)",
            field="stream",
            value=stream,
        )
    return stream


@attrs.define(eq=False)
class Ledger:
    """Releases kept in a store: one event and one new state per action.

    Example:
        >>> ledger = Ledger(MemoryStore())  # doctest: +SKIP
        >>> record = ledger.start(release)  # doctest: +SKIP
        >>> record = ledger.promote(record, moved.moves[-1])  # doctest: +SKIP

    Args:
        store: Where the releases live: a memory, SQLite or PostgreSQL store.
    """

    store: Store

    # -- reading ---------------------------------------------------------------

    def load(self, release_id: str) -> Record:
        """Return the release's current record, read from its state, not its history.

        Raises:
            UnknownReleaseError: No release with that id was started.
            RecordError: The stored state cannot be read.
        """
        found = self.find(release_id)
        if found is None:
            raise UnknownReleaseError(release_id)
        return found

    def find(self, release_id: str) -> Record | None:
        """Return the release's current record, or ``None`` if it was never started.

        Raises:
            RecordError: The stored state cannot be read.
        """
        snapshot = self.store.snapshot(_release_id(release_id))
        if snapshot is None:
            return None
        snapshot.require_recorded()  # before anything reads it
        state = structure(snapshot.data, State, what=f"the current state of {release_id}")
        found = _record(
            state.release, snapshot.revision, snapshot.head, state.attempt, state.attention
        )
        read = read_parts(snapshot.data)
        if read is not None:
            text, spans = read
            _STATE_TEXTS.recall(state, text, spans)
            inner = spans.get("release", (0, 0, None))[2]
            if (
                _STATE_TEXTS.writes(State, spans)
                and isinstance(inner, dict)
                and _STATE_TEXTS.writes(Release, inner)
            ):  # the keys releasekit writes, in its order: a step can be spliced in
                _remember_text(found, text)
        return found

    def releases(self, *, prefix: str = "") -> list[str]:
        """Return the ids of every release starting with *prefix*, sorted."""
        return [name for name in self.store.streams(prefix=prefix) if SEPARATOR not in name]

    def history(self, release_id: str, *, after: int = 0) -> list[Event]:
        """Return the release's events after position *after*, oldest first."""
        return self.store.events(_release_id(release_id), after=after)

    def verify(self, release_id: str) -> Verification:
        """Check the release's history against its hash chain *and* its current state.

        Beyond the chain, the history is replayed and compared with the stored
        state, so a state edited behind releasekit's back is caught too.

        Raises:
            UnknownReleaseError: The release has neither a history nor a state.
        """
        stream = _release_id(release_id)
        verification, snapshot = check_history(self.store, stream, _release_problem)
        if snapshot is None and verification.ok:
            raise UnknownReleaseError(release_id)
        return verification

    def verify_history(self, stream: str, *, replay: Replay | None = None) -> Verification:
        """Check any history the store holds: its chain, and its state against it.

        The store checks the chain and that the state is the one the last
        event recorded; given *replay*, the whole history is also replayed and
        compared with the state.

        Args:
            stream: The history, e.g. ``"data:adjustment-1"`` (or a release id).
            replay: Returns where and why the stored state (a
                :class:`~releasekit.stores.Snapshot`) is not the replay of the
                events, or ``None`` if it is.
        """
        return check_history(self.store, check_stream(stream), replay)[0]

    def checked_snapshot(self, stream: str, *, replay: Replay) -> Snapshot | None:
        """Return the stream's state once its whole history was checked against it.

        For short histories (a data operation's), read before acting on one:
        the chain is checked and the history replayed on every read.

        Raises:
            HistoryTamperedError: The history does not verify, or the state is
                not its replay.
        """
        verification, snapshot = check_history(self.store, check_stream(stream), replay)
        if not verification.ok:
            raise tampered(verification)
        return snapshot

    def histories(self) -> list[str]:
        """Return the name of every history the store holds, releases and others, sorted.

        A history whose state was deleted is listed too (the store's
        ``histories()``, where it has one), so ``verify`` reports it.
        """
        listed: Callable[[], list[str]] | None = getattr(self.store, "histories", None)
        return listed() if listed is not None else self.store.streams()

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
        _release_id(release.id)
        state = State(release=release)
        draft = Draft(
            actor=by if by is not None else release.created_by,
            action=Action.STARTED,
            at=at if at is not None else release.created_at,
            target=release.state,
            reason=reason,
            data=Canonical(_TEXTS.text(Started(release=release))),
        )
        return self._write(None, state, draft)

    def record_evidence(
        self, record: Record, *evidence: Evidence, by: str, at: dt.datetime, reason: str = ""
    ) -> Record:
        """Add evidence to the release, checked first with :meth:`Engine.record`.

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
                "record_evidence needs at least one piece of evidence", field="evidence", value=()
            )
        data = EvidenceRecorded(evidence=evidence)
        return self._change(
            record,
            Action.EVIDENCE_RECORDED,
            data,
            _on_evidence(record, data),
            by=by,
            at=at,
            reason=reason,
        )

    def promote(self, record: Record, move: Move, *, reason: str = "") -> Record:
        """Record a promotion the engine allowed (the last move of the promoted release).

        Raises:
            ConflictError: The release changed since *record* was loaded.
            StepInProgressError: An executor step is in flight.
            InvalidInputError: *move* does not start where the release is.
        """
        return self._move(record, move, Action.PROMOTED, reason)

    def roll_back(self, record: Record, move: Move, *, reason: str) -> Record:
        """Record that the release was moved back to an earlier environment.

        Raises:
            ConflictError: The release changed since *record* was loaded.
            StepInProgressError: An executor step is in flight.
            InvalidInputError: *move* does not start where the release is.
        """
        return self._move(record, move, Action.ROLLED_BACK, reason)

    def abandon(self, record: Record, move: Move, *, reason: str = "") -> Record:
        """Record that the release was given up (the move from :meth:`Engine.abandon`).

        Raises:
            ConflictError: The release changed since *record* was loaded.
            StepInProgressError: An executor step is in flight: abandon it first.
            InvalidInputError: *move* does not lead to ``abandoned``.
        """
        from releasekit._rules.policy import ABANDONED  # noqa: PLC0415  # rules of a flow: on use

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
            _on_refused(record, data),
            by=by,
            at=at,
            reason=_derived(str(refusal)),
            source=refusal.source,
            target=refusal.target,
        )

    def begin_attempt(
        self,
        record: Record,
        *,
        capability: str,
        by: str,
        at: dt.datetime,
        environment: str | None = None,
        target: str | None = None,
        detail: str = "",
        attempt_id: str | None = None,
        lease: Lease | None = None,
        runner: HostProcess | None = None,
    ) -> Record:
        """Record that an executor step starts — call it *before* the executor runs.

        Args:
            record: The record as loaded.
            capability: What the step does, e.g. ``"deploy"``.
            by: Who starts it.
            at: When.
            environment: Where it runs.
            target: Where the release moves when the step succeeds, if anywhere.
            detail: What exactly runs, for whoever finds it interrupted.
            attempt_id: An id of your own; by default ``"<release>/<position>"``.
            lease: The lease taken for the step, so that whoever finds it
                interrupted can give it back or take it over.
            runner: The process running the step (see
                :func:`releasekit._actions.processes.this_process`).

        Returns:
            The record, whose :attr:`~Record.attempt` is the new attempt.

        Raises:
            StepInProgressError: Another step is in flight (or was interrupted).
            ConflictError: The release changed since *record* was loaded.
        """
        record.require_idle()
        attempt = Attempt(
            id=attempt_id if attempt_id is not None else f"{record.id}/{record.revision + 1}",
            capability=capability,
            environment=environment,
            started_at=at_instant(at),
            by=by,
            target=target,
            detail=detail,
            lease=lease,
            runner=runner,
        )
        data = StepStarted(attempt=attempt)
        return self._change(
            record,
            Action.STEP_STARTED,
            data,
            _on_step_started(record, data),
            by=by,
            at=at,
            reason=_derived(detail),
            source=record.state,
            target=target,
        )

    def finish_attempt(
        self,
        record: Record,
        attempt_id: str,
        *,
        by: str,
        at: dt.datetime,
        evidence: Iterable[Evidence] = (),
        output: str = "",
        reason: str = "",
    ) -> Record:
        """Record that the step succeeded — after it ran, or after checking an interrupted one.

        The evidence it produced is added, and if the attempt has a target the
        release moves there, all in the same event.

        Raises:
            InvalidInputError: *attempt_id* is not the step in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        attempt = _require_attempt(record, attempt_id)
        move = (
            Move(source=record.state, target=attempt.target, at=at, by=by)
            if attempt.target is not None
            else None
        )
        data = StepEnded(attempt_id=attempt_id, evidence=tuple(evidence), move=move, output=output)
        return self._change(
            record,
            Action.STEP_FINISHED,
            data,
            _on_step_ended(record, data),
            by=by,
            at=at,
            reason=reason,
            source=record.state,
            target=attempt.target if attempt.target is not None else record.state,
        )

    def fail_attempt(
        self,
        record: Record,
        attempt_id: str,
        *,
        by: str,
        at: dt.datetime,
        reason: str,
        evidence: Iterable[Evidence] = (),
        output: str = "",
    ) -> Record:
        """Record that the step failed; the release stays where it is.

        Evidence it produced (a failed test run) is added in the same event.

        Raises:
            InvalidInputError: *attempt_id* is not the step in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = StepEnded(attempt_id=attempt_id, evidence=tuple(evidence), output=output)
        return self._change(
            record,
            Action.STEP_FAILED,
            data,
            _on_step_ended(record, data),
            by=by,
            at=at,
            reason=reason,
            source=record.state,
            target=record.state,
        )

    def abandon_attempt(
        self, record: Record, attempt_id: str, *, by: str, at: dt.datetime, reason: str
    ) -> Record:
        """Give an unfinished step up explicitly, e.g. one a crash interrupted.

        Raises:
            InvalidInputError: *attempt_id* is not the step in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = StepEnded(attempt_id=attempt_id)
        return self._change(
            record,
            Action.STEP_ABANDONED,
            data,
            _on_step_ended(record, data),
            by=by,
            at=at,
            reason=reason,
            source=record.state,
            target=record.state,
        )

    def resume_attempt(
        self,
        record: Record,
        attempt_id: str,
        *,
        by: str,
        at: dt.datetime,
        reason: str,
        lease: Lease | None = None,
        runner: HostProcess | None = None,
    ) -> Record:
        """Record that an interrupted step runs again, under *lease*, in *runner*.

        The step's lease and runner are replaced, and the programs recorded
        for the interrupted run are forgotten (they were checked to have ended).

        Raises:
            InvalidInputError: *attempt_id* is not the step in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = StepResumed(attempt_id=attempt_id, lease=lease, runner=runner)
        return self._change(
            record,
            Action.STEP_RESUMED,
            data,
            _on_step_resumed(record, data),
            by=by,
            at=at,
            reason=reason,
        )

    def record_child(
        self, record: Record, attempt_id: str, process: HostProcess, *, by: str, at: dt.datetime
    ) -> Record:
        """Record a program the executor started for the step in flight.

        Raises:
            InvalidInputError: *attempt_id* is not the step in flight.
            ConflictError: The release changed since *record* was loaded.
        """
        _require_attempt(record, attempt_id)
        data = ChildStarted(attempt_id=attempt_id, process=process)
        return self._change(
            record,
            Action.CHILD_STARTED,
            data,
            _on_child_started(record, data),
            by=by,
            at=at,
            reason=f"the executor started {process}",
        )

    def raise_attention(
        self, record: Record, *, key: str, message: str, by: str, at: dt.datetime
    ) -> Record:
        """Flag something about the release that needs a person (replacing the same *key*).

        Raises:
            ConflictError: The release changed since *record* was loaded.
        """
        data = AttentionNeeded(
            attention=Attention(key=key, message=message, raised_at=at_instant(at), by=by)
        )
        return self._change(
            record,
            Action.ATTENTION_NEEDED,
            data,
            _on_attention_needed(record, data),
            by=by,
            at=at,
            reason=_derived(message),
        )

    def clear_attention(
        self, record: Record, key: str, *, by: str, at: dt.datetime, reason: str = ""
    ) -> Record:
        """Record that the item *key* was dealt with.

        Raises:
            InvalidInputError: No open item has that key.
            ConflictError: The release changed since *record* was loaded.
        """
        if not any(item.key == key for item in record.attention):
            open_keys = ", ".join(item.key for item in record.attention) or "none"
            raise InvalidInputError(
                f"release {record.id} has no open attention item {key!r} (open: {open_keys})",
                field="key",
                value=key,
            )
        data = AttentionCleared(key=key)
        return self._change(
            record,
            Action.ATTENTION_CLEARED,
            data,
            _on_attention_cleared(record, data),
            by=by,
            at=at,
            reason=reason,
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
        return self._write(record, _state_of(record), draft)

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
            data=_json(data, "data"),
        )
        return self.store.append(
            _history_name(stream),
            expected=expected,
            draft=draft,
            snapshot=_json(snapshot, "snapshot"),
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
        release = record.release.moved(move)
        fast = self._move_quickly(record, release, move, action, reason)
        if fast is not None:
            return fast
        data = _moved(move)  # a Move, checked when it was made
        text = _TEXTS.text(data)  # the move's text is remembered for the state's
        spliced = _moved_text(record.release, release, _TEXTS.part(move))
        if spliced is not None:
            _STATE_TEXTS.remember(release, spliced)
        return self._change(
            record,
            action,
            data,
            _state(release, record.attempt, record.attention),
            text=text,
            by=move.by,
            at=move.at,
            reason=reason,
            source=move.source,
            target=move.target,
        )

    def _move_quickly(
        self, record: Record, release: Release, move: Move, action: Action, reason: str
    ) -> Record | None:
        """Record *move* the short way, or return ``None`` to take the general one.

        A step of a release the ledger wrote or read itself, on a store that
        takes an event as checked text (the built-in ones do), with plain
        fields: the new state's text is the old one with the move spliced in,
        the event is sealed from text, and no other value is built.
        """
        # The store's way to take an event sealed here, as one row, if it has one
        # (the built-in stores do); asked each time, as the store may be replaced.
        commit: Callable[..., None] | None = getattr(self.store, "_commit", None)
        known = _record_texts.get(id(record))
        if commit is None or known is None or known[0] is not record:
            return None
        by, source, target, at = move.by, move.source, move.target, move.at
        every = f"{by}{source}{target}{reason}"  # exact strings, checked below
        if not (
            release.__class__ is Release
            and by.__class__ is str
            and source.__class__ is str
            and target.__class__ is str
            and reason.__class__ is str
            and at.__class__ is pendulum.DateTime
            and at.tzinfo is _UTC
            and every.isascii()
            and "\x00" not in every
        ):
            return None  # Draft() checks these, and says what is wrong
        at_text = iso(at)
        by_text, source_text, target_text = _esc(by), _esc(source), _esc(target)
        # What the converter writes for a Move (a test holds them equal).
        text = f'{{"at":"{at_text}","by":{by_text},"source":{source_text},"target":{target_text}}}'
        snapshot = _spliced(known[1], text, target_text)
        if snapshot is None:  # pragma: no cover  # its keys were checked when it was remembered
            return None
        stream, seq, previous, data = (
            record.id,
            record.revision + 1,
            record.head,
            f'{{"move":{text}}}',
        )
        value = action._value_  # its .value is a Python-level property
        state = digest_state(snapshot)
        digest = plain_digest(
            _esc(stream),
            seq,
            _esc(previous),
            by_text,
            _esc(value),
            at_text,
            source_text,
            target_text,
            _esc(reason),
            data,
            state,
        )
        commit(
            (
                stream,
                seq,
                at_text,
                by,
                value,
                source,
                target,
                reason,
                data,
                previous,
                digest,
                state,
                snapshot,
            ),
            action,
            at,
        )
        moved = _record(release, seq, digest, None, record.attention)
        _remember_text(moved, snapshot)
        return moved

    def _change(
        self,
        record: Record,
        action: Action,
        data: object,
        state: State,
        *,
        by: str,
        at: dt.datetime,
        reason: str = "",
        source: str | None = None,
        target: str | None = None,
        text: str | None = None,
    ) -> Record:
        draft = make_draft(
            actor=by,
            action=action,
            at=at,
            source=source,
            target=target,
            reason=reason,
            # Written from the typed value: the parts the new state shares with it
            # (a move, evidence, an attempt) are then written once for both.
            data=Canonical(_TEXTS.text(data) if text is None else text),
        )
        snapshot = _snapshot(state)
        event = self.store.append(
            state.release.id,
            expected=record.revision,
            draft=draft,
            snapshot=snapshot,
            previous=record.head,
        )
        result = _record(state.release, event.seq, event.digest, state.attempt, state.attention)
        _remember_text(result, snapshot.text)
        return result

    def _write(self, record: Record | None, state: State, draft: Draft) -> Record:
        snapshot = _snapshot(state)
        event = self.store.append(
            state.release.id,
            expected=record.revision if record is not None else 0,
            draft=draft,
            snapshot=snapshot,
            previous=record.head if record is not None else "",
        )
        result = _record(state.release, event.seq, event.digest, state.attempt, state.attention)
        _remember_text(result, snapshot.text)
        return result


#: The fields of a release a move leaves as they are.
_unmoved = attrgetter("evidence", "artifact", "id", "version", "kind", "created_at", "created_by")

#: The text of the state of records the ledger wrote or read (with its keys in
#: order), by the identity of the record: its next step is spliced into it.
_record_texts: dict[int, tuple[Record, str]] = {}
_RECORD_TEXTS_LIMIT = 1024
_UTC = pendulum.UTC


def _remember_text(record: Record, text: str) -> None:
    if len(_record_texts) >= _RECORD_TEXTS_LIMIT:  # forget the older half
        for key in list(islice(_record_texts, _RECORD_TEXTS_LIMIT // 2)):
            _record_texts.pop(key, None)  # another thread may have dropped it already
    _record_texts[id(record)] = (record, text)  # holding it keeps its id from reuse


def _moved_text(before: Release, after: Release, move: str) -> str | None:
    """Return the text of *after*, *before* having taken one move, from *before*'s text.

    Everything but the state and the moves is the very same objects, and the
    text of the release before is remembered: it is copied with the move
    spliced in (see :func:`_spliced`). Return ``None`` when that text is not
    known or more than that changed.
    """
    old = _STATE_TEXTS.known(before)
    kept, moves = before.moves, after.moves
    if not (
        old is not None
        and after.__class__ is Release
        and before.__class__ is Release
        and len(moves) == len(kept) + 1
        # The same objects (or equal ones: the state need only mean the same).
        and _unmoved(after) == _unmoved(before)
        and all(map(is_, kept, moves))
    ):
        return None
    state = after.state
    if state.__class__ is not str:
        return None
    return _spliced(old, move, _esc(state))


def _spliced(old: str, move: str, state: str) -> str | None:
    """Return *old*, the text of a release or of a state, with *move* added and *state* set.

    *move* and *state* are JSON texts.

    With the keys in order, as releasekit writes them, ``version`` is the
    release's last key, ``state`` the one before it and ``moves`` the one
    before that, and no value between them holds those keys: the last of each
    in the text is the release's own. Return ``None`` if one is missing.
    """
    version = old.rfind(',"version":')
    at = old.rfind(',"state":', 0, version)
    start = old.rfind(',"moves":[', 0, at)
    if min(version, at, start) < 0:  # pragma: no cover  # texts are remembered with these keys
        return None
    listed = old[start + 10 : at - 1]  # the moves' texts, between [ and ]
    comma = "," if listed else ""
    return f'{old[:start]},"moves":[{listed}{comma}{move}],"state":{state}{old[version:]}'


def _derived(text: str) -> str:
    """Return *text*, taken from a value, as an event's reason every store can keep.

    The value itself is kept whole in the event's data; only its copy in the
    reason column loses NUL characters, which no database text column holds.
    """
    return text.replace("\x00", "\ufffd")


def _state_of(record: Record) -> State:
    return _state(record.release, record.attempt, record.attention)


def _require_attempt(record: Record, attempt_id: str) -> Attempt:
    attempt = record.attempt
    if attempt is None or attempt.id != attempt_id:
        in_flight = f"{attempt.id} is" if attempt is not None else "no step is"
        raise InvalidInputError(
            f"release {record.id} has no step {attempt_id!r} in flight ({in_flight}); "
            "load the release again to see where it stands",
            field="attempt_id",
            value=attempt_id,
        )
    return attempt


def _json(value: object, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    result = unstructure(value)
    if not isinstance(result, Mapping):
        raise InvalidInputError(
            f"{field} must be a mapping or an attrs value, got {type(value).__name__}",
            field=field,
            value=value,
        )
    return result
