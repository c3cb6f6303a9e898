"""The release board: where every release is, what holds it, and when it can move — in a browser.

``releasekit board`` serves it; :func:`create_app` builds it as an ASGI
application to mount in a team's own service. It reads the store the
``releasekit`` command reads and never writes to it. Its pages show the
documents ``releasekit --json`` prints, and its JSON API (``/api/...``) answers
with them.

Needs the ``board`` extra: ``pip install 'releasekit[board]'`` (Starlette,
uvicorn and Jinja2). ``import releasekit`` never imports this module.
"""

from __future__ import annotations

try:
    from releasekit._interfaces.board._create import create_app
except ModuleNotFoundError as missing:  # pragma: no cover  # the tests install the extra
    if missing.name not in {"starlette", "jinja2", "markupsafe", "anyio"}:
        raise
    msg = (
        f"the release board needs {missing.name}, which is not installed: "
        "pip install 'releasekit[board]'"
    )
    raise ModuleNotFoundError(msg, name=missing.name) from missing

__all__ = ["create_app"]
