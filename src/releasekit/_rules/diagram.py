"""Mermaid diagrams of a policy's flows, drawn by transitions' own Mermaid engine.

The diagram is built from the same definition as the engine's machine, with
each step labelled by the guards it checks (and those its flow lifts), so the
picture cannot drift from the rules. No graphviz is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transitions.extensions.diagrams import GraphMachine

from releasekit._rules.flow_machine import definition

if TYPE_CHECKING:
    from collections.abc import Callable

    from releasekit._rules.policy import Policy, Step
    from releasekit._rules.release import ReleaseKind


class _Model:
    """A throw-away model; the graph machine needs one to draw."""

    state: str


def _label(text: str) -> Callable[[], bool]:
    def condition() -> bool:  # never called: it only names the guard in the picture
        return True  # pragma: no cover

    condition.__name__ = text
    return condition


def _labels(step: Step) -> list[Callable[[], bool]]:
    """Name the guards *step* checks, and those its flow lifts, as the picture's conditions."""
    names = [guard.describe() for guard in step.guards[1:]]
    names.extend(f"lifted: {guard.describe()}" for guard in step.lifted)
    return [_label(name) for name in names]


def mermaid(policy: Policy, kind: ReleaseKind, *, current: str | None = None) -> str:
    """Return a Mermaid ``stateDiagram-v2`` of the flow for *kind*.

    Args:
        policy: The policy whose flow is drawn.
        kind: Which flow.
        current: A state to mark as active, e.g. a release's current state.
    """
    model = _Model()
    machine = GraphMachine(
        model=model,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        show_state_attributes=False,
        title=f"{policy.name}: {kind.value} flow",
        **definition(policy, kind, conditions=_labels),
    )
    graph = machine.model_graphs[id(model)]
    graph.reset_styling()
    if current is not None:
        policy.flow(kind)  # validates the kind
        graph.set_node_style(current, "active")
    return str(graph.get_graph(title=machine.title).draw(None))
