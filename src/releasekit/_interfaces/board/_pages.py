"""The board's pages, each built from the documents ``releasekit --json`` prints.

A page function asks the documents it shows through
:class:`~releasekit._interfaces.board._documents.Documents` and returns a
:class:`Page`: the template, what the template reads, and the HTTP status. A
document that is an error becomes the page's message (an unknown release is a
404 page), never a traceback.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from releasekit._interfaces.board import _calendar
from releasekit._interfaces.board._flow import flow_steps, flow_svg

if TYPE_CHECKING:
    from releasekit._interfaces.board._documents import Answer, BoardSession, Documents

__all__ = ["Page", "overview", "production", "release", "windows"]

#: How many releases the overview lists on a page unless told: as many as ``status`` lists.
OVERVIEW_LIMIT = 1000
#: How many openings the windows page asks for: four weeks of a daily window, and more.
OPENINGS = 40
#: How many weeks the windows page's calendar shows.
WEEKS = 4


@attrs.frozen(kw_only=True)
class Page:
    """A page to render.

    Attributes:
        template: The template's name.
        context: What the template reads.
        status: The HTTP status.
    """

    template: str
    context: Mapping[str, Any]
    status: int = 200


def _failed(answer: Answer, title: str) -> Page:
    """Return the page saying why a document could not be given."""
    error = answer.error or {}
    return Page(
        template="error.html",
        context={"title": title, "error": error},
        status=answer.status,
    )


def finished(row: Mapping[str, Any]) -> bool:
    """Whether a release listed by ``status`` has finished: ended, or at the end of its flow."""
    if row.get("problem"):
        return False
    if "finished_at" in row:
        return row["finished_at"] is not None
    return row.get("next") is None and not row.get("step_in_flight")


def verdict(row: Mapping[str, Any], explanation: Mapping[str, Any] | None = None) -> str:
    """Return where a listed release stands.

    One of ``unreadable``, ``in-flight`` (a step is unfinished), ``finished``,
    ``allowed``, ``waiting`` (only time holds it: its *explanation* says from
    when) and ``blocked``.
    """
    if row.get("problem"):
        return "unreadable"
    if row.get("step_in_flight"):
        return "in-flight"
    if finished(row):
        return "finished"
    if row.get("allowed"):
        return "allowed"
    return "waiting" if explanation is not None and explanation.get("earliest") else "blocked"


def overview(
    documents: Documents,
    session: BoardSession,
    *,
    everything: bool,
    after: str | None = None,
    limit: str | None = None,
) -> Page:
    """The releases: where each is on its flow, whether it may move, and what holds it.

    A page lists what ``status`` lists — the releases in flight, or with
    *everything* the finished ones too — :data:`OVERVIEW_LIMIT` at a time
    (or *limit*), after the id *after*; each release something holds is
    explained in full.

    Args:
        documents: Where the documents come from.
        session: The session answering them.
        everything: Show finished releases too.
        after: List the releases after this id: the next page.
        limit: How many to list, as ``status --limit`` reads it.
    """
    options = [f"--limit={limit or OVERVIEW_LIMIT}"]
    if everything:
        options.append("--all")
    if after:
        options.append(f"--after={after}")
    status = documents.ask(session, "status", options)
    if status.error is not None:
        return _failed(status, "Releases")
    rows: list[Mapping[str, Any]] = list(status.data.get("releases", []))
    explained: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        if row.get("blocker_codes"):
            answer = documents.ask(session, "explain", release=row["id"])
            if answer.error is None:
                explained[row["id"]] = answer.data
    paths = {flow.kind.value: flow.path for flow in documents.policy.flows}
    items = [
        {
            "row": row,
            "verdict": verdict(row, explained.get(row["id"])),
            "explanation": explained.get(row["id"]),
            "path": paths.get(row.get("kind") or "", ()),
        }
        for row in rows
    ]
    counts = dict.fromkeys(
        ("allowed", "waiting", "blocked", "in-flight", "unreadable", "finished"), 0
    )
    for row in rows:
        counts[verdict(row, explained.get(row["id"]))] += 1
    upcoming = documents.ask(session, "windows", ["--count=1"])
    return Page(
        template="overview.html",
        context={
            "title": "Releases",
            "items": items,
            "everything": everything,
            "after": after,
            "limit": limit,
            "next_after": status.data.get("next_after"),
            "counts": counts,
            "windows": upcoming.data if upcoming.error is None else None,
        },
    )


def release(documents: Documents, session: BoardSession, release_id: str) -> Page:
    """One release: its flow, what holds its next step, its plan, evidence and history."""
    status = documents.ask(session, "status", release=release_id)
    if status.error is not None:
        failed = _failed(status, f"Release {release_id}")
        if status.error.get("type") != "HistoryTamperedError":
            return failed
        checked = documents.ask(session, "verify", release=release_id)
        return attrs.evolve(failed, context={**failed.context, "verified": checked.data})
    record: Mapping[str, Any] = status.data["release"]
    explanation: Mapping[str, Any] = status.data["explanation"]
    kind = record["kind"]
    path = documents.policy.flow(kind).path
    visited = {move["source"] for move in record["moves"]} | {record["state"]}
    blocked = {blocker["code"] for blocker in explanation["blockers"]}
    planned = documents.ask(session, "plan", release=release_id)
    history = documents.ask(session, "history", release=release_id)
    checked = documents.ask(session, "verify", release=release_id)
    verification = next(
        (
            item
            for item in checked.data.get("histories", [])
            if item.get("release_id") == release_id
        ),
        None,
    )
    step = explanation.get("step")
    return Page(
        template="release.html",
        context={
            "title": f"Release {record['id']}",
            "record": record,
            "explanation": explanation,
            "flow": flow_svg(
                path,
                state=record["state"],
                visited=visited,
                next_allowed=None if step is None else bool(explanation["allowed"]),
                title=f"the {kind} flow: {' to '.join(path)}; "
                f"{record['id']} is in {record['state']}",
            ),
            "steps": flow_steps(documents.policy, kind),
            "blocked": blocked,
            "plan": planned.data if planned.error is None else None,
            "plan_error": planned.error,
            "events": history.data.get("events", []) if history.error is None else [],
            "verification": verification,
            "verify_error": checked.error,
        },
    )


def production(documents: Documents, session: BoardSession) -> Page:
    """Production: what runs there, its log checks, attention items, and data awaiting checks."""
    deployed = documents.ask(session, "deployments")
    if deployed.error is not None:
        return _failed(deployed, "Production")
    running = deployed.data.get("running")
    monitored = (
        documents.ask(session, "monitoring", release=running) if isinstance(running, str) else None
    )
    operations = documents.ask(session, "data list")
    listed: list[Mapping[str, Any]] = (
        list(operations.data.get("operations", [])) if operations.error is None else []
    )
    open_operations = [
        item for item in listed if item["status"] in {"requested", "running", "failed"}
    ]
    monitoring = monitored.data if monitored is not None and monitored.error is None else None
    checks = [] if monitoring is None else list(monitoring["checks"])
    return Page(
        template="production.html",
        context={
            "title": f"{deployed.data['environment']}".capitalize(),
            "deployments": deployed.data,
            "monitoring": monitoring,
            "monitoring_error": None if monitored is None else monitored.error,
            "overdue": (0 if monitoring is None else monitoring["earlier_overdue"])
            + sum(1 for check in checks if check["status"] == "overdue"),
            "due": sum(1 for check in checks if check["status"] == "due"),
            "done": sum(1 for check in checks if check["status"] == "done"),
            "operations": open_operations,
            "settled": len(listed) - len(open_operations),
            "operations_error": operations.error,
        },
    )


def zone_of(text: str | None) -> str | None:
    """Return the IANA zone *text* names, or ``None`` for none given.

    Raises:
        ValueError: *text* names no time zone this machine knows.
    """
    if text is None or not text.strip():
        return None
    name = text.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        msg = f"{name!r} is not a time zone this machine knows; write one such as Europe/Berlin"
        raise ValueError(msg) from None
    return name


def windows(documents: Documents, session: BoardSession, *, zone: str | None) -> Page:
    """The next openings of the production windows, on a calendar, and the freezes."""
    found = documents.ask(session, "windows", [f"--count={OPENINGS}"])
    if found.error is not None:
        return _failed(found, "Windows and freezes")
    shown_in = zone or "UTC"
    return Page(
        template="windows.html",
        context={
            "title": "Windows and freezes",
            "windows": found.data,
            "zone": zone,
            "calendar_zone": shown_in,
            "calendar": _calendar.weeks(found.data, zone=shown_in, count=WEEKS),
        },
    )
