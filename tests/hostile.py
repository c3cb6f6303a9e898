"""Stores holding text a terminal would act on: for the tests of what the command prints.

Versions, names and notes with control characters are refused where they
enter, but a store may hold them all the same: written by an older releasekit,
by another tool, or by hand. :func:`forge` writes such a release and such a
data adjustment through the store layer itself, with a valid hash chain, so
nothing on the way in checks them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pendulum

import releasekit as rk
from releasekit import executors
from releasekit._records.events import Draft

if TYPE_CHECKING:
    from collections.abc import Mapping

#: A version that would draw a row of its own in `status`, clear the screen, set the
#: window title, return the carriage and turn the rest of its line around.
VERSION = "6.6.6\nforged   6.6.6    normal  production     -\x1b[2J\x1b]0;owned\x07\r\u202e"
#: A note with colours, a carriage return, a backspace and a bidi override.
NOTE = "looks fine\n\x1b[31mRED\x1b[0m\r\boverwritten \u202eesrever\u2028next"
#: A person's name holding a newline, a bold escape and a bidi override.
ACTOR = "mallory\n\x1b[1m\u202e"
#: The id of the forged release, and of the forged data adjustment.
RELEASE_ID = "forged"
ADJUSTMENT_ID = "adjustment-forged"

#: The placeholders the forged streams are first written with, and what replaces them.
_PLACEHOLDERS = {"V-E-R-S-I-O-N": VERSION, "N-O-T-E": NOTE, "A-C-T-O-R": ACTOR}
#: The one name the reference policy lets act in sandbox-anton, replaced by ACTOR where
#: a person is named (never inside an environment's name).
_OWNER = "anton"
_PEOPLE = frozenset({"actor", "by", "created_by", "requested_by", "executed_by"})
_MORNING = pendulum.datetime(2026, 11, 27, 9, 0, tz="UTC")


def _replaced(value: Any, key: str = "") -> Any:  # JSON values in, JSON values out
    if isinstance(value, str):
        if key in _PEOPLE and value == _OWNER:
            return ACTOR
        for placeholder, text in _PLACEHOLDERS.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    if isinstance(value, dict):
        return {name: _replaced(item, name) for name, item in value.items()}
    return value


def _copy(source: rk.MemoryStore, stream: str, target: rk.stores.Store) -> None:
    """Write *stream* of *source* into *target*, every placeholder replaced, chain recomputed."""
    snapshot = source.snapshot(stream)
    assert snapshot is not None
    final: Mapping[str, Any] = _replaced(json.loads(json.dumps(dict(snapshot.data))))
    for event in source.events(stream):
        fields = _replaced(
            {
                "actor": event.actor,
                "source": event.source,
                "target": event.target,
                "reason": event.reason,
                "data": json.loads(json.dumps(dict(event.data))),
            }
        )
        target.append(
            stream,
            expected=event.seq - 1,
            draft=Draft(action=event.action, at=event.at, **fields),
            snapshot=final,
        )


def forge(store: rk.stores.Store) -> None:
    """Write a release and a data adjustment holding control characters into *store*.

    The release (:data:`RELEASE_ID`) has the version :data:`VERSION`, was started
    by :data:`ACTOR`, and holds evidence noted :data:`NOTE`; it is in tests. The
    adjustment (:data:`ADJUSTMENT_ID`) of production has an argument holding
    :data:`VERSION`, the reason :data:`NOTE`, and was requested by :data:`ACTOR`.
    """
    scratch = rk.MemoryStore()
    desk = rk.Desk(
        rk.reference_policy(),
        store=scratch,
        executors=executors.dry_run(),
        clock=rk.FixedClock(_MORNING),
    )
    placeholder = "V-E-R-S-I-O-N"
    desk.start(placeholder, by=_OWNER, release_id=RELEASE_ID, artifact=rk.Artifact())
    desk.record(RELEASE_ID, rk.TestsWritten(by=_OWNER, at=_MORNING, note="N-O-T-E"))
    desk.promote(RELEASE_ID, by=_OWNER)
    desk.request_data_adjustment(
        "production",
        "fix-close",
        ["AAPL", placeholder],
        by=_OWNER,
        reason="N-O-T-E",
        operation_id=ADJUSTMENT_ID,
    )
    desk.verify_data_adjustment(ADJUSTMENT_ID, by="A-C-T-O-R", note="N-O-T-E")
    for stream in scratch.streams():
        _copy(scratch, stream, store)
