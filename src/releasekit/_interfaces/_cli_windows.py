"""The ``windows`` command: when the last environment opens, and what freezes close it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import Reply, Session, declared_policy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    import pendulum

    from releasekit._rules import guards
    from releasekit._rules.freezes import Freeze
    from releasekit._rules.policy import Policy


__all__ = ["windows"]


def windows(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit windows``: the next openings of the last environment's time guards."""
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
