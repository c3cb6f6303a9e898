"""The board's ASGI application: its pages, its JSON API, its change stream, its files.

Every page and every document is built in a worker thread from the documents
the command line prints, at one instant per request. Responses carry a content
security policy that lets a page load only the board's own files, so nothing is
ever fetched from outside the machine. Links are made from the request's root
path, so the board works mounted under a prefix or behind a proxy that strips one.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from releasekit._interfaces._cli_text import escape, json_text
from releasekit._interfaces.board import _pages
from releasekit._interfaces.board._api import ENDPOINTS, answer, index
from releasekit._interfaces.board._documents import Documents
from releasekit._interfaces.board._format import FILTERS
from releasekit._interfaces.board._store import StoreSource
from releasekit._interfaces.board._watch import Watcher
from releasekit._rules.clock import Clock

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from starlette.requests import Request
    from starlette.types import Message, Receive, Scope, Send

    from releasekit._interfaces.board._documents import BoardSession

__all__ = ["Board", "build"]

_log = logging.getLogger("releasekit.board")

#: What a page may load: the board's own files, nothing from anywhere else.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = (
    (b"content-security-policy", _POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)

#: How long a page waits to reconnect to the change stream, in milliseconds.
_RETRY = 2000
#: How often a quiet change stream says it is still there, in seconds.
_HEARTBEAT = 15.0


@attrs.define
class _Guarded:
    """ASGI middleware adding the board's security headers to every response."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


@attrs.define
class Board:
    """What the board's requests share: its documents, clock, change watcher and templates.

    Attributes:
        documents: Answers the command line's documents.
        source: The store read.
        clock: Where the board's "now" comes from.
        watcher: Reads the store's change token.
        stream_seconds: How long one change stream lasts before the page reconnects.
    """

    documents: Documents
    source: StoreSource
    clock: Clock
    watcher: Watcher
    stream_seconds: float
    _templates: jinja2.Environment = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("releasekit._interfaces.board", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_visible,
        )
        environment.filters.update(FILTERS)
        self._templates = environment

    def session(self) -> BoardSession:
        """Return a session answering at this instant."""
        return self.documents.session(self.clock.now())

    def render(
        self, request: Request, page: _pages.Page, session: BoardSession, token: str
    ) -> HTMLResponse:
        """Render *page* for *request*, with what every page shows.

        *token* is the store's change token read before the page's documents
        were: a change written meanwhile makes the page update itself again.
        """
        context = {
            "request": request,
            "now": session.now().isoformat(),
            "token": token,
            "policy_name": self.documents.policy.name,
            "url": lambda name, /, **query: path_for(request, name, **query),
            "static": lambda path: request.url_for("static", path=path).path,
            **page.context,
        }
        html = self._templates.get_template(page.template).render(context)
        return HTMLResponse(html, status_code=page.status)

    async def page(
        self, request: Request, build: Callable[[Documents, BoardSession], _pages.Page]
    ) -> Response:
        """Build and render a page in a worker thread."""

        def work() -> HTMLResponse:
            token = self.watcher.current()
            session = self.session()
            try:
                return self.render(request, build(self.documents, session), session, token)
            except Exception as error:  # noqa: BLE001  # a bug: said on the page, logged in full
                _log.exception("releasekit board: %s failed", request.url.path)
                return self.render(request, _unexpected(error), session, token)

        return await run_in_threadpool(work)


def _visible(value: object) -> object:
    r"""Show every control and format character of a string a page prints as an escape.

    A version, a note or a reason may hold a newline, ``\x1b`` or a bidi
    override (U+202E) that would turn the rest of a line around: each is
    written as the command line writes it (``\n``, ``\x1b``, ``\u202e``),
    before the markup is escaped. What the board drew itself (``Markup``) is
    left alone.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape(value)
    return value


def _unexpected(error: Exception) -> _pages.Page:
    """Return the page saying that an unexpected error, a bug, stopped a page."""
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return _pages.Page(
        template="error.html",
        context={
            "title": "Unexpected error",
            "error": {
                "type": "InternalError",
                "message": f"unexpected error (this is a bug in releasekit): {what}",
            },
        },
        status=500,
    )


def path_for(request: Request, name: str, /, **query: object) -> str:
    """Return the path of the route *name* under the request's root path, with *query*."""
    path = request.url_for(name).path
    given = {key: value for key, value in query.items() if value is not None and value is not False}
    return f"{path}?{urllib.parse.urlencode(given)}" if given else path


async def _overview(request: Request) -> Response:
    board: Board = request.app.state.board
    query = request.query_params
    everything = query.get("show") == "all"
    after, limit = query.get("after"), query.get("limit")
    return await board.page(
        request,
        lambda documents, session: _pages.overview(
            documents, session, everything=everything, after=after, limit=limit
        ),
    )


async def _release(request: Request) -> Response:
    board: Board = request.app.state.board
    release_id = request.query_params.get("id", "")
    return await board.page(
        request, lambda documents, session: _pages.release(documents, session, release_id)
    )


async def _production(request: Request) -> Response:
    board: Board = request.app.state.board
    return await board.page(request, _pages.production)


async def _windows(request: Request) -> Response:
    board: Board = request.app.state.board
    try:
        zone = _pages.zone_of(request.query_params.get("tz"))
    except ValueError as error:
        message = str(error)
        return await board.page(
            request,
            lambda _documents, _session: _pages.Page(
                template="error.html",
                context={"title": "Windows and freezes", "error": {"message": message}},
                status=400,
            ),
        )
    return await board.page(
        request, lambda documents, session: _pages.windows(documents, session, zone=zone)
    )


def _api(name: str) -> Callable[[Request], Awaitable[Response]]:
    """Return the handler of the JSON endpoint *name*."""
    endpoint = ENDPOINTS[name]

    async def handle(request: Request) -> Response:
        board: Board = request.app.state.board
        found = await run_in_threadpool(
            lambda: answer(board.documents, board.session(), endpoint, request.query_params)
        )
        return Response(
            json_text(found.data) + "\n",
            status_code=found.status,
            media_type="application/json",
            headers={"x-releasekit-exit-code": str(found.code)},
        )

    return handle


async def _api_index(request: Request) -> Response:
    return Response(
        json_text(index(lambda name: path_for(request, name))) + "\n",
        media_type="application/json",
    )


async def _events(request: Request) -> Response:
    board: Board = request.app.state.board

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {_RETRY}\n\n"
        sent: str | None = None
        quiet = 0.0
        started = time.monotonic()
        while time.monotonic() - started < board.stream_seconds:
            current = await run_in_threadpool(board.watcher.current)
            if current != sent:
                yield f"event: change\ndata: {current}\n\n"
                sent, quiet = current, 0.0
            elif quiet >= _HEARTBEAT:
                yield ": the board is still here\n\n"
                quiet = 0.0
            await anyio.sleep(board.watcher.interval)
            quiet += board.watcher.interval

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


def build(board: Board, *, lifespan: Any) -> Starlette:  # noqa: ANN401  # Starlette's own type
    """Return the board's Starlette application."""
    routes = [
        Route("/", _overview, name="overview"),
        Route("/release", _release, name="release"),
        Route("/production", _production, name="production"),
        Route("/windows", _windows, name="windows"),
        Route("/events", _events, name="events"),
        Route("/api", _api_index, name="api"),
        *(Route(endpoint.path, _api(name), name=name) for name, endpoint in ENDPOINTS.items()),
        Mount(
            "/static",
            StaticFiles(packages=[("releasekit._interfaces.board", "static")]),
            name="static",
        ),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.board = board
    app.add_middleware(_Guarded)
    return app
