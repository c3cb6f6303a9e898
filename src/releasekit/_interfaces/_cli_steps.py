"""Commands that run a step through the executors: run-tests, migrate, resume, abandon-step."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import ExitCode, Reply, Session

if TYPE_CHECKING:
    import argparse

    from releasekit._actions.desk import Desk
    from releasekit._records.events import Action


__all__ = ["abandon_attempt", "migrate", "resume", "run_tests"]


def _last_reason(desk: Desk, release_id: str) -> str:
    events = desk.history(release_id)
    return events[-1].reason if events else ""


def _minutes(minutes: int | None) -> dt.timedelta | None:
    return None if minutes is None else dt.timedelta(minutes=minutes)


def run_tests(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit run-tests RELEASE``: exit 1 if the tests failed."""
    from releasekit._rules.evidence import TestRun  # noqa: PLC0415  # on use

    desk = session.desk(executors=True)
    release = desk.run_tests(
        args.release,
        by=session.actor,
        environment=args.environment,
        notify=args.notify,
        scheduled=args.scheduled,
        expected=_minutes(args.expected_minutes),
        progress=session.progress(),
    ).release
    run = release.evidence_of(TestRun)[-1]
    outcome = "passed" if run.passed else "failed"
    summary = _last_reason(desk, release.id)
    return Reply(
        data={
            "outcome": outcome,
            "release_id": release.id,
            "environment": run.environment,
            "summary": summary,
            "test_run": show.evidence_json(run),
            "release": show.record_json(desk.get(release.id)),
        },
        text=show.block(
            [f"tests of {release.version} on {run.environment}: {outcome}", f"  {summary}"]
        ),
        code=ExitCode.OK if run.passed else ExitCode.REFUSED,
    )


def migrate(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit migrate RELEASE``: exit 1 if the migrations failed."""
    from releasekit._rules.evidence import MigrationRun  # noqa: PLC0415  # on use

    desk = session.desk(executors=True)
    release = desk.migrate(
        args.release, by=session.actor, environment=args.environment, progress=session.progress()
    ).release
    run = release.evidence_of(MigrationRun)[-1]
    outcome = "succeeded" if run.succeeded else "failed"
    summary = _last_reason(desk, release.id)
    return Reply(
        data={
            "outcome": outcome,
            "release_id": release.id,
            "environment": run.environment,
            "summary": summary,
            "migration_run": show.evidence_json(run),
            "release": show.record_json(desk.get(release.id)),
        },
        text=show.block(
            [f"migrations of {release.version} on {run.environment}: {outcome}", f"  {summary}"]
        ),
        code=ExitCode.OK if run.succeeded else ExitCode.REFUSED,
    )


def resume(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit resume RELEASE [--force]``."""
    from releasekit._records.events import Action  # noqa: PLC0415  # on use

    desk = session.desk(executors=True)
    before = desk.get(args.release).revision
    release = desk.resume(
        args.release, by=session.actor, progress=session.progress(), force=args.force
    ).release
    resumed = _written(desk, release.id, after=before, action=Action.ATTEMPT_RESUMED)
    summary = _last_reason(desk, release.id)
    return Reply(
        data={
            "outcome": "resumed",
            "release_id": release.id,
            "resumed": resumed,
            "summary": summary,
            "release": show.record_json(desk.get(release.id)),
        },
        text=show.block(
            [
                f"resumed the unfinished attempt of {release.id}; it is in {release.state}",
                *(f"  {line}" for line in (resumed, summary) if line),
            ]
        ),
    )


def abandon_attempt(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit abandon-step RELEASE --reason ... [--force]``."""
    from releasekit._records.events import Action  # noqa: PLC0415  # on use

    desk = session.desk()
    before = desk.get(args.release).revision
    release = desk.abandon_attempt(
        args.release, by=session.actor, reason=args.reason, force=args.force
    ).release
    abandoned = _written(desk, release.id, after=before, action=Action.ATTEMPT_ABANDONED)
    text = f"abandoned the unfinished attempt of {release.id}; it stays in {release.state}"
    return Reply(
        data={
            "outcome": "step-abandoned",
            "release_id": release.id,
            "abandoned": abandoned,
            "release": show.record_json(desk.get(release.id)),
        },
        text=show.block([text] if abandoned == args.reason else [text, f"  {abandoned}"]),
    )


def _written(desk: Desk, release_id: str, *, after: int, action: Action) -> str:
    """Return the reason of the first *action* event written after revision *after*."""
    for event in desk.ledger.history(release_id, after=after):
        if event.action is action:
            return event.reason
    return ""  # pragma: no cover  # the command just wrote it
