"""Release rows: a release as a store keeps it, and how a row is checked against its history.

A store keeps each release as one small row: the columns tools filter and list
by (id, version, kind, state, revision, head, when it was started, last
changed and finished) and the parts of its state that are not history — the
artifact, the attempt in flight, the open attention items — as short JSON texts.
Every piece of evidence and every move is a row of its own, added by the event
that brought it (its position is the row's ``seq``) and never changed. A step
appends its event and fact rows and rewrites the one small release row, so
nothing is rewritten because the history grew.

The row is a :class:`~releasekit._records.values.ReleaseRow`; this module
also writes the texts a store keeps for a release's values (:func:`row_of`,
and :func:`next_row`, which writes anew only the columns an event changed);
:mod:`releasekit._records.reading` reads a
:class:`~releasekit._records.values.Record` back from the rows.

The release row keeps a rolling digest of its evidence rows and one of its move
rows (:func:`roll`: each row's text hashed onto the digest before it, one hash
per row written), and each event records the digest of the release row's
canonical text (:meth:`ReleaseRow.text`), which holds both. Loading a release
recomputes the rolling digests over the rows it reads anyway and the row's
digest, and compares it with what the last event recorded
(:meth:`StoredRelease.problem`): a forged evidence row, an edited move or an
edited column is refused before anyone reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.checks import check_expected, check_release_id, wrong_previous
from releasekit._records.converter import dumps, iso, unstructure
from releasekit._records.events import Event, Verification, check_chain, digest, seal
from releasekit._records.fold import EFFECTS, EvidenceRecorded, Moved, Started, StepEnded
from releasekit._records.store import Snapshot, tampered_state
from releasekit._records.values import (
    Attempt,
    ReleaseRow,
    State,
)
from releasekit._rules.evidence import Evidence
from releasekit.exceptions import ConflictError, InvalidInputError, ReleaseKitError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping, Sequence

    from releasekit._records.events import Action, Draft
    from releasekit._rules.release import Move

__all__ = [
    "NO_FACTS",
    "ROW_COLUMNS",
    "Fact",
    "StoredRelease",
    "check_release_chain",
    "evidence_text",
    "fact_texts",
    "move_text",
    "next_row",
    "numbered",
    "release_conflict",
    "roll",
    "row_from",
    "row_of",
    "sealed_write",
]

#: The rolling digest of no evidence, or no moves.
NO_FACTS = ""


def roll(before: str, bodies: Iterable[str]) -> str:
    """Return the rolling digest *before* with each of *bodies* added, in order.

    Each step is :func:`~releasekit._records.events.digest` of the digest so
    far followed by the row's text: adding a row costs one hash, and a row
    added, removed, changed or moved changes every digest after it.
    """
    for body in bodies:
        before = digest(before + body)
    return before


@attrs.frozen
class Fact:
    """A piece of evidence or a move as a store keeps it.

    Attributes:
        seq: The position of the event that added it.
        body: Its canonical JSON text.
    """

    seq: int
    body: str


#: The columns of a release row, in order (as stores select them).
ROW_COLUMNS = tuple(field.name for field in attrs.fields(ReleaseRow))


def row_from(values: Sequence[Any]) -> ReleaseRow:
    """Build a release row from its columns' values, in the order of :data:`ROW_COLUMNS`."""
    return ReleaseRow(**dict(zip(ROW_COLUMNS, values, strict=True)))


@attrs.frozen(kw_only=True)
class StoredRelease:
    """A release as read from a store: its row, its evidence and moves, and what its history says.

    Attributes:
        row: The release row.
        evidence: Its evidence rows, oldest first.
        moves: Its move rows, oldest first.
        recorded_digest: The state digest the event at the row's revision
            recorded: ``None`` if that event records none (it was written
            before releasekit recorded state digests), ``""`` if the history
            holds no event at that revision with the row's head.
        legacy: The state as it was stored before release rows, kept until
            the release's next event, while its last event records the digest
            of that text; ``None`` otherwise.
        state: The state of the other history the reader asked for with the
            release (``with_state``), if it has one.
    """

    row: ReleaseRow
    evidence: tuple[Fact, ...] = ()
    moves: tuple[Fact, ...] = ()
    recorded_digest: str | None = None
    legacy: str | None = None
    state: Snapshot | None = None

    @property
    def revision(self) -> int:
        """How many events the release's history holds."""
        return self.row.revision

    @property
    def head(self) -> str:
        """The digest of its last event."""
        return self.row.head

    @property
    def state_text(self) -> str:
        """The text whose digest the last event recorded: the row's, or the :attr:`legacy` state."""
        return self.row.text() if self.legacy is None else self.legacy

    def facts_problem(self) -> str | None:
        """Return why the evidence and move rows are not those the row records, if they are not."""
        row = self.row
        if roll(NO_FACTS, (fact.body for fact in self.evidence)) != row.evidence_digest:
            return "its evidence rows are not the evidence its row records"
        if roll(NO_FACTS, (fact.body for fact in self.moves)) != row.moves_digest:
            return "its move rows are not the moves its row records"
        return None

    def problem(self) -> str | None:
        """Return why the rows are not what the history recorded, or ``None`` if they are.

        The evidence and move rows must roll up to the digests the release row
        holds, and the row's digest must be the one its last event recorded (or,
        for a :attr:`legacy` row, the legacy state's: whoever reads it then
        compares the row with that state). A last event that records no digest
        (written before releasekit recorded them) leaves the row unchecked:
        ``verify`` replays its history instead.
        """
        found = self.facts_problem()
        recorded = self.recorded_digest
        if found is not None or recorded is None:
            return found
        if recorded == "":
            return f"its history holds no event {self.row.revision} with the digest the row names"
        if digest(self.state_text) != recorded:
            return "it is not the state its last event recorded"
        return None

    def require_recorded(self) -> None:
        """Refuse rows that are not the ones the history recorded, before anyone reads them.

        Raises:
            HistoryTamperedError: The rows were changed behind releasekit's back.
        """
        detail = self.problem()
        if detail is not None:
            raise tampered_state(self.row.id, self.row.revision, detail)


def check_release_chain(
    stream: str, events: Iterable[Event], stored: StoredRelease | None
) -> Verification:
    """Check a release's events (as stored, in order) against its chain and its rows."""
    verification = check_chain(
        stream,
        events,
        revision=None if stored is None else stored.revision,
        head=None if stored is None else stored.head,
        state=None if stored is None else stored.state_text,
    )
    detail = None if stored is None or not verification.ok else stored.facts_problem()
    if detail is None:
        return verification
    return attrs.evolve(verification, seq=stored.revision if stored else None, detail=detail)


def release_conflict(
    row: ReleaseRow | None,
    *,
    stream: str,
    expected: int,
    previous: str,
    evidence_before: str,
    moves_before: str,
) -> ReleaseKitError:
    """Return why a write at *expected* was refused, given the release's *row* as it is now."""
    actual = 0 if row is None else row.revision
    if actual != expected:
        return ConflictError(stream=stream, expected=expected, actual=actual)
    if row is not None and (row.evidence_digest, row.moves_digest) != (
        evidence_before,
        moves_before,
    ):
        return InvalidInputError(
            f"the digests of the evidence and moves given are not those of {stream} at "
            f"revision {expected}; pass the record you loaded",
            field="evidence_before",
            value=evidence_before,
        )
    return wrong_previous(stream, expected=expected, previous=previous)


def numbered(facts: Sequence[Fact]) -> list[tuple[int, Fact]]:
    """Number each fact within the event that added it: its place ``n`` among them."""
    found: list[tuple[int, Fact]] = []
    for fact in facts:
        same = found[-1][0] + 1 if found and found[-1][1].seq == fact.seq else 0
        found.append((same, fact))
    return found


def sealed_write(
    row: ReleaseRow,
    *,
    expected: int,
    previous: str,
    before: tuple[str, str],
    draft: Draft,
    evidence: Sequence[str],
    moves: Sequence[str],
) -> tuple[Event, tuple[Any, ...]]:
    """Check a write of a release's rows and seal its event: what every store does first.

    Returns the event and the values of :data:`~releasekit._records.events.EVENT_COLUMNS`
    (see :func:`~releasekit._records.events.seal`), the event recording the
    digest of ``row.text()``.

    Raises:
        InvalidInputError: The id or *expected* is not one, the row's rolling
            digests of evidence and of moves are not those of what is written
            with it onto *before*, or the draft's data is not JSON; nothing
            was written.
    """
    stream = check_release_id(row.id)
    check_expected(expected)
    if (roll(before[0], evidence), roll(before[1], moves)) != (
        row.evidence_digest,
        row.moves_digest,
    ):
        raise InvalidInputError(
            f"the row of {row.id} does not hold the digests of the evidence and moves written "
            "with it; build it with the ledger",
            field="row",
            value=row.id,
        )
    return seal(
        stream, seq=expected + 1, previous=previous, draft=draft, state_digest=digest(row.text())
    )


# ---------------------------------------------------------------------------
# A release's values as rows, and back
# ---------------------------------------------------------------------------


def evidence_text(item: Evidence) -> str:
    """Return the canonical JSON a store keeps for a piece of evidence."""
    return dumps(unstructure(item, Evidence))


def move_text(move: Move) -> str:
    """Return the canonical JSON a store keeps for a move."""
    return dumps(unstructure(move))


def fact_texts(action: Action, data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Return the canonical JSON of the evidence and moves an event adds, from its data as JSON.

    *data* is the converter's output for the event's structured data, so each
    text is what :func:`evidence_text` and
    :func:`move_text` give for its value.
    """
    kind = EFFECTS[action][0] if action in EFFECTS else None
    if kind is Started:
        release = data["release"]
        return [dumps(item) for item in release["evidence"]], [dumps(m) for m in release["moves"]]
    evidence = data["evidence"] if kind in {EvidenceRecorded, StepEnded} else ()
    move = data["move"] if kind in {Moved, StepEnded} else None
    return [dumps(item) for item in evidence], ([] if move is None else [dumps(move)])


def row_of(
    state: State, *, updated_at: dt.datetime, evidence_digest: str, moves_digest: str
) -> ReleaseRow:
    """Return the row a store keeps for a release in *state* after an event at *updated_at*."""
    release = state.release
    return ReleaseRow(
        id=release.id,
        version=release.version,
        kind=release.kind.value,
        state=release.state,
        created_at=iso(release.created_at),
        created_by=release.created_by,
        updated_at=iso(updated_at),
        finished_at=_optional_iso(state.finished_at),
        artifact=dumps(unstructure(release.artifact)),
        attempt=_optional_json(state.attempt),
        attention=dumps(unstructure(state.attention)),
        evidence_digest=evidence_digest,
        moves_digest=moves_digest,
    )


def next_row(
    row: ReleaseRow | None,
    before: State,
    after: State,
    *,
    updated_at: dt.datetime,
    evidence: Sequence[str],
    moves: Sequence[str],
) -> ReleaseRow:
    """Return the row after an event took a release from *before* (whose row is *row*) to *after*.

    Only what the event changed is written anew: the text of every other
    column is the one the store holds. *evidence* and *moves* are the texts
    of the rows the event adds; ``None`` for *row* means the event starts the
    release.
    """
    evidence_digest = roll(NO_FACTS if row is None else row.evidence_digest, evidence)
    moves_digest = roll(NO_FACTS if row is None else row.moves_digest, moves)
    if row is None:
        return row_of(
            after, updated_at=updated_at, evidence_digest=evidence_digest, moves_digest=moves_digest
        )
    return ReleaseRow(
        id=row.id,
        version=row.version,
        kind=row.kind,
        state=after.release.state,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=iso(updated_at),
        finished_at=(
            row.finished_at
            if after.finished_at is before.finished_at
            else _optional_iso(after.finished_at)
        ),
        artifact=row.artifact,
        attempt=row.attempt if after.attempt is before.attempt else _optional_json(after.attempt),
        attention=(
            row.attention
            if after.attention is before.attention
            else dumps(unstructure(after.attention))
        ),
        evidence_digest=evidence_digest,
        moves_digest=moves_digest,
    )


def _optional_iso(value: dt.datetime | None) -> str | None:
    return None if value is None else iso(value)


def _optional_json(value: Attempt | None) -> str | None:
    return None if value is None else dumps(unstructure(value))
