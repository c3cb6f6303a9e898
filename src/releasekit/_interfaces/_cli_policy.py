"""Commands about the policy itself: policy check, policy show, diagram."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import DEFAULT_POLICY, ExitCode, Reply, Session
from releasekit._interfaces._cli_text import escape
from releasekit.exceptions import InvalidInputError, PolicyFileError

if TYPE_CHECKING:
    import argparse


__all__ = ["diagram", "policy_check", "policy_show"]


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
        from releasekit._policy_files.policy_file import check_policy  # noqa: PLC0415  # on use

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
    from releasekit._policy_files import policy_file  # noqa: PLC0415  # on use

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
