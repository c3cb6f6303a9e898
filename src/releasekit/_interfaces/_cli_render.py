r"""How the ``releasekit`` command shows things: JSON values for bots, lines for people.

The JSON forms are the command's stable contract (documented in ``docs/cli.md``):
keys are snake_case, instants are ISO 8601 strings in UTC
(``2026-11-28T09:00:00+00:00``), sets are sorted lists, and absent values are
``null`` rather than missing keys.

The lines for people show every stored or given string through :func:`escape`
(from :mod:`releasekit._interfaces._cli_text`): a control or format character
in a version, a name, a note or an executor's output is written as a visible
escape such as ``\n`` or ``\x1b``, so it can neither draw a row of its own nor
drive the terminal. Each line is escaped whole (:func:`block`), and each table
cell on its own (:func:`table`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from releasekit._interfaces._cli_text import escape

if TYPE_CHECKING:
    import pendulum

    from releasekit._records.events import Event, Verification
    from releasekit._records.values import Record
    from releasekit._rules.engine import Explanation, Plan, StepPlan
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.verdicts import Blocker

#: Gives the commands that would clear a blocker, as ``_cli_suggestions.suggested_commands`` does.
Suggest = Callable[["Blocker"], Sequence[str]]

__all__ = [
    "EVIDENCE_NAMES",
    "Suggest",
    "block",
    "blocker_json",
    "blocker_line",
    "either",
    "escape",
    "event_json",
    "event_reason",
    "event_step",
    "evidence_json",
    "evidence_line",
    "evidence_summary",
    "explanation_json",
    "plain",
    "plan_json",
    "record_json",
    "short",
    "suggestion_lines",
    "table",
    "timeline_lines",
    "timestamp",
    "verification_json",
]

#: The name of each kind of evidence, as ``releasekit record`` and the JSON form spell it,
#: by the name of its class (as stored event data tags evidence: ``"SignOff"``).
EVIDENCE_NAMES: Mapping[str, str] = {
    "TestsWritten": "tests-written",
    "TestRun": "test-run",
    "SignOff": "sign-off",
    "LogReview": "log-review",
    "MigrationRun": "migration-run",
    "ChangeReview": "change-review",
    "Attestation": "attestation",
}


def timestamp(value: dt.datetime | None) -> str | None:
    """Return an instant as ISO 8601 in UTC, or ``None``."""
    from releasekit._records.converter import iso  # noqa: PLC0415  # once there is one to show

    return None if value is None else iso(value)


def short(value: pendulum.DateTime) -> str:
    """Return an instant as people read it: ``Sat 2026-11-28 09:00 UTC``."""
    from releasekit._rules._time import when  # noqa: PLC0415  # once there is one to show

    return when(value)


def plain(value: object) -> object:
    """Return *value* as JSON values: instants as ISO text, enums as values, sets sorted.

    attrs values become objects of their fields.
    """
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(plain(item) for item in value)  # type: ignore[type-var]  # names: strings
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if attrs.has(type(value)):  # a value inside a value, e.g. a step's lease
        value = attrs.asdict(value, recurse=False)  # type: ignore[arg-type]  # it is one
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def _fields(value: attrs.AttrsInstance) -> dict[str, object]:
    return {field.name: plain(getattr(value, field.name)) for field in attrs.fields(type(value))}


# -- blockers ------------------------------------------------------------------


def blocker_json(
    blocker: Blocker, commands: Sequence[str] = (), *, actor: str | None = None
) -> dict[str, object]:
    """Return a blocker as JSON values, with the *commands* that would clear it.

    ``can_clear`` says whether *actor* (the person asking, given only when the
    policy has a roster) is one of the blocker's ``people``; ``null`` without one.
    """
    return {
        "code": blocker.code,
        "reason": blocker.reason,
        "message": blocker.message,
        "hint": blocker.hint,
        "unblocked_by": list(blocker.unblocked_by),
        "people": list(blocker.people),
        "can_clear": None if actor is None else actor in blocker.people,
        "earliest": timestamp(blocker.earliest),
        "source": blocker.source,
        "target": blocker.target,
        "evidence": blocker.evidence,
        "suggested_commands": list(commands),
    }


def either(names: Sequence[str]) -> str:
    """Name one of *names* to ask: ``maria``, ``maria or ivan``, ``anton, maria or ivan``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def blocker_line(blocker: Blocker) -> str:
    """Return a blocker on one line: code, message, hint, who can unblock it, and when.

    With a roster, who can unblock it ends with the people to ask, unless
    those are the very names it gives: ``(unblocked by: team; ask maria or ivan)``.
    """
    who = ", ".join(blocker.unblocked_by) or "time"
    named = blocker.people and blocker.people != blocker.unblocked_by
    ask = f"; ask {either(blocker.people)}" if named else ""
    after = f"; earliest: {short(blocker.earliest)}" if blocker.earliest is not None else ""
    line = f"[{blocker.code}] {blocker.message} — {blocker.hint} (unblocked by: {who}{ask}{after})"
    return escape(line)


def suggestion_lines(commands: Sequence[str], indent: str) -> list[str]:
    """Return the commands that would clear a blocker, one per line: ``run:``, then ``or:``."""
    return [
        f"{indent}{'run:' if index == 0 else 'or: '} {escape(command)}"
        for index, command in enumerate(commands)
    ]


# -- evidence ------------------------------------------------------------------


def evidence_json(item: Evidence) -> dict[str, object]:
    """Return a piece of evidence as JSON values, its kind under ``type``."""
    return {"type": EVIDENCE_NAMES[type(item).__name__], **_fields(item)}


def _evidence_detail(item: Evidence) -> str:  # noqa: PLR0911  # one return per kind
    from releasekit._rules.evidence import (  # noqa: PLC0415  # once there is evidence to show
        Attestation,
        ChangeReview,
        LogReview,
        MigrationRun,
        SignOff,
        TestRun,
        TestsWritten,
    )

    match item:
        case TestsWritten():
            return f"covers {', '.join(item.covers) or 'nothing new'}"
        case TestRun():
            return f"on {item.environment}: {'passed' if item.passed else 'FAILED'}"
        case SignOff(old_app_versions=()):
            return f"on {item.environment}"
        case SignOff():
            return (
                f"on {item.environment}, with old app versions {', '.join(item.old_app_versions)}"
            )
        case LogReview():
            where = ", ".join(sorted(item.environments))
            return f"of {where}: {item.verdict.value}"
        case MigrationRun():
            done = "succeeded" if item.succeeded else "FAILED"
            return f"on {item.environment}: {done} ({', '.join(item.migrations) or 'none'})"
        case ChangeReview():
            return f"of {item.version}"
        case Attestation():
            where = f" on {item.environment}" if item.environment else ""
            return f"{item.name!r}{where}"


def evidence_summary(item: Evidence) -> str:
    """Return what a piece of evidence says, e.g. ``test-run on tests: passed``."""
    return f"{EVIDENCE_NAMES[type(item).__name__]} {_evidence_detail(item)}"


def evidence_line(item: Evidence) -> str:
    """Return a piece of evidence on one line: when, what, the gist, by whom."""
    return escape(f"{short(item.at)}  {evidence_summary(item)} (by {item.by})")


# -- releases ------------------------------------------------------------------


def record_json(record: Record) -> dict[str, object]:
    """Return a release as the store holds it, as JSON values."""
    release = record.release
    attempt = record.attempt
    return {
        "id": release.id,
        "version": release.version,
        "kind": release.kind.value,
        "state": release.state,
        "created_at": timestamp(release.created_at),
        "created_by": release.created_by,
        "artifact": _fields(release.artifact),
        "evidence": [evidence_json(item) for item in release.evidence],
        "moves": [_fields(move) for move in release.moves],
        "revision": record.revision,
        "head": record.head,
        "attempt": None if attempt is None else _fields(attempt),
        "attention": [_fields(item) for item in record.attention],
    }


def _no_suggestions(_blocker: Blocker) -> Sequence[str]:
    return ()


def explanation_json(
    explanation: Explanation, suggest: Suggest = _no_suggestions, *, actor: str | None = None
) -> dict[str, object]:
    """Return an explanation of a release's next step as JSON values.

    Args:
        explanation: The explanation.
        suggest: Gives each blocker's ``suggested_commands``.
        actor: The person asking, with a roster: each blocker says whether
            they ``can_clear`` it.
    """
    step = explanation.step
    return {
        "release_id": explanation.release_id,
        "state": explanation.state,
        "step": None if step is None else {"source": step.source, "target": step.target},
        "allowed": explanation.allowed,
        "finished": explanation.finished,
        "at": timestamp(explanation.at),
        "earliest": timestamp(explanation.earliest),
        "lifted": list(explanation.lifted),
        "blockers": [
            blocker_json(blocker, suggest(blocker), actor=actor) for blocker in explanation.blockers
        ],
    }


def plan_json(plan: Plan, suggest: Suggest = _no_suggestions) -> dict[str, object]:
    """Return a plan as JSON values.

    Args:
        plan: The plan.
        suggest: Gives the ``suggested_commands`` of the next step's blockers;
            evidence added now does not count for the steps after it.
    """
    return {
        "release_id": plan.release_id,
        "kind": plan.kind.value,
        "state": plan.state,
        "at": timestamp(plan.at),
        "earliest_production": timestamp(plan.earliest_production),
        "steps": [
            {
                "source": step.step.source,
                "target": step.step.target,
                "earliest": timestamp(step.earliest),
                "arrives": timestamp(step.arrives),
                "waits": [
                    {
                        "code": wait.code,
                        "reason": wait.reason,
                        "start": timestamp(wait.start),
                        "until": timestamp(wait.until),
                        "message": wait.message,
                    }
                    for wait in step.waits
                ],
                "owed": [
                    {
                        "code": owed.code,
                        "evidence": owed.evidence,
                        "unblocked_by": list(owed.unblocked_by),
                        "people": list(owed.people),
                        "message": owed.message,
                        "counts_from": timestamp(owed.counts_from),
                    }
                    for owed in step.owed
                ],
                "blockers": [
                    blocker_json(blocker, suggest(blocker) if index == 0 else ())
                    for blocker in step.blockers
                ],
            }
            for index, step in enumerate(plan.steps)
        ],
    }


def timeline_lines(step: StepPlan, indent: str) -> list[str]:
    """Return what holds a planned step back, and the evidence it owes not shown as a blocker."""
    lines = [f"{indent}waits: [{wait.code}] {wait.message}" for wait in step.waits]
    shown_already = {(blocker.code, blocker.message) for blocker in step.blockers}
    for owed in step.owed:
        if (owed.code, owed.message) in shown_already:
            continue
        who = ", ".join(owed.unblocked_by) or "nobody named"
        named = owed.people and owed.people != owed.unblocked_by
        ask = f"; ask {either(owed.people)}" if named else ""
        lines.append(
            f"{indent}owes: [{owed.code}] {owed.message} (by: {who}{ask}; counts from "
            f"{short(owed.counts_from)})"
        )
    return lines


def event_json(event: Event) -> dict[str, object]:
    """Return a history event as JSON values."""
    return {
        "seq": event.seq,
        "at": timestamp(event.at),
        "actor": event.actor,
        "action": event.action.value,
        "source": event.source,
        "target": event.target,
        "reason": event.reason,
        "data": plain(event.data),
        "previous": event.previous,
        "digest": event.digest,
        "state_digest": event.state_digest,
    }


def event_step(event: Event) -> str:
    """Return where an event happened: ``stage -> production``, or one environment."""
    if event.source and event.target and event.source != event.target:
        return f"{event.source} -> {event.target}"
    return event.target or event.source or ""


def event_reason(event: Event) -> str:
    """Return why an event happened; for evidence added, which kinds were added."""
    if event.reason:
        return event.reason
    recorded = event.data.get("evidence")
    if isinstance(recorded, list):
        kinds = [item.get("type") for item in recorded if isinstance(item, Mapping)]
        return "recorded " + ", ".join(EVIDENCE_NAMES.get(str(kind), str(kind)) for kind in kinds)
    return ""


def verification_json(verification: Verification) -> dict[str, object]:
    """Return the outcome of checking one history as JSON values.

    ``release_id`` is set for a release's history, ``operation_id`` for a data
    operation's; ``stream`` names any history.
    """
    stream = verification.stream
    kind, _, name = stream.partition(":")
    return {
        "stream": stream,
        "release_id": stream if not name else None,
        "operation_id": name if kind == "data" and name else None,
        "ok": verification.ok,
        "events": verification.events,
        "head": verification.head,
        "seq": verification.seq,
        "detail": verification.detail,
    }


# -- layout ----------------------------------------------------------------------


def block(lines: Iterable[str]) -> str:
    """Return *lines*, each one line of text, as one block: whatever they hold stays on its line."""
    return "\n".join(escape(line) for line in lines)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Return rows as columns padded to their widest cell, under *headers*.

    Every cell is escaped: a value holding a newline or an escape sequence
    stays in its cell, so each row is one line.
    """
    lines = [[escape(cell) for cell in line] for line in [headers, *rows]]
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
