"""A release's flow drawn on the server: its environments in a row, where it is marked.

The drawing reads the policy's flow — its path and the steps between, each with
the guards it checks and those the flow lifts — which is the definition the
engine's state machine and its Mermaid diagram are built from. It is plain
SVG, styled by the board's stylesheet: no script draws it, and nothing is
loaded to show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from markupsafe import Markup, escape

from releasekit._interfaces._cli_text import escape as visible
from releasekit._rules.flow_machine import definition
from releasekit._rules.guards import GuardKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from releasekit._rules.policy import Policy, Step

__all__ = ["FlowStep", "flow_steps", "flow_svg"]

#: The size of an environment's box and the room between two boxes, in SVG units.
_BOX_WIDTH = 132
_BOX_HEIGHT = 44
_GAP = 44
_MARGIN = 8
#: The most characters of a name a box shows; the whole name is its tooltip.
_SHOWN = 17
#: The head of every arrow between two environments.
_ARROW = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
    'class="arrow-head"/></marker></defs>'
)


@attrs.frozen(kw_only=True)
class FlowStep:
    """One step of a flow as the board lists it beside the drawing.

    Attributes:
        source: The environment a release leaves.
        target: The environment it enters.
        guards: What each guard checks, with its code: ``(code, description)``.
        lifted: The same, for the guards of the target's gate this flow lifts.
    """

    source: str
    target: str
    guards: tuple[tuple[str, str], ...]
    lifted: tuple[tuple[str, str], ...]


def flow_steps(policy: Policy, kind: str) -> tuple[FlowStep, ...]:
    """Return the steps of the flow of *kind*, with the guards that label them.

    The steps come from the definition the engine's machine and the Mermaid
    diagram are built from, in its order. As in the diagram, a guard on who
    acts is left out: it decides who may take a step, not whether the release
    is ready for it.
    """
    steps: list[Step] = []

    def labels(step: Step) -> tuple[()]:
        steps.append(step)
        return ()

    definition(policy, policy.flow(kind).kind, conditions=labels)
    return tuple(
        FlowStep(
            source=step.source,
            target=step.target,
            guards=tuple(
                (guard.code, guard.describe())
                for guard in step.guards
                if guard.kind is not GuardKind.ACTOR
            ),
            lifted=tuple((guard.code, guard.describe()) for guard in step.lifted),
        )
        for step in steps
    )


def _shown(name: str) -> str:
    return name if len(name) <= _SHOWN else f"{name[: _SHOWN - 1]}…"


def _text(text: str) -> Markup:
    """Escape *text* for SVG, every control and format character written as a visible escape."""
    return escape(visible(text))


def flow_svg(
    path: Sequence[str],
    *,
    state: str | None,
    visited: Iterable[str] = (),
    next_allowed: bool | None = None,
    title: str = "",
) -> Markup:
    """Return the flow *path* as an SVG picture, *state* marked as the current step.

    Environments the release has been in are marked as passed; the step to
    the next one as allowed or blocked when *next_allowed* says. A *state*
    off the path (abandoned, rolled back) is drawn after it, as the end.

    Args:
        path: The flow's environments, in order.
        state: Where the release is, or ``None`` to mark nothing.
        visited: The environments it has been in.
        next_allowed: Whether its next step may happen now; ``None``: not known.
        title: What the picture shows, for readers that cannot see it.
    """
    names = list(path)
    ended = state is not None and state not in names
    if ended and state is not None:
        names.append(state)
    seen = set(visited)
    width = _MARGIN * 2 + len(names) * _BOX_WIDTH + (len(names) - 1) * _GAP
    height = _MARGIN * 2 + _BOX_HEIGHT
    opening = (
        f'<svg class="flow" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
    )
    parts = [
        opening,
        f"<title>{_text(title)}</title>",
        _ARROW,
    ]
    current = names.index(state) if state in names else -1
    for index, name in enumerate(names):
        left = _MARGIN + index * (_BOX_WIDTH + _GAP)
        if index:
            step = ["step"]
            if ended and index == len(names) - 1:
                step.append("ended")
            elif name in seen if ended else index <= current:
                step.append("passed")
            if index == current + 1 and next_allowed is not None:
                step.append("allowed" if next_allowed else "blocked")
            y = _MARGIN + _BOX_HEIGHT // 2
            parts.append(
                f'<line class="{" ".join(step)}" x1="{left - _GAP + 2}" y1="{y}" '
                f'x2="{left - 3}" y2="{y}" marker-end="url(#arrow)"/>'
            )
        box = ["env"]
        if index == current:
            box.append("current")
        elif name in seen if ended else index < current:
            box.append("passed")
        if ended and index == len(names) - 1:
            box.append("ended")
        parts.append(
            f'<g class="{" ".join(box)}"><title>{_text(name)}</title>'
            f'<rect x="{left}" y="{_MARGIN}" width="{_BOX_WIDTH}" height="{_BOX_HEIGHT}" '
            f'rx="8" ry="8"/>'
            f'<text x="{left + _BOX_WIDTH // 2}" y="{_MARGIN + _BOX_HEIGHT // 2 + 5}" '
            f'text-anchor="middle">{_text(_shown(visible(name)))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # every name in it is escaped above
