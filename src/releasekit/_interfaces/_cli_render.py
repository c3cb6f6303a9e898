"""How the ``releasekit`` command shows things: JSON values for bots, lines for people.

The JSON forms are the command's stable contract (documented in ``docs/cli.md``):
keys are snake_case, instants are ISO 8601 strings in UTC
(``2026-11-28T09:00:00+00:00``), sets are sorted lists, and absent values are
``null`` rather than missing keys.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from releasekit._records.converter import iso
from releasekit._rules.evidence import (
    Attestation,
    ChangeReview,
    LogReview,
    MigrationRun,
    SignOff,
    TestRun,
    TestsWritten,
)
from releasekit._rules.guards import when

if TYPE_CHECKING:
    import pendulum

    from releasekit._records.events import Event, Verification
    from releasekit._records.ledger import Record
    from releasekit._rules.engine import Explanation, Plan
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.verdicts import Blocker

__all__ = [
    "EVIDENCE_NAMES",
    "blocker_json",
    "blocker_line",
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
    "table",
    "timestamp",
    "verification_json",
]

#: The name of each kind of evidence, as ``releasekit record`` and the JSON form spell it.
EVIDENCE_NAMES: Mapping[type[Any], str] = {
    TestsWritten: "tests-written",
    TestRun: "test-run",
    SignOff: "sign-off",
    LogReview: "log-review",
    MigrationRun: "migration-run",
    ChangeReview: "change-review",
    Attestation: "attestation",
}


def timestamp(value: dt.datetime | None) -> str | None:
    """Return an instant as ISO 8601 in UTC, or ``None``."""
    return None if value is None else iso(value)


def short(value: pendulum.DateTime) -> str:
    """Return an instant as people read it: ``Sat 2026-11-28 09:00 UTC``."""
    return when(value)


def plain(value: object) -> object:
    """Return *value* as JSON values: instants as ISO text, enums as values, sets sorted."""
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(plain(item) for item in value)  # type: ignore[type-var]  # names: strings
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def _fields(value: attrs.AttrsInstance) -> dict[str, object]:
    return {field.name: plain(getattr(value, field.name)) for field in attrs.fields(type(value))}


# -- blockers ------------------------------------------------------------------


def blocker_json(blocker: Blocker) -> dict[str, object]:
    """Return a blocker as JSON values."""
    return {
        "code": blocker.code,
        "reason": blocker.reason,
        "message": blocker.message,
        "hint": blocker.hint,
        "unblocked_by": list(blocker.unblocked_by),
        "earliest": timestamp(blocker.earliest),
        "source": blocker.source,
        "target": blocker.target,
    }


def blocker_line(blocker: Blocker) -> str:
    """Return a blocker on one line: code, message, hint, who can unblock it, and when."""
    who = ", ".join(blocker.unblocked_by) or "time"
    after = f"; earliest: {short(blocker.earliest)}" if blocker.earliest is not None else ""
    return f"[{blocker.code}] {blocker.message} — {blocker.hint} (unblocked by: {who}{after})"


# -- evidence ------------------------------------------------------------------


def evidence_json(item: Evidence) -> dict[str, object]:
    """Return a piece of evidence as JSON values, its kind under ``type``."""
    return {"type": EVIDENCE_NAMES[type(item)], **_fields(item)}


def _evidence_detail(item: Evidence) -> str:  # noqa: PLR0911  # one return per kind
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
    return f"{EVIDENCE_NAMES[type(item)]} {_evidence_detail(item)}"


def evidence_line(item: Evidence) -> str:
    """Return a piece of evidence on one line: when, what, the gist, by whom."""
    return f"{short(item.at)}  {evidence_summary(item)} (by {item.by})"


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


def explanation_json(explanation: Explanation) -> dict[str, object]:
    """Return an explanation of a release's next step as JSON values."""
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
        "blockers": [blocker_json(blocker) for blocker in explanation.blockers],
    }


def plan_json(plan: Plan) -> dict[str, object]:
    """Return a plan as JSON values."""
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
                "blockers": [blocker_json(blocker) for blocker in step.blockers],
            }
            for step in plan.steps
        ],
    }


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
    }


#: The names of evidence types as the stored event data tags them (``"SignOff"``).
_TAGGED = {kind.__name__: name for kind, name in EVIDENCE_NAMES.items()}


def event_step(event: Event) -> str:
    """Return where an event happened: ``stage -> production``, or one environment."""
    if event.source and event.target and event.source != event.target:
        return f"{event.source} -> {event.target}"
    return event.target or event.source or ""


def event_reason(event: Event) -> str:
    """Return why an event happened; for recorded evidence, which kinds were recorded."""
    if event.reason:
        return event.reason
    recorded = event.data.get("evidence")
    if isinstance(recorded, list):
        kinds = [item.get("type") for item in recorded if isinstance(item, Mapping)]
        return "recorded " + ", ".join(_TAGGED.get(str(kind), str(kind)) for kind in kinds)
    return ""


def verification_json(verification: Verification) -> dict[str, object]:
    """Return the outcome of checking one history as JSON values."""
    return {
        "release_id": verification.stream,
        "ok": verification.ok,
        "events": verification.events,
        "head": verification.head,
        "seq": verification.seq,
        "detail": verification.detail,
    }


# -- layout ----------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Return rows as columns padded to their widest cell, under *headers*."""
    lines = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
