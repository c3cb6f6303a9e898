"""releasekit.testing: a kit for teams that build on releasekit.

- :mod:`releasekit.testing.strategies`: Hypothesis strategies for windows,
  artifacts, evidence, releases and whole policies.
- :class:`PolicyMachine`: a rule-based state machine to subclass with your own
  policy, checking it against releasekit's invariants.
- :func:`satisfying_evidence`: the evidence that makes a built-in guard pass.
- :func:`walk_to`: a release taken forward to an environment, on an engine or
  a desk, with the evidence and the waits each step asks for.
- A pytest plugin (registered as ``releasekit``) with fixtures: a frozen clock,
  the reference policy and an engine for it.

The strategies and the machine need Hypothesis (``pip install
releasekit[tests]``); they are imported on first use, so the pytest plugin
works without it. ``import releasekit`` never imports this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from releasekit.testing import strategies
    from releasekit.testing.machine import PolicyMachine, satisfying_evidence
    from releasekit.testing.walk import EvidenceFor, walk_to

__all__ = ["EvidenceFor", "PolicyMachine", "satisfying_evidence", "strategies", "walk_to"]

_LAZY = {
    "PolicyMachine": ("releasekit.testing.machine", "PolicyMachine"),
    "satisfying_evidence": ("releasekit.testing.machine", "satisfying_evidence"),
    "strategies": ("releasekit.testing.strategies", None),
    "EvidenceFor": ("releasekit.testing.walk", "EvidenceFor"),
    "walk_to": ("releasekit.testing.walk", "walk_to"),
}


def __getattr__(name: str) -> Any:  # noqa: ANN401  # the attribute's type depends on its name
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        msg = f"module 'releasekit.testing' has no attribute {name!r}"
        raise AttributeError(msg) from None
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
