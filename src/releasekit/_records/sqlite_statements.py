"""The statements the SQLite store runs, written once from the constant names of its columns."""

from __future__ import annotations

import operator

from releasekit._records.events import EVENT_COLUMNS
from releasekit._records.rows import ROW_COLUMNS

__all__ = [
    "APPEND_RELEASE",
    "COLUMNS",
    "CREATE_STREAM",
    "INSERT_EVENT",
    "LIST_ACTIVE",
    "LIST_ALL",
    "ROW_VALUES",
    "SELECT_EVIDENCE",
    "SELECT_HEAD",
    "SELECT_HEAD_AND_STATE",
    "SELECT_MOVES",
    "SELECT_RELEASE",
    "SELECT_STATE",
    "STALE",
    "UPDATE_STREAM",
]

#: What the ``release_appends`` trigger says when the release moved on (SQLite's error text).
STALE = "releasekit: the release is not at the revision the writer saw"

#: The columns of a release row, in the order of ReleaseRow's fields.
COLUMNS = ", ".join(ROW_COLUMNS)
SELECT_HEAD = "SELECT revision, head FROM streams WHERE stream = ?"
SELECT_HEAD_AND_STATE = "SELECT revision, head, snapshot FROM streams WHERE stream = ?"
INSERT_EVENT = (
    "INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data, "
    "previous, digest, state_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CREATE_STREAM = (
    "INSERT INTO streams (stream, revision, head, snapshot) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (stream) DO NOTHING"
)
UPDATE_STREAM = (
    "UPDATE streams SET revision = ?, head = ?, snapshot = ? WHERE stream = ? AND revision = ?"
)
#: A stream's state, with the digests of the event at its revision, and the seq of its last
#: event (a state deleted while its history remains is found by the same statement).
SELECT_STATE = (
    "SELECT s.revision, s.head, s.snapshot, e.digest, e.state_digest, "
    "(SELECT max(seq) FROM events WHERE stream = q.name) FROM (SELECT ? AS name) AS q "
    "LEFT JOIN streams AS s ON s.stream = q.name "
    "LEFT JOIN events AS e ON e.stream = s.stream AND e.seq = s.revision"
)
#: A release's row, with the digests of the event at its revision (one lookup by key).
SELECT_RELEASE = (
    f"SELECT {', '.join(f'r.{name}' for name in ROW_COLUMNS)}, r.legacy, e.digest, "  # noqa: S608  # constant names
    "e.state_digest FROM releases AS r "
    "LEFT JOIN events AS e ON e.stream = r.id AND e.seq = r.revision WHERE r.id = ?"
)
#: A release's evidence, and its moves, oldest first (in the order of their keys).
SELECT_EVIDENCE = "SELECT seq, body FROM release_evidence WHERE release = ? ORDER BY seq, n"
SELECT_MOVES = "SELECT seq, body FROM release_moves WHERE release = ? ORDER BY seq, n"
#: A release's next step: the event's columns, then the row's (all but its id, revision and
#: head), then the digests the writer saw and the evidence and moves added (JSON lists).
APPEND_RELEASE = (
    f"INSERT INTO release_appends ({', '.join(EVENT_COLUMNS)}, {', '.join(ROW_COLUMNS[1:13])}, "  # noqa: S608
    f"evidence_before, moves_before, evidence, moves) VALUES ({', '.join('?' * 28)})"
)
ROW_VALUES = operator.attrgetter(*ROW_COLUMNS[1:13])
LIST_ACTIVE = (
    f"SELECT {COLUMNS} FROM releases "  # noqa: S608
    "WHERE finished_at IS NULL AND id > ? ORDER BY id LIMIT ?"
)
LIST_ALL = f"SELECT {COLUMNS} FROM releases WHERE id > ? ORDER BY id LIMIT ?"  # noqa: S608
