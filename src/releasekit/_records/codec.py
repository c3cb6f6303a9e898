"""A release's values as the rows a store keeps, and back.

A store keeps a release as a :class:`~releasekit._records.rows.ReleaseRow`
and one canonical JSON text per piece of evidence and per move. This module
writes those texts for a release's values (:func:`row_of`, and
:func:`next_row`, which writes anew only the columns an event changed) and
reads a :class:`~releasekit._records.values.Record` back from its rows once
they were checked against its history (:func:`record_of`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.converter import dumps, iso, loads, parse_instant, structure, unstructure
from releasekit._records.fold import EFFECTS, EvidenceRecorded, Moved, Started, StepEnded
from releasekit._records.rows import NO_FACTS, ReleaseRow, StoredRelease, roll
from releasekit._records.store import tampered_state
from releasekit._records.values import Attempt, Attention, Record, ReleaseSummary, State
from releasekit._rules.ended import ENDED_STATES
from releasekit._rules.evidence import Evidence
from releasekit._rules.release import Artifact, Kind, Move, Release
from releasekit.exceptions import InvalidInputError, RecordError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    import pendulum

    from releasekit._records.events import Action

__all__ = [
    "ended_at",
    "evidence_text",
    "fact_texts",
    "legacy_record",
    "move_text",
    "next_row",
    "record_of",
    "row_of",
    "summary_of",
]


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


def _read(text: str, kind: Any, what: str) -> Any:  # noqa: ANN401  # any stored type
    return structure(_parsed(text, what), kind, what=what)


def _parsed(text: str, what: str) -> Any:  # noqa: ANN401  # JSON
    try:
        return loads(text)
    except ValueError as error:
        raise RecordError(what=what, problems=[f"it is not JSON: {error} @ $"]) from None


def record_of(stored: StoredRelease) -> Record:
    """Return the record *stored* holds, once its rows were checked against its history.

    Raises:
        HistoryTamperedError: The rows are not what the history recorded.
        RecordError: A row cannot be read.
    """
    stored.require_recorded()
    row = stored.row
    if stored.legacy is not None:
        return legacy_record(stored)
    name = row.id
    evidence = f"the evidence of {name}"
    moves = f"the moves of {name}"
    try:
        release = Release(
            id=row.id,
            version=row.version,
            kind=row.kind,
            artifact=_read(row.artifact, Artifact, f"the artifact of {name}"),
            state=row.state,
            created_at=_instant(row, "created_at"),
            created_by=row.created_by,
            evidence=structure(
                [_parsed(fact.body, evidence) for fact in stored.evidence],
                tuple[Evidence, ...],
                what=evidence,
            ),
            moves=structure(
                [_parsed(fact.body, moves) for fact in stored.moves], tuple[Move, ...], what=moves
            ),
        )
    except InvalidInputError as error:
        raise RecordError(what=f"the row of {name}", problems=[f"{error} @ $"]) from None
    return Record(
        release=release,
        revision=row.revision,
        head=row.head,
        attempt=None if row.attempt is None else _read(row.attempt, Attempt, f"the step of {name}"),
        attention=_attention(row),
        finished_at=None if row.finished_at is None else _instant(row, "finished_at"),
        row=row,
    )


def _attention(row: ReleaseRow) -> tuple[Attention, ...]:
    """Read the attention items of *row* (usually none)."""
    if row.attention == "[]":
        return ()
    attention: tuple[Attention, ...] = _read(
        row.attention, tuple[Attention, ...], f"the attention items of {row.id}"
    )
    return attention


def _instant(row: ReleaseRow, field: str) -> pendulum.DateTime:
    """Read the instant in the column *field* of *row*, or say which column cannot be read."""
    try:
        return parse_instant(getattr(row, field))
    except InvalidInputError as error:
        problem = f"{error} @ $.{field}"
        raise RecordError(what=f"the row of {row.id}", problems=[problem]) from None


def legacy_record(stored: StoredRelease) -> Record:
    """Return the record of a row kept beside the state stored before release rows.

    Its last event recorded the digest of that state (checked by
    :meth:`StoredRelease.problem`); the row must be the one that state gives.
    """
    row = stored.row
    assert stored.legacy is not None  # noqa: S101  # the caller asked for a legacy row
    state = _read(stored.legacy, State, f"the current state of {row.id}")
    state = attrs.evolve(state, finished_at=ended_at(state.release))
    evidence_digest = roll(NO_FACTS, map(evidence_text, state.release.evidence))
    moves_digest = roll(NO_FACTS, map(move_text, state.release.moves))
    expected = row_of(
        state,
        updated_at=_instant(row, "updated_at"),
        evidence_digest=evidence_digest,
        moves_digest=moves_digest,
    )
    if expected.text() != row.text():
        detail = "its row is not the state its last event recorded"
        raise tampered_state(row.id, row.revision, detail)
    return Record(
        release=state.release,
        revision=row.revision,
        head=row.head,
        attempt=state.attempt,
        attention=state.attention,
        finished_at=state.finished_at,
        row=row,
    )


def ended_at(release: Release) -> pendulum.DateTime | None:
    """Return when *release* ended as its moves say (abandoned, rolled back), if it did.

    For states stored before releases recorded when they finished: those
    record no end of a flow, only the moves that end a release.
    """
    for move in release.moves:
        if move.target in ENDED_STATES:
            return move.at
    return None


def summary_of(row: ReleaseRow) -> ReleaseSummary:
    """Return the summary of a release row.

    Raises:
        RecordError: A column cannot be read.
    """
    name = row.id
    return ReleaseSummary(
        id=row.id,
        version=row.version,
        kind=Kind(row.kind),
        state=row.state,
        revision=row.revision,
        head=row.head,
        created_at=_instant(row, "created_at"),
        created_by=row.created_by,
        updated_at=_instant(row, "updated_at"),
        finished_at=None if row.finished_at is None else _instant(row, "finished_at"),
        attempt=None if row.attempt is None else _read(row.attempt, Attempt, f"the step of {name}"),
        attention=_attention(row),
    )
