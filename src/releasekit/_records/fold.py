"""The fold of a release's history: what each event does, and replay — no store.

Every event of a release's history says what happened; :data:`EFFECTS` says
what it does to the release (:func:`advance`). The ledger computes each new
state with this very function before writing it, and :func:`replay` folds a
whole history into a :class:`~releasekit._records.values.Record`; ``verify``
compares the replay with the stored rows
(:func:`~releasekit._records.verifying.release_problem`), so the stored
state is the replay of its history by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from cattrs.gen import make_dict_unstructure_fn, override

from releasekit._records.converter import extend, structure
from releasekit._records.events import Action, Event
from releasekit._records.leases import Lease
from releasekit._records.processes import HostProcess
from releasekit._records.values import Attempt, Attention, Record, State
from releasekit._rules.ended import ENDED_STATES
from releasekit._rules.evidence import Evidence
from releasekit._rules.release import Move, Release
from releasekit._rules.verdicts import Blocker
from releasekit.exceptions import UnreadableDataError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator

    import cattrs

__all__ = [
    "EFFECTS",
    "NOTES",
    "advance",
    "applied",
    "facts_of",
    "finishes",
    "replay",
]


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
    """The data of a ``promoted``, ``abandoned`` or ``rolled-back`` event.

    Attributes:
        move: The move.
        finished: Whether the move takes the release to the end of its flow
            (written only when true).
    """

    move: Move
    finished: bool = False


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
        finished: Whether the move takes the release to the end of its flow
            (written only when true).
    """

    attempt_id: str
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence)
    move: Move | None = None
    output: str = ""
    finished: bool = False


@attrs.frozen(kw_only=True)
class StepResumed:
    """The data of a ``step-resumed`` event: who runs the attempt in flight from now on.

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


def _changed(
    state: State, release: Release, attempt: Attempt | None, attention: tuple[Attention, ...]
) -> State:
    """Return *state* with its release, attempt in flight and attention items replaced."""
    return State(
        release=release, attempt=attempt, attention=attention, finished_at=state.finished_at
    )


def _on_started(_state_before: State | None, data: Started) -> State:
    return State(release=data.release)


def _on_evidence(state: State, data: EvidenceRecorded) -> State:
    release = state.release.with_evidence(*data.evidence)
    return _changed(state, release, state.attempt, state.attention)


def _on_moved(state: State, data: Moved) -> State:
    return _changed(state, state.release.moved(data.move), state.attempt, state.attention)


def _on_refused(state: State, _data: Refused) -> State:
    return state


def _on_step_started(state: State, data: StepStarted) -> State:
    return _changed(state, state.release, data.attempt, state.attention)


def _on_step_ended(state: State, data: StepEnded) -> State:
    release = state.release
    if data.evidence:
        release = release.with_evidence(*data.evidence)
    if data.move is not None:
        release = release.moved(data.move)
    return _changed(state, release, None, state.attention)


def _on_step_resumed(state: State, data: StepResumed) -> State:
    attempt = state.attempt
    if attempt is None or attempt.id != data.attempt_id:  # pragma: no cover  # the ledger checks
        return state
    resumed = attrs.evolve(attempt, lease=data.lease, runner=data.runner, children=())
    return _changed(state, state.release, resumed, state.attention)


def _on_child_started(state: State, data: ChildStarted) -> State:
    attempt = state.attempt
    if attempt is None or attempt.id != data.attempt_id:  # pragma: no cover  # the ledger checks
        return state
    grown = attrs.evolve(attempt, children=(*attempt.children, data.process))
    return _changed(state, state.release, grown, state.attention)


def _on_attention_needed(state: State, data: AttentionNeeded) -> State:
    others = tuple(item for item in state.attention if item.key != data.attention.key)
    return _changed(state, state.release, state.attempt, (*others, data.attention))


def _on_attention_cleared(state: State, data: AttentionCleared) -> State:
    kept = tuple(item for item in state.attention if item.key != data.key)
    return _changed(state, state.release, state.attempt, kept)


#: For each action that changes a release's state: the type of its data and
#: how it changes the state. Other actions (leases, data operations) leave
#: the state as it is.
EFFECTS: dict[Action, tuple[type[Any], Callable[[Any, Any], State]]] = {
    Action.STARTED: (Started, _on_started),
    Action.EVIDENCE_ADDED: (EvidenceRecorded, _on_evidence),
    Action.PROMOTED: (Moved, _on_moved),
    Action.ABANDONED: (Moved, _on_moved),
    Action.ROLLED_BACK: (Moved, _on_moved),
    Action.REFUSED: (Refused, _on_refused),
    Action.ATTEMPT_STARTED: (StepStarted, _on_step_started),
    Action.ATTEMPT_FINISHED: (StepEnded, _on_step_ended),
    Action.ATTEMPT_FAILED: (StepEnded, _on_step_ended),
    Action.ATTEMPT_ABANDONED: (StepEnded, _on_step_ended),
    Action.ATTEMPT_RESUMED: (StepResumed, _on_step_resumed),
    Action.CHILD_STARTED: (ChildStarted, _on_child_started),
    Action.ATTENTION_NEEDED: (AttentionNeeded, _on_attention_needed),
    Action.ATTENTION_CLEARED: (AttentionCleared, _on_attention_cleared),
}

#: Actions :meth:`Ledger.note <releasekit.stores.Ledger.note>` may add to a
#: release's history: they change nothing. (Freezes have a history of their own.)
NOTES = frozenset(Action) - frozenset(EFFECTS) - {Action.FREEZE_DECLARED, Action.FREEZE_LIFTED}


def _omit_unfinished(converter: cattrs.Converter) -> None:
    """Write ``finished`` into a move's event only when it is true: other moves read as before."""
    for kind in (Moved, StepEnded):
        converter.register_unstructure_hook(
            kind,
            make_dict_unstructure_fn(kind, converter, finished=override(omit_if_default=True)),
        )


extend(_omit_unfinished)


def facts_of(data: object) -> tuple[tuple[Evidence, ...], tuple[Move, ...]]:
    """Return the evidence and the moves an event's (structured) data adds to the release."""
    if isinstance(data, Started):
        return data.release.evidence, data.release.moves
    if isinstance(data, EvidenceRecorded):
        return data.evidence, ()
    if isinstance(data, Moved):
        return (), (data.move,)
    if isinstance(data, StepEnded):
        return data.evidence, (() if data.move is None else (data.move,))
    return (), ()


def finishes(data: object) -> bool:
    """Whether an event's data ends the release or takes it to the end of its flow.

    A move into ``abandoned`` or ``rolled-back`` ends it whatever the event
    says (events written before moves said so count too); a move to the end
    of its flow says so itself (``finished``), as the writer's policy knew.
    """
    if not isinstance(data, Moved | StepEnded) or data.move is None:
        return False
    return data.finished or data.move.target in ENDED_STATES


def _apply(state: State | None, event: Event) -> tuple[State, object]:
    """Return the state after *event*, and the event's structured data (``None`` for notes)."""
    if (state is None) != (event.action is Action.STARTED):
        problem = (
            f"it begins with a {event.action.value} event, not started"
            if state is None
            else "it holds a second started event"
        )
        raise UnreadableDataError(
            what=f"the history of {event.stream}", problems=[f"{problem} @ $[{event.seq - 1}]"]
        )
    effect = EFFECTS.get(event.action)
    if effect is None:
        assert state is not None  # noqa: S101  # checked just above
        return state, None
    data = structure(event.data, effect[0], what=f"event {event.seq} of {event.stream}")
    return advance(state, event.action, data, at=event.at), data


def advance(state: State | None, action: Action, data: object, *, at: dt.datetime) -> State:
    """Return *state* after an event of *action* with its structured *data*, at *at*.

    The one step of the fold: the ledger writes what it returns, and replay
    gives the same. *state* is ``None`` only before a ``started`` event.
    """
    after: State = EFFECTS[action][1](state, data)
    if after.finished_at is None and finishes(data):
        return State(
            release=after.release, attempt=after.attempt, attention=after.attention, finished_at=at
        )
    return after


def applied(events: Iterable[Event]) -> Iterator[tuple[Event, State, object]]:
    """Fold a release's history, oldest event first: each event, the state after it, its data.

    The data is the event's, structured (``None`` for an event that changes
    nothing, such as a note).

    Raises:
        UnreadableDataError: The history does not begin with ``started``, or holds
            data that cannot be read.
    """
    state: State | None = None
    for event in events:
        state, data = _apply(state, event)
        yield event, state, data


def replay(events: Iterable[Event]) -> Record:
    """Rebuild a release's :class:`Record` from its history, oldest event first.

    This is what the stored state must always equal; :meth:`Ledger.verify
    <releasekit.stores.Ledger.verify>` checks it.

    Raises:
        UnreadableDataError: The history is empty, does not begin with ``started``, or
            holds data that cannot be read.
    """
    last = None
    for last in applied(events):  # noqa: B007  # the fold ends at the last one
        pass
    if last is None:
        raise UnreadableDataError(what="the history", problems=["it holds no event @ $"])
    event, state, _data = last
    return Record(
        release=state.release,
        revision=event.seq,
        head=event.digest,
        attempt=state.attempt,
        attention=state.attention,
        finished_at=state.finished_at,
    )
