"""``releasekit status``: every release in a table, or one release in detail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import Reply, next_line, suggester
from releasekit._interfaces._cli_text import escape

if TYPE_CHECKING:
    import argparse

    from releasekit._actions.desk import Desk
    from releasekit._interfaces._cli_session import Session
    from releasekit._records.values import Record

__all__ = ["status"]


def status(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit status [RELEASE]``.

    Where there are no releases, no desk is built: nothing is explained, so the
    policy is not read, and neither the state machine nor an executor is loaded.
    """
    if args.release is not None:
        desk = session.desk()
        return _status_of(desk, desk.get(args.release))
    _ = session.policy_file  # a policy option naming no file is an error, read or not
    if not session.store().list_releases(active=False, limit=1):
        return Reply(
            data={"releases": []},
            text=escape(f"no releases in {session.db}; start one with `releasekit start VERSION`"),
        )
    desk = session.desk()
    rows: list[list[str]] = []
    summaries: list[dict[str, object]] = []
    for record in desk.records(desk.releases(active=False)):
        explanation = desk.engine.explain(record.release, now=desk.clock.now())
        step = explanation.step
        if record.attempt is not None:
            upcoming = f"{record.attempt.capability} step unfinished"
        elif step is None:
            upcoming = "-"
        elif explanation.allowed:
            upcoming = f"{step.target}: allowed"
        else:
            upcoming = f"{step.target}: blocked ({len(explanation.blockers)})"
        rows.append([record.id, record.release.version, record.release.kind.value, record.state])
        rows[-1].append(upcoming)
        summaries.append(
            {
                "id": record.id,
                "version": record.release.version,
                "kind": record.release.kind.value,
                "state": record.state,
                "revision": record.revision,
                "created_at": show.timestamp(record.release.created_at),
                "created_by": record.release.created_by,
                "last_moved_at": show.timestamp(record.release.last_moved_at),
                "step_in_flight": record.attempt is not None,
                "next": None if step is None else step.target,
                "allowed": explanation.allowed,
                "blocker_codes": [blocker.code for blocker in explanation.blockers],
            }
        )
    text = show.table(["RELEASE", "VERSION", "KIND", "STATE", "NEXT"], rows)
    return Reply(data={"releases": summaries}, text=text)


def _status_of(desk: Desk, record: Record) -> Reply:
    release = record.release
    artifact = release.artifact
    lines = [
        f"release {release.id}: {release.version} ({release.kind.value})",
        f"  state:       {release.state} since {show.short(release.last_moved_at)}",
        f"  started:     {show.short(release.created_at)} by {release.created_by}",
        f"  functions:   {', '.join(artifact.functions) or '-'}",
        f"  migrations:  {', '.join(artifact.migrations) or '-'}",
        f"  new:         {', '.join(artifact.new_functionality) or '-'}",
        f"  history:     {record.revision} events, head {record.head[:12]}",
        f"  next:        {next_line(record, desk)}",
    ]
    lines.extend(
        f"  attention:   {item.message} ({item.by}, {show.short(item.raised_at)})"
        for item in record.attention
    )
    lines.append("  evidence:" if release.evidence else "  evidence:    none yet")
    lines.extend(f"    {show.evidence_line(item)}" for item in release.evidence)
    lines.append("  moves:" if release.moves else "  moves:       none yet")
    lines.extend(
        f"    {show.short(move.at)}  {move.source} -> {move.target} by {move.by}"
        for move in release.moves
    )
    explanation = desk.engine.explain(release, now=desk.clock.now())
    return Reply(
        data={
            "release": show.record_json(record),
            "explanation": show.explanation_json(explanation, suggester(desk, release)),
        },
        text=show.block(lines),
    )
