"""The store contract: JSON histories with a current state, and exclusive leases.

A store knows nothing about releases. It keeps *streams*: each an append-only,
hash-chained list of :class:`~releasekit._records.events.Event` plus a
:class:`Snapshot` of the stream's current state, written together in one
transaction by :meth:`Store.append`. Every write names the revision it was
based on; a stale one is refused with :class:`~releasekit.exceptions.ConflictError`
and changes nothing. Stores also keep named :class:`Lease` records for
exclusive work, such as the test environment's lock: each held by a token
unique to one acquisition, which alone renews, gives back or hands it over.

Time is always passed in (``now``): a store never reads a clock.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

import attrs
import pendulum

from releasekit._records.converter import compact, loads, parse_instant, read_state
from releasekit._records.events import Action, Event, digest_state
from releasekit._rules._time import instant
from releasekit.exceptions import (
    HistoryTamperedError,
    InvalidInputError,
    LeaseHeldError,
    LeaseNotHeldError,
    RecordError,
)

if TYPE_CHECKING:
    from types import TracebackType

    from releasekit._records.events import Draft, Verification

__all__ = [
    "JSONText",
    "Lease",
    "Snapshot",
    "Store",
    "check_expected",
    "check_holder",
    "check_release",
    "check_stream",
    "check_token",
    "check_ttl",
    "decide_lease",
    "decide_renewal",
    "decide_take_over",
    "new_token",
    "read_event",
    "snapshot_text",
    "stored_snapshot",
    "wrong_previous",
]

#: Longest stream or lease name a store accepts.
MAX_NAME = 200


@attrs.frozen(kw_only=True)
class Snapshot:
    """The current state of a stream, kept in step with its history.

    Attributes:
        stream: The stream.
        revision: How many events its history holds; the next append must name it.
        head: The digest of its last event.
        data: The current state, as JSON values.
        text: The current state's JSON text exactly as the store keeps it
            (``""`` if the store does not give it).
        recorded_digest: The digest its history recorded for the state: that of
            the event at *revision* whose digest is *head*. ``None`` if that
            event records none (it was written before releasekit recorded state
            digests) or the store does not say; ``""`` if the history holds no
            such event.
    """

    stream: str
    revision: int
    head: str
    data: Mapping[str, Any]
    text: str = ""
    recorded_digest: str | None = None

    def require_recorded(self) -> None:
        """Refuse a state that is not the one its history recorded, before anyone reads it.

        The check costs one hash of the state, however long the history: the
        state's digest must be the one its last event recorded (and that event
        must be the one the state names). A state whose last event records no
        digest (written before releasekit recorded them) passes; ``verify``
        replays its history instead.

        Raises:
            HistoryTamperedError: The state was changed behind releasekit's back.
        """
        recorded = self.recorded_digest
        if recorded is None:
            return
        if recorded == "":
            detail = f"its history holds no event {self.revision} with the digest the state names"
        elif digest_state(self.text) != recorded:
            detail = "it is not the state its last event recorded"
        else:
            return
        name = self.stream
        raise HistoryTamperedError(
            stream=name,
            seq=self.revision,
            detail=detail,
            message=f"the stored state of {name} does not match its history ({detail}); run "
            f"`releasekit verify` to see what changed, and restore it from a backup",
        )


@attrs.frozen(kw_only=True)
class Lease:
    """An exclusive right to do something (run the tests, adjust data) until it lapses.

    Each acquisition gets a new, random :attr:`token`: only that token renews
    the lease, gives it back or hands it over. The holder's name is there for
    people to read — two acquisitions under one name are still two leases, and
    the second is refused while the first is held.

    Attributes:
        name: What the lease guards, e.g. ``"test-run:tests"``.
        token: Identifies this one acquisition; made by the store, never
            derived from a name. Keep it to renew or give back the lease.
        holder: Who took it, for people to read, e.g. ``"ci (r1)"``.
        since: When this acquisition took it (renewing keeps this).
        expires: When it lapses unless renewed.
    """

    name: str
    token: str
    holder: str
    since: pendulum.DateTime
    expires: pendulum.DateTime

    def held_at(self, now: dt.datetime) -> bool:
        """Whether the lease is still in force at *now*."""
        return instant(now, field="now") < self.expires


@attrs.frozen
class JSONText:
    """A JSON object already written as text, so a store need not encode it again.

    The text is stored as it is, unchecked: build it with the project's
    converter, never by hand.

    Attributes:
        text: The JSON text of an object (``{...}``).
    """

    text: str


def snapshot_text(snapshot: Mapping[str, Any] | JSONText) -> str:
    """Return the JSON text a store keeps for *snapshot*.

    Raises:
        InvalidInputError: *snapshot* holds something JSON cannot represent.
    """
    if isinstance(snapshot, JSONText):
        return snapshot.text
    if not isinstance(snapshot, Mapping):
        raise InvalidInputError(
            f"a snapshot must be a mapping of JSON values, got {type(snapshot).__name__}",
            field="snapshot",
            value=snapshot,
        )
    return compact(snapshot)


@runtime_checkable
class Store(Protocol):
    """What every store does: memory, SQLite and PostgreSQL pass one contract suite.

    Stores are context managers: ``with SqliteStore(path) as store: ...`` closes
    the store at the end.
    """

    def append(
        self,
        stream: str,
        *,
        expected: int,
        draft: Draft,
        snapshot: Mapping[str, Any] | JSONText,
        previous: str | None = None,
    ) -> Event:
        """Append one event to *stream* and replace its snapshot, in one transaction.

        The event records the digest of the snapshot's text
        (:attr:`Event.state_digest <releasekit.stores.Event.state_digest>`),
        and the store keeps that text exactly as given.

        Args:
            stream: The history to append to.
            expected: The revision the writer based its change on; ``0`` creates
                the stream.
            draft: What happened.
            snapshot: The stream's state after the event, as JSON values (or
                their text, already encoded).
            previous: The head digest the writer saw at *expected*, if it knows
                it (a ledger record's ``head``): the store then need not read
                it, and the write is exactly an insert plus a checked update.

        Returns:
            The event as stored, with its position and digests.

        Raises:
            ConflictError: The stream is not at *expected* (someone else wrote
                first, or it already exists); nothing was written.
            InvalidInputError: The snapshot or the draft's data is not JSON, or
                *previous* is not the head at *expected*.
            StoreError: The store could not be written.
        """
        ...

    def snapshot(self, stream: str) -> Snapshot | None:
        """Return the current state of *stream* without reading its history, or ``None``.

        With the state's text and the digest its last event recorded for it
        (:func:`stored_snapshot`), so a reader can check it at once.
        """
        ...

    def events(self, stream: str, *, after: int = 0) -> list[Event]:
        """Return the events of *stream* after position *after*, oldest first."""
        ...

    def streams(self, *, prefix: str = "") -> list[str]:
        """Return the names of every stream starting with *prefix*, sorted."""
        ...

    def verify(self, stream: str) -> Verification:
        """Check the history of *stream* against its hash chain and its snapshot.

        The snapshot must be at the last event, and be the state that event
        recorded (if it recorded one).
        """
        ...

    def acquire(self, name: str, *, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Take the lease *name* for *holder* until ``now + ttl``, under a new token.

        A lease that lapsed is taken over. A lease in force is refused to
        everyone — its own holder's name included — and left as it is.

        Returns:
            The lease, with the :attr:`~Lease.token` that alone renews, gives
            back or hands it over.

        Raises:
            LeaseHeldError: It is held and has not lapsed; nothing changed.
        """
        ...

    def renew(self, name: str, *, token: str, now: dt.datetime, ttl: dt.timedelta) -> Lease:
        """Extend the lease *name* held by *token* until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* does not hold it, or it lapsed; nothing changed.
        """
        ...

    def release(self, name: str, *, token: str) -> Lease:
        """Give the lease *name* back; only the token that holds it may, lapsed or not.

        Returns:
            The lease as it was before it was given back.

        Raises:
            LeaseNotHeldError: *token* does not hold it; nothing changed.
        """
        ...

    def take_over(
        self, name: str, *, token: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease:
        """Hand the lease *name* held by *token* to *holder*, under a new token, in one step.

        For a run that carries on the work of one that died: it succeeds only
        if *token* (the dead run's) still holds the lease, lapsed or not.

        Returns:
            The lease under its new token, taken ``now`` until ``now + ttl``.

        Raises:
            LeaseNotHeldError: *token* no longer holds it; nothing changed.
        """
        ...

    def current(self, name: str, *, now: dt.datetime) -> Lease | None:
        """Return the lease *name* if someone holds it at *now*, else ``None``."""
        ...

    def close(self) -> None:
        """Release the store's connections; it cannot be used afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def check_stream(stream: object, *, field: str = "stream") -> str:
    """Return *stream* if every store can keep it as a name.

    Raises:
        InvalidInputError: It is empty, too long, or holds NUL or invalid Unicode.
    """
    if not isinstance(stream, str) or not stream.strip():
        raise InvalidInputError(
            f"{field} must be a non-empty name, got {stream!r}", field=field, value=stream
        )
    if len(stream) > MAX_NAME or "\x00" in stream:
        raise InvalidInputError(
            f"{field} {stream[:40]!r}… must be at most {MAX_NAME} characters, without NUL",
            field=field,
            value=stream,
        )
    if stream.isascii():  # ASCII text holds no lone surrogate: the common case
        return stream
    try:
        stream.encode()
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{field} {stream!r} is not valid Unicode text", field=field, value=stream
        ) from None
    return stream


def wrong_previous(stream: str, *, expected: int, previous: str) -> InvalidInputError:
    """Return the error for a *previous* digest that is not the head at *expected*."""
    return InvalidInputError(
        f"{previous[:12]!r}… is not the last event of {stream} at revision {expected}; pass "
        "the head you loaded together with its revision",
        field="previous",
        value=previous,
    )


def check_expected(expected: object) -> int:
    """Return *expected* if it is a revision a writer can have seen.

    Raises:
        InvalidInputError: It is not a whole number at least 0.
    """
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        raise InvalidInputError(
            f"expected must be the revision you loaded (0 to create), got {expected!r}",
            field="expected",
            value=expected,
        )
    return expected


def check_ttl(ttl: object) -> dt.timedelta:
    """Return *ttl* if it is a positive duration.

    Raises:
        InvalidInputError: It is not a positive :class:`datetime.timedelta`.
    """
    if not isinstance(ttl, dt.timedelta) or ttl <= dt.timedelta():
        raise InvalidInputError(
            f"ttl must be a positive duration such as timedelta(minutes=30), got {ttl!r}",
            field="ttl",
            value=ttl,
        )
    return ttl


def new_token() -> str:
    """Return a new lease token: 128 random bits, as 32 hexadecimal digits."""
    return secrets.token_hex(16)


def check_token(token: object) -> str:
    """Return *token* if it can name an acquisition.

    Raises:
        InvalidInputError: It is empty or cannot be stored.
    """
    return check_stream(token, field="token")


def check_holder(holder: object) -> str:
    """Return *holder* if it names someone.

    Raises:
        InvalidInputError: It is empty or cannot be stored.
    """
    return check_stream(holder, field="holder")


def decide_lease(
    held: Lease | None,
    *,
    name: str,
    holder: str,
    token: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Return the lease *holder* gets under *token* by asking for *name* at *now* (pure).

    Args:
        held: The lease as stored, lapsed or not, or ``None``.
        name: The lease.
        holder: Who asks.
        token: The new acquisition's token.
        now: When.
        ttl: For how long.

    Raises:
        LeaseHeldError: *held* has not lapsed — whoever holds it.
    """
    moment = instant(now, field="now")
    expires = moment + check_ttl(ttl)
    if held is not None and held.held_at(moment):
        raise LeaseHeldError(lease=name, holder=held.holder, since=held.since, expires=held.expires)
    return Lease(name=name, token=token, holder=holder, since=moment, expires=expires)


def check_release(held: Lease | None, *, name: str, token: str) -> Lease:
    """Return *held* if *token* holds it (lapsed or not), so it may give it back or hand it over.

    Raises:
        LeaseNotHeldError: Nobody, or another acquisition, holds it.
    """
    if held is None or held.token != token:
        raise LeaseNotHeldError(
            lease=name,
            holder=held.holder if held is not None else None,
            since=held.since if held is not None else None,
        )
    return held


def decide_renewal(
    held: Lease | None, *, name: str, token: str, now: dt.datetime, ttl: dt.timedelta
) -> Lease:
    """Return *held* renewed until ``now + ttl``, if *token* holds it and it is in force (pure).

    Raises:
        LeaseNotHeldError: *token* does not hold it, or it lapsed before *now*.
    """
    moment = instant(now, field="now")
    expires = moment + check_ttl(ttl)
    lease = check_release(held, name=name, token=token)
    if not lease.held_at(moment):
        raise LeaseNotHeldError(lease=name, holder=None, since=None, lapsed=lease.expires)
    return attrs.evolve(lease, expires=expires)


def decide_take_over(
    held: Lease | None,
    *,
    name: str,
    token: str,
    holder: str,
    new: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> Lease:
    """Return the lease *holder* gets under the token *new*, taking *name* over from *token* (pure).

    Raises:
        LeaseNotHeldError: *token* no longer holds it.
    """
    moment = instant(now, field="now")
    expires = moment + check_ttl(ttl)
    check_release(held, name=name, token=token)
    return Lease(name=name, token=new, holder=holder, since=moment, expires=expires)


def stored_snapshot(
    stream: str,
    *,
    revision: int,
    head: str,
    text: str,
    last_digest: str | None,
    last_state_digest: str | None,
) -> Snapshot:
    """Build the snapshot of a stored state row and its history's event at *revision*.

    Args:
        stream: The stream.
        revision: The state's revision.
        head: The digest of the last event, as the state row names it.
        text: The state's JSON text as stored.
        last_digest: The digest of the stored event at *revision*, ``None`` if there is none.
        last_state_digest: The state digest that event records, if any.
    """
    return Snapshot(
        stream=stream,
        revision=revision,
        head=head,
        data=read_state(text),
        text=text,
        recorded_digest=last_state_digest if last_digest == head else "",
    )


def read_event(
    stream: str,
    *,
    seq: int,
    at: object,
    actor: str,
    action: str,
    source: str | None,
    target: str | None,
    reason: str,
    data: object,
    previous: str,
    digest: str,
    state_digest: str | None = None,
) -> Event:
    """Build an event from a stored row, refusing rows this releasekit cannot read.

    Args:
        stream: The stream the row was read from.
        seq: Its position.
        at: Its instant, as ISO text or a datetime.
        actor: Who acted.
        action: The action's value.
        source: The state before.
        target: The state after.
        reason: Why.
        data: The replay data, as JSON text or already parsed.
        previous: The previous event's digest.
        digest: The event's digest.
        state_digest: The digest of the state written with it, if it records one.

    Raises:
        RecordError: A value cannot be read (an unknown action, a bad instant).
    """
    try:
        return Event(
            stream=stream,
            seq=seq,
            at=parse_instant(at),
            actor=actor,
            action=Action(action),
            source=source,
            target=target,
            reason=reason,
            data=loads(data) if isinstance(data, str | bytes) else data,  # type: ignore[arg-type]
            previous=previous,
            digest=digest,
            state_digest=state_digest,
        )
    except ValueError as error:
        raise RecordError(what=f"event {seq} of {stream}", problems=[f"{error} @ $"]) from error
