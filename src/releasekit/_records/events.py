"""History events: what happened, who did it, when — hash-chained per stream.

Every action on a release (and on other histories, such as data operations)
appends one :class:`Event` to its *stream*. Each event carries the digest of
the one before it and a digest of itself, a SHA-256 over a canonical JSON of
every other field, so an edited, deleted or reordered event breaks the chain
and :func:`check_chain` reports the first one that does not match.

Each event also records the digest of the state written with it
(:attr:`Event.state_digest`, covered by its own digest), so the stored state
can be checked against its history at the cost of one hash: the state is the
one its last event recorded, or it was changed behind releasekit's back.
Events written before releasekit recorded state digests have none; from the
first event of a stream that has one, every later event must have one.

A writer hands a store a :class:`Draft` (what happened); the store assigns the
position and the digests inside its transaction, with :func:`seal`. Every
digest is :func:`digest` of a text: an event's, of the canonical JSON of its
fields (:func:`event_digest`, the one definition writers, stores and
``verify`` use); a state's, of its stored text.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pendulum

from releasekit._records.converter import dumps, iso, loads
from releasekit._rules._time import at_instant
from releasekit._rules.identity import identity
from releasekit.exceptions import HistoryTamperedError, InvalidInputError

__all__ = [
    "EVENT_COLUMNS",
    "Action",
    "Draft",
    "Event",
    "Verification",
    "check_chain",
    "digest",
    "digest_of",
    "event_digest",
    "seal",
]


class Action(enum.StrEnum):
    """What an event records."""

    #: A release was started.
    STARTED = "started"
    #: Evidence was added for a release.
    EVIDENCE_ADDED = "evidence-recorded"
    #: A release moved to its next environment.
    PROMOTED = "promoted"
    #: A promotion was asked for and refused; the blockers are in the data.
    REFUSED = "refused"
    #: A release was given up.
    ABANDONED = "abandoned"
    #: A release was moved back to an earlier environment.
    ROLLED_BACK = "rolled-back"
    #: An executor attempt started (written before it runs). The ``ATTEMPT_*``
    #: actions keep the ``step-*`` values every store already holds.
    ATTEMPT_STARTED = "step-started"
    #: An executor attempt finished (recorded after it ran).
    ATTEMPT_FINISHED = "step-finished"
    #: An executor attempt failed.
    ATTEMPT_FAILED = "step-failed"
    #: An unfinished executor attempt was given up explicitly (e.g. after a crash).
    ATTEMPT_ABANDONED = "step-abandoned"
    #: An interrupted executor attempt runs again, in another process.
    ATTEMPT_RESUMED = "step-resumed"
    #: The executor of the attempt in flight started a program (its host and pid are in the data).
    CHILD_STARTED = "child-started"
    #: An exclusive lease was taken.
    LEASE_TAKEN = "lease-taken"
    #: An exclusive lease was given back.
    LEASE_RELEASED = "lease-released"
    #: Data was restored, copied or adjusted.
    DATA_OPERATION = "data-operation"
    #: Logs were collected and checked (a production monitoring check).
    LOGS_CHECKED = "logs-checked"
    #: People were notified.
    NOTIFIED = "notified"
    #: Something needs a person's attention (e.g. a bad production log check).
    ATTENTION_NEEDED = "attention-needed"
    #: What needed attention was dealt with.
    ATTENTION_CLEARED = "attention-cleared"
    #: A freeze was declared on the spot (in the history ``freezes:declared``).
    FREEZE_DECLARED = "freeze-declared"
    #: A freeze declared on the spot was lifted before its end.
    FREEZE_LIFTED = "freeze-lifted"


def _action(value: Action | str) -> Action:
    return value if value.__class__ is Action else Action(value)


def _data(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"data must be a mapping of JSON values, got {type(value).__name__}",
            field="data",
            value=value,
        )
    return dict(value)


def _storable(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require text every database can store: no NUL character, valid UTF-8."""
    if value is None:
        return
    if isinstance(value, str) and value.isascii() and "\x00" not in value:
        return  # ASCII text holds no lone surrogate: the common case, checked quickly
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a string, got {type(value).__name__}",
            field=attribute.name,
            value=value,
        )
    if "\x00" in value:
        raise InvalidInputError(
            f"{attribute.name} contains a NUL character, which no store can keep; remove it",
            field=attribute.name,
            value=value,
        )
    try:
        value.encode()
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{attribute.name} is not valid Unicode text (it holds a lone surrogate); "
            "decode it properly first",
            field=attribute.name,
            value=value,
        ) from None


def _actor(value: str) -> str:
    """Convert an ``actor`` field: who acted, as an identity (no NUL, no control character)."""
    return identity(value, field="actor")


@attrs.frozen(kw_only=True)
class Draft:
    """What happened, before a store gives it a place in a history.

    Attributes:
        actor: Who did it (a person, a bot, ``"ci"``), kept as an
            :func:`~releasekit.identity`.
        action: What was done.
        at: When, an aware instant (kept in UTC).
        source: The state before, for actions that change one.
        target: The state after, for actions that change one.
        reason: Why, in words.
        data: Everything needed to replay the action, as JSON values.
    """

    actor: str = attrs.field(converter=_actor)
    action: Action = attrs.field(converter=_action)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    source: str | None = attrs.field(default=None, validator=_storable)
    target: str | None = attrs.field(default=None, validator=_storable)
    reason: str = attrs.field(default="", validator=_storable)
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_data)


@attrs.frozen(kw_only=True)
class Event:
    """One entry of a history: a :class:`Draft` given its place in a stream.

    Attributes:
        stream: The history it belongs to: a release id, or the name of another
            history such as ``"data:production"``.
        seq: Its position, 1 for the first event.
        at: When it happened.
        actor: Who did it.
        action: What was done.
        source: The state before, if the action changes one.
        target: The state after, if the action changes one.
        reason: Why, in words.
        data: Everything needed to replay it.
        previous: The digest of the event before it; ``""`` for the first.
        digest: SHA-256 (hex) over the canonical JSON of every other field.
        state_digest: SHA-256 (hex) of the stream's state as written with the
            event (:func:`digest` of its stored text); ``None`` for
            events written before releasekit recorded it.
    """

    stream: str
    seq: int
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    actor: str
    action: Action = attrs.field(converter=_action)
    source: str | None = None
    target: str | None = None
    reason: str = ""
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_data)
    previous: str = ""
    digest: str = ""
    state_digest: str | None = None

    def matches_digest(self) -> bool:
        """Whether :attr:`digest` is the digest of the event's other fields."""
        return self.digest == digest_of(self)


def digest(text: str) -> str:
    """Return the SHA-256 (hex) of *text*: the one digest releasekit computes.

    Stores keep every text a digest is taken of exactly as it was written, so
    the digest of a text read back is the digest of the text written.
    """
    return hashlib.sha256(text.encode()).hexdigest()


def event_digest(
    *,
    stream: str,
    seq: int,
    at: str,
    actor: str,
    action: Action,
    source: str | None,
    target: str | None,
    reason: str,
    data: Mapping[str, Any],
    previous: str,
    state_digest: str | None,
) -> str:
    """Return the digest of an event: :func:`digest` of the canonical JSON of its fields.

    Every field but the digest itself is covered, the instant *at* as
    :func:`iso` writes it; ``state_digest`` is left out when it is ``None``, so
    events written before releasekit recorded it keep the digest they were
    written with.
    """
    fields: dict[str, Any] = {
        "action": action.value,
        "actor": actor,
        "at": at,
        "data": data,
        "previous": previous,
        "reason": reason,
        "seq": seq,
        "source": source,
        "stream": stream,
        "target": target,
    }
    if state_digest is not None:
        fields["state_digest"] = state_digest
    return digest(dumps(fields))


def digest_of(event: Event) -> str:
    """Recompute the digest of *event* from its fields (its stored digest is ignored)."""
    return event_digest(
        stream=event.stream,
        seq=event.seq,
        at=iso(event.at),
        actor=event.actor,
        action=event.action,
        source=event.source,
        target=event.target,
        reason=event.reason,
        data=event.data,
        previous=event.previous,
        state_digest=event.state_digest,
    )


#: The columns of a stored event, in the order :func:`seal` gives their values.
EVENT_COLUMNS = (
    "stream",
    "seq",
    "at",
    "actor",
    "action",
    "source",
    "target",
    "reason",
    "data",
    "previous",
    "digest",
    "state_digest",
)


def seal(
    stream: str, *, seq: int, previous: str, draft: Draft, state_digest: str | None = None
) -> tuple[Event, tuple[Any, ...]]:
    """Give *draft* its place after *previous* in *stream*; return it with the values stores keep.

    The values are those of :data:`EVENT_COLUMNS`: its instant as :func:`iso`
    writes it, its action's value and its data as canonical JSON.

    *state_digest* is the :func:`digest` of the state the store writes with
    the event. The event's data is the draft's as JSON reads it back, so the
    event equals the one a store returns later.

    Raises:
        InvalidInputError: The draft's data cannot be written as JSON.
    """
    data_text = dumps(draft.data)
    at_text = iso(draft.at)
    fields = {
        "stream": stream,
        "seq": seq,
        "actor": draft.actor,
        "action": draft.action,
        "source": draft.source,
        "target": draft.target,
        "reason": draft.reason,
        "data": loads(data_text),
        "previous": previous,
        "state_digest": state_digest,
    }
    digest = event_digest(**fields, at=at_text)
    event = Event(**fields, at=draft.at, digest=digest)
    columns = (stream, seq, at_text, draft.actor, draft.action.value, draft.source, draft.target)
    return event, (*columns, draft.reason, data_text, previous, digest, state_digest)


@attrs.frozen(kw_only=True)
class Verification:
    """The outcome of checking a history against its hash chain.

    Attributes:
        stream: The history checked.
        events: How many events were read.
        head: The digest of the last event read (``""`` if none): keep it
            somewhere else (a chat message, a CI log) to prove later that the
            history was not rewritten as a whole.
        seq: The position of the first event that does not match, or ``None``.
        detail: What does not match, in words; ``""`` when all is well.
    """

    stream: str
    events: int
    head: str
    seq: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the whole history matches its chain."""
        return self.seq is None

    def raise_if_tampered(self) -> None:
        """Raise :class:`~releasekit.exceptions.HistoryTamperedError` unless the history is ok.

        Raises:
            HistoryTamperedError: With the stream, position and detail.
        """
        if self.seq is not None:
            raise HistoryTamperedError(stream=self.stream, seq=self.seq, detail=self.detail)


def _event_problem(  # noqa: PLR0911  # one return per way an event breaks the chain
    stream: str, event: Event, seq: int, previous: str, *, recorded: bool
) -> tuple[int, str] | None:
    """Return where and why *event*, read at position *seq* after *previous*, breaks the chain.

    *recorded* says whether an event before it recorded the digest of its state.
    """
    if event.stream != stream:
        return seq, f"the event stored there belongs to {event.stream!r}"
    if event.seq > seq:
        return seq, f"the event is missing (the next stored event is {event.seq})"
    if event.seq < seq:
        return event.seq, f"event {event.seq} appears again, out of order"
    if event.previous != previous:
        return seq, (
            "it does not follow the event before it (its link to it is "
            f"{event.previous[:12] or 'empty'}, the chain expects {previous[:12] or 'empty'})"
        )
    if not event.matches_digest():
        return seq, "its content does not match its digest: it was changed after it was written"
    if recorded and event.state_digest is None:
        return seq, (
            "it records no digest of the state written with it, though the events before it "
            "do: it was changed after it was written"
        )
    return None


def _state_problem(
    count: int,
    last: str,
    revision: int | None,
    head: str | None,
    *,
    recorded: str | None,
    state: str | None,
) -> tuple[int, str] | None:
    """Return where and why the stream's current state disagrees with its *count* events.

    *recorded* is the state digest the last event recorded (if it did); *state*
    the state's text as stored (if the store gives it).
    """
    if revision is None:
        if count:
            return count, "the stream has events but no current state (it was deleted)"
        return None
    if revision != count:
        return min(revision, count) + 1, (
            f"the current state is at revision {revision} but the history holds {count} "
            "events (events were deleted, or written without the state)"
        )
    if head != last:
        return count, "the current state names another last event than the history holds"
    if recorded is not None and state is not None and digest(state) != recorded:
        return count, STATE_CHANGED
    return None


#: What :func:`check_chain` says of a state that is not the one its last event recorded.
STATE_CHANGED = (
    "the current state is not the one its last event recorded (it was changed after it was written)"
)


def check_chain(
    stream: str,
    events: Iterable[Event],
    *,
    revision: int | None,
    head: str | None,
    state: str | None = None,
) -> Verification:
    """Check *events* (in stored order) against the chain and the stream's snapshot.

    From the first event that records the digest of its state, every later
    event must record one too; the last one's must be the digest of *state*.

    Args:
        stream: The history checked.
        events: Its events as stored, ordered by position.
        revision: The revision the stream's snapshot claims, or ``None`` if it has none.
        head: The head digest the stream's snapshot claims, or ``None``.
        state: The text of the stream's snapshot as stored, if the store gives it.

    Returns:
        A :class:`Verification`, naming the first event that does not match.
    """
    count = 0
    last = ""
    recorded: str | None = None
    problem: tuple[int, str] | None = None
    for event in events:
        problem = _event_problem(stream, event, count + 1, last, recorded=recorded is not None)
        if problem is not None:
            break
        last = event.digest
        recorded = event.state_digest
        count += 1
    else:
        problem = _state_problem(
            count,
            last,
            revision,
            head,
            recorded=recorded,  # the last event's: every event after the first that has one has one
            state=state,
        )
    if problem is None:
        return Verification(stream=stream, events=count, head=last)
    seq, detail = problem
    return Verification(stream=stream, events=count, head=last, seq=seq, detail=detail)
