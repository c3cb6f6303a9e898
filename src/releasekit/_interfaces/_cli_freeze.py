"""``releasekit freeze``: declare a freeze on the spot, list the declared ones, lift one.

``freeze add NAME --until ISO --reason TEXT`` closes production (or the
environments named) to normal releases (or the kinds named) from now (or
``--from``) until ``--until``; every tool on the same store then refuses the
releases it holds back and forecasts past it. ``freeze list`` shows the
declared freezes in force or to come, with who declared them; ``freeze lift``
ends one early; ``freeze history`` shows every declaration and lift. Only the
people the policy's ``freeze_declarers`` name may declare or lift one.

Their arguments are parsed by :mod:`releasekit._interfaces._cli_parser_operations`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import Reply, Session

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    import pendulum

    from releasekit._actions.declared_freezes import DeclaredFreeze
    from releasekit._records.events import Event
    from releasekit._rules.policy import Policy

__all__ = ["add", "freeze_json", "history", "lift", "listed"]


# -- the commands ------------------------------------------------------------------------


def add(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit freeze add NAME --until ISO --reason TEXT``."""
    from releasekit._actions import declared_freezes as declared  # noqa: PLC0415  # on use

    by = session.actor
    asked = {
        "name": args.name,
        "reason": args.reason,
        "until": args.until,
        "by": by,
        "start": args.start,
        "environments": args.environments or None,
        "kinds": args.kinds or None,
    }
    # Every rule that needs no store first: a refusal creates no store.
    declared.draft(session.policy, now=session.now(), **asked)
    desk = session.desk(create=True)
    freeze = desk.freezes.declare(**asked)
    policy = desk.policy
    return _reply(
        {"freeze": freeze_json(freeze, policy, session.now())},
        [
            (
                f"declared {freeze.name}: {_closes(freeze, policy)} closed to "
                f"{' and '.join(kind.value for kind in freeze.kinds)} releases from "
                f"{_short(freeze.start)} until {_short(freeze.until)}, by {freeze.declared_by} "
                f"({freeze.reason})"
            ),
            *_spared(freeze, policy),
            (
                "every tool on this store now obeys it; end it early with "
                f"`releasekit freeze lift {freeze.name} --reason ...`"
            ),
        ],
    )


def listed(session: Session, _args: argparse.Namespace) -> Reply:
    """``releasekit freeze list``."""
    desk = session.desk()
    now = session.now()
    freezes = desk.freezes.list(now=now)
    data = {
        "at": _timestamp(now),
        "freezes": [freeze_json(freeze, desk.policy, now) for freeze in freezes],
    }
    if not freezes:
        return _reply(
            data,
            [
                (
                    f"no freeze declared on the spot is in force or to come at {_short(now)}; "
                    "`releasekit windows` shows the policy's own freezes"
                )
            ],
        )

    rows = [
        [
            freeze.name,
            "in force" if freeze.holds(now) else "to come",
            _short(freeze.start),
            _short(freeze.until),
            _closes(freeze, desk.policy),
            ", ".join(kind.value for kind in freeze.kinds),
            f"{freeze.declared_by}, {_short(freeze.declared_at)}",
            freeze.reason,
        ]
        for freeze in freezes
    ]
    headers = ["NAME", "STATUS", "FROM", "UNTIL", "CLOSES", "HOLDS", "DECLARED BY", "REASON"]

    return Reply(data=data, text=show.table(headers, rows))


def lift(session: Session, args: argparse.Namespace) -> Reply:
    """``releasekit freeze lift NAME --reason TEXT``."""
    by = session.actor
    desk = session.desk()
    freeze = desk.freezes.lift(args.name, by=by, reason=args.reason)
    now = session.now()
    return _reply(
        {
            "freeze": freeze_json(freeze, desk.policy, now),
            "lifted_by": by,
            "lifted_at": _timestamp(now),
            "reason": args.reason,
        },
        [
            (
                f"lifted {freeze.name} (declared by {freeze.declared_by} until "
                f"{_short(freeze.until)}: {freeze.reason}), by {by}: {args.reason}"
            )
        ],
    )


def history(session: Session, _args: argparse.Namespace) -> Reply:
    """``releasekit freeze history``."""
    events = session.desk().freezes.history()
    rows = [
        [
            str(event.seq),
            _short(event.at),
            event.actor,
            event.action.value,
            str(event.data.get("name", "")),
            _what(event),
        ]
        for event in events
    ]
    text = (
        show.table(["#", "AT", "ACTOR", "ACTION", "NAME", "WHAT"], rows)
        if events
        else show.block(["no freeze was ever declared on the spot in this store"])
    )
    return Reply(data={"events": [show.event_json(event) for event in events]}, text=text)


# -- helpers ------------------------------------------------------------------------------


def freeze_json(
    freeze: DeclaredFreeze, policy: Policy, now: pendulum.DateTime
) -> dict[str, object]:
    """Return a declared freeze as JSON values, with what it closes and whether it holds now."""
    return {
        "name": freeze.name,
        "code": freeze.code,
        "reason": freeze.reason,
        "start": _timestamp(freeze.start),
        "until": _timestamp(freeze.until),
        "kinds": [kind.value for kind in freeze.kinds],
        "environments": None if freeze.environments is None else list(freeze.environments),
        "closes": list(freeze.environments or (policy.last.name,)),
        "declared_by": freeze.declared_by,
        "declared_at": _timestamp(freeze.declared_at),
        "in_force": freeze.holds(now),
    }


def _closes(freeze: DeclaredFreeze, policy: Policy) -> str:
    return ", ".join(freeze.environments or (policy.last.name,))


def _spared(freeze: DeclaredFreeze, policy: Policy) -> list[str]:
    """Say which kinds of release go through, and how to stop them too."""
    spared = [kind.value for kind in policy.kinds if kind not in freeze.kinds]
    if not spared:
        return []
    stop = " ".join(kind.value for kind in policy.kinds)
    return [
        (
            f"{' and '.join(spared)} releases go through (declare it with --kinds {stop} to stop "
            "them too)"
        )
    ]


def _what(event: Event) -> str:
    if "until" in event.data:
        return f"until {event.data['until']}: {event.reason}"
    return event.reason


def _reply(data: Mapping[str, object], lines: list[str]) -> Reply:

    return Reply(data=data, text=show.block(lines))


def _short(moment: pendulum.DateTime) -> str:

    return show.short(moment)


def _timestamp(moment: pendulum.DateTime) -> str | None:

    return show.timestamp(moment)
