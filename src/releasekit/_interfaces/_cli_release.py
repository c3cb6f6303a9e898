"""Commands that take a release along its flow: start, explain, plan, promote, record, abandon."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import (
    ExitCode,
    Reply,
    Session,
    next_line,
    person,
    suggester,
)
from releasekit._interfaces._cli_text import escape
from releasekit.exceptions import PromotionRefusedError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    import pendulum

    from releasekit._actions.desk import Desk
    from releasekit._records.events import Action, Event
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.release import Release
    from releasekit._rules.verdicts import Blocker


__all__ = ["abandon", "explain", "plan", "promote", "record", "start"]


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
        # Evidence added now counts for the next step only: later ones get no commands.
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
        {Action.PROMOTED, Action.ATTEMPT_FINISHED},
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
    desk.add_evidence(args.release, item, by=session.actor)
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
