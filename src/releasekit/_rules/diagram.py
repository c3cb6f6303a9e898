"""Mermaid diagrams of a policy's flows, drawn by transitions' own Mermaid engine.

The diagram is built from the same definition as the engine's machine, with
each step labelled by the guards it checks (and those its flow lifts), so the
picture cannot drift from the rules. No graphviz is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transitions.extensions.diagrams import GraphMachine

if TYPE_CHECKING:
    from collections.abc import Callable

    from releasekit._rules.policy import Policy
    from releasekit._rules.release import Kind


class _Model:
    """A throw-away model; the graph machine needs one to draw."""

    state: str


def _label(text: str) -> Callable[[], bool]:
    def condition() -> bool:  # never called: it only names the guard in the picture
        return True  # pragma: no cover

    condition.__name__ = text
    return condition


def mermaid(policy: Policy, kind: Kind, *, current: str | None = None) -> str:
    """Return a Mermaid ``stateDiagram-v2`` of the flow for *kind*.

    Args:
        policy: The policy whose flow is drawn.
        kind: Which flow.
        current: A state to mark as active, e.g. a release's current state.
    """
    from releasekit._rules.engine import _definition  # noqa: PLC0415  # the engine imports us lazily

    definition = _definition(policy, kind)
    labelled = {(step.source, step.target): step for step in policy.steps(kind)}
    for transition in definition["transitions"]:
        if transition["trigger"] != "promote":
            continue
        step = labelled[(transition["source"], transition["dest"])]
        names = [guard.describe() for guard in step.guards[1:]]
        names.extend(f"lifted: {guard.describe()}" for guard in step.lifted)
        transition["conditions"] = [_label(name) for name in names]
    model = _Model()
    machine = GraphMachine(
        model=model,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        show_state_attributes=False,
        title=f"{policy.name}: {kind.value} flow",
        **definition,
    )
    graph = machine.model_graphs[id(model)]
    graph.reset_styling()
    if current is not None:
        policy.flow(kind)  # validates the kind
        graph.set_node_style(current, "active")
    return str(graph.get_graph(title=machine.title).draw(None))
