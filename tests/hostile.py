"""Stores holding text a terminal would act on: for the tests of what the command prints.

Versions, names and notes with control characters are refused where they
enter, but a store may hold them all the same: written by an older releasekit,
by another tool, or by hand. :func:`forge` writes such a release and such a
data adjustment through the store layer itself, with a valid hash chain, so
nothing on the way in checks them.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from typing import TYPE_CHECKING, Any

import pendulum

import releasekit as rk
from releasekit import executors
from releasekit._records.events import Draft

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

#: A version that would draw a row of its own in `status`, clear the screen, set the
#: window title, return the carriage and turn the rest of its line around.
VERSION = "6.6.6\nforged   6.6.6    normal  production     -\x1b[2J\x1b]0;owned\x07\r\u202e"
#: A note with colours, a carriage return, a backspace and a bidi override.
NOTE = "looks fine\n\x1b[31mRED\x1b[0m\r\boverwritten \u202eesrever\u2028next"
#: The ids of the forged releases (one in tests, one abandoned) and data adjustment.
RELEASE_ID = "forged"
ABANDONED_ID = "forged-abandoned"
ADJUSTMENT_ID = "adjustment-forged"

#: What the data adjustment is written with first, then replaced, and the releases' honest version.
_VERSION, _NOTE = "9.8.7", "N-O-T-E"
_OWNER = "anton"
_MORNING = pendulum.datetime(2026, 11, 27, 9, 0, tz="UTC")


def _replaced(value: Any, texts: Mapping[str, str]) -> Any:  # JSON values in and out
    if isinstance(value, str):
        for placeholder, text in texts.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, list):
        return [_replaced(item, texts) for item in value]
    if isinstance(value, dict):
        return {name: _replaced(item, texts) for name, item in value.items()}
    return value


def _copy(
    source: rk.stores.MemoryStore, stream: str, target: rk.stores.Store, texts: Mapping[str, str]
) -> None:
    """Write *stream* of *source* into *target*, every placeholder replaced, chain recomputed."""
    snapshot = source.snapshot(stream)
    assert snapshot is not None
    final: Mapping[str, Any] = _replaced(json.loads(json.dumps(dict(snapshot.data))), texts)
    for event in source.events(stream):
        fields = _replaced(
            {
                "actor": event.actor,
                "source": event.source,
                "target": event.target,
                "reason": event.reason,
                "data": json.loads(json.dumps(dict(event.data))),
            },
            texts,
        )
        target.append(
            stream,
            expected=event.seq - 1,
            draft=Draft(action=event.action, at=event.at, **fields),
            snapshot=final,
        )


def forge(store: rk.stores.Store) -> None:
    """Write releases and a data adjustment whose free text holds control characters.

    Notes and reasons legitimately hold anything, so they hold :data:`NOTE`: the
    evidence of :data:`RELEASE_ID` (a release in tests), the reason
    :data:`ABANDONED_ID` was abandoned for, and the reason for and the
    verification of :data:`ADJUSTMENT_ID` (an adjustment of production). The
    releases are honest: releasekit writes no version it would refuse (see
    :func:`forge_version` for one written by hand). (A person's name holding
    control characters cannot be written at all: the store refuses it in every
    event.)
    """
    policy = rk.reference_policy()
    desk = rk.Desk(
        policy, store=store, executors=executors.dry_run(), clock=rk.FixedClock(_MORNING)
    )
    for release_id in (RELEASE_ID, ABANDONED_ID):
        desk.start(_VERSION, by=_OWNER, release_id=release_id, artifact=rk.Artifact())
    desk.add_evidence(RELEASE_ID, rk.TestsWritten(by=_OWNER, at=_MORNING, note=NOTE))
    desk.promote(RELEASE_ID, by=_OWNER)
    desk.abandon(ABANDONED_ID, by=_OWNER, reason=NOTE)
    scratch = rk.stores.MemoryStore()
    scratch_desk = rk.Desk(
        policy, store=scratch, executors=executors.dry_run(), clock=rk.FixedClock(_MORNING)
    )
    scratch_desk.data.request_adjustment(
        "production",
        "fix-close",
        ["AAPL", "187.20"],
        by=_OWNER,
        reason=_NOTE,
        operation_id=ADJUSTMENT_ID,
    )
    scratch_desk.data.verify_adjustment(ADJUSTMENT_ID, by="olga", note=_NOTE)
    for stream in scratch.streams():
        _copy(scratch, stream, store, {_NOTE: NOTE})


def forge_version(path: Path, version: str = VERSION) -> None:
    """Set the version of :data:`RELEASE_ID` in the SQLite file at *path* by hand.

    The release row no longer matches the digest its last event recorded, so
    releasekit must refuse to read it rather than print it.
    """
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE releases SET version = ? WHERE id = ?", (version, RELEASE_ID))
