"""Reading a release's values back from its rows, once the rows were checked against history.

:func:`record_of` gives the :class:`~releasekit._records.values.Record` a
store's rows hold (or, for a release still kept as the state stored before
release rows, :func:`legacy_record`); :func:`summary_of` gives the
:class:`~releasekit._records.values.ReleaseSummary` of a row alone, for
listings. A column that cannot be read is a
:class:`~releasekit.exceptions.UnreadableDataError` naming the release and the column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.converter import loads, parse_instant, structure
from releasekit._records.rows import NO_FACTS, evidence_text, move_text, roll, row_of
from releasekit._records.store import tampered_state
from releasekit._records.values import Attempt, Attention, Record, ReleaseSummary, State
from releasekit._rules.ended import ENDED_STATES
from releasekit._rules.evidence import Evidence
from releasekit._rules.release import Artifact, Move, Release, ReleaseKind
from releasekit.exceptions import InvalidInputError, UnreadableDataError

if TYPE_CHECKING:
    import pendulum

    from releasekit._records.rows import StoredRelease
    from releasekit._records.values import ReleaseRow

__all__ = ["ended_at", "legacy_record", "record_of", "summary_of"]


def _read(text: str, kind: Any, what: str) -> Any:  # noqa: ANN401  # any stored type
    return structure(_parsed(text, what), kind, what=what)


def _parsed(text: str, what: str) -> Any:  # noqa: ANN401  # JSON
    try:
        return loads(text)
    except ValueError as error:
        raise UnreadableDataError(what=what, problems=[f"it is not JSON: {error} @ $"]) from None


def record_of(stored: StoredRelease) -> Record:
    """Return the record *stored* holds, once its rows were checked against its history.

    Raises:
        HistoryTamperedError: The rows are not what the history recorded.
        UnreadableDataError: A row cannot be read.
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
        raise UnreadableDataError(what=f"the row of {name}", problems=[f"{error} @ $"]) from None
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
        raise UnreadableDataError(what=f"the row of {row.id}", problems=[problem]) from None


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
        UnreadableDataError: A column cannot be read; its ``release_id`` names the release.
    """
    name = row.id
    try:
        return ReleaseSummary(
            id=row.id,
            version=row.version,
            kind=_kind(row),
            state=row.state,
            revision=row.revision,
            head=row.head,
            created_at=_instant(row, "created_at"),
            created_by=row.created_by,
            updated_at=_instant(row, "updated_at"),
            finished_at=None if row.finished_at is None else _instant(row, "finished_at"),
            attempt=None
            if row.attempt is None
            else _read(row.attempt, Attempt, f"the step of {name}"),
            attention=_attention(row),
        )
    except UnreadableDataError as error:
        raise UnreadableDataError(
            what=error.what, problems=error.problems, release_id=name
        ) from None


def _kind(row: ReleaseRow) -> ReleaseKind:
    """Read the kind of *row*, or say that its column cannot be read."""
    try:
        return ReleaseKind(row.kind)
    except ValueError:
        problem = f"{row.kind!r} is no kind of release @ $.kind"
        raise UnreadableDataError(what=f"the row of {row.id}", problems=[problem]) from None
