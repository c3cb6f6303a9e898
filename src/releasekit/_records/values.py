"""What the ledger hands out: a release's record, the attempt in flight, open attention items.

These are plain values: a :class:`Record` is a release as its history leaves
it, and where that history stands; a :class:`ReleaseSummary` is the row a
listing reads, without evidence or history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._records.converter import dumps
from releasekit._records.leases import Lease
from releasekit._records.processes import HostProcess
from releasekit._rules import _validate
from releasekit._rules._time import instant, optional_instant
from releasekit._rules.identity import by_identity
from releasekit._rules.release import Release, ReleaseKind
from releasekit.exceptions import AttemptInProgressError, InvalidInputError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

__all__ = [
    "Attempt",
    "Attention",
    "Record",
    "ReleaseRow",
    "ReleaseSummary",
    "State",
    "state_of",
    "stored_row",
]


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
    """An executor's attempt at a step (or a test run, a migration) started and not finished (yet).

    It is recorded *before* the executor runs. If the process dies while it
    runs, the attempt stays on the release until someone finishes it (after
    checking or re-running it) or abandons it.

    Attributes:
        id: Identifies the attempt; finishing or abandoning it names it.
        capability: What the attempt does, e.g. ``"deploy"`` or ``"run-tests"``.
        environment: Where it runs, if it concerns one environment.
        started_at: When it started.
        by: Who started it.
        target: The environment the release moves to when the attempt succeeds,
            or ``None`` if success does not move it.
        detail: What exactly runs, for the person who finds it interrupted,
            e.g. ``"dt deploy stage 2.4.0"``.
        lease: The lease taken for the attempt (the tests environment's), with
            the token that alone gives it back or hands it over; ``None`` if
            it needs none.
        runner: The releasekit process running the attempt: the one that began
            it, or the last one that resumed it. ``None`` if not recorded.
        children: The programs the executor started for the attempt, as it
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
        """Every process recorded as running the attempt: its runner, then its children."""
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


def _finished_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    """Convert a ``finished_at`` field: an aware instant or ``None``."""
    return optional_instant(value, field="finished_at")


@attrs.frozen(kw_only=True)
class State:
    """What a release's history folds into: the release and what is open about it."""

    release: Release
    attempt: Attempt | None = None
    attention: tuple[Attention, ...] = attrs.field(default=(), converter=_attention)
    finished_at: pendulum.DateTime | None = attrs.field(default=None, converter=_finished_at)


@attrs.frozen(kw_only=True)
class Record:
    """A release as the ledger holds it: its value, where its history stands, what is open.

    Hand it back to the ledger's next write: the write is refused with a
    :class:`~releasekit.exceptions.ConflictError` if the release changed since.

    Attributes:
        release: The release.
        revision: How many events its history holds.
        head: The digest of its last event.
        attempt: The executor attempt started and not finished, if any — after a
            crash, the one that was interrupted.
        attention: Open items that need a person, oldest first.
        finished_at: When the release ended (was abandoned or rolled back) or
            reached the end of its flow; ``None`` while it is active.
        row: The release's row as the store keeps it, if the record was read
            from a store or written to one: the next write changes only the
            columns its event changes (see :mod:`releasekit._records.codec`).
            Not part of the record's value: two records are equal when their
            release and history agree.
    """

    release: Release
    revision: int
    head: str
    attempt: Attempt | None = None
    attention: tuple[Attention, ...] = attrs.field(default=(), converter=_attention)
    finished_at: pendulum.DateTime | None = attrs.field(default=None, converter=_finished_at)
    row: ReleaseRow | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def id(self) -> str:
        """The release's id."""
        return self.release.id

    @property
    def state(self) -> str:
        """The environment the release is in (or ``"abandoned"``)."""
        return self.release.state

    def require_idle(self) -> None:
        """Refuse to go on while an attempt of the release is in flight or was interrupted.

        Raises:
            AttemptInProgressError: Naming the unfinished attempt: resume it or abandon it first.
        """
        attempt = self.attempt
        if attempt is not None:
            raise AttemptInProgressError(
                release_id=self.id,
                attempt_id=attempt.id,
                capability=attempt.capability,
                started_at=attempt.started_at,
            )


@attrs.frozen(kw_only=True)
class ReleaseSummary:
    """A release as listed: its row, without its evidence or history.

    Attributes:
        id: The release's id.
        version: Its version.
        kind: Its kind.
        state: The environment it is in (or ``"abandoned"``, ``"rolled-back"``).
        revision: How many events its history holds.
        head: The digest of its last event.
        created_at: When it was started.
        created_by: Who started it.
        updated_at: When its last event happened.
        finished_at: When it ended or reached the end of its flow; ``None``
            while it is active.
        attempt: The attempt in flight, if any.
        attention: Its open attention items, oldest first.
    """

    id: str
    version: str
    kind: ReleaseKind
    state: str
    revision: int
    head: str
    created_at: pendulum.DateTime
    created_by: str
    updated_at: pendulum.DateTime
    finished_at: pendulum.DateTime | None = None
    attempt: Attempt | None = None
    attention: tuple[Attention, ...] = ()

    @property
    def active(self) -> bool:
        """Whether the release has not finished."""
        return self.finished_at is None


@attrs.frozen(kw_only=True)
class ReleaseRow:
    """A release's row: what tools filter and list by, and the small parts of its state.

    Instants are ISO 8601 text in UTC (as :func:`~releasekit._records.converter.iso`
    writes them); the artifact, attempt and attention items are canonical JSON
    text. A writer hands the store the row as it is after its event; the store
    sets :attr:`revision` and :attr:`head`.

    Attributes:
        id: The release's id.
        version: Its version.
        kind: Its kind (``normal``, ``hotfix``).
        state: The environment it is in (or ``abandoned``, ``rolled-back``).
        created_at: When it was started.
        created_by: Who started it.
        updated_at: When its last event happened.
        finished_at: When it ended, or reached the end of its flow; ``None``
            while it is active.
        artifact: What it ships (JSON).
        attempt: The attempt in flight (JSON), or ``None``.
        attention: The open attention items (a JSON list).
        evidence_digest: The rolling digest of its evidence rows (:func:`roll`).
        moves_digest: The rolling digest of its move rows.
        revision: How many events its history holds.
        head: The digest of its last event.
    """

    id: str
    version: str
    kind: str
    state: str
    created_at: str
    created_by: str
    updated_at: str
    finished_at: str | None
    artifact: str
    attempt: str | None
    attention: str
    evidence_digest: str
    moves_digest: str
    revision: int = 0
    head: str = ""

    def placed(self, revision: int, head: str) -> ReleaseRow:
        """Return this row at *revision*, headed by *head* (as stored after that event)."""
        return ReleaseRow(
            id=self.id,
            version=self.version,
            kind=self.kind,
            state=self.state,
            created_at=self.created_at,
            created_by=self.created_by,
            updated_at=self.updated_at,
            finished_at=self.finished_at,
            artifact=self.artifact,
            attempt=self.attempt,
            attention=self.attention,
            evidence_digest=self.evidence_digest,
            moves_digest=self.moves_digest,
            revision=revision,
            head=head,
        )

    def text(self) -> str:
        """Return the canonical JSON of every column but the revision and the head.

        Its :func:`~releasekit._records.events.digest` is what each event of a
        release records as its ``state_digest``.
        """
        return dumps(
            {
                "artifact": self.artifact,
                "attempt": self.attempt,
                "attention": self.attention,
                "created_at": self.created_at,
                "created_by": self.created_by,
                "evidence_digest": self.evidence_digest,
                "finished_at": self.finished_at,
                "id": self.id,
                "kind": self.kind,
                "moves_digest": self.moves_digest,
                "state": self.state,
                "updated_at": self.updated_at,
                "version": self.version,
            }
        )


def stored_row(record: Record) -> ReleaseRow:
    """Return the row *record* was read or written as; refuse a record that was neither."""
    if record.row is None:
        raise InvalidInputError(
            f"this record of {record.id} was not read from a store (a replay, or built by "
            "hand); load the release and write on the record the ledger gives you",
            field="record",
            value=record.id,
        )
    return record.row


def state_of(record: Record) -> State:
    """Return the state *record* holds, as the fold computes the next one from."""
    return State(
        release=record.release,
        attempt=record.attempt,
        attention=record.attention,
        finished_at=record.finished_at,
    )
