"""MkDocs hook: draw the reference policy's flows from the code at build time.

A page writes ``<!-- releasekit:diagram normal -->`` (or ``hotfix``) where the
diagram belongs; the hook puts the Mermaid diagram the engine draws there, so
the picture in the docs is always the one the code has.
"""

from __future__ import annotations

import re
from typing import Any

import releasekit

MARKER = re.compile(r"<!-- releasekit:diagram (?P<kind>[a-z]+) -->")


def render(markdown: str) -> str:
    """Replace every diagram marker in *markdown* with a Mermaid block of that flow."""
    engine = releasekit.Engine(releasekit.reference_policy())

    def diagram(match: re.Match[str]) -> str:
        return f"```mermaid\n{engine.diagram(match['kind']).strip()}\n```"

    return MARKER.sub(diagram, markdown)


def on_page_markdown(markdown: str, **_: Any) -> str:  # noqa: ANN401  # MkDocs passes page, config, files
    """Draw the diagrams of a page."""
    return render(markdown)
