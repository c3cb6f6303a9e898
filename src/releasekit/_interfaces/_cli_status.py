"""``releasekit status``: the releases in flight in a table, a page at a time, or one in detail.

The table lists the active releases (``--all``: every release), in the order of
their ids, ``--limit`` of them after the id ``--after`` names, and ends with the
command line of the next page when there is one. Listing reads the release rows
of that page only; each release listed is then loaded (its evidence: the
guards read it) and explained at one instant, the same for every row, so two
releases on either side of a window's edge are never told apart by the time
the listing took.

A release that cannot be read — its row edited by hand, say — is listed as
such, with the reason, and the others are listed all the same; the command
then exits 1 (see ``docs/cli.md``).

Where the store holds no release, no desk is built: nothing is explained, so
the policy is not read, and neither the state machine nor an executor is loaded.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

import attrs

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import ExitCode, Reply, next_line, suggester
from releasekit._interfaces._cli_text import escape
from releasekit.exceptions import (
    HistoryTamperedError,
    InvalidInputError,
    ReleaseKitError,
    UnreadableDataError,
)

if TYPE_CHECKING:
    import argparse

    import pendulum

    from releasekit._actions.desk import Desk
    from releasekit._interfaces._cli_session import Session
    from releasekit._records.values import Record, ReleaseSummary

__all__ = ["DEFAULT_LIMIT", "status"]

#: How many releases a page lists unless ``--limit`` says otherwise.
DEFAULT_LIMIT = 100

_HEADERS = ("RELEASE", "VERSION", "KIND", "STATE", "NEXT")


@attrs.frozen(kw_only=True)
class _Unreadable:
    """A release listed whose row or record cannot be read, and why."""

    id: str
    error: ReleaseKitError


def status(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit status [RELEASE] [--all] [--after ID] [--limit N]``.

    Raises:
        InvalidInputError: A paging option is given with RELEASE.
    """
    limit: int | None = args.limit
    if args.release is not None:
        paging = {"--all": args.all or None, "--after": args.after, "--limit": limit}
        given = [name for name, value in paging.items() if value is not None]
        if given:
            one = len(given) == 1
            named = given[0] if one else f"{', '.join(given[:-1])} and {given[-1]}"
            raise InvalidInputError(
                f"{named} {'pages' if one else 'page'} through the list of releases; leave "
                f"{'it' if one else 'them'} out to show {args.release} alone",
                field="release",
                value=args.release,
            )
        desk = session.desk()
        return _status_of(desk, desk.get(args.release), now=session.now())
    _ = session.policy_file  # a policy option naming no file is an error, read or not
    if not _holds_releases(session):
        return Reply(
            data={"at": None, "releases": [], "next_after": None},
            text=escape(f"no releases in {session.db}; start one with `releasekit start VERSION`"),
        )
    now = session.now()  # one instant for every release listed
    desk = session.desk()
    page = limit or DEFAULT_LIMIT
    listed = _listed(desk, active=not args.all, after=args.after, limit=page + 1)
    shown = listed[:page]
    following = shown[-1].id if len(listed) > page else None
    rows: list[list[str]] = []
    summaries: list[dict[str, object]] = []
    for item in shown:
        record = _record(desk, item)
        if isinstance(record, _Unreadable):
            rows.append([record.id, "?", "?", "?", f"cannot be read: {record.error}"])
            summaries.append(_unreadable_json(record))
            continue
        row, summary = _summary(desk, record, now)
        rows.append(row)
        summaries.append(summary)
    lines = [show.table(_HEADERS, rows)] if rows else [_nothing_listed(session, args)]
    if following is not None:
        lines.append(escape(f"more: {_next_page(args, following, limit)}"))
    unreadable = sum(1 for summary in summaries if summary["problem"] is not None)
    return Reply(
        data={"at": show.timestamp(now), "releases": summaries, "next_after": following},
        text="\n".join(lines),
        code=ExitCode.REFUSED if unreadable else ExitCode.OK,
    )


def _holds_releases(session: Session) -> bool:
    """Whether the store holds a release: asked of a SQLite file without opening the store."""
    location = session.sqlite_file
    if location is not None:
        from releasekit._records.sqlite_probe import holds_releases  # noqa: PLC0415  # on use

        known = holds_releases(location)
        if known is not None:
            return known
    return bool(session.store().list_releases(active=False, limit=1))


def _listed(
    desk: Desk, *, active: bool, after: str | None, limit: int
) -> list[ReleaseSummary | _Unreadable]:
    """Return up to *limit* releases after *after*; a row that cannot be read is listed as such.

    A page is read whole; if a row on it cannot be read, the releases up to that
    one are read one at a time, and the listing goes on after it.
    """
    found: list[ReleaseSummary | _Unreadable] = []
    unreadable_at: str | None = None
    while len(found) < limit:
        wanted = 1 if unreadable_at is not None else limit - len(found)
        try:
            page = desk.releases(active=active, after=after, limit=wanted)
        except UnreadableDataError as error:
            if error.release_id is None:
                raise
            if wanted > 1:  # go one at a time up to the row that cannot be read
                unreadable_at = error.release_id
                continue
            found.append(_Unreadable(id=error.release_id, error=error))
            after, unreadable_at = error.release_id, None
            continue
        found.extend(page)
        if len(page) < wanted:
            break
        after = page[-1].id
        if unreadable_at is not None and after >= unreadable_at:  # it was mended meanwhile
            unreadable_at = None
    return found


def _record(desk: Desk, item: ReleaseSummary | _Unreadable) -> Record | _Unreadable:
    """Load the release listed as *item*, or say why it cannot be read."""
    if isinstance(item, _Unreadable):
        return item
    try:
        return desk.get(item.id)
    except (HistoryTamperedError, UnreadableDataError) as error:  # what is stored, not the store
        return _Unreadable(id=item.id, error=error)


def _summary(
    desk: Desk, record: Record, now: pendulum.DateTime
) -> tuple[list[str], dict[str, object]]:
    """Return the table row and the JSON summary of *record*, explained at *now*."""
    release = record.release
    explanation = desk.engine.explain(release, now=now)
    step = explanation.step
    if record.attempt is not None:
        upcoming = f"{record.attempt.capability} step unfinished"
    elif step is None:
        upcoming = "-"
    elif explanation.allowed:
        upcoming = f"{step.target}: allowed"
    else:
        upcoming = f"{step.target}: blocked ({len(explanation.blockers)})"
    row = [record.id, release.version, release.kind.value, record.state, upcoming]
    return row, {
        "id": record.id,
        "version": release.version,
        "kind": release.kind.value,
        "state": record.state,
        "revision": record.revision,
        "created_at": show.timestamp(release.created_at),
        "created_by": release.created_by,
        "last_moved_at": show.timestamp(release.last_moved_at),
        "finished_at": show.timestamp(record.finished_at),
        "step_in_flight": record.attempt is not None,
        "next": None if step is None else step.target,
        "allowed": explanation.allowed,
        "blocker_codes": [blocker.code for blocker in explanation.blockers],
        "problem": None,
    }


def _unreadable_json(item: _Unreadable) -> dict[str, object]:
    """Return the JSON summary of a release that cannot be read: its id and why."""
    unknown = ("version", "kind", "state", "revision", "created_at", "created_by")
    return {
        "id": item.id,
        **dict.fromkeys(unknown),
        "last_moved_at": None,
        "finished_at": None,
        "step_in_flight": None,
        "next": None,
        "allowed": None,
        "blocker_codes": [],
        "problem": {"type": type(item.error).__name__, "message": str(item.error)},
    }


def _nothing_listed(session: Session, args: argparse.Namespace) -> str:
    """Say why the page is empty though the store holds releases."""
    if args.after is not None:
        return escape(f"no {'' if args.all else 'active '}releases after {args.after}")
    return escape(
        f"no active releases in {session.db}; `releasekit status --all` lists the finished ones"
    )


def _next_page(args: argparse.Namespace, after: str, limit: int | None) -> str:
    """Return the command line that lists the page after the release *after*."""
    words = ["releasekit", "status"]
    if args.all:
        words.append("--all")
    words.append(f"--after={shlex.quote(after)}")  # an id may start with a dash
    if limit is not None:
        words.append(f"--limit={limit}")
    return " ".join(words)


def _status_of(desk: Desk, record: Record, *, now: pendulum.DateTime) -> Reply:
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
        f"  next:        {next_line(record, desk, now=now)}",
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
    explanation = desk.engine.explain(release, now=now)
    return Reply(
        data={
            "release": show.record_json(record),
            "explanation": show.explanation_json(explanation, suggester(desk, release)),
        },
        text=show.block(lines),
    )
