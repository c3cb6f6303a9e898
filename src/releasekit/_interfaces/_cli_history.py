"""Commands that read the history: history, verify."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import ExitCode, Reply, Session
from releasekit.exceptions import UnknownDataOperationError, UnknownReleaseError

if TYPE_CHECKING:
    import argparse

    from releasekit._actions.desk import Desk
    from releasekit._records.events import Verification


__all__ = ["history", "verify"]


def history(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit history RELEASE``."""
    events = session.desk().history(args.release)
    rows = [
        [
            str(event.seq),
            show.short(event.at),
            event.actor,
            event.action.value,
            show.event_step(event),
            show.event_reason(event),
        ]
        for event in events
    ]
    return Reply(
        data={"release_id": args.release, "events": [show.event_json(event) for event in events]},
        text=show.table(["#", "AT", "ACTOR", "ACTION", "STEP", "REASON"], rows),
    )


def verify(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit verify [ID]``: every history, or one; exit 1 if any does not verify."""
    desk = session.desk()
    checked = desk.verify_all() if args.release is None else _verify_one(desk, args.release)
    lines = []
    for verification in checked:
        if verification.ok:
            lines.append(
                f"{verification.stream}: ok, {verification.events} events, "
                f"head {verification.head[:12]}"
            )
        else:
            lines.append(
                f"{verification.stream}: TAMPERED at event {verification.seq}: "
                f"{verification.detail}"
            )
    tampered = sum(1 for verification in checked if not verification.ok)
    if tampered:
        noun = "history" if len(checked) == 1 else "histories"
        lines.append(
            f"{tampered} of {len(checked)} {noun} tampered with: restore from a backup, and find "
            "out who changed what"
        )
    return Reply(
        data={
            "ok": not tampered,
            "histories": [show.verification_json(item) for item in checked],
            "releases": [
                show.verification_json(item) for item in checked if ":" not in item.stream
            ],
        },
        text=show.block(lines or [f"no histories in {session.db} to verify"]),
        code=ExitCode.REFUSED if tampered else ExitCode.OK,
    )


def _verify_one(desk: Desk, name: str) -> list[Verification]:
    """Verify the history *name*: a release, a data operation (both, if both have that id)."""
    if ":" in name:  # a history's own name, e.g. data:adjustment-1
        return [desk.verify_history(name)]
    found = []
    with contextlib.suppress(UnknownReleaseError):
        found.append(desk.verify(name))
    try:
        found.append(desk.data.verify(name))
    except UnknownDataOperationError:
        if not found:
            raise UnknownReleaseError(name) from None
    return found
