"""The production commands of ``releasekit``: logs, their review, monitoring, rollback.

Each command reads its arguments, asks the :class:`~releasekit.Desk` and
answers with a :class:`~releasekit._interfaces._cli_session.Reply`, like the
commands that move releases. This module is imported only when one of them runs.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from releasekit._actions.deployments import live
from releasekit._actions.executors.outcomes import human_duration
from releasekit._actions.logs import CheckStatus, LogReport
from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_render_operations import (
    deployment_json,
    log_check_json,
    log_report_json,
    monitoring_json,
)
from releasekit._interfaces._cli_session import (
    ExitCode,
    Reply,
    UnreadableError,
    next_line,
    read_text,
)
from releasekit._interfaces._cli_text import json_text
from releasekit._records.converter import structure
from releasekit._rules.evidence import LogReview
from releasekit.exceptions import InvalidInputError, UnreadableDataError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    from releasekit._actions.deployments import Deployment
    from releasekit._actions.desk import Desk
    from releasekit._interfaces._cli_session import Session
    from releasekit._rules.release import Release

__all__ = [
    "check_production",
    "clear_attention",
    "deployments",
    "logs",
    "monitoring",
    "review_logs",
    "roll_back",
]

#: How many of the latest checks ``monitoring`` lists; the earlier ones are counted.
LISTED_CHECKS = 100


def _named(release: Release) -> str:
    """Name a release by its version, and its id too where they differ."""
    return release.version if release.id == release.version else f"{release.version} ({release.id})"


# -- logs ------------------------------------------------------------------------


def _write_json(path: str, document: Mapping[str, object]) -> None:
    text = json_text(document) + "\n"
    try:
        Path(path).write_text(text, encoding="utf-8")
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidInputError(
            f"cannot write {path} ({reason}); choose a file you may write",
            field="save",
            value=path,
        ) from None


def _read_report(path: str) -> LogReport:
    """Read a report saved by ``releasekit logs --save FILE`` (or ``--json``)."""
    save = "save one with `releasekit logs RELEASE --save FILE`"
    where = "standard input" if path == "-" else path
    try:
        text = read_text(path)
    except UnreadableError as error:
        raise InvalidInputError(
            f"cannot read the log report {where} ({error}); {save}", field="report", value=path
        ) from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        problem = str(error) if isinstance(error, ValueError) else "it is nested too deeply"
        raise InvalidInputError(
            f"the log report in {where} is not JSON ({problem}); {save}",
            field="report",
            value=path,
        ) from None
    try:
        return structure(document, LogReport, what=f"the log report in {where}")
    except UnreadableDataError as error:
        problems = "; ".join(error.problems[:3])
        raise InvalidInputError(
            f"{where} holds no log report saved by `releasekit logs --save` ({problems})",
            field="report",
            value=path,
        ) from None


def logs(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit logs [RELEASE]``: one report of every environment's error logs."""
    desk = session.desk(executors=True)
    report = desk.collect_logs(args.release, since=args.since, progress=session.progress())
    document = log_report_json(report)
    text = report.render(entries=args.entries, line=show.escape)
    if args.save is not None:
        _write_json(args.save, document)
        release = shlex.quote(args.release) if args.release is not None else "RELEASE"
        review = f"releasekit review-logs {release} --report {shlex.quote(args.save)}"
        saved = [
            "",
            f"saved to {args.save}; once read, record your verdict with",
            f"  {review} --verdict clean|problems",
        ]
        text = f"{text}\n{show.block(saved)}"
    return Reply(data=document, text=text)


def review_logs(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit review-logs RELEASE --verdict V``: the reviewer's verdict, as evidence."""
    collect = args.report is None
    desk = session.desk(executors=collect)
    if collect:
        report = desk.collect_logs(args.release, since=args.since, progress=session.progress())
    else:
        report = _read_report(args.report)
    release = desk.review_logs(
        args.release, report, by=session.actor, verdict=args.verdict, note=args.note
    ).release
    review = release.evidence_of(LogReview)[-1]
    stored = desk.get(release.id)
    lines = [f"recorded for {stored.id}: {show.evidence_line(review)}"]
    if report.uncovered:
        lines.append(
            f"  not covered, their logs were not collected completely: "
            f"{', '.join(report.uncovered)}"
        )
    lines.append(f"next: {next_line(stored, desk)}")
    text = show.block(lines)
    if collect:  # the report it was recorded on, first
        text = f"{report.render(line=show.escape)}\n\n{text}"
    return Reply(
        data={
            "report": log_report_json(report),
            "recorded": [show.evidence_json(review)],
            "release": show.record_json(stored),
        },
        text=text,
    )


# -- production monitoring ---------------------------------------------------------


def monitoring(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit monitoring RELEASE``: the checks done, due, overdue, and the next."""
    desk = session.desk()
    found = desk.monitoring(args.release, environment=args.environment, limit=LISTED_CHECKS)
    record = desk.get(args.release)
    release = record.release
    where = found.environment
    if found.until is None:
        head = f"{_named(release)} runs in {where} since {show.short(found.since)}"
    else:
        head = (
            f"{_named(release)} ran in {where} from {show.short(found.since)} "
            f"until {show.short(found.until)}; no check is due any more"
        )
    last = show.short(found.last_checked_at) if found.last_checked_at is not None else "never"
    lines = [head, f"its logs are checked every {human_duration(found.every)}; last: {last}"]
    rows = [
        [
            show.short(check.due_at),
            check.status.value,
            show.short(check.checked_at) if check.checked_at is not None else "",
        ]
        for check in found.checks
    ]
    if found.earlier:
        lines.append(
            f"  {found.earlier} earlier checks are not listed; "
            f"{found.earlier_overdue} of them were missed"
        )
    if rows:
        table = show.table(["DUE", "STATUS", "CHECKED"], rows)
        lines.extend(f"  {line}" for line in table.split("\n"))
    else:
        lines.append("  no check fell due while it ran")
    missed = found.earlier_overdue + len(
        [check for check in found.checks if check.status in _MISSED]
    )
    if missed and found.until is None:
        lines.append(
            f"{missed} {'check is' if missed == 1 else 'checks are'} due: "
            f"releasekit check-production {shlex.quote(release.id)}"
        )
    elif missed:
        lines.append(
            f"{missed} {'check was' if missed == 1 else 'checks were'} missed while it ran"
        )
    lines.extend(
        f"attention: [{item.key}] {item.message} ({item.by}, {show.short(item.raised_at)})"
        for item in record.attention
    )
    return Reply(
        data={**monitoring_json(found), "attention": show.record_json(record)["attention"]},
        text=show.block(lines),
    )


_MISSED = frozenset({CheckStatus.DUE, CheckStatus.OVERDUE})


def _running(desk: Desk, environment: str | None) -> str:
    """Return the id of the release running in *environment* (the last one by default)."""
    name = desk.policy.environment(environment or desk.policy.last.name).name
    running = [deployment for deployment in desk.deployments(name) if deployment.running]
    if not running:
        raise InvalidInputError(
            f"nothing runs in {name} yet, so there are no logs of a release to check; "
            f"promote a release to {name} first",
            field="release_id",
            value=None,
        )
    return running[-1].release.id


def check_production(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit check-production [RELEASE]``: exit 1 if the check went bad."""
    desk = session.desk(executors=True)
    release_id = args.release if args.release is not None else _running(desk, args.environment)
    check = desk.check_production(
        release_id, by=session.actor, environment=args.environment, progress=session.progress()
    )
    record = desk.get(release_id)
    head = (
        f"logs of {check.environment} since {show.short(check.since)}, "
        f"{_named(record.release)} running"
    )
    lines: list[str] = []
    if not check.bad:
        lines.append(f"{head}: no errors")
    else:
        lines.append(f"{head}: BAD: {check.problem}")
        if check.batch is not None:
            shown = check.batch.entries[:20]
            lines.extend(f"    {entry}" for entry in shown)
            if len(check.batch.entries) > len(shown):
                lines.append(f"    … {len(check.batch.entries) - len(shown)} more")
        if check.notice is not None:
            told = "notified the team" if check.notice.ok else "could NOT notify the team"
            lines.append(f"  {told}: {check.notice.summary}")
        key = check.attention_key or ""
        lines.append(
            f"  needs attention: {key}; once dealt with: releasekit clear-attention "
            f"{shlex.quote(release_id)} {shlex.quote(key)} --reason ..."
        )
    return Reply(
        data={**log_check_json(check), "release": show.record_json(record)},
        text=show.block(lines),
        code=ExitCode.REFUSED if check.bad else ExitCode.OK,
    )


def clear_attention(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit clear-attention RELEASE KEY --reason ...``."""
    desk = session.desk()
    release = desk.clear_attention(
        args.release, args.key, by=session.actor, reason=args.reason
    ).release
    record = desk.get(release.id)
    left = len(record.attention)
    still = f"; {left} more {'item needs' if left == 1 else 'items need'} attention" if left else ""
    return Reply(
        data={
            "outcome": "cleared",
            "release_id": release.id,
            "key": args.key,
            "reason": args.reason,
            "release": show.record_json(record),
        },
        text=show.escape(f"cleared {args.key} on {release.id}: {args.reason}{still}"),
    )


# -- deployments and rollback --------------------------------------------------------


def _stay(deployment: Deployment) -> str:
    if deployment.rolled_back_at is not None:
        return f"rolled back {show.short(deployment.rolled_back_at)}"
    if deployment.replaced_by is not None:
        return f"replaced by {deployment.replaced_by}"
    if deployment.live_since != deployment.entered_at:
        return f"running again since {show.short(deployment.live_since)}"
    return "running"


def deployments(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit deployments``: who runs in production, who ran before, what a rollback does."""
    desk = session.desk()
    name = desk.policy.environment(args.environment or desk.policy.last.name).name
    found = desk.deployments(name)
    stack = live(found)
    running = stack[-1] if stack and stack[-1].running else None
    target = stack[-2] if running is not None and len(stack) > 1 else None
    if running is None:
        head = f"nothing runs in {name} yet"
    else:
        back = (
            f"a rollback goes back to {_named(target.release)}"
            if target is not None
            else "nothing earlier to roll back to"
        )
        head = f"{name}: {_named(running.release)} runs; {back}"
    rows = [
        [
            deployment.release.id,
            deployment.release.version,
            deployment.release.kind.value,
            show.short(deployment.entered_at),
            show.short(deployment.until) if deployment.until is not None else "",
            _stay(deployment),
        ]
        for deployment in found
    ]
    text = show.escape(head)
    if rows:
        headers = ["RELEASE", "VERSION", "KIND", "ENTERED", "UNTIL", "STATUS"]
        text = f"{text}\n{show.table(headers, rows)}"
    return Reply(
        data={
            "environment": name,
            "running": None if running is None else running.release.id,
            "rollback_target": None if target is None else target.release.id,
            "deployments": [deployment_json(deployment) for deployment in found],
        },
        text=text,
    )


def roll_back(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit roll-back --reason ...``: exit 1 if there is nothing to roll back to."""
    desk = session.desk(executors=True)
    done = desk.roll_back(
        by=session.actor,
        reason=args.reason,
        environment=args.environment,
        release_id=args.release,
        progress=session.progress(),
    )
    taken, restored = done.rolled_back, done.restored
    return Reply(
        data={
            "outcome": "rolled-back",
            "environment": done.environment,
            "at": show.timestamp(done.at),
            "by": done.by,
            "reason": args.reason,
            "summary": done.summary,
            "rolled_back": {"release_id": taken.id, "version": taken.version},
            "restored": {"release_id": restored.id, "version": restored.version},
            "release": show.record_json(desk.get(taken.id)),
        },
        text=show.block(
            [
                (
                    f"rolled {done.environment} back from {taken.version} to "
                    f"{restored.version}: {restored.id} runs there again, {taken.id} is "
                    f"{taken.state}"
                ),
                f"  {done.summary}",
            ]
        ),
    )
