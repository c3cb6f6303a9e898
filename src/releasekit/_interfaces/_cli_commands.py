"""The commands of ``releasekit``: each reads its arguments, asks a Desk, and replies.

A command returns a :class:`Reply`: the JSON document ``--json`` prints, the
text a person reads, and the exit code. :func:`run` picks the command, turns
releasekit's errors into a sentence on standard error (and, with ``--json``,
an ``{"error": ...}`` document on standard output) and an exit code — never a
traceback.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import (
    DEFAULT_POLICY,
    ExitCode,
    Reply,
    Session,
    next_line,
    person,
    suggester,
)
from releasekit._interfaces._cli_text import escape, json_text, terminal_text
from releasekit.exceptions import (
    ConflictError,
    ExecutorError,
    HistoryTamperedError,
    InvalidInputError,
    LeaseHeldError,
    LeaseNotHeldError,
    NothingToRollBackError,
    NotPermittedError,
    PolicyFileError,
    PromotionRefusedError,
    ReleaseEndedError,
    ReleaseKitError,
    ScheduleConflictError,
    StepInProgressError,
    UnknownDataOperationError,
    UnknownReleaseError,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Mapping

    import pendulum

    from releasekit._actions.desk import Desk
    from releasekit._records.events import Action, Event, Verification
    from releasekit._records.values import Record
    from releasekit._rules import guards
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.freezes import Freeze
    from releasekit._rules.policy import Policy
    from releasekit._rules.release import Release
    from releasekit._rules.verdicts import Blocker

__all__ = [
    "exit_code_for",
    "run",
]

# -- helpers ---------------------------------------------------------------------


def _last_reason(desk: Desk, release_id: str) -> str:
    events = desk.history(release_id)
    return events[-1].reason if events else ""


#: Marks the blockers the person asking can clear.
_YOURS = "* "


def _blocker_lines(
    blockers: Iterable[Blocker], suggest: show.Suggest, indent: str, actor: str | None = None
) -> list[str]:
    """Return each blocker on its line, then the commands that would clear it, if any.

    A blocker *actor* can clear (with a roster: *actor* is among its people)
    is marked with ``*`` in its indent.
    """
    lines = []
    for blocker in blockers:
        mine = actor is not None and actor in blocker.people
        start = f"{indent[: -len(_YOURS)]}{_YOURS}" if mine else indent
        lines.append(f"{start}{show.blocker_line(blocker)}")
        lines.extend(show.suggestion_lines(suggest(blocker), f"{indent}  "))
    return lines


def _refusal_lines(error: PromotionRefusedError, suggest: show.Suggest) -> list[str]:
    count = len(error.blockers)
    lines = [
        (
            f"refused: {error.release_id} may not move from {error.source} to {error.target} "
            f"now ({count} {'reason' if count == 1 else 'reasons'}):"
        )
    ]
    lines.extend(_blocker_lines(error.blockers, suggest, "  "))
    return lines


def _nothing(_blocker: Blocker) -> tuple[str, ...]:
    return ()


def _gate_environment(desk: Desk, release: Release, guard_type: type[Any]) -> str:
    """The environment the next step's guard of *guard_type* reads, else the release's state."""
    step = desk.engine.next_step(release)
    for guard in step.guards if step is not None else ():
        if isinstance(guard, guard_type):
            return str(guard.environment)
    return release.state


# -- the commands ----------------------------------------------------------------


def start(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit start VERSION``."""
    from releasekit._rules.release import Artifact  # noqa: PLC0415  # on use

    by = session.actor  # before the store is created: a stranger creates nothing
    desk = session.desk(create=True)
    release = desk.start(
        args.version,
        by=by,
        kind=args.kind,
        artifact=Artifact(
            functions=args.functions, migrations=args.migrations, new_functionality=args.new
        ),
        release_id=args.release_id,
    ).release
    record = desk.get(release.id)
    return Reply(
        data={"release": show.record_json(record)},
        text=show.block(
            [
                (
                    f"started {release.id}: {release.version} ({release.kind.value}) in "
                    f"{release.state}, by {release.created_by}"
                ),
                f"next: releasekit explain {shlex.quote(release.id)}",
            ]
        ),
    )


def status(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit status [RELEASE]``.

    Where there are no releases, no desk is built: nothing is explained, so the
    policy is not read, and neither the state machine nor an executor is loaded.
    """
    from releasekit._records.ledger import Ledger  # noqa: PLC0415  # on use

    if args.release is not None:
        desk = session.desk()
        return _status_of(desk, desk.get(args.release))
    _ = session.policy_file  # a policy option naming no file is an error, read or not
    if not Ledger(session.store()).releases(active=False, limit=1):
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


def explain(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit explain RELEASE``: exit 0 only if the next step is allowed now."""
    desk = session.desk()
    record = desk.get(args.release)  # once: the explanation and its revision belong together
    release = record.release
    actor = session.asking
    explanation = desk.engine.explain(release, now=session.now(), actor=actor)
    head = f"{release.id} ({release.kind.value}) is in {release.state}"
    step = explanation.step
    suggest = suggester(desk, release)
    asking = actor if desk.policy.roster is not None else None  # can_clear: null without one
    data = {
        **show.explanation_json(explanation, suggest, actor=asking),
        "revision": record.revision,
    }
    if step is None:
        return Reply(data=data, text=escape(f"{head}: no further step"), code=ExitCode.REFUSED)
    lines = [f"{head}; next step: {step.source} -> {step.target}"]
    if explanation.allowed:
        lines.append(
            f"allowed now ({show.short(explanation.at)}): "
            f"releasekit promote {shlex.quote(release.id)} --to {shlex.quote(step.target)}"
        )
    else:
        count = len(explanation.blockers)
        lines.append(
            f"blocked now ({show.short(explanation.at)}), "
            f"{count} {'reason' if count == 1 else 'reasons'}:"
        )
        lines.extend(_blocker_lines(explanation.blockers, suggest, "  ", asking))
        if any(asking in blocker.people for blocker in explanation.blockers):
            lines.append(f"{_YOURS.strip()} marks what {asking} can clear")
        if explanation.earliest is not None:
            lines.append(f"only time blocks it: allowed from {show.short(explanation.earliest)}")
    if explanation.lifted:
        kind = release.kind.value
        lines.append(f"lifted for {kind} releases: {', '.join(explanation.lifted)}")
    code = ExitCode.OK if explanation.allowed else ExitCode.REFUSED
    return Reply(data=data, text=show.block(lines), code=code)


def plan(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit plan RELEASE``."""
    desk = session.desk()
    made = desk.plan(args.release)
    suggest = suggester(desk, desk.get(args.release).release)
    lines = [
        (
            f"plan for {made.release_id} ({made.kind.value}), in {made.state}, "
            f"as of {show.short(made.at)}:"
        )
    ]
    for index, step in enumerate(made.steps):
        state = "ready" if not step.blockers else f"blocked ({len(step.blockers)})"
        earliest = ""
        if step.earliest is not None and step.earliest > made.at:
            earliest = f", earliest {show.short(step.earliest)}"
        lines.append(f"  {step.step.source} -> {step.step.target}: {state}{earliest}")
        # Evidence recorded now counts for the next step only: later ones get no commands.
        lines.extend(_blocker_lines(step.blockers, suggest if index == 0 else _nothing, "    "))
        lines.extend(show.timeline_lines(step, "    "))
    if not made.steps:
        lines.append("  no steps left")
    elif made.earliest_production is not None:
        lines.append(
            f"{made.steps[-1].step.target} at the earliest: "
            f"{show.short(made.earliest_production)} (if the missing evidence arrives in time)"
        )
    else:
        lines.append(f"{made.steps[-1].step.target}: no time in sight when its windows allow it")
    return Reply(data=show.plan_json(made, suggest), text=show.block(lines))


def promote(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit promote RELEASE [--to ENV] [--revision N]``: exit 1 if refused, 3 if stale."""
    from releasekit._records.events import Action  # noqa: PLC0415  # on use

    desk = session.desk(executors=True)
    try:
        moved = desk.promote(
            args.release,
            by=session.actor,
            to=args.to,
            revision=args.revision,
            progress=session.progress(),
        ).release
    except PromotionRefusedError as refusal:
        record = desk.get(args.release)
        suggest = suggester(desk, record.release)
        refused = _last_event(
            desk.history(refusal.release_id),
            {Action.REFUSED},
            (refusal.source, refusal.target, session.actor),
        )
        return Reply(
            data={
                "outcome": "refused",
                "release_id": refusal.release_id,
                "source": refusal.source,
                "target": refusal.target,
                "seq": None if refused is None else refused.seq,
                "summary": str(refusal),
                "blockers": [
                    show.blocker_json(blocker, suggest(blocker)) for blocker in refusal.blockers
                ],
                "release": show.record_json(record),
            },
            text=show.block(_refusal_lines(refusal, suggest)),
            code=ExitCode.REFUSED,
        )
    # Say exactly what was written: the move the promotion returned, and the event
    # that wrote it — not what this command expected, nor what happened since.
    move = moved.moves[-1]
    written = _last_event(
        desk.history(moved.id),
        {Action.PROMOTED, Action.STEP_FINISHED},
        (move.source, move.target, move.by),
        at=move.at,
    )
    summary = written.reason if written is not None else ""
    record = desk.get(moved.id)
    return Reply(
        data={
            "outcome": "promoted",
            "release_id": moved.id,
            "source": move.source,
            "target": move.target,
            "seq": None if written is None else written.seq,
            "summary": summary,
            "blockers": [],
            "release": show.record_json(record),
        },
        text=show.block([f"promoted {moved.id}: {move.source} -> {move.target}", f"  {summary}"]),
    )


def _last_event(
    events: Iterable[Event],
    actions: set[Action],
    step: tuple[str | None, str | None, str],
    *,
    at: pendulum.DateTime | None = None,
) -> Event | None:
    """Return the last of *events* that is one of *actions* with this (source, target, actor)."""
    found = None
    for event in events:
        if (
            event.action in actions
            and (event.source, event.target, event.actor) == step
            and (at is None or event.at == at)
        ):
            found = event
    return found


def _evidence(session: Session, desk: Desk, release: Release, args: argparse.Namespace) -> Evidence:  # noqa: PLR0911  # one return per kind
    from releasekit._rules import guards  # noqa: PLC0415  # on use
    from releasekit._rules.evidence import (  # noqa: PLC0415  # on use
        Attestation,
        ChangeReview,
        LogReview,
        MigrationRun,
        SignOff,
        TestRun,
        TestsWritten,
    )

    by = (
        session.actor
        if args.by is None
        else session.person(person(args.by, option="--by", field="by"), option="--by")
    )
    at = args.at or session.now()
    match args.kind:
        case "tests-written":
            return TestsWritten(by=by, at=at, covers=args.covers, tests=args.tests, note=args.note)
        case "test-run":
            return TestRun(
                environment=args.environment
                or _gate_environment(desk, release, guards.TestsPassed),
                version=args.version or release.version,
                passed=args.ok,
                at=at,
                by=by,
                scheduled=args.scheduled,
                summary=args.summary,
            )
        case "sign-off":
            return SignOff(
                by=by,
                at=at,
                environment=args.environment or _gate_environment(desk, release, guards.SignedOff),
                note=args.note,
                old_app_versions=args.old_app_versions,
            )
        case "log-review":
            return LogReview(
                by=by,
                at=at,
                environments=args.environments or session.policy.environment_names,
                verdict=args.verdict,
                note=args.note,
            )
        case "migration-run":
            where = args.environment or _gate_environment(desk, release, guards.MigrationsSucceeded)
            return MigrationRun(
                environment=where,
                version=args.version or release.version,
                migrations=args.migrations or release.artifact.migrations,
                succeeded=args.ok,
                at=at,
                by=by,
                output=args.output,
            )
        case "change-review":
            return ChangeReview(
                by=by, at=at, version=args.version or release.version, note=args.note
            )
        case _:
            return Attestation(
                name=args.name, by=by, at=at, environment=args.environment, note=args.note
            )


def record(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit record RELEASE KIND``."""
    desk = session.desk()
    release = desk.get(args.release).release
    item = _evidence(session, desk, release, args)
    desk.record(args.release, item, by=session.actor)
    stored = desk.get(args.release)
    return Reply(
        data={"recorded": [show.evidence_json(item)], "release": show.record_json(stored)},
        text=show.block(
            [
                f"recorded for {stored.id}: {show.evidence_line(item)}",
                f"next: {next_line(stored, desk)}",
            ]
        ),
    )


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
    resumed = _written(desk, release.id, after=before, action=Action.STEP_RESUMED)
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
                f"resumed the unfinished step of {release.id}; it is in {release.state}",
                *(f"  {line}" for line in (resumed, summary) if line),
            ]
        ),
    )


def abandon_step(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit abandon-step RELEASE --reason ... [--force]``."""
    from releasekit._records.events import Action  # noqa: PLC0415  # on use

    desk = session.desk()
    before = desk.get(args.release).revision
    release = desk.abandon_step(
        args.release, by=session.actor, reason=args.reason, force=args.force
    ).release
    abandoned = _written(desk, release.id, after=before, action=Action.STEP_ABANDONED)
    text = f"abandoned the unfinished step of {release.id}; it stays in {release.state}"
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


def abandon(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit abandon RELEASE``."""
    desk = session.desk()
    release = desk.abandon(args.release, by=session.actor, reason=args.reason).release
    return Reply(
        data={
            "outcome": "abandoned",
            "release_id": release.id,
            "release": show.record_json(desk.get(release.id)),
        },
        text=escape(f"abandoned {release.id}; it takes no further step"),
    )


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


def windows(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit windows``: the next openings of the last environment's time guards."""
    from releasekit._interfaces._cli_freeze import declared_policy  # noqa: PLC0415  # on use
    from releasekit._rules import _forecast, guards  # noqa: PLC0415  # on use
    from releasekit._rules._time import instant  # noqa: PLC0415  # on use

    policy = declared_policy(session)  # the policy's freezes and those declared in the store
    last = policy.last.name
    after = instant(args.after, field="after") if args.after is not None else session.now()
    found: list[dict[str, object]] = []
    lines: list[str] = []
    freezes = [freeze for freeze in policy.freezes if freeze.closes(last, last=last)]
    for gate in policy.gates:
        if gate.environment != last:
            continue
        for guard in gate.guards:
            if guard.kind is guards.GuardKind.TIME:
                openings = _openings(guard, after, args.count)
                found.append(_window_json(policy, guard, openings, freezes))
                lines.extend(_window_lines(found[-1], openings, after))
    if not found:
        lines.append(f"{last} has no time window: releases may enter it at any time")
    frozen = [_freeze_json(policy, freeze, after) for freeze in freezes]
    for item in frozen:
        lines.extend(_freeze_lines(item))
    earliest: dict[str, str | None] = {}
    for kind in policy.kinds:
        step = policy.steps(kind)[-1]
        timed = [g for g in step.time_guards if isinstance(g, guards.TimeGuard)]
        earliest[kind.value] = show.timestamp(_forecast.earliest(timed, after))
    if frozen:
        lines.extend(
            f"{kind} releases may enter {last} from "
            + (show.short(instant_of) if (instant_of := _parsed(at)) else "no time in sight")
            for kind, at in earliest.items()
        )
    return Reply(
        data={
            "environment": last,
            "after": show.timestamp(after),
            "windows": found,
            "freezes": frozen,
            "earliest": earliest,
        },
        text=show.block(lines),
    )


def _parsed(text: str | None) -> pendulum.DateTime | None:
    if text is None:
        return None
    import pendulum  # noqa: PLC0415  # only for a forecast that exists

    parsed = pendulum.parse(text)
    assert isinstance(parsed, pendulum.DateTime)  # noqa: S101  # an ISO instant we wrote
    return parsed


def _freeze_json(policy: Policy, freeze: Freeze, after: pendulum.DateTime) -> dict[str, object]:
    code = freeze.code
    return {
        "code": code,
        "name": freeze.name,
        "reason": freeze.reason,
        "timezone": freeze.timezone,
        "description": freeze.describe(),
        "declared_by": freeze.declared_by,
        "applies_to": [
            flow.kind.value
            for flow in policy.flows
            if freeze.holds_for(flow.kind) and code not in flow.lifts
        ],
        "lifted_for": [
            flow.kind.value
            for flow in policy.flows
            if not freeze.holds_for(flow.kind) or code in flow.lifts
        ],
        "periods": [
            {"start": show.timestamp(period.start), "end": show.timestamp(period.end)}
            for period in freeze.periods(after, after.add(days=_FREEZE_DAYS))
        ],
    }


def _freeze_lines(freeze: Mapping[str, Any]) -> list[str]:
    applies = ", ".join(freeze["applies_to"]) or "no"
    lifted = f"; lifted for {', '.join(freeze['lifted_for'])}" if freeze["lifted_for"] else ""
    declared = f"; declared by {freeze['declared_by']}" if freeze["declared_by"] else ""
    lines = [
        (
            f"{freeze['code']}: {freeze['reason']} — {freeze['description']} "
            f"({applies} releases{lifted}{declared})"
        )
    ]
    for period in freeze["periods"]:
        start, end = _parsed(period["start"]), _parsed(period["end"])
        until = f"until {show.short(end)}" if end is not None else "for more than two years"
        lines.append(f"  frozen from {show.short(start) if start else '?'} {until}")
    if not freeze["periods"]:
        lines.append(f"  not frozen in the next {_FREEZE_DAYS} days")
    return lines


#: How far ahead ``windows`` lists the periods of each freeze.
_FREEZE_DAYS = 90


_Opening = tuple["pendulum.DateTime", "pendulum.DateTime | None"]


def _openings(guard: guards.Guard, after: pendulum.DateTime, count: int) -> list[_Opening]:
    from releasekit._rules import guards  # noqa: PLC0415  # on use
    from releasekit._rules.windows import Window  # noqa: PLC0415  # on use

    window = getattr(guard, "window", None)
    if isinstance(window, Window):
        return [(opening.start, opening.end) for opening in window.next_openings(after, count)]
    if isinstance(guard, guards.TimeGuard):  # a team's own time guard: its next opening only
        earliest = guard.earliest(after)
        return [] if earliest is None else [(earliest, None)]
    return []  # pragma: no cover  # a time guard that is no TimeGuard cannot say when


def _window_json(
    policy: Policy, guard: guards.Guard, openings: list[_Opening], freezes: list[Freeze]
) -> dict[str, object]:
    from releasekit._rules.windows import Window  # noqa: PLC0415  # on use

    window = getattr(guard, "window", None)
    return {
        "code": guard.code,
        "description": guard.describe(),
        "timezone": window.timezone if isinstance(window, Window) else None,
        "applies_to": [flow.kind.value for flow in policy.flows if guard.code not in flow.lifts],
        "lifted_for": [flow.kind.value for flow in policy.flows if guard.code in flow.lifts],
        "openings": [
            {
                "start": show.timestamp(start),
                "end": show.timestamp(end),
                "frozen": _frozen_in(start, end, freezes),
            }
            for start, end in openings
        ],
    }


def _frozen_in(
    start: pendulum.DateTime, end: pendulum.DateTime | None, freezes: list[Freeze]
) -> list[dict[str, object]]:
    """Return the stretches of an opening that freezes remove, and which freeze, and why."""
    found: list[dict[str, object]] = []
    until = end if end is not None else start.add(days=_FREEZE_DAYS)
    for freeze in freezes:
        for period in freeze.periods(start, until):
            stops = until if period.end is None else min(period.end, until)
            found.append(
                {
                    "code": freeze.code,
                    "reason": freeze.reason,
                    "start": show.timestamp(max(period.start, start)),
                    "end": show.timestamp(stops),
                }
            )
    return found


def _window_lines(
    window: Mapping[str, Any], openings: list[_Opening], after: pendulum.DateTime
) -> list[str]:
    applies = ", ".join(window["applies_to"]) or "no"
    lifted = f"; lifted for {', '.join(window['lifted_for'])}" if window["lifted_for"] else ""
    lines = [f"{window['code']}: {window['description']} ({applies} releases{lifted})"]
    for (start, end), opening in zip(openings, window["openings"], strict=True):
        until = f" until {show.short(end)}" if end is not None else ""
        now = "  (open now)" if start <= after else ""
        lines.append(f"  {show.short(start)}{until}{now}")
        for cut in opening["frozen"]:
            begins, stops = _parsed(cut["start"]), _parsed(cut["end"])
            lines.append(
                f"    frozen {show.short(begins) if begins else '?'} to "
                f"{show.short(stops) if stops else '?'} by {cut['code']} ({cut['reason']})"
            )
    if not openings:
        lines.append("  it never opens")
    return lines


def diagram(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit diagram [--kind K] [RELEASE]``: Mermaid, the release's state marked."""
    desk = session.desk()
    current: str | None = None
    kind = args.kind
    if args.release is not None:
        release = desk.get(args.release).release
        current = release.state
        kind = kind or release.kind.value
    kind = kind or session.policy.kinds[0].value
    text = desk.engine.diagram(kind, current=current)
    return Reply(data={"kind": kind, "current": current, "mermaid": text}, text=text.rstrip())


def policy_check(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit policy check [FILE] [--load-plugins]``: exit 1 if the file has problems.

    Nothing is imported or run unless ``--load-plugins`` asks to build the
    installed guards the file names.
    """
    source = args.file or session.policy_file
    if source is None:
        raise InvalidInputError(
            f"there is no policy file to check: name one, set RELEASEKIT_POLICY, or create "
            f"./{DEFAULT_POLICY} (`releasekit policy show --reference > {DEFAULT_POLICY}` "
            "starts one)",
            field="file",
            value=None,
        )
    if not Path(source).is_file():
        raise InvalidInputError(
            f"there is no policy file {source}; check the path", field="file", value=source
        )
    try:
        from releasekit._interfaces.policy_file import check_policy  # noqa: PLC0415  # on use

        checked = check_policy(source, load_guards=args.load_plugins)
    except PolicyFileError as error:
        count = len(error.problems)
        lines = [f"{source}: {count} {'problem' if count == 1 else 'problems'}:"]
        lines.extend(f"  {problem}" for problem in error.problems)
        return Reply(
            data={"file": source, "valid": False, "problems": list(error.problems), "policy": None},
            text=show.block(lines),
            code=ExitCode.REFUSED,
        )
    environments = list(checked.environments)
    kinds = [kind.value for kind in checked.kinds]
    lines = [
        (
            f"{source}: valid; policy {checked.name!r}: {' -> '.join(environments)}; "
            f"flows {', '.join(kinds)}"
        )
    ]
    if checked.people:
        lines.append(f"  roster: {', '.join(checked.people)}")
    state = (
        "loaded and built"
        if checked.guards_loaded
        else "registered; not loaded, so its parameters are unchecked (--load-plugins checks them)"
    )
    lines.extend(
        f"  guard {guard.describe()} at {guard.value}: {state}" for guard in checked.guards
    )
    return Reply(
        data={
            "file": source,
            "valid": True,
            "problems": [],
            "policy": {
                "name": checked.name,
                "environments": environments,
                "kinds": kinds,
                "people": list(checked.people),
            },
            "guards": [attrs.asdict(guard) for guard in checked.guards],
            "guards_loaded": checked.guards_loaded,
        },
        text=show.block(lines),
    )


def policy_show(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit policy show``: the text of the policy file in use, or the reference."""
    from releasekit._interfaces import policy_file  # noqa: PLC0415  # on use

    source = None if args.reference else session.policy_file
    text = (
        policy_file.reference_policy_file()
        if source is None
        else policy_file.read_policy_text(source)
    )
    # The file as it is, for `policy show > releasekit.toml`: tabs and line ends kept, any
    # other control character (a stranger's file may hold escape sequences) made visible.
    shown = escape(text.replace("\r\n", "\n"), keep="\n\t").rstrip("\n")
    return Reply(data={"source": source or "reference", "toml": text}, text=shown)


def demo(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit demo``."""
    from releasekit._interfaces import _cli_demo  # noqa: PLC0415  # only for the demo

    return _cli_demo.demo(session, args)


COMMANDS: Mapping[str, Callable[[Session, argparse.Namespace], Reply]] = {
    "start": start,
    "status": status,
    "explain": explain,
    "plan": plan,
    "promote": promote,
    "record": record,
    "run-tests": run_tests,
    "migrate": migrate,
    "resume": resume,
    "abandon-step": abandon_step,
    "abandon": abandon,
    "history": history,
    "verify": verify,
    "windows": windows,
    "diagram": diagram,
    "policy check": policy_check,
    "policy show": policy_show,
    "demo": demo,
}


# -- running ---------------------------------------------------------------------

#: Errors that mean "refused", "busy" and "the executor failed"; all others mean "error".
_REFUSED = (
    PromotionRefusedError,
    NotPermittedError,
    HistoryTamperedError,
    NothingToRollBackError,
    ReleaseEndedError,
)
_BUSY = (
    ConflictError,
    LeaseHeldError,
    LeaseNotHeldError,
    StepInProgressError,
    ScheduleConflictError,
)


def exit_code_for(error: ReleaseKitError) -> ExitCode:
    """Return the exit code that stands for *error*."""
    if isinstance(error, _REFUSED):
        return ExitCode.REFUSED
    if isinstance(error, _BUSY):
        return ExitCode.BUSY
    if isinstance(error, ExecutorError):
        return ExitCode.EXECUTOR_FAILED
    return ExitCode.ERROR


#: The attributes of an error its JSON form carries, where the error has them.
_ERROR_FIELDS = (
    "release_id",
    "operation_id",
    "field",
    "source",
    "problems",
    "lease",
    "holder",
    "capability",
    "environment",
    "reason",
    "actor",
    "action",
    "allowed",
    "suggestions",
    "current",
    "required",
    "host",
    "pid",
    "role",
    "running",
    "stream",
    "expected",
    "actual",
    "expected_target",
    "actual_target",
    "state",
    "seq",
    "detail",
)


def _error_json(error: ReleaseKitError, code: ExitCode) -> dict[str, object]:
    body: dict[str, object] = {
        "type": type(error).__name__,
        "message": str(error),
        "exit_code": int(code),
    }
    for name in _ERROR_FIELDS:
        if hasattr(error, name):
            body[name] = show.plain(getattr(error, name))
    return {"error": body}


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else f"{text}\n")


def _complain(error: ReleaseKitError, *, debug: bool) -> None:
    """Say on standard error what went wrong, one line per problem, every character visible."""
    if debug:
        sys.stderr.write(terminal_text("".join(traceback.format_exception(error))))
    if isinstance(error, PolicyFileError):  # one problem per line, each in its own words
        count = len(error.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{error.source}: {count} {noun} in the policy file:"]
        lines.extend(f"  {problem}" for problem in error.problems)
    else:
        lines = [str(error)]
    sys.stderr.write(f"releasekit: {escape(lines[0])}\n")
    for line in lines[1:]:
        sys.stderr.write(f"{escape(line)}\n")
    for note in getattr(error, "__notes__", ()):
        sys.stderr.write(f"  {escape(str(note))}\n")


def _command(args: argparse.Namespace) -> Callable[[Session, argparse.Namespace], Reply]:
    """Return the function of the command *args* names (``policy check``, ``data adjust``)."""
    name = args.command
    if name in _GROUPS:
        name = f"{name} {getattr(args, _GROUPS[name])}"
    found = COMMANDS.get(name)
    if found is not None:
        return found
    if args.command == "freeze":
        from releasekit._interfaces import _cli_freeze  # noqa: PLC0415  # only for `freeze`

        return _cli_freeze.COMMANDS[name]
    from releasekit._interfaces import _cli_operations  # noqa: PLC0415  # only for operations

    return _cli_operations.COMMANDS[name]


#: Commands that hold commands, and where the parser puts the inner command's name.
_GROUPS = {"policy": "policy_command", "data": "data_command", "freeze": "freeze_command"}


def run(args: argparse.Namespace, *, environ: Mapping[str, str]) -> int:
    """Run the command *args* names and return its exit code."""
    session = Session(args, environ)
    try:
        session.check_people()
        reply = _command(args)(session, args)
    except ReleaseKitError as error:
        code = exit_code_for(error)
        _complain(error, debug=getattr(args, "debug", False))
        if args.json:
            _write(json_text(_error_json(error, code)))
        return code
    finally:
        session.close()
    _write(json_text(reply.data) if args.json else terminal_text(reply.text))
    return reply.code
